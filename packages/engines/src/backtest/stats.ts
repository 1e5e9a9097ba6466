/** Summary statistics across seeds. */
export interface SeedStat {
  mean: number;
  /** Sample standard deviation (0 for one seed). */
  std: number;
  min: number;
  max: number;
}

export function seedStat(values: readonly number[]): SeedStat {
  const n = values.length;
  if (!n) return { mean: NaN, std: NaN, min: NaN, max: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance), min: Math.min(...values), max: Math.max(...values) };
}
