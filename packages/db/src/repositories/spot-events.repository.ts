import { and, desc, eq, gte } from 'drizzle-orm';
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

/** What handling changed on a stored event (fields left out stay as they are). */
export interface SpotEventUpdate {
  clusterId?: string | null;
  nodeName?: string | null;
  availabilityZone?: string | null;
  actionTaken?: string | null;
  replacementInstanceId?: string | null;
}

/** Filters of {@link SpotEventsRepository.list}. */
export interface SpotEventListOptions {
  clusterId?: string;
  eventType?: SpotEventType;
  /** Only events received at or after this instant. */
  since?: Date;
  /** 1–1000, default 100. */
  limit?: number;
  offset?: number;
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

  /** Records what handling did (action taken, replacement, the node it mapped to); null when not the customer's. */
  async update(customerId: string, id: string, patch: SpotEventUpdate): Promise<SpotEvent | null> {
    if (!isUuid(customerId) || !isUuid(id)) return null;
    if (patch.clusterId) requireUuid(patch.clusterId, 'cluster_id');
    const set = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
    if (Object.keys(set).length === 0) return this.find(customerId, id);
    return withDbErrors('update spot event', async () => {
      const [row] = await this.db
        .update(spotEvents)
        .set(set)
        .where(and(eq(spotEvents.customerId, customerId), eq(spotEvents.id, id)))
        .returning();
      return row ? toSpotEvent(row) : null;
    });
  }

  /** The customer's events, newest first, optionally of one cluster, one type, since an instant; paged. */
  async list(customerId: string, options: SpotEventListOptions = {}): Promise<SpotEvent[]> {
    if (!isUuid(customerId)) return [];
    return this.select(customerId, options);
  }

  /** Every customer's events (operators), with the same filters as {@link list}. */
  async listAll(options: SpotEventListOptions = {}): Promise<SpotEvent[]> {
    return this.select(undefined, options);
  }

  private async select(customerId: string | undefined, options: SpotEventListOptions): Promise<SpotEvent[]> {
    if (options.clusterId !== undefined && !isUuid(options.clusterId)) return [];
    return withDbErrors('list spot events', async () => {
      const rows = await this.db
        .select()
        .from(spotEvents)
        .where(
          and(
            customerId !== undefined ? eq(spotEvents.customerId, customerId) : undefined,
            options.clusterId ? eq(spotEvents.clusterId, options.clusterId) : undefined,
            options.eventType ? eq(spotEvents.eventType, options.eventType) : undefined,
            options.since ? gte(spotEvents.receivedAt, options.since) : undefined,
          ),
        )
        .orderBy(desc(spotEvents.receivedAt), desc(spotEvents.id))
        .limit(listLimit(options.limit))
        .offset(Math.max(0, Math.floor(options.offset ?? 0)));
      return rows.map(toSpotEvent);
    });
  }
}
