/**
 * One long-poll loop over one interruption queue. It runs while its lease lasts (the spot handler worker extends
 * the lease on every pass it runs, so the loop stops soon after this replica stops being the one that runs the
 * worker) and hands each batch to the handler. A long poll returns as soon as a message is there, so a
 * message is handled within milliseconds of being receivable — no pass-to-pass gap.
 */
import type { InterruptionSource, ReceivedMessage } from '@cloudoptim/cloud';
import { isAppError } from '@cloudoptim/contracts';
import type { Clock, Logger } from '@cloudoptim/runtime';
import type { QueueOwner } from './interruption-handler.ts';

/** SQS allows 20 s at most. */
const MAX_WAIT_SECONDS = 20;
const MAX_BACKOFF_MS = 30_000;

export interface QueuePollerOptions {
  clock: Clock;
  log: Logger;
  /** Handles one batch (never throws). */
  handle(owner: QueueOwner, source: InterruptionSource, messages: readonly ReceivedMessage[]): Promise<void>;
  onError?(code: string): void;
  /** Pause after a receive that returned nothing without waiting (a source without long polling), ms. */
  idleMs?: number;
}

export class QueuePoller {
  private leaseUntilMs = 0;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private backoffMs = 0;

  constructor(
    readonly key: string,
    private owner: QueueOwner,
    private readonly source: InterruptionSource,
    private readonly options: QueuePollerOptions,
  ) {}

  /** Whether the loop is still running. */
  get running(): boolean {
    return this.loop !== undefined;
  }

  /** Keeps the loop alive until `untilMs` (clock time) and updates the clusters the queue serves; starts it if needed. */
  extend(untilMs: number, owner: QueueOwner): void {
    this.leaseUntilMs = Math.max(this.leaseUntilMs, untilMs);
    this.owner = owner;
    if (this.loop || this.abort.signal.aborted) return;
    this.loop = this.run().finally(() => {
      this.loop = undefined;
    });
  }

  /** Ends the loop now (an in-progress long poll is aborted; a batch being handled finishes first). */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { clock, log } = this.options;
    const signal = this.abort.signal;
    while (!signal.aborted && clock.now() < this.leaseUntilMs) {
      const waitSeconds = Math.min(MAX_WAIT_SECONDS, Math.max(0, Math.ceil((this.leaseUntilMs - clock.now()) / 1000)));
      const started = clock.now();
      let messages: ReceivedMessage[];
      try {
        messages = await this.source.receive({ maxMessages: 10, waitSeconds, signal });
        this.backoffMs = 0;
      } catch (error) {
        const code = isAppError(error) ? error.code : 'INTERNAL';
        this.options.onError?.(code);
        this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs === 0 ? 1000 : this.backoffMs * 2);
        log.warn({ queue: this.key, code, err: error instanceof Error ? error.message : String(error), retryInMs: this.backoffMs }, 'spot handler: receive failed');
        await this.pause(this.backoffMs);
        continue;
      }
      if (messages.length > 0) {
        await this.options.handle(this.owner, this.source, messages);
      } else if (clock.now() - started < waitSeconds * 500) {
        // Returned early without messages (aborted, or a source that does not long-poll): do not spin.
        await this.pause(this.options.idleMs ?? 1000);
      }
    }
  }

  private async pause(ms: number): Promise<void> {
    await this.options.clock.sleep(ms, this.abort.signal).catch(() => undefined);
  }
}
