import { describe, expect, it } from 'vitest';
import { buildModel } from './model.ts';
import { addPod, type Bin, newBin, type PackContext, repackNeighbourhoods, sumOf } from './pack.ts';
import { offer, pod, problem } from './test-builders.ts';

/** Two bins, each a large node half full with complementary pods (CPU-heavy, memory-heavy), as construction can leave them. */
function scenario(): { ctx: PackContext; bins: Bin[] } {
  const p = problem({
    instanceTypes: [offer('large', 8000, 16384, 0.4), offer('medium', 4000, 8192, 0.2)],
    pods: [pod('cpu-1', 1500, 1024), pod('cpu-2', 1500, 1024), pod('mem-1', 500, 6000), pod('mem-2', 500, 6000)],
  });
  const model = buildModel(p, p.pods.map((_, i) => i));
  // prices that value CPU and memory alike, as the LP would for this mix
  const ctx: PackContext = { model, groupPrices: model.groups.map(() => [0.2 / 8000, 0.2 / 16384, 0, 0]), groupHints: model.groups.map(() => []) };
  const large = model.classes.find((c) => c.offer.name === 'large');
  if (!large) throw new Error('no large class');
  const bins = [newBin(ctx, large, 'a'), newBin(ctx, large, 'b')];
  model.pods.forEach((info, i) => addPod(bins[i % 2] as Bin, i, info.demand));
  return { ctx, bins };
}

describe('repackNeighbourhoods', () => {
  it('merges wasteful bins into fewer or cheaper nodes and keeps every pod', () => {
    const { ctx, bins } = scenario();
    let n = 0;
    repackNeighbourhoods(ctx, bins, () => `r-${n++}`);
    expect(sumOf(bins)).toBeLessThan(0.8 - 1e-9);
    expect(sumOf(bins)).toBeCloseTo(0.4, 9);
    expect(bins.flatMap((b) => b.pods).sort()).toEqual([0, 1, 2, 3]);
    for (const b of bins) for (let r = 0; r < 4; r++) expect(b.used[r]).toBeLessThanOrEqual((b.capacity[r] as number) + 1e-9);
  });

  it('never makes a plan more expensive', () => {
    const { ctx, bins } = scenario();
    let n = 0;
    repackNeighbourhoods(ctx, bins, () => `r-${n++}`);
    const once = sumOf(bins);
    repackNeighbourhoods(ctx, bins, () => `s-${n++}`);
    expect(sumOf(bins)).toBeLessThanOrEqual(once + 1e-12);
  });
});
