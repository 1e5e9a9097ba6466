/**
 * Types of the spot selection engine: its input (requirement, AZs, node count, a price source, an optional
 * learned risk model), its options, and its result (allocations, rejected pools, costs, rationale).
 * Money is USD, prices are per node-hour, probabilities are fractions in [0, 1], times are epoch ms.
 */
import type { Architecture, InterruptionLabel } from '@cloudoptim/market';

/** Spot prices of pools, live or replayed (a `SpotPriceHistory` of packages/market fits as is). */
export interface SpotPoolPriceSource {
  /** Spot price of the pool in force at `timeMs` (USD/h), or undefined when unknown. */
  priceAt(availabilityZone: string, instanceType: string, timeMs: number): number | undefined;
  /** Price steps in [fromMs, toMs] incl. the step in force at fromMs (same shape as market's SpotPriceHistory.series). */
  series?(availabilityZone: string, instanceType: string, fromMs: number, toMs: number): { timeMs: number; usdPerHour: number }[];
  /**
   * Optional: when the source was last refreshed (epoch ms). With it, a price's data age is `now − asOfMs`;
   * without it, the age is `now −` the time of the price step in force (an upper bound: the price is known to
   * hold since then), or unknown when the source has no `series`.
   */
  asOfMs?: number;
  /** Optional: a name for the rationale (default `spot-price-source`). */
  name?: string;
}

/** Per-node shape the capacity must provide (`InstanceRequirement` of packages/market minus region). */
export interface SpotRequirement {
  minVcpu?: number;
  maxVcpu?: number;
  minMemoryGib?: number;
  maxMemoryGib?: number;
  architecture?: 'x86_64' | 'arm64';
  minGpus?: number;
  maxGpus?: number;
  families?: string[];
  excludeFamilies?: string[];
  currentGenerationOnly?: boolean;
}

/** What a learned interruption-risk model sees of one pool at decision time. */
export interface PoolRiskFeatures {
  region: string;
  availabilityZone: string;
  instanceType: string;
  family: string;
  /** e.g. `large`. */
  size: string;
  generation: number | null;
  vcpu: number;
  memoryGib: number;
  architecture: Architecture;
  /** Spot Advisor bucket 0 (`<5%`) … 4 (`>20%`) of the snapshot in force at `nowMs`; null when not listed. */
  advisorBucket: number | null;
  /** Spot Advisor savings, percent; null when not listed. */
  advisorSavingsPct: number | null;
  /** Snapshot date used, `YYYY-MM-DD`; null when none. */
  advisorSnapshotDate: string | null;
  spotPriceUsdPerHour: number;
  onDemandPriceUsdPerHour: number;
  /** spot / on-demand (0 … 1 for eligible pools). */
  spotToOnDemandRatio: number;
  /** Time-weighted coefficient of variation of the spot price over the lookback; null without history. */
  priceVolatilityCv: number | null;
  /** Relative price change over the lookback (last / time-weighted mean − 1); null without history. */
  priceTrend: number | null;
  /** Price changes within the lookback; null without history. */
  priceChangeCount: number | null;
  /** Local hour (0–23) and ISO weekday (1 Mon … 7 Sun) in the region's time zone. */
  localHour: number;
  localWeekday: number;
  businessHours: boolean;
  horizonHours: number;
  nowMs: number;
}

/** A learned model: P(the pool is interrupted within `horizonHours`), calibrated. */
export interface SpotRiskModel {
  version: string;
  predict(pool: PoolRiskFeatures): number;
}

/** Tunables of the engine; every field has a default (see `DEFAULT_SPOT_SELECTION_OPTIONS`). */
export interface SpotSelectionOptions {
  /** Largest share of spot nodes in one instance family (seed rule 0.4). Cap = max(1, ⌊share × N⌋). */
  maxFamilyShare: number;
  /** Largest share of spot nodes in one pool (type × AZ). Cap = max(1, ⌊share × N⌋). */
  maxPoolShare: number;
  /** Largest share of spot nodes in one AZ. Cap = max(⌈N / #AZs⌉, ⌊share × N⌋). */
  maxAzShare: number;
  /** Fewest distinct spot pools: tightens the pool cap to ⌊N / minPools⌋ (at least 1). */
  minPools: number;
  /** Horizon of the interruption probability, hours. */
  horizonHours: number;
  /**
   * Cost of one interruption, USD: replacement (a new node booting, pods rescheduling) plus disruption (lost
   * work, restarts). Default: `disruptionCostUsd` + `replacementHours` × the pool's on-demand price.
   */
  interruptionCostUsd: number | null;
  /** Disruption part of the default interruption cost, USD per event. */
  disruptionCostUsd: number;
  /** Replacement part of the default interruption cost: hours of the node's on-demand price. */
  replacementHours: number;
  /** Pools need a safety score ≥ this (default 0.65: the seed's "safe"; 0.40 also admits "caution"). */
  minSafetyScore: number;
  /** When spot cannot cover every node: put the rest on on-demand (true) or report infeasible (false). */
  allowOnDemandFallback: boolean;
  /** Cap on one workload's replicas in one pool (blast radius); null = none. */
  maxReplicasPerPool: number | null;
  /** Replicas of that workload per node (topology spread by hostname → 1). */
  workloadReplicasPerNode: number;
  /** Lookback of the volatility and trend features, hours. */
  volatilityLookbackHours: number;
  /** Coefficient of variation that counts as full volatility risk (1.0). */
  volatilityCvAtFullRisk: number;
  /** Volatility risk (0–1) used when the pool has no price history (flagged in the rationale). */
  neutralVolatilityRisk: number;
  /** Spot Advisor snapshot: the one in force at `now` (no look-ahead; backtests) or the latest shipped. */
  advisorSnapshot: 'as-of-now' | 'latest';
  /** Instance types to explain even though they do not fit ("why not m5.large?"). */
  explainTypes: string[];
  /** How many losing eligible pools the rationale lists as closest alternatives. */
  closestAlternatives: number;
}

/** Safety class of the seed's thresholds: safe > 0.65, caution 0.40–0.65, avoid < 0.40. */
export type RiskClass = 'safe' | 'caution' | 'avoid';

/** One weighted risk component of the safety score (safety = 1 − Σ contribution). */
export interface ScoreComponent {
  name: 'public_interruption_rate' | 'price_volatility' | 'spot_on_demand_gap' | 'time_of_day';
  /** The input as measured (rate, CV, ratio, local hour). */
  value: number | string | null;
  /** Risk in [0, 1] after normalisation. */
  risk: number;
  weight: number;
  /** weight × risk. */
  contribution: number;
  /** How `value` became `risk`, and any assumption (neutral value, missing data). */
  note: string;
}

/** Why a pool scored what it did. */
export interface PoolFactors {
  /** `day-zero` (seed formula) or `model` (the `riskModel` argument). */
  probabilitySource: 'day-zero' | 'model';
  modelVersion: string | null;
  advisorLabel: InterruptionLabel | null;
  advisorSnapshotDate: string | null;
  /** True when the pool had no Spot Advisor entry and the `>20%` bucket was assumed. */
  advisorAssumed: boolean;
  /** Interruptions per instance-month implied by the probability source. */
  monthlyInterruptionRate: number;
  /** Hazard, interruptions per node-hour. */
  hourlyInterruptionRate: number;
  interruptionCostUsd: number;
  /** hourlyInterruptionRate × interruptionCostUsd. */
  expectedInterruptionCostUsdPerHour: number;
  spotToOnDemandRatio: number;
  priceVolatilityCv: number | null;
  priceTrend: number | null;
  /** Price steps seen in the lookback window (0 without `series`). */
  priceSamples: number;
  localHour: number;
  businessHours: boolean;
  components: ScoreComponent[];
}

/** One pool of the plan. */
export interface Allocation {
  instanceType: string;
  availabilityZone: string;
  capacityType: 'spot' | 'on-demand';
  nodeCount: number;
  /** Price paid per node-hour (spot price, or on-demand for on-demand allocations). */
  priceUsdPerHour: number;
  onDemandPriceUsdPerHour: number;
  /** P(interrupted within the horizon); 0 for on-demand. */
  interruptionProbability: number;
  /** 1 − weighted risk; 1 for on-demand. */
  safetyScore: number;
  riskClass: RiskClass;
  /** Per node: price + hazard × interruption cost. */
  expectedCostUsdPerHour: number;
  family: string;
  factors: PoolFactors | null;
  /** Age of the oldest input behind this allocation (price, advisor snapshot), seconds; null when unknown. */
  dataAgeSeconds: number | null;
  /** One line: why this pool. */
  reason: string;
}

/** Why a pool was not used. */
export type RejectionReason =
  | 'does_not_fit'
  | 'unknown_type'
  | 'no_price_data'
  | 'spot_not_cheaper'
  | 'expected_cost_above_on_demand'
  | 'risk_avoid'
  | 'risk_below_min_safety'
  | 'family_cap'
  | 'az_cap'
  | 'pool_cap'
  | 'higher_expected_cost';

/** A pool (or, for `does_not_fit`/`unknown_type`, a type in every AZ) that lost, and why. */
export interface RejectedPool {
  instanceType: string;
  /** `*` for type-level rejections. */
  availabilityZone: string;
  reason: RejectionReason;
  detail: string;
  /** Present for scored pools. */
  priceUsdPerHour?: number;
  expectedCostUsdPerHour?: number;
  safetyScore?: number;
  riskClass?: RiskClass;
}

/** A data input and its age at decision time. */
export interface DataSourceAge {
  name: string;
  /** ISO-8601 UTC. */
  asOf: string;
  ageSeconds: number;
  /** True when the data is dated after `now` (e.g. today's on-demand list in a 2021 replay). */
  afterDecisionTime: boolean;
}

/** Why the plan is what it is. */
export interface SpotSelectionRationale {
  summary: string;
  scoring: 'day-zero' | 'model';
  modelVersion: string | null;
  algorithm: string;
  weights: { publicInterruptionRate: number; priceVolatility: number; spotOnDemandGap: number; timeOfDay: number };
  thresholds: { safeAbove: number; avoidBelow: number; minSafetyScore: number };
  caps: { familyNodes: number; poolNodes: number; azNodes: number; familyCapRelaxed: boolean };
  candidates: {
    fittingTypes: number;
    poolsConsidered: number;
    poolsEligible: number;
    rejectedByReason: Partial<Record<RejectionReason, number>>;
  };
  /** Cheapest eligible pools that lost, with why. */
  closestAlternatives: RejectedPool[];
  dataSources: DataSourceAge[];
  options: SpotSelectionOptions;
  /** Assumptions the numbers rest on. */
  assumptions: string[];
}

/** Result of `selectSpotPools`. */
export interface SpotSelectionResult {
  /**
   * `planned`: spot for all nodes, or spot plus on-demand for what the caps leave over;
   * `on_demand_fallback`: no eligible spot pool, every node on-demand; `infeasible`: nothing fits, or spot
   * cannot cover the nodes and fallback is off (allocations then empty).
   */
  outcome: 'planned' | 'on_demand_fallback' | 'infeasible';
  allocations: Allocation[];
  rejected: RejectedPool[];
  /** Σ nodes × expected cost per node-hour. */
  expectedCostUsdPerHour: number;
  /** Σ nodes × spot/on-demand price (what is billed, without interruption cost). */
  priceUsdPerHour: number;
  /** The counterfactual: every node on the cheapest fitting on-demand type. */
  onDemandCostUsdPerHour: number;
  /** (onDemandCost − expectedCost) × 730 h. */
  estimatedMonthlySavingsUsd: number;
  /** Nodes the plan could not place (infeasible only). */
  unplacedNodeCount: number;
  rationale: SpotSelectionRationale;
}

/** The engine's input. */
export interface SpotSelectionInput {
  region: string;
  /** The AZs the cluster can use. */
  availabilityZones: string[];
  /** Per-node shape the capacity must provide. */
  requirement: SpotRequirement;
  /** Nodes wanted. */
  nodeCount: number;
  /** Decision time, epoch ms. */
  now: number;
  /** Live or replayed spot prices. */
  prices: SpotPoolPriceSource;
  /** Probability of interruption within the horizon; replaces the day-zero probability when given. */
  riskModel?: SpotRiskModel;
  options?: Partial<SpotSelectionOptions>;
}
