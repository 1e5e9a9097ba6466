/** The plan executor as a background worker (add it to ctx.workers; the runner's lease keeps it single). */
import type { CentralContext, WorkerSpec } from '../context.ts';
import { CostSampler } from '../savings/cost-sampler.ts';
import { PlanExecutor, type PlanExecutorOptions } from './plan-executor.ts';

export interface ExecutorWorkerOptions extends PlanExecutorOptions {
  /** Pass interval, ms (default 5 s: waits and agent tasks are polled at this pace). */
  intervalMs?: number;
}

export function executorWorker(ctx: CentralContext, options: ExecutorWorkerOptions = {}): WorkerSpec {
  const sampler = new CostSampler(ctx);
  // The cluster's cost when a plan starts is the "before" of the savings the verifier measures later.
  const executor = new PlanExecutor(ctx, { onStart: (_plan, cluster) => sampler.sample(cluster), ...options });
  return { name: 'plan-executor', intervalMs: options.intervalMs ?? 5_000, tick: () => executor.tick() };
}
