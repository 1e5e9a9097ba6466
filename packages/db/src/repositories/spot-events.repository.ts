import { and, desc, eq } from 'drizzle-orm';
import type { DrizzleDb } from '../database.ts';
import { withDbErrors } from '../db-errors.ts';
import { spotEvents } from '../schema.ts';
import { isUuid, listLimit, requireUuid } from './repository-helpers.ts';

/** The kinds of Spot event (SpotEvent.event_type). */
export type SpotEventType = 'interruption_warning' | 'rebalance_recommendation' | 'instance_terminated';

/** A Spot event to record (SpotEvent without the stored row's id). */
export interface NewSpotEvent {
  /** The source's id (the EventBridge event id): the idempotency key, unique per customer. */
  eventId: string;
  eventType: SpotEventType;
  instanceId: string;
  region: string;
  availabilityZone?: string | null;
  receivedAt: Date;
  interruptionTime?: Date | null;
  /** The customer's cluster running the instance, when known. */
  clusterId?: string | null;
  nodeName?: string | null;
  actionTaken?: string | null;
  replacementInstanceId?: string | null;
}

/** A stored Spot event. */
export interface SpotEvent extends Required<NewSpotEvent> {
  id: string;
  customerId: string;
  createdAt: Date;
}

/** What {@link SpotEventsRepository.record} did: `inserted` false when the event id was already stored. */
export interface RecordSpotEventResult {
  inserted: boolean;
  /** The stored event (the earlier row when not inserted). */
  event: SpotEvent;
}

function toSpotEvent(row: typeof spotEvents.$inferSelect): SpotEvent {
  return {
    id: row.id,
    customerId: row.customerId,
    clusterId: row.clusterId,
    eventId: row.eventId,
    eventType: row.eventType,
    instanceId: row.instanceId,
    region: row.region,
    availabilityZone: row.availabilityZone,
    receivedAt: row.receivedAt,
    interruptionTime: row.interruptionTime,
    nodeName: row.nodeName,
    actionTaken: row.actionTaken,
    replacementInstanceId: row.replacementInstanceId,
    createdAt: row.createdAt,
  };
}

/**
 * Spot events, scoped by customer. Recording is idempotent on (customer, event_id), so an SQS message delivered
 * twice is one row. Errors are AppErrors: NOT_FOUND (unknown customer, or a cluster that is not the customer's),
 * VALIDATION_FAILED (unknown event type, empty event id, bad ids).
 */
export class SpotEventsRepository {
  constructor(private readonly db: DrizzleDb) {}

  /** Stores the event unless the customer already has one with the same `eventId`. */
  async record(customerId: string, event: NewSpotEvent): Promise<RecordSpotEventResult> {
    requireUuid(customerId, 'customer_id');
    if (event.clusterId) requireUuid(event.clusterId, 'cluster_id');
    return withDbErrors('record spot event', async () => {
      const [row] = await this.db
        .insert(spotEvents)
        .values({
          customerId,
          clusterId: event.clusterId ?? null,
          eventId: event.eventId,
          eventType: event.eventType,
          instanceId: event.instanceId,
          region: event.region,
          availabilityZone: event.availabilityZone ?? null,
          receivedAt: event.receivedAt,
          interruptionTime: event.interruptionTime ?? null,
          nodeName: event.nodeName ?? null,
          actionTaken: event.actionTaken ?? null,
          replacementInstanceId: event.replacementInstanceId ?? null,
        })
        .onConflictDoNothing({ target: [spotEvents.customerId, spotEvents.eventId] })
        .returning();
      if (row) return { inserted: true, event: toSpotEvent(row) };
      const [existing] = await this.db
        .select()
        .from(spotEvents)
        .where(and(eq(spotEvents.customerId, customerId), eq(spotEvents.eventId, event.eventId)));
      return { inserted: false, event: toSpotEvent(existing!) };
    });
  }

  /** The customer's event by stored id, or null. */
  async find(customerId: string, id: string): Promise<SpotEvent | null> {
    if (!isUuid(customerId) || !isUuid(id)) return null;
    return withDbErrors('find spot event', async () => {
      const [row] = await this.db
        .select()
        .from(spotEvents)
        .where(and(eq(spotEvents.customerId, customerId), eq(spotEvents.id, id)));
      return row ? toSpotEvent(row) : null;
    });
  }

  /** The customer's events, newest first, optionally of one cluster. */
  async list(customerId: string, options: { clusterId?: string; limit?: number } = {}): Promise<SpotEvent[]> {
    if (!isUuid(customerId) || (options.clusterId !== undefined && !isUuid(options.clusterId))) return [];
    return withDbErrors('list spot events', async () => {
      const rows = await this.db
        .select()
        .from(spotEvents)
        .where(and(eq(spotEvents.customerId, customerId), options.clusterId ? eq(spotEvents.clusterId, options.clusterId) : undefined))
        .orderBy(desc(spotEvents.receivedAt), desc(spotEvents.id))
        .limit(listLimit(options.limit));
      return rows.map(toSpotEvent);
    });
  }
}
