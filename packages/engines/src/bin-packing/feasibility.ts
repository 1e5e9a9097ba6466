/**
 * Scheduling predicates (node selectors, required node affinity, taints/tolerations, capacity), well-known
 * node labels, PodDisruptionBudget arithmetic and `checkPlan`, an independent verifier of a plan against
 * every constraint (used by the property tests and available to callers that distrust the engine).
 */
import type {
  BinPackProblem,
  BinPackResult,
  DaemonsetOverhead,
  ExistingNode,
  InstanceTypeOffer,
  NodeSelectorRequirement,
  Pod,
  PodDisruptionBudget,
  ResourceVector,
  Taint,
  Toleration,
} from './problem.ts';

export const DO_NOT_DISRUPT = 'karpenter.sh/do-not-disrupt';
export const LABEL_INSTANCE_TYPE = 'node.kubernetes.io/instance-type';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';
export const LABEL_CAPACITY_TYPE = 'karpenter.sh/capacity-type';
export const LABEL_ARCH = 'kubernetes.io/arch';
export const LABEL_FAMILY = 'karpenter.k8s.aws/instance-family';

/** Tolerance for floating-point capacity sums. */
const EPS = 1e-9;

/** True when the toleration tolerates the taint (Kubernetes semantics). */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.operator === 'Exists') return !toleration.key || toleration.key === taint.key;
  return toleration.key === taint.key && (toleration.value ?? '') === (taint.value ?? '');
}

/** True when every NoSchedule/NoExecute taint is tolerated (PreferNoSchedule never blocks). */
export function toleratesAll(tolerations: readonly Toleration[], taints: readonly Taint[]): boolean {
  return taints.every((taint) => taint.effect === 'PreferNoSchedule' || tolerations.some((t) => toleratesTaint(t, taint)));
}

function requirementHolds(req: NodeSelectorRequirement, labels: Readonly<Record<string, string>>): boolean {
  const value = labels[req.key];
  switch (req.operator) {
    case 'In':
      return value !== undefined && req.values.includes(value);
    case 'NotIn':
      return value === undefined || !req.values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      const n = Number(value);
      const bound = Number(req.values[0]);
      if (value === undefined || !Number.isFinite(n) || !Number.isFinite(bound)) return false;
      return req.operator === 'Gt' ? n > bound : n < bound;
    }
  }
}

/** Node selector and required affinity of `pod` hold on a node with these labels. */
export function labelsMatch(pod: Pick<Pod, 'nodeSelector' | 'nodeAffinity'>, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(pod.nodeSelector)) if (labels[key] !== value) return false;
  return pod.nodeAffinity.every((req) => requirementHolds(req, labels));
}

/** Everything but capacity: selectors, affinity and taints. */
export function podAdmitsNode(pod: Pod, labels: Readonly<Record<string, string>>, taints: readonly Taint[]): boolean {
  return labelsMatch(pod, labels) && toleratesAll(pod.tolerations, taints);
}

/** The labels Karpenter puts on a node of `offer` in `zone`, plus the offer's own labels. */
export function offerLabels(offer: InstanceTypeOffer, zone: string): Record<string, string> {
  const labels: Record<string, string> = {
    [LABEL_INSTANCE_TYPE]: offer.name,
    [LABEL_ZONE]: zone,
    [LABEL_CAPACITY_TYPE]: offer.capacityType,
    [LABEL_FAMILY]: offer.name.split('.')[0] ?? offer.name,
  };
  if (offer.architecture) labels[LABEL_ARCH] = offer.architecture === 'x86_64' ? 'amd64' : offer.architecture;
  return { ...labels, ...offer.labels };
}

/** An existing node's labels: the well-known ones derived from its type, overridden by what the node says. */
export function existingNodeLabels(node: ExistingNode, offer: InstanceTypeOffer | undefined): Record<string, string> {
  const base: Record<string, string> = offer ? offerLabels(offer, node.zone) : {};
  return { ...base, [LABEL_INSTANCE_TYPE]: node.instanceType, [LABEL_ZONE]: node.zone, [LABEL_CAPACITY_TYPE]: node.capacityType, ...node.labels };
}

/** Requests of one pod as a vector (every pod takes one pod slot). */
export function podDemand(pod: Pod): ResourceVector {
  return [pod.cpuMillis, pod.memoryMib, 1, pod.gpus];
}

/** Capacity left for workload pods on a node of `offer`: allocatable minus DaemonSet overhead (never below 0). */
export function usableCapacity(offer: InstanceTypeOffer, defaultOverhead: DaemonsetOverhead): ResourceVector {
  const o = offer.daemonsetOverhead ?? defaultOverhead;
  return [Math.max(0, offer.cpuMillis - o.cpuMillis), Math.max(0, offer.memoryMib - o.memoryMib), Math.max(0, offer.pods - o.pods), offer.gpus];
}

export function fitsIn(demand: readonly number[], free: readonly number[]): boolean {
  for (let r = 0; r < demand.length; r++) if ((demand[r] ?? 0) > (free[r] ?? 0) + EPS) return false;
  return true;
}

/** Looks an offer up by name and capacity type, falling back to the name alone. */
export function findOffer(offers: readonly InstanceTypeOffer[], name: string, capacityType?: string): InstanceTypeOffer | undefined {
  return offers.find((o) => o.name === name && (capacityType === undefined || o.capacityType === capacityType)) ?? offers.find((o) => o.name === name);
}

export function isDaemonsetPod(pod: Pod): boolean {
  return pod.owner?.kind === 'DaemonSet';
}

/** True when the PDB selects the pod (same namespace, and selector labels or owner match). */
export function pdbMatches(pdb: PodDisruptionBudget, pod: Pod): boolean {
  if (pdb.namespace !== pod.namespace) return false;
  if (pdb.owner !== undefined) {
    if (!pod.owner) return false;
    if (pdb.owner !== `${pod.owner.kind}/${pod.owner.name}` && pdb.owner !== pod.owner.name) return false;
  }
  if (pdb.selector) for (const [k, v] of Object.entries(pdb.selector)) if (pod.labels[k] !== v) return false;
  return pdb.owner !== undefined || pdb.selector !== undefined;
}

function resolveCount(value: number | string, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const pct = Number(value.replace('%', '')) / 100;
  return roundUp ? Math.ceil(pct * total) : Math.floor(pct * total);
}

/**
 * Pods of the PDB that may be unavailable at once, assuming all `matched` pods are healthy now. Kubernetes
 * rounds a percentage minAvailable up and a percentage maxUnavailable up (both via intstr.GetScaledValueFromIntOrPercent with roundUp=true).
 */
export function allowedDisruptions(pdb: PodDisruptionBudget, matched: number): number {
  if (pdb.maxUnavailable !== undefined) return Math.max(0, resolveCount(pdb.maxUnavailable, matched, true));
  if (pdb.minAvailable !== undefined) return Math.max(0, matched - resolveCount(pdb.minAvailable, matched, true));
  return matched;
}

/**
 * For every pod, the indexes of the PDBs that select it. PDBs are indexed by namespace and one selector label
 * (or owner), so this is O(pods · labels) rather than O(pods · PDBs).
 */
export function pdbsOfPods(pdbs: readonly PodDisruptionBudget[], pods: readonly Pod[]): number[][] {
  const index = new Map<string, number[]>();
  const add = (key: string, i: number) => index.set(key, [...(index.get(key) ?? []), i]);
  pdbs.forEach((pdb, i) => {
    const first = pdb.selector ? Object.entries(pdb.selector)[0] : undefined;
    if (first) add(`${pdb.namespace}\u0000l\u0000${first[0]}\u0000${first[1]}`, i);
    else if (pdb.owner !== undefined) add(`${pdb.namespace}\u0000o`, i);
  });
  return pods.map((pod) => {
    const found = new Set<number>();
    for (const [k, v] of Object.entries(pod.labels)) for (const i of index.get(`${pod.namespace}\u0000l\u0000${k}\u0000${v}`) ?? []) found.add(i);
    for (const i of index.get(`${pod.namespace}\u0000o`) ?? []) found.add(i);
    return [...found].filter((i) => pdbMatches(pdbs[i] as PodDisruptionBudget, pod)).sort((a, b) => a - b);
  });
}

/** True when the pod carries `karpenter.sh/do-not-disrupt: "true"`. */
export function podDoNotDisrupt(pod: Pod): boolean {
  return pod.annotations[DO_NOT_DISRUPT] === 'true';
}

/** The disruption budget as a node count (a percentage rounds up, as Karpenter does). */
export function resolveBudget(maxDisruptedNodes: number | string, nodeCount: number): number {
  return Math.max(0, resolveCount(maxDisruptedNodes, nodeCount, true));
}

/** One broken constraint found by `checkPlan`. */
export interface PlanViolation {
  kind: 'capacity' | 'selector' | 'taint' | 'zone' | 'pdb' | 'do-not-disrupt' | 'budget' | 'unowned' | 'missing-pod' | 'duplicate-pod' | 'unknown-type' | 'cost';
  message: string;
}

/**
 * Checks a plan against the problem, independently of how it was made: every pod placed once or reported
 * unplaced; every node's pods within its usable capacity in every resource and admitted by selectors,
 * affinity and taints; and, for consolidation, no disrupted node holding a do-not-disrupt or unowned pod,
 * no drain evicting more pods of a PDB than it allows, the disruption budget, and moves only off removed nodes.
 */
export function checkPlan(problem: BinPackProblem, plan: BinPackResult): PlanViolation[] {
  const violations: PlanViolation[] = [];
  const { options } = problem;
  const podsByName = new Map(problem.pods.map((p) => [p.name, p]));
  const seen = new Map<string, string>();
  const existing = new Map(problem.nodes.map((n) => [n.name, n]));
  let cost = 0;
  for (const node of plan.nodes) {
    cost += node.priceUsdPerHour;
    const offer = findOffer(problem.instanceTypes, node.instanceType, node.capacityType);
    if (!offer) {
      violations.push({ kind: 'unknown-type', message: `${node.name}: unknown instance type ${node.instanceType}` });
      continue;
    }
    const old = existing.get(node.name);
    if (node.isNew) {
      if (!offer.zones.includes(node.zone)) violations.push({ kind: 'zone', message: `${node.name}: ${offer.name} is not offered in ${node.zone}` });
      if (Math.abs(offer.priceUsdPerHour - node.priceUsdPerHour) > 1e-9) violations.push({ kind: 'cost', message: `${node.name}: price ${node.priceUsdPerHour} ≠ ${offer.priceUsdPerHour}` });
    }
    const labels = old ? existingNodeLabels(old, offer) : offerLabels(offer, node.zone);
    const taints = old ? old.taints : offer.taints;
    const used: ResourceVector = [0, 0, 0, 0];
    for (const podName of node.pods) {
      const pod = podsByName.get(podName);
      if (!pod) {
        violations.push({ kind: 'missing-pod', message: `${node.name}: unknown pod ${podName}` });
        continue;
      }
      if (seen.has(podName)) violations.push({ kind: 'duplicate-pod', message: `${podName} on ${seen.get(podName)} and ${node.name}` });
      seen.set(podName, node.name);
      if (isDaemonsetPod(pod)) continue;
      const d = podDemand(pod);
      for (let r = 0; r < 4; r++) used[r] = (used[r] ?? 0) + (d[r] ?? 0);
      const stays = !node.isNew && pod.node === node.name && options.mode === 'consolidate';
      if (stays) continue; // a pod that does not move is not re-scheduled
      if (!labelsMatch(pod, labels)) violations.push({ kind: 'selector', message: `${podName} does not select ${node.name}` });
      if (!toleratesAll(pod.tolerations, taints)) violations.push({ kind: 'taint', message: `${podName} does not tolerate the taints of ${node.name}` });
    }
    const cap = usableCapacity(offer, options.daemonsetOverhead);
    const movedIn = node.pods.some((p) => podsByName.get(p)?.node !== node.name);
    // An existing node that only keeps its own pods is not checked: the input may already overcommit it.
    if ((node.isNew || movedIn || options.mode === 'pack') && !fitsIn(used, cap)) {
      violations.push({ kind: 'capacity', message: `${node.name} (${offer.name}): requests ${used.join('/')} exceed usable ${cap.join('/')}` });
    }
  }
  if (Math.abs(cost - plan.costUsdPerHour) > 1e-6) violations.push({ kind: 'cost', message: `cost ${plan.costUsdPerHour} ≠ sum of node prices ${cost}` });
  const unplaced = new Set(plan.unplaced.map((u) => u.pod));
  for (const pod of problem.pods) {
    if (isDaemonsetPod(pod)) continue;
    if (!seen.has(pod.name) && !unplaced.has(pod.name)) violations.push({ kind: 'missing-pod', message: `${pod.name} is neither placed nor reported unplaced` });
  }
  if (options.mode === 'consolidate') checkDisruption(problem, plan, violations);
  return violations;
}

function checkDisruption(problem: BinPackProblem, plan: BinPackResult, violations: PlanViolation[]): void {
  const removed = new Set(plan.removedNodes.map((n) => n.name));
  const budget = resolveBudget(problem.options.maxDisruptedNodes, problem.nodes.length);
  if (removed.size > budget) violations.push({ kind: 'budget', message: `${removed.size} nodes disrupted, budget ${budget}` });
  const kept = new Set(plan.nodes.filter((n) => !n.isNew).map((n) => n.name));
  for (const name of removed) if (kept.has(name)) violations.push({ kind: 'budget', message: `${name} is both removed and kept` });
  const placedOn = new Map<string, string>();
  for (const node of plan.nodes) for (const p of node.pods) placedOn.set(p, node.name);
  const running = problem.pods.filter((p) => p.node !== null && !isDaemonsetPod(p));
  const pdbsOf = pdbsOfPods(problem.pdbs, running);
  const matchedCount = problem.pdbs.map(() => 0);
  for (const list of pdbsOf) for (const i of list) matchedCount[i] = (matchedCount[i] ?? 0) + 1;
  for (const pod of problem.pods) {
    if (pod.node === null || isDaemonsetPod(pod)) continue;
    const to = placedOn.get(pod.name);
    const moved = to !== undefined && to !== pod.node;
    if (moved && !removed.has(pod.node)) violations.push({ kind: 'budget', message: `${pod.name} moved off ${pod.node}, which is not disrupted` });
    if (!removed.has(pod.node)) continue;
    if (podDoNotDisrupt(pod)) violations.push({ kind: 'do-not-disrupt', message: `${pod.node} is disrupted but runs ${pod.name} (do-not-disrupt)` });
    if (!pod.owner && !problem.options.evictUnownedPods) violations.push({ kind: 'unowned', message: `${pod.node} is disrupted but runs unowned ${pod.name}` });
  }
  const evictedPerDrain = new Map<string, Map<number, number>>();
  running.forEach((pod, k) => {
    if (!removed.has(pod.node as string)) return;
    const counts = evictedPerDrain.get(pod.node as string) ?? new Map<number, number>();
    for (const i of pdbsOf[k] ?? []) counts.set(i, (counts.get(i) ?? 0) + 1);
    if ((pdbsOf[k] ?? []).length > 1) violations.push({ kind: 'pdb', message: `${pod.name} is matched by several PDBs and cannot be evicted` });
    evictedPerDrain.set(pod.node as string, counts);
  });
  for (const [name, counts] of evictedPerDrain) {
    for (const [i, n] of counts) {
      const pdb = problem.pdbs[i] as PodDisruptionBudget;
      const allowed = allowedDisruptions(pdb, matchedCount[i] ?? 0);
      if (n > allowed) violations.push({ kind: 'pdb', message: `draining ${name} evicts ${n} pods of PDB ${pdb.namespace}/${pdb.name}, which allows ${allowed}` });
    }
  }
  const keptNames = new Set(plan.nodes.map((n) => n.name));
  for (const node of problem.nodes) {
    if (!removed.has(node.name) && !keptNames.has(node.name)) violations.push({ kind: 'budget', message: `${node.name} is neither kept nor removed` });
  }
  for (const node of problem.nodes) {
    if (removed.has(node.name) && node.annotations[DO_NOT_DISRUPT] === 'true') violations.push({ kind: 'do-not-disrupt', message: `${node.name} is annotated do-not-disrupt` });
  }
}
