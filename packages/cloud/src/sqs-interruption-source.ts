/**
 * `SqsInterruptionSource`: reads the EventBridge events EC2 sends for Spot from the customer's SQS queue
 * (long poll), parses and validates each one (a bad message is reported as `malformed`, never thrown), and
 * deletes a message only when the caller acks it — after storing the event (at-least-once, SPEC §10).
 */
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AppError } from '@cloudoptim/contracts';
import { type Logger, silentLogger } from '@cloudoptim/runtime';
import { type AwsClientOptions, sdkClientConfig } from './aws-client-options.ts';
import { callAws, isAbortError } from './aws-errors.ts';
import { parseInterruptionMessage } from './eventbridge-messages.ts';
import type { InterruptionSource, MessageReceipt, ReceivedMessage, ReceiveInput } from './interruption-source.ts';

/** Options of {@link SqsInterruptionSource}. */
export interface SqsInterruptionSourceOptions extends AwsClientOptions {
  /** The queue the EventBridge rules target (`https://sqs.<region>.amazonaws.com/<account>/<name>`). */
  queueUrl: string;
  /** Seconds a received message stays hidden before redelivery; absent: the queue's own setting. */
  visibilityTimeoutSeconds?: number;
  log?: Logger;
}

function optionalInt(value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** The production {@link InterruptionSource}: an SQS queue fed by EventBridge rules. */
export class SqsInterruptionSource implements InterruptionSource {
  private readonly sqs: SQSClient;
  private readonly log: Logger;

  constructor(private readonly options: SqsInterruptionSourceOptions) {
    this.sqs = new SQSClient(sdkClientConfig(options));
    this.log = options.log ?? silentLogger;
  }

  /** Closes the SDK client's sockets. */
  close(): void {
    this.sqs.destroy();
  }

  async receive(input: ReceiveInput): Promise<ReceivedMessage[]> {
    if (!Number.isInteger(input.maxMessages) || input.maxMessages < 1 || input.maxMessages > 10) throw new AppError('VALIDATION_FAILED', 'maxMessages must be an integer from 1 to 10', { issues: [{ path: 'maxMessages', message: 'must be 1-10' }] });
    if (!Number.isInteger(input.waitSeconds) || input.waitSeconds < 0 || input.waitSeconds > 20) throw new AppError('VALIDATION_FAILED', 'waitSeconds must be an integer from 0 to 20', { issues: [{ path: 'waitSeconds', message: 'must be 0-20' }] });
    if (input.signal?.aborted) return [];
    let res;
    try {
      res = await callAws('SQS ReceiveMessage', () =>
        this.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.options.queueUrl,
            MaxNumberOfMessages: input.maxMessages,
            WaitTimeSeconds: input.waitSeconds,
            MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
            ...(this.options.visibilityTimeoutSeconds !== undefined ? { VisibilityTimeout: this.options.visibilityTimeoutSeconds } : {}),
          }),
          input.signal !== undefined ? { abortSignal: input.signal } : {},
        ),
      );
    } catch (error) {
      if (isAbortError(error) || input.signal?.aborted) return [];
      throw error;
    }
    const out: ReceivedMessage[] = [];
    for (const m of res.Messages ?? []) {
      if (m.ReceiptHandle === undefined) continue; // cannot be acked; SQS always sends one
      const receipt: MessageReceipt = {
        messageId: m.MessageId ?? '',
        receiptHandle: m.ReceiptHandle,
        receiveCount: optionalInt(m.Attributes?.ApproximateReceiveCount),
        sentAtMs: optionalInt(m.Attributes?.SentTimestamp),
      };
      const parsed = parseInterruptionMessage(m.Body, receipt);
      if (parsed.type === 'malformed') this.log.warn({ messageId: receipt.messageId, reason: parsed.reason }, 'malformed interruption message');
      out.push(parsed);
    }
    return out;
  }

  async ack(message: { receipt: MessageReceipt }): Promise<void> {
    await callAws('SQS DeleteMessage', () => this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.options.queueUrl, ReceiptHandle: message.receipt.receiptHandle })));
  }
}
