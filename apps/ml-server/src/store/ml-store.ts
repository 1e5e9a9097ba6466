/**
 * The ML server's own database: PGlite in its data directory by default, or PostgreSQL via DATABASE_URL in its
 * own schema (so replicas share models and price data with each other, never tables with central). Migrations
 * come from apps/ml-server/migrations and are recorded in that schema's own `schema_migrations`.
 */
import { fileURLToPath } from 'node:url';
import { type Database, type DbLogger, openDatabase } from '@cloudoptim/db';

/** apps/ml-server/migrations. */
export const ML_MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

/** The schema the ML server's tables live in on a shared PostgreSQL (unless configured otherwise). */
export const DEFAULT_ML_SCHEMA = 'ml';

export interface MlStoreOptions {
  /** PostgreSQL; when set, `dataDir` is ignored. */
  databaseUrl?: string;
  /** PGlite data directory (locked while open); neither this nor `databaseUrl`: in-memory PGlite (tests). */
  dataDir?: string;
  /** Default {@link DEFAULT_ML_SCHEMA}. */
  schema?: string;
  log?: DbLogger;
}

/**
 * Opens and migrates the store. Failure modes (AppError): DATA_DIR_LOCKED (another process holds `dataDir`),
 * UNAVAILABLE (PostgreSQL unreachable), MIGRATION_FAILED, CONFIG_INVALID (a bad schema name).
 */
export function openMlStore(options: MlStoreOptions = {}): Promise<Database> {
  return openDatabase({
    ...(options.databaseUrl !== undefined ? { databaseUrl: options.databaseUrl } : options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    schema: options.schema ?? DEFAULT_ML_SCHEMA,
    migrationsDir: ML_MIGRATIONS_DIR,
    ...(options.log && { log: options.log }),
  });
}
