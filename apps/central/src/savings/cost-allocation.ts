/**
 * Cost allocation, OpenCost style (SPEC §5 flow 9): each node's hourly price is split between its CPU and its
 * memory, and each pod on the node is charged for what it requests of each; what no pod requests is the
 * node's idle cost, shown apart. Pods then add up per namespace and per workload.
 *
 * The CPU/memory split uses OpenCost's default on-demand rates as relative weights — 0.031611 USD per vCPU-hour
 * against 0.004237 USD per GiB-hour — applied to the node's own allocatable CPU and memory (the instance's
 * ratio), so an m5.large (2 vCPU, 8 GiB) puts 65% of its price on CPU and a memory-optimised r5.large
 * (2 vCPU, 16 GiB) 48%. When requests exceed what the node can allocate (a node under pressure), the pods share
 * the resource's cost in proportion to their requests and its idle cost is zero.
 *
 * Pure: prices and the pod snapshot come in; O(nodes + pods).
 */

/** OpenCost's default on-demand rates, used only for their ratio. */
export const CPU_WEIGHT_USD_PER_CORE_HOUR = 0.031611;
export const MEMORY_WEIGHT_USD_PER_GIB_HOUR = 0.004237;
const GB_PER_GIB = 1024 ** 3 / 1e9;

export interface AllocationNode {
  nodeName: string;
  cpuAllocatableCores: number;
  /** GB (10^9 bytes). */
  memoryAllocatableGb: number;
  /** The node's price now, USD per hour. */
  usdPerHour: number;
}

export interface AllocationPod {
  namespace: string;
  podName: string;
  nodeName: string | null;
  owner: { kind: string; name: string } | null;
  cpuRequestMillicores: number;
  memoryRequestBytes: number;
}

/** A cost split by resource, USD per hour. */
export interface CostShare {
  cpu: number;
  memory: number;
  total: number;
}

export interface AllocationGroup extends CostShare {
  /** `namespace` for namespaces; `namespace/Kind/name` for workloads (`namespace/Pod/name` for bare pods). */
  key: string;
  namespace: string;
  kind: string | null;
  name: string | null;
  pods: number;
}

export interface CostAllocation {
  /** Every node's price, USD per hour. */
  total: CostShare;
  /** What no pod requests. */
  idle: CostShare;
  namespaces: AllocationGroup[];
  workloads: AllocationGroup[];
  /** Pods on a node CloudOptim has no price for (not charged). */
  unpricedPods: number;
}

const r6 = (usd: number) => Math.round(usd * 1e6) / 1e6;
const share = (cpu: number, memory: number): CostShare => ({ cpu: r6(cpu), memory: r6(memory), total: r6(cpu + memory) });

/** The fraction of a node's price that is its CPU (the rest is memory). */
export function cpuFraction(cpuCores: number, memoryGb: number): number {
  const cpu = cpuCores * CPU_WEIGHT_USD_PER_CORE_HOUR;
  const memory = (memoryGb / GB_PER_GIB) * MEMORY_WEIGHT_USD_PER_GIB_HOUR;
  return cpu + memory > 0 ? cpu / (cpu + memory) : 0.5;
}

export function allocateCosts(nodes: readonly AllocationNode[], pods: readonly AllocationPod[]): CostAllocation {
  const byNode = new Map<string, AllocationPod[]>();
  let unpricedPods = 0;
  const nodeNames = new Set(nodes.map((n) => n.nodeName));
  for (const pod of pods) {
    if (pod.nodeName === null) continue; // unscheduled: runs nowhere, costs nothing yet
    if (!nodeNames.has(pod.nodeName)) {
      unpricedPods++;
      continue;
    }
    byNode.set(pod.nodeName, [...(byNode.get(pod.nodeName) ?? []), pod]);
  }

  const groups = new Map<string, AllocationGroup>();
  const charge = (key: string, base: Omit<AllocationGroup, 'cpu' | 'memory' | 'total' | 'pods'>, cpu: number, memory: number) => {
    const g = groups.get(key) ?? { ...base, cpu: 0, memory: 0, total: 0, pods: 0 };
    g.cpu += cpu;
    g.memory += memory;
    g.pods += 1;
    groups.set(key, g);
  };
  let totalCpu = 0;
  let totalMemory = 0;
  let idleCpu = 0;
  let idleMemory = 0;
  for (const node of nodes) {
    const cpuCost = node.usdPerHour * cpuFraction(node.cpuAllocatableCores, node.memoryAllocatableGb);
    const memoryCost = node.usdPerHour - cpuCost;
    totalCpu += cpuCost;
    totalMemory += memoryCost;
    const onNode = byNode.get(node.nodeName) ?? [];
    const requestedCores = onNode.reduce((s, p) => s + p.cpuRequestMillicores / 1000, 0);
    const requestedGb = onNode.reduce((s, p) => s + p.memoryRequestBytes / 1e9, 0);
    // Per unit requested: the allocatable price, or — when requests exceed allocatable — the whole cost shared.
    const perCore = requestedCores > 0 ? cpuCost / Math.max(node.cpuAllocatableCores, requestedCores) : 0;
    const perGb = requestedGb > 0 ? memoryCost / Math.max(node.memoryAllocatableGb, requestedGb) : 0;
    idleCpu += cpuCost - perCore * requestedCores;
    idleMemory += memoryCost - perGb * requestedGb;
    for (const pod of onNode) {
      const cpu = (perCore * pod.cpuRequestMillicores) / 1000;
      const memory = (perGb * pod.memoryRequestBytes) / 1e9;
      charge(`ns:${pod.namespace}`, { key: pod.namespace, namespace: pod.namespace, kind: null, name: null }, cpu, memory);
      const kind = pod.owner?.kind ?? 'Pod';
      const name = pod.owner?.name ?? pod.podName;
      const key = `${pod.namespace}/${kind}/${name}`;
      charge(`wl:${key}`, { key, namespace: pod.namespace, kind, name }, cpu, memory);
    }
  }
  const finish = (prefix: string) =>
    [...groups.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .map(([, g]) => ({ ...g, ...share(g.cpu, g.memory) }))
      .sort((a, b) => b.total - a.total || a.key.localeCompare(b.key));
  return { total: share(totalCpu, totalMemory), idle: share(Math.max(0, idleCpu), Math.max(0, idleMemory)), namespaces: finish('ns:'), workloads: finish('wl:'), unpricedPods };
}
