/**
 * Interruption risk of one Spot pool (instance type × AZ) at a given time, the way the ML server answers
 * `predict/spot-interruption` and feeds `spot-optimize` a learned model when it has one.
 *
 * - Day-zero (no model): the seed formula of spot-selection (`dayZeroScore`): the Spot Advisor bucket of the
 *   latest snapshot (its midpoint as a monthly rate; `>20%` assumed when the type is not listed), the price
 *   volatility over the last 7 days of spot price history, spot / on-demand, time of day in the region.
 * - Model: the GBT interruption-risk model (interruption-risk/model.ts) predicts the distribution of the
 *   pool's Spot Advisor bucket; its expected monthly rate replaces the bucket midpoint in the same formula.
 *   Features come from the latest advisor snapshot (interruption-risk/features.ts). Pools the latest snapshot
 *   does not list fall back to day-zero (the model has no bucket to start from).
 *
 * Probabilities: a monthly rate m is a constant hazard λ = −ln(1 − m)/730 h; P(interrupted within h hours) =
 * 1 − e^(−λh). With the default horizon (730 h) the probability is the monthly rate itself.
 */
import { AppError } from '@cloudoptim/contracts';
import {
  type AdvisorSnapshot,
  advisorSnapshots,
  catalogShapes,
  dayZeroScore,
  hourlyRateFromMonthly,
  localTimeOf,
  poolFeatures,
  type PoolRiskFeatures,
  predictRisk,
  priceFeatures,
  probabilityWithin,
  type RiskClass,
  type RiskModel,
  riskClassOf,
  type ScoreComponent,
  type ShapeLookup,
  type SnapshotContext,
  snapshotContext,
  type SpotRiskModel,
} from '@cloudoptim/engines';
import { INTERRUPTION_BUCKETS, type Market, type SpotAdvisorEntry, type SpotPriceHistory } from '@cloudoptim/market';

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

interface ModelContext {
  model: RiskModel;
  latest: AdvisorSnapshot;
  previousDate: string | null;
  ctx: SnapshotContext;
  shapes: ShapeLookup;
}

/**
 * Scores pools with the day-zero formula or, when given, the GBT model. Build once per process: with a model
 * it indexes the latest Spot Advisor snapshot (~1 s), never per request.
 */
export class PoolRiskScorer {
  private readonly modelCtx: ModelContext | null;

  constructor(
    private readonly market: Market,
    model?: RiskModel,
  ) {
    if (!model) {
      this.modelCtx = null;
      return;
    }
    const snapshots = advisorSnapshots(market);
    const latest = snapshots[snapshots.length - 1];
    if (!latest) throw new AppError('DATA_CORRUPT', 'the Spot Advisor history has no snapshot; the risk model cannot build features', { file: 'spot-advisor-history.csv.gz' });
    const shapes = catalogShapes(market);
    this.modelCtx = { model, latest, previousDate: snapshots[snapshots.length - 2]?.date ?? null, ctx: snapshotContext(latest, shapes), shapes };
  }

  /** `day-zero`, or the version of the loaded model. */
  get modelVersion(): string {
    return this.modelCtx?.model.version ?? DAY_ZERO_MODEL_VERSION;
  }

  get hasModel(): boolean {
    return this.modelCtx !== null;
  }

  /**
   * Monthly interruption rate and a confidence from the model for a pool of the latest snapshot; null when
   * there is no model or the snapshot does not list the pool.
   */
  modelMonthlyRate(region: string, instanceType: string, horizonHours: number): { monthlyRate: number; confidence: number; version: string } | null {
    const m = this.modelCtx;
    if (!m) return null;
    const history = this.market.spotAdvisorHistory(region, instanceType);
    const last = history[history.length - 1];
    if (!last || last.snapshotDate !== m.latest.date) return null;
    const earlier = history.slice(0, -1);
    const prevEntry = earlier[earlier.length - 1];
    const previous = prevEntry && prevEntry.snapshotDate === m.previousDate ? { date: prevEntry.snapshotDate, bucket: prevEntry.interruptionBucket, savingsPct: prevEntry.savingsPct } : undefined;
    const features = poolFeatures(
      { region, instanceType, bucket: last.interruptionBucket, savingsPct: last.savingsPct },
      { ...(previous && { previous }), buckets: earlier.map((e) => e.interruptionBucket) },
      m.ctx,
      m.shapes,
      Math.max(1, horizonHours / 24),
    );
    const prediction = predictRisk(m.model, features);
    const entropy = -prediction.buckets.reduce((s, p) => (p > 0 ? s + p * Math.log(p) : s), 0);
    return { monthlyRate: prediction.expectedMonthlyInterruptionRate, confidence: clamp01(1 - entropy / Math.log(5)), version: m.model.version };
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
    if (!this.modelCtx) return undefined;
    const version = this.modelCtx.model.version;
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
