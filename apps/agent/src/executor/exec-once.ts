/**
 * Runs one task against a cluster and answers its TaskResult, without central (`cloudoptim agent exec`: an
 * operator's debugging tool and a handle for tests). Text that is not JSON, or a task that breaks the contract,
 * still yields a `failed` TaskResult saying why (with task_id `invalid-task` when it has no usable one).
 */
import { AppError, ClusterIdSchema, type TaskResult } from '@cloudoptim/contracts';
import type { KubeGateway } from '@cloudoptim/kube';
import type { Clock, Logger } from '@cloudoptim/runtime';
import { MetricsCollector } from '../collector/metrics-collector.ts';
import { AGENT_VERSION } from '../version.ts';
import { parseTask } from './task-parse.ts';
import { TaskExecutor } from './task-executor.ts';
import { buildTaskResult } from './task-result.ts';

export interface ExecOnceOptions {
  kube: KubeGateway;
  clock: Clock;
  log: Logger;
  drain?: { retryIntervalMs: number; maxRetryIntervalMs: number };
}

const LOCAL_CLUSTER = 'local';

function invalid(clock: Clock, error: AppError, taskId: string | null, clusterId: string): TaskResult {
  const now = clock.now();
  return buildTaskResult({ taskId: taskId ?? 'invalid-task', clusterId, attempt: undefined, status: 'failed', startedMs: now, endedMs: now, logs: [], error: error.message, errorCode: error.code });
}

/** See the module comment. */
export async function executeTaskOnce(taskJson: string, o: ExecOnceOptions): Promise<TaskResult> {
  let raw: unknown;
  try {
    raw = JSON.parse(taskJson);
  } catch (err) {
    return invalid(o.clock, new AppError('VALIDATION_FAILED', `the task is not JSON: ${(err as Error).message}`), null, LOCAL_CLUSTER);
  }
  const cluster = ClusterIdSchema.safeParse((raw as { cluster_id?: unknown } | null)?.cluster_id);
  const clusterId = cluster.success ? cluster.data : LOCAL_CLUSTER;
  const parsed = parseTask(raw);
  if (!parsed.ok && parsed.taskId === null) return invalid(o.clock, parsed.error, null, clusterId);

  const collector = new MetricsCollector({ kube: o.kube, clock: o.clock, clusterId, agentVersion: AGENT_VERSION });
  let result: TaskResult | undefined;
  const executor = new TaskExecutor({
    kube: o.kube, clock: o.clock, log: o.log, clusterId, maxConcurrent: 1,
    drain: o.drain ?? { retryIntervalMs: 2_000, maxRetryIntervalMs: 20_000 },
    collectMetrics: async (reason) => {
      const { summary, problems } = await collector.collect();
      return { ...summary, problems, reason };
    },
    onResult: (r) => (result = r),
  });
  executor.submit(raw, { urgent: true });
  await executor.idle();
  return result ?? invalid(o.clock, new AppError('INTERNAL', 'the task produced no result'), parsed.ok ? parsed.task.task_id : parsed.taskId, clusterId);
}
