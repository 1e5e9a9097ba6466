/**
 * `spot-optimize`: a DecisionRequest → spot-selection (`selectSpotPools`) → a DecisionResponse whose plan
 * launches the chosen pools, then cordons, drains and terminates the nodes they replace.
 *
 * What is replaced: on-demand nodes, and Spot nodes whose pool now scores "avoid", unless they run a pod that
 * must not be disrupted (do-not-disrupt, excluded namespace or workload); the most expensive first. What is
 * added: `requirements.node_count` (target size) or the extra capacity of `requirements.cpu_cores` /
 * `memory_gb`, else what the pending pods request. `constraints.max_spot_share` caps the Spot nodes of the
 * result; extra nodes over the cap go on-demand and replacements over it are not made.
 */
import { AppError, type DecisionRequest, type DecisionResponse, type NodeMetric, type Recommendation } from '@cloudoptim/contracts';
import { type Allocation, selectSpotPools, SPOT_SELECTION_ENGINE_VERSION, type SpotRequirement, toDecisionRecommendations, toRiskAssessment } from '@cloudoptim/engines';
import { z } from 'zod';
import { DAY_ZERO_MODEL_VERSION } from '../predict/pool-risk.ts';
import { baseResponse, clamp01, drainSteps, type EngineContext, HOURS_PER_MONTH, isProtectedPod, nodePrice, noRisk, parseExtras, podsByNode, round, stateAgeSeconds } from './context.ts';

const GB_PER_GIB = 1024 ** 3 / 1e9;

/** Optional keys of `metadata` that tune spot-optimize (documented in the README). */
export const SpotOptimizeMetadataSchema = z.looseObject({
  /** vCPUs each new node must have (default: the largest of 2, the biggest pending pod, the median current node). */
  node_vcpu: z.number().positive().max(1024).optional(),
  /** Memory each new node must have, GiB (same default rule). */
  node_memory_gib: z.number().positive().max(32768).optional(),
  /** Horizon of the interruption probabilities, hours (default 24). */
  horizon_hours: z.number().positive().max(8760).optional(),
  /** Disruption cost of one interruption, USD (default 5). */
  disruption_cost_usd: z.number().nonnegative().max(1e6).optional(),
});

const MIN_NODE_VCPU = 2;
const MIN_NODE_MEMORY_GIB = 4;

function median(values: number[]): number | undefined {
  const s = [...values].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : undefined;
}

function nodeShape(req: DecisionRequest, meta: z.output<typeof SpotOptimizeMetadataSchema>): { vcpu: number; memoryGib: number } {
  const pending = req.current_state.pending_pod_details;
  const nodes = req.current_state.nodes;
  const vcpu = meta.node_vcpu ?? Math.max(MIN_NODE_VCPU, ...pending.map((p) => p.requirements.cpu_request_millicores / 1000), median(nodes.map((n) => n.cpu_allocatable_millicores / 1000)) ?? 0);
  const memoryGib = meta.node_memory_gib ?? Math.max(MIN_NODE_MEMORY_GIB, ...pending.map((p) => p.requirements.memory_request_bytes / 1024 ** 3), median(nodes.map((n) => n.memory_allocatable_bytes / 1024 ** 3)) ?? 0);
  return { vcpu: Math.ceil(vcpu), memoryGib: Math.ceil(memoryGib) };
}

export async function spotOptimize(req: DecisionRequest, ctx: EngineContext, startedMs: number): Promise<DecisionResponse> {
  const meta = parseExtras(SpotOptimizeMetadataSchema, 'metadata', req.metadata);
  const { market } = ctx;
  const state = req.current_state;
  const region = state.region;
  market.assertRegion(region);
  const nowMs = Date.parse(req.timestamp);
  const prices = await ctx.prices();
  const horizonHours = meta.horizon_hours ?? 24;
  const modelVersion = ctx.risk.hasModel ? ctx.risk.modelVersion : DAY_ZERO_MODEL_VERSION;

  const foreign = req.requirements.availability_zones.map((az, i) => ({ az, i })).filter(({ az }) => !az.startsWith(region));
  if (foreign.length) {
    throw new AppError('VALIDATION_FAILED', `DecisionRequest body is invalid: availability zones ${foreign.map((f) => f.az).join(', ')} are not in ${region}`, {
      issues: foreign.map((f) => ({ path: `requirements.availability_zones.${f.i}`, message: `${f.az} is not a zone of ${region}` })),
    });
  }
  let azs = [...req.requirements.availability_zones];
  if (!azs.length) azs = [...new Set(state.nodes.map((n) => n.availability_zone))].filter((az) => az.startsWith(region));
  if (!azs.length) azs = [...new Set(prices.pools(region).map((p) => p.availabilityZone))];
  azs.sort();

  const shape = nodeShape(req, meta);
  const archs = req.requirements.architectures;
  const requirement: SpotRequirement = {
    minVcpu: shape.vcpu,
    minMemoryGib: shape.memoryGib,
    ...(archs.length === 1 && { architecture: archs[0] }),
    ...(req.requirements.gpu_count > 0 && { minGpus: req.requirements.gpu_count }),
    ...(req.requirements.excluded_instance_families.length > 0 && { excludeFamilies: req.requirements.excluded_instance_families }),
    ...(req.requirements.instance_types.length > 0 && { families: [...new Set(req.requirements.instance_types.map((t) => t.split('.')[0] as string))] }),
  };
  const allowedTypes = req.requirements.instance_types.length ? new Set(req.requirements.instance_types) : null;

  // Which current nodes to replace.
  const onNode = podsByNode(state.pods);
  const isProtected = (n: NodeMetric) => (onNode.get(n.node_name) ?? []).some((p) => isProtectedPod(p, req.constraints));
  const avoidSpot = (n: NodeMetric) => {
    if (n.node_type !== 'spot' || n.hourly_price === undefined) return false;
    try {
      return ctx.risk.score({ region, availabilityZone: n.availability_zone, instanceType: n.instance_type, spotPriceUsdPerHour: n.hourly_price, atMs: nowMs, horizonHours }, prices).riskClass === 'avoid';
    } catch {
      return false; // a type the catalog does not know cannot be judged; leave the node alone
    }
  };
  const candidates = state.nodes
    .filter((n) => !isProtected(n) && (n.node_type === 'on-demand' || avoidSpot(n)))
    .sort((a, b) => nodePrice(market, region, b) - nodePrice(market, region, a) || a.node_name.localeCompare(b.node_name));
  const kept = state.nodes.length - candidates.length;

  // How many nodes to add.
  let extra: number;
  if (req.requirements.node_count !== null) extra = Math.max(0, req.requirements.node_count - kept - candidates.length);
  else {
    const pendingCpu = state.pending_pod_details.reduce((s, p) => s + p.requirements.cpu_request_millicores, 0) / 1000;
    const pendingMemGib = state.pending_pod_details.reduce((s, p) => s + p.requirements.memory_request_bytes, 0) / 1024 ** 3;
    const cpu = req.requirements.cpu_cores ?? pendingCpu;
    const memGib = req.requirements.memory_gb !== null ? req.requirements.memory_gb / GB_PER_GIB : pendingMemGib;
    extra = Math.ceil(Math.max(cpu / shape.vcpu, memGib / shape.memoryGib) - 1e-9);
  }
  extra = Math.max(0, extra);

  // The Spot share cap over the resulting cluster.
  const spotKept = state.nodes.filter((n) => n.node_type === 'spot' && !candidates.includes(n)).length;
  const spotSlots = Math.max(0, Math.floor(req.constraints.max_spot_share * (kept + candidates.length + extra) + 1e-9) - spotKept);
  const spotForExtra = Math.min(extra, spotSlots);
  const replaceable = candidates.slice(0, Math.max(0, Math.min(candidates.length, spotSlots - spotForExtra)));
  const forcedOnDemand = extra - spotForExtra;
  const spotNodesWanted = replaceable.length + spotForExtra;

  const dataAge = stateAgeSeconds(req);
  if (spotNodesWanted === 0 && forcedOnDemand === 0) {
    const reason = candidates.length === 0 ? 'no on-demand or at-risk Spot node can be replaced and no extra capacity is needed' : `the Spot share cap (${req.constraints.max_spot_share}) leaves no room for more Spot nodes and no extra capacity is needed`;
    return nothing(req, ctx, startedMs, modelVersion, dataAge, 'nothing_to_do', reason);
  }
  if (!azs.length) return nothing(req, ctx, startedMs, modelVersion, dataAge, 'infeasible', `no availability zone of ${region} is known (none requested, no nodes, no price history)`);

  const priceSource = allowedTypes
    ? { name: 'spot-price-history', priceAt: (az: string, t: string, ms: number) => (allowedTypes.has(t) ? prices.priceAt(az, t, ms) : undefined), series: (az: string, t: string, f: number, to: number) => prices.series(az, t, f, to) }
    : prices;
  const result = selectSpotPools(market, {
    region,
    availabilityZones: azs,
    requirement,
    nodeCount: spotNodesWanted,
    now: nowMs,
    prices: priceSource,
    ...(ctx.risk.hasModel && { riskModel: ctx.risk.spotRiskModel() }),
    options: {
      maxFamilyShare: req.constraints.max_family_share > 0 ? req.constraints.max_family_share : 0.4,
      minPools: req.constraints.min_pools,
      minSafetyScore: clamp01(1 - req.constraints.max_risk_score),
      allowOnDemandFallback: req.constraints.allow_on_demand_fallback,
      horizonHours,
      ...(meta.disruption_cost_usd !== undefined && { disruptionCostUsd: meta.disruption_cost_usd }),
    },
  });
  const dataAgeSeconds = Math.max(dataAge, ...result.rationale.dataSources.map((d) => d.ageSeconds));
  const dataAsOf = result.rationale.dataSources.map((d) => d.asOf).sort()[0];
  if (result.outcome === 'infeasible' && forcedOnDemand === 0) {
    return nothing(req, ctx, startedMs, modelVersion, dataAgeSeconds, 'infeasible', result.rationale.summary, dataAsOf);
  }

  // Spot nodes replace the most expensive candidates; on-demand fallback nodes only serve the extra capacity.
  const allocations = result.allocations;
  const spotCount = allocations.filter((a) => a.capacityType === 'spot').reduce((s, a) => s + a.nodeCount, 0);
  const drained = replaceable.slice(0, Math.min(replaceable.length, spotCount));
  let onDemandKeep = Math.max(0, drained.length + spotForExtra - spotCount);
  const recs = toDecisionRecommendations(result);
  const chosen: { rec: Recommendation; alloc: Allocation }[] = [];
  allocations.forEach((alloc, i) => {
    const rec = recs[i] as Recommendation;
    if (alloc.capacityType === 'spot') return void chosen.push({ rec, alloc });
    const n = Math.min(alloc.nodeCount, onDemandKeep);
    onDemandKeep -= n;
    if (n > 0) chosen.push({ rec: { ...rec, node_count: n, monthly_savings: round((rec.monthly_savings * n) / alloc.nodeCount, 2) }, alloc: { ...alloc, nodeCount: n } });
  });
  if (forcedOnDemand > 0) {
    const od = market.findInstanceTypes({ region, ...requirement })[0];
    if (!od) return nothing(req, ctx, startedMs, modelVersion, dataAgeSeconds, 'infeasible', `no instance type fits ${shape.vcpu} vCPU / ${shape.memoryGib} GiB in ${region}`, dataAsOf);
    const usd = od.onDemand.usdPerHour;
    const az = azs[0] as string;
    chosen.push({
      rec: { instance_type: od.instanceType, node_count: forcedOnDemand, risk_score: 0, hourly_price: usd, monthly_savings: 0, availability_zone: az, capacity_type: 'on-demand', interruption_probability: null, rationale: { summary: `on-demand: the Spot share cap ${req.constraints.max_spot_share} is reached`, factors: [], data_sources: [] } },
      alloc: { instanceType: od.instanceType, availabilityZone: az, capacityType: 'on-demand', nodeCount: forcedOnDemand, priceUsdPerHour: usd, onDemandPriceUsdPerHour: usd, interruptionProbability: 0, safetyScore: 1, riskClass: 'safe', expectedCostUsdPerHour: usd, family: od.instance.family, factors: null, dataAgeSeconds: null, reason: 'spot share cap' },
    });
  }

  // Plan: launch, wait, then replace nodes in waves of the disruption budget.
  const plan: DecisionResponse['execution_plan'] = [];
  const launched = chosen.reduce((s, c) => s + c.alloc.nodeCount, 0);
  for (const { alloc } of chosen) {
    plan.push({
      step: plan.length + 1,
      action: 'launch_instances',
      description: `Launch ${alloc.nodeCount} × ${alloc.instanceType} ${alloc.capacityType} in ${alloc.availabilityZone}`,
      depends_on: [],
      not_before: null,
      parameters: { instance_type: alloc.instanceType, availability_zone: alloc.availabilityZone, capacity_type: alloc.capacityType, count: alloc.nodeCount, on_demand_fallback: alloc.capacityType === 'spot' && req.constraints.allow_on_demand_fallback, labels: {}, taints: [] },
    });
  }
  if (launched > 0) {
    plan.push({ step: plan.length + 1, action: 'wait_for_nodes_ready', description: `Wait for the ${launched} new nodes to be Ready`, depends_on: plan.map((s) => s.step), not_before: null, parameters: { count: launched, node_names: [], timeout_seconds: 900 } });
  }
  const waitStep = plan.length;
  const lastStepOfNode: number[] = [];
  drained.forEach((node, i) => {
    const budget = req.constraints.max_nodes_disrupted;
    const previous = i >= budget ? lastStepOfNode[i - budget] : undefined;
    const deps = [...(waitStep > 0 ? [waitStep] : []), ...(previous !== undefined ? [previous] : [])];
    const steps = drainSteps(node, plan.length + 1, deps, node.node_type === 'on-demand' ? 'replaced by Spot capacity' : 'Spot pool at high interruption risk');
    plan.push(...steps);
    lastStepOfNode.push(plan.length);
  });

  // Savings: what the drained nodes cost plus the on-demand baseline of the extra nodes, minus the expected
  // cost (price + interruption cost) of what is launched.
  const baselinePerNode = result.onDemandCostUsdPerHour / Math.max(1, spotNodesWanted);
  const before = drained.reduce((s, n) => s + nodePrice(market, region, n), 0) + extra * baselinePerNode;
  const after = chosen.reduce((s, c) => s + c.alloc.nodeCount * c.alloc.expectedCostUsdPerHour, 0);
  const estimatedSavings = round((before - after) * HOURS_PER_MONTH, 2);
  const newCostPerHour = state.current_cost_per_hour - drained.reduce((s, n) => s + nodePrice(market, region, n), 0) + chosen.reduce((s, c) => s + c.alloc.nodeCount * c.alloc.priceUsdPerHour, 0);
  if (req.constraints.max_hourly_cost !== null && newCostPerHour > req.constraints.max_hourly_cost + 1e-9) {
    return nothing(req, ctx, startedMs, modelVersion, dataAgeSeconds, 'infeasible', `the plan would cost ${newCostPerHour.toFixed(4)} USD/h, above max_hourly_cost ${req.constraints.max_hourly_cost}`, dataAsOf);
  }
  if (plan.length === 0) return nothing(req, ctx, startedMs, modelVersion, dataAgeSeconds, 'nothing_to_do', result.rationale.summary, dataAsOf);

  const risk = toRiskAssessment(result);
  const freshness = dataAgeSeconds > 30 * 86_400 ? 0.8 : 1;
  return {
    ...baseResponse(req, ctx, startedMs, {
      engineVersion: `spot-selection-${SPOT_SELECTION_ENGINE_VERSION}`,
      modelVersion,
      dataAgeSeconds,
      ...(dataAsOf !== undefined && { dataAsOf }),
      extra: { engine_outcome: result.outcome, nodes_replaced: drained.length, nodes_added: extra, node_shape: { vcpu: shape.vcpu, memory_gib: shape.memoryGib } },
    }),
    recommendations: chosen.map((c) => c.rec),
    confidence_score: round(clamp01((0.9 - 0.5 * risk.risk_score) * freshness), 4),
    estimated_savings: estimatedSavings,
    risk_assessment: risk,
    execution_plan: plan,
    outcome: 'planned',
    outcome_reason: null,
    container_recommendations: [],
    rationale: {
      summary: `${result.rationale.summary} Replaces ${drained.length} node(s), adds ${extra}.`.slice(0, 2000),
      factors: [
        { name: 'scoring', value: result.rationale.scoring, weight: null, contribution: null },
        { name: 'pools_eligible', value: result.rationale.candidates.poolsEligible, weight: null, contribution: null },
        { name: 'family_cap_nodes', value: result.rationale.caps.familyNodes, weight: null, contribution: null },
        { name: 'expected_cost_usd_per_hour', value: round(after, 6), weight: null, contribution: null },
      ],
      data_sources: result.rationale.dataSources.map((d) => ({ name: d.name, as_of: d.asOf, age_seconds: d.ageSeconds })),
    },
  };
}

function nothing(req: DecisionRequest, ctx: EngineContext, startedMs: number, modelVersion: string, dataAgeSeconds: number, outcome: 'nothing_to_do' | 'infeasible', reason: string, dataAsOf?: string): DecisionResponse {
  return {
    ...baseResponse(req, ctx, startedMs, { engineVersion: `spot-selection-${SPOT_SELECTION_ENGINE_VERSION}`, modelVersion, dataAgeSeconds, ...(dataAsOf !== undefined && { dataAsOf }) }),
    recommendations: [],
    confidence_score: 1,
    estimated_savings: 0,
    risk_assessment: noRisk(reason.slice(0, 2000)),
    execution_plan: [],
    outcome,
    outcome_reason: reason.slice(0, 2000),
    container_recommendations: [],
  };
}
