/**
 * The Spot rebalancer and the consolidator as one background worker, one after the other per pass: two
 * decisions about the same nodes computed at the same time would each see no plan running, both be approved,
 * and the second would then act on nodes the first removed.
 */
import { Consolidator } from '../consolidator/consolidator.worker.ts';
import type { CentralContext, WorkerSpec } from '../context.ts';
import { SpotRebalancer } from '../spot-rebalancer/spot-rebalancer.worker.ts';

export const SPOT_REBALANCE_PERIOD_MS = 30 * 60_000;

export function periodicOptimizersWorker(ctx: CentralContext, options: { intervalMs?: number } = {}): WorkerSpec {
  const rebalancer = new SpotRebalancer(ctx, { periodMs: SPOT_REBALANCE_PERIOD_MS });
  const consolidator = new Consolidator(ctx);
  return {
    name: 'optimizers',
    intervalMs: options.intervalMs ?? 300_000,
    async tick() {
      await rebalancer.tick();
      await consolidator.tick();
    },
  };
}
