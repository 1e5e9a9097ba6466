import { and, asc, eq, gte, lte, sql, type SQL } from 'drizzle-orm';
import type { ClusterMetrics } from '@cloudoptim/contracts';
import type { DrizzleDb } from '../database.ts';
import { withDbErrors } from '../db-errors.ts';
import { clusterMetricsLatest, metricsHistory } from '../schema.ts';
import { updateStateCte, type ClusterStateSnapshot } from './clusters.repository.ts';
import { SYNCED_NODES, syncNodesCtes, syncedNodes, type NodeReport } from './nodes.repository.ts';
import { replacePodsCtes } from './pods.repository.ts';
import { found, isUuid, listLimit, requireUuid } from './repository-helpers.ts';
import { TELEMETRY_COMMIT } from './telemetry-commit.ts';

/** Raw samples are 1-minute resolution; retention rolls them up into hourly rows. */
export const RAW_RESOLUTION_SECONDS = 60;
export const HOURLY_RESOLUTION_SECONDS = 3600;
const HOUR_MS = HOURLY_RESOLUTION_SECONDS * 1000;

/** The values of one metrics sample (of a cluster, or of one node). CPU in cores, memory in GB, money in USD/hour. */
export interface MetricsValues {
  nodeCount: number;
  spotNodeCount: number;
  podCount: number;
  pendingPods: number;
  cpuAllocatableCores: number;
  cpuAllocatedCores: number;
  /** null when metrics.k8s.io gave no usage. */
  cpuUsedCores: number | null;
  memoryAllocatableGb: number;
  memoryAllocatedGb: number;
  memoryUsedGb: number | null;
  costPerHour: number;
  baselineCostPerHour: number;
}

/** One metrics report: the cluster's values and each node's. */
export interface MetricsSample {
  sampledAt: Date;
  cluster: MetricsValues;
  nodes: Array<MetricsValues & { nodeName: string }>;
}

/** A point of history: a raw sample (resolution 60) or an hourly average (3600, `sampledAt` = the hour). */
export interface MetricsPoint extends MetricsValues {
  sampledAt: Date;
  resolutionSeconds: number;
  sampleCount: number;
}

const VALUE_COLUMNS = [
  'node_count',
  'spot_node_count',
  'pod_count',
  'pending_pods',
  'cpu_allocatable_cores',
  'cpu_allocated_cores',
  'cpu_used_cores',
  'memory_allocatable_gb',
  'memory_allocated_gb',
  'memory_used_gb',
  'cost_per_hour',
  'baseline_cost_per_hour',
] as const;

function toPoint(row: typeof metricsHistory.$inferSelect): MetricsPoint {
  return {
    sampledAt: row.sampledAt,
    resolutionSeconds: row.resolutionSeconds,
    sampleCount: row.sampleCount,
    nodeCount: row.nodeCount,
    spotNodeCount: row.spotNodeCount,
    podCount: row.podCount,
    pendingPods: row.pendingPods,
    cpuAllocatableCores: row.cpuAllocatableCores,
    cpuAllocatedCores: row.cpuAllocatedCores,
    cpuUsedCores: row.cpuUsedCores,
    memoryAllocatableGb: row.memoryAllocatableGb,
    memoryAllocatedGb: row.memoryAllocatedGb,
    memoryUsedGb: row.memoryUsedGb,
    costPerHour: row.costPerHour,
    baselineCostPerHour: row.baselineCostPerHour,
  };
}

/** Where each value column's figure is in {@link MetricsValues}. */
const VALUE_FIELDS: Record<(typeof VALUE_COLUMNS)[number], keyof MetricsValues> = {
  node_count: 'nodeCount',
  spot_node_count: 'spotNodeCount',
  pod_count: 'podCount',
  pending_pods: 'pendingPods',
  cpu_allocatable_cores: 'cpuAllocatableCores',
  cpu_allocated_cores: 'cpuAllocatedCores',
  cpu_used_cores: 'cpuUsedCores',
  memory_allocatable_gb: 'memoryAllocatableGb',
  memory_allocated_gb: 'memoryAllocatedGb',
  memory_used_gb: 'memoryUsedGb',
  cost_per_hour: 'costPerHour',
  baseline_cost_per_hour: 'baselineCostPerHour',
};

/** The record type `jsonb_to_recordset` reads history rows as (node_name and the value columns). */
const HISTORY_RECORD = `node_name text, ${VALUE_COLUMNS.map((c) => `${c} ${c.endsWith('cost_per_hour') ? 'numeric' : 'double precision'}`).join(', ')}`;

/** A history row as JSON for `jsonb_to_recordset` (snake_case keys, the value columns' names). */
function historyRecord(nodeName: string, values: MetricsValues): Record<string, unknown> {
  const record: Record<string, unknown> = { node_name: nodeName };
  for (const column of VALUE_COLUMNS) record[column] = values[VALUE_FIELDS[column]];
  return record;
}

/** SQL merging an existing hourly row with newly rolled-up samples, weighted by their sample counts. */
function weightedMerge(column: string): string {
  const old = `metrics_history.${column}`;
  const add = `excluded.${column}`;
  const weighted = `(${old} * metrics_history.sample_count + ${add} * excluded.sample_count) / (metrics_history.sample_count + excluded.sample_count)`;
  return `${column} = CASE WHEN ${old} IS NULL THEN ${add} WHEN ${add} IS NULL THEN ${old} ELSE ${weighted} END`;
}

/** The start of the (UTC) hour `time` falls in: rows before it form whole hours. */
function hourFloor(time: Date): Date {
  return new Date(Math.floor(time.getTime() / HOUR_MS) * HOUR_MS);
}

/** The cluster's history rows; `''` is the cluster as a whole. */
const CLUSTER_SCOPE = '';

/**
 * The CTEs `history_in`, `history_head` and `history_tail` (for a `WITH` list) appending a raw sample for the
 * cluster (head) and its nodes (tail, one row per node name), the rows travelling as one JSON parameter. When the
 * cluster already has a sample at `sampledAt` nothing is written: select {@link SAMPLE_APPENDED} to know.
 */
function appendSampleCtes(customerId: string, clusterId: string, sample: MetricsSample): SQL {
  // One row per node (the last wins): ON CONFLICT cannot touch a row twice in one statement.
  const nodes = [...new Map(sample.nodes.filter((n) => n.nodeName !== CLUSTER_SCOPE).map((n) => [n.nodeName, n])).values()];
  const records = [historyRecord(CLUSTER_SCOPE, sample.cluster), ...nodes.map(({ nodeName, ...values }) => historyRecord(nodeName, values))];
  const columns = sql.raw(VALUE_COLUMNS.join(', '));
  const insert = (where: SQL) =>
    sql`INSERT INTO ${metricsHistory} (customer_id, cluster_id, node_name, resolution_seconds, sampled_at, sample_count, ${columns})
        SELECT ${customerId}, ${clusterId}, node_name, ${RAW_RESOLUTION_SECONDS}, ${sample.sampledAt.toISOString()}::timestamptz, 1, ${columns}
          FROM history_in WHERE ${where}
        ON CONFLICT (cluster_id, node_name, resolution_seconds, sampled_at) DO NOTHING`;
  return sql`history_in AS (SELECT * FROM jsonb_to_recordset(${JSON.stringify(records)}::jsonb) AS r(${sql.raw(HISTORY_RECORD)})),
    history_head AS (${insert(sql`node_name = ${CLUSTER_SCOPE}`)} RETURNING 1),
    history_tail AS (${insert(sql`node_name <> ${CLUSTER_SCOPE} AND EXISTS (SELECT 1 FROM history_head)`)})`;
}

/** Whether the statement's {@link appendSampleCtes} appended the sample (false: a duplicate). */
const SAMPLE_APPENDED = sql`EXISTS (SELECT 1 FROM history_head)`;

/**
 * The CTE `latest_stored` storing `metrics` as the cluster's latest when `when` holds, unless the stored one is
 * newer (by `metrics.timestamp`); select {@link LATEST_STORED} to know whether it became the latest.
 */
function storeLatestCte(customerId: string, clusterId: string, metrics: ClusterMetrics, receivedAt: Date, when: SQL): SQL {
  return sql`latest_stored AS (
      INSERT INTO ${clusterMetricsLatest} (cluster_id, customer_id, metrics, sampled_at, received_at)
      SELECT ${clusterId}, ${customerId}, ${JSON.stringify(metrics)}::json, ${metrics.timestamp}::timestamptz, ${receivedAt.toISOString()}::timestamptz WHERE ${when}
      ON CONFLICT (cluster_id) DO UPDATE SET metrics = excluded.metrics, sampled_at = excluded.sampled_at, received_at = excluded.received_at
        WHERE ${clusterMetricsLatest.customerId} = ${customerId} AND ${clusterMetricsLatest.sampledAt} <= excluded.sampled_at
      RETURNING 1
    )`;
}

/** Whether the statement's {@link storeLatestCte} stored the report as the latest. */
const LATEST_STORED = sql`EXISTS (SELECT 1 FROM latest_stored)`;

/** A whole metrics report for {@link ClusterMetricsRepository.ingestReport}. */
export interface MetricsReport {
  /** The report as the agent sent it (validated): stored as the latest; its pods and timestamp are used as is. */
  metrics: ClusterMetrics;
  /** Its history sample (cluster and per node, with costs). */
  sample: MetricsSample;
  /** Its nodes, keyed by instance id. */
  nodes: readonly NodeReport[];
  /** The cluster state it leads to. */
  state: ClusterStateSnapshot;
  /** Central's clock when it arrived. */
  receivedAt: Date;
}

/** What {@link ClusterMetricsRepository.ingestReport} did (see there); `added` are instance ids. */
export type ReportOutcome =
  | { kind: 'duplicate' }
  | { kind: 'history' }
  | { kind: 'latest'; added: string[]; removed: Array<{ nodeName: string; instanceId: string }> };

/**
 * Metrics of the clusters: history (per cluster and per node; raw samples, rolled up to hourly rows by retention)
 * and the latest ClusterMetrics as the agent sent it. Scoped by customer, except the retention methods, which the
 * retention worker runs over every cluster. Errors are AppErrors: VALIDATION_FAILED (bad ids), NOT_FOUND (the
 * cluster is not the customer's).
 */
export class ClusterMetricsRepository {
  constructor(private readonly db: DrizzleDb) {}

  /**
   * Appends a raw sample for the cluster and its nodes, in one statement (see {@link appendSampleCtes}). Returns
   * false, writing nothing, when the cluster already has a sample with this `sampledAt` (a report re-sent after a
   * lost answer).
   */
  async appendSample(customerId: string, clusterId: string, sample: MetricsSample): Promise<boolean> {
    requireUuid(customerId, 'customer_id');
    requireUuid(clusterId, 'cluster_id');
    return withDbErrors('append metrics sample', async () => {
      const { rows } = (await this.db.execute(sql`WITH ${appendSampleCtes(customerId, clusterId, sample)} SELECT ${SAMPLE_APPENDED} AS appended`)) as unknown as { rows: Array<{ appended: boolean }> };
      return rows[0]?.appended === true;
    });
  }

  /**
   * Stores `metrics` as the cluster's latest unless the stored one is newer (by `metrics.timestamp`).
   * Returns whether it became the latest.
   */
  async storeLatest(customerId: string, clusterId: string, metrics: ClusterMetrics, receivedAt: Date): Promise<boolean> {
    requireUuid(customerId, 'customer_id');
    requireUuid(clusterId, 'cluster_id');
    return withDbErrors('store latest metrics', async () => {
      const { rows } = (await this.db.execute(sql`WITH ${storeLatestCte(customerId, clusterId, metrics, receivedAt, sql`true`)} SELECT ${LATEST_STORED} AS stored`)) as unknown as { rows: Array<{ stored: boolean }> };
      return rows[0]?.stored === true;
    });
  }

  /**
   * Ingests a whole metrics report in ONE statement (atomic without a transaction, one round trip): appends the
   * history sample — a re-sent report (same timestamp) is a `duplicate` and changes nothing — and, when the report
   * is the newest of the cluster, stores it as the latest, syncs the nodes (upserted, the missing ones deleted),
   * replaces the pods and stores the cluster's state; an older report only fills in history (`history`).
   * Telemetry: commits without waiting for the WAL flush (see TELEMETRY_COMMIT).
   * @throws NOT_FOUND when the cluster is not the customer's; VALIDATION_FAILED for bad ids or values.
   */
  async ingestReport(customerId: string, clusterId: string, report: MetricsReport): Promise<ReportOutcome> {
    requireUuid(customerId, 'customer_id');
    requireUuid(clusterId, 'cluster_id');
    const { metrics, receivedAt } = report;
    const latest = sql`EXISTS (SELECT 1 FROM latest_stored)`;
    return withDbErrors('ingest metrics report', async () => {
      const { rows } = (await this.db.execute(
        sql`WITH ${appendSampleCtes(customerId, clusterId, report.sample)},
                 ${storeLatestCte(customerId, clusterId, metrics, receivedAt, SAMPLE_APPENDED)},
                 ${syncNodesCtes(customerId, clusterId, report.nodes, receivedAt, latest)},
                 ${replacePodsCtes(customerId, clusterId, metrics.pods, new Date(metrics.timestamp), receivedAt, latest)},
                 ${updateStateCte(this.db, customerId, clusterId, report.state, latest)}
            SELECT ${TELEMETRY_COMMIT} AS commit_mode, ${SAMPLE_APPENDED} AS appended, ${LATEST_STORED} AS stored,
                   EXISTS (SELECT 1 FROM state_updated) AS state_stored, ${SYNCED_NODES}`,
      )) as unknown as { rows: Array<{ appended: boolean; stored: boolean; state_stored: boolean; nodes_added: unknown; nodes_removed: unknown }> };
      const row = rows[0];
      if (!row?.appended) return { kind: 'duplicate' };
      if (!row.stored) return { kind: 'history' };
      found(row.state_stored ? row : null, 'cluster', clusterId);
      return { kind: 'latest', ...syncedNodes(row) };
    });
  }

  /** The latest ClusterMetrics the customer's cluster sent and when central received it; undefined before the first. */
  async latest(customerId: string, clusterId: string): Promise<{ metrics: ClusterMetrics; receivedAt: Date } | undefined> {
    if (!isUuid(customerId) || !isUuid(clusterId)) return undefined;
    return withDbErrors('read latest metrics', async () => {
      const [row] = await this.db
        .select()
        .from(clusterMetricsLatest)
        .where(and(eq(clusterMetricsLatest.customerId, customerId), eq(clusterMetricsLatest.clusterId, clusterId)));
      // Stored only after validation at the edge (ClusterMetricsSchema), so it is trusted as that type.
      return row ? { metrics: row.metrics as unknown as ClusterMetrics, receivedAt: row.receivedAt } : undefined;
    });
  }

  /**
   * History of the customer's cluster (or of one node with `nodeName`) in [from, to], oldest first; raw and hourly
   * points both, as stored.
   */
  async history(customerId: string, clusterId: string, options: { from: Date; to: Date; nodeName?: string; limit?: number }): Promise<MetricsPoint[]> {
    if (!isUuid(customerId) || !isUuid(clusterId)) return [];
    return withDbErrors('read metrics history', async () => {
      const rows = await this.db
        .select()
        .from(metricsHistory)
        .where(
          and(
            eq(metricsHistory.customerId, customerId),
            eq(metricsHistory.clusterId, clusterId),
            eq(metricsHistory.nodeName, options.nodeName ?? CLUSTER_SCOPE),
            gte(metricsHistory.sampledAt, options.from),
            lte(metricsHistory.sampledAt, options.to),
          ),
        )
        .orderBy(asc(metricsHistory.sampledAt), asc(metricsHistory.resolutionSeconds))
        .limit(options.limit === undefined ? 100_000 : listLimit(options.limit));
      return rows.map(toPoint);
    });
  }

  /** Retention: clusters (any customer) holding raw samples from before the hour of `before`, at most `limit`. */
  async clustersWithRawBefore(before: Date, limit: number): Promise<string[]> {
    return withDbErrors('find clusters to roll up', async () => {
      const rows = await this.db
        .selectDistinct({ clusterId: metricsHistory.clusterId })
        .from(metricsHistory)
        .where(and(eq(metricsHistory.resolutionSeconds, RAW_RESOLUTION_SECONDS), sql`${metricsHistory.sampledAt} < ${hourFloor(before).toISOString()}::timestamptz`))
        .limit(Math.max(1, limit));
      return rows.map((row) => row.clusterId);
    });
  }

  /**
   * Retention: replaces the cluster's raw samples from before the hour of `before` by hourly averages (merged,
   * weighted by sample count, into hourly rows already there), in one statement. Returns the raw rows rolled up.
   */
  async rollUpRaw(clusterId: string, before: Date): Promise<number> {
    requireUuid(clusterId, 'cluster_id');
    const cutoff = hourFloor(before).toISOString();
    const columns = VALUE_COLUMNS.join(', ');
    const averages = VALUE_COLUMNS.map((c) => `avg(${c})`).join(', ');
    return withDbErrors('roll up metrics', async () => {
      const result = (await this.db.execute(
        sql`WITH moved AS (
              DELETE FROM metrics_history
               WHERE cluster_id = ${clusterId} AND resolution_seconds = ${RAW_RESOLUTION_SECONDS} AND sampled_at < ${cutoff}::timestamptz
              RETURNING *
            ), inserted AS (
              INSERT INTO metrics_history (customer_id, cluster_id, node_name, resolution_seconds, sampled_at, sample_count, ${sql.raw(columns)})
              SELECT customer_id, cluster_id, node_name, ${HOURLY_RESOLUTION_SECONDS},
                     to_timestamp(floor(extract(epoch FROM sampled_at) / ${HOURLY_RESOLUTION_SECONDS}) * ${HOURLY_RESOLUTION_SECONDS}) AS hour,
                     sum(sample_count), ${sql.raw(averages)}
                FROM moved
               GROUP BY customer_id, cluster_id, node_name, hour
              ON CONFLICT (cluster_id, node_name, resolution_seconds, sampled_at) DO UPDATE SET
                ${sql.raw(VALUE_COLUMNS.map(weightedMerge).join(', '))},
                sample_count = metrics_history.sample_count + excluded.sample_count
              RETURNING 1
            )
            SELECT (SELECT count(*) FROM moved)::int AS moved`,
      )) as unknown as { rows: Array<{ moved: number | string }> };
      return Number(result.rows[0]?.moved ?? 0);
    });
  }

  /** Retention: deletes hourly rows (every cluster) from before `before`. Returns how many. */
  async deleteHourlyBefore(before: Date): Promise<number> {
    return withDbErrors('delete old metrics', async () => {
      const rows = await this.db
        .delete(metricsHistory)
        .where(and(eq(metricsHistory.resolutionSeconds, HOURLY_RESOLUTION_SECONDS), sql`${metricsHistory.sampledAt} < ${before.toISOString()}::timestamptz`))
        .returning({ id: metricsHistory.id });
      return rows.length;
    });
  }
}
