import { AppError } from '@cloudoptim/contracts';
import type { RawConnection, RawDriver } from '../drivers/driver.ts';
import { findPgError } from '../db-errors.ts';
import type { DbLogger } from '../logger.ts';
import type { MigrationFile } from './migration-files.ts';

/**
 * The fixed advisory-lock key that serialises migrations across processes (an arbitrary constant:
 * "cloudoptim" as bytes, truncated to fit a bigint).
 */
export const MIGRATION_LOCK_KEY = 7_161_409_868_121_005n;

/** A migration recorded in `schema_migrations`. */
export interface AppliedMigration {
  version: number;
  name: string;
  checksum: string;
  appliedAt: Date;
}

type AppliedRow = {
  version: number;
  name: string;
  checksum: string;
  applied_at: string | Date;
};

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

/** Reads `schema_migrations`, or [] when the table does not exist yet. */
export async function readAppliedMigrations(conn: Pick<RawConnection, 'query'>): Promise<AppliedMigration[]> {
  const exists = await conn.query<{ present: boolean }>(`SELECT to_regclass('schema_migrations') IS NOT NULL AS present`);
  if (!exists[0]?.present) return [];
  const rows = await conn.query<AppliedRow>('SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version');
  return rows.map((row) => ({ version: Number(row.version), name: row.name, checksum: row.checksum, appliedAt: new Date(row.applied_at) }));
}

/** Throws MIGRATION_FAILED when an applied migration's file changed since it was applied. */
function verifyChecksums(applied: AppliedMigration[], files: MigrationFile[]): void {
  for (const row of applied) {
    const file = files.find((candidate) => candidate.version === row.version);
    if (file && file.checksum !== row.checksum) {
      throw new AppError(
        'MIGRATION_FAILED',
        `Migration ${file.fileName} was changed after it was applied (checksum ${row.checksum.slice(0, 12)}… in the database, ` +
          `${file.checksum.slice(0, 12)}… on disk). Restore the file and add a new migration instead.`,
        { file: file.fileName, version: row.version },
      );
    }
  }
}

async function takeLock(tx: RawConnection, log: DbLogger): Promise<void> {
  const key = MIGRATION_LOCK_KEY.toString();
  const got = await tx.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock(${key}) AS locked`);
  if (got[0]?.locked) return;
  log.info({ lockKey: key }, 'waiting for the migration lock held by another process');
  await tx.query(`SELECT pg_advisory_xact_lock(${key})`);
}

/**
 * Applies the pending migrations in version order. Each runs in its own transaction which first takes the
 * transaction-scoped advisory lock {@link MIGRATION_LOCK_KEY}, re-reads `schema_migrations`, verifies checksums and
 * applies the next pending file — so concurrent starters apply each migration exactly once (this also works behind
 * a transaction-pooling proxy, unlike a session lock).
 *
 * Failure modes (all AppError MIGRATION_FAILED): an applied file's checksum changed; a migration's SQL failed (its
 * transaction is rolled back; the message names the file and the database's reason). Versions applied in the
 * database but unknown to this build are logged as a warning and left alone.
 * Migration files must not contain their own BEGIN/COMMIT nor statements that cannot run in a transaction.
 * With `schema` (already validated as an identifier, and the sessions' search_path) it is created first, under
 * the same lock, so concurrent starters do not race on CREATE SCHEMA.
 */
export async function applyMigrations(driver: RawDriver, files: MigrationFile[], log: DbLogger, schema?: string): Promise<AppliedMigration[]> {
  const appliedNow: AppliedMigration[] = [];
  let first = true;
  for (;;) {
    const step = await driver.withConnection((conn) =>
      conn.transaction(async (tx) => {
        await takeLock(tx, log);
        if (schema !== undefined) await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        await tx.exec(CREATE_TABLE);
        const applied = await readAppliedMigrations(tx);
        verifyChecksums(applied, files);
        if (first) {
          first = false;
          const unknown = applied.filter((row) => !files.some((file) => file.version === row.version));
          if (unknown.length > 0) {
            log.warn({ versions: unknown.map((row) => row.version) }, 'the database has migrations this build does not know (a newer build applied them)');
          }
        }
        const next = files.find((file) => !applied.some((row) => row.version === file.version));
        if (!next) return undefined;
        try {
          await tx.exec(next.sql);
        } catch (error) {
          const reason = findPgError(error)?.message ?? (error instanceof Error ? error.message : String(error));
          throw new AppError('MIGRATION_FAILED', `Migration ${next.fileName} failed and was rolled back: ${reason}`, { file: next.fileName, version: next.version }, { cause: error });
        }
        const rows = await tx.query<AppliedRow>(
          'INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3) RETURNING version, name, checksum, applied_at',
          [next.version, next.name, next.checksum],
        );
        const row = rows[0];
        return { version: next.version, name: next.name, checksum: next.checksum, appliedAt: row ? new Date(row.applied_at) : new Date() };
      }),
    );
    if (!step) return appliedNow;
    log.info({ version: step.version, migration: step.name }, 'applied database migration');
    appliedNow.push(step);
  }
}
