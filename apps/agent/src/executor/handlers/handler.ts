/**
 * What a task handler is given and answers. A handler does the task through the KubeGateway and either returns
 * an outcome (success, or an expected ending such as a drain `timeout`) or throws an AppError (the task failed
 * with that code). `ctx.signal` is aborted when the task is cancelled or its deadline passes; its reason is a
 * {@link TaskStop} saying which.
 */
import { AppError, type ErrorCode, type TaskOf, type TaskResultStatus, type TaskType } from '@cloudoptim/contracts';
import type { KubeGateway, KubeNode } from '@cloudoptim/kube';
import type { Clock, Logger } from '@cloudoptim/runtime';
import type { AgentMetrics } from '../../agent-metrics.ts';

/** Why a running task was stopped. */
export class TaskStop extends Error {
  constructor(
    readonly status: 'timeout' | 'cancelled',
    message: string,
  ) {
    super(message);
    this.name = 'TaskStop';
  }
}

export interface HandlerOutcome {
  status: TaskResultStatus;
  /** Required for failed and timeout. */
  error?: string;
  errorCode?: ErrorCode;
  /** JSON values only. */
  metadata?: Record<string, unknown>;
}

/** Collects a ClusterMetrics snapshot now and queues it for central; answers a summary for the result. */
export type CollectMetricsNow = (reason: string | null) => Promise<Record<string, unknown>>;

export interface HandlerContext {
  kube: KubeGateway;
  clock: Clock;
  logger: Logger;
  /** Adds a line to the task's result logs. */
  log(line: string): void;
  signal: AbortSignal;
  /** The task's deadline (clock epoch ms). */
  deadlineMs: number;
  collectMetrics: CollectMetricsNow;
  drain: { retryIntervalMs: number; maxRetryIntervalMs: number };
  metrics?: AgentMetrics;
}

export type TaskHandler<T extends TaskType> = (task: TaskOf<T>, ctx: HandlerContext) => Promise<HandlerOutcome>;

/**
 * The target node, checked against `instance_id` when the task names one (node names get reused).
 * @throws AppError NOT_FOUND (no such node), CONFLICT (another instance backs it)
 */
export async function targetNode(ctx: HandlerContext, p: { node_name: string; instance_id?: string | null }): Promise<KubeNode> {
  const node = await ctx.kube.getNode(p.node_name);
  if (!node) throw new AppError('NOT_FOUND', `node ${p.node_name} does not exist`, { node_name: p.node_name });
  if (p.instance_id && node.instanceId !== p.instance_id) {
    throw new AppError('CONFLICT', `node ${p.node_name} is backed by ${node.instanceId ?? 'an unknown instance'}, not ${p.instance_id}: the name was reused, nothing done`, {
      node_name: p.node_name, expected_instance_id: p.instance_id, actual_instance_id: node.instanceId,
    });
  }
  return node;
}
