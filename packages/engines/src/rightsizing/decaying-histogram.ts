/**
 * The VPA recommender's histogram (kubernetes/autoscaler `pkg/recommender/util/histogram.go` and
 * `decaying_histogram.go`): exponential buckets (bucket i starts at first·(ratio^i − 1)/(ratio − 1)),
 * weights multiplied by 2^((t − reference)/halfLife) so a sample one half-life newer counts twice as much,
 * and the reference time shifted (weights rescaled) before the exponent grows past 100.
 */

/** Bucket layout of an exponential histogram. */
export interface ExponentialBuckets {
  /** Values ≥ this land in the last bucket. */
  maxValue: number;
  /** Width of the first bucket. */
  firstBucketSize: number;
  /** Each bucket is this much wider than the previous one (VPA: 1.05). */
  ratio: number;
  /** Weights below this count as empty (VPA: 1e-4). */
  epsilon: number;
}

/** VPA's CPU histogram in millicores: 0.01 cores first bucket, up to 1000 cores, +5% per bucket. */
export const VPA_CPU_BUCKETS: ExponentialBuckets = { maxValue: 1_000_000, firstBucketSize: 10, ratio: 1.05, epsilon: 1e-4 };
/** VPA's memory histogram in bytes: 10 MB first bucket, up to 1 TB, +5% per bucket. */
export const VPA_MEMORY_BUCKETS: ExponentialBuckets = { maxValue: 1e12, firstBucketSize: 1e7, ratio: 1.05, epsilon: 1e-4 };

const MAX_DECAY_EXPONENT = 100;

/** A decaying exponential-bucket histogram. Mutable; O(1) add, O(buckets) percentile. */
export class DecayingHistogram {
  readonly numBuckets: number;
  private readonly weights: Float64Array;
  private total = 0;
  private minBucket: number;
  private maxBucket = 0;
  private referenceMs: number | undefined;

  constructor(
    readonly buckets: ExponentialBuckets,
    readonly halfLifeMs: number,
  ) {
    const { maxValue, firstBucketSize, ratio } = buckets;
    this.numBuckets = Math.ceil(Math.log((maxValue * (ratio - 1)) / firstBucketSize + 1) / Math.log(ratio)) + 1;
    this.weights = new Float64Array(this.numBuckets);
    this.minBucket = this.numBuckets - 1;
  }

  /** Start of bucket i. */
  bucketStart(i: number): number {
    const { firstBucketSize, ratio } = this.buckets;
    return i === 0 ? 0 : (firstBucketSize * (ratio ** i - 1)) / (ratio - 1);
  }

  /** Bucket holding `value`. */
  findBucket(value: number): number {
    const { firstBucketSize, ratio } = this.buckets;
    if (value < firstBucketSize) return 0;
    // The small epsilon keeps values exactly on a bucket start (up to rounding) in that bucket.
    const b = Math.floor(Math.log((value * (ratio - 1)) / firstBucketSize + 1) / Math.log(ratio) + 1e-9);
    return Math.min(b, this.numBuckets - 1);
  }

  private decayFactor(timeMs: number): number {
    if (this.referenceMs === undefined) this.referenceMs = Math.round(timeMs / this.halfLifeMs) * this.halfLifeMs;
    if (timeMs > this.referenceMs + this.halfLifeMs * MAX_DECAY_EXPONENT) {
      const newRef = Math.round(timeMs / this.halfLifeMs) * this.halfLifeMs;
      const scale = 2 ** Math.round((this.referenceMs - newRef) / this.halfLifeMs);
      for (let i = 0; i < this.numBuckets; i++) this.weights[i] = (this.weights[i] as number) * scale;
      this.total *= scale;
      this.referenceMs = newRef;
      // As VPA's Scale(): buckets that decayed below epsilon no longer bound the histogram.
      this.updateMinMax();
    }
    return 2 ** ((timeMs - this.referenceMs) / this.halfLifeMs);
  }

  /** Adds `value` with `weight` (≥ 0) observed at `timeMs`. */
  addSample(value: number, weight: number, timeMs: number): void {
    const w = weight * this.decayFactor(timeMs);
    const b = this.findBucket(value);
    this.weights[b] = (this.weights[b] as number) + w;
    this.total += w;
    if (b < this.minBucket && (this.weights[b] as number) >= this.buckets.epsilon) this.minBucket = b;
    if (b > this.maxBucket && (this.weights[b] as number) >= this.buckets.epsilon) this.maxBucket = b;
  }

  /** Removes a sample added earlier with the same value, weight and time. */
  subtractSample(value: number, weight: number, timeMs: number): void {
    const w = weight * this.decayFactor(timeMs);
    const b = this.findBucket(value);
    this.weights[b] = Math.max(0, (this.weights[b] as number) - w);
    this.total = Math.max(0, this.total - w);
    this.updateMinMax();
  }

  private updateMinMax(): void {
    const eps = this.buckets.epsilon;
    let lo = 0;
    while (lo < this.numBuckets - 1 && (this.weights[lo] as number) < eps) lo++;
    let hi = this.numBuckets - 1;
    while (hi > 0 && (this.weights[hi] as number) < eps) hi--;
    this.minBucket = lo;
    this.maxBucket = hi;
  }

  isEmpty(): boolean {
    return (this.weights[this.minBucket] as number) < this.buckets.epsilon;
  }

  /** Total (decayed) weight, relative to the current reference time. */
  totalWeight(): number {
    return this.total;
  }

  /**
   * VPA's percentile: the END of the first bucket at which the cumulative weight reaches p·total (the start of
   * the last bucket if it is that one); 0 for an empty histogram.
   */
  percentile(p: number): number {
    if (this.isEmpty()) return 0;
    const threshold = p * this.total;
    let sum = 0;
    let b = this.minBucket;
    for (; b < this.maxBucket; b++) {
      sum += this.weights[b] as number;
      if (sum >= threshold) break;
    }
    return b < this.numBuckets - 1 ? this.bucketStart(b + 1) : this.bucketStart(b);
  }
}
