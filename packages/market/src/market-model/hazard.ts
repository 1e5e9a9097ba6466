/**
 * Interruption hazard of a Spot pool (instance type × AZ): a piecewise-constant rate per instance-hour,
 * calibrated to the pool's Spot Advisor bucket and raised when the pool's price nears on-demand or jumps.
 * See ./index.ts for the assumptions and their justification.
 */
import { INTERRUPTION_BUCKETS, type InterruptionBucket } from '../spot-advisor.ts';
import type { PriceStep } from '../spot-price-history.ts';
import type { RandomSource } from './random.ts';

/** Hours in an average month (8,766 h / 12 ≈ 730), the horizon of Spot Advisor's "frequency of interruption". */
export const HOURS_PER_MONTH = 730;
const MS_PER_HOUR = 3_600_000;

/**
 * The band of monthly interruption fractions each bucket stands for. The open `>20%` bucket is closed at 30% so
 * its midpoint (25%) is the one `INTERRUPTION_BUCKETS` already assumes.
 */
export const BUCKET_MONTHLY_BANDS: readonly { readonly bucket: InterruptionBucket; readonly min: number; readonly max: number }[] = Object.freeze(
  INTERRUPTION_BUCKETS.map((b) => Object.freeze({ bucket: b.bucket, min: b.minRate, max: b.maxRate ?? 0.3 })),
);

/** The [min, max] monthly interruption fraction of a bucket. */
export function bucketMonthlyBand(bucket: InterruptionBucket): { min: number; max: number } {
  const band = BUCKET_MONTHLY_BANDS[bucket];
  if (!band) throw new RangeError(`interruption bucket ${String(bucket)} is not 0..4`);
  return { min: band.min, max: band.max };
}

/**
 * Converts "fraction p of instances interrupted within a month" into a constant hourly hazard λ such that an
 * instance running a whole month is interrupted with probability p: 1 − e^(−λ·730) = p ⇒ λ = −ln(1 − p)/730.
 */
export function monthlyFractionToHourlyHazard(monthlyFraction: number): number {
  if (!(monthlyFraction >= 0 && monthlyFraction < 1)) throw new RangeError(`monthly fraction ${monthlyFraction} is not in [0, 1)`);
  return -Math.log1p(-monthlyFraction) / HOURS_PER_MONTH + 0;
}

/** Inverse of `monthlyFractionToHourlyHazard`. */
export function hourlyHazardToMonthlyFraction(hazardPerHour: number): number {
  return 1 - Math.exp(-hazardPerHour * HOURS_PER_MONTH);
}

/**
 * Draws a pool's base monthly interruption fraction uniformly inside its bucket's band. The advisor reports one
 * bucket per type and region; pools (AZs) of the same type differ, and where inside the band a pool sits is
 * exactly what public data does not tell — so it is hidden ground truth, drawn per pool from the seed.
 */
export function sampleBaseMonthlyFraction(bucket: InterruptionBucket, rng: RandomSource): number {
  const { min, max } = bucketMonthlyBand(bucket);
  return min + rng.next() * (max - min);
}

/** Tunables of the price-driven part of the hazard (defaults: `DEFAULT_HAZARD_PARAMS`). */
export interface HazardParams {
  /** Spot/on-demand ratio r0 below which price has no effect on the hazard. */
  priceRatioThreshold: number;
  /** k: the multiplier reaches 1 + k when spot = on-demand (ratio 1), linearly from r0. */
  priceRatioGain: number;
  /** A step up by at least this relative rise (0.1 = +10%) counts as a jump. */
  jumpMinRise: number;
  /** A jump multiplies the hazard by 1 + gain·min(1, rise) ... */
  jumpGain: number;
  /** ... for this long after the step, ms. */
  jumpWindowMs: number;
  /** Upper bound of the combined multiplier. */
  maxMultiplier: number;
}

/** Defaults, justified in ./index.ts. */
export const DEFAULT_HAZARD_PARAMS: Readonly<HazardParams> = Object.freeze({
  priceRatioThreshold: 0.6,
  priceRatioGain: 3,
  jumpMinRise: 0.1,
  jumpGain: 2,
  jumpWindowMs: 6 * MS_PER_HOUR,
  maxMultiplier: 10,
});

/**
 * The price-level multiplier: 1 + k·max(0, ratio − r0)/(1 − r0), ratio = spot/on-demand (ratios above 1 count
 * as 1 + their excess, so a price above on-demand keeps raising the hazard). Monotone non-decreasing in ratio.
 */
export function priceRatioMultiplier(spotUsdPerHour: number, onDemandUsdPerHour: number, params: Pick<HazardParams, 'priceRatioThreshold' | 'priceRatioGain'> = DEFAULT_HAZARD_PARAMS): number {
  if (!(onDemandUsdPerHour > 0)) return 1;
  const ratio = spotUsdPerHour / onDemandUsdPerHour;
  const r0 = params.priceRatioThreshold;
  return 1 + (params.priceRatioGain * Math.max(0, ratio - r0)) / (1 - r0);
}

/** The multiplier a jump of relative size `rise` (0.25 = +25%) applies during its window. */
export function jumpMultiplier(rise: number, params: Pick<HazardParams, 'jumpMinRise' | 'jumpGain'> = DEFAULT_HAZARD_PARAMS): number {
  return rise >= params.jumpMinRise ? 1 + params.jumpGain * Math.min(1, rise) : 1;
}

/**
 * A piecewise-constant hazard over [startsMs[0], endMs): `ratesPerHour[i]` holds from `startsMs[i]` until
 * `startsMs[i + 1]` (or `endMs`). `cumulative[i]` is the integrated hazard (expected interruptions of one
 * instance) from `startsMs[0]` to `startsMs[i]`, so sampling is a binary search.
 */
export interface HazardTimeline {
  startsMs: Float64Array;
  ratesPerHour: Float64Array;
  cumulative: Float64Array;
  endMs: number;
}

/** Input of `buildHazardTimeline`. */
export interface PoolHazardInput {
  /** Base monthly interruption fraction of the pool (e.g. from `sampleBaseMonthlyFraction`). */
  baseMonthlyFraction: number;
  /** On-demand price of the type in the region, USD/h. */
  onDemandUsdPerHour: number;
  /**
   * Price steps over the window, in the caller's time base (history or simulated time), ascending; the first
   * may start before `fromMs`. Without steps the hazard is the base rate.
   */
  steps: readonly PriceStep[];
  fromMs: number;
  toMs: number;
}

/**
 * Builds the hazard of one pool over [fromMs, toMs): base rate × price-level multiplier × jump multiplier
 * (capped). Breakpoints: price steps and jump-window ends. O(s log s) for s steps.
 */
export function buildHazardTimeline(input: PoolHazardInput, params: HazardParams = DEFAULT_HAZARD_PARAMS): HazardTimeline {
  const { fromMs, toMs } = input;
  if (!(toMs > fromMs)) throw new RangeError('hazard window must have toMs > fromMs');
  const base = monthlyFractionToHourlyHazard(input.baseMonthlyFraction);
  const steps = input.steps;
  const jumps: { startMs: number; endMs: number; factor: number }[] = [];
  for (let i = 1; i < steps.length; i++) {
    const prev = steps[i - 1] as PriceStep;
    const cur = steps[i] as PriceStep;
    const factor = jumpMultiplier(cur.usdPerHour / prev.usdPerHour - 1, params);
    if (factor > 1) jumps.push({ startMs: cur.timeMs, endMs: cur.timeMs + params.jumpWindowMs, factor });
  }
  const points = new Set<number>([fromMs]);
  for (const s of steps) if (s.timeMs > fromMs && s.timeMs < toMs) points.add(s.timeMs);
  for (const j of jumps) for (const t of [j.startMs, j.endMs]) if (t > fromMs && t < toMs) points.add(t);
  const starts = [...points].sort((a, b) => a - b);
  const startsMs = new Float64Array(starts);
  const ratesPerHour = new Float64Array(starts.length);
  const cumulative = new Float64Array(starts.length);
  let stepIdx = -1;
  let jumpFrom = 0;
  let acc = 0;
  for (let i = 0; i < starts.length; i++) {
    const t = starts[i] as number;
    while (stepIdx + 1 < steps.length && (steps[stepIdx + 1] as PriceStep).timeMs <= t) stepIdx++;
    const price = stepIdx >= 0 ? (steps[stepIdx] as PriceStep).usdPerHour : undefined;
    let m = price === undefined ? 1 : priceRatioMultiplier(price, input.onDemandUsdPerHour, params);
    while (jumpFrom < jumps.length && (jumps[jumpFrom] as { endMs: number }).endMs <= t) jumpFrom++;
    let jump = 1;
    for (let k = jumpFrom; k < jumps.length; k++) {
      const j = jumps[k] as { startMs: number; endMs: number; factor: number };
      if (j.startMs > t) break;
      if (j.endMs > t) jump = Math.max(jump, j.factor);
    }
    m = Math.min(params.maxMultiplier, m * jump);
    ratesPerHour[i] = base * m;
    cumulative[i] = acc;
    const next = i + 1 < starts.length ? (starts[i + 1] as number) : toMs;
    acc += (base * m * (next - t)) / MS_PER_HOUR;
  }
  return { startsMs, ratesPerHour, cumulative, endMs: toMs };
}

/** A constant hazard over [fromMs, toMs) (no price data). */
export function constantHazardTimeline(ratePerHour: number, fromMs: number, toMs: number): HazardTimeline {
  return { startsMs: Float64Array.of(fromMs), ratesPerHour: Float64Array.of(ratePerHour), cumulative: Float64Array.of(0), endMs: toMs };
}

function segmentIndex(h: HazardTimeline, t: number): number {
  let lo = 0;
  let hi = h.startsMs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((h.startsMs[mid] as number) <= t) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(0, lo - 1);
}

/** The hazard (per instance-hour) in force at `t`; the first segment's rate before the timeline starts. */
export function hazardAt(h: HazardTimeline, t: number): number {
  return h.ratesPerHour[segmentIndex(h, t)] as number;
}

/** Integrated hazard from the timeline's start to `t` (clamped to [start, endMs]). */
export function cumulativeHazardAt(h: HazardTimeline, t: number): number {
  const start = h.startsMs[0] as number;
  const tc = Math.min(Math.max(t, start), h.endMs);
  const i = segmentIndex(h, tc);
  return (h.cumulative[i] as number) + ((h.ratesPerHour[i] as number) * (tc - (h.startsMs[i] as number))) / MS_PER_HOUR;
}

/**
 * The time at which the integrated hazard from the timeline's start reaches `target`, or undefined when it
 * does not before `endMs`. Inverse of `cumulativeHazardAt`; O(log n).
 */
export function timeAtCumulativeHazard(h: HazardTimeline, target: number): number | undefined {
  const n = h.startsMs.length;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((h.cumulative[mid] as number) <= target) lo = mid + 1;
    else hi = mid;
  }
  const i = Math.max(0, lo - 1);
  const rate = h.ratesPerHour[i] as number;
  if (rate <= 0) return undefined;
  const t = (h.startsMs[i] as number) + ((target - (h.cumulative[i] as number)) / rate) * MS_PER_HOUR;
  return t < h.endMs ? t : undefined;
}

/** Expected interruptions of one instance over [fromMs, toMs) (the integrated hazard). */
export function expectedInterruptions(h: HazardTimeline, fromMs: number, toMs: number): number {
  return cumulativeHazardAt(h, toMs) - cumulativeHazardAt(h, fromMs);
}
