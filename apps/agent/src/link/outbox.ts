/**
 * The agent's outbox: what must reach central, kept while central is unreachable and sent in order when it
 * answers again. Task results are never dropped (each is kept until central acknowledges or refuses it for
 * good); metrics samples (by count and by bytes) and cluster events (by count) are bounded, the oldest dropped
 * first and counted. Metrics samples are held deflated (a 10,000-pod sample is ~7 MiB of JSON and ~0.4 MiB
 * deflated, ~25 ms to pack): the byte bound counts deflated bytes, and the JSON lives only while it is sent.
 *
 * Sending stops at the first failure worth retrying (central unreachable, overloaded, or refusing the key —
 * nothing is lost while it is fixed); an item central refuses for good (VALIDATION_FAILED, LEASE_EXPIRED,
 * NOT_FOUND…) is dropped with a log line and counted as rejected.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { isAppError, type ClusterEvent, type ErrorCode, type TaskResult } from '@cloudoptim/contracts';
import type { Logger } from '@cloudoptim/runtime';
import type { AgentMetrics } from '../agent-metrics.ts';

export interface OutboxLimits {
  maxMetricsSamples: number;
  maxMetricsBytes: number;
  maxEvents: number;
}

/** Where the outbox sends (CentralClient has these methods). */
export interface OutboxSender {
  postResult(result: TaskResult): Promise<unknown>;
  postMetrics(metricsJson: string): Promise<unknown>;
  postEvents(batch: { events: ClusterEvent[] }): Promise<unknown>;
}

export interface FlushOutcome {
  sent: number;
  rejected: number;
  /** The failure that stopped the flush (the item stays queued); undefined when everything went. */
  stoppedBy?: unknown;
}

/** Failures after which the item is kept and sending paused. */
const KEEP: ReadonlySet<ErrorCode> = new Set(['UNAVAILABLE', 'RATE_LIMITED', 'UNAUTHENTICATED', 'FORBIDDEN', 'INTERNAL']);
const EVENTS_PER_POST = 500;

export class Outbox {
  private results: TaskResult[] = [];
  /** Deflated ClusterMetrics JSON, oldest first. */
  private metrics: Buffer[] = [];
  private metricsBytes = 0;
  private events: ClusterEvent[] = [];
  private flushing: Promise<FlushOutcome> | undefined;
  private droppedTotal = { metrics: 0, events: 0 };

  constructor(
    private readonly limits: OutboxLimits,
    private readonly log: Logger,
    private readonly metricsOut?: AgentMetrics,
  ) {}

  /** Queues a result; a result for the same task and attempt replaces the queued one (posting is idempotent). */
  addResult(result: TaskResult): void {
    const i = this.results.findIndex((r) => r.task_id === result.task_id && r.attempt === result.attempt);
    if (i >= 0) this.results[i] = result;
    else this.results.push(result);
    this.gauge();
  }

  /** Queues a metrics sample (ClusterMetrics JSON), dropping the oldest ones past the limits. */
  addMetrics(json: string): void {
    const packed = deflateRawSync(json, { level: 1 });
    this.metrics.push(packed);
    this.metricsBytes += packed.length;
    while (this.metrics.length > 1 && (this.metrics.length > this.limits.maxMetricsSamples || this.metricsBytes > this.limits.maxMetricsBytes)) {
      this.metricsBytes -= this.metrics.shift()!.length;
      this.drop('metrics', 1);
    }
    this.gauge();
  }

  /** Queues cluster events, dropping the oldest ones past the limit. */
  addEvents(events: ClusterEvent[]): void {
    this.events.push(...events);
    const over = this.events.length - this.limits.maxEvents;
    if (over > 0) {
      this.events.splice(0, over);
      this.drop('events', over);
    }
    this.gauge();
  }

  /** Items waiting. */
  get depth(): number {
    return this.results.length + this.metrics.length + this.events.length;
  }

  /** Items queued; `metricsBytes` counts deflated bytes. */
  get sizes(): { results: number; metrics: number; metricsBytes: number; events: number } {
    return { results: this.results.length, metrics: this.metrics.length, metricsBytes: this.metricsBytes, events: this.events.length };
  }

  /** Items dropped from a full buffer since the start. */
  get dropped(): { metrics: number; events: number } {
    return { ...this.droppedTotal };
  }

  /** Sends everything queued (results, then events, then metrics, oldest first). One flush at a time. */
  flush(sender: OutboxSender): Promise<FlushOutcome> {
    this.flushing ??= this.send(sender).finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async send(sender: OutboxSender): Promise<FlushOutcome> {
    const outcome: FlushOutcome = { sent: 0, rejected: 0 };
    const step = async (kind: 'result' | 'event' | 'metrics', post: () => Promise<unknown>, remove: () => void): Promise<boolean> => {
      try {
        await post();
        outcome.sent++;
      } catch (err) {
        if (!isAppError(err) || KEEP.has(err.code)) {
          outcome.stoppedBy = err;
          return false;
        }
        outcome.rejected++;
        this.metricsOut?.rejected.inc({ kind });
        this.log.warn({ kind, code: err.code, err: err.message }, 'central refused an item for good: dropped');
      }
      remove();
      this.gauge();
      return true;
    };
    while (this.results.length > 0) {
      const r = this.results[0]!;
      if (!(await step('result', () => sender.postResult(r), () => this.results.splice(this.results.indexOf(r), 1)))) return outcome;
    }
    while (this.events.length > 0) {
      const batch = this.events.slice(0, EVENTS_PER_POST);
      const remove = () => {
        // Events queued meanwhile went to the end; the batch is still the head unless the bound dropped some of it.
        const still = batch.filter((e) => this.events.includes(e)).length;
        this.events.splice(0, still);
      };
      if (!(await step('event', () => sender.postEvents({ events: batch }), remove))) return outcome;
    }
    while (this.metrics.length > 0) {
      const m = this.metrics[0]!;
      const remove = () => {
        const i = this.metrics.indexOf(m);
        if (i < 0) return;
        this.metrics.splice(i, 1);
        this.metricsBytes -= m.length;
      };
      if (!(await step('metrics', () => sender.postMetrics(inflateRawSync(m).toString()), remove))) return outcome;
    }
    return outcome;
  }

  private drop(kind: 'metrics' | 'events', n: number): void {
    this.droppedTotal[kind] += n;
    this.metricsOut?.bufferDropped.inc({ kind: kind === 'events' ? 'event' : 'metrics' }, n);
    this.log.warn({ kind, dropped: n }, 'outbox full: dropped the oldest items');
  }

  private gauge(): void {
    this.metricsOut?.bufferDepth.set({ kind: 'result' }, this.results.length);
    this.metricsOut?.bufferDepth.set({ kind: 'metrics' }, this.metrics.length);
    this.metricsOut?.bufferDepth.set({ kind: 'event' }, this.events.length);
  }
}
