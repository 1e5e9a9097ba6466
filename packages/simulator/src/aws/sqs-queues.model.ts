/**
 * The SQS queue model (standard queues): at-least-once delivery with visibility timeouts, receipt handles
 * that change on every receive (only the newest one deletes), long polls that return as soon as a message
 * becomes available, delays and retention. All time from the injected `Clock`.
 */
import type { Clock } from '@cloudoptim/runtime';
import type { IdSource } from './ids.ts';
import {
  invalidAttributeName,
  invalidMessageContents,
  invalidParameterValue,
  messageNotInflight,
  missingParameter,
  queueDoesNotExist,
  queueNameExists,
  receiptHandleIsInvalid,
  SqsError,
} from './sqs-errors.ts';
import { md5Hex, md5OfMessageAttributes, type MessageAttributeValue } from './sqs-md5.ts';

interface StoredMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  messageAttributes?: Record<string, MessageAttributeValue>;
  md5OfMessageAttributes?: string;
  sentTimestampMs: number;
  senderId: string;
  visibleAtMs: number;
  receiveCount: number;
  firstReceiveTimestampMs?: number;
  /** Number of the current receive: a receipt handle from an earlier receive is stale. */
  receiveSeq: number;
}

/** One queue. */
export interface SqsQueue {
  name: string;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  createdMs: number;
  modifiedMs: number;
  messages: Map<string, StoredMessage>;
  waiters: Set<() => void>;
}

/** A message as ReceiveMessage hands it out. */
export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  md5OfBody: string;
  sentTimestampMs: number;
  senderId: string;
  receiveCount: number;
  firstReceiveTimestampMs: number;
  messageAttributes?: Record<string, MessageAttributeValue>;
}

const DEFAULT_ATTRIBUTES: Readonly<Record<string, string>> = Object.freeze({
  VisibilityTimeout: '30',
  ReceiveMessageWaitTimeSeconds: '0',
  MessageRetentionPeriod: '345600',
  DelaySeconds: '0',
  MaximumMessageSize: '262144',
});

/** Attributes that have bounds, [min, max]. */
const NUMERIC_ATTRIBUTES: Readonly<Record<string, readonly [number, number]>> = Object.freeze({
  VisibilityTimeout: [0, 43_200],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  MessageRetentionPeriod: [60, 1_209_600],
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, 262_144],
  KmsDataKeyReusePeriodSeconds: [60, 86_400],
});

/** Stored but without behaviour in the simulator. */
const PASSIVE_ATTRIBUTES = new Set(['Policy', 'RedrivePolicy', 'RedriveAllowPolicy', 'SqsManagedSseEnabled', 'KmsMasterKeyId', 'FifoQueue', 'ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit']);

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}(\.fifo)?$/;
// Characters SQS accepts in bodies and attribute values (#x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD | astral).
// eslint-disable-next-line no-control-regex
const INVALID_BODY_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Opt-in delivery faults (chaos tests), within what SQS standard queues allow anyway: at-least-once delivery
 * (a message stored twice, under two message ids, as a retried SendMessage or EventBridge retry produces) and
 * best-effort ordering (each copy visible after its own random delay, and receives take messages in a random
 * order). Off unless `setDeliveryFaults` is called.
 */
export interface SqsDeliveryFaults {
  /** Probability that a sent message is stored twice. */
  duplicateProbability: number;
  /** Each stored copy becomes visible up to this many seconds late (uniform). */
  maxDelaySeconds: number;
  /** Uniform [0, 1) draws (seeded by the caller, so a run is reproducible). */
  random: () => number;
}

/** Options of the model. */
export interface SqsModelOptions {
  clock: Clock;
  ids: IdSource;
  region: string;
  accountId: string;
}

/** Validates a number parameter in [min, max]. */
export function checkRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidParameterValue(`Value ${value} for parameter ${name} is invalid. Reason: Must be between ${min} and ${max}, if provided.`);
  }
}

/** Throws InvalidAttributeName / InvalidAttributeValue for attributes SQS would refuse. */
function validateQueueAttributes(attributes: Record<string, string>): void {
  for (const [k, v] of Object.entries(attributes)) {
    const range = NUMERIC_ATTRIBUTES[k];
    if (range) {
      const n = Number(v);
      if (typeof v !== 'string' || !/^\d+$/.test(v) || n < range[0] || n > range[1]) throw new SqsError('InvalidAttributeValue', 'InvalidAttributeValue', 400, `Invalid value for the parameter ${k}.`);
    } else if (!PASSIVE_ATTRIBUTES.has(k)) {
      throw invalidAttributeName(k);
    }
  }
}

/** Queues of the region. */
export class SqsModel {
  private readonly queues = new Map<string, SqsQueue>();
  private stopped = false;
  private faults: SqsDeliveryFaults | undefined;
  /** Extra copies stored by the duplicate fault (chaos reports show the fault really bit). */
  duplicatesInjected = 0;

  constructor(private readonly opts: SqsModelOptions) {}

  get accountId(): string {
    return this.opts.accountId;
  }

  /** ARN of a queue. */
  queueArn(name: string): string {
    return `arn:aws:sqs:${this.opts.region}:${this.opts.accountId}:${name}`;
  }

  /** Creates a queue, or returns the existing one when the given attributes match (CreateQueue is idempotent). */
  createQueue(name: string, attributes: Record<string, string> = {}, tags: Record<string, string> = {}): SqsQueue {
    if (!QUEUE_NAME.test(name)) throw invalidParameterValue('Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
    validateQueueAttributes(attributes);
    const existing = this.queues.get(name);
    if (existing) {
      for (const [k, v] of Object.entries(attributes)) if (existing.attributes[k] !== v) throw queueNameExists(name);
      return existing;
    }
    const now = this.opts.clock.now();
    const q: SqsQueue = { name, attributes: { ...DEFAULT_ATTRIBUTES, ...attributes }, tags: { ...tags }, createdMs: now, modifiedMs: now, messages: new Map(), waiters: new Set() };
    this.queues.set(name, q);
    return q;
  }

  /** The queue, or throws QueueDoesNotExist. */
  queue(name: string): SqsQueue {
    const q = this.queues.get(name);
    if (!q) throw queueDoesNotExist();
    return q;
  }

  /** Every queue name, sorted. */
  queueNames(): string[] {
    return [...this.queues.keys()].sort();
  }

  deleteQueue(name: string): void {
    const q = this.queue(name);
    this.queues.delete(name);
    this.notify(q);
  }

  purgeQueue(name: string): void {
    this.queue(name).messages.clear();
  }

  /** Sets attributes (same validation as CreateQueue). */
  setQueueAttributes(name: string, attributes: Record<string, string>): void {
    const q = this.queue(name);
    validateQueueAttributes(attributes);
    Object.assign(q.attributes, attributes);
    q.modifiedMs = this.opts.clock.now();
    this.notify(q);
  }

  /** Turns delivery faults on (or off with `undefined`) for messages sent from now on. */
  setDeliveryFaults(faults: SqsDeliveryFaults | undefined): void {
    this.faults = faults;
  }

  /** Sends one message; returns its id and digests. */
  sendMessage(queueName: string, body: string | undefined, options: { delaySeconds?: number; messageAttributes?: Record<string, MessageAttributeValue>; senderId?: string } = {}): { messageId: string; md5OfBody: string; md5OfMessageAttributes?: string } {
    const q = this.queue(queueName);
    if (body === undefined || body === '') throw missingParameter('MessageBody');
    if (INVALID_BODY_CHARS.test(body)) throw invalidMessageContents();
    const attrs = options.messageAttributes;
    let attrBytes = 0;
    if (attrs) {
      const names = Object.keys(attrs);
      if (names.length > 10) throw invalidParameterValue(`Number of message attributes [${names.length}] exceeds the allowed maximum [10].`);
      for (const n of names) {
        const a = attrs[n] as MessageAttributeValue;
        if (!/^[A-Za-z0-9_.-]{1,256}$/.test(n) || n.startsWith('.') || n.endsWith('.') || n.includes('..') || /^(aws|amazon)\./i.test(n)) throw invalidParameterValue(`Message attribute name '${n}' is invalid.`);
        if (!a || typeof a.DataType !== 'string' || !/^(String|Number|Binary)(\..+)?$/.test(a.DataType)) throw invalidParameterValue(`The message attribute '${n}' must contain a valid DataType.`);
        const binary = a.DataType.startsWith('Binary');
        const value = binary ? a.BinaryValue : a.StringValue;
        if (typeof value !== 'string' || value === '') throw invalidParameterValue(`The message attribute '${n}' with type '${a.DataType.split('.')[0]}' must use field '${binary ? 'Binary' : 'String'}'.`);
        if (a.DataType.startsWith('Number') && !Number.isFinite(Number(value))) throw invalidParameterValue(`Can't cast the value of message (user) attribute '${n}' to a number.`);
        if (!binary && INVALID_BODY_CHARS.test(value)) throw invalidMessageContents();
        attrBytes += Buffer.byteLength(n) + Buffer.byteLength(a.DataType) + Buffer.byteLength(value);
      }
    }
    const max = Number(q.attributes.MaximumMessageSize);
    if (Buffer.byteLength(body) + attrBytes > max) throw invalidParameterValue(`One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`);
    const delay = options.delaySeconds ?? Number(q.attributes.DelaySeconds);
    checkRange('DelaySeconds', delay, 0, 900);
    const now = this.opts.clock.now();
    const hasAttrs = attrs !== undefined && Object.keys(attrs).length > 0;
    const msg: StoredMessage = {
      messageId: this.opts.ids.messageId(),
      body,
      md5OfBody: md5Hex(body),
      sentTimestampMs: now,
      senderId: options.senderId ?? 'AIDAEXAMPLESENDERID01',
      visibleAtMs: now + delay * 1000,
      receiveCount: 0,
      receiveSeq: 0,
      ...(hasAttrs ? { messageAttributes: structuredClone(attrs), md5OfMessageAttributes: md5OfMessageAttributes(attrs) } : {}),
    };
    q.messages.set(msg.messageId, msg);
    const faults = this.faults;
    if (faults) {
      msg.visibleAtMs += Math.floor(faults.random() * (faults.maxDelaySeconds + 1)) * 1000;
      if (faults.random() < faults.duplicateProbability) {
        const copy: StoredMessage = { ...msg, messageId: this.opts.ids.messageId(), visibleAtMs: now + delay * 1000 + Math.floor(faults.random() * (faults.maxDelaySeconds + 1)) * 1000 };
        q.messages.set(copy.messageId, copy);
        this.duplicatesInjected++;
      }
    }
    this.notify(q);
    return { messageId: msg.messageId, md5OfBody: msg.md5OfBody, ...(msg.md5OfMessageAttributes ? { md5OfMessageAttributes: msg.md5OfMessageAttributes } : {}) };
  }

  /**
   * Receives up to `max` visible messages, hiding each for the visibility timeout. With `waitTimeSeconds` > 0
   * (or the queue's ReceiveMessageWaitTimeSeconds) it waits, in clock time, until a message is available, the
   * wait runs out, `signal` aborts (the client went away) or the model stops.
   */
  async receiveMessages(queueName: string, options: { max?: number; visibilityTimeoutSeconds?: number; waitTimeSeconds?: number; signal?: AbortSignal } = {}): Promise<ReceivedMessage[]> {
    const q = this.queue(queueName);
    const max = options.max ?? 1;
    checkRange('MaxNumberOfMessages', max, 1, 10);
    const wait = options.waitTimeSeconds ?? Number(q.attributes.ReceiveMessageWaitTimeSeconds);
    checkRange('WaitTimeSeconds', wait, 0, 20);
    if (options.visibilityTimeoutSeconds !== undefined) checkRange('VisibilityTimeout', options.visibilityTimeoutSeconds, 0, 43_200);
    const deadline = this.opts.clock.now() + wait * 1000;
    for (;;) {
      if (this.stopped || options.signal?.aborted || this.queues.get(queueName) !== q) return [];
      const got = this.take(q, max, options.visibilityTimeoutSeconds ?? Number(q.attributes.VisibilityTimeout));
      const now = this.opts.clock.now();
      if (got.length > 0 || now >= deadline) return got;
      let wakeAt = deadline;
      for (const m of q.messages.values()) if (m.visibleAtMs > now && m.visibleAtMs < wakeAt) wakeAt = m.visibleAtMs;
      await this.waitFor(q, wakeAt - now, options.signal);
    }
  }

  /** Deletes by receipt handle. A stale handle (the message was received again since) succeeds without deleting. */
  deleteMessage(queueName: string, receiptHandle: string | undefined): void {
    const q = this.queue(queueName);
    if (!receiptHandle) throw missingParameter('ReceiptHandle');
    const h = decodeReceiptHandle(receiptHandle);
    if (!h || h.queue !== queueName) throw receiptHandleIsInvalid(receiptHandle);
    const m = q.messages.get(h.messageId);
    if (m && m.receiveSeq === h.seq) q.messages.delete(h.messageId);
  }

  /** Changes the visibility timeout of the message last received with `receiptHandle`, counted from now. */
  changeMessageVisibility(queueName: string, receiptHandle: string | undefined, visibilityTimeoutSeconds: number | undefined): void {
    const q = this.queue(queueName);
    if (!receiptHandle) throw missingParameter('ReceiptHandle');
    if (visibilityTimeoutSeconds === undefined) throw missingParameter('VisibilityTimeout');
    checkRange('VisibilityTimeout', visibilityTimeoutSeconds, 0, 43_200);
    const h = decodeReceiptHandle(receiptHandle);
    if (!h || h.queue !== queueName) throw receiptHandleIsInvalid(receiptHandle);
    const m = q.messages.get(h.messageId);
    if (!m || m.receiveSeq !== h.seq) throw invalidParameterValue(`Value ${receiptHandle.slice(0, 200)} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`);
    const now = this.opts.clock.now();
    if (m.visibleAtMs <= now) throw messageNotInflight();
    m.visibleAtMs = now + visibilityTimeoutSeconds * 1000;
    this.notify(q);
  }

  /** ApproximateNumberOfMessages (visible), …NotVisible (in flight), …Delayed. */
  counts(queueName: string): { visible: number; inFlight: number; delayed: number } {
    const q = this.queue(queueName);
    this.expire(q);
    const now = this.opts.clock.now();
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const m of q.messages.values()) {
      if (m.visibleAtMs <= now) visible++;
      else if (m.receiveCount > 0) inFlight++;
      else delayed++;
    }
    return { visible, inFlight, delayed };
  }

  /** Ends every long poll (they answer with no messages). */
  stop(): void {
    this.stopped = true;
    for (const q of this.queues.values()) this.notify(q);
  }

  private take(q: SqsQueue, max: number, visibilityTimeoutSeconds: number): ReceivedMessage[] {
    this.expire(q);
    const now = this.opts.clock.now();
    const out: ReceivedMessage[] = [];
    const faults = this.faults;
    const candidates = faults ? shuffled([...q.messages.values()], faults.random) : q.messages.values();
    for (const m of candidates) {
      if (out.length >= max) break;
      if (m.visibleAtMs > now) continue;
      m.receiveCount++;
      m.receiveSeq++;
      m.firstReceiveTimestampMs ??= now;
      m.visibleAtMs = now + visibilityTimeoutSeconds * 1000;
      out.push({
        messageId: m.messageId,
        receiptHandle: encodeReceiptHandle(q.name, m.messageId, m.receiveSeq, this.opts.ids.receiptNonce()),
        body: m.body,
        md5OfBody: m.md5OfBody,
        sentTimestampMs: m.sentTimestampMs,
        senderId: m.senderId,
        receiveCount: m.receiveCount,
        firstReceiveTimestampMs: m.firstReceiveTimestampMs,
        ...(m.messageAttributes ? { messageAttributes: m.messageAttributes } : {}),
      });
    }
    // Messages taken go to the back, so a redelivered message does not starve the others.
    for (const r of out) {
      const m = q.messages.get(r.messageId) as StoredMessage;
      q.messages.delete(r.messageId);
      q.messages.set(r.messageId, m);
    }
    return out;
  }

  private expire(q: SqsQueue): void {
    const cutoff = this.opts.clock.now() - Number(q.attributes.MessageRetentionPeriod) * 1000;
    for (const [id, m] of q.messages) if (m.sentTimestampMs <= cutoff) q.messages.delete(id);
  }

  private notify(q: SqsQueue): void {
    for (const w of [...q.waiters]) w();
  }

  private async waitFor(q: SqsQueue, ms: number, signal: AbortSignal | undefined): Promise<void> {
    const ac = new AbortController();
    const wake = () => ac.abort();
    q.waiters.add(wake);
    signal?.addEventListener('abort', wake, { once: true });
    try {
      await this.opts.clock.sleep(Math.max(0, ms), ac.signal);
    } catch {
      // Woken early by a new message, a visibility change, the client leaving or stop().
    } finally {
      q.waiters.delete(wake);
      signal?.removeEventListener('abort', wake);
    }
  }
}

function shuffled<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** Receipt handles: `AQEB` + base64 of [queue, messageId, receive number, nonce]. */
function encodeReceiptHandle(queue: string, messageId: string, seq: number, nonce: string): string {
  return `AQEB${Buffer.from(JSON.stringify([queue, messageId, seq, nonce])).toString('base64')}`;
}

function decodeReceiptHandle(handle: string): { queue: string; messageId: string; seq: number } | undefined {
  if (!handle.startsWith('AQEB')) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(handle.slice(4), 'base64').toString('utf8'));
    if (Array.isArray(v) && v.length === 4 && typeof v[0] === 'string' && typeof v[1] === 'string' && typeof v[2] === 'number') return { queue: v[0], messageId: v[1], seq: v[2] };
  } catch {
    // fall through: not one of ours
  }
  return undefined;
}
