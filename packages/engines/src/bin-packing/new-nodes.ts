/**
 * Packing pods onto new nodes: without an LP solver, the node-centric construction of pack.ts; with one, the
 * LP-template construction of template.ts (its remainder packed by the node-centric construction); then the
 * local improvement of pack.ts.
 */
import type { LpSolver } from './lower-bound.ts';
import { construct, improve, type PackContext, type PackOutcome, shapesOf } from './pack.ts';
import { lpTemplateConstruct } from './template.ts';

export function packNewNodes(ctx: PackContext, podIndexes: readonly number[], nameOf: (i: number) => string, options: { templateSolver?: LpSolver; goodEnoughUsdPerHour?: number } = {}): PackOutcome {
  const goodEnough = options.goodEnoughUsdPerHour ?? 0;
  const { live, unplaced } = shapesOf(ctx, podIndexes);
  let counter = 0;
  const next = () => nameOf(counter++);
  if (!options.templateSolver) {
    const greedy = construct(ctx, live, next);
    improve(ctx, greedy, next, goodEnough);
    return { bins: greedy, unplaced };
  }
  // With an LP: the LP template (measured: on the benchmark seeds it beat the node-centric construction and a
  // round-down variant every time, so neither is run).
  const bins = lpTemplateConstruct(ctx, live, options.templateSolver, next);
  improve(ctx, bins, next, goodEnough);
  return { bins, unplaced };
}
