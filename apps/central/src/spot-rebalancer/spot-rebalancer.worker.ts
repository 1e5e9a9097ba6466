/**
 * The Spot rebalancer (SPEC §5 flow 2, "triggered by a schedule"): now and then, a spot-optimize decision per
 * cluster — on-demand nodes and Spot nodes in pools that turned risky replaced by a diversified set of safe Spot
 * pools, up to the cluster's Spot share cap. The ML server answers "nothing to do" when no node is worth
 * replacing, and that leaves no trace. In automate mode the plan runs at once; in recommend mode it waits for a
 * person. When it runs and what it skips: optimizations/periodic-optimizer.ts; its worker:
 * optimizations/periodic-optimizers.worker.ts.
 */
import type { CentralContext } from '../context.ts';
import { PeriodicOptimizer, type PeriodicOptimizerOptions } from '../optimizations/periodic-optimizer.ts';

export class SpotRebalancer extends PeriodicOptimizer {
  constructor(ctx: CentralContext, options: PeriodicOptimizerOptions = {}) {
    super(ctx, { name: 'spot-rebalancer', decisionType: 'spot_optimize', trigger: 'schedule', planned: 'spot rebalancing planned' }, options);
  }
}
