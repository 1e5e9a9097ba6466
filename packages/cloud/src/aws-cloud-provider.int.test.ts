/**
 * AwsCloudProvider against the simulator's EC2 (the real SDK over a real socket, ManualClock time): the shared
 * contract, then what only the real adapter has — partial fleets by price, the credentials-provider hook and
 * error translation of real SDK errors.
 */
import { loadMarket, type Market, type SpotPriceHistory } from '@cloudoptim/market';
import { ManualClock } from '@cloudoptim/runtime';
import { aws } from '@cloudoptim/simulator';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AwsCloudProvider } from './aws-cloud-provider.ts';
import { cloudProviderContract } from './cloud-provider.contract.ts';
import type { SpotPricePageProgress } from './cloud-provider.ts';

const T0 = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;
const LAUNCH_TEMPLATE = { launchTemplateId: 'lt-0123456789abcdef0', version: '$Latest' };

let data: Promise<{ market: Market; history: SpotPriceHistory }> | undefined;
/** A started local region on a ManualClock; sampled shortages and interruptions off (tests force them). */
async function startEndpoint(seed = 1) {
  data ??= (async () => {
    const market = loadMarket();
    return { market, history: await market.spotPriceHistory() };
  })();
  const { market, history } = await data;
  const clock = new ManualClock(T0);
  const endpoint = aws.createAwsEndpoint({ clock, market, priceHistory: history, seed, shortages: null, interruptions: { sample: false } });
  const { url } = await endpoint.start();
  return { clock, endpoint, url };
}

beforeAll(async () => {
  await startEndpoint().then((s) => s.endpoint.stop());
}, 120_000);

cloudProviderContract('AwsCloudProvider (simulator)', async () => {
  const { clock, endpoint, url } = await startEndpoint();
  const provider = new AwsCloudProvider({ region: 'us-east-1', endpoint: url, credentials: endpoint.credentials, maxAttempts: 1, launchTemplate: LAUNCH_TEMPLATE, clock });
  return {
    provider,
    nowMs: () => clock.now(),
    forceShortage: (az, type, untilMs) => endpoint.spotMarket.forceShortage(az, type, untilMs),
    zones: ['us-east-1a', 'us-east-1b'],
    instanceType: 'm5.large',
    priceQuery: { instanceTypes: ['m5.large'], availabilityZone: 'us-east-1a', fromMs: T0 - 7 * DAY, toMs: T0, minPoints: 5 },
    boot: () => clock.advance(120_000),
    close: async () => {
      provider.close();
      await endpoint.stop();
    },
  };
});

describe('AwsCloudProvider (simulator only)', () => {
  const open: { stop(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((e) => e.stop()));
  });
  async function setup(options: { credentials?: ConstructorParameters<typeof AwsCloudProvider>[0]['credentials'] } = {}) {
    const s = await startEndpoint();
    open.push(s.endpoint);
    const provider = new AwsCloudProvider({ region: 'us-east-1', endpoint: s.url, credentials: options.credentials ?? s.endpoint.credentials, maxAttempts: 1, launchTemplate: LAUNCH_TEMPLATE, clock: s.clock });
    return { ...s, provider };
  }

  it('lowest-price: a shortage in the cheapest pool gives its error entry and capacity from the next cheapest', async () => {
    const { clock, endpoint, provider } = await setup();
    const pools = ['us-east-1a', 'us-east-1b', 'us-east-1c'].flatMap((availabilityZone) => ['m5.large', 'c5.large'].map((instanceType) => ({ instanceType, availabilityZone })));
    const byPrice = pools
      .map((p) => ({ ...p, price: endpoint.spotMarket.spotPrice(p.availabilityZone, p.instanceType, clock.now()) as number }))
      .sort((a, b) => a.price - b.price);
    const [cheapest, second] = byPrice as [(typeof byPrice)[0], (typeof byPrice)[0]];
    endpoint.spotMarket.forceShortage(cheapest.availabilityZone, cheapest.instanceType, clock.now() + 3_600_000);
    const out = await provider.launchCapacity({ pools, capacityType: 'spot', count: 2, allocationStrategy: 'lowest-price', tags: {}, clientToken: 'lp-1' });
    expect(out.errors).toEqual([expect.objectContaining({ instanceType: cheapest.instanceType, availabilityZone: cheapest.availabilityZone, code: 'CAPACITY_UNAVAILABLE', awsCode: 'InsufficientInstanceCapacity' })]);
    expect(out.errors[0]?.message).toContain('We currently do not have sufficient');
    expect(out.instances.map((i) => [i.instanceType, i.availabilityZone, i.capacityType])).toEqual([
      [second.instanceType, second.availabilityZone, 'spot'],
      [second.instanceType, second.availabilityZone, 'spot'],
    ]);
  });

  it('launches into a named subnet and maps it back to its zone', async () => {
    const { endpoint, provider } = await setup();
    const subnetId = endpoint.topology.zone('us-east-1c')?.subnetId as string;
    const out = await provider.launchCapacity({ pools: [{ instanceType: 'm5.large', availabilityZone: 'us-east-1c', subnetId }], capacityType: 'on-demand', count: 1, tags: {}, clientToken: 'sn-1' });
    expect(out.instances[0]).toMatchObject({ availabilityZone: 'us-east-1c', subnetId });
  });

  it('pages a month of history for every zone with a progress callback per page', async () => {
    const { clock, provider } = await setup();
    const query = { instanceTypes: ['m5.large', 'c5.xlarge'], fromMs: clock.now() - 30 * DAY, toMs: clock.now() };
    const single = await provider.spotPriceHistory(query);
    const progress: SpotPricePageProgress[] = [];
    const paged = await provider.spotPriceHistory({ ...query, pageSize: 50, onPage: (p) => progress.push(p) });
    expect(paged).toEqual(single);
    expect(new Set(paged.map((p) => p.availabilityZone)).size).toBeGreaterThan(1);
    expect(progress.length).toBeGreaterThanOrEqual(Math.ceil(single.length / 50));
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.reduce((s, p) => s + p.pointsInPage, 0)).toBe(single.length);
    expect(progress.at(-1)?.more).toBe(false);
  });

  it('stops paging when the progress callback throws or the signal aborts', async () => {
    const { clock, provider } = await setup();
    const query = { instanceTypes: ['m5.large'], fromMs: clock.now() - 30 * DAY, toMs: clock.now(), pageSize: 10 };
    let pages = 0;
    await expect(provider.spotPriceHistory({ ...query, onPage: () => { if (++pages === 2) throw new Error('stop'); } })).rejects.toThrow('stop');
    expect(pages).toBe(2);
    const ac = new AbortController();
    let seen = 0;
    await expect(provider.spotPriceHistory({ ...query, signal: ac.signal, onPage: () => { if (++seen === 1) ac.abort(); } })).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toBe(1);
  });

  it('takes a credentials provider function (the hook for per-customer role assumption)', async () => {
    const s = await startEndpoint();
    open.push(s.endpoint);
    let calls = 0;
    const provider = new AwsCloudProvider({
      region: 'us-east-1', endpoint: s.url, maxAttempts: 1,
      credentials: async () => {
        calls++;
        return { ...s.endpoint.credentials, expiration: new Date(Date.now() + 3_600_000) };
      },
    });
    expect((await provider.availabilityZones()).length).toBeGreaterThan(1);
    expect(calls).toBeGreaterThanOrEqual(1);
  });

  it('translates SDK errors: bad credentials → UNAUTHENTICATED, no listener → UNAVAILABLE, no launch template → UNPROCESSABLE', async () => {
    const { endpoint, url } = await setup();
    const unknownKey = new AwsCloudProvider({ region: 'us-east-1', endpoint: url, maxAttempts: 1, credentials: { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x' } });
    const e1 = await unknownKey.availabilityZones().catch((e: unknown) => e);
    expect(e1).toMatchObject({ name: 'AppError', code: 'UNAUTHENTICATED', details: { aws_code: 'AuthFailure', http_status: 401, operation: 'EC2 DescribeAvailabilityZones' } });

    const secret = 'definitely-not-the-secret-0123456789';
    const badSecret = new AwsCloudProvider({ region: 'us-east-1', endpoint: url, maxAttempts: 1, credentials: { accessKeyId: endpoint.credentials.accessKeyId, secretAccessKey: secret } });
    const e2 = (await badSecret.describeInstances().catch((e: unknown) => e)) as Error & { code: string; details: unknown };
    expect(e2).toMatchObject({ code: 'UNAUTHENTICATED', details: { aws_code: 'SignatureDoesNotMatch', http_status: 403 } });
    expect(JSON.stringify({ message: e2.message, details: e2.details })).not.toContain(secret);
    expect(e2.cause).toBeInstanceOf(Error); // the SDK error is kept for the log

    const noTemplate = new AwsCloudProvider({ region: 'us-east-1', endpoint: url, maxAttempts: 1, credentials: endpoint.credentials });
    await expect(noTemplate.launchCapacity({ pools: [{ instanceType: 'm5.large', availabilityZone: 'us-east-1a' }], capacityType: 'spot', count: 1, tags: {}, clientToken: 'x' })).rejects.toMatchObject({ code: 'UNPROCESSABLE' });

    await endpoint.stop();
    const down = new AwsCloudProvider({ region: 'us-east-1', endpoint: url, maxAttempts: 1, credentials: endpoint.credentials });
    await expect(down.availabilityZones()).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('not reachable') });
  });
});
