import { RationaleSchema } from '@cloudoptim/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recommendCloudOptim } from './cloudoptim-recommender.ts';
import { current, DAY, GIB, HOUR, MIB, officeHours, T0, usage } from './test-fixtures.ts';
import { recommendVpa } from './vpa-recommender.ts';

describe('recommendCloudOptim — golden scenarios', () => {
  // 14 days of office-hours load: 200 m / 1 GiB at night, 1500 m / 3 GiB from 08:00 to 18:00 UTC.
  const samples = usage(14, officeHours(200, 1500), officeHours(GIB, 3 * GIB));
  const input = { containerId: 'web', samples, current: current(4000, 8 * GIB) };

  it('asks for less at night than during office hours (forecast-aware), enough for both', () => {
    const night = recommendCloudOptim(input, { now: T0 + 14 * DAY + 1 * HOUR });
    const day = recommendCloudOptim(input, { now: T0 + 14 * DAY + 10 * HOUR });
    expect(night.cpuRequestMillicores).toBeLessThan(400);
    expect(day.cpuRequestMillicores).toBeGreaterThanOrEqual(1500);
    expect(night.memoryRequestBytes).toBeLessThan(1.5 * GIB);
    expect(day.memoryRequestBytes).toBeGreaterThanOrEqual(3 * GIB);
    expect(night.confidence).toBeGreaterThan(0.9);
    expect(RationaleSchema.safeParse(day.rationale).success).toBe(true);
  });

  it('a recommendation that must hold 24 h covers the daily peak', () => {
    const r = recommendCloudOptim(input, { now: T0 + 14 * DAY + 1 * HOUR, horizonMs: DAY });
    expect(r.cpuRequestMillicores).toBeGreaterThanOrEqual(1500);
    expect(r.memoryRequestBytes).toBeGreaterThanOrEqual(3 * GIB);
  });

  it('beats VPA on slack for the same workload (VPA must cover the day peak all day)', () => {
    const vpa = recommendVpa(input, { now: T0 + 14 * DAY + 1 * HOUR, sampleIntervalMs: 300_000 });
    const co = recommendCloudOptim(input, { now: T0 + 14 * DAY + 1 * HOUR });
    expect(co.memoryRequestBytes).toBeLessThan(vpa.memoryRequestBytes / 2);
  });

  it('follows a change point within the hour: memory never below the last hour peak', () => {
    const now = T0 + 10 * DAY + 3 * HOUR;
    const s = usage(10.125, () => 300, (t) => (t >= now - 30 * 60_000 ? 5 * GIB : GIB));
    const r = recommendCloudOptim({ containerId: 'c', samples: s, current: current() }, { now });
    expect(r.memoryRequestBytes).toBeGreaterThanOrEqual(5 * GIB);
  });

  it('after an OOM kill: memory ≥ max(1.2 ×, +100 MiB) of the request it was killed at, for 3 h', () => {
    const s = usage(8, () => 100, () => 600 * MIB);
    const now = T0 + 8 * DAY;
    const oomEvents = [{ timeMs: now - 2 * HOUR, memoryRequestBytes: 700 * MIB }];
    const r = recommendCloudOptim({ containerId: 'c', samples: s, current: current(), oomEvents }, { now });
    expect(r.memoryRequestBytes).toBeGreaterThanOrEqual(840 * MIB);
    const later = recommendCloudOptim({ containerId: 'c', samples: s, current: current(), oomEvents }, { now: now + DAY });
    expect(later.memoryRequestBytes).toBeLessThan(840 * MIB);
  });
});

describe('recommendCloudOptim — table tests', () => {
  it.each([
    { days: 0.5, method: 'percentile-fallback', maxConf: 0.1 },
    { days: 2, method: 'seasonal-forecast', maxConf: 2 / 7 },
    { days: 10, method: 'seasonal-forecast', maxConf: 1 },
  ])('$days d of history → $method, confidence ≤ $maxConf', ({ days, method, maxConf }) => {
    const s = usage(days, officeHours(100, 400), () => GIB);
    const r = recommendCloudOptim({ containerId: 'c', samples: s, current: current() }, { now: T0 + days * DAY });
    expect(r.rationale.factors.find((f) => f.name === 'method')?.value).toBe(method);
    expect(r.confidence).toBeGreaterThan(0);
    expect(r.confidence).toBeLessThanOrEqual(maxConf + 1e-9);
  });

  it('no samples → no-data', () => {
    expect(recommendCloudOptim({ containerId: 'c', samples: [], current: current(10, MIB) }, { now: T0 })).toMatchObject({ status: 'no-data', cpuRequestMillicores: 10, confidence: 0 });
  });

  it('no CPU limit; memory limit = upper bound ≥ request', () => {
    const r = recommendCloudOptim({ containerId: 'c', samples: usage(3, () => 500, () => GIB), current: current(1000, GIB, true) }, { now: T0 + 3 * DAY });
    expect(r.limits.cpuMillicores).toBeNull();
    expect(r.limits.memoryBytes).toBe(r.upperBound.memoryBytes);
    expect(r.limits.memoryBytes).toBeGreaterThanOrEqual(r.memoryRequestBytes);
  });
});

describe('recommendCloudOptim — properties', () => {
  const arb = fc.record({
    cpu: fc.array(fc.double({ min: 0, max: 8000, noNaN: true }), { minLength: 1, maxLength: 30 }),
    mem: fc.array(fc.double({ min: 0, max: 16 * GIB, noNaN: true }), { minLength: 1, maxLength: 30 }),
    days: fc.double({ min: 0.05, max: 4, noNaN: true }),
    horizonH: fc.integer({ min: 1, max: 24 }),
    future: fc.double({ min: 0, max: 64 * GIB, noNaN: true }),
  });

  it('floors, bounds, memory ≥ last-hour peak, confidence in [0, 1]; never reads the future', () => {
    fc.assert(
      fc.property(arb, ({ cpu, mem, days, horizonH, future }) => {
        const total = days + 1;
        const samples = usage(total, (t) => cpu[Math.floor(t / 300_000) % cpu.length] ?? 0, (t) => mem[Math.floor(t / 900_000) % mem.length] ?? 0);
        const now = T0 + Math.round((days * DAY) / 300_000) * 300_000;
        const opts = { now, horizonMs: horizonH * HOUR };
        const r = recommendCloudOptim({ containerId: 'c', samples, current: current() }, opts);
        expect(r.cpuRequestMillicores).toBeGreaterThanOrEqual(25);
        expect(r.memoryRequestBytes).toBeGreaterThanOrEqual(250 * MIB);
        expect(r.lowerBound.cpuMillicores).toBeLessThanOrEqual(r.cpuRequestMillicores);
        expect(r.cpuRequestMillicores).toBeLessThanOrEqual(r.upperBound.cpuMillicores);
        expect(r.lowerBound.memoryBytes).toBeLessThanOrEqual(r.memoryRequestBytes);
        expect(r.memoryRequestBytes).toBeLessThanOrEqual(r.upperBound.memoryBytes);
        expect(r.confidence).toBeGreaterThanOrEqual(0);
        expect(r.confidence).toBeLessThanOrEqual(1);
        const lastHourPeak = Math.max(0, ...samples.filter((s) => s.timeMs < now && s.timeMs >= now - HOUR).map((s) => s.memoryBytes));
        expect(r.memoryRequestBytes).toBeGreaterThanOrEqual(lastHourPeak);
        const changed = samples.map((s) => (s.timeMs >= now ? { ...s, cpuMillicores: future / 1e6, memoryBytes: future } : s));
        expect(recommendCloudOptim({ containerId: 'c', samples: changed, current: current() }, opts)).toEqual(r);
      }),
      { numRuns: 25 },
    );
  });
});
