/**
 * SQS over the AWS JSON 1.0 protocol (`X-Amz-Target: AmazonSQS.<Op>`): request validation, the operations on
 * `SqsModel`, and the JSON answers and errors the SDK v3 client parses
 * (shared/reference/aws-wire/sqs-json-examples.md).
 */
import { md5OfMessageAttributes, type MessageAttributeValue } from './sqs-md5.ts';
import {
  batchEntryIdsNotDistinct,
  emptyBatchRequest,
  invalidBatchEntryId,
  missingParameter,
  queueDoesNotExist,
  serializationError,
  SqsError,
  tooManyEntries,
  unknownOperation,
} from './sqs-errors.ts';
import type { ReceivedMessage, SqsModel } from './sqs-queues.model.ts';

/** What the handler needs to know about the request. */
export interface SqsRequestContext {
  /** `http://127.0.0.1:port`: queue URLs are handed out on the simulator's own origin. */
  origin: string;
  /** Access key id of the caller (the SenderId of its messages). */
  accessKeyId: string;
  /** Aborted when the client goes away (ends a long poll). */
  signal: AbortSignal;
}

type Json = Record<string, unknown>;

const SYSTEM_ATTRIBUTES = ['SenderId', 'SentTimestamp', 'ApproximateReceiveCount', 'ApproximateFirstReceiveTimestamp'] as const;

function str(input: Json, key: string, required: true): string;
function str(input: Json, key: string, required?: false): string | undefined;
function str(input: Json, key: string, required = false): string | undefined {
  const v = input[key];
  if (v === undefined || v === null) {
    if (required) throw missingParameter(key);
    return undefined;
  }
  if (typeof v !== 'string') throw serializationError(`STRING_VALUE can not be converted to ${key}: expected a string`);
  if (required && v === '') throw missingParameter(key);
  return v;
}

function int(input: Json, key: string): number | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw serializationError(`NUMBER_VALUE can not be converted to ${key}: expected an integer`);
  return v;
}

function strList(input: Json, key: string): string[] | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw serializationError(`${key} must be a list of strings`);
  return v as string[];
}

function strMap(input: Json, key: string): Record<string, string> | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) throw serializationError(`${key} must be a map of strings`);
  return v as Record<string, string>;
}

function attributesMap(input: Json, key: string): Record<string, MessageAttributeValue> | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw serializationError(`${key} must be a map`);
  for (const a of Object.values(v)) if (a === null || typeof a !== 'object' || Array.isArray(a)) throw serializationError(`${key} values must be structures`);
  return v as Record<string, MessageAttributeValue>;
}

function entries(input: Json): Json[] {
  const v = input.Entries;
  if (v === undefined || v === null) throw missingParameter('Entries');
  if (!Array.isArray(v) || v.some((e) => e === null || typeof e !== 'object' || Array.isArray(e))) throw serializationError('Entries must be a list of structures');
  if (v.length === 0) throw emptyBatchRequest();
  if (v.length > 10) throw tooManyEntries(v.length);
  const seen = new Set<string>();
  for (const e of v as Json[]) {
    const id = str(e, 'Id', true);
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(id)) throw invalidBatchEntryId(id);
    if (seen.has(id)) throw batchEntryIdsNotDistinct(id);
    seen.add(id);
  }
  return v as Json[];
}

/** SQS JSON handler over a queue model. */
export class SqsHandler {
  constructor(private readonly model: SqsModel) {}

  /** URL of a queue on the simulator's origin. */
  queueUrl(origin: string, name: string): string {
    return `${origin}/${this.model.accountId}/${name}`;
  }

  /** Runs one operation; returns the JSON answer (throws SqsError for wire errors). */
  async handle(op: string, input: Json, ctx: SqsRequestContext): Promise<Json> {
    const m = this.model;
    switch (op) {
      case 'CreateQueue': {
        const name = str(input, 'QueueName', true);
        m.createQueue(name, strMap(input, 'Attributes') ?? {}, strMap(input, 'tags') ?? {});
        return { QueueUrl: this.queueUrl(ctx.origin, name) };
      }
      case 'GetQueueUrl': {
        const name = str(input, 'QueueName', true);
        const owner = str(input, 'QueueOwnerAWSAccountId');
        if (owner !== undefined && owner !== m.accountId) throw queueDoesNotExist();
        m.queue(name);
        return { QueueUrl: this.queueUrl(ctx.origin, name) };
      }
      case 'ListQueues': {
        const prefix = str(input, 'QueueNamePrefix') ?? '';
        const names = m.queueNames().filter((n) => n.startsWith(prefix));
        return names.length > 0 ? { QueueUrls: names.map((n) => this.queueUrl(ctx.origin, n)) } : {};
      }
      case 'DeleteQueue':
        m.deleteQueue(this.queueName(input));
        return {};
      case 'PurgeQueue':
        m.purgeQueue(this.queueName(input));
        return {};
      case 'GetQueueAttributes':
        return this.getQueueAttributes(input);
      case 'SetQueueAttributes':
        m.setQueueAttributes(this.queueName(input), strMap(input, 'Attributes') ?? {});
        return {};
      case 'SendMessage': {
        const r = m.sendMessage(this.queueName(input), str(input, 'MessageBody'), this.sendOptions(input, ctx));
        return { MD5OfMessageBody: r.md5OfBody, ...(r.md5OfMessageAttributes ? { MD5OfMessageAttributes: r.md5OfMessageAttributes } : {}), MessageId: r.messageId };
      }
      case 'SendMessageBatch': {
        const queue = this.queueName(input);
        return this.batch(entries(input), (e) => {
          const r = m.sendMessage(queue, str(e, 'MessageBody'), this.sendOptions(e, ctx));
          return { MessageId: r.messageId, MD5OfMessageBody: r.md5OfBody, ...(r.md5OfMessageAttributes ? { MD5OfMessageAttributes: r.md5OfMessageAttributes } : {}) };
        });
      }
      case 'ReceiveMessage':
        return this.receiveMessage(input, ctx);
      case 'DeleteMessage':
        m.deleteMessage(this.queueName(input), str(input, 'ReceiptHandle', true));
        return {};
      case 'DeleteMessageBatch': {
        const queue = this.queueName(input);
        return this.batch(entries(input), (e) => {
          m.deleteMessage(queue, str(e, 'ReceiptHandle', true));
          return {};
        });
      }
      case 'ChangeMessageVisibility':
        m.changeMessageVisibility(this.queueName(input), str(input, 'ReceiptHandle', true), int(input, 'VisibilityTimeout'));
        return {};
      case 'ChangeMessageVisibilityBatch': {
        const queue = this.queueName(input);
        return this.batch(entries(input), (e) => {
          m.changeMessageVisibility(queue, str(e, 'ReceiptHandle', true), int(e, 'VisibilityTimeout'));
          return {};
        });
      }
      default:
        throw unknownOperation(op);
    }
  }

  /** The queue name of `QueueUrl` (any host: the SDK may keep AWS's host in the URL). */
  private queueName(input: Json): string {
    const url = str(input, 'QueueUrl', true);
    let path: string;
    try {
      path = new URL(url).pathname;
    } catch {
      throw new SqsError('InvalidAddress', 'InvalidAddress', 404, `The address ${url.slice(0, 200)} is not valid for this endpoint.`);
    }
    const [account, name, ...rest] = path.split('/').filter((s) => s !== '');
    if (account !== this.model.accountId || !name || rest.length > 0) throw queueDoesNotExist();
    return decodeURIComponent(name);
  }

  private sendOptions(input: Json, ctx: SqsRequestContext): { delaySeconds?: number; messageAttributes?: Record<string, MessageAttributeValue>; senderId: string } {
    const delaySeconds = int(input, 'DelaySeconds');
    const messageAttributes = attributesMap(input, 'MessageAttributes');
    return { ...(delaySeconds !== undefined ? { delaySeconds } : {}), ...(messageAttributes ? { messageAttributes } : {}), senderId: ctx.accessKeyId };
  }

  private batch(list: Json[], run: (e: Json) => Json): Json {
    const Successful: Json[] = [];
    const Failed: Json[] = [];
    for (const e of list) {
      const Id = e.Id as string;
      try {
        Successful.push({ Id, ...run(e) });
      } catch (err) {
        if (!(err instanceof SqsError)) throw err;
        Failed.push({ Id, SenderFault: err.fault === 'Sender', Code: err.queryCode ?? err.shape, Message: err.message });
      }
    }
    return { Successful, Failed };
  }

  private getQueueAttributes(input: Json): Json {
    const name = this.queueName(input);
    const q = this.model.queue(name);
    const wanted = strList(input, 'AttributeNames') ?? [];
    const c = this.model.counts(name);
    const all: Record<string, string> = {
      QueueArn: this.model.queueArn(name),
      ApproximateNumberOfMessages: String(c.visible),
      ApproximateNumberOfMessagesNotVisible: String(c.inFlight),
      ApproximateNumberOfMessagesDelayed: String(c.delayed),
      CreatedTimestamp: String(Math.floor(q.createdMs / 1000)),
      LastModifiedTimestamp: String(Math.floor(q.modifiedMs / 1000)),
      ...q.attributes,
    };
    if (wanted.includes('All')) return { Attributes: all };
    const out: Record<string, string> = {};
    for (const w of wanted) {
      if (!(w in all)) throw new SqsError('InvalidAttributeName', 'InvalidAttributeName', 400, `Unknown Attribute ${w}.`);
      out[w] = all[w] as string;
    }
    return Object.keys(out).length > 0 ? { Attributes: out } : {};
  }

  private async receiveMessage(input: Json, ctx: SqsRequestContext): Promise<Json> {
    const name = this.queueName(input);
    const max = int(input, 'MaxNumberOfMessages');
    const vis = int(input, 'VisibilityTimeout');
    const wait = int(input, 'WaitTimeSeconds');
    const systemNames = [...(strList(input, 'AttributeNames') ?? []), ...(strList(input, 'MessageSystemAttributeNames') ?? [])];
    const userNames = strList(input, 'MessageAttributeNames') ?? [];
    const got = await this.model.receiveMessages(name, {
      ...(max !== undefined ? { max } : {}),
      ...(vis !== undefined ? { visibilityTimeoutSeconds: vis } : {}),
      ...(wait !== undefined ? { waitTimeSeconds: wait } : {}),
      signal: ctx.signal,
    });
    if (got.length === 0) return {};
    return { Messages: got.map((msg) => renderMessage(msg, systemNames, userNames)) };
  }
}

function renderMessage(msg: ReceivedMessage, systemNames: readonly string[], userNames: readonly string[]): Json {
  const system: Record<string, string> = {
    SenderId: msg.senderId,
    ApproximateFirstReceiveTimestamp: String(msg.firstReceiveTimestampMs),
    ApproximateReceiveCount: String(msg.receiveCount),
    SentTimestamp: String(msg.sentTimestampMs),
  };
  const all = systemNames.includes('All');
  const attributes: Record<string, string> = {};
  for (const k of SYSTEM_ATTRIBUTES) if (all || systemNames.includes(k)) attributes[k] = system[k] as string;
  const out: Json = { MessageId: msg.messageId, ReceiptHandle: msg.receiptHandle, MD5OfBody: msg.md5OfBody, Body: msg.body };
  if (Object.keys(attributes).length > 0) out.Attributes = attributes;
  if (msg.messageAttributes && userNames.length > 0) {
    const picked: Record<string, MessageAttributeValue> = {};
    for (const [k, v] of Object.entries(msg.messageAttributes)) {
      const match = userNames.some((n) => n === 'All' || n === '.*' || n === k || (n.endsWith('.*') && k.startsWith(n.slice(0, -1))));
      if (match) picked[k] = v;
    }
    if (Object.keys(picked).length > 0) {
      out.MD5OfMessageAttributes = md5OfMessageAttributes(picked);
      out.MessageAttributes = picked;
    }
  }
  return out;
}
