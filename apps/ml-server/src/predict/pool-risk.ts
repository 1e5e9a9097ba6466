/**
 * Interruption risk of one Spot pool (instance type × AZ) at a given time, the way the ML server answers
 * `predict/spot-interruption` and feeds `spot-optimize` a learned model when it has one.
 *
 * - Day-zero (no model): the seed formula of spot-selection (`dayZeroScore`): the Spot Advisor bucket of the
 *   latest snapshot (its midpoint as a monthly rate; `>20%` assumed when the type is not listed), the price
 *   volatility over the last 7 days of spot price history, spot / on-demand, time of day in the region.
 * - Model: the active registry model (a native GBT artifact, interruption-risk/model.ts, or an XGBoost model)
 *   gives the pool's expected monthly rate (models/scoring-model.ts), which replaces the bucket midpoint in the
 *   same formula. Features come from the latest advisor snapshot (advisor-index.ts). Pools the latest snapshot
 *   does not list fall back to day-zero (the model has no bucket to start from).
 *
 * Probabilities: a monthly rate m is a constant hazard λ = −ln(1 − m)/730 h; P(interrupted within h hours) =
 * 1 − e^(−λh). With the default horizon (730 h) the probability is the monthly rate itself.
 */
import { AppError } from '@cloudoptim/contracts';
import {
  dayZeroScore,
  hourlyRateFromMonthly,
  localTimeOf,
  type PoolRiskFeatures,
  priceFeatures,
  probabilityWithin,
  type RiskClass,
  riskClassOf,
  type ScoreComponent,
  type SpotRiskModel,
} from '@cloudoptim/engines';
import { INTERRUPTION_BUCKETS, type Market, type SpotAdvisorEntry, type SpotPriceHistory } from '@cloudoptim/market';
import type { ScoringModel } from '../models/scoring-model.ts';
import type { AdvisorIndex } from './advisor-index.ts';

/** The name of the day-zero scoring in `model_version` fields. */
export const DAY_ZERO_MODEL_VERSION = 'day-zero';

const VOLATILITY_LOOKBACK_MS = 7 * 24 * 3_600_000;
/** Same tunables as spot-selection's defaults. */
const VOLATILITY_CV_AT_FULL_RISK = 0.1;
const NEUTRAL_VOLATILITY_RISK = 0.5;
const WORST_BUCKET = INTERRUPTION_BUCKETS[4] as (typeof INTERRUPTION_BUCKETS)[number];

export interface PoolQuery {
  region: string;
  availabilityZone: string;
  instanceType: string;
  spotPriceUsdPerHour: number;
  atMs: number;
  horizonHours: number;
}

export interface PoolRiskScore {
  interruptionProbability: number;
  monthlyInterruptionRate: number;
  safetyScore: number;
  riskClass: RiskClass;
  confidence: number;
  /** `day-zero` or the model's version. */
  modelVersion: string;
  advisor: SpotAdvisorEntry | null;
  onDemandUsdPerHour: number;
  priceVolatilityCv: number | null;
  components: ScoreComponent[];
}

/**
 * Scores pools with the day-zero formula or, when given, a model (native GBT or XGBoost). Immutable: the
 * registry builds a new scorer per activated model, so a request keeps the model it started with.
 */
export class PoolRiskScorer {
  constructor(
    private readonly market: Market,
    private readonly model?: { scoring: ScoringModel; index: AdvisorIndex },
  ) {}

  /** `day-zero`, or the version of the loaded model. */
  get modelVersion(): string {
    return this.model?.scoring.version ?? DAY_ZERO_MODEL_VERSION;
  }

  get hasModel(): boolean {
    return this.model !== undefined;
  }

  /**
   * Monthly interruption rate and a confidence from the model for a pool of the latest snapshot; null when
   * there is no model or the snapshot does not list the pool.
   */
  modelMonthlyRate(region: string, instanceType: string, horizonHours: number): { monthlyRate: number; confidence: number; version: string } | null {
    const m = this.model;
    if (!m) return null;
    const features = m.index.features(region, instanceType, horizonHours);
    if (!features) return null;
    const s = m.scoring.score(features);
    return { monthlyRate: s.monthlyRate, confidence: s.confidence, version: m.scoring.version };
  }

  /**
   * Scores one pool. @throws AppError UNKNOWN_REGION / UNKNOWN_INSTANCE_TYPE (not in the catalog, or no
   * on-demand price in the region: spot / on-demand cannot be measured).
   */
  score(q: PoolQuery, prices: SpotPriceHistory | null): PoolRiskScore {
    this.market.assertRegion(q.region);
    this.market.requireInstanceType(q.instanceType);
    const od = this.market.onDemandPrice(q.region, q.instanceType);
    if (!od) throw new AppError('UNKNOWN_INSTANCE_TYPE', `Instance type ${q.instanceType} has no on-demand price in ${q.region}`, { instance_type: q.instanceType, region: q.region });
    const advisor = this.market.spotAdvisor(q.region, q.instanceType) ?? null;
    const steps = prices ? prices.series(q.availabilityZone, q.instanceType, q.atMs - VOLATILITY_LOOKBACK_MS, q.atMs) : [];
    const pf = priceFeatures(steps, q.atMs - VOLATILITY_LOOKBACK_MS, q.atMs);
    const local = localTimeOf(q.region, q.atMs);
    const modelRate = this.modelMonthlyRate(q.region, q.instanceType, q.horizonHours);
    let monthlyRate: number;
    let note: string;
    let confidence: number;
    let modelVersion: string;
    if (modelRate) {
      monthlyRate = modelRate.monthlyRate;
      note = `model ${modelRate.version}: expected monthly rate ${monthlyRate.toFixed(4)}`;
      confidence = modelRate.confidence;
      modelVersion = modelRate.version;
    } else {
      const bucket = advisor ? (INTERRUPTION_BUCKETS[advisor.interruptionBucket] ?? WORST_BUCKET) : WORST_BUCKET;
      monthlyRate = bucket.midpointRate;
      note = advisor ? `Spot Advisor ${advisor.snapshotDate} ${advisor.interruptionLabel}` : `no Spot Advisor entry: ${WORST_BUCKET.label} assumed`;
      // Day-zero confidence: what the score could stand on (advisor entry, price history).
      confidence = 0.4 + (advisor ? 0.3 : 0) + (pf ? 0.2 : 0);
      modelVersion = DAY_ZERO_MODEL_VERSION;
    }
    const { safetyScore, components } = dayZeroScore({
      monthlyInterruptionRate: monthlyRate,
      interruptionNote: note,
      volatilityCv: pf ? pf.cv : null,
      volatilityCvAtFullRisk: VOLATILITY_CV_AT_FULL_RISK,
      neutralVolatilityRisk: NEUTRAL_VOLATILITY_RISK,
      spotToOnDemandRatio: q.spotPriceUsdPerHour / od.usdPerHour,
      localHour: local.hour,
      timeOfDayRisk: local.risk,
      businessHours: local.businessHours,
    });
    return {
      interruptionProbability: probabilityWithin(hourlyRateFromMonthly(monthlyRate), q.horizonHours),
      monthlyInterruptionRate: monthlyRate,
      safetyScore,
      riskClass: riskClassOf(safetyScore),
      confidence: clamp01(confidence),
      modelVersion,
      advisor,
      onDemandUsdPerHour: od.usdPerHour,
      priceVolatilityCv: pf ? pf.cv : null,
      components,
    };
  }

  /** The loaded model as spot-selection's `SpotRiskModel` (P(interrupted within the horizon)); undefined without a model. */
  spotRiskModel(): SpotRiskModel | undefined {
    if (!this.model) return undefined;
    const version = this.model.scoring.version;
    return {
      version,
      predict: (pool: PoolRiskFeatures) => {
        const rate = this.modelMonthlyRate(pool.region, pool.instanceType, pool.horizonHours)?.monthlyRate ?? WORST_BUCKET.midpointRate;
        return probabilityWithin(hourlyRateFromMonthly(rate), pool.horizonHours);
      },
    };
  }
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
