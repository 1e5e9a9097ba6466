import { describe, expect, it } from 'vitest';
import { currentRate, integrate, series, sumSeries, type RateSample } from './savings-math.ts';

const H = 3600_000;
const T0 = Date.UTC(2026, 0, 1);
const s = (hours: number, cost: number, baseline: number): RateSample => ({ at: new Date(T0 + hours * H), costPerHour: cost, baselinePerHour: baseline });

describe('savings math', () => {
  it('integrates each sample’s rate until the next one', () => {
    const samples = [s(0, 1, 3), s(1, 2, 3), s(2, 0.5, 1)];
    expect(integrate(samples, T0, T0 + 3 * H)).toEqual({ cost: 3.5, baseline: 7, savings: 3.5, coveredHours: 3 });
    // A window starting inside a hold counts the held part only.
    expect(integrate(samples, T0 + 0.5 * H, T0 + 1.5 * H)).toEqual({ cost: 1.5, baseline: 3, savings: 1.5, coveredHours: 1 });
  });

  it('does not let a rate hold across a gap longer than the limit (no data is not money)', () => {
    const samples = [s(0, 1, 2), s(10, 1, 2)];
    expect(integrate(samples, T0, T0 + 11 * H, 2 * H)).toEqual({ cost: 3, baseline: 6, savings: 3, coveredHours: 3 });
  });

  it('buckets a window into a series and adds series of several clusters', () => {
    const a = series([s(0, 1, 2)], T0, T0 + 2 * H, H);
    expect(a.map((p) => [p.at.getTime() - T0, p.cost, p.savings])).toEqual([
      [0, 1, 1],
      [H, 1, 1],
    ]);
    const b = series([s(1, 0.25, 1)], T0, T0 + 2 * H, H);
    expect(sumSeries([a, b], T0, T0 + 2 * H, H).map((p) => [p.cost, p.baseline, p.savings])).toEqual([
      [1, 2, 1],
      [1.25, 3, 1.75],
    ]);
    expect(series([], T0, T0 + 2.5 * H, H)).toHaveLength(3);
  });

  it('gives the rate now only while the newest sample still holds', () => {
    expect(currentRate([s(0, 1, 2), s(1, 0.4, 2)], T0 + 2 * H)).toEqual({ costPerHour: 0.4, baselinePerHour: 2, asOf: new Date(T0 + H) });
    expect(currentRate([s(0, 1, 2)], T0 + 3 * H)).toEqual({ costPerHour: 0, baselinePerHour: 0, asOf: new Date(T0) });
    expect(currentRate([], T0)).toEqual({ costPerHour: 0, baselinePerHour: 0, asOf: null });
  });
});
