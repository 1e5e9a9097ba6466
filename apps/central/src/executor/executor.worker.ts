/** The plan executor as a background worker (add it to ctx.workers; the runner's lease keeps it single). */
import type { CentralContext, WorkerSpec } from '../context.ts';
import { PlanExecutor, type PlanExecutorOptions } from './plan-executor.ts';

export interface ExecutorWorkerOptions extends PlanExecutorOptions {
  /** Pass interval, ms (default 5 s: waits and agent tasks are polled at this pace). */
  intervalMs?: number;
}

export function executorWorker(ctx: CentralContext, options: ExecutorWorkerOptions = {}): WorkerSpec {
  const executor = new PlanExecutor(ctx, options);
  return { name: 'plan-executor', intervalMs: options.intervalMs ?? 5_000, tick: () => executor.tick() };
}
