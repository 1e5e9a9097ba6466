/**
 * Online per-pool interruption hazard learning for the CloudOptim strategy, from what its own fleet observes.
 *
 * Model: each pool (type × AZ) has an unknown constant hazard λ per node-hour. Prior: Gamma with mean λ₀ = the
 * hazard of the pool's Spot Advisor bucket midpoint (the day-zero value) and a strength of S pseudo node-hours,
 * i.e. Gamma(λ₀·S, S). Evidence: E node-hours run in the pool, I interruption warnings, R rebalance
 * recommendations. Recommendations are treated as a second Poisson stream whose rate is w·λ (AWS sends them
 * "when a Spot Instance is at elevated risk"; w is an assumption, tuned like the other options), so the
 * conjugate posterior is Gamma(λ₀·S + I + R, S + (1 + w)·E) — counting each recommendation as 1 event against
 * w node-hours' worth of extra exposure per node-hour — and its mean is
 *
 *   λ̂ = (λ₀·S + I + R) / (S + (1 + w)·E).
 *
 * A quiet pool drifts below its bucket's midpoint, a pool that interrupts more than its band drifts above it.
 * Exposure of a running node counts up to the decision time (never past it); a node's exposure ends at its
 * interruption warning or its end. O(1) per observation; O(1) per posterior query.
 *
 * Public price signals (optional) multiply λ̂: a price near on-demand (scarce spare capacity) and a recent jump
 * (a demand burst). Their shape and coefficients are this strategy's own assumptions, not the market model's.
 */
import { INTERRUPTION_BUCKETS, type InterruptionBucket } from '@cloudoptim/market';
import { hourlyRateFromMonthly, probabilityWithin } from '../spot-selection/day-zero-score.ts';
import type { PoolRiskFeatures, SpotRiskModel } from '../spot-selection/index.ts';
import { type ClampedPrices, poolKey } from './public-view.ts';
import type { FleetObservation } from './strategies.ts';

const HOUR_MS = 3_600_000;

/** Tunables of the learner. */
export interface HazardLearningOptions {
  /** S: how many node-hours of evidence the advisor-bucket prior is worth. */
  priorStrengthNodeHours: number;
  /** w: a rebalance recommendation's rate as a multiple of the hazard (0 ignores recommendations). */
  rebalanceRecommendationWeight: number;
}

/** Public price signals that raise a pool's hazard estimate (null fields switch a signal off). */
export interface PriceSignalOptions {
  /** Spot/on-demand ratio from which the estimate rises … */
  ratioThreshold: number;
  /** … linearly to ×(1 + gain) at price parity. */
  ratioGain: number;
  /** A step up by at least this relative rise counts as a jump … */
  jumpMinRise: number;
  /** … and multiplies the estimate by 1 + jumpGain·min(1, rise) for this many hours after it. */
  jumpWindowHours: number;
  jumpGain: number;
}

/** What the learner knows about one pool. */
export interface PoolEvidence {
  /** Node-hours run in the pool up to the query time. */
  exposureNodeHours: number;
  interruptions: number;
  rebalanceRecommendations: number;
}

interface Stats {
  closedHours: number;
  interruptions: number;
  recommendations: number;
}

const WORST_BUCKET = 4 as InterruptionBucket;

/** Hourly hazard of a Spot Advisor bucket's midpoint (null → the `>20%` bucket, as the engine assumes). */
export function bucketPriorHourlyRate(bucket: number | null): number {
  const b = INTERRUPTION_BUCKETS[(bucket ?? WORST_BUCKET) as InterruptionBucket] ?? INTERRUPTION_BUCKETS[WORST_BUCKET];
  return hourlyRateFromMonthly(b?.midpointRate ?? 0.25);
}

/** Gamma–Poisson learner of per-pool hazards from the fleet's own observations. Deterministic. */
export class PoolHazardLearner {
  private readonly open = new Map<string, { pool: string; startMs: number }>();
  private readonly stats = new Map<string, Stats>();
  private readonly nodePool = new Map<string, string>();

  constructor(private readonly options: HazardLearningOptions) {}

  private statsOf(pool: string): Stats {
    let s = this.stats.get(pool);
    if (!s) {
      s = { closedHours: 0, interruptions: 0, recommendations: 0 };
      this.stats.set(pool, s);
    }
    return s;
  }

  private close(nodeId: string, t: number): void {
    const o = this.open.get(nodeId);
    if (!o) return;
    this.statsOf(o.pool).closedHours += Math.max(0, t - o.startMs) / HOUR_MS;
    this.open.delete(nodeId);
  }

  /** Feeds one fleet event (spot nodes only; on-demand nodes tell nothing about spot pools). */
  observe(o: FleetObservation): void {
    switch (o.kind) {
      case 'launched':
        if (o.capacityType !== 'spot') return;
        this.nodePool.set(o.nodeId, poolKey(o.availabilityZone, o.instanceType));
        this.open.set(o.nodeId, { pool: poolKey(o.availabilityZone, o.instanceType), startMs: o.timeMs });
        return;
      case 'ended':
        this.close(o.nodeId, o.timeMs);
        return;
      case 'interruption_warning': {
        const pool = this.nodePool.get(o.nodeId);
        if (pool === undefined) return;
        this.statsOf(pool).interruptions++;
        this.close(o.nodeId, o.timeMs);
        return;
      }
      case 'rebalance_recommendation': {
        const pool = this.nodePool.get(o.nodeId);
        if (pool !== undefined) this.statsOf(pool).recommendations++;
        return;
      }
      case 'insufficient_capacity':
        return;
    }
  }

  /** The evidence on a pool, exposure counted up to `nowMs`. */
  evidence(pool: string, nowMs: number): PoolEvidence {
    const s = this.stats.get(pool);
    let hours = s?.closedHours ?? 0;
    for (const o of this.open.values()) if (o.pool === pool) hours += Math.max(0, nowMs - o.startMs) / HOUR_MS;
    return { exposureNodeHours: hours, interruptions: s?.interruptions ?? 0, rebalanceRecommendations: s?.recommendations ?? 0 };
  }

  /** Exposure per pool up to `nowMs` (one pass over the open nodes). */
  private exposureByPool(nowMs: number): Map<string, number> {
    const out = new Map<string, number>();
    for (const [pool, s] of this.stats) out.set(pool, s.closedHours);
    for (const o of this.open.values()) out.set(o.pool, (out.get(o.pool) ?? 0) + Math.max(0, nowMs - o.startMs) / HOUR_MS);
    return out;
  }

  /** Posterior mean hazard per node-hour of `pool`, given its prior mean `priorHourly`. */
  posteriorHourlyRate(pool: string, priorHourly: number, nowMs: number, exposure?: ReadonlyMap<string, number>): number {
    const { priorStrengthNodeHours: S, rebalanceRecommendationWeight: w } = this.options;
    const s = this.stats.get(pool);
    const e = exposure ? (exposure.get(pool) ?? 0) : this.evidence(pool, nowMs).exposureNodeHours;
    const events = (s?.interruptions ?? 0) + (w > 0 ? (s?.recommendations ?? 0) : 0);
    return (priorHourly * S + events) / (S + (1 + w) * e);
  }

  /**
   * A `SpotRiskModel` for one decision: P(interrupted within the horizon) from the posterior hazard, raised by
   * the public price signals when given. `prices` must be the decision's clamped source (nothing after now).
   */
  riskModel(nowMs: number, prices: ClampedPrices, signals: PriceSignalOptions | null): SpotRiskModel {
    const exposure = this.exposureByPool(nowMs);
    return {
      version: `cloudoptim-posterior(S=${this.options.priorStrengthNodeHours}h,w=${this.options.rebalanceRecommendationWeight})`,
      predict: (f: PoolRiskFeatures) => {
        const prior = bucketPriorHourlyRate(f.advisorBucket);
        const rate = this.posteriorHourlyRate(poolKey(f.availabilityZone, f.instanceType), prior, nowMs, exposure);
        const m = signals ? priceSignalMultiplier(f, prices, nowMs, signals) : 1;
        return probabilityWithin(rate * m, f.horizonHours);
      },
    };
  }
}

/** The multiplier the public price signals put on a pool's hazard estimate at `nowMs`. */
export function priceSignalMultiplier(f: Pick<PoolRiskFeatures, 'availabilityZone' | 'instanceType' | 'spotToOnDemandRatio'>, prices: ClampedPrices, nowMs: number, s: PriceSignalOptions): number {
  let m = 1 + (s.ratioGain * Math.max(0, f.spotToOnDemandRatio - s.ratioThreshold)) / Math.max(1e-9, 1 - s.ratioThreshold);
  if (s.jumpGain > 0 && s.jumpWindowHours > 0) {
    const steps = prices.series(f.availabilityZone, f.instanceType, nowMs - s.jumpWindowHours * HOUR_MS, nowMs);
    let rise = 0;
    for (let i = 1; i < steps.length; i++) {
      const prev = steps[i - 1]?.usdPerHour ?? 0;
      const cur = steps[i]?.usdPerHour ?? 0;
      if (prev > 0 && (steps[i]?.timeMs ?? 0) > nowMs - s.jumpWindowHours * HOUR_MS) rise = Math.max(rise, cur / prev - 1);
    }
    if (rise >= s.jumpMinRise) m *= 1 + s.jumpGain * Math.min(1, rise);
  }
  return m;
}
