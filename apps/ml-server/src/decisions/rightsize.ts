/**
 * `rightsize`: `usage_history` (per container) → CloudOptim's recommender (`recommendCloudOptim`) →
 * `container_recommendations`, and a plan of `patch_workload_resources` steps for the workloads whose
 * requests change by at least 5 % (never for excluded namespaces/workloads).
 *
 * Current requests come from the matching container of `current_state.pods` (same namespace, owner and
 * container name); histories without a running container are skipped (listed in `metadata.skipped`).
 * Histories of one workload container sent per replica (central sends one per pod) are merged first, so each
 * workload container gets one recommendation: at each instant the busiest replica's usage, the OOM kills added.
 * OOM kills: the contract gives a count, not times; each is placed at the sample of highest memory usage.
 * Savings: the cluster's cost per hour split evenly between its allocatable CPU and memory gives a price per
 * millicore-hour and per byte-hour; Δ requests × replicas (pods of the workload) × price × 730 h.
 */
import type { ContainerRecommendation, ContainerUsageHistory, DecisionRequest, DecisionResponse, PodMetric } from '@cloudoptim/contracts';
import { type ContainerResources, recommendCloudOptim, toContainerRecommendation } from '@cloudoptim/engines';
import { baseResponse, clamp01, type EngineContext, HOURS_PER_MONTH, noRisk, round, stateAgeSeconds } from './context.ts';

export const RIGHTSIZE_ENGINE_VERSION = 'rightsizing-cloudoptim-1.0.0';
const MIN_CHANGE = 0.05;

/**
 * One history per workload container (namespace, owner, container name): the replicas' samples merged — per
 * instant the highest CPU and memory, since the one request must fit every replica — and their OOM kills added.
 * O(samples).
 */
export function mergeReplicaHistories(histories: readonly ContainerUsageHistory[]): ContainerUsageHistory[] {
  const merged = new Map<string, { history: ContainerUsageHistory; byTime: Map<number, ContainerUsageHistory['samples'][number]> }>();
  for (const h of histories) {
    const key = JSON.stringify([h.namespace, h.owner.kind, h.owner.name, h.container_name]);
    let entry = merged.get(key);
    if (!entry) {
      entry = { history: { ...h, samples: [], oom_kill_count: 0 }, byTime: new Map() };
      merged.set(key, entry);
    }
    entry.history.oom_kill_count += h.oom_kill_count;
    for (const s of h.samples) {
      const t = Date.parse(s.timestamp);
      const seen = entry.byTime.get(t);
      entry.byTime.set(t, seen ? { ...seen, cpu_usage_millicores: Math.max(seen.cpu_usage_millicores, s.cpu_usage_millicores), memory_usage_bytes: Math.max(seen.memory_usage_bytes, s.memory_usage_bytes) } : s);
    }
  }
  return [...merged.values()].map(({ history, byTime }) => ({ ...history, samples: [...byTime.values()] }));
}

/** Excluded by the request's constraints (its namespace, or the workload itself): never patched. */
function isExcludedWorkload(h: ContainerUsageHistory, constraints: DecisionRequest['constraints']): boolean {
  return constraints.excluded_namespaces.includes(h.namespace) || constraints.excluded_workloads.some((w) => w.namespace === h.namespace && w.kind === h.owner.kind && w.name === h.owner.name);
}

export function rightsize(req: DecisionRequest, ctx: EngineContext, startedMs: number): DecisionResponse {
  const state = req.current_state;
  const nowMs = Date.parse(req.timestamp);
  const cpuPricePerMilliHour = state.total_cpu_cores > 0 ? (state.current_cost_per_hour * 0.5) / (state.total_cpu_cores * 1000) : 0;
  const memPricePerByteHour = state.total_memory_gb > 0 ? (state.current_cost_per_hour * 0.5) / (state.total_memory_gb * 1e9) : 0;
  const recs: ContainerRecommendation[] = [];
  const skipped: { namespace: string; owner: string; container_name: string; reason: string }[] = [];
  const patches = new Map<string, { pod: PodMetric; containers: ContainerRecommendation[] }>();
  let savingsPerHour = 0;
  let oldestSampleMs = Infinity;

  for (const h of mergeReplicaHistories(req.usage_history)) {
    const pods = state.pods.filter((p) => p.namespace === h.namespace && p.owner?.kind === h.owner.kind && p.owner.name === h.owner.name);
    const container = pods.flatMap((p) => p.containers.filter((c) => c.container_name === h.container_name))[0];
    const ref = { namespace: h.namespace, owner: `${h.owner.kind}/${h.owner.name}`, container_name: h.container_name };
    if (!container) {
      skipped.push({ ...ref, reason: 'no running container of that workload in current_state.pods' });
      continue;
    }
    const samples = h.samples.map((s) => ({ timeMs: Date.parse(s.timestamp), cpuMillicores: s.cpu_usage_millicores, memoryBytes: s.memory_usage_bytes })).sort((a, b) => a.timeMs - b.timeMs);
    const peak = samples.reduce<(typeof samples)[number] | undefined>((m, s) => (m === undefined || s.memoryBytes > m.memoryBytes ? s : m), undefined);
    const oomEvents = peak ? Array.from({ length: h.oom_kill_count }, () => ({ timeMs: peak.timeMs })) : [];
    const current: ContainerResources = { cpuRequestMillicores: container.cpu_request_millicores, memoryRequestBytes: container.memory_request_bytes, cpuLimitMillicores: container.cpu_limit_millicores, memoryLimitBytes: container.memory_limit_bytes };
    const result = recommendCloudOptim({ containerId: `${h.namespace}/${h.owner.kind}/${h.owner.name}/${h.container_name}`, samples, oomEvents, current }, { now: nowMs });
    if (result.status === 'no-data') {
      skipped.push({ ...ref, reason: 'no usage sample before the decision time' });
      continue;
    }
    if (samples[0]) oldestSampleMs = Math.min(oldestSampleMs, samples[samples.length - 1]?.timeMs ?? Infinity);
    const rec = toContainerRecommendation({ namespace: h.namespace, owner: h.owner, containerName: h.container_name }, current, result);
    recs.push(rec);
    const cpuDelta = rec.current_cpu_request_millicores - rec.recommended_cpu_request_millicores;
    const memDelta = rec.current_memory_request_bytes - rec.recommended_memory_request_bytes;
    savingsPerHour += pods.length * (cpuDelta * cpuPricePerMilliHour + memDelta * memPricePerByteHour);
    const changed = Math.abs(cpuDelta) >= MIN_CHANGE * Math.max(1, rec.current_cpu_request_millicores) || Math.abs(memDelta) >= MIN_CHANGE * Math.max(1, rec.current_memory_request_bytes);
    const pod = pods[0] as PodMetric;
    // Not isProtectedPod: it lets DaemonSet pods through (they never pin a node in a drain), which would patch
    // a DaemonSet of an excluded namespace such as kube-system.
    if (changed && !isExcludedWorkload(h, req.constraints) && ['Deployment', 'StatefulSet', 'DaemonSet'].includes(h.owner.kind)) {
      const key = `${h.namespace}/${h.owner.kind}/${h.owner.name}`;
      const entry = patches.get(key) ?? { pod, containers: [] };
      entry.containers.push(rec);
      patches.set(key, entry);
    }
  }

  const plan: DecisionResponse['execution_plan'] = [...patches.values()].map(({ pod, containers }, i) => ({
    step: i + 1,
    action: 'patch_workload_resources' as const,
    description: `Apply rightsized requests to ${pod.owner?.kind}/${pod.owner?.name} in ${pod.namespace}`,
    depends_on: [],
    not_before: null,
    parameters: {
      namespace: pod.namespace,
      kind: pod.owner?.kind as 'Deployment' | 'StatefulSet' | 'DaemonSet',
      name: pod.owner?.name as string,
      containers: containers.map((c) => ({
        container_name: c.container_name,
        cpu_request_millicores: c.recommended_cpu_request_millicores,
        cpu_limit_millicores: c.recommended_cpu_limit_millicores === null ? null : Math.max(c.recommended_cpu_limit_millicores, c.recommended_cpu_request_millicores),
        memory_request_bytes: c.recommended_memory_request_bytes,
        memory_limit_bytes: c.recommended_memory_limit_bytes === null ? null : Math.max(c.recommended_memory_limit_bytes, c.recommended_memory_request_bytes),
      })),
    },
  }));
  const dataAge = Math.max(stateAgeSeconds(req), Number.isFinite(oldestSampleMs) ? Math.max(0, (nowMs - oldestSampleMs) / 1000) : 0);
  const confidence = recs.length ? recs.reduce((s, r) => s + r.confidence, 0) / recs.length : 1;
  const outcome = plan.length ? 'planned' : 'nothing_to_do';
  const reason = recs.length === 0 ? 'no usage history with a matching running container' : plan.length === 0 ? 'every container is already within 5 % of its recommendation (or is excluded)' : null;
  return {
    ...baseResponse(req, ctx, startedMs, { engineVersion: RIGHTSIZE_ENGINE_VERSION, modelVersion: null, dataAgeSeconds: dataAge, extra: { skipped, containers_analysed: recs.length } }),
    recommendations: [],
    confidence_score: round(clamp01(confidence), 4),
    estimated_savings: round(savingsPerHour * HOURS_PER_MONTH, 2),
    risk_assessment: noRisk(plan.length ? `${plan.length} workload(s) get new requests; their pods are rolled` : 'no change'),
    execution_plan: plan,
    outcome,
    outcome_reason: reason,
    container_recommendations: recs,
  };
}
