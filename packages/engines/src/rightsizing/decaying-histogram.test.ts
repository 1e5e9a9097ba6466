import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecayingHistogram, VPA_CPU_BUCKETS, VPA_MEMORY_BUCKETS } from './decaying-histogram.ts';

const DAY = 86_400_000;

describe('DecayingHistogram (VPA layout)', () => {
  const h = new DecayingHistogram(VPA_CPU_BUCKETS, DAY);

  it('has VPA’s bucket count for CPU and memory (176)', () => {
    expect(h.numBuckets).toBe(176);
    expect(new DecayingHistogram(VPA_MEMORY_BUCKETS, DAY).numBuckets).toBe(176);
  });

  it.each([
    [0, 0],
    [9.99, 0],
    [10, 1],
    [20.49, 1],
    [20.5, 2],
    [1e9, 175],
  ])('value %d → bucket %i', (value, bucket) => {
    expect(h.findBucket(value)).toBe(bucket);
  });

  it.each([
    [1, 10],
    [2, 20.5],
    [3, 31.525],
  ])('bucket %i starts at %d', (i, start) => {
    expect(h.bucketStart(i)).toBeCloseTo(start, 9);
  });

  it('percentile returns the end of the bucket that reaches it; 0 when empty', () => {
    const x = new DecayingHistogram(VPA_CPU_BUCKETS, DAY);
    expect(x.percentile(0.9)).toBe(0);
    expect(x.isEmpty()).toBe(true);
    x.addSample(15, 1, 0); // bucket 1: [10, 20.5)
    expect(x.percentile(0.5)).toBeCloseTo(20.5, 9);
  });

  it('a sample one half-life newer weighs twice as much', () => {
    const x = new DecayingHistogram(VPA_CPU_BUCKETS, DAY);
    x.addSample(15, 1, 0); // weight 1 in bucket 1
    x.addSample(1000, 1, DAY); // weight 2 in a high bucket
    expect(x.totalWeight()).toBeCloseTo(3, 9);
    expect(x.percentile(0.3)).toBeCloseTo(20.5, 9); // 0.9 ≤ 1
    expect(x.percentile(0.4)).toBeGreaterThan(1000); // 1.2 > 1
  });

  it('renormalizes after 100 half-lives: decayed buckets no longer count', () => {
    const x = new DecayingHistogram(VPA_CPU_BUCKETS, DAY);
    x.addSample(5000, 1, 0);
    x.addSample(15, 1, 150 * DAY);
    expect(x.isEmpty()).toBe(false);
    expect(x.percentile(1)).toBeCloseTo(20.5, 9);
  });

  it('subtracting a sample undoes it', () => {
    const x = new DecayingHistogram(VPA_MEMORY_BUCKETS, DAY);
    x.addSample(5e8, 1, 0);
    x.addSample(9e8, 1, 0);
    x.subtractSample(9e8, 1, 0);
    expect(x.percentile(1)).toBeLessThan(5e8 * 1.06);
  });

  it('property: percentiles are monotone in p and bracket the samples (within one 5% bucket)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: 10, max: 1e5, noNaN: true }), fc.integer({ min: 0, max: 10 * DAY })), { minLength: 1, maxLength: 60 }), (samples) => {
        const x = new DecayingHistogram(VPA_CPU_BUCKETS, DAY);
        for (const [v, t] of [...samples].sort((a, b) => a[1] - b[1])) x.addSample(v, 1, t);
        let prev = 0;
        for (const p of [0.1, 0.5, 0.9, 0.95, 1]) {
          const q = x.percentile(p);
          expect(q).toBeGreaterThanOrEqual(prev);
          prev = q;
        }
        const max = Math.max(...samples.map((s) => s[0]));
        expect(x.percentile(1)).toBeGreaterThanOrEqual(max * (1 - 1e-9));
        expect(x.percentile(1)).toBeLessThanOrEqual(max * 1.05 * (1 + 1e-9) + 10); // a value within rounding of a bucket start may land in the next bucket
      }),
    );
  });
});
