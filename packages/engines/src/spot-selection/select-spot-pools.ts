/**
 * `selectSpotPools`: score the pools, allocate the nodes at minimum expected cost under the diversity caps,
 * put what spot cannot cover on on-demand, and explain every choice and every loser.
 */
import type { InstanceOffer, Market } from '@cloudoptim/market';
import { AVOID_BELOW, DAY_ZERO_WEIGHTS, SAFE_ABOVE } from './day-zero-score.ts';
import { explainUnfitTypes } from './explain-unfit.ts';
import { allocateMinCost, type FlowPool } from './min-cost-allocation.ts';
import { HOURS_PER_MONTH, resolveInput } from './options.ts';
import { type ScoredPool, scorePools } from './pool-scoring.ts';
import { localTimeOf } from './time-of-day.ts';
import type { Allocation, DataSourceAge, RejectedPool, RejectionReason, SpotSelectionInput, SpotSelectionOptions, SpotSelectionResult } from './types.ts';

/** Version of the engine, for DecisionResponse metadata. */
export const SPOT_SELECTION_ENGINE_VERSION = '1.0.0';

const ALGORITHM = 'min-cost flow over family → pool → AZ (successive shortest paths); expected cost = price + hazard × interruption cost';

const ASSUMPTIONS = [
  'Spot Advisor buckets are monthly interruption frequencies; a bucket stands for its midpoint (>20% for 25%), turned into a constant hourly hazard.',
  'Expected cost per node-hour = spot price + hourly hazard × interruption cost (replacement + disruption per event).',
  'Time of day: business hours (Mon–Fri 09–18 in the region’s time zone) are assumed riskier than evenings and weekends.',
  'Price volatility is the time-weighted coefficient of variation over the lookback; without history a neutral value is used.',
  'Nodes are interchangeable: any fitting type counts as one node, so the plan favours the cheapest fitting shapes.',
  'Diversity caps (family, pool, AZ, replicas per pool) apply to spot nodes; on-demand nodes are not interrupted and are exempt.',
  'Nothing is known about spot capacity depth per pool beyond the Spot Advisor bucket.',
];

const fmt = (x: number, d = 4): string => x.toFixed(d);
const iso = (ms: number): string => new Date(ms).toISOString();

function ageOf(name: string, asOfMs: number, now: number): DataSourceAge {
  return { name, asOf: iso(asOfMs), ageSeconds: Math.max(0, Math.round((now - asOfMs) / 1000)), afterDecisionTime: asOfMs > now };
}

function caps(n: number, azCount: number, o: SpotSelectionOptions): { familyNodes: number; poolNodes: number; azNodes: number; familyCapRelaxed: boolean } {
  const familyNodes = Math.max(1, Math.floor(o.maxFamilyShare * n + 1e-9));
  let poolNodes = Math.max(1, Math.min(Math.floor(o.maxPoolShare * n + 1e-9), Math.floor(n / o.minPools)));
  if (o.maxReplicasPerPool !== null) poolNodes = Math.min(poolNodes, Math.floor(o.maxReplicasPerPool / o.workloadReplicasPerNode));
  const azNodes = Math.max(Math.ceil(n / Math.max(1, azCount)), Math.floor(o.maxAzShare * n + 1e-9));
  return { familyNodes, poolNodes, azNodes, familyCapRelaxed: n > 0 && familyNodes > o.maxFamilyShare * n + 1e-9 };
}

function onDemandAllocations(offer: InstanceOffer, azs: readonly string[], count: number, now: number): Allocation[] {
  const out: Allocation[] = [];
  const price = offer.onDemand.usdPerHour;
  const asOf = Date.parse(`${offer.onDemand.sourceDate}T00:00:00Z`);
  azs.forEach((az, i) => {
    const n = Math.floor(count / azs.length) + (i < count % azs.length ? 1 : 0);
    if (n === 0) return;
    out.push({
      instanceType: offer.instanceType,
      availabilityZone: az,
      capacityType: 'on-demand',
      nodeCount: n,
      priceUsdPerHour: price,
      onDemandPriceUsdPerHour: price,
      interruptionProbability: 0,
      safetyScore: 1,
      riskClass: 'safe',
      expectedCostUsdPerHour: price,
      family: offer.instance.family,
      factors: null,
      dataAgeSeconds: Math.max(0, Math.round((now - asOf) / 1000)),
      reason: `cheapest fitting type on-demand (${fmt(price)} USD/h, ${offer.onDemand.source} list of ${offer.onDemand.sourceDate}); spread evenly over AZs`,
    });
  });
  return out;
}

function spotAllocation(p: ScoredPool, nodeCount: number, poolCap: number): Allocation {
  const f = p.factors;
  const source = f.probabilitySource === 'model' ? `model ${f.modelVersion ?? ''}` : f.advisorAssumed ? 'no advisor entry' : `Spot Advisor ${f.advisorLabel ?? ''}`;
  return {
    instanceType: p.instanceType,
    availabilityZone: p.availabilityZone,
    capacityType: 'spot',
    nodeCount,
    priceUsdPerHour: p.priceUsdPerHour,
    onDemandPriceUsdPerHour: p.onDemandPriceUsdPerHour,
    interruptionProbability: p.interruptionProbability,
    safetyScore: p.safetyScore,
    riskClass: p.riskClass,
    expectedCostUsdPerHour: p.expectedCostUsdPerHour,
    family: p.family,
    factors: f,
    dataAgeSeconds: p.dataAgeSeconds,
    reason:
      `expected ${fmt(p.expectedCostUsdPerHour)} USD/h (spot ${fmt(p.priceUsdPerHour)} + interruptions ${fmt(f.expectedInterruptionCostUsdPerHour)}), ` +
      `${p.riskClass} ${fmt(p.safetyScore, 3)} (${source}), ${Math.round((1 - f.spotToOnDemandRatio) * 100)}% below on-demand; ${nodeCount} of max ${poolCap} nodes in this pool`,
  };
}

const costOf = (r: RejectedPool): number => r.expectedCostUsdPerHour ?? r.priceUsdPerHour ?? Infinity;
const rejectedOrder = (a: RejectedPool, b: RejectedPool): number =>
  costOf(a) - costOf(b) || (a.instanceType < b.instanceType ? -1 : a.instanceType > b.instanceType ? 1 : a.availabilityZone < b.availabilityZone ? -1 : a.availabilityZone > b.availabilityZone ? 1 : 0);

/** The k cheapest priced losers (top-k by insertion: k is small, the list is thousands long). */
function closestAlternatives(rejected: readonly RejectedPool[], k: number): RejectedPool[] {
  const top: RejectedPool[] = [];
  if (k <= 0) return top;
  for (const r of rejected) {
    if (r.priceUsdPerHour === undefined) continue;
    if (top.length === k && rejectedOrder(r, top[k - 1] as RejectedPool) >= 0) continue;
    let i = top.length < k ? top.length : k - 1;
    top[i] = r;
    while (i > 0 && rejectedOrder(top[i] as RejectedPool, top[i - 1] as RejectedPool) < 0) {
      [top[i], top[i - 1]] = [top[i - 1] as RejectedPool, top[i] as RejectedPool];
      i--;
    }
  }
  return top;
}

const byCostThenName = (a: ScoredPool, b: ScoredPool): number =>
  a.expectedCostUsdPerHour - b.expectedCostUsdPerHour || (a.instanceType < b.instanceType ? -1 : a.instanceType > b.instanceType ? 1 : a.availabilityZone < b.availabilityZone ? -1 : a.availabilityZone > b.availabilityZone ? 1 : 0);

/**
 * Chooses spot pools (type × AZ) for `input.nodeCount` nodes.
 *
 * Outcomes are values: `planned` (spot, plus on-demand for what the caps leave over), `on_demand_fallback`
 * (no eligible spot pool), `infeasible` (nothing fits, or spot falls short and fallback is off; allocations
 * then hold the spot nodes that could be placed and `unplacedNodeCount` the rest).
 *
 * Reads `market.spotAdvisorHistory` (the market loads that file on first use) unless
 * `options.advisorSnapshot` is `latest`.
 * @throws AppError VALIDATION_FAILED for a malformed input; UNKNOWN_REGION for a region not in the market;
 *   UNPROCESSABLE when `riskModel.predict` returns a non-finite number.
 */
export function selectSpotPools(market: Market, input: SpotSelectionInput): SpotSelectionResult {
  const options = resolveInput(input);
  market.assertRegion(input.region);
  const now = input.now;
  const n = input.nodeCount;
  const azs = [...new Set(input.availabilityZones)].sort();
  const local = localTimeOf(input.region, now);
  const scoring = scorePools(market, input, options, local);
  const rejected: RejectedPool[] = scoring.rejected; // owned by this call: appended to, not copied
  if (options.explainTypes.length > 0) {
    rejected.push(...explainUnfitTypes(market, input.region, input.requirement, options.explainTypes, new Set(scoring.offers.map((o) => o.instanceType))));
  }
  const cap = caps(n, azs.length, options);

  // Deterministic order: cheapest expected cost first, ties by name.
  const eligible = scoring.eligible.slice().sort(byCostThenName);
  const familyNames = [...new Set(eligible.map((p) => p.family))].sort();
  const familyIndex = new Map(familyNames.map((f, i) => [f, i]));
  const azIndex = new Map(azs.map((a, i) => [a, i]));
  const flowPools: FlowPool[] = eligible.map((p) => ({ cost: p.expectedCostUsdPerHour, familyIndex: familyIndex.get(p.family) as number, azIndex: azIndex.get(p.availabilityZone) as number, cap: cap.poolNodes }));
  const flow = allocateMinCost(flowPools, familyNames.length, azs.length, cap.familyNodes, cap.azNodes, n);

  const allocations: Allocation[] = [];
  let maxUsedCost = -Infinity;
  eligible.forEach((p, i) => {
    const x = flow.counts[i] as number;
    if (x > 0) {
      allocations.push(spotAllocation(p, x, cap.poolNodes));
      if (p.expectedCostUsdPerHour > maxUsedCost) maxUsedCost = p.expectedCostUsdPerHour;
    }
  });
  eligible.forEach((p, i) => {
    if ((flow.counts[i] as number) > 0) return;
    const fam = familyIndex.get(p.family) as number;
    const az = azIndex.get(p.availabilityZone) as number;
    const famFull = (flow.familyLoad[fam] as number) >= cap.familyNodes;
    const azFull = (flow.azLoad[az] as number) >= cap.azNodes;
    let reason: RejectionReason;
    let detail: string;
    if (cap.poolNodes <= 0) {
      reason = 'pool_cap';
      detail = `the replica cap (${options.maxReplicasPerPool} per pool, ${options.workloadReplicasPerNode} per node) leaves no node per pool`;
    } else if (flow.placed >= n && p.expectedCostUsdPerHour >= maxUsedCost) {
      reason = 'higher_expected_cost';
      detail = `expected ${fmt(p.expectedCostUsdPerHour)} USD/h ≥ ${fmt(maxUsedCost)}, the dearest pool used`;
    } else if (famFull) {
      reason = 'family_cap';
      detail = `family ${p.family} already holds ${cap.familyNodes} nodes (max ${Math.round(options.maxFamilyShare * 100)}%)`;
    } else if (azFull) {
      reason = 'az_cap';
      detail = `${p.availabilityZone} already holds ${cap.azNodes} nodes (AZ cap)`;
    } else {
      reason = 'higher_expected_cost';
      detail = `expected ${fmt(p.expectedCostUsdPerHour)} USD/h; cheaper pools filled the plan`;
    }
    rejected.push({ instanceType: p.instanceType, availabilityZone: p.availabilityZone, reason, detail, priceUsdPerHour: p.priceUsdPerHour, expectedCostUsdPerHour: p.expectedCostUsdPerHour, safetyScore: p.safetyScore, riskClass: p.riskClass });
  });

  let remainder = n - flow.placed;
  let unplaced = 0;
  const cheapestOd = scoring.cheapestOnDemand;
  let outcome: SpotSelectionResult['outcome'] = 'planned';
  if (n > 0 && !cheapestOd) {
    outcome = 'infeasible';
    unplaced = n;
    remainder = 0;
  } else if (remainder > 0) {
    if (options.allowOnDemandFallback && cheapestOd) {
      allocations.push(...onDemandAllocations(cheapestOd, azs, remainder, now));
      if (flow.placed === 0) outcome = 'on_demand_fallback';
    } else {
      outcome = 'infeasible';
      unplaced = remainder;
    }
  }

  let expectedCost = 0;
  let price = 0;
  for (const a of allocations) {
    expectedCost += a.nodeCount * a.expectedCostUsdPerHour;
    price += a.nodeCount * a.priceUsdPerHour;
  }
  const onDemandCost = cheapestOd ? n * cheapestOd.onDemand.usdPerHour : 0;
  const savings = outcome === 'infeasible' ? 0 : (onDemandCost - expectedCost) * HOURS_PER_MONTH;

  const rejectedByReason: Partial<Record<RejectionReason, number>> = {};
  for (const r of rejected) rejectedByReason[r.reason] = (rejectedByReason[r.reason] ?? 0) + 1;
  const closest = closestAlternatives(rejected, options.closestAlternatives);

  const dataSources: DataSourceAge[] = [];
  const priceAsOf = input.prices.asOfMs ?? scoring.oldestPriceStepMs;
  if (priceAsOf !== null && priceAsOf !== undefined) dataSources.push(ageOf(`${input.prices.name ?? 'spot-price-source'} (${input.prices.asOfMs !== undefined ? 'refreshed' : 'oldest price step in force'})`, priceAsOf, now));
  if (scoring.advisorDates.oldest) dataSources.push(ageOf(`spot-advisor ${scoring.advisorDates.oldest}${scoring.advisorDates.newest !== scoring.advisorDates.oldest ? `…${scoring.advisorDates.newest}` : ''}`, Date.parse(`${scoring.advisorDates.oldest}T00:00:00Z`), now));
  const odDates = new Set<string>();
  for (const a of allocations) {
    const od = market.onDemandPrice(input.region, a.instanceType);
    if (od) odDates.add(`${od.source}|${od.sourceDate}`);
  }
  if (cheapestOd) odDates.add(`${cheapestOd.onDemand.source}|${cheapestOd.onDemand.sourceDate}`);
  for (const key of [...odDates].sort()) {
    const [source, date] = key.split('|') as [string, string];
    dataSources.push(ageOf(`on-demand ${source}`, Date.parse(`${date}T00:00:00Z`), now));
  }

  const spotAllocs = allocations.filter((a) => a.capacityType === 'spot');
  const spotNodes = spotAllocs.reduce((s, a) => s + a.nodeCount, 0);
  const odNodes = allocations.filter((a) => a.capacityType === 'on-demand').reduce((s, a) => s + a.nodeCount, 0);
  const families = new Set(spotAllocs.map((a) => a.family)).size;
  const spotAzs = new Set(spotAllocs.map((a) => a.availabilityZone)).size;
  let summary: string;
  if (n === 0) summary = 'No nodes requested: nothing to allocate.';
  else if (!cheapestOd) summary = `No instance type in ${input.region} fits the requirement.`;
  else {
    const parts = [`${n} nodes: ${spotNodes} spot over ${spotAllocs.length} pools (${families} families, ${spotAzs} AZs)`];
    if (odNodes > 0) parts.push(`${odNodes} on-demand ${cheapestOd.instanceType}${flow.placed === 0 ? ' (no spot pool passed the checks)' : ' (spot ran out of room under the diversity caps)'}`);
    if (unplaced > 0) parts.push(`${unplaced} unplaced (on-demand fallback disabled)`);
    parts.push(`expected ${fmt(expectedCost)} USD/h vs ${fmt(onDemandCost)} USD/h all on-demand (${onDemandCost > 0 ? Math.round((1 - expectedCost / onDemandCost) * 100) : 0}% saved)`);
    summary = `${parts.join('; ')}.`;
  }

  return {
    outcome,
    allocations,
    rejected,
    expectedCostUsdPerHour: expectedCost,
    priceUsdPerHour: price,
    onDemandCostUsdPerHour: onDemandCost,
    estimatedMonthlySavingsUsd: savings,
    unplacedNodeCount: unplaced,
    rationale: {
      summary,
      scoring: input.riskModel ? 'model' : 'day-zero',
      modelVersion: input.riskModel?.version ?? null,
      algorithm: ALGORITHM,
      weights: { ...DAY_ZERO_WEIGHTS },
      thresholds: { safeAbove: SAFE_ABOVE, avoidBelow: AVOID_BELOW, minSafetyScore: options.minSafetyScore },
      caps: cap,
      candidates: { fittingTypes: scoring.offers.length, poolsConsidered: scoring.poolsConsidered, poolsEligible: eligible.length, rejectedByReason },
      closestAlternatives: closest,
      dataSources,
      options,
      assumptions: ASSUMPTIONS,
    },
  };
}
