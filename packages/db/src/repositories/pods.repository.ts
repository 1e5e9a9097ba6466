import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import type { ContainerMetric, PodMetric, WorkloadKind } from '@cloudoptim/contracts';
import type { DrizzleDb } from '../database.ts';
import { withDbErrors } from '../db-errors.ts';
import { podSnapshots } from '../schema.ts';
import { isUuid, listLimit, requireUuid } from './repository-helpers.ts';

/** A pod as the latest metrics reported it. CPU in millicores, memory in bytes; usage null when not measured. */
export interface PodSnapshot {
  clusterId: string;
  namespace: string;
  podName: string;
  nodeName: string | null;
  owner: { kind: WorkloadKind; name: string } | null;
  phase: PodMetric['phase'];
  containers: ContainerMetric[];
  cpuRequestMillicores: number;
  memoryRequestBytes: number;
  cpuUsageMillicores: number | null;
  memoryUsageBytes: number | null;
  /** Summed container restarts. */
  restarts: number;
  /** Containers whose last termination was an OOM kill. */
  oomKills: number;
  /** The metrics timestamp this pod was last reported in. */
  observedAt: Date;
  updatedAt: Date;
}

/** Filters of {@link PodsRepository.list}. */
export interface PodListOptions {
  namespace?: string;
  nodeName?: string;
  limit?: number;
  offset?: number;
}

function toPod(row: typeof podSnapshots.$inferSelect): PodSnapshot {
  return {
    clusterId: row.clusterId,
    namespace: row.namespace,
    podName: row.podName,
    nodeName: row.nodeName,
    owner: row.ownerKind && row.ownerName ? { kind: row.ownerKind as WorkloadKind, name: row.ownerName } : null,
    phase: row.phase,
    containers: row.containers as ContainerMetric[],
    cpuRequestMillicores: row.cpuRequestMillicores,
    memoryRequestBytes: row.memoryRequestBytes,
    cpuUsageMillicores: row.cpuUsageMillicores,
    memoryUsageBytes: row.memoryUsageBytes,
    restarts: row.restarts,
    oomKills: row.oomKills,
    observedAt: row.observedAt,
    updatedAt: row.updatedAt,
  };
}

/** Sum of a usage field, or null when no container measured it. */
function usage(containers: readonly ContainerMetric[], pick: (c: ContainerMetric) => number | null): number | null {
  const measured = containers.map(pick).filter((v): v is number => v !== null);
  return measured.length === 0 ? null : measured.reduce((a, b) => a + b, 0);
}

/** The columns {@link PodsRepository.replace} writes from a report. */
const POD_COLUMNS = [
  'namespace',
  'pod_name',
  'node_name',
  'owner_kind',
  'owner_name',
  'phase',
  'containers',
  'cpu_request_millicores',
  'memory_request_bytes',
  'cpu_usage_millicores',
  'memory_usage_bytes',
  'restarts',
  'oom_kills',
] as const;

/**
 * The CTEs `pods_in`, `pods_gone` and `pods_upserted` (for a `WITH` list) that make the cluster's stored pods those
 * of a report taken at `observedAt`: every pod upserted (one row per namespace/name, the last wins; a pod stored
 * from a newer report is left alone), the cluster's older pods the report no longer has deleted. The pods travel
 * as one JSON parameter. Nothing changes unless `when` holds. The ids must be valid (the caller checks them).
 */
export function replacePodsCtes(customerId: string, clusterId: string, pods: readonly PodMetric[], observedAt: Date, now: Date, when: SQL = sql`true`): SQL {
  // One row per pod (the last wins): ON CONFLICT cannot touch a row twice in one statement.
  const unique = [...new Map(pods.map((pod) => [`${pod.namespace}/${pod.pod_name}`, pod])).values()];
  const records = unique.map((pod) => ({
    namespace: pod.namespace,
    pod_name: pod.pod_name,
    node_name: pod.node_name,
    owner_kind: pod.owner?.kind ?? null,
    owner_name: pod.owner?.name ?? null,
    phase: pod.phase,
    containers: pod.containers,
    cpu_request_millicores: pod.containers.reduce((sum, c) => sum + c.cpu_request_millicores, 0),
    memory_request_bytes: pod.containers.reduce((sum, c) => sum + c.memory_request_bytes, 0),
    cpu_usage_millicores: usage(pod.containers, (c) => c.cpu_usage_millicores),
    memory_usage_bytes: usage(pod.containers, (c) => c.memory_usage_bytes),
    restarts: pod.containers.reduce((sum, c) => sum + c.restart_count, 0),
    oom_kills: pod.containers.filter((c) => c.last_termination_reason === 'OOMKilled').length,
  }));
  const columns = sql.raw(POD_COLUMNS.join(', '));
  const observed = observedAt.toISOString();
  const at = now.toISOString();
  return sql`pods_in AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(records)}::jsonb) AS p(namespace text, pod_name text, node_name text,
        owner_kind text, owner_name text, phase text, containers jsonb, cpu_request_millicores bigint, memory_request_bytes bigint,
        cpu_usage_millicores bigint, memory_usage_bytes bigint, restarts integer, oom_kills integer)
    ), pods_gone AS (
      DELETE FROM ${podSnapshots} s
       WHERE s.customer_id = ${customerId} AND s.cluster_id = ${clusterId} AND s.observed_at < ${observed}::timestamptz AND ${when}
         -- NOT IN over a CTE plans as a hashed subplan; NOT EXISTS became a nested loop (500 × 500 compares)
         AND (s.namespace, s.pod_name) NOT IN (SELECT namespace, pod_name FROM pods_in)
    ), pods_upserted AS (
      INSERT INTO ${podSnapshots} (customer_id, cluster_id, ${columns}, observed_at, created_at, updated_at)
      SELECT ${customerId}, ${clusterId}, ${columns}, ${observed}::timestamptz, ${at}::timestamptz, ${at}::timestamptz FROM pods_in WHERE ${when}
      ON CONFLICT (cluster_id, namespace, pod_name) DO UPDATE SET
        ${sql.raw(POD_COLUMNS.filter((c) => c !== 'namespace' && c !== 'pod_name').map((c) => `${c} = excluded.${c}`).join(', '))},
        observed_at = excluded.observed_at, updated_at = excluded.updated_at
        WHERE ${podSnapshots.customerId} = ${customerId} AND ${podSnapshots.observedAt} <= excluded.observed_at
    )`;
}

/**
 * The latest pods of each cluster (scoped by customer). `replace` makes the stored set equal to one metrics
 * report; a report older than what is stored changes nothing. Errors are AppErrors: VALIDATION_FAILED (bad ids,
 * unknown phases), NOT_FOUND (the cluster is not the customer's).
 */
export class PodsRepository {
  constructor(private readonly db: DrizzleDb) {}

  /**
   * Upserts every pod of a report taken at `observedAt` and deletes the cluster's older pods the report no longer
   * has — one statement (see {@link replacePodsCtes}). Pods stored from a newer report are left alone.
   */
  async replace(customerId: string, clusterId: string, pods: readonly PodMetric[], observedAt: Date, now: Date): Promise<void> {
    requireUuid(customerId, 'customer_id');
    requireUuid(clusterId, 'cluster_id');
    await withDbErrors('replace pods', () => this.db.execute(sql`WITH ${replacePodsCtes(customerId, clusterId, pods, observedAt, now)} SELECT 1`));
  }

  /** The customer's pods of a cluster by namespace and name, optionally of one namespace and/or node. */
  async list(customerId: string, clusterId: string, options: PodListOptions = {}): Promise<PodSnapshot[]> {
    if (!isUuid(customerId) || !isUuid(clusterId)) return [];
    return withDbErrors('list pods', async () => {
      const rows = await this.db
        .select()
        .from(podSnapshots)
        .where(
          and(
            eq(podSnapshots.customerId, customerId),
            eq(podSnapshots.clusterId, clusterId),
            options.namespace !== undefined ? eq(podSnapshots.namespace, options.namespace) : undefined,
            options.nodeName !== undefined ? eq(podSnapshots.nodeName, options.nodeName) : undefined,
          ),
        )
        .orderBy(asc(podSnapshots.namespace), asc(podSnapshots.podName))
        .limit(listLimit(options.limit))
        .offset(options.offset ?? 0);
      return rows.map(toPod);
    });
  }
}
