/** Small robust-statistics helpers shared by the forecaster and the rightsizer. */

/**
 * Weighted quantile (`q` in [0, 1]) of `values` with non-negative `weights`: the smallest value whose
 * cumulative weight reaches `q` of the total (lower weighted quantile; no interpolation, so the result is
 * always one of the values). NaN for no positive weight. O(n log n).
 */
export function weightedQuantile(values: readonly number[], weights: readonly number[], q: number): number {
  const idx: number[] = [];
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const w = weights[i] ?? 0;
    if (w > 0 && Number.isFinite(values[i])) {
      idx.push(i);
      total += w;
    }
  }
  if (total <= 0) return Number.NaN;
  idx.sort((a, b) => (values[a] as number) - (values[b] as number));
  const threshold = q * total;
  let acc = 0;
  for (const i of idx) {
    acc += weights[i] as number;
    // A relative tolerance so q = 1 with rounding errors still returns the max, not NaN.
    if (acc >= threshold - 1e-12 * total) return values[i] as number;
  }
  return values[idx[idx.length - 1] as number] as number;
}

/** Unweighted quantile (same definition as `weightedQuantile` with unit weights). */
export function quantile(values: readonly number[], q: number): number {
  return weightedQuantile(values, values.map(() => 1), q);
}

/** Median absolute deviation from the median (unscaled). NaN for an empty input. */
export function medianAbsoluteDeviation(values: readonly number[]): number {
  const m = quantile(values, 0.5);
  return quantile(
    values.map((v) => Math.abs(v - m)),
    0.5,
  );
}
