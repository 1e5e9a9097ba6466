import { describe, expect, it } from 'vitest';
import { bucketMonthlyBand, buildHazardTimeline, constantHazardTimeline, HOURS_PER_MONTH, monthlyFractionToHourlyHazard, sampleBaseMonthlyFraction, type HazardTimeline } from './hazard.ts';
import { inShortage, INTERRUPTION_WARNING_MS, sampleCapacityShortages, simulateInterruptions, type InstanceSpan } from './interruption-process.ts';
import type { RandomSource } from './random.ts';
import type { InterruptionBucket } from '../spot-advisor.ts';

/** mulberry32: a tiny seeded generator for the tests (the engines' Rng is the production one). */
function seeded(seed: number): RandomSource {
  let a = seed >>> 0;
  return {
    next: () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

const H = 3_600_000;
const t0 = Date.UTC(2021, 2, 1);
const month = HOURS_PER_MONTH * H;

function instances(n: number, pool: string, endMs = t0 + month): InstanceSpan[] {
  return Array.from({ length: n }, (_, i) => ({ instanceId: `i-${pool}-${i}`, poolKey: pool, startMs: t0, endMs }));
}

describe('interruption process', () => {
  it('interrupts the fraction of month-long instances that the bucket band says (seeded)', () => {
    const rng = seeded(7);
    for (const bucket of [0, 1, 2, 3, 4] as InterruptionBucket[]) {
      const hazards = new Map<string, HazardTimeline>();
      const spans: InstanceSpan[] = [];
      // 40 pools of the bucket (each with its own base rate inside the band), 250 instances each, flat prices.
      for (let p = 0; p < 40; p++) {
        const key = `b${bucket}-p${p}`;
        const frac = sampleBaseMonthlyFraction(bucket, rng);
        hazards.set(key, buildHazardTimeline({ baseMonthlyFraction: frac, onDemandUsdPerHour: 0.1, steps: [{ timeMs: t0, usdPerHour: 0.035 }], fromMs: t0, toMs: t0 + month }));
        spans.push(...instances(250, key));
      }
      const events = simulateInterruptions(spans, hazards, { t0, t1: t0 + month }, rng, null);
      const warned = new Set(events.filter((e) => e.kind === 'interruption_warning').map((e) => e.instanceId));
      const fraction = warned.size / spans.length;
      const band = bucketMonthlyBand(bucket);
      expect(fraction, `bucket ${bucket}`).toBeGreaterThanOrEqual(band.min - 0.01);
      expect(fraction, `bucket ${bucket}`).toBeLessThanOrEqual(band.max + 0.01);
    }
  });

  it('gives the 2-minute warning before every termination and rebalance recommendations before some', () => {
    const hazards = new Map([['p', constantHazardTimeline(monthlyFractionToHourlyHazard(0.25), t0, t0 + month)]]);
    const events = simulateInterruptions(instances(2000, 'p'), hazards, { t0, t1: t0 + month + H }, seeded(3));
    const byInstance = new Map<string, typeof events>();
    for (const e of events) byInstance.set(e.instanceId, [...(byInstance.get(e.instanceId) ?? []), e]);
    let preceded = 0;
    let interrupted = 0;
    for (const list of byInstance.values()) {
      const warning = list.find((e) => e.kind === 'interruption_warning');
      const termination = list.find((e) => e.kind === 'termination');
      const rebalance = list.find((e) => e.kind === 'rebalance_recommendation');
      if (warning) {
        interrupted++;
        expect(termination?.timeMs).toBe(warning.timeMs + INTERRUPTION_WARNING_MS);
        if (rebalance) {
          expect(rebalance.timeMs).toBeLessThanOrEqual(warning.timeMs);
          preceded++;
        }
      } else expect(termination).toBeUndefined();
    }
    expect(interrupted / 2000).toBeGreaterThan(0.2);
    expect(preceded / interrupted).toBeGreaterThan(0.4);
    expect(preceded / interrupted).toBeLessThan(0.85);
    expect(events.map((e) => e.timeMs)).toEqual([...events.map((e) => e.timeMs)].sort((a, b) => a - b));
  });

  it('same seed → same event log; another seed → another log', () => {
    const hazards = new Map([['p', constantHazardTimeline(monthlyFractionToHourlyHazard(0.15), t0, t0 + month)]]);
    const run = (seed: number) => simulateInterruptions(instances(300, 'p'), hazards, { t0, t1: t0 + month }, seeded(seed));
    expect(run(11)).toEqual(run(11));
    expect(run(11)).not.toEqual(run(12));
  });

  it('samples capacity shortages more often in riskier pools, as non-overlapping windows', () => {
    const count = (frac: number) => {
      let n = 0;
      for (let s = 0; s < 50; s++) {
        const w = sampleCapacityShortages(constantHazardTimeline(monthlyFractionToHourlyHazard(frac), t0, t0 + month), seeded(s));
        for (let i = 1; i < w.length; i++) expect(w[i]!.startMs).toBeGreaterThanOrEqual(w[i - 1]!.endMs);
        if (w[0]) {
          expect(inShortage(w, w[0].startMs)).toBe(true);
          expect(inShortage(w, w[0].startMs - 1)).toBe(false);
        }
        n += w.length;
      }
      return n / 50;
    };
    const safe = count(0.025);
    const risky = count(0.25);
    expect(safe).toBeGreaterThan(0.1);
    expect(safe).toBeLessThan(1.2);
    expect(risky).toBeGreaterThan(3 * safe);
  });
});
