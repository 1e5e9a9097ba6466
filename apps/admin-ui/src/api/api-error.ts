/**
 * The one error type of the UI's API layer: central's error envelope (`{"error":{code,message,details,request_id}}`)
 * as a thrown value, so every page can say in words what went wrong. Network failures and answers that are not
 * an envelope become an ApiError too (code UNAVAILABLE, or one derived from the HTTP status).
 */

/** One bad field of a VALIDATION_FAILED answer. */
export interface ApiIssue {
  path: string;
  message: string;
}

const CODE_OF_STATUS: Record<number, string> = { 400: 'BAD_REQUEST', 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'CONFLICT', 413: 'BAD_REQUEST', 422: 'UNPROCESSABLE', 429: 'RATE_LIMITED', 503: 'UNAVAILABLE' };

export class ApiError extends Error {
  /** HTTP status; 0 when the server could not be reached. */
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | null;
  readonly requestId: string | null;

  constructor(status: number, code: string, message: string, details: Record<string, unknown> | null = null, requestId: string | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.requestId = requestId;
  }

  /**
   * True when the server has no such endpoint at all (central's catch-all 404 says `no route <METHOD> <path>`),
   * as opposed to an object that does not exist: the feature is "not available on this server".
   */
  get missingRoute(): boolean {
    return this.status === 404 && this.code === 'NOT_FOUND' && this.message.startsWith('no route ');
  }

  /** The per-field problems of a VALIDATION_FAILED answer (empty otherwise). */
  get issues(): ApiIssue[] {
    const issues = this.details?.issues;
    if (!Array.isArray(issues)) return [];
    return issues.flatMap((i: unknown) => (typeof i === 'object' && i !== null && typeof (i as ApiIssue).message === 'string' ? [{ path: String((i as ApiIssue).path ?? ''), message: (i as ApiIssue).message }] : []));
  }

  /** Builds the error of a non-2xx answer from its parsed body (an envelope, or anything else). */
  static fromResponse(status: number, body: unknown): ApiError {
    const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
    if (typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' && typeof (error as { message?: unknown }).message === 'string') {
      const e = error as { code: string; message: string; details?: unknown; request_id?: unknown };
      const details = typeof e.details === 'object' && e.details !== null ? (e.details as Record<string, unknown>) : null;
      return new ApiError(status, e.code, e.message, details, typeof e.request_id === 'string' ? e.request_id : null);
    }
    const code = CODE_OF_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST');
    return new ApiError(status, code, `the server answered HTTP ${status}`);
  }
}

/** Any thrown value as an ApiError (so views handle one shape). */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(0, 'INTERNAL', error instanceof Error ? error.message : String(error));
}
