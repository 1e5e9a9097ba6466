/**
 * Mapping of a spot selection result onto the wire shapes of packages/contracts (decisions.ts), so the ML
 * server can answer `spot-optimize` with it.
 */
import type { Recommendation, RiskAssessment } from '@cloudoptim/contracts';
import { HOURS_PER_MONTH } from './options.ts';
import type { Allocation, SpotSelectionResult } from './types.ts';

const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;
const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

function dataSources(result: SpotSelectionResult): NonNullable<Recommendation['rationale']>['data_sources'] {
  return result.rationale.dataSources.map((d) => ({ name: d.afterDecisionTime ? `${d.name} (dated after the decision)` : d.name, as_of: d.asOf, age_seconds: d.ageSeconds }));
}

function factorsOf(a: Allocation): NonNullable<Recommendation['rationale']>['factors'] {
  const base = [
    { name: 'expected_cost_usd_per_hour', value: round(a.expectedCostUsdPerHour, 6), weight: null, contribution: null },
    { name: 'price_usd_per_hour', value: a.priceUsdPerHour, weight: null, contribution: null },
    { name: 'on_demand_price_usd_per_hour', value: a.onDemandPriceUsdPerHour, weight: null, contribution: null },
  ];
  const f = a.factors;
  if (!f) return base;
  return [
    ...base,
    { name: 'safety_score', value: round(a.safetyScore, 4), weight: null, contribution: null },
    { name: 'risk_class', value: a.riskClass, weight: null, contribution: null },
    { name: 'probability_source', value: f.modelVersion ? `model ${f.modelVersion}` : 'day-zero', weight: null, contribution: null },
    { name: 'expected_interruption_cost_usd_per_hour', value: round(f.expectedInterruptionCostUsdPerHour, 6), weight: null, contribution: null },
    ...f.components.map((c) => ({ name: c.name, value: c.value === null ? 'unknown (neutral assumed)' : typeof c.value === 'number' ? round(c.value, 6) : c.value, weight: c.weight, contribution: round(c.contribution, 6) })),
  ];
}

/**
 * One `Recommendation` per allocation. `risk_score` = 1 − safety score; `hourly_price` is the price per
 * node-hour; `monthly_savings` is against running the same nodes on the cheapest fitting on-demand type
 * (730 h); `interruption_probability` is P(interrupted within the horizon) for spot, null for on-demand.
 */
export function toDecisionRecommendations(result: SpotSelectionResult): Recommendation[] {
  const nodes = result.allocations.reduce((s, a) => s + a.nodeCount, 0) + result.unplacedNodeCount;
  const baselinePerNode = nodes > 0 ? result.onDemandCostUsdPerHour / nodes : 0;
  const sources = dataSources(result);
  return result.allocations.map((a) => ({
    instance_type: a.instanceType,
    node_count: a.nodeCount,
    risk_score: round(clamp01(1 - a.safetyScore), 6),
    hourly_price: a.priceUsdPerHour,
    monthly_savings: round((baselinePerNode - a.expectedCostUsdPerHour) * a.nodeCount * HOURS_PER_MONTH, 2),
    availability_zone: a.availabilityZone,
    capacity_type: a.capacityType,
    interruption_probability: a.capacityType === 'spot' ? round(clamp01(a.interruptionProbability), 8) : null,
    rationale: { summary: `${a.instanceType} in ${a.availabilityZone} (${a.capacityType}, ${a.nodeCount} nodes): ${a.reason}`.slice(0, 2000), factors: factorsOf(a), data_sources: sources },
  }));
}

/**
 * Plan-level risk: node-weighted risk score and the expected interruptions per month over the spot nodes.
 * Levels: low < 0.35 ≤ medium < 0.60 ≤ high (safety > 0.65 / 0.40–0.65 / < 0.40 of the seed).
 */
export function toRiskAssessment(result: SpotSelectionResult): RiskAssessment {
  let nodes = 0;
  let riskSum = 0;
  let interruptions = 0;
  for (const a of result.allocations) {
    nodes += a.nodeCount;
    riskSum += a.nodeCount * (1 - a.safetyScore);
    if (a.factors) interruptions += a.nodeCount * a.factors.hourlyInterruptionRate * HOURS_PER_MONTH;
  }
  const risk = nodes > 0 ? clamp01(riskSum / nodes) : 0;
  const level = risk < 0.35 ? 'low' : risk < 0.6 ? 'medium' : 'high';
  const factors = [result.rationale.summary.slice(0, 500), `scoring: ${result.rationale.scoring}${result.rationale.modelVersion ? ` ${result.rationale.modelVersion}` : ''}`];
  return { risk_score: round(risk, 6), risk_level: level, summary: result.rationale.summary.slice(0, 2000), factors, expected_interruptions_per_month: round(interruptions, 4) };
}
