import { RationaleSchema } from '@cloudoptim/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { current, DAY, GIB, HOUR, MIB, T0, usage } from './test-fixtures.ts';
import { recommendVpa, VpaContainerState } from './vpa-recommender.ts';

const FIVE_MIN = { sampleIntervalMs: 5 * 60_000 };

describe('recommendVpa — table tests', () => {
  it('constant 500 m / 1 GiB for 8 days → p90 bucket end × 1.15, full confidence', () => {
    const samples = usage(8, () => 500, () => GIB);
    const r = recommendVpa({ containerId: 'c', samples, current: current() }, { ...FIVE_MIN, now: T0 + 8 * DAY });
    expect(r.status).toBe('ok');
    expect(r.cpuRequestMillicores).toBeGreaterThanOrEqual(500 * 1.15);
    expect(r.cpuRequestMillicores).toBeLessThanOrEqual(Math.ceil(500 * 1.05 * 1.15));
    expect(r.memoryRequestBytes).toBeGreaterThanOrEqual(GIB * 1.15);
    expect(r.memoryRequestBytes).toBeLessThanOrEqual(Math.ceil(GIB * 1.05 * 1.15));
    expect(r.confidence).toBeCloseTo(Math.min(1, (8 * DAY - 5 * 60_000) / DAY / 8), 6);
    expect(r.lowerBound.cpuMillicores).toBeLessThanOrEqual(r.cpuRequestMillicores);
    expect(r.upperBound.memoryBytes).toBeGreaterThanOrEqual(r.memoryRequestBytes);
    expect(RationaleSchema.safeParse(r.rationale).success).toBe(true);
  });

  it.each([
    { days: 1, conf: 1 / 8 },
    { days: 3, conf: 3 / 8 },
    { days: 12, conf: 1 },
  ])('confidence grows with history: $days d → ~$conf', ({ days, conf }) => {
    const r = recommendVpa({ containerId: 'c', samples: usage(days, () => 100, () => GIB), current: current() }, { ...FIVE_MIN, now: T0 + days * DAY });
    expect(r.confidence).toBeCloseTo(conf, 2);
  });

  it('upper bound shrinks as history grows: (1 + 1/conf)', () => {
    const short = recommendVpa({ containerId: 'c', samples: usage(1, () => 300, () => GIB), current: current() }, { ...FIVE_MIN, now: T0 + DAY });
    const long = recommendVpa({ containerId: 'c', samples: usage(8, () => 300, () => GIB), current: current() }, { ...FIVE_MIN, now: T0 + 8 * DAY });
    expect(short.upperBound.cpuMillicores).toBeGreaterThan(1.8 * long.upperBound.cpuMillicores / (1 + 1 / 8));
  });

  it('applies the 25 m / 250 MiB floors to tiny usage', () => {
    const r = recommendVpa({ containerId: 'c', samples: usage(2, () => 1, () => 5 * MIB), current: current() }, { ...FIVE_MIN, now: T0 + 2 * DAY });
    expect(r.cpuRequestMillicores).toBe(25);
    expect(r.memoryRequestBytes).toBe(250 * MIB);
  });

  it('OOM bump: the window peak becomes max(×1.2, +100 MiB) of the request it was killed at', () => {
    const samples = usage(1, () => 100, () => 900 * MIB);
    const now = T0 + DAY - HOUR;
    const without = recommendVpa({ containerId: 'c', samples, current: current(1000, GIB) }, { ...FIVE_MIN, now });
    const withOom = recommendVpa({ containerId: 'c', samples, current: current(1000, GIB), oomEvents: [{ timeMs: now - 2 * HOUR, memoryRequestBytes: GIB }] }, { ...FIVE_MIN, now });
    expect(without.memoryRequestBytes).toBeLessThan(GIB * 1.1);
    expect(withOom.memoryRequestBytes).toBeGreaterThanOrEqual(1.2 * GIB * 1.15);
    expect(withOom.rationale.summary).toContain('OOM');
  });

  it('keeps the current limit/request ratio; no limit stays no limit', () => {
    const samples = usage(2, () => 400, () => GIB);
    const a = recommendVpa({ containerId: 'c', samples, current: current(1000, 2 * GIB, true) }, { ...FIVE_MIN, now: T0 + 2 * DAY });
    expect(a.limits.cpuMillicores).toBe(Math.ceil(a.cpuRequestMillicores * 2));
    expect(a.limits.memoryBytes).toBe(Math.ceil(a.memoryRequestBytes * 2));
    const b = recommendVpa({ containerId: 'c', samples, current: current() }, { ...FIVE_MIN, now: T0 + 2 * DAY });
    expect(b.limits).toEqual({ cpuMillicores: null, memoryBytes: null });
  });

  it('no samples before now → no-data value with the current requests', () => {
    const r = recommendVpa({ containerId: 'c', samples: usage(1, () => 1, () => 1, T0 + DAY), current: current(700, GIB) }, { now: T0 });
    expect(r).toMatchObject({ status: 'no-data', cpuRequestMillicores: 700, memoryRequestBytes: GIB, confidence: 0 });
  });

  it('adapts to a step up within days (24 h half-life)', () => {
    const samples = usage(10, (t) => (t < T0 + 7 * DAY ? 200 : 800), () => GIB);
    const r = recommendVpa({ containerId: 'c', samples, current: current() }, { ...FIVE_MIN, now: T0 + 10 * DAY });
    expect(r.cpuRequestMillicores).toBeGreaterThanOrEqual(800 * 1.15);
  });
});

describe('recommendVpa — properties', () => {
  const arb = fc.record({
    cpu: fc.array(fc.double({ min: 0, max: 8000, noNaN: true }), { minLength: 1, maxLength: 40 }),
    mem: fc.array(fc.double({ min: 0, max: 16 * GIB, noNaN: true }), { minLength: 1, maxLength: 40 }),
    days: fc.double({ min: 0.05, max: 6, noNaN: true }),
    ooms: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 3 }),
  });

  it('floors ≤ lower ≤ target ≤ upper, confidence in [0, 1]; incremental state = pure function', () => {
    fc.assert(
      fc.property(arb, ({ cpu, mem, days, ooms }) => {
        const samples = usage(days, (t) => cpu[Math.floor(t / 300_000) % cpu.length] ?? 0, (t) => mem[Math.floor(t / 700_000) % mem.length] ?? 0);
        const now = T0 + Math.ceil(days * DAY);
        const oomEvents = ooms.map((f) => ({ timeMs: T0 + Math.floor(f * days * DAY), memoryRequestBytes: GIB }));
        const input = { containerId: 'c', samples, current: current(), oomEvents };
        const r = recommendVpa(input, { ...FIVE_MIN, now });
        expect(r.cpuRequestMillicores).toBeGreaterThanOrEqual(25);
        expect(r.memoryRequestBytes).toBeGreaterThanOrEqual(250 * MIB);
        expect(r.lowerBound.cpuMillicores).toBeLessThanOrEqual(r.cpuRequestMillicores);
        expect(r.cpuRequestMillicores).toBeLessThanOrEqual(r.upperBound.cpuMillicores);
        expect(r.lowerBound.memoryBytes).toBeLessThanOrEqual(r.memoryRequestBytes);
        expect(r.memoryRequestBytes).toBeLessThanOrEqual(r.upperBound.memoryBytes);
        expect(r.confidence).toBeGreaterThanOrEqual(0);
        expect(r.confidence).toBeLessThanOrEqual(1);
        if (oomEvents.length === 0) {
          const state = new VpaContainerState(FIVE_MIN);
          for (const s of samples) state.addSample(s.timeMs, s.cpuMillicores, s.memoryBytes, 2000);
          expect(state.recommend('c', current(), now)).toEqual(r);
        }
      }),
      { numRuns: 40 },
    );
  });
});
