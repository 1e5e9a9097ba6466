import { and, asc, eq, gte, lte, sql, type SQL } from 'drizzle-orm';
import type { ClusterMetrics } from '@cloudoptim/contracts';
import type { DrizzleDb } from '../database.ts';
import { withDbErrors } from '../db-errors.ts';
import { clusterMetricsLatest, metricsHistory } from '../schema.ts';
import { isUuid, listLimit, requireUuid } from './repository-helpers.ts';
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
 * Metrics of the clusters: history (per cluster and per node; raw samples, rolled up to hourly rows by retention)
 * and the latest ClusterMetrics as the agent sent it. Scoped by customer, except the retention methods, which the
 * retention worker runs over every cluster. Errors are AppErrors: VALIDATION_FAILED (bad ids), NOT_FOUND (the
 * cluster is not the customer's).
 */
export class ClusterMetricsRepository {
  constructor(private readonly db: DrizzleDb) {}

  /**
   * Appends a raw sample for the cluster and its nodes, in one statement (the rows travel as one JSON parameter).
   * Returns false, writing nothing, when the cluster already has a sample with this `sampledAt` (a report re-sent
   * after a lost answer). Telemetry: the transaction it runs in commits without waiting for the WAL flush (see
   * TELEMETRY_COMMIT).
   */
  async appendSample(customerId: string, clusterId: string, sample: MetricsSample): Promise<boolean> {
    requireUuid(customerId, 'customer_id');
    requireUuid(clusterId, 'cluster_id');
    // One row per node (the last wins): ON CONFLICT cannot touch a row twice in one statement.
    const nodes = [...new Map(sample.nodes.filter((n) => n.nodeName !== CLUSTER_SCOPE).map((n) => [n.nodeName, n])).values()];
    const records = [historyRecord(CLUSTER_SCOPE, sample.cluster), ...nodes.map(({ nodeName, ...values }) => historyRecord(nodeName, values))];
    const columns = sql.raw(VALUE_COLUMNS.join(', '));
    const insert = (where: SQL) =>
      sql`INSERT INTO ${metricsHistory} (customer_id, cluster_id, node_name, resolution_seconds, sampled_at, sample_count, ${columns})
          SELECT ${customerId}, ${clusterId}, node_name, ${RAW_RESOLUTION_SECONDS}, ${sample.sampledAt.toISOString()}::timestamptz, 1, ${columns}
            FROM incoming WHERE ${where}
          ON CONFLICT (cluster_id, node_name, resolution_seconds, sampled_at) DO NOTHING`;
    return withDbErrors('append metrics sample', async () => {
      const { rows } = (await this.db.execute(
        sql`WITH incoming AS (SELECT * FROM jsonb_to_recordset(${JSON.stringify(records)}::jsonb) AS r(${sql.raw(HISTORY_RECORD)})),
                 head AS (${insert(sql`node_name = ${CLUSTER_SCOPE}`)} RETURNING 1),
                 tail AS (${insert(sql`node_name <> ${CLUSTER_SCOPE} AND EXISTS (SELECT 1 FROM head)`)})
            SELECT ${TELEMETRY_COMMIT} AS commit_mode, EXISTS (SELECT 1 FROM head) AS appended`,
      )) as unknown as { rows: Array<{ appended: boolean }> };
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
      const rows = await this.db
        .insert(clusterMetricsLatest)
        .values({ customerId, clusterId, metrics: metrics as unknown as Record<string, unknown>, sampledAt: new Date(metrics.timestamp), receivedAt })
        .onConflictDoUpdate({
          target: clusterMetricsLatest.clusterId,
          set: { metrics: sql.raw('excluded.metrics'), sampledAt: sql.raw('excluded.sampled_at'), receivedAt: sql.raw('excluded.received_at') },
          setWhere: and(eq(clusterMetricsLatest.customerId, customerId), sql`${clusterMetricsLatest.sampledAt} <= excluded.sampled_at`),
        })
        .returning({ clusterId: clusterMetricsLatest.clusterId });
      return rows.length > 0;
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
