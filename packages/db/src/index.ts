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
  type SpotEventListOptions,
  type SpotEventType,
  type SpotEventUpdate,
} from './repositories/spot-events.repository.ts';
export { UsersRepository, normalizeEmail, type NewUser, type User, type UserCredentials, type UserRole } from './repositories/users.repository.ts';
export { SessionsRepository, type NewSession, type Session, type SessionWithUser } from './repositories/sessions.repository.ts';
export { AgentKeysRepository, isAgentKeyActive, type AgentKey, type NewAgentKey } from './repositories/agent-keys.repository.ts';
export { LoginFailuresRepository, type LoginFailureCount } from './repositories/login-failures.repository.ts';
export { AuditLogRepository, type AuditCursor, type AuditListOptions, type AuditRecord, type NewAuditRecord } from './repositories/audit-log.repository.ts';
export { ClusterSettingsRepository, type ClusterSettingsRecord } from './repositories/cluster-settings.repository.ts';
export { WorkerLeasesRepository, type WorkerLease } from './repositories/worker-leases.repository.ts';
export { SpotReplacementsRepository, type NewSpotReplacement, type SpotReplacement, type SpotReplacementStatus } from './repositories/spot-replacements.repository.ts';
export { CostSamplesRepository, type CostSample, type CostSampleRange, type NewCostSample } from './repositories/cost-samples.repository.ts';
export {
  PlansRepository,
  type NewPlan,
  type NewPlanStep,
  type Plan,
  type PlanListOptions,
  type PlanOutcome,
  type PlanStatus,
  type PlanStep,
  type PlanStepPatch,
  type PlanStepStatus,
  type PlanTransitionFields,
  type PlanTrigger,
  type PlanWithSteps,
} from './repositories/plans.repository.ts';
export { SavingsLedgerRepository, type NewSavingsMeasurement, type SavingsMeasurement } from './repositories/savings-ledger.repository.ts';
export { TasksRepository, type NewTask, type RecordResultOutcome, type StoredTask, type TaskListOptions } from './repositories/tasks.repository.ts';
export { ClusterEventsRepository, type StoredClusterEvent } from './repositories/cluster-events.repository.ts';
export { PodsRepository, type PodListOptions, type PodSnapshot } from './repositories/pods.repository.ts';
export {
  ClusterMetricsRepository,
  HOURLY_RESOLUTION_SECONDS,
  RAW_RESOLUTION_SECONDS,
  type MetricsPoint,
  type MetricsReport,
  type MetricsSample,
  type MetricsValues,
  type ReportOutcome,
} from './repositories/cluster-metrics.repository.ts';
export { AgentHeartbeatsRepository, type AgentHeartbeat, type BeatOutcome, type ClusterLiveness, type ClusterWithHeartbeat } from './repositories/agent-heartbeats.repository.ts';
export {
  NotificationChannelsRepository,
  NotificationDeliveriesRepository,
  type AttemptOutcome,
  type DueDelivery,
  type NewNotificationChannel,
  type NewNotificationDelivery,
  type NotificationChannel,
  type NotificationChannelKind,
  type NotificationChannelPatch,
  type NotificationDelivery,
  type NotificationDeliveryStatus,
  type StoredChannelCredentials,
  type NotificationEventKind,
} from './repositories/notifications.repository.ts';
export { OfficeHoursRepository, type NewScaledWorkload, type ScaledWorkload, type ScaledWorkloadKind, type ScaledWorkloadState } from './repositories/office-hours.repository.ts';
