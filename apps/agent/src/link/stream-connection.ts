/**
 * The agent's end of WS /api/v1/client/stream: connect, say hello (with the last frame id seen, so central can
 * resend what was missed), hand each frame to `onEvent` and acknowledge it, and reconnect after any close with
 * exponential backoff and jitter (half fixed, half random, so a fleet of agents does not reconnect in step).
 * The backoff resets once a connection stayed open for `stableAfterMs`.
 */
import type { AgentStream, AgentStreamHandlers } from '@cloudoptim/api-client';
import type { AgentClientEvent, AgentServerEvent } from '@cloudoptim/contracts';
import type { Clock, Logger } from '@cloudoptim/runtime';
import type { AgentMetrics } from '../agent-metrics.ts';

export interface StreamConnectionOptions {
  openStream(handlers: AgentStreamHandlers): AgentStream;
  clock: Clock;
  log: Logger;
  /** Random in [0, 1) for the jitter. */
  random: () => number;
  identity: { cluster_id: string; agent_id: string; agent_version: string };
  /** Handles a frame; answers the task id the ack should name (an urgent drain's), if any. */
  onEvent(event: AgentServerEvent): string | null;
  /** A frame that is not a valid AgentServerEvent (its raw text). */
  onInvalidFrame?(text: string): void;
  metrics?: AgentMetrics;
  baseDelayMs?: number;
  maxDelayMs?: number;
  stableAfterMs?: number;
}

export class StreamConnection {
  private stream: AgentStream | undefined;
  private readonly stopper = new AbortController();
  private attempt = 0;
  private openedAtMs: number | null = null;
  private lastEventId: string | null = null;
  private seq = 0;
  private readonly framePrefix: string;
  private isConnected = false;

  constructor(private readonly o: StreamConnectionOptions) {
    this.framePrefix = `ag-${o.clock.now().toString(36)}-${Math.floor(o.random() * 1e6).toString(36)}`;
  }

  get connected(): boolean {
    return this.isConnected;
  }

  start(): void {
    this.connect();
  }

  stop(): void {
    this.stopper.abort();
    this.stream?.close();
    this.stream = undefined;
  }

  /** The delay before reconnect attempt n (0-based): between half and all of min(max, base·2ⁿ). */
  nextDelayMs(): number {
    const base = this.o.baseDelayMs ?? 1_000;
    const cap = Math.min(this.o.maxDelayMs ?? 60_000, base * 2 ** Math.min(this.attempt, 20));
    this.attempt++;
    return Math.round(cap / 2 + (this.o.random() * cap) / 2);
  }

  private frame(): { v: 1; id: string; sent_at: string } {
    return { v: 1, id: `${this.framePrefix}-${++this.seq}`, sent_at: new Date(this.o.clock.now()).toISOString() };
  }

  private send(event: AgentClientEvent): void {
    try {
      this.stream?.send(event);
    } catch (err) {
      this.o.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not send a stream frame');
    }
  }

  private connect(): void {
    if (this.stopper.signal.aborted) return;
    try {
      this.stream = this.o.openStream({
        onOpen: () => {
          this.isConnected = true;
          this.openedAtMs = this.o.clock.now();
          this.o.metrics?.streamConnected.set(1);
          this.o.log.info({}, 'stream to central open');
          this.send({ type: 'agent_hello', ...this.frame(), ...this.o.identity, last_event_id: this.lastEventId });
        },
        onEvent: (event) => {
          this.lastEventId = event.id;
          let taskId: string | null = null;
          try {
            taskId = this.o.onEvent(event);
          } finally {
            this.send({ type: 'ack', ...this.frame(), ack_id: event.id, task_id: taskId });
          }
        },
        onInvalidFrame: (error, text) => {
          this.o.log.warn({ err: error.message }, 'ignored an invalid stream frame');
          this.o.onInvalidFrame?.(text);
        },
        onError: (error) => this.o.log.warn({ err: error.message }, 'stream to central failed'),
        onClose: (code, reason) => this.closed(code, reason),
      });
    } catch (err) {
      this.o.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'cannot open the stream to central');
      this.closed(1006, 'open failed');
    }
  }

  private closed(code: number, reason: string): void {
    this.stream = undefined;
    this.isConnected = false;
    this.o.metrics?.streamConnected.set(0);
    if (this.stopper.signal.aborted) return;
    if (this.openedAtMs !== null && this.o.clock.now() - this.openedAtMs >= (this.o.stableAfterMs ?? 30_000)) this.attempt = 0;
    this.openedAtMs = null;
    const delay = this.nextDelayMs();
    this.o.log.info({ code, reason, reconnectInMs: delay }, 'stream to central closed');
    this.o.clock.sleep(delay, this.stopper.signal).then(
      () => this.connect(),
      () => {},
    );
  }
}
