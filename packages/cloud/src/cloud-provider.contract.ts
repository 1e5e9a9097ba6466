/**
 * The one contract every CloudProvider passes (ARCHITECTURE convention 12): `FakeCloudProvider` in
 * fake-cloud-provider.test.ts and `AwsCloudProvider` against the simulator's EC2 in
 * aws-cloud-provider.int.test.ts. The logic above the adapter may rely on exactly what is asserted here.
 */
import { AppError } from '@cloudoptim/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CloudProvider, SpotPricePageProgress } from './cloud-provider.ts';

/** What the suite needs from an implementation under test. */
export interface CloudProviderHarness {
  provider: CloudProvider;
  /** The provider's notion of now (launch times are stamped with it). */
  nowMs(): number;
  /** Spot launches in the pool fail with InsufficientInstanceCapacity until `untilMs`. */
  forceShortage(availabilityZone: string, instanceType: string, untilMs: number): void;
  /** Two distinct zones of the region and an instance type launchable in both. */
  zones: [string, string];
  instanceType: string;
  /** A window and pool with at least `minPoints` spot price changes. */
  priceQuery: { instanceTypes: string[]; availabilityZone: string; fromMs: number; toMs: number; minPoints: number };
  /** Lets launched instances boot (advance a simulated clock, or settle the fake). */
  boot(): Promise<void>;
  close(): Promise<void>;
}

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('expected the call to fail');
}

/** Registers the contract suite for one implementation. */
export function cloudProviderContract(name: string, setup: () => Promise<CloudProviderHarness>): void {
  describe(`CloudProvider contract: ${name}`, () => {
    let h: CloudProviderHarness;
    let tokenSeq = 0;
    const token = () => `contract-${++tokenSeq}`;
    beforeEach(async () => {
      h = await setup();
    });
    afterEach(async () => {
      await h.close();
    });

    it('lists the availability zones of its region', async () => {
      const zones = await h.provider.availabilityZones();
      const names = zones.map((z) => z.zoneName);
      expect(names).toEqual(expect.arrayContaining(h.zones));
      expect(new Set(names).size).toBe(names.length);
      for (const z of zones) {
        expect(z.zoneName.startsWith(h.provider.region)).toBe(true);
        expect(z.zoneId).not.toBe('');
      }
    });

    it('launches spot capacity in a pool, tagged, and describes it', async () => {
      const [az] = h.zones;
      const out = await h.provider.launchCapacity({
        pools: [{ instanceType: h.instanceType, availabilityZone: az }],
        capacityType: 'spot',
        count: 2,
        allocationStrategy: 'price-capacity-optimized',
        tags: { 'cloudoptim.io/cluster': 'contract', 'cloudoptim.io/step': 's1' },
        clientToken: token(),
      });
      expect(out.errors).toEqual([]);
      expect(out.instances).toHaveLength(2);
      for (const i of out.instances) {
        expect(i).toMatchObject({ instanceType: h.instanceType, availabilityZone: az, capacityType: 'spot', launchTimeMs: h.nowMs() });
        expect(i.instanceId).toMatch(/^i-[0-9a-f]{17}$/);
        expect(i.privateDnsName).toMatch(/^ip-/);
        expect(i.tags).toMatchObject({ 'cloudoptim.io/cluster': 'contract' });
        expect(['pending', 'running']).toContain(i.state);
      }
      await h.boot();
      const described = await h.provider.describeInstances({ ids: out.instances.map((i) => i.instanceId) });
      expect(described.map((i) => i.state)).toEqual(['running', 'running']);
      expect(described.map((i) => i.privateDnsName).sort()).toEqual(out.instances.map((i) => i.privateDnsName).sort());
    });

    it('launches on-demand capacity', async () => {
      const [, az] = h.zones;
      const out = await h.provider.launchCapacity({ pools: [{ instanceType: h.instanceType, availabilityZone: az }], capacityType: 'on-demand', count: 1, tags: {}, clientToken: token() });
      expect(out.instances).toHaveLength(1);
      expect(out.instances[0]).toMatchObject({ capacityType: 'on-demand', availabilityZone: az });
    });

    it('is idempotent per clientToken: a retried launch returns the same instances', async () => {
      const t = token();
      const input = { pools: [{ instanceType: h.instanceType, availabilityZone: h.zones[0] }], capacityType: 'spot' as const, count: 1, tags: { 'cloudoptim.io/token-test': t }, clientToken: t };
      const a = await h.provider.launchCapacity(input);
      const b = await h.provider.launchCapacity(input);
      expect(b.instances.map((i) => i.instanceId)).toEqual(a.instances.map((i) => i.instanceId));
      expect(await h.provider.describeInstances({ tags: { 'cloudoptim.io/token-test': t } })).toHaveLength(1);
    });

    it('throws CAPACITY_UNAVAILABLE when the only pool has no spot capacity, with the pool in details.errors', async () => {
      const [az] = h.zones;
      h.forceShortage(az, h.instanceType, h.nowMs() + 3_600_000);
      const err = await rejection(h.provider.launchCapacity({ pools: [{ instanceType: h.instanceType, availabilityZone: az }], capacityType: 'spot', count: 1, tags: {}, clientToken: token() }));
      expect(err.code).toBe('CAPACITY_UNAVAILABLE');
      expect(err.details?.errors).toEqual([expect.objectContaining({ instanceType: h.instanceType, availabilityZone: az, capacityType: 'spot', code: 'CAPACITY_UNAVAILABLE', awsCode: 'InsufficientInstanceCapacity' })]);
    });

    it('falls back to on-demand for the spot shortfall and reports the spot error entry', async () => {
      const [az] = h.zones;
      h.forceShortage(az, h.instanceType, h.nowMs() + 3_600_000);
      const out = await h.provider.launchCapacity({ pools: [{ instanceType: h.instanceType, availabilityZone: az }], capacityType: 'spot', count: 2, tags: {}, clientToken: token(), onDemandFallback: true });
      expect(out.instances.map((i) => [i.capacityType, i.availabilityZone, i.instanceType])).toEqual([
        ['on-demand', az, h.instanceType],
        ['on-demand', az, h.instanceType],
      ]);
      expect(out.errors).toEqual([expect.objectContaining({ availabilityZone: az, instanceType: h.instanceType, capacityType: 'spot', code: 'CAPACITY_UNAVAILABLE', awsCode: 'InsufficientInstanceCapacity' })]);
      expect(out.errors[0]?.message).not.toBe('');
    });

    it('a pool in shortage yields an error entry while the next pool (by priority) supplies the capacity', async () => {
      const [a, b] = h.zones;
      h.forceShortage(a, h.instanceType, h.nowMs() + 3_600_000);
      const out = await h.provider.launchCapacity({
        pools: [
          { instanceType: h.instanceType, availabilityZone: a, priority: 0 },
          { instanceType: h.instanceType, availabilityZone: b, priority: 1 },
        ],
        capacityType: 'spot',
        count: 1,
        allocationStrategy: 'capacity-optimized-prioritized',
        tags: {},
        clientToken: token(),
      });
      expect(out.instances.map((i) => [i.availabilityZone, i.capacityType])).toEqual([[b, 'spot']]);
      expect(out.errors.map((e) => [e.availabilityZone, e.code])).toEqual([[a, 'CAPACITY_UNAVAILABLE']]);
    });

    it('rejects invalid launch input with VALIDATION_FAILED', async () => {
      const err = await rejection(h.provider.launchCapacity({ pools: [], capacityType: 'spot', count: 0, tags: {}, clientToken: token() }));
      expect(err.code).toBe('VALIDATION_FAILED');
    });

    it('describes by tags, tags instances, and terminates (idempotently)', async () => {
      const cluster = token();
      const out = await h.provider.launchCapacity({ pools: [{ instanceType: h.instanceType, availabilityZone: h.zones[0] }], capacityType: 'spot', count: 3, tags: { 'cloudoptim.io/cluster': cluster }, clientToken: token() });
      const ids = out.instances.map((i) => i.instanceId);
      await h.provider.launchCapacity({ pools: [{ instanceType: h.instanceType, availabilityZone: h.zones[0] }], capacityType: 'spot', count: 1, tags: { 'cloudoptim.io/cluster': `${cluster}-other` }, clientToken: token() });
      const mine = await h.provider.describeInstances({ tags: { 'cloudoptim.io/cluster': cluster } });
      expect(mine.map((i) => i.instanceId).sort()).toEqual([...ids].sort());

      const [first, second, third] = ids as [string, string, string];
      await h.provider.tagInstances([first], { 'cloudoptim.io/role': 'replaced' });
      const tagged = await h.provider.describeInstances({ tags: { 'cloudoptim.io/cluster': cluster, 'cloudoptim.io/role': 'replaced' } });
      expect(tagged.map((i) => i.instanceId)).toEqual([first]);
      expect(tagged[0]?.tags).toMatchObject({ 'cloudoptim.io/cluster': cluster, 'cloudoptim.io/role': 'replaced' });

      await h.provider.terminateInstances([first, second]);
      await h.provider.terminateInstances([first]); // idempotent
      await h.provider.terminateInstances([]); // nothing to do
      const after = await h.provider.describeInstances({ ids: [first, second, third] });
      expect(after.map((i) => ['shutting-down', 'terminated'].includes(i.state))).toEqual([true, true, false]);
    });

    it('answers NOT_FOUND for unknown instance ids and VALIDATION_FAILED for malformed ones', async () => {
      const unknown = 'i-0123456789abcdef0';
      expect((await rejection(h.provider.describeInstances({ ids: [unknown] }))).code).toBe('NOT_FOUND');
      expect((await rejection(h.provider.terminateInstances([unknown]))).code).toBe('NOT_FOUND');
      expect((await rejection(h.provider.tagInstances([unknown], { a: 'b' }))).code).toBe('NOT_FOUND');
      expect((await rejection(h.provider.describeInstances({ ids: ['not-an-id'] }))).code).toBe('VALIDATION_FAILED');
      expect(await h.provider.describeInstances({ ids: [] })).toEqual([]);
    });

    it('pages spot price history, reporting progress after every page', async () => {
      const q = h.priceQuery;
      const whole = await h.provider.spotPriceHistory(q);
      expect(whole.length).toBeGreaterThanOrEqual(q.minPoints);
      for (const p of whole) {
        expect(q.instanceTypes).toContain(p.instanceType);
        expect(p.availabilityZone).toBe(q.availabilityZone);
        expect(p.priceUsdPerHour).toBeGreaterThan(0);
        expect(p.timestampMs).toBeLessThanOrEqual(q.toMs);
        expect(p.productDescription).toBe('Linux/UNIX');
      }
      // Newest first; at most one point (the price in force at fromMs) before the window per pool.
      const times = whole.map((p) => p.timestampMs);
      expect(times).toEqual([...times].sort((a, b) => b - a));
      expect(whole.filter((p) => p.timestampMs < q.fromMs).length).toBeLessThanOrEqual(q.instanceTypes.length);

      const pageSize = Math.max(1, Math.ceil(whole.length / 3));
      const progress: SpotPricePageProgress[] = [];
      const paged = await h.provider.spotPriceHistory({ ...q, pageSize, onPage: (p) => progress.push(p) });
      expect(paged).toEqual(whole);
      expect(progress.length).toBe(Math.ceil(whole.length / pageSize));
      expect(progress.map((p) => p.page)).toEqual(progress.map((_, i) => i + 1));
      expect(progress.at(-1)).toMatchObject({ pointsSoFar: whole.length, more: false });
      expect(progress.slice(0, -1).every((p) => p.more && p.pointsInPage === pageSize)).toBe(true);

      const none: SpotPricePageProgress[] = [];
      expect(await h.provider.spotPriceHistory({ ...q, instanceTypes: ['m5.large'], productDescription: 'Windows', onPage: (p) => none.push(p) })).toEqual([]);
      expect(none).toEqual([{ page: 1, pointsInPage: 0, pointsSoFar: 0, more: false }]);
      expect((await rejection(h.provider.spotPriceHistory({ ...q, fromMs: q.toMs + 1 }))).code).toBe('VALIDATION_FAILED');
    });
  });
}
