/**
 * Translation of @kubernetes/client-node failures into AppErrors at the adapter boundary (ARCHITECTURE
 * convention 4). The message carries the API server's Status message (never credentials); the vendor error is
 * kept as `cause` for the log.
 *
 * 404 → NOT_FOUND · 409 → CONFLICT · 400 → BAD_REQUEST · 422 → VALIDATION_FAILED · 429 on an eviction →
 * PDB_BLOCKED (otherwise RATE_LIMITED) · 401 → UNAUTHENTICATED · 403 → FORBIDDEN · 502/503/504 and
 * connection failures → UNAVAILABLE · anything else → INTERNAL.
 */
import { AppError, type ErrorCode } from '@cloudoptim/contracts';

/** What the failed call was doing, for the message and details. */
export interface KubeCallContext {
  /** `evict`, `cordon`, `listPods`… (429 means PDB_BLOCKED only for `evict`). */
  operation: string;
  kind?: string;
  namespace?: string;
  name?: string;
}

/** A Kubernetes `Status` body, as far as we read it. */
interface StatusLike {
  message?: unknown;
  reason?: unknown;
  details?: { causes?: Array<{ reason?: unknown; message?: unknown; field?: unknown }> };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

function statusBody(body: unknown): StatusLike | undefined {
  if (typeof body === 'string') {
    try {
      const parsed: unknown = JSON.parse(body);
      return typeof parsed === 'object' && parsed !== null ? (parsed as StatusLike) : undefined;
    } catch {
      return undefined;
    }
  }
  return typeof body === 'object' && body !== null ? (body as StatusLike) : undefined;
}

/** The HTTP status of a client-node error (ApiException `.code`, Watch `.statusCode`), or undefined. */
export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; statusCode?: unknown; name?: unknown };
  if (typeof e.statusCode === 'number') return e.statusCode;
  if (typeof e.code === 'number') return e.code;
  return undefined;
}

/** True for errors that mean "could not talk to the API server" (refused, reset, DNS, timeout). */
export function isConnectionError(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && typeof e === 'object' && e !== null; depth++) {
    const x = e as { code?: unknown; errno?: unknown; type?: unknown; name?: unknown; cause?: unknown };
    if (typeof x.code === 'string' && NETWORK_CODES.has(x.code)) return true;
    if (x.type === 'system' || x.type === 'request-timeout') return true;
    if (x.name === 'AbortError' || x.name === 'TimeoutError' || x.name === 'FetchError') return true;
    e = x.cause;
  }
  return false;
}

function codeFor(status: number, operation: string): ErrorCode {
  switch (status) {
    case 400:
      return 'BAD_REQUEST';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'FORBIDDEN';
    case 404:
    case 410:
      return 'NOT_FOUND';
    case 409:
      return 'CONFLICT';
    case 422:
      return 'VALIDATION_FAILED';
    case 429:
      return operation === 'evict' ? 'PDB_BLOCKED' : 'RATE_LIMITED';
    case 502:
    case 503:
    case 504:
      return 'UNAVAILABLE';
    default:
      return 'INTERNAL';
  }
}

function target(ctx: KubeCallContext): string {
  const obj = ctx.name ? `${ctx.kind ?? 'object'} ${ctx.namespace ? `${ctx.namespace}/` : ''}${ctx.name}` : (ctx.kind ?? 'objects');
  return `${ctx.operation} ${obj}`;
}

/** Turns anything a client-node call threw into an AppError (an AppError passes through unchanged). */
export function toAppError(error: unknown, ctx: KubeCallContext): AppError {
  if (error instanceof AppError) return error;
  const details: Record<string, unknown> = { operation: ctx.operation };
  if (ctx.kind) details['kind'] = ctx.kind;
  if (ctx.namespace) details['namespace'] = ctx.namespace;
  if (ctx.name) details['name'] = ctx.name;
  const status = httpStatusOf(error);
  if (status === undefined || status === 0) {
    if (isConnectionError(error)) return new AppError('UNAVAILABLE', `${target(ctx)}: the Kubernetes API server is not reachable`, details, { cause: error });
    return new AppError('INTERNAL', `${target(ctx)} failed`, details, { cause: error });
  }
  const body = statusBody((error as { body?: unknown }).body);
  const code = codeFor(status, ctx.operation);
  details['http_status'] = status;
  if (typeof body?.reason === 'string') details['reason'] = body.reason;
  const causes = (body?.details?.causes ?? []).flatMap((c) => (typeof c.message === 'string' ? [{ reason: c.reason, field: c.field, message: c.message }] : []));
  if (causes.length > 0) details['causes'] = causes;
  const apiMessage = typeof body?.message === 'string' ? body.message : undefined;
  if (code === 'PDB_BLOCKED') {
    const budget = causes.find((c) => c.reason === 'DisruptionBudget')?.message;
    const message = [apiMessage ?? "Cannot evict pod as it would violate the pod's disruption budget.", budget].filter(Boolean).join(' ');
    return new AppError('PDB_BLOCKED', message, details, { cause: error });
  }
  if (code === 'INTERNAL') return new AppError('INTERNAL', `${target(ctx)} failed (HTTP ${status})`, details, { cause: error });
  return new AppError(code, apiMessage ? `${target(ctx)}: ${apiMessage}` : `${target(ctx)}: HTTP ${status}`, details, { cause: error });
}
