/**
 * The EC2 side of the local region, driven by the real AWS SDK v3 over a real socket.
 */
import {
  CreateFleetCommand,
  CreateTagsCommand,
  DescribeAvailabilityZonesCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeSpotPriceHistoryCommand,
  EC2Client,
  type Instance,
  type _InstanceType,
  paginateDescribeInstances,
  paginateDescribeInstanceTypes,
  paginateDescribeSpotPriceHistory,
  RunInstancesCommand,
  type SpotPrice,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { loadMarket, type Market, type SpotPriceHistory } from '@cloudoptim/market';
import { ManualClock } from '@cloudoptim/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAwsEndpoint, type InstanceInfo } from './index.ts';
import { sdkFailure, stopEndpointsAfterEach } from './sdk-test-kit.ts';

let market: Market;
let history: SpotPriceHistory;
beforeAll(async () => {
  market = loadMarket();
  history = await market.spotPriceHistory();
});

const track = stopEndpointsAfterEach();

async function setup(opts: { seed?: number; shortages?: null } = {}) {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const ep = createAwsEndpoint({ clock, market, priceHistory: history, seed: opts.seed ?? 7, shortages: opts.shortages === undefined ? null : opts.shortages });
  track(ep);
  const { url } = await ep.start();
  const ec2 = new EC2Client({ endpoint: url, region: 'us-east-1', credentials: ep.credentials, maxAttempts: 1 });
  return { clock, ep, ec2, url };
}

const allInstances = (r: { Reservations?: { Instances?: Instance[] }[] }) => (r.Reservations ?? []).flatMap((x) => x.Instances ?? []);

describe('CreateFleet → instances boot → running', () => {
  it('launches spot instances that go pending → running after the seeded boot delay, firing the node hooks', async () => {
    const { clock, ep, ec2 } = await setup();
    const running: InstanceInfo[] = [];
    ep.ec2.onInstanceRunning((i) => running.push({ ...i }));
    const out = await ec2.send(new CreateFleetCommand({
      Type: 'instant',
      TargetCapacitySpecification: { TotalTargetCapacity: 3, DefaultTargetCapacityType: 'spot' },
      SpotOptions: { AllocationStrategy: 'price-capacity-optimized' },
      LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateId: 'lt-0abc1234def567890', Version: '$Latest' }, Overrides: [{ InstanceType: 'm5.large', AvailabilityZone: 'us-east-1a' }, { InstanceType: 'm5.large', SubnetId: ep.topology.zone('us-east-1b')?.subnetId as string }] }],
      TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'cloudoptim.io/cluster', Value: 'demo' }] }],
    }));
    expect(out.FleetId).toMatch(/^fleet-[0-9a-f-]{36}$/);
    expect(out.Errors).toEqual([]);
    const ids = (out.Instances ?? []).flatMap((g) => g.InstanceIds ?? []);
    expect(ids).toHaveLength(3);
    expect(out.Instances?.[0]?.Lifecycle).toBe('spot');

    const before = allInstances(await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids })));
    expect(before.map((i) => i.State?.Name)).toEqual(['pending', 'pending', 'pending']);
    const i0 = before[0] as Instance;
    expect(i0.InstanceLifecycle).toBe('spot');
    expect(i0.SpotInstanceRequestId).toMatch(/^sir-/);
    expect(i0.PrivateDnsName).toMatch(/^ip-10-0-\d+-\d+\.ec2\.internal$/);
    expect(i0.PrivateIpAddress).toMatch(/^10\.0\.\d+\.\d+$/);
    expect(i0.LaunchTime?.getTime()).toBe(clock.now());
    expect(i0.Tags).toEqual(expect.arrayContaining([{ Key: 'cloudoptim.io/cluster', Value: 'demo' }, { Key: 'aws:ec2:fleet-id', Value: out.FleetId }]));

    await clock.advance(29_000);
    expect(running).toHaveLength(0); // the boot delay is at least 30 s
    await clock.advance(61_000);
    expect(running.map((r) => r.instanceId).sort()).toEqual([...ids].sort());
    expect(running[0]?.providerId).toMatch(/^aws:\/\/\/us-east-1[ab]\/i-0[0-9a-f]{16}$/);
    const after = allInstances(await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids })));
    expect(after.map((i) => i.State?.Name)).toEqual(['running', 'running', 'running']);
  });

  it('picks pools by strategy and reports a pool in a capacity shortage as InsufficientInstanceCapacity', async () => {
    const { clock, ep, ec2 } = await setup();
    const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d'];
    const overrides = zones.flatMap((az) => (['m5.large', 'c5.large', 'm5a.large'] as const).map((t) => ({ InstanceType: t as _InstanceType, AvailabilityZone: az })));
    const fleet = (strategy: 'lowest-price' | 'capacity-optimized' | 'price-capacity-optimized') => ec2.send(new CreateFleetCommand({
      Type: 'instant', TargetCapacitySpecification: { TotalTargetCapacity: 1, DefaultTargetCapacityType: 'spot' }, SpotOptions: { AllocationStrategy: strategy },
      LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateId: 'lt-1', Version: '1' }, Overrides: overrides }],
    }));
    const now = clock.now();
    const pools = overrides.map((o) => ({ az: o.AvailabilityZone, type: o.InstanceType, price: ep.spotMarket.spotPrice(o.AvailabilityZone, o.InstanceType, now) as number, hazard: ep.spotMarket.hazardAt(o.AvailabilityZone, o.InstanceType, now) }));
    const chosen = async (s: Parameters<typeof fleet>[0]) => {
      const o = (await fleet(s)).Instances?.[0]?.LaunchTemplateAndOverrides?.Overrides;
      return { az: o?.AvailabilityZone, type: o?.InstanceType };
    };
    const byPrice = [...pools].sort((a, b) => a.price - b.price || a.hazard - b.hazard);
    const cheapest = byPrice[0];
    const safest = [...pools].sort((a, b) => a.hazard - b.hazard)[0];
    expect(await chosen('lowest-price')).toEqual({ az: cheapest?.az, type: cheapest?.type });
    expect(await chosen('capacity-optimized')).toEqual({ az: safest?.az, type: safest?.type });
    const pco = await chosen('price-capacity-optimized');
    const pcoPool = pools.find((p) => p.az === pco.az && p.type === pco.type);
    // PCO: in the best capacity tier (≤ the safest pool's 5-point monthly band), the cheapest of that tier.
    expect(pcoPool?.price).toBeLessThanOrEqual(safest?.price as number);

    // Shortage in the cheapest pool: an error entry for it, capacity from the next cheapest.
    ep.spotMarket.forceShortage(cheapest?.az as string, cheapest?.type as string, now + 3_600_000);
    const out = await fleet('lowest-price');
    expect(out.Errors).toHaveLength(1);
    expect(out.Errors?.[0]).toMatchObject({ ErrorCode: 'InsufficientInstanceCapacity', Lifecycle: 'spot', LaunchTemplateAndOverrides: { Overrides: { InstanceType: cheapest?.type, AvailabilityZone: cheapest?.az } } });
    const second = byPrice[1];
    expect(out.Instances?.[0]?.LaunchTemplateAndOverrides?.Overrides).toMatchObject({ InstanceType: second?.type, AvailabilityZone: second?.az });
    expect(ep.events().some((e) => e.kind === 'insufficient-capacity' && e.availabilityZone === cheapest?.az)).toBe(true);
  });

  it('launches on-demand capacity next to spot (OnDemandTargetCapacity) without a lifecycle', async () => {
    const { ec2 } = await setup();
    const out = await ec2.send(new CreateFleetCommand({
      Type: 'instant', TargetCapacitySpecification: { TotalTargetCapacity: 3, OnDemandTargetCapacity: 1, DefaultTargetCapacityType: 'spot' },
      LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateId: 'lt-1', Version: '1' }, Overrides: [{ InstanceType: 'm5.large', AvailabilityZone: 'us-east-1a' }] }],
    }));
    expect(out.Instances?.map((g) => [g.Lifecycle, g.InstanceIds?.length])).toEqual([['on-demand', 1], ['spot', 2]]);
    const od = allInstances(await ec2.send(new DescribeInstancesCommand({ InstanceIds: out.Instances?.[0]?.InstanceIds })));
    expect(od[0]?.InstanceLifecycle).toBeUndefined();
  });
});

describe('RunInstances / TerminateInstances', () => {
  it('RunInstances with a spot pool in shortage fails with InsufficientInstanceCapacity (HTTP 500)', async () => {
    const { clock, ep, ec2 } = await setup();
    ep.spotMarket.forceShortage('us-east-1c', 'c5.xlarge', clock.now() + 60_000);
    const err = await sdkFailure(ec2.send(new RunInstancesCommand({ MinCount: 1, MaxCount: 1, ImageId: 'ami-1', InstanceType: 'c5.xlarge', Placement: { AvailabilityZone: 'us-east-1c' }, InstanceMarketOptions: { MarketType: 'spot' } })));
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('InsufficientInstanceCapacity');
    expect(err.$metadata.httpStatusCode).toBe(500);
    expect(err.$fault).toBe('server');
    expect(err.message).toContain('We currently do not have sufficient c5.xlarge capacity in the Availability Zone you requested (us-east-1c)');
    // On-demand in the same pool works; a spot launch works once the shortage is over.
    const od = await ec2.send(new RunInstancesCommand({ MinCount: 2, MaxCount: 2, ImageId: 'ami-1', InstanceType: 'c5.xlarge', Placement: { AvailabilityZone: 'us-east-1c' } }));
    expect(od.Instances).toHaveLength(2);
    await clock.advance(61_000);
    const spot = await ec2.send(new RunInstancesCommand({ MinCount: 1, MaxCount: 1, ImageId: 'ami-1', InstanceType: 'c5.xlarge', Placement: { AvailabilityZone: 'us-east-1c' }, InstanceMarketOptions: { MarketType: 'spot' } }));
    expect(spot.Instances?.[0]).toMatchObject({ InstanceLifecycle: 'spot', State: { Code: 0, Name: 'pending' }, Placement: { AvailabilityZone: 'us-east-1c' } });
  });

  it('is idempotent by ClientToken', async () => {
    const { ec2 } = await setup();
    const input = { MinCount: 1, MaxCount: 1, ImageId: 'ami-1', InstanceType: 'm5.large' as const, ClientToken: 'tok-1' };
    const a = await ec2.send(new RunInstancesCommand(input));
    const b = await ec2.send(new RunInstancesCommand(input));
    expect(b.Instances?.[0]?.InstanceId).toBe(a.Instances?.[0]?.InstanceId);
  });

  it('terminates: running → shutting-down → terminated, hooks fire, repeat is idempotent, unknown ids fail the call', async () => {
    const { clock, ep, ec2 } = await setup();
    const run = await ec2.send(new RunInstancesCommand({ MinCount: 2, MaxCount: 2, ImageId: 'ami-1', InstanceType: 'm5.large', InstanceMarketOptions: { MarketType: 'spot' } }));
    const [a, b] = (run.Instances ?? []).map((i) => i.InstanceId as string) as [string, string];
    await clock.advance(90_000);
    const terminated: string[] = [];
    const shutting: string[] = [];
    ep.ec2.onInstanceTerminated((i) => terminated.push(i.instanceId));
    ep.ec2.onInstanceShuttingDown((i) => shutting.push(i.instanceId));

    const missing = await sdkFailure(ec2.send(new TerminateInstancesCommand({ InstanceIds: [a, 'i-0123456789abcdef0'] })));
    expect((missing as Error).name).toBe('InvalidInstanceID.NotFound');
    expect(ep.ec2.get(a)?.state).toBe('running'); // one bad id fails the whole call

    const t = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [a] }));
    expect(t.TerminatingInstances).toEqual([{ InstanceId: a, CurrentState: { Code: 32, Name: 'shutting-down' }, PreviousState: { Code: 16, Name: 'running' } }]);
    expect(shutting).toEqual([a]);
    await clock.advance(30_000);
    expect(terminated).toEqual([a]);
    const again = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [a] }));
    expect(again.TerminatingInstances?.[0]).toMatchObject({ CurrentState: { Name: 'terminated', Code: 48 }, PreviousState: { Name: 'terminated', Code: 48 } });
    const desc = allInstances(await ec2.send(new DescribeInstancesCommand({ InstanceIds: [a, b] })));
    expect(desc.map((i) => i.State?.Name)).toEqual(['terminated', 'running']);
    expect(desc[0]?.StateReason?.Code).toBe('Client.UserInitiatedShutdown');
    // Terminated instances disappear after an hour.
    await clock.advance(3_600_000);
    const gone = await sdkFailure(ec2.send(new DescribeInstancesCommand({ InstanceIds: [a] })));
    expect((gone as Error).name).toBe('InvalidInstanceID.NotFound');
  });

  it('answers InvalidInstanceID.NotFound / .Malformed as the SDK error names', async () => {
    const { ec2 } = await setup();
    const nf = await sdkFailure(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })));
    expect(nf.name).toBe('InvalidInstanceID.NotFound');
    expect(nf.message).toBe("The instance ID 'i-0123456789abcdef0' does not exist");
    expect(nf.$fault).toBe('client');
    expect(nf.$metadata.httpStatusCode).toBe(400);
    const mal = await sdkFailure(ec2.send(new TerminateInstancesCommand({ InstanceIds: ['not-an-id'] })));
    expect(mal.name).toBe('InvalidInstanceID.Malformed');
  });
});

describe('DescribeInstances filters and paging', () => {
  it('filters by tag:Key, tag-key, state, zone, type and lifecycle, and pages with MaxResults/NextToken', async () => {
    const { clock, ec2 } = await setup();
    const launch = (type: _InstanceType, az: string, count: number, spot: boolean, tags: Record<string, string>) => ec2.send(new RunInstancesCommand({
      MinCount: count, MaxCount: count, ImageId: 'ami-1', InstanceType: type, Placement: { AvailabilityZone: az },
      ...(spot ? { InstanceMarketOptions: { MarketType: 'spot' as const } } : {}),
      TagSpecifications: [{ ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }],
    }));
    await launch('m5.large', 'us-east-1a', 5, true, { team: 'a', env: 'prod' });
    await launch('c5.large', 'us-east-1b', 4, false, { team: 'b' });
    const late = await launch('m5.xlarge', 'us-east-1a', 3, true, { team: 'a' });
    await clock.advance(95_000);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [late.Instances?.[0]?.InstanceId as string] }));
    await ec2.send(new CreateTagsCommand({ Resources: [late.Instances?.[1]?.InstanceId as string], Tags: [{ Key: 'env', Value: 'dev' }, { Key: 'empty', Value: '' }] }));

    const count = async (Filters: { Name: string; Values: string[] }[]) => allInstances(await ec2.send(new DescribeInstancesCommand({ Filters }))).length;
    expect(await count([{ Name: 'tag:team', Values: ['a'] }])).toBe(8);
    expect(await count([{ Name: 'tag-key', Values: ['env'] }])).toBe(6);
    expect(await count([{ Name: 'tag:env', Values: ['dev'] }])).toBe(1);
    expect(await count([{ Name: 'tag:empty', Values: [''] }])).toBe(1);
    expect(await count([{ Name: 'instance-state-name', Values: ['running'] }])).toBe(11);
    expect(await count([{ Name: 'instance-state-name', Values: ['shutting-down', 'terminated'] }])).toBe(1);
    expect(await count([{ Name: 'availability-zone', Values: ['us-east-1a'] }, { Name: 'instance-type', Values: ['m5.*'] }])).toBe(8);
    expect(await count([{ Name: 'instance-lifecycle', Values: ['spot'] }])).toBe(8);
    expect(await count([{ Name: 'tag:team', Values: ['zzz'] }])).toBe(0);

    const pages: number[] = [];
    const seen = new Set<string>();
    for await (const page of paginateDescribeInstances({ client: ec2, pageSize: 5 }, {})) {
      const list = allInstances(page);
      pages.push(list.length);
      for (const i of list) seen.add(i.InstanceId as string);
    }
    expect(pages).toEqual([5, 5, 2]);
    expect(seen.size).toBe(12);

    const combo = await sdkFailure(ec2.send(new DescribeInstancesCommand({ InstanceIds: [late.Instances?.[1]?.InstanceId as string], MaxResults: 5 })));
    expect(combo.name).toBe('InvalidParameterCombination');
    const badFilter = await sdkFailure(ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'no-such-filter', Values: ['x'] }] })));
    expect(badFilter.name).toBe('InvalidParameterValue');
  });
});

describe('DescribeSpotPriceHistory', () => {
  it('pages through real replayed prices; every value matches the market data at its time', async () => {
    const { clock, ep, ec2 } = await setup();
    await clock.advance(3 * 86_400_000);
    const start = new Date(clock.now() - 2 * 86_400_000);
    const items: SpotPrice[] = [];
    let pages = 0;
    for await (const page of paginateDescribeSpotPriceHistory({ client: ec2, pageSize: 20 }, { InstanceTypes: ['m5.large', 'c5.xlarge'], ProductDescriptions: ['Linux/UNIX'], StartTime: start })) {
      pages++;
      items.push(...(page.SpotPriceHistory ?? []));
    }
    expect(pages).toBeGreaterThan(2);
    expect(items.length).toBeGreaterThan(40);
    const replay = ep.spotMarket.replay;
    if (!replay) throw new Error('no replay');
    for (const it of items) {
      expect(it.SpotPrice).toMatch(/^\d+\.\d{6}$/);
      const t = it.Timestamp?.getTime() as number;
      // The replayed value is the real history's price at the mapped instant.
      expect(Number(it.SpotPrice)).toBeCloseTo(history.priceAt(it.AvailabilityZone as string, it.InstanceType as string, replay.toHistoryTime(t)) as number, 9);
    }
    // Newest first, and per pool the price in force at StartTime is included (stamped at or before it).
    const times = items.map((i) => i.Timestamp?.getTime() as number);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    for (const az of ['us-east-1a', 'us-east-1b']) {
      const pool = items.filter((i) => i.AvailabilityZone === az && i.InstanceType === 'm5.large');
      expect(pool.at(-1)?.Timestamp?.getTime()).toBeLessThanOrEqual(start.getTime());
    }
    // The same query in one page gives the same list.
    const one = await ec2.send(new DescribeSpotPriceHistoryCommand({ InstanceTypes: ['m5.large', 'c5.xlarge'], ProductDescriptions: ['Linux/UNIX'], StartTime: start, EndTime: new Date(clock.now()) }));
    expect(one.SpotPriceHistory?.map((i) => `${i.AvailabilityZone}${i.InstanceType}${i.SpotPrice}${i.Timestamp?.toISOString()}`)).toEqual(items.map((i) => `${i.AvailabilityZone}${i.InstanceType}${i.SpotPrice}${i.Timestamp?.toISOString()}`));
    expect(one.NextToken === undefined || one.NextToken === '').toBe(true);
  });

  it('filters by AvailabilityZone and availability-zone filter; rejects unknown types', async () => {
    const { clock, ec2 } = await setup();
    await clock.advance(86_400_000);
    const a = await ec2.send(new DescribeSpotPriceHistoryCommand({ InstanceTypes: ['m5.large'], AvailabilityZone: 'us-east-1d', StartTime: new Date(clock.now() - 86_400_000) }));
    expect(a.SpotPriceHistory?.length).toBeGreaterThan(0);
    expect(new Set(a.SpotPriceHistory?.map((i) => i.AvailabilityZone))).toEqual(new Set(['us-east-1d']));
    const f = await ec2.send(new DescribeSpotPriceHistoryCommand({ InstanceTypes: ['m5.large'], Filters: [{ Name: 'availability-zone', Values: ['us-east-1a', 'us-east-1f'] }], StartTime: new Date(clock.now() - 86_400_000) }));
    expect(new Set(f.SpotPriceHistory?.map((i) => i.AvailabilityZone))).toEqual(new Set(['us-east-1a', 'us-east-1f']));
    const windows = await ec2.send(new DescribeSpotPriceHistoryCommand({ InstanceTypes: ['m5.large'], ProductDescriptions: ['Windows'] }));
    expect(windows.SpotPriceHistory).toEqual([]);
    const bad = await sdkFailure(ec2.send(new DescribeSpotPriceHistoryCommand({ InstanceTypes: ['m5.nosuch' as 'm5.large'] })));
    expect(bad.name).toBe('InvalidParameterValue');
  });
});

describe('DescribeInstanceTypes / DescribeAvailabilityZones', () => {
  it('describes types from the catalog, with filters and paging', async () => {
    const { ec2 } = await setup();
    const one = await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['m5.large', 'g4dn.xlarge', 'm6g.large'] }));
    const byName = new Map(one.InstanceTypes?.map((t) => [t.InstanceType, t]));
    expect(byName.get('m5.large')).toMatchObject({ VCpuInfo: { DefaultVCpus: 2 }, MemoryInfo: { SizeInMiB: 8192 }, ProcessorInfo: { SupportedArchitectures: ['x86_64'] }, SupportedUsageClasses: ['on-demand', 'spot'] });
    expect(byName.get('m6g.large')?.ProcessorInfo?.SupportedArchitectures).toEqual(['arm64']);
    expect(byName.get('g4dn.xlarge')?.GpuInfo?.Gpus?.[0]?.Count).toBe(1);
    let total = 0;
    let pages = 0;
    for await (const page of paginateDescribeInstanceTypes({ client: ec2, pageSize: 20 }, { Filters: [{ Name: 'instance-type', Values: ['m5*'] }, { Name: 'processor-info.supported-architecture', Values: ['x86_64'] }] })) {
      pages++;
      total += page.InstanceTypes?.length ?? 0;
      for (const t of page.InstanceTypes ?? []) expect(t.InstanceType).toMatch(/^m5/);
    }
    expect(pages).toBeGreaterThan(1);
    expect(total).toBeGreaterThan(20);
    const bad = await sdkFailure(ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: ['m5.nosuch' as 'm5.large'] })));
    expect(bad.name).toBe('InvalidInstanceType');
  });

  it('lists the zones of the region', async () => {
    const { ec2 } = await setup();
    const out = await ec2.send(new DescribeAvailabilityZonesCommand({}));
    expect(out.AvailabilityZones?.map((z) => z.ZoneName)).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1e', 'us-east-1f']);
    expect(out.AvailabilityZones?.[0]).toMatchObject({ ZoneId: 'use1-az1', State: 'available', RegionName: 'us-east-1', ZoneType: 'availability-zone' });
  });
});
