import { and, desc, eq } from 'drizzle-orm';
import type { ClusterEvent, ClusterEventKind } from '@cloudoptim/contracts';
import type { DrizzleDb } from '../database.ts';
import { withDbErrors } from '../db-errors.ts';
import { clusterEvents } from '../schema.ts';
import { isUuid, listLimit, requireUuid } from './repository-helpers.ts';

/** A stored cluster event: the agent's ClusterEvent and when central received it. */
export interface StoredClusterEvent {
  event: ClusterEvent;
  receivedAt: Date;
}

function toEvent(row: typeof clusterEvents.$inferSelect): StoredClusterEvent {
  return {
    event: {
      event_id: row.eventId,
      cluster_id: row.clusterId,
      kind: row.kind,
      occurred_at: row.occurredAt.toISOString(),
      node_name: row.nodeName,
      instance_id: row.instanceId,
      namespace: row.namespace,
      pod_name: row.podName,
      reason: row.reason,
      message: row.message,
    },
    receivedAt: row.receivedAt,
  };
}

/**
 * Kubernetes events the agents report, scoped by customer. Recording is idempotent on (cluster, event_id), so a
 * batch re-sent after a lost answer stores nothing twice. Errors are AppErrors: VALIDATION_FAILED (bad ids,
 * unknown kinds), NOT_FOUND (the cluster is not the customer's).
 */
export class ClusterEventsRepository {
  constructor(private readonly db: DrizzleDb) {}

  /**
   * Stores the events the cluster does not have yet (`cluster_id` of each event is ignored: the caller has
   * checked it). `duplicates` counts events already stored and repeats within the batch.
   */
  async record(customerId: string, clusterId: string, events: readonly ClusterEvent[], receivedAt: Date): Promise<{ accepted: number; duplicates: number }> {
    requireUuid(customerId, 'customer_id');
    requireUuid(clusterId, 'cluster_id');
    if (events.length === 0) return { accepted: 0, duplicates: 0 };
    return withDbErrors('record cluster events', async () => {
      const rows = await this.db
        .insert(clusterEvents)
        .values(
          events.map((event) => ({
            customerId,
            clusterId,
            eventId: event.event_id,
            kind: event.kind,
            occurredAt: new Date(event.occurred_at),
            nodeName: event.node_name,
            instanceId: event.instance_id,
            namespace: event.namespace,
            podName: event.pod_name,
            reason: event.reason,
            message: event.message,
            receivedAt,
          })),
        )
        .onConflictDoNothing({ target: [clusterEvents.clusterId, clusterEvents.eventId] })
        .returning({ id: clusterEvents.id });
      return { accepted: rows.length, duplicates: events.length - rows.length };
    });
  }

  /** The customer's events of a cluster, most recent first (by when they occurred). */
  async list(customerId: string, clusterId: string, options: { kind?: ClusterEventKind; limit?: number; offset?: number } = {}): Promise<StoredClusterEvent[]> {
    if (!isUuid(customerId) || !isUuid(clusterId)) return [];
    return withDbErrors('list cluster events', async () => {
      const rows = await this.db
        .select()
        .from(clusterEvents)
        .where(and(eq(clusterEvents.customerId, customerId), eq(clusterEvents.clusterId, clusterId), options.kind ? eq(clusterEvents.kind, options.kind) : undefined))
        .orderBy(desc(clusterEvents.occurredAt), desc(clusterEvents.id))
        .limit(listLimit(options.limit))
        .offset(options.offset ?? 0);
      return rows.map(toEvent);
    });
  }
}
