/**
 * Resampling of irregular usage samples onto a fixed grid of steps that ends exactly at `endMs`, so the last
 * step is complete and nothing at or after `endMs` is read (walk-forward evaluation relies on this).
 */

/** One usage observation. */
export interface UsagePoint {
  /** Epoch ms (UTC). */
  timeMs: number;
  /** Usage in any unit (millicores, bytes…); finite, ≥ 0 expected. */
  value: number;
}

/** How samples inside a step are combined: their mean (average usage) or their max (peak usage). */
export type StepAggregate = 'mean' | 'max';

/** A fixed grid of steps; `values[i]` covers `[startMs + i·stepMs, startMs + (i+1)·stepMs)`; NaN = no sample. */
export interface StepGrid {
  startMs: number;
  stepMs: number;
  values: Float64Array;
}

/** First index in `points` (sorted by time) whose time is ≥ `t`. */
export function lowerBoundByTime(points: readonly { timeMs: number }[], t: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((points[mid] as { timeMs: number }).timeMs < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Aggregates the points with `endMs − steps·stepMs ≤ timeMs < endMs` into `steps` steps. Points must be
 * sorted by time. O(log n + points in range).
 */
export function resampleToGrid(points: readonly UsagePoint[], endMs: number, stepMs: number, steps: number, aggregate: StepAggregate): StepGrid {
  const startMs = endMs - steps * stepMs;
  const sums = new Float64Array(steps);
  const counts = new Float64Array(steps);
  const values = new Float64Array(steps).fill(Number.NaN);
  for (let i = lowerBoundByTime(points, startMs); i < points.length; i++) {
    const p = points[i] as UsagePoint;
    if (p.timeMs >= endMs) break;
    const k = Math.floor((p.timeMs - startMs) / stepMs);
    if (aggregate === 'max') {
      if (!(values[k]! >= p.value)) values[k] = p.value;
    } else {
      sums[k]! += p.value;
      counts[k]! += 1;
    }
  }
  if (aggregate === 'mean') for (let k = 0; k < steps; k++) if (counts[k]! > 0) values[k] = sums[k]! / counts[k]!;
  return { startMs, stepMs, values };
}
