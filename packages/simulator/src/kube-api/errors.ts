import type { Status } from './types.ts';

/** The `reason` values of `Status` the simulator answers with (k8s.io/apimachinery StatusReason). */
export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'TooManyRequests'
  | 'Expired'
  | 'InternalError';

const CODES: Record<StatusReason, number> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  NotAcceptable: 406,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  Expired: 410,
  UnsupportedMediaType: 415,
  Invalid: 422,
  TooManyRequests: 429,
  InternalError: 500,
};

/**
 * An error the store or the HTTP layer raises for a client mistake or a refused operation. It carries exactly
 * what the apiserver's `Status` would, so the HTTP layer answers `toStatus()` with `code` unchanged and
 * in-process controllers can branch on `reason` (`NotFound`, `Conflict`, `AlreadyExists`, …).
 */
export class KubeApiError extends Error {
  readonly reason: StatusReason;
  readonly code: number;
  readonly details: Status['details'];

  constructor(reason: StatusReason, message: string, details?: Status['details']) {
    super(message);
    this.name = 'KubeApiError';
    this.reason = reason;
    this.code = CODES[reason];
    this.details = details;
  }

  /** The wire `Status` object. */
  toStatus(): Status {
    return statusObject(this.code, this.reason, this.message, this.details);
  }
}

/** Builds a failure `Status` (what the apiserver writes for every error). */
export function statusObject(code: number, reason: string, message: string, details?: Status['details']): Status {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) status.details = details;
  return status;
}

/** `"pods \"web-1\" not found"` — the apiserver's wording, which kubectl prints as is. */
export function notFound(resource: string, name: string, group = '', kind?: string): KubeApiError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new KubeApiError('NotFound', `${qualified} "${name}" not found`, { name, group, kind: kind ?? resource });
}

export function alreadyExists(resource: string, name: string, group = ''): KubeApiError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new KubeApiError('AlreadyExists', `${qualified} "${name}" already exists`, { name, group, kind: resource });
}

export function conflict(resource: string, name: string, why: string, group = ''): KubeApiError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new KubeApiError('Conflict', `Operation cannot be fulfilled on ${qualified} "${name}": ${why}`, {
    name,
    group,
    kind: resource,
  });
}

/** 422 with one cause per invalid field, the way kubectl prints `The Pod "x" is invalid: * spec...`. */
export function invalid(
  kind: string,
  name: string,
  causes: Array<{ field: string; message: string; reason?: string }>,
  group = '',
): KubeApiError {
  const summary = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  const message =
    causes.length === 1 ? `${kind} "${name}" is invalid: ${summary}` : `${kind} "${name}" is invalid: [${summary}]`;
  return new KubeApiError('Invalid', message, {
    name,
    group,
    kind,
    causes: causes.map((c) => ({ reason: c.reason ?? 'FieldValueInvalid', message: c.message, field: c.field })),
  });
}

export function badRequest(message: string): KubeApiError {
  return new KubeApiError('BadRequest', message);
}
