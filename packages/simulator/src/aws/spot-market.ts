/**
 * The market side of the local region, built on the market package's model: spot prices replayed from the
 * real per-AZ history onto simulated time (`createPriceReplay`), the interruption hazard per pool
 * (`buildHazardTimeline` from the pool's Spot Advisor bucket and its replayed prices) and capacity-shortage
 * windows per pool (`sampleCapacityShortages`), plus forced shortages for scenarios.
 *
 * Hazards and shortages are built lazily per pool and per chunk of simulated time (default 7 days), each from
 * its own RNG fork, so what a pool does never depends on which other pools were asked about first.
 */
import {
  buildHazardTimeline,
  createPriceReplay,
  DEFAULT_HAZARD_PARAMS,
  DEFAULT_SHORTAGE_PARAMS,
  hazardAt,
  inShortage,
  type HazardParams,
  type HazardTimeline,
  type InterruptionBucket,
  type Market,
  type PriceReplay,
  type PriceStep,
  type Rng,
  sampleBaseMonthlyFraction,
  sampleCapacityShortages,
  type ShortageParams,
  type ShortageWindow,
  type SpotPriceHistory,
} from '@cloudoptim/market';

/** How simulated time maps onto the real history (defaults: the region's whole window, starting now, 1×). */
export interface PriceReplayConfig {
  historyStartMs?: number;
  historyEndMs?: number;
  /** Simulated instant that replays `historyStartMs` (default: the clock's time at creation). */
  simStartMs?: number;
  /** History ms per simulated ms (default 1). */
  speed?: number;
}

/** Options of `SpotMarket`. */
export interface SpotMarketOptions {
  market: Market;
  /** The loaded per-AZ history (`await market.spotPriceHistory()`); without it prices fall back to advisor savings. */
  priceHistory?: SpotPriceHistory;
  region: string;
  rng: Rng;
  nowMs: number;
  replay?: PriceReplayConfig;
  /** Length of the simulated-time chunks hazards and shortages are built for (default 7 days). */
  chunkMs?: number;
  hazardParams?: HazardParams;
  /** Capacity-shortage process; `null` disables sampled shortages (forced ones still apply). */
  shortageParams?: ShortageParams | null;
  /** Bucket assumed for types the Spot Advisor does not list in the region (default 2, `10-15%`). */
  defaultBucket?: InterruptionBucket;
}

/** A pool's hazard over one chunk of simulated time. */
export interface HazardChunk {
  index: number;
  startMs: number;
  endMs: number;
  timeline: HazardTimeline;
}

const DAY_MS = 86_400_000;

/** Spot prices, hazards and shortages of one region in simulated time. */
export class SpotMarket {
  readonly replay: PriceReplay | undefined;
  readonly speed: number;
  private readonly chunkMs: number;
  private readonly originMs: number;
  private readonly chunks = new Map<string, HazardChunk>();
  private readonly shortageWindows = new Map<string, ShortageWindow[]>();
  private readonly forced = new Map<string, number>();
  private readonly baseFraction = new Map<string, number>();

  constructor(private readonly opts: SpotMarketOptions) {
    opts.market.assertRegion(opts.region);
    this.chunkMs = opts.chunkMs ?? 7 * DAY_MS;
    // Whole seconds, so replayed timestamps keep the history's whole-second stamps at 1×.
    this.originMs = opts.replay?.simStartMs ?? Math.floor(opts.nowMs / 1000) * 1000;
    this.speed = opts.replay?.speed ?? 1;
    const cov = opts.priceHistory?.coverage().find((c) => c.region === opts.region);
    if (opts.priceHistory && cov) {
      this.replay = createPriceReplay(opts.priceHistory, {
        historyStartMs: opts.replay?.historyStartMs ?? cov.firstMs,
        // One second past the last record keeps every lap a whole number of seconds long.
        historyEndMs: opts.replay?.historyEndMs ?? cov.lastMs + 1000,
        simStartMs: this.originMs,
        speed: this.speed,
      });
    }
  }

  /** AZ names the history knows for the region (empty without history). */
  historyZones(): string[] {
    return [...(this.opts.priceHistory?.coverage().find((c) => c.region === this.opts.region)?.availabilityZones ?? [])];
  }

  /** Pools (AZ × type) with real price history in the region. */
  historyPools(): { availabilityZone: string; instanceType: string }[] {
    return this.opts.priceHistory?.pools(this.opts.region) ?? [];
  }

  /** True when the pool has replayed history. */
  hasHistory(az: string, type: string): boolean {
    return this.replay !== undefined && (this.opts.priceHistory?.hasPool(az, type) ?? false);
  }

  /** On-demand Linux price of the type in the region, USD/h. */
  onDemandPrice(type: string): number | undefined {
    return this.opts.market.onDemandPrice(this.opts.region, type)?.usdPerHour;
  }

  /**
   * The spot price at simulated `t`: the replayed history when the pool has one, else on-demand × (1 − the
   * advisor's savings), else 40% of on-demand (the typical level since 2017); undefined without any price.
   */
  spotPrice(az: string, type: string, t: number): number | undefined {
    const replayed = this.hasHistory(az, type) ? this.replay?.priceAt(az, type, t) : undefined;
    if (replayed !== undefined) return replayed;
    const od = this.onDemandPrice(type);
    if (od === undefined) return undefined;
    const savings = this.opts.market.spotAdvisor(this.opts.region, type)?.savingsPct;
    return savings !== undefined && savings > 0 && savings < 100 ? od * (1 - savings / 100) : od * 0.4;
  }

  /**
   * Price changes of a pool over simulated [fromMs, toMs] as DescribeSpotPriceHistory reports them: the change
   * in force at `fromMs` with its own (earlier) time, then every change up to `toMs`. Times in simulated ms.
   */
  priceChanges(az: string, type: string, fromMs: number, toMs: number): PriceStep[] {
    const replay = this.replay;
    const history = this.opts.priceHistory;
    if (!replay || !history || !history.hasPool(az, type)) return [];
    const steps = replay.series(az, type, fromMs, toMs);
    const first = steps[0];
    if (first && first.timeMs === fromMs) {
      // The replay clamps the first step to fromMs; AWS reports when that price really took effect.
      const hFrom = replay.toHistoryTime(fromMs);
      const orig = history.series(az, type, hFrom, hFrom)[0];
      if (orig && orig.timeMs <= hFrom && orig.usdPerHour === first.usdPerHour) first.timeMs = fromMs - (hFrom - orig.timeMs) / this.speed;
    }
    return steps.map((s) => ({ timeMs: Math.round(s.timeMs), usdPerHour: s.usdPerHour }));
  }

  /** The pool's hazard over the chunk of simulated time containing `t`. */
  hazardChunk(az: string, type: string, t: number): HazardChunk {
    const index = Math.floor((t - this.originMs) / this.chunkMs);
    const key = `${az}|${type}|${index}`;
    let chunk = this.chunks.get(key);
    if (!chunk) {
      const startMs = this.originMs + index * this.chunkMs;
      const endMs = startMs + this.chunkMs;
      const steps = this.hasHistory(az, type) ? (this.replay?.series(az, type, startMs, endMs) ?? []) : [];
      const timeline = buildHazardTimeline(
        { baseMonthlyFraction: this.poolBaseFraction(az, type), onDemandUsdPerHour: this.onDemandPrice(type) ?? 0, steps, fromMs: startMs, toMs: endMs },
        this.opts.hazardParams ?? DEFAULT_HAZARD_PARAMS,
      );
      chunk = { index, startMs, endMs, timeline };
      this.chunks.set(key, chunk);
    }
    return chunk;
  }

  /** Interruption hazard of the pool at `t`, per instance-hour. */
  hazardAt(az: string, type: string, t: number): number {
    return hazardAt(this.hazardChunk(az, type, t).timeline, t);
  }

  /** The pool's hidden base monthly interruption fraction (drawn once per pool inside its advisor bucket). */
  poolBaseFraction(az: string, type: string): number {
    const key = `${az}|${type}`;
    let f = this.baseFraction.get(key);
    if (f === undefined) {
      const bucket = this.opts.market.spotAdvisor(this.opts.region, type)?.interruptionBucket ?? this.opts.defaultBucket ?? 2;
      f = sampleBaseMonthlyFraction(bucket, this.opts.rng.fork(`pool:${key}`));
      this.baseFraction.set(key, f);
    }
    return f;
  }

  /** True when launches of spot capacity in the pool fail at `t` (sampled episode or forced). */
  inShortage(az: string, type: string, t: number): boolean {
    const forcedUntil = this.forced.get(`${az}|${type}`) ?? this.forced.get(`*|${type}`) ?? this.forced.get(`${az}|*`);
    if (forcedUntil !== undefined && t < forcedUntil) return true;
    if (this.opts.shortageParams === null) return false;
    const chunk = this.hazardChunk(az, type, t);
    const key = `${az}|${type}|${chunk.index}`;
    let windows = this.shortageWindows.get(key);
    if (!windows) {
      windows = sampleCapacityShortages(chunk.timeline, this.opts.rng.fork(`shortage:${key}`), this.opts.shortageParams ?? DEFAULT_SHORTAGE_PARAMS);
      this.shortageWindows.set(key, windows);
    }
    return inShortage(windows, t);
  }

  /** Forces a shortage of the pool until `untilMs` (`*` as AZ or type matches all). `untilMs` ≤ now lifts it. */
  forceShortage(az: string, type: string, untilMs: number): void {
    this.forced.set(`${az}|${type}`, untilMs);
  }
}
