/**
 * Stores a cluster's new health and, when it changed, tells admins (`cluster_state_changed` with the full state).
 * Used by the heartbeat route (recovery shows at once) and the health worker (silence shows within a pass).
 */
import { randomUUID } from 'node:crypto';
import { STREAM_EVENT_VERSION, type HealthStatus } from '@cloudoptim/contracts';
import { AgentHeartbeatsRepository, ClustersRepository, type Database } from '@cloudoptim/db';
import type { Clock, Logger } from '@cloudoptim/runtime';
import { clusterStateOf } from '../cluster-data/cluster-state.ts';
import type { RealtimeHub } from '../realtime/realtime-hub.ts';

export interface HealthUpdateDeps {
  db: Database;
  clock: Clock;
  log: Logger;
  realtime: RealtimeHub;
}

/** Sets the health; returns whether it changed (only then is the change published). */
export async function applyHealth(deps: HealthUpdateDeps, customerId: string, clusterId: string, health: HealthStatus): Promise<boolean> {
  if (!(await new AgentHeartbeatsRepository(deps.db.db).setHealth(customerId, clusterId, health))) return false;
  await publishHealthChange(deps, customerId, clusterId, health);
  return true;
}

/**
 * Tells admins that the cluster's health changed to `health` (already stored by the caller), with its full state.
 * Never throws for a failed publish (logged); a cluster deleted meanwhile is skipped.
 */
export async function publishHealthChange(deps: HealthUpdateDeps, customerId: string, clusterId: string, health: HealthStatus): Promise<void> {
  const cluster = await new ClustersRepository(deps.db.db).find(customerId, clusterId);
  if (!cluster) return;
  deps.log.info({ clusterId, health }, 'cluster health changed');
  const now = new Date(deps.clock.now()).toISOString();
  await deps.realtime
    .publishToAdmins(customerId, { type: 'cluster_state_changed', v: STREAM_EVENT_VERSION, id: randomUUID(), sent_at: now, cluster_id: clusterId, state: clusterStateOf(cluster, health) })
    .catch((error: unknown) => deps.log.warn({ clusterId, err: error instanceof Error ? error.message : String(error) }, 'could not publish a health change'));
}
