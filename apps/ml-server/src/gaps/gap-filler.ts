/**
 * The gap filler: a job that fetches the fetchable missing days of a scope's series with
 * DescribeSpotPriceHistory (paged, through the cloud package's CloudProvider) and stores them in the ML
 * server's store — the changes EC2 reported as `observed`, and for each missing day without a change the price
 * then in force at 00:00 UTC as `carried_forward` (so every filled day is visibly covered). The store is the
 * ML server's own (not central's): the model and its features are the only readers, and replicas share it.
 *
 * Work is batched by instance type (one paged call per batch of up to {@link TYPES_PER_CALL} types over the
 * batch's earliest missing day to now); after each batch the job row and a `gap_fill_progress` event advance.
 * Re-running is safe: points already stored are skipped and not counted.
 */
import type { CloudProvider, SpotPricePoint } from '@cloudoptim/cloud';
import { AppError } from '@cloudoptim/contracts';
import type { Database } from '@cloudoptim/db';
import type { SpotPriceHistory } from '@cloudoptim/market';
import type { Clock, Logger } from '@cloudoptim/runtime';
import type { Cache } from '../cache/cache.ts';
import { GapFillJobsRepository, type GapFillJob } from '../store/gap-fill-jobs.repository.ts';
import { DAY_MS, type StoredPricePoint, SpotPricesRepository } from '../store/spot-prices.repository.ts';
import type { MlEventBus } from '../stream/ml-event-bus.ts';
import { analyseGaps, coverageCachePrefix, type GapScope, type SeriesGaps } from './gap-analysis.ts';

/** Instance types per DescribeSpotPriceHistory call. */
export const TYPES_PER_CALL = 10;
const PRODUCT = 'Linux/UNIX';
/** A job not updated for this long belonged to a replica that stopped. */
const STALE_JOB_MS = 15 * 60_000;

/** A provider for a region, and how to release it. */
export type CloudFactory = (region: string) => { provider: CloudProvider; close(): void };

export interface GapFillerOptions {
  db: Database;
  clock: Clock;
  log: Logger;
  events: MlEventBus;
  cache: Cache;
  cloud: CloudFactory;
  shipped: () => Promise<SpotPriceHistory>;
  /** The active model's version and training end (the window reaches back to it). */
  activeModel: () => Promise<{ version: string; trainedUntil: string | null } | null>;
}

export class GapFiller {
  private readonly jobs: GapFillJobsRepository;
  private readonly prices: SpotPricesRepository;
  private readonly running = new Map<string, { abort: AbortController; done: Promise<void> }>();

  constructor(private readonly o: GapFillerOptions) {
    this.jobs = new GapFillJobsRepository(o.db);
    this.prices = new SpotPricesRepository(o.db);
    // Another replica's fill changed the store: its cached coverage is stale here too.
    o.events.onEvent(async (event) => {
      if (event.type === 'gap_fill_progress' && event.status !== 'queued') {
        const job = await this.jobs.get(event.job_id);
        const region = typeof job?.scope.region === 'string' ? job.scope.region : undefined;
        if (region) await o.cache.deletePrefix(coverageCachePrefix(region));
      }
    });
  }

  /** The analysis at now, over the store and the shipped data. */
  async analyse(scope: GapScope, useCache = true) {
    return analyseGaps({ prices: this.prices, shipped: this.o.shipped, cache: this.o.cache }, scope, this.o.clock.now(), await this.o.activeModel(), useCache);
  }

  /** Fails the jobs a stopped replica left queued or running. */
  async failStaleJobs(): Promise<void> {
    const now = this.o.clock.now();
    const ids = await this.jobs.failStale(now - STALE_JOB_MS, now, 'interrupted: the ML server running it stopped');
    if (ids.length) this.o.log.warn({ job_ids: ids }, 'failed gap-fill jobs left running by a stopped server');
  }

  /**
   * Queues a fill of `scope` and starts it in the background.
   * @throws AppError CONFLICT while another job is queued or running (on any replica).
   */
  async start(scope: GapScope): Promise<GapFillJob> {
    const job = await this.jobs.create({ ...scope }, this.o.clock.now());
    const abort = new AbortController();
    const done = this.run(job, scope, abort.signal).finally(() => this.running.delete(job.id));
    this.running.set(job.id, { abort, done });
    return job;
  }

  /** @throws AppError NOT_FOUND. */
  async job(id: string): Promise<GapFillJob> {
    const job = await this.jobs.get(id);
    if (!job) throw new AppError('NOT_FOUND', `gap-fill job ${id} not found`, { job_id: id });
    return job;
  }

  list(limit?: number): Promise<GapFillJob[]> {
    return this.jobs.list(limit);
  }

  /** Resolves when this replica's running jobs have ended (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /** Aborts this replica's jobs (they end `failed`) and waits for them. */
  async stop(): Promise<void> {
    for (const r of this.running.values()) r.abort.abort();
    await this.idle();
  }

  private async run(job: GapFillJob, scope: GapScope, signal: AbortSignal): Promise<void> {
    let state = job;
    const advance = async (change: Parameters<GapFillJobsRepository['update']>[1], message: string | null = null) => {
      state = await this.jobs.update(job.id, change, this.o.clock.now());
      await this.o.events.publish(
        this.o.events.frame('gap_fill_progress', { job_id: job.id, status: state.status, progress: state.progress, series_total: state.seriesTotal, series_done: state.seriesDone, records_filled: state.recordsFilled, message }),
      );
    };
    let cloud: ReturnType<CloudFactory> | undefined;
    try {
      const analysis = await this.analyse(scope, false);
      const todo = analysis.series.filter((s) => s.ranges.some((r) => r.fetchable));
      await advance({ status: 'running', startedAtMs: this.o.clock.now(), seriesTotal: todo.length }, `${todo.length} series with fetchable gaps`);
      cloud = this.o.cloud(scope.region);
      const batches = batchByType(todo);
      let done = 0;
      let records = 0;
      const empty: string[] = [];
      for (const batch of batches) {
        signal.throwIfAborted();
        const filled = await this.fillBatch(cloud.provider, scope.region, batch, job.id, signal);
        records += filled.records;
        empty.push(...filled.withoutData);
        done += batch.length;
        await this.o.cache.deletePrefix(coverageCachePrefix(scope.region));
        await advance({ seriesDone: done, recordsFilled: records, progress: todo.length ? done / todo.length : 1 });
      }
      const note = empty.length ? `; EC2 had no price for ${empty.length} series (${empty.slice(0, 5).join(', ')}${empty.length > 5 ? ', …' : ''})` : '';
      await advance({ status: 'completed', progress: 1, finishedAtMs: this.o.clock.now() }, `filled ${records} records in ${todo.length} series${note}`.slice(0, 1000));
      this.o.log.info({ job_id: job.id, records_filled: records, series: todo.length }, 'gap fill completed');
    } catch (error) {
      const message = signal.aborted ? 'interrupted: the ML server is stopping' : error instanceof AppError ? error.message : 'internal error (see the ML server log)';
      if (!(error instanceof AppError) && !signal.aborted) this.o.log.error({ err: error, job_id: job.id }, 'gap fill failed');
      await advance({ status: 'failed', error: message.slice(0, 1000), finishedAtMs: this.o.clock.now() }, message.slice(0, 1000)).catch((e: unknown) => this.o.log.error({ err: e, job_id: job.id }, 'cannot record the failed gap fill'));
    } finally {
      cloud?.close();
    }
  }

  /** Fetches and stores one batch. @returns records inserted and the series EC2 had no price for. */
  private async fillBatch(provider: CloudProvider, region: string, batch: SeriesGaps[], jobId: string, signal: AbortSignal): Promise<{ records: number; withoutData: string[] }> {
    const nowMs = this.o.clock.now();
    const missing = new Map(batch.map((s) => [`${s.availability_zone}|${s.instance_type}`, missingDays(s)]));
    const fromMs = Math.min(...batch.flatMap((s) => s.ranges.filter((r) => r.fetchable).map((r) => Date.parse(r.from))));
    const zones = new Set(batch.map((s) => s.availability_zone));
    const points = await provider.spotPriceHistory({
      instanceTypes: [...new Set(batch.map((s) => s.instance_type))],
      ...(zones.size === 1 && { availabilityZone: [...zones][0] as string }),
      fromMs,
      toMs: nowMs,
      productDescription: PRODUCT,
      signal,
    });
    const bySeries = new Map<string, SpotPricePoint[]>();
    for (const p of points) {
      const key = `${p.availabilityZone}|${p.instanceType}`;
      if (!missing.has(key)) continue;
      let list = bySeries.get(key);
      if (!list) bySeries.set(key, (list = []));
      list.push(p);
    }
    const rows: StoredPricePoint[] = [];
    const withoutData: string[] = [];
    for (const s of batch) {
      const key = `${s.availability_zone}|${s.instance_type}`;
      const series = (bySeries.get(key) ?? []).sort((a, b) => a.timestampMs - b.timestampMs);
      const days = missing.get(key) as Set<number>;
      if (series.length === 0) {
        withoutData.push(`${s.instance_type}@${s.availability_zone}`);
        continue;
      }
      const base = { region, availabilityZone: s.availability_zone, instanceType: s.instance_type, product: PRODUCT };
      const changedOn = new Set<number>();
      for (const p of series) {
        const day = Math.floor(p.timestampMs / DAY_MS);
        if (!days.has(day)) continue;
        changedOn.add(day);
        rows.push({ ...base, timestampMs: p.timestampMs, priceUsdPerHour: p.priceUsdPerHour, provenance: 'observed' });
      }
      let i = 0;
      let inForce: number | undefined;
      for (const day of [...days].sort((a, b) => a - b)) {
        const dayStart = day * DAY_MS;
        while (i < series.length && (series[i] as SpotPricePoint).timestampMs <= dayStart) inForce = (series[i++] as SpotPricePoint).priceUsdPerHour;
        // No change at 00:00 of a missing day: the price then in force, carried forward (unknown before the series starts).
        if (!changedOn.has(day) && inForce !== undefined) rows.push({ ...base, timestampMs: dayStart, priceUsdPerHour: inForce, provenance: 'carried_forward' });
      }
    }
    return { records: await this.prices.insert(rows, jobId), withoutData };
  }
}

/** The fetchable missing days of a series (UTC day numbers). */
function missingDays(s: SeriesGaps): Set<number> {
  const days = new Set<number>();
  for (const r of s.ranges) {
    if (!r.fetchable) continue;
    const first = Math.floor(Date.parse(r.from) / DAY_MS);
    for (let d = first; d < first + r.days; d++) days.add(d);
  }
  return days;
}

/** Series grouped so that one call covers at most TYPES_PER_CALL instance types. */
function batchByType(series: readonly SeriesGaps[]): SeriesGaps[][] {
  const types = [...new Set(series.map((s) => s.instance_type))].sort();
  const batches: SeriesGaps[][] = [];
  for (let i = 0; i < types.length; i += TYPES_PER_CALL) {
    const chunk = new Set(types.slice(i, i + TYPES_PER_CALL));
    batches.push(series.filter((s) => chunk.has(s.instance_type)));
  }
  return batches;
}
