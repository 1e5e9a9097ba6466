/** Task builders for the agent's tests: valid tasks of any type, times relative to a clock. */
import { EXAMPLE_TASK_PARAMETERS, type TaskOf, type TaskParameters, type TaskType } from '@cloudoptim/contracts';

let seq = 0;

/**
 * A task of `type` created at `nowMs` with a deadline `deadlineSeconds` later (default one hour), the example
 * parameters overridden by `parameters`, and a fresh task_id unless given.
 */
export function taskOf<T extends TaskType>(
  type: T,
  nowMs: number,
  parameters: Partial<TaskParameters<T>> = {},
  overrides: Partial<Omit<TaskOf<T>, 'parameters'>> & { deadlineSeconds?: number } = {},
): TaskOf<T> {
  const { deadlineSeconds = 3600, ...rest } = overrides;
  return {
    task_id: `task-${type.replaceAll('_', '-')}-${++seq}`,
    cluster_id: 'cl-test',
    task_type: type,
    parameters: { ...EXAMPLE_TASK_PARAMETERS[type], instance_id: null, ...parameters },
    priority: 5,
    deadline: new Date(nowMs + deadlineSeconds * 1000).toISOString(),
    created_at: new Date(nowMs).toISOString(),
    created_by: 'test',
    attempt: 1,
    ...rest,
  } as unknown as TaskOf<T>;
}
