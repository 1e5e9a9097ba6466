import { z } from 'zod';

/**
 * The error-code catalogue: every code CloudOptim puts in an error envelope, with the HTTP status it maps to
 * (SPEC §2 uses 400, 401, 403, 404, 409, 422, 429, 500, 503 as HTTP means them) and what it means.
 */
export const ERROR_CATALOGUE = {
  VALIDATION_FAILED: { status: 400, meaning: 'The input does not match its schema; details.issues names each bad field.' },
  BAD_REQUEST: { status: 400, meaning: 'The request is malformed in a way no schema describes (bad JSON, bad encoding).' },
  UNAUTHENTICATED: { status: 401, meaning: 'No credentials, or credentials that are not valid.' },
  FORBIDDEN: { status: 403, meaning: 'Valid credentials that do not reach this resource.' },
  NOT_FOUND: { status: 404, meaning: 'The resource does not exist (or is not visible to the caller).' },
  UNKNOWN_REGION: { status: 404, meaning: 'The AWS region is not in the market data.' },
  UNKNOWN_INSTANCE_TYPE: { status: 404, meaning: 'The instance type is not in the catalog, or has no data in that region.' },
  NO_DATA: { status: 404, meaning: 'The data asked for does not exist for that range (e.g. no spot price history for the pool).' },
  CONFLICT: { status: 409, meaning: 'The request conflicts with the current state of the resource.' },
  IDEMPOTENCY_CONFLICT: { status: 409, meaning: 'The idempotency key was used before with a different request.' },
  LEASE_EXPIRED: { status: 409, meaning: 'The lease on the task expired and it was offered again.' },
  DATA_DIR_LOCKED: { status: 409, meaning: 'Another process holds the embedded database directory.' },
  UNPROCESSABLE: { status: 422, meaning: 'The request is well-formed but cannot be carried out as asked.' },
  PDB_BLOCKED: { status: 429, meaning: 'A PodDisruptionBudget forbids the eviction right now; retry later.' },
  RATE_LIMITED: { status: 429, meaning: 'Too many requests; retry after the time in details.retry_after_seconds.' },
  CONFIG_INVALID: { status: 500, meaning: 'The process configuration is invalid; details.issues lists every problem.' },
  DATA_CORRUPT: { status: 500, meaning: 'A data file or stored record is corrupt; details name the file and row.' },
  MIGRATION_FAILED: { status: 500, meaning: 'A database migration failed or an applied migration was changed.' },
  INTERNAL: { status: 500, meaning: 'An unexpected failure; the cause is in the server log under the request_id.' },
  CAPACITY_UNAVAILABLE: { status: 503, meaning: 'The cloud has no capacity for the requested instances.' },
  UNAVAILABLE: { status: 503, meaning: 'A dependency (database, ML server, cloud API) is not reachable right now.' },
} as const satisfies Record<string, { status: 400 | 401 | 403 | 404 | 409 | 422 | 429 | 500 | 503; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;
export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as [ErrorCode, ...ErrorCode[]];
export const ErrorCodeSchema = z.enum(ERROR_CODES);

/** The envelope of every non-2xx answer (SPEC §2). */
export const ErrorEnvelopeSchema = z.object({
  error: z.object({
    code: ErrorCodeSchema,
    message: z.string(),
    details: z.record(z.string(), z.unknown()).nullable(),
    request_id: z.string(),
    timestamp: z.iso.datetime({ offset: true }),
  }),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelopeSchema>;

/**
 * A failure with a catalogued code. Throw it anywhere; the edges (HTTP, CLI, WS) turn it into an envelope.
 * `details` must be safe to show the caller: never put secrets or internal causes in it (use `cause`).
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | null;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown> | null, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.details = details ?? null;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** One problem found while validating input: where (a path such as `nodes.3.instance_type`) and what. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** Flattens zod issues into `{path, message}` pairs with dotted paths (`""` for the root). */
export function toValidationIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

/**
 * Parses `input` with `schema`, never throwing anything but an AppError VALIDATION_FAILED whose details list
 * every bad field. `what` names the input in the message ("DecisionRequest body", "CLI options").
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = toValidationIssues(result.error);
  const first = issues[0];
  const summary = first ? `${first.path || '(root)'}: ${first.message}` : 'invalid';
  throw new AppError('VALIDATION_FAILED', `${what} is invalid: ${summary}${issues.length > 1 ? ` (+${issues.length - 1} more)` : ''}`, { issues });
}
