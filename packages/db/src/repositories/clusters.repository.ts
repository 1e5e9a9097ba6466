import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import type { DrizzleDb } from '../database.ts';
import { withDbErrors } from '../db-errors.ts';
import { clusters } from '../schema.ts';
import { found, isUuid, listLimit, requireUuid } from './repository-helpers.ts';

/** Cluster health as the agent reports it (ClusterState.health_status). */
export type HealthStatus = 'GREEN' | 'YELLOW' | 'RED';

/** The latest reported state of a cluster (ClusterState without the identity fields). Costs in USD per hour. */
export interface ClusterStateSnapshot {
  healthStatus: HealthStatus;
  totalNodes: number;
  spotNodes: number;
  onDemandNodes: number;
  totalCpuCores: number;
  totalMemoryGb: number;
  allocatedCpuCores: number;
  allocatedMemoryGb: number;
  totalPods: number;
  runningPods: number;
  pendingPods: number;
  currentCostPerHour: number;
  baselineCostPerHour: number;
  lastUpdated: Date;
}

/** A registered cluster with its latest state (`healthStatus` and `lastUpdated` null until the first report). */
export interface Cluster extends Omit<ClusterStateSnapshot, 'healthStatus' | 'lastUpdated'> {
  id: string;
  customerId: string;
  name: string;
  region: string;
  awsAccountId: string | null;
  healthStatus: HealthStatus | null;
  lastUpdated: Date | null;
  lastHeartbeatAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Input of {@link ClustersRepository.create}. */
export interface NewCluster {
  name: string;
  region: string;
  awsAccountId?: string | null;
}

/** Maps a clusters row (for repositories that read clusters in a join; not exported from the package). */
export function toCluster(row: typeof clusters.$inferSelect): Cluster {
  return {
    id: row.id,
    customerId: row.customerId,
    name: row.name,
    region: row.region,
    awsAccountId: row.awsAccountId,
    healthStatus: row.healthStatus,
    totalNodes: row.totalNodes,
    spotNodes: row.spotNodes,
    onDemandNodes: row.onDemandNodes,
    totalCpuCores: row.totalCpuCores,
    totalMemoryGb: row.totalMemoryGb,
    allocatedCpuCores: row.allocatedCpuCores,
    allocatedMemoryGb: row.allocatedMemoryGb,
    totalPods: row.totalPods,
    runningPods: row.runningPods,
    pendingPods: row.pendingPods,
    currentCostPerHour: row.currentCostPerHour,
    baselineCostPerHour: row.baselineCostPerHour,
    lastUpdated: row.lastUpdated,
    lastHeartbeatAt: row.lastHeartbeatAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/**
 * The CTE `state_updated` (for a `WITH` list) storing the cluster's latest reported state, as
 * {@link ClustersRepository.updateState} does, when `when` holds; it returns a row when it did.
 */
export function updateStateCte(db: DrizzleDb, customerId: string, clusterId: string, state: ClusterStateSnapshot, when: SQL): SQL {
  const update = db
    .update(clusters)
    .set({ ...state, updatedAt: sql`now()` })
    .where(and(eq(clusters.customerId, customerId), eq(clusters.id, clusterId), when))
    .returning({ id: clusters.id });
  return sql`state_updated AS (${update.getSQL()})`;
}

/**
 * Clusters, always scoped by customer: every method takes the customer id and never returns or changes another
 * customer's cluster (another customer's cluster id answers "not found").
 * Errors are AppErrors: NOT_FOUND (unknown customer on create), CONFLICT (the customer already has a cluster of
 * that name), VALIDATION_FAILED (bad ids, CHECK violations such as a malformed AWS account id).
 */
export class ClustersRepository {
  constructor(private readonly db: DrizzleDb) {}

  /** Registers a cluster for `customerId`. */
  async create(customerId: string, input: NewCluster): Promise<Cluster> {
    requireUuid(customerId, 'customer_id');
    return withDbErrors('create cluster', async () => {
      const [row] = await this.db
        .insert(clusters)
        .values({ customerId, name: input.name, region: input.region, awsAccountId: input.awsAccountId ?? null })
        .returning();
      return toCluster(row!);
    });
  }

  /** The customer's cluster, or null (also when it belongs to another customer). */
  async find(customerId: string, clusterId: string): Promise<Cluster | null> {
    if (!isUuid(customerId) || !isUuid(clusterId)) return null;
    return withDbErrors('find cluster', async () => {
      const [row] = await this.db
        .select()
        .from(clusters)
        .where(and(eq(clusters.customerId, customerId), eq(clusters.id, clusterId)));
      return row ? toCluster(row) : null;
    });
  }

  /** The customer's cluster; AppError NOT_FOUND when absent or not the customer's. */
  async get(customerId: string, clusterId: string): Promise<Cluster> {
    return found(await this.find(customerId, clusterId), 'cluster', clusterId);
  }

  /** The customer's clusters by name. */
  async list(customerId: string, options: { limit?: number; offset?: number } = {}): Promise<Cluster[]> {
    if (!isUuid(customerId)) return [];
    return withDbErrors('list clusters', async () => {
      const rows = await this.db
        .select()
        .from(clusters)
        .where(eq(clusters.customerId, customerId))
        .orderBy(asc(clusters.name), asc(clusters.id))
        .limit(listLimit(options.limit))
        .offset(options.offset ?? 0);
      return rows.map(toCluster);
    });
  }

  /**
   * The cluster by id whatever its customer, or null: for operators (who see every customer) and for resolving a
   * cluster id before checking that the caller may see its customer.
   */
  async findById(clusterId: string): Promise<Cluster | null> {
    if (!isUuid(clusterId)) return null;
    return withDbErrors('find cluster', async () => {
      const [row] = await this.db.select().from(clusters).where(eq(clusters.id, clusterId));
      return row ? toCluster(row) : null;
    });
  }

  /** Every customer's clusters by customer and name (operator view). */
  async listAll(options: { limit?: number; offset?: number } = {}): Promise<Cluster[]> {
    return withDbErrors('list clusters', async () => {
      const rows = await this.db
        .select()
        .from(clusters)
        .orderBy(asc(clusters.customerId), asc(clusters.name), asc(clusters.id))
        .limit(listLimit(options.limit))
        .offset(options.offset ?? 0);
      return rows.map(toCluster);
    });
  }

  /** Deletes the customer's cluster and, by cascade, its data; returns whether it existed. */
  async delete(customerId: string, clusterId: string): Promise<boolean> {
    if (!isUuid(customerId) || !isUuid(clusterId)) return false;
    return withDbErrors('delete cluster', async () => {
      const rows = await this.db
        .delete(clusters)
        .where(and(eq(clusters.customerId, customerId), eq(clusters.id, clusterId)))
        .returning({ id: clusters.id });
      return rows.length > 0;
    });
  }

  /** Stores the latest reported state; AppError NOT_FOUND when the cluster is not the customer's. */
  async updateState(customerId: string, clusterId: string, state: ClusterStateSnapshot): Promise<Cluster> {
    if (!isUuid(customerId) || !isUuid(clusterId)) return found<Cluster>(null, 'cluster', clusterId);
    return withDbErrors('update cluster state', async () => {
      const [row] = await this.db
        .update(clusters)
        .set({ ...state, updatedAt: sql`now()` })
        .where(and(eq(clusters.customerId, customerId), eq(clusters.id, clusterId)))
        .returning();
      return toCluster(found(row ?? null, 'cluster', clusterId));
    });
  }
}
