import { AppError } from '@cloudoptim/contracts';
import { ManualClock } from '@cloudoptim/runtime';
import { describe, expect, it } from 'vitest';
import { cloudProviderContract } from './cloud-provider.contract.ts';
import type { SpotPricePoint } from './cloud-provider.ts';
import { FakeCloudProvider } from './fake-cloud-provider.ts';

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

/** Price changes every 6 h for 10 days before T0 in two pools. */
function prices(): SpotPricePoint[] {
  const out: SpotPricePoint[] = [];
  for (let k = 0; k < 40; k++) {
    for (const [az, type, base] of [['us-east-1a', 'm5.large', 0.04], ['us-east-1b', 'm5.large', 0.05]] as const) {
      out.push({ instanceType: type, availabilityZone: az, productDescription: 'Linux/UNIX', priceUsdPerHour: base + (k % 5) / 1000, timestampMs: T0 - k * 6 * HOUR });
    }
  }
  return out;
}

cloudProviderContract('FakeCloudProvider', async () => {
  const clock = new ManualClock(T0);
  const provider = new FakeCloudProvider({ clock, spotPrices: prices() });
  return {
    provider,
    nowMs: () => clock.now(),
    forceShortage: (az, type, untilMs) => provider.forceShortage(az, type, untilMs),
    zones: ['us-east-1a', 'us-east-1b'],
    instanceType: 'm5.large',
    priceQuery: { instanceTypes: ['m5.large'], availabilityZone: 'us-east-1a', fromMs: T0 - 3 * 24 * HOUR + 1, toMs: T0, minPoints: 10 },
    boot: async () => provider.settle(),
    close: async () => {},
  };
});

describe('FakeCloudProvider (test controls)', () => {
  it('records every call with its input', async () => {
    const fake = new FakeCloudProvider();
    const out = await fake.launchCapacity({ pools: [{ instanceType: 'c5.large', availabilityZone: 'us-east-1c' }], capacityType: 'on-demand', count: 1, tags: { team: 'a' }, clientToken: 't1' });
    await fake.terminateInstances(out.instances.map((i) => i.instanceId));
    expect(fake.calls.map((c) => c.method)).toEqual(['launchCapacity', 'terminateInstances']);
    expect(fake.callsOf('launchCapacity')).toEqual([expect.objectContaining({ clientToken: 't1', count: 1 })]);
    expect(fake.callsOf('terminateInstances')).toEqual([[out.instances[0]?.instanceId]]);
  });

  it('fails the next call of a method with an injected AppError, once', async () => {
    const fake = new FakeCloudProvider();
    fake.failNext('availabilityZones', new AppError('RATE_LIMITED', 'throttled'));
    await expect(fake.availabilityZones()).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect((await fake.availabilityZones()).map((z) => z.zoneId)).toEqual(['use1-az1', 'use1-az2', 'use1-az3']);
  });

  it('moves instances through their states: settle() boots and finishes terminations', async () => {
    const fake = new FakeCloudProvider();
    const { instances } = await fake.launchCapacity({ pools: [{ instanceType: 'm5.large', availabilityZone: 'us-east-1a' }], capacityType: 'spot', count: 2, tags: {}, clientToken: 't' });
    const [a, b] = instances.map((i) => i.instanceId) as [string, string];
    fake.settle();
    await fake.terminateInstances([a]);
    expect(fake.list().map((i) => i.state)).toEqual(['shutting-down', 'running']);
    fake.settle();
    fake.setState(b, 'stopped');
    expect(fake.list().map((i) => i.state)).toEqual(['terminated', 'stopped']);
  });

  it('a shortage ends at its time; diversified spreads over the pools with capacity', async () => {
    const clock = new ManualClock(T0);
    const fake = new FakeCloudProvider({ clock });
    fake.forceShortage('us-east-1a', 'm5.large', T0 + HOUR);
    const pools = ['us-east-1a', 'us-east-1b', 'us-east-1c'].map((availabilityZone) => ({ instanceType: 'm5.large', availabilityZone }));
    const out = await fake.launchCapacity({ pools, capacityType: 'spot', count: 4, allocationStrategy: 'diversified', tags: {}, clientToken: 'd1' });
    expect(out.instances.map((i) => i.availabilityZone)).toEqual(['us-east-1b', 'us-east-1c', 'us-east-1b', 'us-east-1c']);
    expect(out.errors.map((e) => e.availabilityZone)).toEqual(['us-east-1a']);
    await clock.advance(HOUR);
    const later = await fake.launchCapacity({ pools: [pools[0] as (typeof pools)[0]], capacityType: 'spot', count: 1, tags: {}, clientToken: 'd2' });
    expect(later.errors).toEqual([]);
  });
});
