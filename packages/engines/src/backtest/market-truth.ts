/**
 * The ground truth of one backtest seed: per pool, the hazard and capacity shortages drawn from the shared
 * market model. Strategies never see this; only the simulator consults it (to draw interruptions and to
 * answer launches with "insufficient capacity").
 */
import {
  buildHazardTimeline,
  type HazardParams,
  type HazardTimeline,
  type Market,
  sampleBaseMonthlyFraction,
  sampleCapacityShortages,
  type ShortageParams,
  type ShortageWindow,
  type SpotPriceHistory,
} from '@cloudoptim/market';
import { createRng } from '../rng.ts';
import { advisorAsOf, poolKey } from './public-view.ts';

/** One pool's hidden state. */
export interface PoolTruth {
  /** Spot Advisor bucket the hazard is calibrated to (4 when the type is unlisted). */
  bucket: number;
  baseMonthlyFraction: number;
  hazard: HazardTimeline;
  shortages: ShortageWindow[];
}

/** Lazily built per-pool truth of one seed; the same seed gives every strategy the same market. */
export class MarketTruth {
  private readonly pools = new Map<string, PoolTruth>();

  constructor(
    private readonly market: Market,
    private readonly history: SpotPriceHistory,
    private readonly region: string,
    private readonly fromMs: number,
    private readonly toMs: number,
    private readonly seed: number,
    private readonly hazardParams: HazardParams,
    private readonly shortageParams: ShortageParams,
  ) {}

  /** The pool's truth; `onDemandUsdPerHour` is the reference of the price multiplier. */
  pool(az: string, type: string, onDemandUsdPerHour: number): PoolTruth {
    const key = poolKey(az, type);
    let truth = this.pools.get(key);
    if (truth) return truth;
    // Calibrated to the snapshot in force at the window start (what the advisor said about the month before).
    const adv = advisorAsOf(this.market, this.region, type, this.fromMs);
    const bucket = adv.bucket ?? 4;
    const rng = createRng(`${this.seed}|truth|${key}`);
    const baseMonthlyFraction = sampleBaseMonthlyFraction(bucket, rng);
    const hazard = buildHazardTimeline(
      { baseMonthlyFraction, onDemandUsdPerHour, steps: this.history.series(az, type, this.fromMs, this.toMs), fromMs: this.fromMs, toMs: this.toMs },
      this.hazardParams,
    );
    const shortages = sampleCapacityShortages(hazard, rng.fork('shortages'), this.shortageParams);
    truth = { bucket, baseMonthlyFraction, hazard, shortages };
    this.pools.set(key, truth);
    return truth;
  }
}
