/**
 * Does a pending pod fit one of the cluster's nodes as they are? The scheduler's main predicates over the
 * reported state: the node is Ready and schedulable, has the CPU, memory, GPUs and a pod slot free, matches the
 * node selector and the required zone/type/capacity/architecture, and every NoSchedule/NoExecute taint is
 * tolerated. Required node-affinity terms are matched too (In, NotIn, Exists, DoesNotExist on node labels).
 * A pod that fits somewhere is the scheduler's business (it will place it), not a reason to add capacity.
 */
import type { NodeMetric, NodeSelectorRequirement, PendingPod, Taint, Toleration } from '@cloudoptim/contracts';

const ZONE_LABEL = 'topology.kubernetes.io/zone';

function tolerates(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => {
    if (t.effect !== null && t.effect !== taint.effect) return false;
    if (t.key === null) return t.operator === 'Exists';
    if (t.key !== taint.key) return false;
    return t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '');
  });
}

function requirementHolds(r: NodeSelectorRequirement, labels: Record<string, string>): boolean {
  const value = labels[r.key];
  switch (r.operator) {
    case 'In':
      return value !== undefined && r.values.includes(value);
    case 'NotIn':
      return value === undefined || !r.values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
      return value !== undefined && Number(value) > Number(r.values[0]);
    case 'Lt':
      return value !== undefined && Number(value) < Number(r.values[0]);
  }
}

/** Whether `pod` could be scheduled on `node` now. */
export function fitsNode(pod: PendingPod, node: NodeMetric): boolean {
  const req = pod.requirements;
  if (!node.ready || node.unschedulable) return false;
  if (node.cpu_allocatable_millicores - node.cpu_allocated_millicores < req.cpu_request_millicores) return false;
  if (node.memory_allocatable_bytes - node.memory_allocated_bytes < req.memory_request_bytes) return false;
  if (req.gpu_count > (node.gpu_allocatable ?? 0)) return false;
  if (node.pods_allocatable !== undefined && node.pod_count >= node.pods_allocatable) return false;
  if (req.zones.length > 0 && !req.zones.includes(node.availability_zone)) return false;
  if (req.instance_types.length > 0 && !req.instance_types.includes(node.instance_type)) return false;
  if (req.capacity_type !== null && req.capacity_type !== node.node_type) return false;
  if (req.architecture !== null && node.architecture !== undefined && req.architecture !== node.architecture) return false;
  const labels: Record<string, string> = { [ZONE_LABEL]: node.availability_zone, ...node.labels };
  if (Object.entries(req.node_selector).some(([k, v]) => labels[k] !== v)) return false;
  if (req.node_affinity.length > 0 && !req.node_affinity.some((term) => term.match_expressions.every((r) => requirementHolds(r, labels)))) return false;
  return node.taints.every((taint) => taint.effect === 'PreferNoSchedule' || tolerates(req.tolerations, taint));
}

/** A node younger than this that is not Ready yet is still joining: capacity on its way, not missing. */
export const JOINING_NODE_MS = 10 * 60_000;

function joining(node: NodeMetric, nowMs: number): boolean {
  return !node.ready && !node.unschedulable && node.created_at !== undefined && nowMs - Date.parse(node.created_at) < JOINING_NODE_MS;
}

/**
 * The pending pods no node can take, except those of excluded namespaces and those pending for less than
 * `minPendingMs`. A node still joining counts as if Ready, as Karpenter counts its in-flight nodes: pods waiting
 * for it are not a reason to launch more.
 */
export function unschedulablePods(pending: readonly PendingPod[], nodes: readonly NodeMetric[], options: { nowMs: number; minPendingMs: number; excludedNamespaces: readonly string[] }): PendingPod[] {
  const usable = nodes.map((node) => (joining(node, options.nowMs) ? { ...node, ready: true } : node));
  return pending.filter(
    (pod) =>
      !options.excludedNamespaces.includes(pod.namespace) &&
      options.nowMs - Date.parse(pod.pending_since) >= options.minPendingMs &&
      !usable.some((node) => fitsNode(pod, node)),
  );
}
