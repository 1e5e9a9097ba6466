/**
 * `bin-pack`: the request's nodes and running pods → a consolidation problem (bin-packing engine, consolidate
 * mode, HiGHS LP bound) → a DecisionResponse: the new nodes to launch (if any replace old ones), then the
 * nodes to drain and remove, in waves of the disruption budget, with the pod moves in `metadata.pod_moves`.
 *
 * Mapping: every current node is an existing node (allocatable CPU/memory/pods/GPUs from its NodeMetric,
 * price = its `hourly_price` or the on-demand list price); offerings are the current nodes' types plus
 * replacement candidates (`requirements.instance_types`, else the cheapest current-generation on-demand types
 * that fit the largest pod, `metadata.candidate_types` of them, default 20). Pods carry their requests,
 * node selectors, tolerations and owners; do-not-disrupt and excluded namespaces/workloads become
 * `karpenter.sh/do-not-disrupt`; DaemonSet pods become the per-node overhead. Pending pods are left out
 * (spot-optimize adds capacity for them).
 */
import type { DecisionRequest, DecisionResponse, NodeMetric, PodMetric, Recommendation } from '@cloudoptim/contracts';
import { binPacking } from '@cloudoptim/engines';
import { z } from 'zod';
import { baseResponse, drainSteps, type EngineContext, HOURS_PER_MONTH, isProtectedPod, nodePrice, noRisk, parseExtras, round, stateAgeSeconds } from './context.ts';

export const BIN_PACK_ENGINE_VERSION = 'bin-packing-1.0.0';
const MIB = 1024 ** 2;

export const BinPackMetadataSchema = z.looseObject({
  /** How many of the cheapest fitting on-demand types to offer as replacements when `requirements.instance_types` is empty. */
  candidate_types: z.number().int().min(0).max(200).optional(),
  /** Allow launching replacement nodes (Karpenter "replace"); default true. */
  allow_replacement: z.boolean().optional(),
});

const ARCH_LABEL: Record<string, string> = { x86_64: 'amd64', arm64: 'arm64' };

function podName(p: { namespace: string; pod_name: string }): string {
  return `${p.namespace}/${p.pod_name}`;
}

function podRequests(p: PodMetric): { cpu: number; memMib: number } {
  return { cpu: p.containers.reduce((s, c) => s + c.cpu_request_millicores, 0), memMib: p.containers.reduce((s, c) => s + c.memory_request_bytes, 0) / MIB };
}

export function binPack(req: DecisionRequest, ctx: EngineContext, startedMs: number): DecisionResponse {
  const meta = parseExtras(BinPackMetadataSchema, 'metadata', req.metadata);
  const { market } = ctx;
  const state = req.current_state;
  const region = state.region;
  market.assertRegion(region);
  const dataAge = stateAgeSeconds(req);

  const running = state.pods.filter((p) => p.node_name !== null && (p.phase === 'Running' || p.phase === 'Pending' || p.phase === 'Unknown'));
  const nodeNames = new Set(state.nodes.map((n) => n.node_name));
  const scheduled = running.filter((p) => nodeNames.has(p.node_name as string));
  const daemonPods = scheduled.filter((p) => p.owner?.kind === 'DaemonSet');
  const workloadPods = scheduled.filter((p) => p.owner?.kind !== 'DaemonSet');
  if (state.nodes.length === 0) return nothing(req, ctx, startedMs, dataAge, 'the cluster has no nodes to consolidate');

  // DaemonSet overhead: the largest per-node sum of DaemonSet requests.
  const dsByNode = new Map<string, { cpu: number; mem: number; pods: number }>();
  for (const p of daemonPods) {
    const r = podRequests(p);
    const o = dsByNode.get(p.node_name as string) ?? { cpu: 0, mem: 0, pods: 0 };
    dsByNode.set(p.node_name as string, { cpu: o.cpu + r.cpu, mem: o.mem + r.memMib, pods: o.pods + 1 });
  }
  const overhead = { cpu_milli: 0, memory_mib: 0, pods: 0 };
  for (const o of dsByNode.values()) {
    overhead.cpu_milli = Math.max(overhead.cpu_milli, o.cpu);
    overhead.memory_mib = Math.max(overhead.memory_mib, Math.ceil(o.mem));
    overhead.pods = Math.max(overhead.pods, o.pods);
  }

  const zones = [...new Set(state.nodes.map((n) => n.availability_zone))].sort();
  const offerings = new Map<string, { name: string; cpu_milli: number; memory_mib: number; pods: number; gpu: number; price_usd_hour: number; zones: string[]; capacity_type: string; architecture?: string; labels: Record<string, string> }>();
  const byTypeCap = new Map<string, NodeMetric[]>();
  for (const n of state.nodes) {
    const key = `${n.instance_type}/${n.node_type}`;
    byTypeCap.set(key, [...(byTypeCap.get(key) ?? []), n]);
  }
  for (const [key, nodes] of byTypeCap) {
    const n = nodes[0] as NodeMetric;
    const cat = market.instanceType(n.instance_type);
    const prices = nodes.map((x) => nodePrice(market, region, x)).sort((a, b) => a - b);
    const arch = n.architecture ?? cat?.architecture ?? undefined;
    offerings.set(key, {
      name: n.instance_type,
      cpu_milli: Math.max(...nodes.map((x) => x.cpu_allocatable_millicores)),
      memory_mib: Math.floor(Math.max(...nodes.map((x) => x.memory_allocatable_bytes)) / MIB),
      pods: Math.max(...nodes.map((x) => x.pods_allocatable ?? cat?.karpenterAllocatable?.pods ?? 110)),
      gpu: Math.max(...nodes.map((x) => x.gpu_allocatable ?? cat?.gpuCount ?? 0)),
      price_usd_hour: prices[Math.floor((prices.length - 1) / 2)] as number,
      zones: [...new Set([...nodes.map((x) => x.availability_zone), ...zones])].sort(),
      capacity_type: n.node_type,
      ...(arch && { architecture: arch }),
      labels: { 'kubernetes.io/os': 'linux', 'node.kubernetes.io/instance-type': n.instance_type, 'karpenter.sh/capacity-type': n.node_type, ...(arch && ARCH_LABEL[arch] && { 'kubernetes.io/arch': ARCH_LABEL[arch] }) },
    });
  }
  // Replacement candidates (on-demand, catalog allocatable, list price).
  const largest = workloadPods.map(podRequests).reduce((m, r) => ({ cpu: Math.max(m.cpu, r.cpu), memMib: Math.max(m.memMib, r.memMib) }), { cpu: 0, memMib: 0 });
  const wanted = req.requirements.instance_types;
  const archs = req.requirements.architectures;
  const candidateOffers = wanted.length
    ? wanted.map((t) => market.findInstanceTypes({ region, families: [t.split('.')[0] as string] }).find((o) => o.instanceType === t)).filter((o) => o !== undefined)
    : market
        .findInstanceTypes({ region, minVcpu: largest.cpu / 1000, minMemoryGib: largest.memMib / 1024, currentGenerationOnly: true, ...(archs.length === 1 && { architecture: archs[0] }), ...(req.requirements.excluded_instance_families.length && { excludeFamilies: req.requirements.excluded_instance_families }) })
        .filter((o) => o.instance.karpenterAllocatable !== null && (o.instance.gpuCount ?? 0) === 0)
        .slice(0, meta.candidate_types ?? 20);
  for (const o of candidateOffers) {
    const key = `${o.instanceType}/on-demand`;
    const alloc = o.instance.karpenterAllocatable;
    if (offerings.has(key) || !alloc) continue;
    const arch = o.instance.architecture ?? undefined;
    offerings.set(key, {
      name: o.instanceType,
      cpu_milli: alloc.cpuMillicores,
      memory_mib: alloc.memoryMib,
      pods: alloc.pods,
      gpu: o.instance.gpuCount ?? 0,
      price_usd_hour: o.onDemand.usdPerHour,
      zones,
      capacity_type: 'on-demand',
      ...(arch && { architecture: arch }),
      labels: { 'kubernetes.io/os': 'linux', 'node.kubernetes.io/instance-type': o.instanceType, 'karpenter.sh/capacity-type': 'on-demand', ...(arch && ARCH_LABEL[arch] && { 'kubernetes.io/arch': ARCH_LABEL[arch] }) },
    });
  }

  const problem = binPacking.BinPackProblemSchema.parse({
    instance_types: [...offerings.values()],
    nodes: state.nodes.map((n) => ({
      name: n.node_name,
      instance_type: n.instance_type,
      zone: n.availability_zone,
      capacity_type: n.node_type,
      labels: n.labels,
      taints: n.taints.map((t) => ({ key: t.key, ...(t.value !== null && { value: t.value }), effect: t.effect })),
      annotations: {},
      price_usd_hour: nodePrice(market, region, n),
    })),
    pods: workloadPods.map((p) => {
      const r = podRequests(p);
      return {
        name: podName(p),
        namespace: p.namespace,
        cpu_milli: r.cpu,
        memory_mib: r.memMib,
        node_selector: p.node_selector,
        tolerations: p.tolerations.map((t) => ({ ...(t.key !== null && { key: t.key }), operator: t.operator, ...(t.value !== null && { value: t.value }), ...(t.effect !== null && { effect: t.effect }) })),
        labels: p.labels,
        annotations: isProtectedPod(p, req.constraints) ? { [binPacking.DO_NOT_DISRUPT]: 'true' } : {},
        owner: p.owner ? `${p.owner.kind}/${p.owner.name}` : null,
        node: p.node_name,
      };
    }),
    options: { mode: 'consolidate', max_disrupted_nodes: req.constraints.max_nodes_disrupted, daemonset_overhead: overhead, evict_unowned_pods: false, allow_replacement: meta.allow_replacement ?? true },
  });
  const result = binPacking.solveBinPacking(problem, { lpSolver: ctx.lpSolver });

  const engineMeta = {
    lower_bound_usd_per_hour: round(result.lowerBound.valueUsdPerHour, 6),
    bound_method: result.lowerBound.method,
    gap_to_lower_bound: Number.isFinite(result.gap) ? round(result.gap, 6) : null,
    initial_cost_usd_per_hour: round(result.initialCostUsdPerHour, 6),
    planned_cost_usd_per_hour: round(result.costUsdPerHour, 6),
    disruption_budget: result.disruptionBudget,
    pod_moves: result.moves.slice(0, 1000),
    unplaced_pods: result.unplaced.slice(0, 1000),
    candidates: result.candidates.slice(0, 200).map((c) => ({ node: c.node, action: c.action, savings_usd_per_hour: round(c.savingsUsdPerHour, 6), reason: c.reason })),
  };
  if (result.removedNodes.length === 0) {
    const reason = result.candidates.length ? `nothing to consolidate: ${result.candidates.map((c) => `${c.node}: ${c.reason}`).join('; ')}` : 'nothing to consolidate';
    return nothing(req, ctx, startedMs, dataAge, reason, engineMeta);
  }

  // New nodes grouped by pool.
  const groups = new Map<string, { type: string; zone: string; cap: 'spot' | 'on-demand'; price: number; count: number }>();
  for (const n of result.nodes.filter((x) => x.isNew)) {
    const key = `${n.instanceType}|${n.zone}|${n.capacityType}`;
    const g = groups.get(key) ?? { type: n.instanceType, zone: n.zone, cap: n.capacityType === 'spot' ? 'spot' : 'on-demand', price: n.priceUsdPerHour, count: 0 };
    g.count++;
    groups.set(key, g);
  }
  const recommendations: Recommendation[] = [...groups.values()].map((g) => ({
    instance_type: g.type,
    node_count: g.count,
    risk_score: 0,
    hourly_price: g.price,
    monthly_savings: 0,
    availability_zone: g.zone,
    capacity_type: g.cap,
    interruption_probability: null,
    rationale: { summary: `replacement capacity for consolidated nodes (${g.count} × ${g.type})`, factors: [], data_sources: [] },
  }));
  const plan: DecisionResponse['execution_plan'] = [];
  for (const g of groups.values()) {
    plan.push({ step: plan.length + 1, action: 'launch_instances', description: `Launch ${g.count} × ${g.type} ${g.cap} in ${g.zone}`, depends_on: [], not_before: null, parameters: { instance_type: g.type, availability_zone: g.zone, capacity_type: g.cap, count: g.count, on_demand_fallback: true, labels: {}, taints: [] } });
  }
  const launched = [...groups.values()].reduce((s, g) => s + g.count, 0);
  if (launched > 0) plan.push({ step: plan.length + 1, action: 'wait_for_nodes_ready', depends_on: plan.map((s) => s.step), not_before: null, parameters: { count: launched, node_names: [], timeout_seconds: 900 } });
  const waitStep = plan.length;
  const byName = new Map(state.nodes.map((n) => [n.node_name, n]));
  const lastOf: number[] = [];
  const budget = Math.max(1, result.disruptionBudget);
  result.removedNodes.forEach((r, i) => {
    const node = byName.get(r.name) as NodeMetric;
    const previous = i >= budget ? lastOf[i - budget] : undefined;
    plan.push(...drainSteps(node, plan.length + 1, [...(waitStep > 0 ? [waitStep] : []), ...(previous !== undefined ? [previous] : [])], r.action === 'replace' ? 'replaced by a cheaper node (consolidation)' : 'emptied by consolidation'));
    lastOf.push(plan.length);
  });

  return {
    ...baseResponse(req, ctx, startedMs, { engineVersion: BIN_PACK_ENGINE_VERSION, modelVersion: null, dataAgeSeconds: dataAge, extra: engineMeta }),
    recommendations,
    confidence_score: result.unplaced.length === 0 ? 0.9 : 0.6,
    estimated_savings: round(result.savingsUsdPerHour * HOURS_PER_MONTH, 2),
    risk_assessment: {
      risk_score: round(Math.min(1, result.moves.length / Math.max(1, workloadPods.length)) * 0.5, 4),
      risk_level: 'low',
      summary: `${result.removedNodes.length} node(s) removed, ${result.moves.length} pod(s) moved, at most ${budget} node(s) disrupted at once`,
      factors: result.rationale.factors.slice(0, 20).map((f) => f.slice(0, 500)),
      expected_interruptions_per_month: null,
    },
    execution_plan: plan,
    outcome: 'planned',
    outcome_reason: null,
    container_recommendations: [],
    rationale: { summary: `Consolidation saves ${round(result.savingsUsdPerHour, 4)} USD/h (gap to the lower bound ${Number.isFinite(result.gap) ? (result.gap * 100).toFixed(1) : '∞'}%).`, factors: [], data_sources: [] },
  };
}

function nothing(req: DecisionRequest, ctx: EngineContext, startedMs: number, dataAge: number, reason: string, extra?: Record<string, unknown>): DecisionResponse {
  return {
    ...baseResponse(req, ctx, startedMs, { engineVersion: BIN_PACK_ENGINE_VERSION, modelVersion: null, dataAgeSeconds: dataAge, ...(extra && { extra }) }),
    recommendations: [],
    confidence_score: 1,
    estimated_savings: 0,
    risk_assessment: noRisk(reason.slice(0, 2000)),
    execution_plan: [],
    outcome: 'nothing_to_do',
    outcome_reason: reason.slice(0, 2000),
    container_recommendations: [],
  };
}
