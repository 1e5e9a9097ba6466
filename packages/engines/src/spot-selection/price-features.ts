/**
 * Price features of one pool over a lookback window, from its price steps (a step holds until the next):
 * time-weighted mean and coefficient of variation, trend (last price / mean − 1), number of changes, and the
 * time of the step in force at `now` (for data age). O(steps in the window).
 */

/** Features of a pool's recent spot prices. */
export interface PriceFeatures {
  /** Time-weighted coefficient of variation (σ / μ); 0 for a flat price. */
  cv: number;
  /** Last price / time-weighted mean − 1. */
  trend: number;
  /** Price changes inside the window (steps starting after its start). */
  changeCount: number;
  /** Steps seen (incl. the one in force at the window start). */
  samples: number;
  /** When the price in force at `now` took effect. */
  lastStepMs: number;
}

/**
 * @param steps the pool's steps over [fromMs, toMs], the first being the one in force at `fromMs` (its
 *   `timeMs` may be earlier); unsorted or empty input yields null.
 */
export function priceFeatures(steps: readonly { timeMs: number; usdPerHour: number }[], fromMs: number, toMs: number): PriceFeatures | null {
  const n = steps.length;
  if (n === 0 || toMs <= fromMs) return null;
  let sw = 0;
  let s1 = 0;
  let s2 = 0;
  let changeCount = 0;
  let last = steps[0] as { timeMs: number; usdPerHour: number };
  for (let i = 0; i < n; i++) {
    const s = steps[i] as { timeMs: number; usdPerHour: number };
    if (s.timeMs > toMs) break;
    last = s;
    const start = s.timeMs > fromMs ? s.timeMs : fromMs;
    if (s.timeMs > fromMs) changeCount++;
    const next = i + 1 < n ? (steps[i + 1] as { timeMs: number }).timeMs : toMs;
    const end = next < toMs ? next : toMs;
    const w = end - start;
    if (w <= 0) continue;
    sw += w;
    s1 += w * s.usdPerHour;
    s2 += w * s.usdPerHour * s.usdPerHour;
  }
  if (sw <= 0 || s1 <= 0) return null;
  const mean = s1 / sw;
  const variance = s2 / sw - mean * mean;
  // Relative float error can make a flat series' variance slightly negative.
  const cv = variance > 0 ? Math.sqrt(variance) / mean : 0;
  return { cv, trend: last.usdPerHour / mean - 1, changeCount, samples: n, lastStepMs: last.timeMs };
}
