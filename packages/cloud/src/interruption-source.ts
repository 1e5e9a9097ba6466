/**
 * Where Spot interruption warnings, rebalance recommendations and instance state changes come from (SPEC §5
 * flow 3): in production the customer's SQS queue fed by EventBridge rules (`SqsInterruptionSource`).
 * Delivery is at-least-once: the caller stores the event first, then `ack`s it; an unacked message comes back
 * after the queue's visibility timeout (deduplicate on `eventId`).
 */

/** Where a message came from, enough to acknowledge it. Opaque to callers. */
export interface MessageReceipt {
  /** The SQS message id (stable across redeliveries). */
  messageId: string;
  /** The handle of this delivery; a redelivery gets a new one. */
  receiptHandle: string;
  /** How many times the message was delivered (1 on first delivery), when the queue says. */
  receiveCount: number | null;
  /** When the message was sent to the queue, ms since the epoch, when the queue says. */
  sentAtMs: number | null;
}

interface InterruptionEventBase {
  /** The EventBridge event id: the key for deduplicating redeliveries (SpotEvent.source_event_id). */
  eventId: string;
  instanceId: string;
  region: string;
  account: string;
  /** EventBridge events of EC2 do not carry the AZ; null unless the source knows it. */
  availabilityZone: string | null;
  /** The event's `time`, ms since the epoch. */
  timeMs: number;
  receipt: MessageReceipt;
}

/** "EC2 Spot Instance Interruption Warning": EC2 reclaims the instance about two minutes after `timeMs`. */
export interface InterruptionWarningEvent extends InterruptionEventBase {
  type: 'interruption_warning';
  instanceAction: 'terminate' | 'stop' | 'hibernate';
  /**
   * When the instance is reclaimed: `timeMs` + 2 minutes (EC2's notice; for `hibernate` AWS gives no lead, so
   * treat the deadline as an upper bound).
   */
  deadlineMs: number;
}

/** "EC2 Instance Rebalance Recommendation": elevated risk of interruption; no deadline. */
export interface RebalanceRecommendationEvent extends InterruptionEventBase {
  type: 'rebalance_recommendation';
}

/** "EC2 Instance State-change Notification". */
export interface InstanceStateChangeEvent extends InterruptionEventBase {
  type: 'instance_state_change';
  state: 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';
}

/** A parsed, validated event. */
export type InterruptionEvent = InterruptionWarningEvent | RebalanceRecommendationEvent | InstanceStateChangeEvent;

/**
 * A message that is not a valid event of a kind we handle: bad JSON, a missing or wrong field, an unknown
 * `detail-type` or `source`. Reported (never thrown) so one bad message cannot stall the queue; the caller
 * logs it and usually acks it (or lets the queue's redrive policy move it to a dead-letter queue).
 */
export interface MalformedMessage {
  type: 'malformed';
  /** What is wrong (`detail.instance-id: must be an EC2 instance id…`). */
  reason: string;
  /** The first 2 KiB of the body, for the log. */
  bodyExcerpt: string;
  receipt: MessageReceipt;
}

/** One delivery: an event, or a malformed message. */
export type ReceivedMessage = InterruptionEvent | MalformedMessage;

/** Input of {@link InterruptionSource.receive}. */
export interface ReceiveInput {
  /** 1–10. */
  maxMessages: number;
  /** Long-poll wait, 0–20 s: returns as soon as a message is there. */
  waitSeconds: number;
  /** Aborting ends the long poll early; `receive` then resolves with `[]`. */
  signal?: AbortSignal;
}

/** A queue of interruption events with at-least-once delivery. */
export interface InterruptionSource {
  /**
   * Receives up to `maxMessages` messages, waiting up to `waitSeconds`. Each received message is hidden for
   * the queue's visibility timeout and comes back unless acked.
   * @throws AppError UNAVAILABLE / RATE_LIMITED / UNAUTHENTICATED / FORBIDDEN / NOT_FOUND (queue gone) / INTERNAL.
   */
  receive(input: ReceiveInput): Promise<ReceivedMessage[]>;

  /**
   * Deletes the message for good. Call only after the event is stored. A stale receipt (the message was
   * redelivered since) is accepted without deleting, as SQS does.
   */
  ack(message: { receipt: MessageReceipt }): Promise<void>;
}
