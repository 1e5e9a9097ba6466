/** Builders with defaults for tests of the bin-packing engine (not part of the public API). */
import type { BinPackOptions, BinPackProblem, ExistingNode, InstanceTypeOffer, Pod, PodDisruptionBudget } from './problem.ts';

export function offer(name: string, cpuMillis: number, memoryMib: number, priceUsdPerHour: number, extra: Partial<InstanceTypeOffer> = {}): InstanceTypeOffer {
  return { name, cpuMillis, memoryMib, pods: 110, gpus: 0, priceUsdPerHour, zones: ['z1'], capacityType: 'on-demand', architecture: 'x86_64', labels: {}, taints: [], ...extra };
}

export function pod(name: string, cpuMillis: number, memoryMib: number, extra: Partial<Pod> = {}): Pod {
  return {
    name,
    namespace: 'default',
    cpuMillis,
    memoryMib,
    gpus: 0,
    nodeSelector: {},
    nodeAffinity: [],
    tolerations: [],
    labels: { app: name.replace(/-\d+$/, '') },
    annotations: {},
    owner: { kind: 'ReplicaSet', name: `${name.replace(/-\d+$/, '')}-rs` },
    node: null,
    ...extra,
  };
}

export function node(name: string, instanceType: string, extra: Partial<ExistingNode> = {}): ExistingNode {
  return { name, instanceType, zone: 'z1', capacityType: 'on-demand', labels: {}, taints: [], annotations: {}, ...extra };
}

export function pdb(name: string, selector: Record<string, string>, budget: Pick<PodDisruptionBudget, 'minAvailable' | 'maxUnavailable'>): PodDisruptionBudget {
  return { name, namespace: 'default', selector, ...budget };
}

export function problem(parts: Partial<Omit<BinPackProblem, 'options'>> & { options?: Partial<BinPackOptions> }): BinPackProblem {
  return {
    instanceTypes: parts.instanceTypes ?? [],
    nodes: parts.nodes ?? [],
    pods: parts.pods ?? [],
    pdbs: parts.pdbs ?? [],
    options: {
      mode: 'pack',
      maxDisruptedNodes: '100%',
      daemonsetOverhead: { cpuMillis: 0, memoryMib: 0, pods: 0 },
      evictUnownedPods: false,
      allowReplacement: true,
      ...parts.options,
    },
  };
}
