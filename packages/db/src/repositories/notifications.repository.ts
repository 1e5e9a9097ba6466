import { and, asc, desc, eq, isNotNull, lte, notLike, or, sql } from 'drizzle-orm';
import type { DrizzleDb } from '../database.ts';
import { withDbErrors } from '../db-errors.ts';
import { notificationChannels, notificationDeliveries } from '../schema.ts';
import { isUuid, listLimit, requireUuid } from './repository-helpers.ts';

/** How a channel delivers: a Slack-compatible webhook, a generic signed webhook, or e-mail. */
export type NotificationChannelKind = 'slack' | 'webhook' | 'email';
/** What a customer can be notified about. */
export type NotificationEventKind = 'interruption_handled' | 'plan_awaiting_approval' | 'plan_failed' | 'cluster_red' | 'test';
export type NotificationDeliveryStatus = 'pending' | 'delivered' | 'failed';

/** A channel to create. */
export interface NewNotificationChannel {
  name: string;
  kind: NotificationChannelKind;
  /** A URL (slack, webhook) or comma-separated e-mail addresses. */
  target: string;
  /** The HMAC key of a generic webhook (null for the other kinds). */
  secret: string | null;
  /** Event kinds it takes; empty = all. */
  events: NotificationEventKind[];
  enabled?: boolean;
}

/**
 * A stored channel. The secret never leaves the package except to the sender (see {@link DueDelivery}). `target`
 * (and the secret) are as central stored them: sealed (`enc:v1:…`) when it has a secrets key.
 */
export interface NotificationChannel extends Omit<NewNotificationChannel, 'secret'> {
  id: string;
  customerId: string;
  enabled: boolean;
  hasSecret: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** A channel's credentials as stored (plain or sealed): what central's start-up pass (re)seals. */
export interface StoredChannelCredentials {
  id: string;
  target: string;
  secret: string | null;
}

export type NotificationChannelPatch = Partial<Pick<NewNotificationChannel, 'name' | 'target' | 'events' | 'enabled' | 'secret'>>;

/** One (channel, event) delivery of the outbox. */
export interface NotificationDelivery {
  id: string;
  customerId: string;
  channelId: string;
  clusterId: string | null;
  eventType: NotificationEventKind;
  eventKey: string;
  payload: Record<string, unknown>;
  status: NotificationDeliveryStatus;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  lastStatusCode: number | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

/** A delivery to send now, with what the sender needs of its channel. */
export interface DueDelivery extends NotificationDelivery {
  channel: { kind: NotificationChannelKind; target: string; secret: string | null; name: string };
}

/** An event to queue for some channels of a customer. */
export interface NewNotificationDelivery {
  eventType: NotificationEventKind;
  eventKey: string;
  clusterId: string | null;
  payload: Record<string, unknown>;
  nextAttemptAt: Date;
  maxAttempts?: number;
}

/** The outcome of one attempt. `nextAttemptAt` null = give up (status failed). */
export interface AttemptOutcome {
  at: Date;
  error: string;
  statusCode: number | null;
  nextAttemptAt: Date | null;
}

function toChannel(row: typeof notificationChannels.$inferSelect): NotificationChannel {
  return {
    id: row.id,
    customerId: row.customerId,
    name: row.name,
    kind: row.kind,
    target: row.target,
    events: row.events as NotificationEventKind[],
    enabled: row.enabled,
    hasSecret: row.secret !== null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function toDelivery(row: typeof notificationDeliveries.$inferSelect): NotificationDelivery {
  return {
    id: row.id,
    customerId: row.customerId,
    channelId: row.channelId,
    clusterId: row.clusterId,
    eventType: row.eventType,
    eventKey: row.eventKey,
    payload: row.payload,
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.maxAttempts,
    nextAttemptAt: row.nextAttemptAt,
    lastError: row.lastError,
    lastStatusCode: row.lastStatusCode,
    deliveredAt: row.deliveredAt,
    createdAt: row.createdAt,
  };
}

/**
 * Notification channels, scoped by customer (`customerId` null = any customer, for operators). Errors are
 * AppErrors: CONFLICT (the customer has a channel of that name), NOT_FOUND (unknown customer),
 * VALIDATION_FAILED (bad kind, blank name or target, bad ids).
 */
export class NotificationChannelsRepository {
  constructor(private readonly db: DrizzleDb) {}

  async create(customerId: string, input: NewNotificationChannel): Promise<NotificationChannel> {
    requireUuid(customerId, 'customer_id');
    return withDbErrors('create notification channel', async () => {
      const [row] = await this.db
        .insert(notificationChannels)
        .values({ customerId, name: input.name, kind: input.kind, target: input.target, secret: input.secret, events: input.events, enabled: input.enabled ?? true })
        .returning();
      return toChannel(row!);
    });
  }

  /** The channel, or null (also when it is another customer's). */
  async find(customerId: string | null, id: string): Promise<NotificationChannel | null> {
    if (!isUuid(id) || (customerId !== null && !isUuid(customerId))) return null;
    return withDbErrors('find notification channel', async () => {
      const [row] = await this.db
        .select()
        .from(notificationChannels)
        .where(and(eq(notificationChannels.id, id), customerId !== null ? eq(notificationChannels.customerId, customerId) : undefined));
      return row ? toChannel(row) : null;
    });
  }

  /** The channels of a customer (null: of every customer) by name. */
  async list(customerId: string | null): Promise<NotificationChannel[]> {
    if (customerId !== null && !isUuid(customerId)) return [];
    return withDbErrors('list notification channels', async () => {
      const rows = await this.db
        .select()
        .from(notificationChannels)
        .where(customerId !== null ? eq(notificationChannels.customerId, customerId) : undefined)
        .orderBy(asc(notificationChannels.customerId), asc(notificationChannels.name))
        .limit(1000);
      return rows.map(toChannel);
    });
  }

  /** The enabled channels of the customer that take `event` (channels with no event list take every event). */
  async forEvent(customerId: string, event: NotificationEventKind): Promise<NotificationChannel[]> {
    if (!isUuid(customerId)) return [];
    return withDbErrors('list channels for an event', async () => {
      const rows = await this.db
        .select()
        .from(notificationChannels)
        .where(and(eq(notificationChannels.customerId, customerId), eq(notificationChannels.enabled, true), sql`(cardinality(${notificationChannels.events}) = 0 OR ${event} = ANY(${notificationChannels.events}))`));
      return rows.map(toChannel);
    });
  }

  /** Changes the channel; null when it is not the customer's. */
  async update(customerId: string | null, id: string, patch: NotificationChannelPatch): Promise<NotificationChannel | null> {
    if (!isUuid(id) || (customerId !== null && !isUuid(customerId))) return null;
    return withDbErrors('update notification channel', async () => {
      const [row] = await this.db
        .update(notificationChannels)
        .set({ ...patch, updatedAt: sql`now()` })
        .where(and(eq(notificationChannels.id, id), customerId !== null ? eq(notificationChannels.customerId, customerId) : undefined))
        .returning();
      return row ? toChannel(row) : null;
    });
  }

  /**
   * Locks (FOR UPDATE, in id order) and returns the channels of every customer whose target, or secret, does not
   * start with `prefix` (central's current `enc:v1:<key id>:`). Call it inside a transaction, then
   * {@link rewriteCredentials}: a second replica doing the same waits for the first and then finds nothing.
   */
  async lockCredentialsWithout(prefix: string): Promise<StoredChannelCredentials[]> {
    const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    return withDbErrors('lock notification channel credentials', async () =>
      this.db
        .select({ id: notificationChannels.id, target: notificationChannels.target, secret: notificationChannels.secret })
        .from(notificationChannels)
        .where(or(notLike(notificationChannels.target, pattern), and(isNotNull(notificationChannels.secret), notLike(notificationChannels.secret, pattern))))
        .orderBy(asc(notificationChannels.id))
        .for('update'),
    );
  }

  /** Stores a channel's re-encoded credentials. `updated_at` is left alone: the channel itself did not change. */
  async rewriteCredentials(credentials: StoredChannelCredentials): Promise<void> {
    if (!isUuid(credentials.id)) return;
    await withDbErrors('rewrite notification channel credentials', async () => {
      await this.db.update(notificationChannels).set({ target: credentials.target, secret: credentials.secret }).where(eq(notificationChannels.id, credentials.id));
    });
  }

  /** Deletes the channel and its deliveries; false when it is not the customer's. */
  async delete(customerId: string | null, id: string): Promise<boolean> {
    if (!isUuid(id) || (customerId !== null && !isUuid(customerId))) return false;
    return withDbErrors('delete notification channel', async () => {
      const rows = await this.db
        .delete(notificationChannels)
        .where(and(eq(notificationChannels.id, id), customerId !== null ? eq(notificationChannels.customerId, customerId) : undefined))
        .returning({ id: notificationChannels.id });
      return rows.length > 0;
    });
  }
}

/**
 * The notifications outbox, scoped by customer (the sender's `due` is the one cross-customer read). Queuing is
 * idempotent per (channel, event key). Errors are AppErrors: NOT_FOUND (a channel or cluster that is not the
 * customer's), VALIDATION_FAILED (bad ids or event kinds).
 */
export class NotificationDeliveriesRepository {
  constructor(private readonly db: DrizzleDb) {}

  /** Queues the event for each channel (of the customer) that does not have it yet; returns the new rows. */
  async enqueue(customerId: string, channelIds: readonly string[], input: NewNotificationDelivery): Promise<NotificationDelivery[]> {
    requireUuid(customerId, 'customer_id');
    if (channelIds.length === 0) return [];
    return withDbErrors('queue notification', async () => {
      const rows = await this.db
        .insert(notificationDeliveries)
        .values(
          channelIds.map((channelId) => ({
            customerId,
            channelId,
            clusterId: input.clusterId,
            eventType: input.eventType,
            eventKey: input.eventKey,
            payload: input.payload,
            nextAttemptAt: input.nextAttemptAt,
            ...(input.maxAttempts !== undefined && { maxAttempts: input.maxAttempts }),
          })),
        )
        .onConflictDoNothing({ target: [notificationDeliveries.channelId, notificationDeliveries.eventKey] })
        .returning();
      return rows.map(toDelivery);
    });
  }

  /** Pending deliveries of every customer due at `now`, oldest due first, with their channel. */
  async due(now: Date, limit?: number): Promise<DueDelivery[]> {
    return withDbErrors('list due notifications', async () => {
      const rows = await this.db
        .select({ delivery: notificationDeliveries, channel: { kind: notificationChannels.kind, target: notificationChannels.target, secret: notificationChannels.secret, name: notificationChannels.name } })
        .from(notificationDeliveries)
        .innerJoin(notificationChannels, and(eq(notificationChannels.id, notificationDeliveries.channelId), eq(notificationChannels.customerId, notificationDeliveries.customerId)))
        .where(and(eq(notificationDeliveries.status, 'pending'), lte(notificationDeliveries.nextAttemptAt, now)))
        .orderBy(asc(notificationDeliveries.nextAttemptAt), asc(notificationDeliveries.id))
        .limit(listLimit(limit));
      return rows.map((r) => ({ ...toDelivery(r.delivery), channel: r.channel }));
    });
  }

  /** Records a successful attempt. */
  async markDelivered(id: string, at: Date, statusCode: number | null): Promise<void> {
    await withDbErrors('mark notification delivered', async () => {
      await this.db
        .update(notificationDeliveries)
        .set({ status: 'delivered', attempts: sql`${notificationDeliveries.attempts} + 1`, deliveredAt: at, lastStatusCode: statusCode, lastError: null, updatedAt: sql`now()` })
        .where(and(eq(notificationDeliveries.id, id), eq(notificationDeliveries.status, 'pending')));
    });
  }

  /** Records a failed attempt: pending again at `nextAttemptAt`, or failed for good when it is null. */
  async markAttemptFailed(id: string, outcome: AttemptOutcome): Promise<void> {
    await withDbErrors('mark notification attempt failed', async () => {
      await this.db
        .update(notificationDeliveries)
        .set({
          status: outcome.nextAttemptAt === null ? 'failed' : 'pending',
          attempts: sql`${notificationDeliveries.attempts} + 1`,
          nextAttemptAt: outcome.nextAttemptAt ?? outcome.at,
          lastError: outcome.error.slice(0, 2000),
          lastStatusCode: outcome.statusCode,
          updatedAt: sql`now()`,
        })
        .where(and(eq(notificationDeliveries.id, id), eq(notificationDeliveries.status, 'pending')));
    });
  }

  /** The customer's deliveries (null: every customer's), newest first, optionally of one channel or status. */
  async list(customerId: string | null, options: { channelId?: string; status?: NotificationDeliveryStatus; limit?: number; offset?: number } = {}): Promise<NotificationDelivery[]> {
    if ((customerId !== null && !isUuid(customerId)) || (options.channelId !== undefined && !isUuid(options.channelId))) return [];
    return withDbErrors('list notifications', async () => {
      const rows = await this.db
        .select()
        .from(notificationDeliveries)
        .where(
          and(
            customerId !== null ? eq(notificationDeliveries.customerId, customerId) : undefined,
            options.channelId !== undefined ? eq(notificationDeliveries.channelId, options.channelId) : undefined,
            options.status !== undefined ? eq(notificationDeliveries.status, options.status) : undefined,
          ),
        )
        .orderBy(desc(notificationDeliveries.createdAt), desc(notificationDeliveries.id))
        .limit(listLimit(options.limit))
        .offset(Math.max(0, Math.floor(options.offset ?? 0)));
      return rows.map(toDelivery);
    });
  }
}
