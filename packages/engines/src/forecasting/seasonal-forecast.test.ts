import { isAppError } from '@cloudoptim/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backtestForecast } from './backtest-forecast.ts';
import type { UsagePoint } from './resample.ts';
import { DAY_MS, forecastUsage, HOUR_MS } from './seasonal-forecast.ts';

const T0 = Date.UTC(2024, 0, 1); // a Monday
const STEP5 = 5 * 60_000;

/** 5-minute samples over `days` days of `f(timeMs)`. */
function series(days: number, f: (t: number) => number, start = T0): UsagePoint[] {
  const out: UsagePoint[] = [];
  for (let t = start; t < start + days * DAY_MS; t += STEP5) out.push({ timeMs: t, value: f(t) });
  return out;
}
/** Office-hours shape: 100 at night, 500 from 08:00 to 18:00 UTC. */
const officeHours = (t: number): number => {
  const h = ((t % DAY_MS) + DAY_MS) % DAY_MS / HOUR_MS;
  return h >= 8 && h < 18 ? 500 : 100;
};

describe('forecastUsage — golden scenarios', () => {
  it('repeats a clean daily pattern exactly (next 24 h)', () => {
    const s = series(14, officeHours);
    const now = T0 + 14 * DAY_MS;
    const f = forecastUsage(s, { horizonSteps: 24, stepMs: HOUR_MS, now });
    expect(f.method).toBe('seasonal');
    expect(f.points).toHaveLength(24);
    f.points.forEach((p, h) => {
      expect(p.timeMs).toBe(now + h * HOUR_MS);
      expect(p.value).toBeCloseTo(officeHours(p.timeMs), 6);
    });
    expect(f.fitWape).toBeCloseTo(0, 9);
    expect(f.fitted.length).toBe(7 * 24);
  });

  it('moves with a level shift in the last hours, and the shift fades with the horizon', () => {
    const now = T0 + 14 * DAY_MS;
    const s = series(14, (t) => officeHours(t) + (t >= now - 3 * HOUR_MS ? 200 : 0));
    const f = forecastUsage(s, { horizonSteps: 24, stepMs: HOUR_MS, now });
    expect(f.level).toBeCloseTo(200, 6);
    const first = f.points[0];
    const last = f.points[23];
    expect((first?.value ?? 0) - (first?.seasonal ?? 0)).toBeCloseTo(200, 6);
    expect((last?.value ?? 0) - (last?.seasonal ?? 0)).toBeLessThan(20);
  });

  it('learns a weekend dip from past weeks', () => {
    // Weekdays as officeHours, Saturday and Sunday flat at 50 (2024-01-01 is a Monday).
    const weekly = (t: number): number => (Math.floor((t - T0) / DAY_MS) % 7 >= 5 ? 50 : officeHours(t));
    const now = T0 + 26 * DAY_MS; // Saturday 00:00 of week 4
    const f = forecastUsage(series(26, weekly), { horizonSteps: 24, stepMs: HOUR_MS, now });
    const without = forecastUsage(series(26, weekly), { horizonSteps: 24, stepMs: HOUR_MS, now, minWeeksForWeekly: 99 });
    expect(f.weeklyUsed).toBe(true);
    expect(without.weeklyUsed).toBe(false);
    // The effect is a whole-day level shift (shrunk with 3 weeks to 3/4): the weekday/weekend mean gap is ~217.
    const mean = (xs: { value: number }[]): number => xs.reduce((a, p) => a + p.value, 0) / xs.length;
    expect(mean(without.points) - mean(f.points)).toBeGreaterThan(100);
  });

  it('beats same-time-yesterday on a noisy daily pattern (walk-forward)', () => {
    let x = 7;
    const noise = (): number => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5) * 200;
    const s = series(14, (t) => officeHours(t) + noise());
    const r = backtestForecast(s, { stepMs: HOUR_MS, horizonsSteps: [1, 24], firstOriginMs: T0 + 7 * DAY_MS, originEveryMs: 3 * HOUR_MS });
    for (const h of r.horizons) expect(h.model.wape ?? 1).toBeLessThan(h.sameTimeYesterday.wape ?? 0);
  });
});

describe('forecastUsage — table tests', () => {
  it.each([
    { name: 'no samples', s: [] as UsagePoint[], method: 'no-data', points: 0 },
    { name: 'only samples after now', s: series(1, () => 5, T0 + DAY_MS), method: 'no-data', points: 0 },
    { name: '12 h of history → persistence', s: series(0.5, () => 40), method: 'persistence', points: 6 },
    { name: '3 days → seasonal', s: series(3, officeHours), method: 'seasonal', points: 6 },
  ])('$name', ({ s, method, points }) => {
    const now = T0 + (method === 'persistence' ? 0.5 : method === 'seasonal' ? 3 : 1) * DAY_MS;
    const f = forecastUsage(s, { horizonSteps: 6, stepMs: HOUR_MS, now });
    expect(f.method).toBe(method);
    expect(f.points).toHaveLength(points);
    expect(f.rationale.summary.length).toBeGreaterThan(0);
    if (method === 'persistence') expect(f.points[0]?.value).toBeCloseTo(40, 9);
  });

  it.each([
    [{ horizonSteps: 0, stepMs: HOUR_MS }, 'horizonSteps'],
    [{ horizonSteps: 1.5, stepMs: HOUR_MS }, 'horizonSteps'],
    [{ horizonSteps: 3, stepMs: 7 * 60_000 }, 'stepMs'],
  ])('rejects %j (VALIDATION_FAILED on %s)', (opts, path) => {
    try {
      forecastUsage([], { ...opts, now: T0 });
      expect.unreachable();
    } catch (err) {
      expect(isAppError(err) && err.code).toBe('VALIDATION_FAILED');
      expect(String((err as Error).message)).toContain(path);
    }
  });

  it('aggregate max forecasts the hourly peak', () => {
    const spiky = (t: number): number => (Math.floor(t / STEP5) % 12 === 0 ? 900 : 100);
    const f = forecastUsage(series(8, spiky), { horizonSteps: 2, stepMs: HOUR_MS, now: T0 + 8 * DAY_MS, aggregate: 'max' });
    expect(f.points[0]?.value).toBeCloseTo(900, 6);
  });
});

describe('forecastUsage — properties', () => {
  const arb = fc.record({
    days: fc.integer({ min: 0, max: 9 }),
    values: fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 24, maxLength: 24 }),
    noise: fc.array(fc.double({ min: 0, max: 1e5, noNaN: true }), { minLength: 7, maxLength: 7 }),
    horizon: fc.integer({ min: 1, max: 30 }),
    cut: fc.double({ min: 0.1, max: 10, noNaN: true }),
  });

  it('0 ≤ lower ≤ value ≤ upper, finite, one point per step from now', () => {
    fc.assert(
      fc.property(arb, ({ days, values, noise, horizon, cut }) => {
        const s = series(days + 0.5, (t) => (values[Math.floor((t % DAY_MS) / HOUR_MS)] ?? 0) + (noise[Math.floor(t / STEP5) % 7] ?? 0));
        const now = T0 + Math.round(cut * DAY_MS / HOUR_MS) * HOUR_MS;
        const f = forecastUsage(s, { horizonSteps: horizon, stepMs: HOUR_MS, now });
        if (f.method === 'no-data') return;
        expect(f.points).toHaveLength(horizon);
        f.points.forEach((p, h) => {
          expect(p.timeMs).toBe(now + h * HOUR_MS);
          expect(Number.isFinite(p.value) && Number.isFinite(p.lower) && Number.isFinite(p.upper)).toBe(true);
          expect(p.lower).toBeGreaterThanOrEqual(0);
          expect(p.lower).toBeLessThanOrEqual(p.value + 1e-9);
          expect(p.value).toBeLessThanOrEqual(p.upper + 1e-9);
        });
      }),
      { numRuns: 40 },
    );
  });

  it('never reads samples at or after now', () => {
    fc.assert(
      fc.property(arb, fc.double({ min: 0, max: 1e7, noNaN: true }), ({ days, values, horizon, cut }, future) => {
        const base = series(days + 1, (t) => values[Math.floor((t % DAY_MS) / HOUR_MS)] ?? 0);
        const now = T0 + Math.round(cut * DAY_MS / HOUR_MS) * HOUR_MS;
        const changed = base.map((p) => (p.timeMs >= now ? { timeMs: p.timeMs, value: future } : p));
        const a = forecastUsage(base, { horizonSteps: horizon, stepMs: HOUR_MS, now });
        const b = forecastUsage(changed, { horizonSteps: horizon, stepMs: HOUR_MS, now });
        expect(b.points).toEqual(a.points);
      }),
      { numRuns: 30 },
    );
  });
});
