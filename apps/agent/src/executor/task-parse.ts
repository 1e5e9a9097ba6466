/**
 * A task as central sent it → a valid Task, or why not with the task id (when it has one) so the agent can
 * still report the failure: an unknown task type names the types this agent runs; bad parameters name each
 * bad field.
 */
import { AppError, IdSchema, PositiveIntSchema, TASK_TYPES, TaskSchema, toValidationIssues, type Task } from '@cloudoptim/contracts';

export type ParsedTask =
  | { ok: true; task: Task }
  | { ok: false; taskId: string | null; taskType: string | null; attempt: number | undefined; error: AppError };

const KNOWN = new Set<string>(TASK_TYPES);

/** See the module comment. */
export function parseTask(raw: unknown): ParsedTask {
  const parsed = TaskSchema.safeParse(raw);
  if (parsed.success) return { ok: true, task: parsed.data };
  const obj = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const id = IdSchema.safeParse(obj['task_id']);
  const taskId = id.success ? id.data : null;
  const attempt = PositiveIntSchema.safeParse(obj['attempt']);
  const taskType = typeof obj['task_type'] === 'string' ? obj['task_type'] : null;
  const label = `task ${taskId ?? '(no valid task_id)'}`;
  let error: AppError;
  if (taskType !== null && !KNOWN.has(taskType)) {
    error = new AppError('VALIDATION_FAILED', `${label}: unknown task type "${taskType}"; this agent executes ${TASK_TYPES.join(', ')}`, {
      issues: [{ path: 'task_type', message: `unknown task type "${taskType}"` }],
    });
  } else {
    const issues = toValidationIssues(parsed.error);
    const summary = issues.slice(0, 5).map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
    error = new AppError('VALIDATION_FAILED', `${label}${taskType ? ` (${taskType})` : ''} is invalid: ${summary}${issues.length > 5 ? ` (+${issues.length - 5} more)` : ''}`, { issues });
  }
  return { ok: false, taskId, taskType, attempt: attempt.success ? attempt.data : undefined, error };
}
