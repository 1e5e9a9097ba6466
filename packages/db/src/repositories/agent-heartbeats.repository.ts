import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Heartbeat } from '@cloudoptim/contracts';
import type { DrizzleDb } from '../database.ts';
import { withDbErrors } from '../db-errors.ts';
import { agentHeartbeats, clusterSettings, clusters, tasks } from '../schema.ts';
import { toCluster, type Cluster, type HealthStatus } from './clusters.repository.ts';
import { found, isUuid, requireUuid } from './repository-helpers.ts';
import { offerableTasks } from './tasks.repository.ts';
import { TELEMETRY_COMMIT } from './telemetry-commit.ts';

/** The last heartbeat of a cluster's agent. */
export interface AgentHeartbeat {
  clusterId: string;
  customerId: string;
  agentId: string;
  agentVersion: string;
  kubernetesVersion: string | null;
  agentStatus: 'healthy' | 'degraded';
  problems: string[];
  bufferedMessages: number;
  /** The agent's clock when it sent the heartbeat. */
  agentTime: Date;
  /** Central's clock when it received it. */
  receivedAt: Date;
}

/** A cluster as the health worker sees it: its stored health and its agent's last heartbeat (null: never). */
export interface ClusterLiveness {
  customerId: string;
  clusterId: string;
  healthStatus: HealthStatus | null;
  lastHeartbeatAt: Date | null;
  agentStatus: 'healthy' | 'degraded' | null;
}

/** What {@link AgentHeartbeatsRepository.beat} did and what the agent is told back. */
export interface BeatOutcome {
  /** The cluster's health before this heartbeat (null: never set); it changed when this differs from the new one. */
  previousHealth: HealthStatus | null;
  /** The version of the cluster's settings (1 while none were ever changed). */
  configVersion: number;
  /** Tasks the agent could lease now. */
  pendingTasks: number;
}

/** A cluster and the last heartbeat of its agent (null: never). */
export interface ClusterWithHeartbeat {
  cluster: Cluster;
  heartbeat: { receivedAt: Date; agentStatus: 'healthy' | 'degraded' } | null;
}

function toHeartbeat(row: typeof agentHeartbeats.$inferSelect): AgentHeartbeat {
  return {
    clusterId: row.clusterId,
    customerId: row.customerId,
    agentId: row.agentId,
    agentVersion: row.agentVersion,
    kubernetesVersion: row.kubernetesVersion,
    agentStatus: row.agentStatus,
    problems: row.problems,
    bufferedMessages: row.bufferedMessages,
    agentTime: row.agentTime,
    receivedAt: row.receivedAt,
  };
}

/**
 * Agents' heartbeats and the cluster health derived from them. Scoped by customer, except `liveness`, which
 * the health worker runs over every cluster. Errors are AppErrors: VALIDATION_FAILED (bad ids), NOT_FOUND (the
 * cluster is not the customer's).
 */
export class AgentHeartbeatsRepository {
  constructor(private readonly db: DrizzleDb) {}

  /** Stores the heartbeat as the cluster's last (and `clusters.last_heartbeat_at`), received at `receivedAt`. */
  async record(customerId: string, clusterId: string, heartbeat: Heartbeat, receivedAt: Date): Promise<AgentHeartbeat> {
    requireUuid(customerId, 'customer_id');
    requireUuid(clusterId, 'cluster_id');
    return withDbErrors('record heartbeat', async () => {
      const values = {
        agentId: heartbeat.agent_id,
        agentVersion: heartbeat.agent_version,
        kubernetesVersion: heartbeat.kubernetes_version,
        agentStatus: heartbeat.status,
        problems: heartbeat.problems,
        bufferedMessages: heartbeat.buffered_messages,
        agentTime: new Date(heartbeat.timestamp),
        receivedAt,
      };
      const [row] = await this.db
        .insert(agentHeartbeats)
        .values({ customerId, clusterId, ...values })
        .onConflictDoUpdate({ target: agentHeartbeats.clusterId, set: values, setWhere: eq(agentHeartbeats.customerId, customerId) })
        .returning();
      await this.db
        .update(clusters)
        .set({ lastHeartbeatAt: receivedAt })
        .where(and(eq(clusters.customerId, customerId), eq(clusters.id, clusterId)));
      return toHeartbeat(row!);
    });
  }

  /**
   * The heartbeat route in one statement: stores the heartbeat as the cluster's last, sets the cluster's
   * `last_heartbeat_at` and its health to `health` (returning the health it had, under the row lock, so of two
   * racing writers only one sees the change), and reads what the answer needs — the settings version and the
   * offerable task count at `now`. Commits without waiting for the WAL flush (telemetry, see TELEMETRY_COMMIT).
   * @throws NOT_FOUND when the cluster is not the customer's; VALIDATION_FAILED for bad ids.
   */
  async beat(customerId: string, clusterId: string, heartbeat: Heartbeat, options: { receivedAt: Date; health: HealthStatus; now: Date }): Promise<BeatOutcome> {
    requireUuid(customerId, 'customer_id');
    requireUuid(clusterId, 'cluster_id');
    const receivedAt = options.receivedAt.toISOString();
    const result = await withDbErrors('record heartbeat', async () => {
      const { rows } = (await this.db.execute(
        sql`WITH beat AS (
              INSERT INTO ${agentHeartbeats} (cluster_id, customer_id, agent_id, agent_version, kubernetes_version, agent_status, problems, buffered_messages, agent_time, received_at)
              VALUES (${clusterId}, ${customerId}, ${heartbeat.agent_id}, ${heartbeat.agent_version}, ${heartbeat.kubernetes_version}, ${heartbeat.status},
                      ${JSON.stringify(heartbeat.problems)}::jsonb, ${heartbeat.buffered_messages}, ${heartbeat.timestamp}::timestamptz, ${receivedAt}::timestamptz)
              ON CONFLICT (cluster_id) DO UPDATE SET
                agent_id = excluded.agent_id, agent_version = excluded.agent_version, kubernetes_version = excluded.kubernetes_version,
                agent_status = excluded.agent_status, problems = excluded.problems, buffered_messages = excluded.buffered_messages,
                agent_time = excluded.agent_time, received_at = excluded.received_at
                WHERE ${agentHeartbeats.customerId} = ${customerId}
              RETURNING 1
            ), before AS (
              -- the lock an UPDATE takes anyway; NO KEY so that inserts of child rows (their FK checks) do not wait
              SELECT id, health_status FROM ${clusters} WHERE ${clusters.customerId} = ${customerId} AND ${clusters.id} = ${clusterId} FOR NO KEY UPDATE
            ), updated AS (
              UPDATE ${clusters} SET last_heartbeat_at = ${receivedAt}::timestamptz, health_status = ${options.health},
                     updated_at = CASE WHEN before.health_status IS DISTINCT FROM ${options.health} THEN now() ELSE ${clusters.updatedAt} END
                FROM before WHERE ${clusters.id} = before.id
              RETURNING before.health_status AS previous_health
            )
            SELECT ${TELEMETRY_COMMIT} AS commit_mode,
                   (SELECT count(*) FROM updated)::int AS found,
                   (SELECT previous_health FROM updated) AS previous_health,
                   coalesce((SELECT ${clusterSettings.version} FROM ${clusterSettings} WHERE ${clusterSettings.clusterId} = ${clusterId}), 1) AS config_version,
                   (SELECT count(*) FROM ${tasks} WHERE ${offerableTasks(clusterId, options.now)})::int AS pending_tasks`,
      )) as unknown as { rows: Array<{ found: number; previous_health: HealthStatus | null; config_version: number; pending_tasks: number }> };
      return rows[0];
    });
    const row = found(result && result.found > 0 ? result : null, 'cluster', clusterId);
    return { previousHealth: row.previous_health, configVersion: Number(row.config_version), pendingTasks: Number(row.pending_tasks) };
  }

  /** The customer's cluster with its agent's last heartbeat, in one read; null when not the customer's. */
  async findCluster(customerId: string, clusterId: string): Promise<ClusterWithHeartbeat | null> {
    if (!isUuid(customerId) || !isUuid(clusterId)) return null;
    return withDbErrors('find cluster', async () => {
      const [row] = await this.db
        .select({ cluster: clusters, receivedAt: agentHeartbeats.receivedAt, agentStatus: agentHeartbeats.agentStatus })
        .from(clusters)
        .leftJoin(agentHeartbeats, eq(agentHeartbeats.clusterId, clusters.id))
        .where(and(eq(clusters.customerId, customerId), eq(clusters.id, clusterId)));
      if (!row) return null;
      return { cluster: toCluster(row.cluster), heartbeat: row.receivedAt && row.agentStatus ? { receivedAt: row.receivedAt, agentStatus: row.agentStatus } : null };
    });
  }

  /** The last heartbeat of the customer's cluster, or null (never, or not the customer's). */
  async find(customerId: string, clusterId: string): Promise<AgentHeartbeat | null> {
    if (!isUuid(customerId) || !isUuid(clusterId)) return null;
    return withDbErrors('find heartbeat', async () => {
      const [row] = await this.db
        .select()
        .from(agentHeartbeats)
        .where(and(eq(agentHeartbeats.customerId, customerId), eq(agentHeartbeats.clusterId, clusterId)));
      return row ? toHeartbeat(row) : null;
    });
  }

  /** Health worker: every cluster (any customer) after `afterClusterId` by id, with its health and last heartbeat. */
  async liveness(options: { afterClusterId?: string; limit: number }): Promise<ClusterLiveness[]> {
    return withDbErrors('read cluster liveness', async () => {
      const rows = await this.db
        .select({
          customerId: clusters.customerId,
          clusterId: clusters.id,
          healthStatus: clusters.healthStatus,
          lastHeartbeatAt: clusters.lastHeartbeatAt,
          agentStatus: agentHeartbeats.agentStatus,
        })
        .from(clusters)
        .leftJoin(agentHeartbeats, eq(agentHeartbeats.clusterId, clusters.id))
        .where(options.afterClusterId ? gt(clusters.id, options.afterClusterId) : undefined)
        .orderBy(asc(clusters.id))
        .limit(Math.max(1, options.limit));
      return rows;
    });
  }

  /**
   * Sets the health of the customer's cluster unless it already has it. Returns whether it changed (so the caller
   * publishes only real changes; two replicas racing publish once).
   */
  async setHealth(customerId: string, clusterId: string, health: HealthStatus): Promise<boolean> {
    if (!isUuid(customerId) || !isUuid(clusterId)) return false;
    return withDbErrors('set cluster health', async () => {
      const rows = await this.db
        .update(clusters)
        .set({ healthStatus: health, updatedAt: sql`now()` })
        .where(and(eq(clusters.customerId, customerId), eq(clusters.id, clusterId), sql`${clusters.healthStatus} IS DISTINCT FROM ${health}`))
        .returning({ id: clusters.id });
      return rows.length > 0;
    });
  }
}
