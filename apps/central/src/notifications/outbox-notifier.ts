/**
 * The `Notifier` of central: writes one outbox row per channel of the customer that takes the event (idempotent
 * on the event's key), for the delivery worker to send. Cheap and local: a webhook that is slow or down never
 * slows the service that notified.
 */
import { NotificationChannelsRepository, NotificationDeliveriesRepository, type Database } from '@cloudoptim/db';
import type { Clock } from '@cloudoptim/runtime';
import type { NotificationEvent, Notifier } from './notifier.ts';

/** What a delivery carries (the senders render it per channel kind). */
export interface NotificationPayload extends Record<string, unknown> {
  type: NotificationEvent['type'];
  key: string;
  customer_id: string;
  cluster_id: string | null;
  title: string;
  text: string;
  facts: Record<string, unknown>;
  occurred_at: string;
}

export class OutboxNotifier implements Notifier {
  private readonly channels: NotificationChannelsRepository;
  private readonly deliveries: NotificationDeliveriesRepository;

  constructor(
    db: Database,
    private readonly clock: Clock,
  ) {
    this.channels = new NotificationChannelsRepository(db.db);
    this.deliveries = new NotificationDeliveriesRepository(db.db);
  }

  async notify(customerId: string, event: NotificationEvent): Promise<void> {
    const channels = await this.channels.forEvent(customerId, event.type);
    await this.deliveries.enqueue(
      customerId,
      channels.map((c) => c.id),
      { eventType: event.type, eventKey: event.key, clusterId: event.clusterId ?? null, payload: payloadOf(customerId, event), nextAttemptAt: new Date(this.clock.now()) },
    );
  }
}

export function payloadOf(customerId: string, event: NotificationEvent): NotificationPayload {
  return { type: event.type, key: event.key, customer_id: customerId, cluster_id: event.clusterId ?? null, title: event.title, text: event.text, facts: event.facts ?? {}, occurred_at: event.occurredAt.toISOString() };
}
