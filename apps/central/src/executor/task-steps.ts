/**
 * Steps the agent carries out (cordon, drain, scale, patch …): the step becomes a Task with the idempotency key
 * `<plan id>:<step>` — enqueueing again after a crash finds the same task — and the step ends when the task
 * does. A task the agent never finishes is cancelled past its deadline (plus a grace for a late result).
 */
import { TASK_PARAMETER_SCHEMAS, type TaskType } from '@cloudoptim/contracts';
import type { ExecutorDeps, StepProgress, StepRun } from './executor-types.ts';

/** How long a task may take when its parameters do not say (seconds). */
const DEFAULT_TASK_SECONDS = 600;
/** A drain's own timeout plus this margin is its task's deadline (seconds). */
const DRAIN_MARGIN_SECONDS = 120;
/**
 * Steps that take a node out of the cluster. When the node is already gone (a Spot reclaim, another plan, a
 * person) the step's purpose holds and the plan goes on instead of rolling back.
 */
const NODE_REMOVING = new Set<TaskType>(['cordon_node', 'drain_node', 'delete_node']);
/** After the deadline, how long a result may still arrive before the step gives up (ms). */
const RESULT_GRACE_MS = 60_000;

export function isTaskAction(action: string): action is TaskType {
  return Object.hasOwn(TASK_PARAMETER_SCHEMAS, action);
}

/** The idempotency key of a plan step's task. */
export function stepTaskKey(planId: string, step: number): string {
  return `${planId}:${step}`;
}

function taskSeconds(action: TaskType, parameters: Record<string, unknown>): number {
  const timeout = typeof parameters.timeout_seconds === 'number' ? parameters.timeout_seconds : undefined;
  if (action === 'drain_node') return (timeout ?? DEFAULT_TASK_SECONDS) + DRAIN_MARGIN_SECONDS;
  return timeout ?? DEFAULT_TASK_SECONDS;
}

/** Runs a task step: enqueue once, then follow the task until it ends. */
export async function runTaskStep(deps: ExecutorDeps, run: StepRun): Promise<StepProgress> {
  const action = run.step.action;
  if (!isTaskAction(action)) return { state: 'failed', error: `unknown action ${action}` };
  const knownId = typeof run.step.outcome?.task_id === 'string' ? run.step.outcome.task_id : null;
  const record = knownId
    ? await deps.tasks.get(run.cluster.id, knownId)
    : await deps.tasks.enqueue({
        customerId: run.cluster.customerId,
        clusterId: run.cluster.id,
        taskType: action,
        parameters: run.step.parameters,
        priority: action === 'drain_node' || action === 'cordon_node' ? 4 : 5,
        deadline: new Date(run.nowMs + taskSeconds(action, run.step.parameters) * 1000),
        createdBy: `optimizer:${run.plan.id}`,
        idempotencyKey: stepTaskKey(run.plan.id, run.step.step),
        planId: run.plan.id,
        planStep: run.step.step,
      });
  if (!record) return { state: 'failed', error: `task ${knownId} of step ${run.step.step} no longer exists` };
  const outcome = { task_id: record.task.task_id, task_status: record.status, attempts: record.attempts };
  switch (record.status) {
    case 'success':
      return { state: 'succeeded', outcome: { ...outcome, ...(record.result && { result: record.result.metadata }) } };
    case 'failed':
      if (NODE_REMOVING.has(action) && record.result?.error_code === 'NOT_FOUND') return { state: 'succeeded', outcome: { ...outcome, node_gone: true } };
      return { state: 'failed', error: `${action} task failed${record.result?.error ? `: ${record.result.error}` : ''}`, outcome };
    case 'timeout':
    case 'cancelled':
      return { state: 'failed', error: `${action} task ${record.status}${record.result?.error ? `: ${record.result.error}` : ''}`, outcome };
    default: {
      const deadlineMs = Date.parse(record.task.deadline);
      if (run.nowMs > deadlineMs + RESULT_GRACE_MS) {
        await deps.tasks.cancel(run.cluster.id, record.task.task_id, `plan ${run.plan.id} step ${run.step.step} passed its deadline`);
        return { state: 'failed', error: `${action} task did not finish by its deadline ${record.task.deadline}`, outcome };
      }
      return { state: 'running', outcome };
    }
  }
}
