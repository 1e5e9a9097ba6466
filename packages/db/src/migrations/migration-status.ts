import { databaseInternals, type Database } from '../database.ts';
import { withDbErrors } from '../db-errors.ts';
import { loadMigrationFiles } from './migration-files.ts';
import { applyMigrations, readAppliedMigrations, type AppliedMigration } from './migrator.ts';

/** An applied migration as the status reports it. */
export interface AppliedMigrationStatus extends AppliedMigration {
  /** The file name, or null when this build has no file for the version (a newer build applied it). */
  fileName: string | null;
  /** True when the file on disk differs from what was applied (openDatabase would refuse to start). */
  checksumMismatch: boolean;
}

/** A migration file not yet applied. */
export interface PendingMigration {
  version: number;
  name: string;
  fileName: string;
}

/** What `db migrate` reports. */
export interface MigrationStatus {
  applied: AppliedMigrationStatus[];
  pending: PendingMigration[];
}

/**
 * Lists applied migrations (with checksum drift flagged) and pending ones, without changing anything.
 * Throws AppError (UNAVAILABLE, INTERNAL) when the database cannot be read, MIGRATION_FAILED when the files are
 * misnamed.
 */
export async function migrationStatus(database: Database): Promise<MigrationStatus> {
  const { driver, migrationsDir } = databaseInternals(database);
  const files = loadMigrationFiles(migrationsDir);
  const applied = await withDbErrors('read schema_migrations', () => readAppliedMigrations(driver));
  return {
    applied: applied.map((row) => {
      const file = files.find((candidate) => candidate.version === row.version);
      return { ...row, fileName: file?.fileName ?? null, checksumMismatch: file !== undefined && file.checksum !== row.checksum };
    }),
    pending: files
      .filter((file) => !applied.some((row) => row.version === file.version))
      .map((file) => ({ version: file.version, name: file.name, fileName: file.fileName })),
  };
}

/**
 * Applies pending migrations (for `cloudoptim db migrate`; `openDatabase` already does it unless `migrate: false`).
 * Returns the migrations applied by this call, in order (empty when up to date).
 * Throws AppError MIGRATION_FAILED (checksum drift, failing migration), UNAVAILABLE.
 */
export async function migrate(database: Database): Promise<AppliedMigration[]> {
  const { driver, migrationsDir, log, schema } = databaseInternals(database);
  const files = loadMigrationFiles(migrationsDir);
  return withDbErrors('migrate', () => applyMigrations(driver, files, log, schema));
}
