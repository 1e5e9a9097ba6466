/**
 * Builds the TaskResult the agent reports, within the contract's bounds: at most 1000 log lines of 4096
 * characters (the first and last lines are kept, the middle elided), an error of at most 4096 characters, and
 * an error for every failed or timed-out task.
 */
import type { ErrorCode, TaskResult, TaskResultStatus } from '@cloudoptim/contracts';

const MAX_LINES = 1000;
const MAX_CHARS = 4096;

const clip = (s: string) => (s.length > MAX_CHARS ? `${s.slice(0, MAX_CHARS - 1)}…` : s);

function boundedLogs(lines: readonly string[]): string[] {
  const clipped = lines.map(clip);
  if (clipped.length <= MAX_LINES) return clipped;
  const head = clipped.slice(0, MAX_LINES / 2);
  const tail = clipped.slice(clipped.length - (MAX_LINES / 2 - 1));
  return [...head, `… ${clipped.length - head.length - tail.length} line(s) omitted …`, ...tail];
}

export interface ResultInput {
  taskId: string;
  clusterId: string;
  attempt: number | undefined;
  status: TaskResultStatus;
  startedMs: number;
  endedMs: number;
  logs: readonly string[];
  error?: string | null;
  errorCode?: ErrorCode | null;
  metadata?: Record<string, unknown>;
}

/** See the module comment. */
export function buildTaskResult(r: ResultInput): TaskResult {
  const needsError = r.status === 'failed' || r.status === 'timeout';
  const error = r.error ? clip(r.error) : needsError ? `task ended ${r.status}` : null;
  return {
    task_id: r.taskId,
    status: r.status,
    executed_at: new Date(r.startedMs).toISOString(),
    duration_seconds: Math.max(0, (r.endedMs - r.startedMs) / 1000),
    logs: boundedLogs(r.logs),
    error: r.status === 'success' ? null : error,
    metadata: r.metadata ?? {},
    cluster_id: r.clusterId,
    ...(r.attempt !== undefined ? { attempt: r.attempt } : {}),
    error_code: r.status === 'success' ? null : (r.errorCode ?? null),
  };
}
