import { and, asc, desc, eq, sql } from 'drizzle-orm';
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
