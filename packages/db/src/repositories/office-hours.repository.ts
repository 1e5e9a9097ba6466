import { and, asc, eq, sql } from 'drizzle-orm';
import type { DrizzleDb } from '../database.ts';
import { withDbErrors } from '../db-errors.ts';
import { officeHoursWorkloads } from '../schema.ts';
import { isUuid, requireUuid } from './repository-helpers.ts';

/** Workload kinds office hours scales. */
export type ScaledWorkloadKind = 'Deployment' | 'StatefulSet' | 'ReplicaSet';
/** `scaling_down`: the scale-to-zero task is out; `down`: it succeeded; `restoring`: the scale-up task is out. */
export type ScaledWorkloadState = 'scaling_down' | 'down' | 'restoring';

/** A workload office hours scales down, with the replica count to give back. */
export interface NewScaledWorkload {
  namespace: string;
  kind: ScaledWorkloadKind;
  name: string;
  originalReplicas: number;
  /** The downtime window that scales it down. */
  windowKey: string;
  scaledDownAt: Date;
}

export interface ScaledWorkload extends NewScaledWorkload {
  id: string;
  customerId: string;
  clusterId: string;
  state: ScaledWorkloadState;
  /** The scale_workload task in flight (or last run). */
  taskId: string | null;
}

function toScaled(row: typeof officeHoursWorkloads.$inferSelect): ScaledWorkload {
  return {
    id: row.id,
    customerId: row.customerId,
    clusterId: row.clusterId,
    namespace: row.namespace,
    kind: row.kind,
    name: row.name,
    originalReplicas: row.originalReplicas,
    state: row.state,
    windowKey: row.windowKey,
    taskId: row.taskId,
    scaledDownAt: row.scaledDownAt,
  };
}

/**
 * The workloads office hours has scaled down, per cluster (scoped by customer): the memory of their replica
 * counts between the scale-down and the restore. One row per workload. Errors are AppErrors: NOT_FOUND (the
 * cluster is not the customer's), VALIDATION_FAILED (bad ids, kinds, negative counts).
 */
export class OfficeHoursRepository {
  constructor(private readonly db: DrizzleDb) {}

  /** Remembers the workload before scaling it down; null when it is already remembered (nothing changed). */
  async remember(customerId: string, clusterId: string, input: NewScaledWorkload): Promise<ScaledWorkload | null> {
    requireUuid(customerId, 'customer_id');
    requireUuid(clusterId, 'cluster_id');
    return withDbErrors('remember scaled workload', async () => {
      const [row] = await this.db
        .insert(officeHoursWorkloads)
        .values({ customerId, clusterId, ...input })
        .onConflictDoNothing({ target: [officeHoursWorkloads.clusterId, officeHoursWorkloads.namespace, officeHoursWorkloads.kind, officeHoursWorkloads.name] })
        .returning();
      return row ? toScaled(row) : null;
    });
  }

  /** The cluster's scaled-down workloads. */
  async list(customerId: string, clusterId: string): Promise<ScaledWorkload[]> {
    if (!isUuid(customerId) || !isUuid(clusterId)) return [];
    return withDbErrors('list scaled workloads', async () => {
      const rows = await this.db
        .select()
        .from(officeHoursWorkloads)
        .where(and(eq(officeHoursWorkloads.customerId, customerId), eq(officeHoursWorkloads.clusterId, clusterId)))
        .orderBy(asc(officeHoursWorkloads.namespace), asc(officeHoursWorkloads.kind), asc(officeHoursWorkloads.name));
      return rows.map(toScaled);
    });
  }

  /** Moves a workload to `state` with its task; null when it is not the customer's. */
  async setState(customerId: string, id: string, state: ScaledWorkloadState, taskId: string | null): Promise<ScaledWorkload | null> {
    if (!isUuid(customerId) || !isUuid(id)) return null;
    return withDbErrors('update scaled workload', async () => {
      const [row] = await this.db
        .update(officeHoursWorkloads)
        .set({ state, taskId, updatedAt: sql`now()` })
        .where(and(eq(officeHoursWorkloads.customerId, customerId), eq(officeHoursWorkloads.id, id)))
        .returning();
      return row ? toScaled(row) : null;
    });
  }

  /** Forgets a workload (restored, or never scaled down); false when it is not the customer's. */
  async forget(customerId: string, id: string): Promise<boolean> {
    if (!isUuid(customerId) || !isUuid(id)) return false;
    return withDbErrors('forget scaled workload', async () => {
      const rows = await this.db
        .delete(officeHoursWorkloads)
        .where(and(eq(officeHoursWorkloads.customerId, customerId), eq(officeHoursWorkloads.id, id)))
        .returning({ id: officeHoursWorkloads.id });
      return rows.length > 0;
    });
  }
}
