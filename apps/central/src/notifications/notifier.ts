/**
 * What the services notify customers about (SPEC §5 notifications), and the one call they make. `notify` only
 * writes the outbox (one delivery row per matching channel, idempotent on the event's key); the delivery worker
 * sends and retries, so a slow or failing webhook never slows the service that notified.
 */

export const NOTIFICATION_EVENT_TYPES = ['interruption_handled', 'plan_awaiting_approval', 'plan_failed', 'cluster_red', 'test'] as const;
export type NotificationEventType = (typeof NOTIFICATION_EVENT_TYPES)[number];

/** One thing worth telling a customer. */
export interface NotificationEvent {
  type: NotificationEventType;
  /** Idempotency key (e.g. `spot:<event id>`): notifying the same key twice is one delivery per channel. */
  key: string;
  clusterId?: string | null;
  /** One line for people (the Slack text, the e-mail subject). */
  title: string;
  /** Plain-text detail. */
  text: string;
  /** JSON facts for machines (sent in the generic webhook body). */
  facts?: Record<string, unknown>;
  occurredAt: Date;
}

export interface Notifier {
  /** Queues the event for every enabled channel of the customer that takes its type. Never throws for delivery problems. */
  notify(customerId: string, event: NotificationEvent): Promise<void>;
}
