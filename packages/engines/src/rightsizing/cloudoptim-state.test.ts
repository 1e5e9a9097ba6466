import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recommendCloudOptim } from './cloudoptim-recommender.ts';
import { CloudOptimContainerState } from './cloudoptim-state.ts';
import { current, DAY, GIB, HOUR, MIB, officeHours, T0, usage } from './test-fixtures.ts';
import type { ContainerRightsizing, ContainerUsageSample } from './types.ts';

const factor = (r: ContainerRightsizing, name: string): unknown => r.rationale.factors.find((f) => f.name === name)?.value;

/** Deterministic pseudo-noise in [0, 1) from a time (no Math.random in engines' tests either). */
const noise = (t: number): number => {
  const x = Math.sin(t / 300_000) * 10_000;
  return x - Math.floor(x);
};

function feed(state: CloudOptimContainerState, samples: readonly ContainerUsageSample[], until: number): void {
  for (const s of samples) if (s.timeMs < until) state.addSample(s.timeMs, s.cpuMillicores, s.memoryBytes);
}

describe('CloudOptimContainerState — incremental = from scratch', () => {
  it('gives the same recommendation as recommendCloudOptim at each hourly decision, with OOM kills', () => {
    const samples = usage(9, officeHours(200, 1200), (t) => GIB + noise(t) * 300 * MIB);
    const state = new CloudOptimContainerState();
    const oomEvents = [{ timeMs: T0 + 8 * DAY + 30 * 60_000, memoryRequestBytes: 900 * MIB }];
    let fed = 0;
    for (let now = T0 + 8 * DAY; now <= T0 + 8 * DAY + 5 * HOUR; now += HOUR) {
      for (; fed < samples.length && (samples[fed] as ContainerUsageSample).timeMs < now; fed++) {
        const s = samples[fed] as ContainerUsageSample;
        state.addSample(s.timeMs, s.cpuMillicores, s.memoryBytes);
        if (s.timeMs === (oomEvents[0] as { timeMs: number }).timeMs) state.recordOom(s.timeMs, 900 * MIB);
      }
      const inc = state.recommend('c', current(), now);
      const scratch = recommendCloudOptim({ containerId: 'c', samples, current: current(), oomEvents }, { now });
      expect(inc).toEqual(scratch);
    }
  });

  it('is deterministic: the same inputs give the same output', () => {
    const samples = usage(8, (t) => 100 + noise(t) * 400, (t) => GIB * (1 + noise(t + 7)));
    const run = (): ContainerRightsizing => recommendCloudOptim({ containerId: 'c', samples, current: current() }, { now: T0 + 8 * DAY });
    expect(run()).toEqual(run());
  });
});

describe('CloudOptimContainerState — adaptive memory margin', () => {
  // The margin mechanism at the p90 margin, pinned so that these tests do not move with the tuned default.
  const q = { memoryQuantile: 0.9 };
  it('the margin grows after misses (a few hours with peaks far above the forecast) and is reported', () => {
    const calm = (t: number): number => GIB + noise(t) * 20 * MIB;
    const spiky = (t: number): number => (t >= T0 + 8 * DAY && (t % (3 * HOUR)) < 5 * 60_000 ? 2 * GIB : calm(t));
    const before = recommendCloudOptim({ containerId: 'c', samples: usage(10, () => 100, calm), current: current() }, { now: T0 + 10 * DAY, ...q });
    const after = recommendCloudOptim({ containerId: 'c', samples: usage(10, () => 100, spiky), current: current() }, { now: T0 + 10 * DAY, ...q });
    expect(factor(after, 'memory_margin_bytes') as number).toBeGreaterThan(2 * (factor(before, 'memory_margin_bytes') as number) + 100 * MIB);
    expect(after.memoryRequestBytes).toBeGreaterThan(before.memoryRequestBytes);
  });

  it('a bursty container (misses large against its typical peak) keeps its last-24 h peak', () => {
    // Memory ≈ 500 MiB with a 3 GiB spike every 7 h (not aligned with the day: the profile cannot learn it).
    const mem = (t: number): number => ((t % (7 * HOUR)) < 5 * 60_000 ? 3 * GIB : 500 * MIB + noise(t) * 10 * MIB);
    const now = T0 + 10 * DAY + 3 * HOUR;
    const r = recommendCloudOptim({ containerId: 'c', samples: usage(11, () => 100, mem), current: current() }, { now, ...q });
    expect(factor(r, 'memory_bursty')).toBe(true);
    expect(r.memoryRequestBytes).toBeGreaterThanOrEqual(3 * GIB);
    const calm = recommendCloudOptim({ containerId: 'c', samples: usage(11, () => 100, (t) => 500 * MIB + noise(t) * 10 * MIB), current: current() }, { now, ...q });
    expect(factor(calm, 'memory_bursty')).toBe(false);
    expect(calm.memoryRequestBytes).toBeLessThan(GIB);
  });
});

describe('CloudOptimContainerState — properties', () => {
  it('requests are never below the floors, bounds are ordered, whatever the usage and OOM history', () => {
    const arb = fc.record({
      cpu: fc.array(fc.double({ min: 0, max: 4000, noNaN: true }), { minLength: 1, maxLength: 24 }),
      mem: fc.array(fc.double({ min: 0, max: 8 * GIB, noNaN: true }), { minLength: 1, maxLength: 24 }),
      days: fc.integer({ min: 1, max: 4 }),
      ooms: fc.array(fc.integer({ min: 0, max: 95 }), { maxLength: 4 }),
      floorMib: fc.integer({ min: 1, max: 2048 }),
    });
    fc.assert(
      fc.property(arb, ({ cpu, mem, days, ooms, floorMib }) => {
        const floors = { cpuMillicores: 50, memoryBytes: floorMib * MIB };
        const samples = usage(days + 0.5, (t) => cpu[Math.floor(t / 300_000) % cpu.length] ?? 0, (t) => mem[Math.floor(t / 900_000) % mem.length] ?? 0);
        const state = new CloudOptimContainerState({ floors });
        const start = T0 + days * DAY;
        feed(state, samples, start);
        for (let h = 0; h < 12; h++) {
          const now = start + h * HOUR;
          feed(state, samples.filter((s) => s.timeMs >= now - HOUR), now);
          if (ooms.includes(h)) state.recordOom(now - 60_000, 300 * MIB);
          const r = state.recommend('c', current(), now);
          expect(r.cpuRequestMillicores).toBeGreaterThanOrEqual(floors.cpuMillicores);
          expect(r.memoryRequestBytes).toBeGreaterThanOrEqual(floors.memoryBytes);
          expect(r.lowerBound.memoryBytes).toBeLessThanOrEqual(r.memoryRequestBytes);
          expect(r.memoryRequestBytes).toBeLessThanOrEqual(r.upperBound.memoryBytes);
          expect(r.lowerBound.cpuMillicores).toBeLessThanOrEqual(r.cpuRequestMillicores);
          expect(r.cpuRequestMillicores).toBeLessThanOrEqual(r.upperBound.cpuMillicores);
          expect(r.confidence).toBeGreaterThanOrEqual(0);
          expect(r.confidence).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 15 },
    );
  });
});

describe('CloudOptimContainerState — per-container peak floor, chosen from its own past', () => {
  // Steady small container: ≈ 300 MiB, and once a day (at a drifting hour the daily profile cannot learn) a
  // 5-minute peak of 420 MiB: the forecast misses, a peak floor would have covered it for a few MiB-hours.
  const steady = (t: number): number => ((t % (25 * HOUR)) < 5 * 60_000 ? 420 * MIB : 300 * MIB + noise(t) * 10 * MIB);
  const now = T0 + 12 * DAY;

  it('a steady container whose misses a VPA-like floor would have avoided cheaply gets that floor', () => {
    const samples = usage(12, () => 100, steady);
    const r = recommendCloudOptim({ containerId: 'c', samples, current: current() }, { now });
    const off = recommendCloudOptim({ containerId: 'c', samples, current: current() }, { now, peakFloorMinAvoidedPerGibHour: Number.POSITIVE_INFINITY });
    expect(factor(r, 'memory_peak_floor_chosen')).toBe(true);
    expect(factor(off, 'memory_peak_floor_chosen')).toBe(false);
    // p90 of the last 8 daily peaks (420 MiB) × 1.15.
    expect(r.memoryRequestBytes).toBeGreaterThanOrEqual(Math.floor(420 * MIB * 1.15));
    expect(off.memoryRequestBytes).toBeLessThan(420 * MIB);
    expect(r.rationale.summary).toMatch(/peak floor/);
  });

  it('a container whose forecast never misses (a clean daily cycle) does not pay for the floor', () => {
    const cycle = officeHours(GIB, 6 * GIB);
    const r = recommendCloudOptim({ containerId: 'c', samples: usage(12, () => 100, cycle), current: current() }, { now: now + 3 * HOUR });
    expect(factor(r, 'memory_peak_floor_chosen')).toBe(false);
    expect(r.memoryRequestBytes).toBeLessThan(2 * GIB);
  });

  it('the choice is walk-forward: samples at or after the decision time change nothing', () => {
    const samples = usage(12, () => 100, steady);
    const later = usage(3, () => 100, () => 5 * GIB, now);
    const a = recommendCloudOptim({ containerId: 'c', samples, current: current() }, { now });
    const b = recommendCloudOptim({ containerId: 'c', samples: [...samples, ...later], current: current() }, { now });
    expect(b).toEqual(a);
  });
});
