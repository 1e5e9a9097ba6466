import { and, asc, desc, eq, notInArray, sql, type SQL } from 'drizzle-orm';
import type { DrizzleDb } from '../database.ts';
import { withDbErrors } from '../db-errors.ts';
import { nodes } from '../schema.ts';
import { isUuid, requireUuid } from './repository-helpers.ts';

/** Spot or on-demand capacity. */
export type CapacityType = 'spot' | 'on-demand';

/** A node as the agent reports it (NodeMetric). CPU in cores, memory in GB. */
export interface NodeReport {
  nodeName: string;
  instanceId: string;
  instanceType: string;
  availabilityZone: string;
  capacityType: CapacityType;
  cpuAllocatableCores: number;
  memoryAllocatableGb: number;
  cpuAllocatedCores: number;
  memoryAllocatedGb: number;
  cpuUsedCores: number;
  memoryUsedGb: number;
  podCount: number;
  /** Cordoned (default false). */
  unschedulable?: boolean;
  /** When the report was taken (default: the database's now()). */
  seenAt?: Date;
}

/** A stored node. */
export interface Node extends Required<Omit<NodeReport, 'seenAt'>> {
  id: string;
  customerId: string;
  clusterId: string;
  lastSeenAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

function toNode(row: typeof nodes.$inferSelect): Node {
  return {
    id: row.id,
    customerId: row.customerId,
    clusterId: row.clusterId,
    nodeName: row.nodeName,
    instanceId: row.instanceId,
    instanceType: row.instanceType,
    availabilityZone: row.availabilityZone,
    capacityType: row.capacityType,
    cpuAllocatableCores: row.cpuAllocatableCores,
    memoryAllocatableGb: row.memoryAllocatableGb,
    cpuAllocatedCores: row.cpuAllocatedCores,
    memoryAllocatedGb: row.memoryAllocatedGb,
    cpuUsedCores: row.cpuUsedCores,
    memoryUsedGb: row.memoryUsedGb,
    podCount: row.podCount,
    unschedulable: row.unschedulable,
    lastSeenAt: row.lastSeenAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const excluded = (column: string) => sql.raw(`excluded.${column}`);

/** The columns {@link NodesRepository.sync} writes from a report. */
const SYNCED_COLUMNS = [
  'node_name',
  'instance_id',
  'instance_type',
  'availability_zone',
  'capacity_type',
  'cpu_allocatable_cores',
  'memory_allocatable_gb',
  'cpu_allocated_cores',
  'memory_allocated_gb',
  'cpu_used_cores',
  'memory_used_gb',
  'pod_count',
  'unschedulable',
] as const;

/**
 * The CTEs `nodes_in`, `nodes_known`, `nodes_removed` and `nodes_upserted` (for a `WITH` list) that make the
 * cluster's stored nodes those of one report: every reported node upserted (one row per instance, the last wins),
 * the nodes the report no longer has deleted. The nodes travel as one JSON parameter. Nothing changes unless
 * `when` holds. Select {@link SYNCED_NODES} in the same statement to learn what was added and removed (every part
 * of one statement reads the same snapshot: `nodes_known` is the set before the report). The ids must be valid.
 */
export function syncNodesCtes(customerId: string, clusterId: string, reports: readonly NodeReport[], seenAt: Date, when: SQL = sql`true`): SQL {
  const records = [...new Map(reports.map((r) => [r.instanceId, r])).values()].map((r) => ({
    node_name: r.nodeName,
    instance_id: r.instanceId,
    instance_type: r.instanceType,
    availability_zone: r.availabilityZone,
    capacity_type: r.capacityType,
    cpu_allocatable_cores: r.cpuAllocatableCores,
    memory_allocatable_gb: r.memoryAllocatableGb,
    cpu_allocated_cores: r.cpuAllocatedCores,
    memory_allocated_gb: r.memoryAllocatedGb,
    cpu_used_cores: r.cpuUsedCores,
    memory_used_gb: r.memoryUsedGb,
    pod_count: r.podCount,
    unschedulable: r.unschedulable ?? false,
  }));
  const columns = sql.raw(SYNCED_COLUMNS.join(', '));
  return sql`nodes_in AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(records)}::jsonb) AS n(node_name text, instance_id text, instance_type text,
        availability_zone text, capacity_type text, cpu_allocatable_cores double precision, memory_allocatable_gb double precision,
        cpu_allocated_cores double precision, memory_allocated_gb double precision, cpu_used_cores double precision,
        memory_used_gb double precision, pod_count integer, unschedulable boolean)
    ), nodes_known AS (
      SELECT instance_id FROM ${nodes} WHERE customer_id = ${customerId} AND cluster_id = ${clusterId} AND ${when}
    ), nodes_removed AS (
      DELETE FROM ${nodes} WHERE customer_id = ${customerId} AND cluster_id = ${clusterId} AND ${when} AND instance_id NOT IN (SELECT instance_id FROM nodes_in)
      RETURNING node_name, instance_id
    ), nodes_upserted AS (
      INSERT INTO ${nodes} (customer_id, cluster_id, ${columns}, last_seen_at)
      SELECT ${customerId}, ${clusterId}, ${columns}, ${seenAt.toISOString()}::timestamptz FROM nodes_in WHERE ${when}
      ON CONFLICT (cluster_id, instance_id) DO UPDATE SET
        ${sql.raw(SYNCED_COLUMNS.filter((c) => c !== 'instance_id').map((c) => `${c} = excluded.${c}`).join(', '))},
        last_seen_at = excluded.last_seen_at, updated_at = now()
        WHERE ${nodes.customerId} = ${customerId}
      RETURNING 1
    )`;
}

/** Select-list items reading what {@link syncNodesCtes} did: `nodes_added` (instance ids) and `nodes_removed`. */
export const SYNCED_NODES = sql`(SELECT coalesce(json_agg(instance_id), '[]') FROM nodes_in WHERE instance_id NOT IN (SELECT instance_id FROM nodes_known)
                                   AND EXISTS (SELECT 1 FROM nodes_upserted)) AS nodes_added,
  (SELECT coalesce(json_agg(json_build_object('nodeName', node_name, 'instanceId', instance_id)), '[]') FROM nodes_removed) AS nodes_removed`;

/** What {@link syncNodesCtes} did, from the row that selected {@link SYNCED_NODES}. */
export function syncedNodes(row: { nodes_added: unknown; nodes_removed: unknown }): { added: string[]; removed: Array<{ nodeName: string; instanceId: string }> } {
  // json comes back parsed from node-postgres and PGlite alike; a string is parsed for drivers that do not.
  const json = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;
  return { added: json(row.nodes_added), removed: json(row.nodes_removed) };
}

/**
 * Nodes, scoped by customer. Upserts key on (cluster, instance_id): the same instance reported again updates its
 * row. Errors are AppErrors: NOT_FOUND (the cluster is not the customer's), VALIDATION_FAILED (bad capacity type,
 * negative quantities, bad ids).
 */
export class NodesRepository {
  constructor(private readonly db: DrizzleDb) {}

  /** Inserts or updates one node of the customer's cluster. */
  async upsert(customerId: string, clusterId: string, node: NodeReport): Promise<Node> {
    const [stored] = await this.upsertMany(customerId, clusterId, [node]);
    return stored!;
  }

  /** Inserts or updates several nodes of the customer's cluster in one statement; returns them in input order. */
  async upsertMany(customerId: string, clusterId: string, reports: readonly NodeReport[]): Promise<Node[]> {
    requireUuid(customerId, 'customer_id');
    requireUuid(clusterId, 'cluster_id');
    if (reports.length === 0) return [];
    // One row per instance (the last report wins): ON CONFLICT cannot touch a row twice in one statement.
    const unique = [...new Map(reports.map((report) => [report.instanceId, report])).values()];
    return withDbErrors('upsert nodes', async () => {
      const rows = await this.db
        .insert(nodes)
        .values(
          unique.map((report) => ({
            customerId,
            clusterId,
            nodeName: report.nodeName,
            instanceId: report.instanceId,
            instanceType: report.instanceType,
            availabilityZone: report.availabilityZone,
            capacityType: report.capacityType,
            cpuAllocatableCores: report.cpuAllocatableCores,
            memoryAllocatableGb: report.memoryAllocatableGb,
            cpuAllocatedCores: report.cpuAllocatedCores,
            memoryAllocatedGb: report.memoryAllocatedGb,
            cpuUsedCores: report.cpuUsedCores,
            memoryUsedGb: report.memoryUsedGb,
            podCount: report.podCount,
            unschedulable: report.unschedulable ?? false,
            lastSeenAt: report.seenAt ?? sql`now()`,
          })),
        )
        .onConflictDoUpdate({
          target: [nodes.clusterId, nodes.instanceId],
          set: {
            nodeName: excluded('node_name'),
            instanceType: excluded('instance_type'),
            availabilityZone: excluded('availability_zone'),
            capacityType: excluded('capacity_type'),
            cpuAllocatableCores: excluded('cpu_allocatable_cores'),
            memoryAllocatableGb: excluded('memory_allocatable_gb'),
            cpuAllocatedCores: excluded('cpu_allocated_cores'),
            memoryAllocatedGb: excluded('memory_allocated_gb'),
            cpuUsedCores: excluded('cpu_used_cores'),
            memoryUsedGb: excluded('memory_used_gb'),
            podCount: excluded('pod_count'),
            unschedulable: excluded('unschedulable'),
            lastSeenAt: excluded('last_seen_at'),
            updatedAt: sql`now()`,
          },
          // Belt and braces: the composite foreign key already ties the cluster to the customer.
          setWhere: eq(nodes.customerId, customerId),
        })
        .returning();
      const byInstance = new Map(rows.map((row) => [row.instanceId, toNode(row)]));
      return reports.map((report) => byInstance.get(report.instanceId)!);
    });
  }

  /**
   * Deletes the nodes of the customer's cluster whose instance is not in `keepInstanceIds` (gone from the latest
   * report) and returns them. An empty list removes every node of the cluster.
   */
  async removeMissing(customerId: string, clusterId: string, keepInstanceIds: readonly string[]): Promise<Node[]> {
    if (!isUuid(customerId) || !isUuid(clusterId)) return [];
    return withDbErrors('remove missing nodes', async () => {
      const rows = await this.db
        .delete(nodes)
        .where(and(eq(nodes.customerId, customerId), eq(nodes.clusterId, clusterId), keepInstanceIds.length > 0 ? notInArray(nodes.instanceId, [...keepInstanceIds]) : undefined))
        .returning();
      return rows.map(toNode);
    });
  }

  /** Deletes the node of the customer's cluster backed by `instanceId` (its instance terminated); returns it, or null. */
  async removeByInstanceId(customerId: string, clusterId: string, instanceId: string): Promise<Node | null> {
    if (!isUuid(customerId) || !isUuid(clusterId)) return null;
    return withDbErrors('remove node', async () => {
      const [row] = await this.db
        .delete(nodes)
        .where(and(eq(nodes.customerId, customerId), eq(nodes.clusterId, clusterId), eq(nodes.instanceId, instanceId)))
        .returning();
      return row ? toNode(row) : null;
    });
  }

  /** The nodes of the customer's cluster by name ([] when the cluster is not the customer's). */
  async list(customerId: string, clusterId: string): Promise<Node[]> {
    if (!isUuid(customerId) || !isUuid(clusterId)) return [];
    return withDbErrors('list nodes', async () => {
      const rows = await this.db
        .select()
        .from(nodes)
        .where(and(eq(nodes.customerId, customerId), eq(nodes.clusterId, clusterId)))
        .orderBy(asc(nodes.nodeName), asc(nodes.instanceId));
      return rows.map(toNode);
    });
  }

  /** The customer's node running EC2 instance `instanceId` (most recently seen if several clusters report it), or null. */
  async findByInstanceId(customerId: string, instanceId: string): Promise<Node | null> {
    if (!isUuid(customerId)) return null;
    return withDbErrors('find node', async () => {
      const [row] = await this.db
        .select()
        .from(nodes)
        .where(and(eq(nodes.customerId, customerId), eq(nodes.instanceId, instanceId)))
        .orderBy(desc(nodes.lastSeenAt))
        .limit(1);
      return row ? toNode(row) : null;
    });
  }
}
