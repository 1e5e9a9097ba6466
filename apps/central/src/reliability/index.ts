/** `@cloudoptim/central/testing/reliability`: the failover runs for the reliability benchmark (apps/cli). */
export { runPostgresRestart, runReplicaFailover, type LoadShape, type PostgresRestartReport, type ReplicaFailoverReport } from './failover-runs.ts';
export type { FleetPhaseStats } from '../testing/agent-fleet.ts';
