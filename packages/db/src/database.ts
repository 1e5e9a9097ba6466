import type { PGlite } from '@electric-sql/pglite';
import { AppError } from '@cloudoptim/contracts';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.ts';
import { translateDbError } from './db-errors.ts';
import type { RawDriver, RawRow } from './drivers/driver.ts';
import { openPgliteDriver } from './drivers/pglite.driver.ts';
import { openPostgresDriver } from './drivers/postgres.driver.ts';
import { silentLogger, type DbLogger } from './logger.ts';
import { DEFAULT_MIGRATIONS_DIR, loadMigrationFiles } from './migrations/migration-files.ts';
import { applyMigrations } from './migrations/migrator.ts';
import * as schema from './schema.ts';
import { toSql } from './raw-sql.ts';

/** The Drizzle schema type. */
export type Schema = typeof schema;

/** A Drizzle database (or transaction) typed with the schema; the same type for both drivers. */
export type DrizzleDb = PgDatabase<PgQueryResultHKT, Schema>;

/** Runs one SQL statement with `$1…$n` placeholders and returns its rows. */
export type QueryFn = <R = RawRow>(text: string, params?: readonly unknown[]) => Promise<R[]>;

/**
 * What runs queries: a {@link Database} or the scope of one of its transactions. Repositories are built on
 * `scope.db`, so the same repository works inside and outside a transaction.
 */
export interface DbScope {
  /** Drizzle, typed with the schema. */
  readonly db: DrizzleDb;
  /**
   * Raw SQL through the same session as `db`. Values come back as the driver's raw mode gives them: timestamps
   * as strings, numeric as strings. Errors are translated to AppError (see `translateDbError`).
   */
  readonly query: QueryFn;
}

/** An open database. Close it once; `close()` is idempotent. */
export interface Database extends DbScope {
  readonly driver: 'pglite' | 'postgres';
  /**
   * Runs `fn` in a transaction: COMMIT when it resolves, ROLLBACK when it throws (the error is rethrown as is).
   * Nested `scope.db.transaction()` calls use savepoints.
   */
  transaction<T>(fn: (scope: DbScope) => Promise<T>): Promise<T>;
  /**
   * LISTEN on `channel` (PGlite: in-process; PostgreSQL: a dedicated connection, reopened when it drops).
   * Resolves to the function that stops listening. Send with `notify`, or `SELECT pg_notify(...)` in a transaction.
   * `onReconnect` runs when a dropped LISTEN is back: what was sent in between is lost, so a listener that keeps
   * state from notifications (a cache) should forget it then.
   */
  listen(channel: string, onPayload: (payload: string) => void, onReconnect?: () => void): Promise<() => Promise<void>>;
  /** NOTIFY `channel` with `payload` (at most ~8,000 bytes: send ids, not documents). */
  notify(channel: string, payload: string): Promise<void>;
  /** Closes the pool or PGlite and releases the data directory lock. */
  close(): Promise<void>;
}

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** A PostgreSQL connection string; when set, a node-postgres pool is used and `dataDir` is ignored. */
  databaseUrl?: string;
  /** PGlite's data directory (created when missing, locked while open). Neither this nor `databaseUrl`: in-memory PGlite. */
  dataDir?: string;
  /** Apply pending migrations at open (default true). Checksums of applied migrations are verified either way when true. */
  migrate?: boolean;
  /** Where the migration files are (default: the package's `migrations/`). For tools and tests. */
  migrationsDir?: string;
  /** node-postgres pool size (default 10). */
  maxConnections?: number;
  /**
   * The PostgreSQL schema that holds this database's tables and its own `schema_migrations`, so that two apps
   * with their own migrations can share one DATABASE_URL (the ML server next to central). Every session's
   * search_path is this schema alone; migrating creates it when missing. A lower-case SQL identifier
   * (`[a-z_][a-z0-9_]*`, at most 63 characters); default: the server's search_path (`public`).
   * @throws AppError CONFIG_INVALID (from openDatabase) for any other name.
   */
  schema?: string;
  log?: DbLogger;
}

interface DatabaseInternals {
  driver: RawDriver;
  migrationsDir: string;
  log: DbLogger;
  schema?: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

const internals = new WeakMap<Database, DatabaseInternals>();

/** The driver and settings behind a Database (for the migrator). Internal to the package. */
export function databaseInternals(database: Database): DatabaseInternals {
  const found = internals.get(database);
  if (!found) throw new AppError('INTERNAL', 'Not a Database opened by openDatabase()');
  return found;
}

function scopeOf(db: DrizzleDb): DbScope {
  return {
    db,
    query: async <R = RawRow>(text: string, params?: readonly unknown[]) => {
      try {
        const result = (await db.execute(toSql(text, params))) as unknown as { rows: R[] };
        return result.rows;
      } catch (error) {
        throw translateDbError(error, 'query');
      }
    },
  };
}

async function openDriver(options: OpenDatabaseOptions, log: DbLogger): Promise<{ driver: RawDriver; db: DrizzleDb; lock?: DataDirLock }> {
  if (options.databaseUrl) {
    const { driver, pool } = openPostgresDriver({ connectionString: options.databaseUrl, maxConnections: options.maxConnections, log, ...(options.schema !== undefined && { searchPath: options.schema }) });
    return { driver, db: drizzlePostgres({ client: pool, schema }) as unknown as DrizzleDb };
  }
  let lock: DataDirLock | undefined;
  try {
    lock = options.dataDir === undefined ? undefined : acquireDataDirLock(options.dataDir, log);
  } catch (error) {
    if (error instanceof AppError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError('INTERNAL', `Cannot create or lock the data directory ${options.dataDir}: ${reason}`, { data_dir: options.dataDir ?? null }, { cause: error });
  }
  let client: PGlite;
  let driver: RawDriver;
  try {
    ({ driver, client } = await openPgliteDriver(options.dataDir, options.schema));
  } catch (error) {
    lock?.release();
    throw new AppError('DATA_CORRUPT', `Cannot open the embedded database in ${options.dataDir ?? 'memory'}`, { data_dir: options.dataDir ?? null }, { cause: error });
  }
  return { driver, db: drizzlePglite({ client, schema }) as unknown as DrizzleDb, lock };
}

/**
 * Opens the database: node-postgres when `databaseUrl` is set, otherwise PGlite in `dataDir` (or in memory).
 * Then checks the connection and, unless `migrate: false`, applies pending migrations under the migration lock.
 *
 * Failure modes (AppError): DATA_DIR_LOCKED (another live process holds `dataDir`), UNAVAILABLE (PostgreSQL not
 * reachable), MIGRATION_FAILED (a migration failed or an applied one changed), DATA_CORRUPT (PGlite cannot open
 * its directory). On failure everything opened so far is closed again.
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  const log = options.log ?? silentLogger;
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new AppError('CONFIG_INVALID', `the database schema name must be a lower-case SQL identifier ([a-z_][a-z0-9_]*, at most 63 characters)`, { issues: [{ path: 'schema', message: 'not a lower-case SQL identifier' }] });
  }
  const { driver, db, lock } = await openDriver(options, log);
  let closed = false;
  const root = scopeOf(db);
  const database: Database = {
    db,
    driver: driver.kind,
    query: root.query,
    transaction: (fn) => db.transaction((tx) => fn(scopeOf(tx as unknown as DrizzleDb))),
    listen: (channel, onPayload, onReconnect) => driver.listen(channel, onPayload, onReconnect),
    notify: async (channel, payload) => {
      await root.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await driver.close();
      } finally {
        lock?.release();
      }
    },
  };
  const migrationsDir = options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR;
  internals.set(database, { driver, migrationsDir, log, ...(options.schema !== undefined && { schema: options.schema }) });
  try {
    await driver.query('SELECT 1').catch((error: unknown) => {
      throw translateDbError(error, 'connect to the database');
    });
    if (options.migrate ?? true) await applyMigrations(driver, loadMigrationFiles(migrationsDir), log, options.schema);
    log.info({ driver: driver.kind, dataDir: options.databaseUrl ? null : (options.dataDir ?? 'memory') }, 'database open');
    return database;
  } catch (error) {
    await database.close().catch(() => {});
    if (error instanceof AppError) throw error;
    throw translateDbError(error, 'open the database');
  }
}
