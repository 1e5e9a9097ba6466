import { describe, expect, it } from 'vitest';
import { createRng } from './rng.ts';

describe('createRng', () => {
  it('repeats a stream for a seed and differs across seeds and forks', () => {
    const take = (seed: number | string) => Array.from({ length: 5 }, createRng(seed).next);
    expect(take(42)).toEqual(take(42));
    expect(take(42)).not.toEqual(take(43));
    expect(take('demo')).toEqual(take('demo'));
    const rng = createRng(1);
    expect(Array.from({ length: 3 }, rng.fork('a').next)).toEqual(Array.from({ length: 3 }, createRng(1).fork('a').next));
    expect(rng.fork('a').next()).not.toBe(rng.fork('b').next());
  });

  it('is roughly uniform and has the right exponential mean', () => {
    const rng = createRng(7);
    const n = 20_000;
    let sum = 0;
    let expSum = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      sum += x;
      expSum += rng.exponential(2);
    }
    expect(sum / n).toBeCloseTo(0.5, 1);
    expect(expSum / n).toBeCloseTo(0.5, 1);
  });
});
