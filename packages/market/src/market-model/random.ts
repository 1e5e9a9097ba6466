/**
 * The one thing the market model needs from a random number generator. The engines' seeded `Rng`
 * (xoshiro128**) satisfies it; the market package cannot import engines, so the interface lives here.
 */
export interface RandomSource {
  /** Uniform in [0, 1). */
  next(): number;
}

/** Exp(1) draw by inversion; `1 - u` keeps the argument of the log in (0, 1]. */
export function unitExponential(rng: RandomSource): number {
  return -Math.log(1 - rng.next());
}
