/**
 * Metrics retention: raw samples (1-minute) older than `rawDays` are rolled up into hourly averages, and hourly
 * rows older than `hourlyDays` are deleted. Each step works through a bounded number of clusters so one pass
 * stays short; what is left is done by the next pass. Safe to re-run after a crash: each cluster's roll-up is
 * one statement.
 */
import { ClusterMetricsRepository, type Database } from '@cloudoptim/db';
import type { Clock, Logger } from '@cloudoptim/runtime';
import type { CentralContext, WorkerSpec } from '../context.ts';

const DAY_MS = 24 * 3600 * 1000;

export interface MetricsRetentionOptions {
  /** Days raw samples are kept before the roll-up (default 7). */
  rawDays?: number;
  /** Days hourly rows are kept (default 90). */
  hourlyDays?: number;
  /** Clusters rolled up per step (default 200). */
  clustersPerStep?: number;
}

export class MetricsRetention {
  private readonly repo: ClusterMetricsRepository;

  constructor(
    private readonly deps: { db: Database; clock: Clock; log: Logger },
    private readonly options: MetricsRetentionOptions = {},
  ) {
    this.repo = new ClusterMetricsRepository(deps.db.db);
  }

  /** One step: roll up (at most `clustersPerStep` clusters) and delete expired hourly rows. */
  async step(): Promise<{ clusters: number; rolledUp: number; deleted: number }> {
    const now = this.deps.clock.now();
    const rawBefore = new Date(now - (this.options.rawDays ?? 7) * DAY_MS);
    const ids = await this.repo.clustersWithRawBefore(rawBefore, this.options.clustersPerStep ?? 200);
    let rolledUp = 0;
    for (const clusterId of ids) rolledUp += await this.repo.rollUpRaw(clusterId, rawBefore);
    const deleted = await this.repo.deleteHourlyBefore(new Date(now - (this.options.hourlyDays ?? 90) * DAY_MS));
    if (rolledUp + deleted > 0) this.deps.log.info({ clusters: ids.length, rolledUp, deleted }, 'metrics retention step');
    return { clusters: ids.length, rolledUp, deleted };
  }
}

/** The worker spec the composition root adds to `ctx.workers` (every 10 minutes). */
export function createMetricsRetentionWorker(ctx: CentralContext, options: MetricsRetentionOptions = {}): WorkerSpec {
  const retention = new MetricsRetention(ctx, options);
  return {
    name: 'metrics-retention',
    intervalMs: 10 * 60 * 1000,
    tick: async () => {
      await retention.step();
    },
  };
}
