/**
 * @cloudoptim/db — the database layer: open PostgreSQL or embedded PGlite, versioned migrations, the Drizzle
 * schema and customer-scoped repositories.
 */
export { openDatabase, type Database, type DbScope, type DrizzleDb, type OpenDatabaseOptions, type QueryFn, type Schema } from './database.ts';
export type { DbLogger } from './logger.ts';
export { translateDbError } from './db-errors.ts';
export { LOCK_FILE_NAME, type LockHolder } from './data-dir-lock.ts';
export { migrate, migrationStatus, type AppliedMigrationStatus, type MigrationStatus, type PendingMigration } from './migrations/migration-status.ts';
export { DEFAULT_MIGRATIONS_DIR, loadMigrationFiles, migrationChecksum, type MigrationFile } from './migrations/migration-files.ts';
export { MIGRATION_LOCK_KEY, type AppliedMigration } from './migrations/migrator.ts';
export * as schema from './schema.ts';
export { CustomersRepository, type Customer, type NewCustomer } from './repositories/customers.repository.ts';
export { ClustersRepository, type Cluster, type ClusterStateSnapshot, type HealthStatus, type NewCluster } from './repositories/clusters.repository.ts';
export { NodesRepository, type CapacityType, type Node, type NodeReport } from './repositories/nodes.repository.ts';
export {
  SpotEventsRepository,
  type NewSpotEvent,
  type RecordSpotEventResult,
  type SpotEvent,
  type SpotEventType,
} from './repositories/spot-events.repository.ts';
