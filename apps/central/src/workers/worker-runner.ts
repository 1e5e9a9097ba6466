/**
 * Runs the background workers. Each worker is a singleton across replicas: before a pass a replica takes the
 * worker's lease (a row in worker_leases with an expiry, renewed on every pass), so one replica runs it at a time
 * and another takes over within one lease period when that replica dies. A lease row rather than a session-level
 * advisory lock: the pool hands out connections per query, and a lease survives a connection reset without a
 * second runner slipping in (ADR 0002).
 */
import { setMaxListeners } from 'node:events';
import type { WorkerLeasesRepository } from '@cloudoptim/db';
import type { Clock, Logger } from '@cloudoptim/runtime';
import type { WorkerSpec } from '../context.ts';

/** The lease table as the runner needs it. */
export interface LeaseStore {
  /** True when `owner` holds (or just took) the lease until now + ttlMs. */
  tryAcquire(name: string, owner: string, ttlMs: number, now: Date): Promise<boolean>;
  release(name: string, owner: string): Promise<void>;
}

/** The worker_leases table as a LeaseStore. */
export function leaseStoreOf(repository: WorkerLeasesRepository): LeaseStore {
  return {
    tryAcquire: async (name, owner, ttlMs, now) => (await repository.tryAcquire(name, owner, ttlMs, now)) !== null,
    release: async (name, owner) => void (await repository.release(name, owner)),
  };
}

export interface WorkerRunnerOptions {
  leases: LeaseStore;
  clock: Clock;
  log: Logger;
  /** This replica's id (hostname + pid + random). */
  owner: string;
  /** Lease length as a multiple of the interval (default 3: two missed passes before takeover). */
  leaseIntervals?: number;
  /** Called after every pass (tests and metrics). */
  onPass?: (name: string, outcome: 'ran' | 'skipped' | 'failed', durationMs: number) => void;
}

export class WorkerRunner {
  private readonly loops: Promise<void>[] = [];
  private readonly abort = new AbortController();

  constructor(
    private readonly workers: readonly WorkerSpec[],
    private readonly options: WorkerRunnerOptions,
  ) {}

  /** Starts every worker's loop: a pass now, then one per interval of the clock (simulated time in the demo). */
  start(): void {
    // Every loop sleeps on this one signal: one abort listener per worker is expected, not a leak.
    setMaxListeners(this.workers.length + 10, this.abort.signal);
    for (const worker of this.workers) this.loops.push(this.loop(worker));
  }

  /** One pass of `name` now if this replica gets the lease (tests drive workers this way). */
  async runOnce(name: string): Promise<'ran' | 'skipped' | 'failed'> {
    const worker = this.workers.find((w) => w.name === name);
    if (!worker) throw new Error(`no worker ${name}`);
    return this.pass(worker);
  }

  /** Stops the loops after their current pass and releases this replica's leases (a successor need not wait). */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.workers.map((w) => w.stop?.()));
    await Promise.allSettled(this.loops);
    await Promise.allSettled(this.workers.map((w) => this.options.leases.release(w.name, this.options.owner)));
  }

  private async loop(worker: WorkerSpec): Promise<void> {
    const { signal } = this.abort;
    while (!signal.aborted) {
      await this.pass(worker);
      await this.options.clock.sleep(worker.intervalMs, signal).catch(() => {});
    }
  }

  private async pass(worker: WorkerSpec): Promise<'ran' | 'skipped' | 'failed'> {
    const { leases, clock, log, owner } = this.options;
    const started = clock.now();
    let outcome: 'ran' | 'skipped' | 'failed' = 'skipped';
    try {
      const ttlMs = worker.intervalMs * (this.options.leaseIntervals ?? 3);
      if (await leases.tryAcquire(worker.name, owner, ttlMs, new Date(started))) {
        await worker.tick();
        outcome = 'ran';
      }
    } catch (error) {
      outcome = 'failed';
      log.error({ err: error, worker: worker.name }, 'worker pass failed');
    }
    this.options.onPass?.(worker.name, outcome, clock.now() - started);
    return outcome;
  }
}
