/**
 * CentralLink: the agent's periodic conversation with central — heartbeat (default 30 s; central's answer may
 * change the poll interval and says when tasks wait), task poll (default 10 s, only as many as the executor
 * has room for; invalid tasks go to the executor too, which reports them failed) and the outbox flush (results,
 * events, metrics; retried every `flushMs` while central is away, and right after any successful contact).
 */
import type { CentralClient } from '@cloudoptim/api-client';
import type { Heartbeat } from '@cloudoptim/contracts';
import type { Clock, Logger } from '@cloudoptim/runtime';
import type { AgentMetrics } from '../agent-metrics.ts';
import type { TaskExecutor } from '../executor/task-executor.ts';
import { startLoop, type BusyTracker, type Loop } from '../loop.ts';
import type { Outbox } from './outbox.ts';

/** The part of CentralClient the agent uses. */
export type CentralApi = Pick<CentralClient, 'pollTasks' | 'postResult' | 'postMetrics' | 'postEvents' | 'heartbeat' | 'openStream'>;

export interface CentralLinkOptions {
  central: CentralApi;
  clock: Clock;
  log: Logger;
  executor: TaskExecutor;
  outbox: Outbox;
  /** Builds the next heartbeat (the agent probes the Kubernetes API for it). */
  heartbeat(): Promise<Heartbeat>;
  /** Central accepted this heartbeat (what it reported need not be reported again). */
  onHeartbeatAccepted?(heartbeat: Heartbeat): void;
  heartbeatMs: number;
  pollMs: number;
  flushMs: number;
  metrics?: AgentMetrics;
  tracker?: BusyTracker;
}

const MIN_POLL_MS = 1_000;
const MAX_POLL_MS = 300_000;

export class CentralLink {
  private loops: Loop[] = [];
  private heartbeatLoop: Loop | undefined;
  private pollLoop: Loop | undefined;
  private flushLoop: Loop | undefined;
  private pollMs: number;
  private accepted = false;
  private lastContact: number | null = null;
  private lastFailure: { atMs: number; message: string } | null = null;

  constructor(private readonly o: CentralLinkOptions) {
    this.pollMs = o.pollMs;
  }

  /** Central accepted a heartbeat of this agent (since it started). */
  get registered(): boolean {
    return this.accepted;
  }

  /** Clock time of the last answer from central, null before the first. */
  get lastContactMs(): number | null {
    return this.lastContact;
  }

  /** The last failure to reach central since the last success, for the heartbeat's problems. */
  get unreachableSince(): { atMs: number; message: string } | null {
    return this.lastFailure;
  }

  get pollIntervalMs(): number {
    return this.pollMs;
  }

  start(): void {
    const common = { clock: this.o.clock, log: this.o.log, tracker: this.o.tracker };
    this.heartbeatLoop = startLoop({ ...common, name: 'heartbeat', intervalMs: () => this.o.heartbeatMs, tick: () => this.heartbeatTick() });
    this.pollLoop = startLoop({ ...common, name: 'task-poll', intervalMs: () => this.pollMs, tick: () => this.pollTick() });
    this.flushLoop = startLoop({ ...common, name: 'flush', intervalMs: () => this.o.flushMs, tick: () => this.flushTick(), runImmediately: false });
    this.loops = [this.heartbeatLoop, this.pollLoop, this.flushLoop];
  }

  async stop(): Promise<void> {
    await Promise.all(this.loops.map((l) => l.stop()));
    this.loops = [];
  }

  /** Polls now (a task_available nudge, a heartbeat saying tasks wait). */
  kickPoll(): void {
    this.pollLoop?.kick();
  }

  /** Sends the outbox now (a result was added). */
  kickFlush(): void {
    this.flushLoop?.kick();
  }

  kickHeartbeat(): void {
    this.heartbeatLoop?.kick();
  }

  /** One flush now, awaited (used at shutdown). */
  flushNow(): Promise<unknown> {
    return this.flushTick();
  }

  private contact(): void {
    this.lastContact = this.o.clock.now();
    this.lastFailure = null;
    this.o.metrics?.lastContact.set(this.lastContact / 1000);
  }

  private failed(what: string, err: unknown): never {
    const message = err instanceof Error ? err.message : String(err);
    this.lastFailure ??= { atMs: this.o.clock.now(), message };
    throw new Error(`${what}: ${message}`, { cause: err });
  }

  private async heartbeatTick(): Promise<void> {
    const heartbeat = await this.o.heartbeat();
    let answer;
    try {
      answer = await this.o.central.heartbeat(heartbeat);
    } catch (err) {
      this.failed('heartbeat', err);
    }
    this.contact();
    this.o.onHeartbeatAccepted?.(heartbeat);
    if (!this.accepted) this.o.log.info({ clusterId: heartbeat.cluster_id }, 'registered with central');
    this.accepted = true;
    const pollMs = Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, answer.poll_interval_seconds * 1000));
    if (pollMs !== this.pollMs) {
      this.o.log.info({ pollIntervalMs: pollMs }, 'central changed the task poll interval');
      this.pollMs = pollMs;
    }
    if (answer.pending_tasks > 0) this.kickPoll();
    if (this.o.outbox.depth > 0) this.kickFlush();
  }

  private async pollTick(): Promise<void> {
    const room = this.o.executor.capacity;
    if (room === 0) return;
    let polled;
    try {
      polled = await this.o.central.pollTasks(room);
    } catch (err) {
      this.failed('task poll', err);
    }
    this.contact();
    for (const task of polled.tasks) this.o.executor.submit(task);
    for (const rejected of polled.rejected) this.o.executor.submit(rejected.raw);
    if (this.o.outbox.depth > 0) this.kickFlush();
  }

  private async flushTick(): Promise<void> {
    if (this.o.outbox.depth === 0) return;
    const outcome = await this.o.outbox.flush(this.o.central);
    if (outcome.sent > 0 || outcome.rejected > 0) this.contact();
    if (outcome.stoppedBy !== undefined) this.failed('sending buffered items', outcome.stoppedBy);
  }
}
