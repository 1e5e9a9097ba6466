/**
 * The consolidator (SPEC §5 flow 4): now and then, a bin-pack decision per cluster — empty and underused nodes
 * drained and removed, within the cluster's disruption budget (the request's constraints) and its mode. When it
 * runs and what it skips: optimizations/periodic-optimizer.ts; its worker: optimizations/periodic-optimizers.worker.ts.
 */
import type { CentralContext } from '../context.ts';
import { PeriodicOptimizer, type PeriodicOptimizerOptions } from '../optimizations/periodic-optimizer.ts';

export class Consolidator extends PeriodicOptimizer {
  constructor(ctx: CentralContext, options: PeriodicOptimizerOptions = {}) {
    super(ctx, { name: 'consolidator', decisionType: 'bin_pack', trigger: 'consolidator', planned: 'consolidation planned' }, options);
  }
}
