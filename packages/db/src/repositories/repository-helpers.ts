import { AppError } from '@cloudoptim/contracts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when `value` is a UUID (ids that are not cannot exist, so lookups answer "not found" without a query). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Throws VALIDATION_FAILED when `value` (named `path`) is not a UUID. */
export function requireUuid(value: string, path: string): void {
  if (!isUuid(value)) throw new AppError('VALIDATION_FAILED', `${path} is not a UUID`, { issues: [{ path, message: 'must be a UUID' }] });
}

/** Throws NOT_FOUND naming the resource when `value` is null. */
export function found<T>(value: T | null, what: string, id: string): T {
  if (value === null) throw new AppError('NOT_FOUND', `${what} ${id} not found`, { id });
  return value;
}

/** Clamps a list limit to 1…1000 (default 100). */
export function listLimit(limit: number | undefined): number {
  if (limit === undefined) return 100;
  return Math.min(1000, Math.max(1, Math.floor(limit)));
}
