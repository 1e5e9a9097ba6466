import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateMinCost, type FlowPool } from './min-cost-allocation.ts';

/** Exhaustive optimum for tiny instances: best cost for the most nodes placeable. */
function bruteForce(pools: FlowPool[], famCount: number, azCount: number, famCap: number, azCap: number, n: number): { placed: number; cost: number } {
  let best = { placed: -1, cost: Infinity };
  const x = new Array<number>(pools.length).fill(0);
  const rec = (i: number, left: number): void => {
    if (i === pools.length) {
      const fam = new Array<number>(famCount).fill(0);
      const az = new Array<number>(azCount).fill(0);
      let cost = 0;
      pools.forEach((p, k) => {
        fam[p.familyIndex] = (fam[p.familyIndex] as number) + (x[k] as number);
        az[p.azIndex] = (az[p.azIndex] as number) + (x[k] as number);
        cost += p.cost * (x[k] as number);
      });
      if (fam.some((v) => v > famCap) || az.some((v) => v > azCap)) return;
      const placed = n - left;
      if (placed > best.placed || (placed === best.placed && cost < best.cost - 1e-12)) best = { placed, cost };
      return;
    }
    const p = pools[i] as FlowPool;
    for (let k = 0; k <= Math.min(p.cap, left); k++) {
      x[i] = k;
      rec(i + 1, left - k);
    }
    x[i] = 0;
  };
  rec(0, n);
  return best;
}

describe('allocateMinCost', () => {
  it('beats greedy where two crossing caps trap it', () => {
    // Greedy takes the cheap f0/a0 pool, filling AZ a0; then f1 only has its dear a0 pool... the flow instead
    // puts f0 in a1 and keeps a0 for f1.
    const pools: FlowPool[] = [
      { cost: 1.0, familyIndex: 0, azIndex: 0, cap: 1 },
      { cost: 1.1, familyIndex: 0, azIndex: 1, cap: 1 },
      { cost: 1.2, familyIndex: 1, azIndex: 0, cap: 1 },
      { cost: 9.0, familyIndex: 1, azIndex: 1, cap: 1 },
    ];
    const r = allocateMinCost(pools, 2, 2, 1, 1, 2);
    expect(r.placed).toBe(2);
    expect([...r.counts]).toEqual([0, 1, 1, 0]);
    expect(r.totalCost).toBeCloseTo(2.3, 10);
  });

  it('places fewer nodes than asked when the caps allow no more', () => {
    const r = allocateMinCost([{ cost: 1, familyIndex: 0, azIndex: 0, cap: 5 }], 1, 1, 2, 10, 6);
    expect(r.placed).toBe(2);
  });

  it('matches exhaustive search on small random instances (optimal and within caps)', () => {
    const pool = fc.record({ cost: fc.integer({ min: 1, max: 50 }).map((c) => c / 10), familyIndex: fc.integer({ min: 0, max: 2 }), azIndex: fc.integer({ min: 0, max: 2 }), cap: fc.integer({ min: 0, max: 3 }) });
    fc.assert(
      fc.property(fc.array(pool, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 6 }), (pools, famCap, azCap, n) => {
        const r = allocateMinCost(pools, 3, 3, famCap, azCap, n);
        const b = bruteForce(pools, 3, 3, famCap, azCap, n);
        expect(r.placed).toBe(b.placed);
        expect(r.totalCost).toBeCloseTo(b.cost, 9);
        pools.forEach((p, i) => expect(r.counts[i]).toBeLessThanOrEqual(p.cap));
        for (const v of r.familyLoad) expect(v).toBeLessThanOrEqual(famCap);
        for (const v of r.azLoad) expect(v).toBeLessThanOrEqual(azCap);
      }),
      { numRuns: 300 },
    );
  });
});
