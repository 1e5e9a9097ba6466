/**
 * Seeded synthetic but realistic bin-packing problems for the benchmark, on the real catalog: instance types
 * with Karpenter's allocatable CPU/memory/pods and us-east-1 on-demand prices from the market package.
 *
 * Pods come from deployments: replica counts heavy-tailed (most deployments have 1–5 replicas, a few 50+),
 * CPU requests from the round values people write (50m … 8 CPU, mostly 100m–1 CPU), memory from a
 * per-deployment MiB-per-core ratio (1–8 GiB per core, with memory-heavy caches), rounded to 64 MiB.
 * Constraints: ~70 % select kubernetes.io/arch=amd64, ~10 % arm64, ~20 % run on both; ~5 % are zone-pinned
 * (stateful sets); ~1 % need one GPU and tolerate the nvidia.com/gpu taint.
 */
import type { Market } from '@cloudoptim/market';
import type { BinPackProblem, ExistingNode, InstanceTypeOffer, Pod, PodDisruptionBudget } from '../src/bin-packing/index.ts';
import { createRng, type Rng } from '../src/rng.ts';

export const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
export const DAEMONSET_OVERHEAD = { cpuMillis: 200, memoryMib: 300, pods: 4 };

function pick<T>(rng: Rng, weighted: readonly (readonly [T, number])[]): T {
  const total = weighted.reduce((s, [, w]) => s + w, 0);
  let x = rng.next() * total;
  for (const [v, w] of weighted) {
    x -= w;
    if (x < 0) return v;
  }
  return (weighted.at(-1) as readonly [T, number])[0];
}

/** 400 offerings: general purpose, compute and memory families (x86 and Graviton) plus GPU families, from the catalog. */
export function realInstanceTypes(market: Market, count = 400, seed = 7): InstanceTypeOffer[] {
  const prices = market.onDemandPrices('us-east-1');
  const eligible = market.instanceTypes().filter((t) => {
    const a = t.karpenterAllocatable;
    const price = prices.get(t.instanceType)?.usdPerHour;
    if (!a || !price || !t.currentGeneration || !t.architecture) return false;
    if ((t.gpuCount ?? 0) > 0) return ['g4dn', 'g5', 'g6'].includes(t.family) && (a.nvidiaGpu ?? 0) > 0;
    return ['c', 'm', 'r'].includes(t.category) && !t.bareMetal;
  });
  const gpu = eligible.filter((t) => (t.gpuCount ?? 0) > 0);
  const cpu = eligible.filter((t) => (t.gpuCount ?? 0) === 0);
  const rng = createRng(seed);
  const shuffled = [...cpu];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j] as (typeof cpu)[number], shuffled[i] as (typeof cpu)[number]];
  }
  const chosen = [...gpu.slice(0, 24), ...shuffled].slice(0, count).sort((a, b) => a.instanceType.localeCompare(b.instanceType));
  return chosen.map((t) => {
    const a = t.karpenterAllocatable as NonNullable<typeof t.karpenterAllocatable>;
    const gpus = a.nvidiaGpu ?? 0;
    return {
      name: t.instanceType,
      cpuMillis: a.cpuMillicores,
      memoryMib: a.memoryMib,
      pods: a.pods,
      gpus,
      priceUsdPerHour: prices.get(t.instanceType)?.usdPerHour as number,
      zones: ZONES,
      capacityType: 'on-demand',
      architecture: t.architecture as string,
      labels: {},
      taints: gpus > 0 ? [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' as const }] : [],
    };
  });
}

interface Deployment {
  name: string;
  replicas: number;
  cpuMillis: number;
  memoryMib: number;
  gpus: number;
  nodeSelector: Record<string, string>;
  tolerations: Pod['tolerations'];
}

function deployments(rng: Rng, podCount: number): Deployment[] {
  const out: Deployment[] = [];
  let total = 0;
  for (let i = 0; total < podCount; i++) {
    const replicas = Math.min(podCount - total, Math.max(1, Math.round(Math.exp(rng.normal() * 1.1 + 1.3))));
    const gpu = rng.next() < 0.01;
    const cpuMillis = gpu ? pick(rng, [[2000, 1], [4000, 1], [8000, 1]]) : pick(rng, [[50, 6], [100, 14], [200, 10], [250, 12], [500, 16], [750, 4], [1000, 14], [1500, 5], [2000, 9], [4000, 5], [8000, 2]] as const);
    const gibPerCore = gpu ? 4 : pick(rng, [[1, 20], [2, 35], [4, 30], [8, 12], [16, 3]] as const);
    const memoryMib = Math.max(64, Math.round((cpuMillis / 1000) * gibPerCore * 1024 * (0.75 + rng.next() * 0.5) / 64) * 64);
    const arch = gpu ? 'amd64' : pick(rng, [['amd64', 70], ['arm64', 10], ['', 20]] as const);
    const zonePinned = !gpu && rng.next() < 0.05;
    const nodeSelector: Record<string, string> = {};
    if (arch) nodeSelector['kubernetes.io/arch'] = arch;
    if (zonePinned) nodeSelector['topology.kubernetes.io/zone'] = ZONES[rng.int(ZONES.length)] as string;
    out.push({
      name: `app-${i}`,
      replicas,
      cpuMillis,
      memoryMib,
      gpus: gpu ? 1 : 0,
      nodeSelector,
      tolerations: gpu ? [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] : [],
    });
    total += replicas;
  }
  return out;
}

function podsOf(deps: readonly Deployment[], rng: Rng): Pod[] {
  return deps.flatMap((d) =>
    Array.from({ length: d.replicas }, (_, r): Pod => ({
      name: `${d.name}-${r}`,
      namespace: `team-${d.name.length % 7}`,
      cpuMillis: d.cpuMillis,
      memoryMib: d.memoryMib,
      gpus: d.gpus,
      nodeSelector: d.nodeSelector,
      nodeAffinity: [],
      tolerations: d.tolerations,
      labels: { app: d.name },
      annotations: rng.next() < 0.003 ? { 'karpenter.sh/do-not-disrupt': 'true' } : {},
      owner: { kind: 'ReplicaSet', name: `${d.name}-rs` },
      node: null,
    })),
  );
}

/** `podCount` pods to pack onto new nodes of `types`. */
export function packProblem(types: InstanceTypeOffer[], podCount: number, seed: number): BinPackProblem {
  const rng = createRng(seed);
  return {
    instanceTypes: types,
    nodes: [],
    pods: podsOf(deployments(rng, podCount), rng),
    pdbs: [],
    options: { mode: 'pack', maxDisruptedNodes: 0, daemonsetOverhead: DAEMONSET_OVERHEAD, evictUnownedPods: false, allowReplacement: true },
  };
}

/**
 * A cluster that drifted: `nodeCount` nodes of 4–64 vCPU types hold `podCount` pods placed at random (the
 * first of up to 30 random nodes that admits the pod and stays under a per-node fill target of 35–85 %), so
 * utilisation is uneven, as after scale-downs. PDBs (max_unavailable 1 or 25 %) on deployments with ≥ 3 replicas.
 */
export function consolidationProblem(types: InstanceTypeOffer[], nodeCount: number, podCount: number, seed: number, budget: number | string = '10%'): BinPackProblem {
  const rng = createRng(seed);
  const deps = deployments(rng, podCount);
  const pods = podsOf(deps, rng);
  const small = types.filter((t) => t.gpus === 0 && t.cpuMillis >= 3900 && t.cpuMillis <= 64_000);
  const gpuTypes = types.filter((t) => t.gpus > 0 && t.cpuMillis <= 16_000);
  const gpuPods = pods.filter((p) => p.gpus > 0).length;
  const nodes: (ExistingNode & { cap: number[]; used: number[]; target: number; arch: string })[] = [];
  for (let i = 0; i < nodeCount; i++) {
    const gpu = i < Math.ceil(gpuPods * 1.2);
    const pool = gpu ? gpuTypes : small;
    const t = pool[rng.int(pool.length)] as InstanceTypeOffer;
    const zone = ZONES[i % ZONES.length] as string;
    nodes.push({
      name: `ip-10-${Math.floor(i / 250)}-${i % 250}-${rng.int(250)}.ec2.internal`,
      instanceType: t.name,
      zone,
      capacityType: 'on-demand',
      labels: {},
      taints: t.taints,
      annotations: {},
      cap: [t.cpuMillis - DAEMONSET_OVERHEAD.cpuMillis, t.memoryMib - DAEMONSET_OVERHEAD.memoryMib, t.pods - DAEMONSET_OVERHEAD.pods, t.gpus],
      used: [0, 0, 0, 0],
      target: 0.35 + rng.next() * 0.5,
      arch: t.architecture === 'arm64' ? 'arm64' : 'amd64',
    });
  }
  const admits = (pod: Pod, n: (typeof nodes)[number]) =>
    (pod.nodeSelector['kubernetes.io/arch'] === undefined || pod.nodeSelector['kubernetes.io/arch'] === n.arch) &&
    (pod.nodeSelector['topology.kubernetes.io/zone'] === undefined || pod.nodeSelector['topology.kubernetes.io/zone'] === n.zone) &&
    (n.taints.length === 0 || pod.tolerations.length > 0);
  const fits = (pod: Pod, n: (typeof nodes)[number], fill: number) => {
    const d = [pod.cpuMillis, pod.memoryMib, 1, pod.gpus];
    return d.every((x, r) => (n.used[r] as number) + x <= (n.cap[r] as number) * (r === 2 || r === 3 ? 1 : fill));
  };
  const placed: Pod[] = [];
  for (const pod of [...pods].sort((a, b) => b.cpuMillis - a.cpuMillis)) {
    let target: (typeof nodes)[number] | undefined;
    for (let k = 0; k < 30 && !target; k++) {
      const n = nodes[rng.int(nodes.length)] as (typeof nodes)[number];
      if (admits(pod, n) && fits(pod, n, n.target)) target = n;
    }
    target ??= nodes.find((n) => admits(pod, n) && fits(pod, n, 1));
    if (!target) continue; // the drifted cluster simply does not run it
    target.used = target.used.map((u, r) => u + [pod.cpuMillis, pod.memoryMib, 1, pod.gpus][r]!);
    placed.push({ ...pod, node: target.name });
  }
  const daemon: Pod[] = nodes.map((n) => ({
    name: `kube-proxy-${n.name}`,
    namespace: 'kube-system',
    cpuMillis: 100,
    memoryMib: 128,
    gpus: 0,
    nodeSelector: {},
    nodeAffinity: [],
    tolerations: [{ operator: 'Exists' }],
    labels: { app: 'kube-proxy' },
    annotations: {},
    owner: { kind: 'DaemonSet', name: 'kube-proxy' },
    node: n.name,
  }));
  const pdbs: PodDisruptionBudget[] = deps
    .filter((d) => d.replicas >= 3)
    .map((d) => ({ name: d.name, namespace: `team-${d.name.length % 7}`, selector: { app: d.name }, ...(rng.next() < 0.5 ? { maxUnavailable: 1 } : { maxUnavailable: '25%' }) }));
  return {
    instanceTypes: types,
    nodes: nodes.map(({ cap: _c, used: _u, target: _t, arch: _a, ...n }) => n),
    pods: [...placed, ...daemon],
    pdbs,
    options: { mode: 'consolidate', maxDisruptedNodes: budget, daemonsetOverhead: DAEMONSET_OVERHEAD, evictUnownedPods: false, allowReplacement: true },
  };
}
