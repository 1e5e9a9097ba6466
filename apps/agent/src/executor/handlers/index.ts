/**
 * The handler of every task type of the contract. The mapped type makes a new task type in contracts a
 * compile error here until it has a handler.
 */
import type { Task, TaskType } from '@cloudoptim/contracts';
import { drainNodeHandler } from './drain-handler.ts';
import type { HandlerContext, HandlerOutcome, TaskHandler } from './handler.ts';
import { cordonNode, deleteNode, labelNode, taintNode, uncordonNode } from './node-handlers.ts';
import { evictPod } from './pod-handlers.ts';
import { patchWorkloadResources, scaleWorkload } from './workload-handlers.ts';

const collectMetrics: TaskHandler<'collect_metrics'> = async (task, ctx) => {
  const summary = await ctx.collectMetrics(task.parameters.reason);
  ctx.log(`collected a metrics snapshot${task.parameters.reason ? ` (${task.parameters.reason})` : ''}`);
  return { status: 'success', metadata: summary };
};

export const TASK_HANDLERS: { [T in TaskType]: TaskHandler<T> } = {
  cordon_node: cordonNode,
  uncordon_node: uncordonNode,
  drain_node: drainNodeHandler,
  label_node: labelNode,
  taint_node: taintNode,
  evict_pod: evictPod,
  scale_workload: scaleWorkload,
  patch_workload_resources: patchWorkloadResources,
  delete_node: deleteNode,
  collect_metrics: collectMetrics,
};

/** Runs the handler of the task's type. */
export function runHandler(task: Task, ctx: HandlerContext): Promise<HandlerOutcome> {
  return (TASK_HANDLERS[task.task_type] as TaskHandler<TaskType>)(task as never, ctx);
}

export { TaskStop, type HandlerContext, type HandlerOutcome, type CollectMetricsNow } from './handler.ts';
