/**
 * `FakeInterruptionSource`: an in-memory queue of interruption messages with SQS's at-least-once semantics
 * (a received message is hidden, and comes back with a new receipt after `redeliver()` unless acked), for unit
 * tests of the interruption handler. Messages are pushed as EventBridge JSON bodies and parsed exactly as the
 * SQS adapter parses them.
 */
import { parseInterruptionMessage } from './eventbridge-messages.ts';
import type { InterruptionSource, MessageReceipt, ReceivedMessage, ReceiveInput } from './interruption-source.ts';

interface Stored {
  messageId: string;
  body: string;
  receiveCount: number;
  sentAtMs: number;
  inFlightHandle: string | null;
}

/** The in-memory {@link InterruptionSource}. */
export class FakeInterruptionSource implements InterruptionSource {
  private readonly messages: Stored[] = [];
  private seq = 0;
  /** Receipt handles acked, in order. */
  readonly acked: string[] = [];

  /** Queues a body (an EventBridge event object is JSON-encoded); returns the message id. */
  push(body: string | object, sentAtMs = 0): string {
    const messageId = `msg-${++this.seq}`;
    this.messages.push({ messageId, body: typeof body === 'string' ? body : JSON.stringify(body), receiveCount: 0, sentAtMs, inFlightHandle: null });
    return messageId;
  }

  /** Makes every received but unacked message visible again (the visibility timeout ran out). */
  redeliver(): void {
    for (const m of this.messages) m.inFlightHandle = null;
  }

  /** Messages not yet acked (visible or in flight). */
  get depth(): number {
    return this.messages.length;
  }

  async receive(input: ReceiveInput): Promise<ReceivedMessage[]> {
    if (input.signal?.aborted) return [];
    const out: ReceivedMessage[] = [];
    for (const m of this.messages) {
      if (out.length >= input.maxMessages) break;
      if (m.inFlightHandle !== null) continue;
      m.receiveCount++;
      m.inFlightHandle = `rh-${m.messageId}-${m.receiveCount}`;
      const receipt: MessageReceipt = { messageId: m.messageId, receiptHandle: m.inFlightHandle, receiveCount: m.receiveCount, sentAtMs: m.sentAtMs };
      out.push(parseInterruptionMessage(m.body, receipt));
    }
    return out;
  }

  async ack(message: { receipt: MessageReceipt }): Promise<void> {
    this.acked.push(message.receipt.receiptHandle);
    const i = this.messages.findIndex((m) => m.inFlightHandle === message.receipt.receiptHandle);
    if (i >= 0) this.messages.splice(i, 1); // a stale handle deletes nothing, as in SQS
  }
}
