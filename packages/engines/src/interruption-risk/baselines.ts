/**
 * The three baselines the model must beat, fitted on the same training transitions:
 * persistence (the next bucket is the current one), the advisor band's frequency P(next ≥ k | current bucket),
 * and the constant training base rate.
 */
import type { Transition } from './dataset.ts';

export type BaselineName = 'persistence' | 'band_frequency' | 'base_rate';

export interface Baselines {
  /** Probability that the next bucket is ≥ `threshold`, per baseline. */
  predict(name: BaselineName, transition: Pick<Transition, 'bucketNow'>): number;
}

export function fitBaselines(training: readonly Transition[], threshold: number): Baselines {
  const positives = new Float64Array(5);
  const totals = new Float64Array(5);
  let allPositive = 0;
  for (const t of training) {
    const y = t.bucketNext >= threshold ? 1 : 0;
    positives[t.bucketNow] = (positives[t.bucketNow] as number) + y;
    totals[t.bucketNow] = (totals[t.bucketNow] as number) + 1;
    allPositive += y;
  }
  const baseRate = training.length ? allPositive / training.length : 0.5;
  // Laplace-smoothed toward the base rate so an empty band still answers.
  const band = Array.from(positives, (p, b) => (p + baseRate) / ((totals[b] as number) + 1));
  return {
    predict(name, t) {
      if (name === 'persistence') return t.bucketNow >= threshold ? 1 : 0;
      if (name === 'band_frequency') return band[t.bucketNow] as number;
      return baseRate;
    },
  };
}
