import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  bucketMonthlyBand,
  buildHazardTimeline,
  cumulativeHazardAt,
  hazardAt,
  HOURS_PER_MONTH,
  hourlyHazardToMonthlyFraction,
  monthlyFractionToHourlyHazard,
  priceRatioMultiplier,
  timeAtCumulativeHazard,
} from './hazard.ts';
import type { InterruptionBucket } from '../spot-advisor.ts';

const H = 3_600_000;

describe('bucket → hourly hazard', () => {
  it('maps a monthly fraction to λ = −ln(1 − p)/730 and back', () => {
    expect(monthlyFractionToHourlyHazard(0.075)).toBeCloseTo(-Math.log(0.925) / 730, 12);
    expect(hourlyHazardToMonthlyFraction(monthlyFractionToHourlyHazard(0.175))).toBeCloseTo(0.175, 12);
    expect(monthlyFractionToHourlyHazard(0)).toBe(0);
    expect(() => monthlyFractionToHourlyHazard(1)).toThrow(RangeError);
  });

  it('is monotone in the bucket: every band lies above the previous one', () => {
    for (let b = 1; b <= 4; b++) {
      const lo = bucketMonthlyBand((b - 1) as InterruptionBucket);
      const hi = bucketMonthlyBand(b as InterruptionBucket);
      expect(hi.min).toBeGreaterThanOrEqual(lo.max);
      expect(monthlyFractionToHourlyHazard(hi.min)).toBeGreaterThanOrEqual(monthlyFractionToHourlyHazard(lo.max));
    }
    expect(bucketMonthlyBand(4)).toEqual({ min: 0.2, max: 0.3 });
  });
});

describe('price multiplier', () => {
  it('is 1 in the normal regime and ×4 at price parity', () => {
    expect(priceRatioMultiplier(0.04, 0.1)).toBe(1);
    expect(priceRatioMultiplier(0.06, 0.1)).toBeCloseTo(1, 12);
    expect(priceRatioMultiplier(0.1, 0.1)).toBeCloseTo(4, 12);
  });

  it('is monotone non-decreasing in the spot/on-demand ratio (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 2, noNaN: true }), fc.double({ min: 0.001, max: 2, noNaN: true }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        return priceRatioMultiplier(lo, 1) <= priceRatioMultiplier(hi, 1);
      }),
    );
  });
});

describe('hazard timeline', () => {
  const base = 0.1;
  const t0 = Date.UTC(2021, 2, 1);
  const steps = [
    { timeMs: t0 - H, usdPerHour: 0.03 },
    { timeMs: t0 + 10 * H, usdPerHour: 0.09 }, // ratio 0.9 and a +200% jump
    { timeMs: t0 + 30 * H, usdPerHour: 0.03 },
  ];
  const h = buildHazardTimeline({ baseMonthlyFraction: base, onDemandUsdPerHour: 0.1, steps, fromMs: t0, toMs: t0 + 100 * H });
  const lambda = monthlyFractionToHourlyHazard(base);

  it('is the base rate at a normal price, raised by the price level and a jump, and back after', () => {
    expect(hazardAt(h, t0 + H)).toBeCloseTo(lambda, 15);
    // ratio 0.9 → 1 + 3·0.3/0.4 = 3.25; jump +200% → ×3 for 6 h; capped at 10.
    expect(hazardAt(h, t0 + 11 * H)).toBeCloseTo(lambda * 9.75, 15);
    expect(hazardAt(h, t0 + 17 * H)).toBeCloseTo(lambda * 3.25, 15);
    expect(hazardAt(h, t0 + 31 * H)).toBeCloseTo(lambda, 15);
  });

  it('integrates the rate and inverts the integral', () => {
    const expected = lambda * (10 + 6 * 9.75 + 14 * 3.25 + 70);
    expect(cumulativeHazardAt(h, t0 + 100 * H)).toBeCloseTo(expected, 12);
    fc.assert(
      fc.property(fc.double({ min: 0, max: 0.999, noNaN: true }), (f) => {
        const target = f * expected;
        const t = timeAtCumulativeHazard(h, target);
        return t !== undefined && Math.abs(cumulativeHazardAt(h, t) - target) < 1e-9;
      }),
    );
    expect(timeAtCumulativeHazard(h, expected * 1.01)).toBeUndefined();
  });

  it('a higher-bucket pool never has a lower hazard at the same prices', () => {
    const lo = buildHazardTimeline({ baseMonthlyFraction: 0.04, onDemandUsdPerHour: 0.1, steps, fromMs: t0, toMs: t0 + 100 * H });
    for (const t of [t0, t0 + 12 * H, t0 + 20 * H, t0 + 50 * H]) expect(hazardAt(h, t)).toBeGreaterThan(hazardAt(lo, t));
    expect(HOURS_PER_MONTH).toBe(730);
  });
});
