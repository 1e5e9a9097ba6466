import { AppError } from '@cloudoptim/contracts';

/** The fields of a PostgreSQL error that both `pg` and PGlite expose. */
interface PgErrorLike {
  code: string;
  message: string;
  detail?: string;
  table?: string;
  column?: string;
  constraint?: string;
}

/** Finds the PostgreSQL server error in `error` or its `cause` chain (Drizzle wraps driver errors). */
export function findPgError(error: unknown): PgErrorLike | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return current as unknown as PgErrorLike;
    current = current.cause;
  }
  return undefined;
}

const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EPIPE']);

function findConnectionError(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_ERROR_CODES.has(code)) return code;
    if (/Connection terminated|connection timeout|Client has encountered a connection error/i.test(current.message)) return 'CONNECTION_LOST';
    current = current.cause;
  }
  return undefined;
}

/**
 * Translates a driver error into an AppError (ARCHITECTURE convention 4), so no raw `pg`/PGlite error leaves a
 * repository:
 * - 23505 unique violation → CONFLICT
 * - 23503 foreign key: a referenced row is missing → NOT_FOUND; a row is still referenced → CONFLICT
 * - 23514 check, 23502 not-null, 22xxx data exceptions (bad uuid, too long, out of range) → VALIDATION_FAILED
 * - 40001/40P01 serialization failure or deadlock → CONFLICT (retryable)
 * - connection failures, 08xxx, 57P0x, 53300 → UNAVAILABLE
 * - anything else → INTERNAL (the original error kept as `cause`, never in `details`)
 *
 * `details` carry only the table, column and constraint names (never values). An AppError passes through unchanged.
 * `what` names the operation for the message ("create cluster").
 */
export function translateDbError(error: unknown, what: string): AppError {
  if (error instanceof AppError) return error;
  const pg = findPgError(error);
  if (pg) {
    const details = { table: pg.table ?? null, column: pg.column ?? null, constraint: pg.constraint ?? null, sqlstate: pg.code };
    const on = pg.constraint ? ` (${pg.constraint})` : '';
    if (pg.code === '23505') return new AppError('CONFLICT', `${what}: already exists${on}`, details, { cause: error });
    if (pg.code === '23503') {
      const stillReferenced = /still referenced/i.test(`${pg.detail ?? ''} ${pg.message}`);
      return stillReferenced
        ? new AppError('CONFLICT', `${what}: the row is still referenced${on}`, details, { cause: error })
        : new AppError('NOT_FOUND', `${what}: a referenced row does not exist${on}`, details, { cause: error });
    }
    if (pg.code === '23514' || pg.code === '23502' || pg.code.startsWith('22')) {
      const column = pg.column ? ` column ${pg.column}` : '';
      return new AppError('VALIDATION_FAILED', `${what}: invalid value${column}${on}`, { ...details, issues: [{ path: pg.column ?? pg.constraint ?? '', message: pg.message }] }, { cause: error });
    }
    if (pg.code === '40001' || pg.code === '40P01') return new AppError('CONFLICT', `${what}: concurrent update, retry`, details, { cause: error });
    if (pg.code.startsWith('08') || pg.code.startsWith('57P') || pg.code === '53300') {
      return new AppError('UNAVAILABLE', `${what}: database unavailable`, { sqlstate: pg.code }, { cause: error });
    }
    return new AppError('INTERNAL', `${what}: database error`, null, { cause: error });
  }
  const connection = findConnectionError(error);
  if (connection) return new AppError('UNAVAILABLE', `${what}: database unavailable`, { reason: connection }, { cause: error });
  return new AppError('INTERNAL', `${what}: database error`, null, { cause: error });
}

/** Runs `fn`, translating any failure with {@link translateDbError}. */
export async function withDbErrors<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw translateDbError(error, what);
  }
}
