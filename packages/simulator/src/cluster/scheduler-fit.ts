/**
 * The scheduler's filter and score rules as pure functions over plain Node and Pod objects, following
 * kube-scheduler's default plugins: NodeUnschedulable, TaintToleration, NodeAffinity (nodeSelector and required
 * node affinity), NodeResourcesFit (cpu, memory, pods, nvidia.com/gpu), then scoring by topology spread over
 * zones and hosts and by least-allocated resources. Failure reasons use kube-scheduler's exact wording
 * because the autoscaler (and people) read them from the `FailedScheduling` event and the pod condition.
 */
import type { Node, Pod, Taint, Toleration } from '../kube-api/types.ts';
import { cpuMillis, units } from './quantity.ts';

export const GPU_RESOURCE = 'nvidia.com/gpu';

/** Resource amounts the scheduler compares: cpu in millicores, memory in bytes, pods and GPUs as counts. */
export interface Resources {
  cpu: number;
  memory: number;
  pods: number;
  gpu: number;
}

export const ZERO_RESOURCES: Readonly<Resources> = Object.freeze({ cpu: 0, memory: 0, pods: 0, gpu: 0 });

export function addResources(a: Resources, b: Resources): Resources {
  return { cpu: a.cpu + b.cpu, memory: a.memory + b.memory, pods: a.pods + b.pods, gpu: a.gpu + b.gpu };
}

export function subtractResources(a: Resources, b: Resources): Resources {
  return { cpu: a.cpu - b.cpu, memory: a.memory - b.memory, pods: a.pods - b.pods, gpu: a.gpu - b.gpu };
}

/**
 * What a pod asks for: the sum of its containers' requests, or the largest init container's if larger
 * (init containers run one at a time, before the others). A container with limits but no requests requests
 * its limits, as the apiserver defaults it. Every pod takes one of the node's pod slots.
 */
export function podRequests(pod: Pod): Resources {
  const one = (c: { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }): Resources => {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    return {
      cpu: cpuMillis(req.cpu ?? lim.cpu),
      memory: units(req.memory ?? lim.memory),
      pods: 0,
      gpu: units(req[GPU_RESOURCE] ?? lim[GPU_RESOURCE]),
    };
  };
  let sum: Resources = { ...ZERO_RESOURCES };
  for (const c of pod.spec?.containers ?? []) sum = addResources(sum, one(c));
  for (const c of pod.spec?.initContainers ?? []) {
    const r = one(c);
    sum = { cpu: Math.max(sum.cpu, r.cpu), memory: Math.max(sum.memory, r.memory), pods: 0, gpu: Math.max(sum.gpu, r.gpu) };
  }
  return { ...sum, pods: 1 };
}

/** Parsed allocatable per (frozen, so never edited) Node object: a changed node is a new object. */
const allocatableCache = new WeakMap<Node, Resources>();

/** A node's `status.allocatable` as resources. */
export function nodeAllocatable(node: Node): Resources {
  let r = allocatableCache.get(node);
  if (!r) {
    const a = node.status?.allocatable ?? {};
    r = { cpu: cpuMillis(a.cpu), memory: units(a.memory), pods: units(a.pods), gpu: units(a[GPU_RESOURCE]) };
    allocatableCache.set(node, r);
  }
  return r;
}

/** Whether one toleration tolerates one taint (k8s.io/api/core/v1 Toleration.ToleratesTaint). */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (!t.key && t.operator !== 'Exists') return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

function tolerationsTolerate(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  if (tolerations) for (const t of tolerations) if (tolerates(t, taint)) return true;
  return false;
}

/** The first NoSchedule/NoExecute taint of the node that none of the tolerations tolerates. */
export function untoleratedTaint(taints: readonly Taint[] | undefined, tolerations: readonly Toleration[] | undefined): Taint | undefined {
  if (!taints) return undefined;
  for (const taint of taints) {
    if (taint.effect === 'PreferNoSchedule') continue;
    if (!tolerationsTolerate(tolerations, taint)) return taint;
  }
  return undefined;
}

interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values?: string[];
}
interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

function requirementMatches(req: NodeSelectorRequirement, v: string | undefined): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return v !== undefined && values.includes(v);
    case 'NotIn':
      return v === undefined || !values.includes(v);
    case 'Exists':
      return v !== undefined;
    case 'DoesNotExist':
      return v === undefined;
    case 'Gt':
    case 'Lt': {
      if (v === undefined || !/^-?\d+$/.test(v)) return false;
      const bound = Number(values[0]);
      return req.operator === 'Gt' ? Number(v) > bound : Number(v) < bound;
    }
    default:
      return false;
  }
}

/** The pod's required node affinity terms (ORed), or undefined when it has none. */
function requiredTerms(pod: Pod): NodeSelectorTerm[] | undefined {
  const affinity = pod.spec?.affinity as
    | { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } } }
    | undefined;
  return affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
}

/** nodeSelector and required node affinity (NodeAffinity plugin). An empty term matches nothing, as upstream. */
export function matchesNodeSelectorAndAffinity(pod: Pod, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  const selector = pod.spec?.nodeSelector;
  if (selector) for (const k in selector) if (labels[k] !== selector[k]) return false;
  const terms = requiredTerms(pod);
  if (terms === undefined) return true;
  for (const term of terms) {
    const exprs = term.matchExpressions ?? [];
    const fields = term.matchFields ?? [];
    if (exprs.length === 0 && fields.length === 0) continue;
    let ok = true;
    for (const r of exprs) if (!requirementMatches(r, Object.prototype.hasOwnProperty.call(labels, r.key) ? labels[r.key] : undefined)) ok = false;
    for (const r of fields) if (!requirementMatches(r, r.key === 'metadata.name' ? node.metadata.name : undefined)) ok = false;
    if (ok) return true;
  }
  return false;
}

const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

/**
 * Why a pod does not fit a node: the reasons of the first failing filter (kube-scheduler stops at the first
 * failing plugin; NodeResourcesFit lists every insufficient resource). Empty when it fits. `requested` is
 * what the pods already bound to the node request.
 */
export function fitFailures(pod: Pod, node: Node, requested: Resources, want: Resources = podRequests(pod)): string[] {
  if (node.spec?.unschedulable && !tolerationsTolerate(pod.spec?.tolerations, UNSCHEDULABLE_TAINT)) {
    return ['node(s) were unschedulable'];
  }
  const taint = untoleratedTaint(node.spec?.taints, pod.spec?.tolerations);
  if (taint) return [`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`];
  if (!matchesNodeSelectorAndAffinity(pod, node)) return ["node(s) didn't match Pod's node affinity/selector"];
  const alloc = nodeAllocatable(node);
  const reasons: string[] = [];
  if (requested.pods + 1 > alloc.pods) reasons.push('Too many pods');
  if (want.cpu > 0 && requested.cpu + want.cpu > alloc.cpu) reasons.push('Insufficient cpu');
  if (want.memory > 0 && requested.memory + want.memory > alloc.memory) reasons.push('Insufficient memory');
  if (want.gpu > 0 && requested.gpu + want.gpu > alloc.gpu) reasons.push(`Insufficient ${GPU_RESOURCE}`);
  return reasons;
}

/**
 * The FailedScheduling message exactly as kube-scheduler words it:
 * `0/6 nodes are available: 3 Insufficient cpu, 3 node(s) were unschedulable. preemption: …`.
 */
export function unschedulableMessage(nodeCount: number, failures: ReadonlyMap<string, string[]>): string {
  const histogram = new Map<string, number>();
  for (const reasons of failures.values()) for (const r of reasons) histogram.set(r, (histogram.get(r) ?? 0) + 1);
  const parts = [...histogram].map(([reason, n]) => `${n} ${reason}`).sort();
  const head = `0/${nodeCount} nodes are available`;
  const body = parts.length ? `${head}: ${parts.join(', ')}.` : `${head}.`;
  return nodeCount === 0 ? 'no nodes available to schedule pods' : `${body} preemption: ${head}: ${nodeCount} Preemption is not helpful for scheduling.`;
}

/** NodeResourcesFit LeastAllocated score in [0, 100]: the mean free fraction of cpu and memory after placing. */
export function leastAllocatedScore(want: Resources, requested: Resources, alloc: Resources): number {
  return (100 * (freeFraction(requested.cpu + want.cpu, alloc.cpu) + freeFraction(requested.memory + want.memory, alloc.memory))) / 2;
}

function freeFraction(used: number, cap: number): number {
  return cap <= 0 ? 0 : Math.max(0, (cap - used) / cap);
}

/**
 * Spread score in [0, 100]: 100 for the domain holding the fewest pods of the same owner among the feasible
 * domains, falling linearly to 0 for the one holding the most (the soft default constraints of
 * PodTopologySpread, reduced to what matters here: replicas of one workload end up across zones and hosts).
 */
export function spreadScore(count: number, min: number, max: number): number {
  return max === min ? 100 : (100 * (max - count)) / (max - min);
}
