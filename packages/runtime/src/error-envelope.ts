import { z } from 'zod';
import { AppError, isAppError, toValidationIssues, type ErrorEnvelope } from '@cloudoptim/contracts';

/** What an edge sends for a failure: the HTTP status and the spec's envelope. */
export interface ErrorReply {
  status: number;
  body: ErrorEnvelope;
  /** True when the cause is unexpected and belongs in the log at error level. */
  unexpected: boolean;
}

/**
 * Maps anything thrown to the spec's error envelope. AppErrors keep their code, message and details; zod
 * errors become VALIDATION_FAILED with every issue; anything else, and every 5xx, says only "internal error"
 * so no internal detail (SQL, stack, hostnames, secrets) reaches the caller.
 */
export function toErrorReply(error: unknown, requestId: string, nowMs: number): ErrorReply {
  const timestamp = new Date(nowMs).toISOString();
  const known = asAppError(error);
  if (known && known.status < 500) {
    return {
      status: known.status,
      unexpected: false,
      body: { error: { code: known.code, message: known.message, details: known.details, request_id: requestId, timestamp } },
    };
  }
  const code = known?.code ?? 'INTERNAL';
  const status = known?.status ?? 500;
  // A 503 tells the caller to retry, which is safe to say; its message stays generic all the same.
  const message = status === 503 ? 'service unavailable' : 'internal error';
  return {
    status,
    unexpected: status !== 503,
    body: { error: { code, message, details: null, request_id: requestId, timestamp } },
  };
}

function asAppError(error: unknown): AppError | undefined {
  if (isAppError(error)) return error;
  if (error instanceof z.ZodError) {
    const issues = toValidationIssues(error);
    return new AppError('VALIDATION_FAILED', `invalid input: ${issues[0]?.path || '(root)'}: ${issues[0]?.message ?? ''}`, { issues });
  }
  return undefined;
}

/**
 * A one-screen human description of a failure for a terminal: the message, then each issue on its own line.
 * Unexpected errors show their message but never a bare stack unless `verbose`.
 */
export function describeError(error: unknown, verbose = false): string {
  if (isAppError(error)) {
    const issues = Array.isArray(error.details?.issues) ? (error.details.issues as unknown[]) : [];
    // A message that already spans lines lists its issues; a single issue is already in the message.
    const listed = error.message.includes('\n') || issues.length < 2;
    const lines = listed ? [] : issues.map((issue) => `  - ${formatIssue(issue)}`);
    return [`error ${error.code}: ${error.message}`, ...lines].join('\n');
  }
  if (error instanceof Error) return verbose && error.stack ? `error INTERNAL: ${error.stack}` : `error INTERNAL: ${error.message}`;
  return `error INTERNAL: ${String(error)}`;
}

function formatIssue(issue: unknown): string {
  if (issue && typeof issue === 'object') {
    const record = issue as Record<string, unknown>;
    const where = record.path ?? record.variable ?? record.field;
    const what = record.message ?? record.problem;
    if (where !== undefined && what !== undefined) return `${String(where) || '(root)'}: ${String(what)}`;
  }
  return JSON.stringify(issue);
}
