/**
 * What a pending pod needs from a node (PodRequirements): summed requests (the larger of the containers' sum
 * and the biggest init container, as the scheduler counts), GPUs, node selector, tolerations, and what its
 * node selector and required node affinity pin down — zones, instance types, capacity type, architecture —
 * plus the raw affinity terms. A value is "pinned" only when every affinity term restricts it (terms are ORed).
 */
import {
  AvailabilityZoneSchema,
  InstanceTypeSchema,
  LabelKeySchema,
  LabelValueSchema,
  NodeSelectorRequirementSchema,
  TolerationSchema,
  type CapacityType,
  type CpuArchitecture,
  type NodeSelectorRequirement,
  type PodRequirements,
  type Toleration,
} from '@cloudoptim/contracts';
import type { KubePod } from '@cloudoptim/kube';

const ZONE_KEYS = ['topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone'];
const TYPE_KEYS = ['node.kubernetes.io/instance-type', 'beta.kubernetes.io/instance-type'];
const CAPACITY_KEYS = ['karpenter.sh/capacity-type', 'eks.amazonaws.com/capacityType', 'node.kubernetes.io/lifecycle'];
const ARCH_KEYS = ['kubernetes.io/arch', 'beta.kubernetes.io/arch'];

/** CPU millicores and memory bytes a pod asks for (containers' sum vs the largest init container). */
export function effectiveRequests(pod: KubePod): { cpuMillicores: number; memoryBytes: number; gpus: number } {
  const sum = (f: (c: KubePod['containers'][number]) => number) => pod.containers.reduce((s, c) => s + f(c), 0);
  const maxInit = (f: (c: KubePod['containers'][number]) => number) => pod.initContainers.reduce((m, c) => Math.max(m, f(c)), 0);
  return {
    cpuMillicores: Math.max(sum((c) => c.cpuRequestMillicores), maxInit((c) => c.cpuRequestMillicores)),
    memoryBytes: Math.max(sum((c) => c.memoryRequestBytes), maxInit((c) => c.memoryRequestBytes)),
    gpus: Math.max(sum((c) => c.gpuRequest), maxInit((c) => c.gpuRequest)),
  };
}

/** Label-valid entries only (a malformed label cannot be sent). */
export function validLabels(labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (LabelKeySchema.safeParse(k).success && LabelValueSchema.safeParse(v).success) out[k] = v;
  return out;
}

/** The tolerations the DefaultTolerationSeconds admission plugin adds to every pod. */
function isDefaultToleration(t: KubePod['tolerations'][number]): boolean {
  return (t.key === 'node.kubernetes.io/not-ready' || t.key === 'node.kubernetes.io/unreachable') && t.operator === 'Exists' && t.effect === 'NoExecute' && t.tolerationSeconds === 300;
}

/** Tolerations in wire form, without Kubernetes' defaults; invalid ones are left out. */
export function wireTolerations(tolerations: KubePod['tolerations']): Toleration[] {
  return tolerations.flatMap((t) => {
    if (isDefaultToleration(t)) return [];
    const w = { key: t.key, operator: t.operator, value: t.value, effect: t.effect, toleration_seconds: t.tolerationSeconds };
    return TolerationSchema.safeParse(w).success ? [w] : [];
  });
}

const capacityOf = (v: string): CapacityType | null => {
  const x = v.toLowerCase().replace('_', '-');
  return x === 'spot' ? 'spot' : x === 'on-demand' || x === 'normal' ? 'on-demand' : null;
};
const archOf = (v: string): CpuArchitecture | null => (v === 'amd64' || v === 'x86_64' ? 'x86_64' : v === 'arm64' || v === 'aarch64' ? 'arm64' : null);

/**
 * The values a pod is restricted to for one of `keys`: from the node selector, else the intersection over
 * the affinity terms (each term's `In` values); null when unrestricted.
 */
function pinned(pod: KubePod, keys: string[]): string[] | null {
  for (const k of keys) {
    const v = pod.nodeSelector[k];
    if (v !== undefined) return [v];
  }
  const terms = pod.requiredNodeAffinity;
  if (terms.length === 0) return null;
  const perTerm = terms.map((term) => {
    const req = term.find((r) => keys.includes(r.key) && r.operator === 'In');
    return req ? req.values : null;
  });
  if (perTerm.some((v) => v === null)) return null;
  return [...new Set(perTerm.flat() as string[])];
}

function wireTerms(pod: KubePod): Array<{ match_expressions: NodeSelectorRequirement[] }> {
  return pod.requiredNodeAffinity.flatMap((term) => {
    const exprs = term.flatMap((r) => {
      const parsed = NodeSelectorRequirementSchema.safeParse({ key: r.key, operator: r.operator, values: r.values });
      return parsed.success ? [parsed.data] : [];
    });
    return exprs.length > 0 ? [{ match_expressions: exprs }] : [];
  });
}

/** See the module comment. */
export function podRequirements(pod: KubePod): PodRequirements {
  const req = effectiveRequests(pod);
  const zones = (pinned(pod, ZONE_KEYS) ?? []).filter((z) => AvailabilityZoneSchema.safeParse(z).success);
  const types = (pinned(pod, TYPE_KEYS) ?? []).filter((t) => InstanceTypeSchema.safeParse(t).success);
  const capacity = [...new Set((pinned(pod, CAPACITY_KEYS) ?? []).map(capacityOf))];
  const arch = [...new Set((pinned(pod, ARCH_KEYS) ?? []).map(archOf))];
  return {
    cpu_request_millicores: req.cpuMillicores,
    memory_request_bytes: req.memoryBytes,
    gpu_count: req.gpus,
    node_selector: validLabels(pod.nodeSelector),
    tolerations: wireTolerations(pod.tolerations),
    zones,
    instance_types: types,
    capacity_type: capacity.length === 1 ? capacity[0]! : null,
    architecture: arch.length === 1 ? arch[0]! : null,
    node_affinity: wireTerms(pod),
  };
}
