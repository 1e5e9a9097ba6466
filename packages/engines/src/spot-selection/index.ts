/**
 * Spot selection (`spot-optimize`): which spot pools (instance type × AZ) to run N nodes on.
 *
 * Algorithm
 * 1. Candidates: `market.findInstanceTypes` (vCPU, memory, arch, GPU, families, generation) in the region;
 *    each × each allowed AZ is a pool.
 * 2. Per pool, in order, the first failing check rejects it with a reason: no spot price at `now`
 *    (`no_price_data`); spot ≥ on-demand (`spot_not_cheaper`); safety class avoid (`risk_avoid`) or below
 *    `minSafetyScore` (`risk_below_min_safety`; default: only "safe" pools); expected cost ≥ the cheapest
 *    fitting on-demand price (`expected_cost_above_on_demand`).
 *    - P(interrupt within horizon): the `riskModel` when given, else the day-zero value: the Spot Advisor
 *      bucket (snapshot in force at `now`) midpoint as a monthly rate → constant hourly hazard.
 *    - Safety (seed formula, day-zero-score.ts): 1 − (0.60 interruption + 0.25 volatility + 0.10 spot/OD
 *      gap + 0.05 time of day); safe > 0.65, caution 0.40–0.65, avoid < 0.40. With a model, its probability
 *      feeds the interruption component.
 *    - Expected cost per node-hour = spot price + hazard × interruption cost (replacement + disruption).
 * 3. Allocation: minimise Σ expected cost subject to caps on nodes per family (⌊0.4·N⌋, at least 1), per pool
 *    (⌊0.25·N⌋, tightened by `minPools` and `maxReplicasPerPool`) and per AZ — an exact min-cost flow
 *    (min-cost-allocation.ts explains why not greedy or an LP).
 * 4. Nodes the caps leave unplaced go on-demand (cheapest fitting type, spread over AZs) when fallback is
 *    allowed; with no eligible pool at all the outcome is `on_demand_fallback`.
 * 5. Every allocation carries its factors, data used and age; every losing pool its reason; the rationale
 *    lists the closest alternatives, caps, weights, data sources and assumptions.
 *
 * Assumptions: see `rationale.assumptions` (select-spot-pools.ts). Nodes are interchangeable (any fitting
 * type is one node). Caps apply to spot nodes. Spot capacity depth is unknown beyond the advisor bucket.
 *
 * Complexity: scoring O(T·A·w) for T fitting types, A AZs and w price steps per lookback window;
 * allocation O(N·(V² + E)) with V = families + AZs + 2 and E ≈ eligible pools; output O(T·A).
 * A full us-east-1 catalog (~900 types × 6 AZs) with 20 nodes: see bench/spot-selection.md.
 */
export { selectSpotPools, SPOT_SELECTION_ENGINE_VERSION } from './select-spot-pools.ts';
export { toDecisionRecommendations, toRiskAssessment } from './recommendations.ts';
export { DEFAULT_SPOT_SELECTION_OPTIONS } from './options.ts';
export {
  AVOID_BELOW,
  DAY_ZERO_WEIGHTS,
  dayZeroScore,
  hourlyRateFromMonthly,
  hourlyRateFromProbability,
  monthlyRateFromHourly,
  probabilityWithin,
  riskClassOf,
  SAFE_ABOVE,
  type DayZeroInputs,
} from './day-zero-score.ts';
export { localTimeOf, REGION_TIME_ZONES, type LocalTime } from './time-of-day.ts';
export { priceFeatures, type PriceFeatures } from './price-features.ts';
export { allocateMinCost, type FlowAllocation, type FlowPool } from './min-cost-allocation.ts';
export { cheapestSpotBaseline, listSpotPools, pcoLikeBaseline, type BaselinePlan, type BaselinePool } from './baselines.ts';
export type {
  Allocation,
  DataSourceAge,
  PoolFactors,
  PoolRiskFeatures,
  RejectedPool,
  RejectionReason,
  RiskClass,
  ScoreComponent,
  SpotPoolPriceSource,
  SpotRequirement,
  SpotRiskModel,
  SpotSelectionInput,
  SpotSelectionOptions,
  SpotSelectionRationale,
  SpotSelectionResult,
} from './types.ts';
