/**
 * Benchmark: bin packing and consolidation.
 *
 *   node --expose-gc --import tsx packages/engines/bench/bin-packing.bench.ts
 *
 * Pack: 5,000 seeded pods (bin-packing-problems.ts) onto 400 real instance types (Karpenter allocatable,
 * us-east-1 on-demand prices). Compared in one run: CloudOptim pack (with HiGHS) vs a Karpenter-like
 * first-fit-decreasing baseline (implemented here) vs the proven LP lower bound.
 * Consolidate: 500 nodes / 5,000 pods drifted cluster; time of all single-node evaluations and of the full
 * multi-node plan, its savings and its ratio to the bound. Timings: median of several runs, after a warm-up.
 * The last stdout line is the JSON result.
 */
import { loadMarket } from '@cloudoptim/market';
import {
  type BinPackProblem,
  checkPlan,
  createHighsLpSolver,
  evaluateCandidates,
  type InstanceTypeOffer,
  type Pod,
  solveBinPacking,
} from '../src/bin-packing/index.ts';
import { fitsIn, offerLabels, podAdmitsNode, podDemand, usableCapacity } from '../src/bin-packing/feasibility.ts';
import { consolidationProblem, packProblem, realInstanceTypes } from './bin-packing-problems.ts';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

/** Wall and CPU (user + system of this process) milliseconds, medians over `runs` after one warm-up. */
function time<T>(runs: number, fn: () => T): { ms: number; cpuMs: number; all: number[]; value: T } {
  let value = fn(); // warm-up (JIT, HiGHS WASM compilation)
  const all: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    gc();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    value = fn();
    all.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { ms: median(all), cpuMs: median(cpu), all: all.map((x) => round(x, 1)), value };
}

/**
 * Karpenter-like provisioning: pods sorted by CPU then memory, descending; each pod goes to the first open
 * NodeClaim that can still take it (some instance option admits it and holds all its pods), else opens a new
 * NodeClaim whose options are every offering × zone that admits and holds the pod; at launch each NodeClaim
 * becomes its cheapest remaining option.
 */
function karpenterFfd(problem: BinPackProblem): { cost: number; nodes: number; unplaced: number } {
  const options = problem.instanceTypes.flatMap((offer) =>
    offer.zones.map((zone) => ({ offer, labels: offerLabels(offer, zone), cap: usableCapacity(offer, problem.options.daemonsetOverhead) })),
  );
  type Option = (typeof options)[number];
  const claims: { opts: Option[]; used: number[]; max: number[] }[] = [];
  const pods = problem.pods.filter((p) => p.owner?.kind !== 'DaemonSet').sort((a, b) => b.cpuMillis - a.cpuMillis || b.memoryMib - a.memoryMib);
  const admitCache = new Map<string, boolean>();
  const admits = (pod: Pod, o: Option) => {
    const key = `${JSON.stringify([pod.nodeSelector, pod.tolerations])}|${o.offer.name}|${o.labels['topology.kubernetes.io/zone']}`;
    let v = admitCache.get(key);
    if (v === undefined) admitCache.set(key, (v = podAdmitsNode(pod, o.labels, o.offer.taints)));
    return v;
  };
  let unplaced = 0;
  for (const pod of pods) {
    const d = podDemand(pod);
    let placed = false;
    for (const claim of claims) {
      const next = claim.used.map((u, r) => u + (d[r] as number));
      if (next.some((x, r) => x > (claim.max[r] as number))) continue;
      const opts = claim.opts.filter((o) => fitsIn(next, o.cap) && admits(pod, o));
      if (!opts.length) continue;
      claim.opts = opts;
      claim.used = next;
      claim.max = [0, 1, 2, 3].map((r) => Math.max(...opts.map((o) => o.cap[r] as number)));
      placed = true;
      break;
    }
    if (placed) continue;
    const opts = options.filter((o) => fitsIn(d, o.cap) && admits(pod, o));
    if (!opts.length) {
      unplaced++;
      continue;
    }
    claims.push({ opts, used: [...d], max: [0, 1, 2, 3].map((r) => Math.max(...opts.map((o) => o.cap[r] as number))) });
  }
  const cost = claims.reduce((s, c) => s + Math.min(...c.opts.map((o) => o.offer.priceUsdPerHour)), 0);
  return { cost, nodes: claims.length, unplaced };
}

const market = loadMarket();
const types: InstanceTypeOffer[] = realInstanceTypes(market, 400);
const highs = await (await import('highs')).default();
const lpSolver = createHighsLpSolver(highs);
console.log(`${types.length} instance types from the catalog (us-east-1 on-demand); machine: 2 shared cores`);

// ---- pack: 5,000 pods, 400 types, five seeds
const packRows: { seed: number; pods: number; cloudoptim: number; ffd: number; bound: number; ms: number; cpuMs: number; ffdMs: number; nodes: number; ffdNodes: number; violations: number; unplaced: number }[] = [];
for (const seed of [1, 2, 3, 4, 5]) {
  const problem = packProblem(types, 5000, seed);
  const run = time(5, () => solveBinPacking(problem, { lpSolver }));
  const plan = run.value;
  const ffd = time(3, () => karpenterFfd(problem));
  const violations = checkPlan(problem, plan).length;
  packRows.push({
    seed,
    pods: problem.pods.length,
    cloudoptim: round(plan.costUsdPerHour, 4),
    ffd: round(ffd.value.cost, 4),
    bound: round(plan.lowerBound.valueUsdPerHour, 4),
    ms: round(run.ms, 1),
    cpuMs: round(run.cpuMs, 1),
    ffdMs: round(ffd.ms, 1),
    nodes: plan.nodes.length,
    ffdNodes: ffd.value.nodes,
    violations,
    unplaced: plan.unplaced.length,
  });
  console.log(
    `pack seed ${seed}: ${problem.pods.length} pods → CloudOptim $${round(plan.costUsdPerHour, 3)}/h on ${plan.nodes.length} nodes in ${round(run.ms, 1)} ms wall / ${round(run.cpuMs, 1)} ms CPU (runs ${run.all.join(', ')}); ` +
      `Karpenter-like FFD $${round(ffd.value.cost, 3)}/h on ${ffd.value.nodes} nodes; LP bound $${round(plan.lowerBound.valueUsdPerHour, 3)}/h ` +
      `(×${round(plan.costUsdPerHour / plan.lowerBound.valueUsdPerHour, 4)} of bound, ×${round(plan.costUsdPerHour / ffd.value.cost, 4)} of FFD); ` +
      `LP ${plan.lowerBound.lpColumns} cols × ${plan.lowerBound.lpRows} rows; violations ${violations}; unplaced ${plan.unplaced.length}`,
  );
}

// ---- consolidate: 500 nodes, 5,000 pods
const consRows: { seed: number; nodes: number; pods: number; singleMs: number; singleCpuMs: number; planMs: number; planCpuMs: number; initial: number; after: number; bound: number; removed: number; budget: number; moves: number; violations: number; blocked: number }[] = [];
for (const seed of [11, 12, 13]) {
  const problem = consolidationProblem(types, 500, 5000, seed);
  const single = time(3, () => evaluateCandidates(problem, lpSolver));
  const run = time(3, () => solveBinPacking(problem, { lpSolver }));
  const plan = run.value;
  const violations = checkPlan(problem, plan).length;
  const workload = problem.pods.filter((p) => p.owner?.kind !== 'DaemonSet').length;
  consRows.push({
    seed,
    nodes: problem.nodes.length,
    pods: workload,
    singleMs: round(single.ms, 1),
    singleCpuMs: round(single.cpuMs, 1),
    planMs: round(run.ms, 1),
    planCpuMs: round(run.cpuMs, 1),
    initial: round(plan.initialCostUsdPerHour, 4),
    after: round(plan.costUsdPerHour, 4),
    bound: round(plan.lowerBound.valueUsdPerHour, 4),
    removed: plan.removedNodes.length,
    budget: plan.disruptionBudget,
    moves: plan.moves.length,
    violations,
    blocked: single.value.filter((c) => c.action === 'blocked').length,
  });
  console.log(
    `consolidate seed ${seed}: ${problem.nodes.length} nodes, ${workload} pods; single-node candidates ${round(single.ms, 1)} ms wall / ${round(single.cpuMs, 1)} ms CPU (runs ${single.all.join(', ')}); ` +
      `plan ${round(run.ms, 1)} ms wall / ${round(run.cpuMs, 1)} ms CPU (runs ${run.all.join(', ')}); $${round(plan.initialCostUsdPerHour, 3)} → $${round(plan.costUsdPerHour, 3)}/h, ` +
      `${plan.removedNodes.length}/${plan.disruptionBudget} nodes disrupted, ${plan.moves.length} moves; bound $${round(plan.lowerBound.valueUsdPerHour, 3)}/h ` +
      `(×${round(plan.costUsdPerHour / plan.lowerBound.valueUsdPerHour, 4)}); violations ${violations}`,
  );
}

const worst = <T>(rows: T[], f: (r: T) => number) => Math.max(...rows.map(f));
const result = {
  name: 'bin-packing',
  results: {
    machine: '2 shared cores',
    instance_types: types.length,
    pack: packRows,
    consolidate: consRows,
  },
  ratios: {
    pack_cost_vs_lp_bound_worst: round(worst(packRows, (r) => r.cloudoptim / r.bound), 4),
    pack_cost_vs_ffd_worst: round(worst(packRows, (r) => r.cloudoptim / r.ffd), 4),
    pack_ms_median_worst: worst(packRows, (r) => r.ms),
    pack_cpu_ms_median_worst: worst(packRows, (r) => r.cpuMs),
    consolidate_after_vs_bound_worst: round(worst(consRows, (r) => r.after / r.bound), 4),
    consolidate_single_node_ms_worst: worst(consRows, (r) => r.singleMs),
    consolidate_single_node_cpu_ms_worst: worst(consRows, (r) => r.singleCpuMs),
    consolidate_plan_ms_worst: worst(consRows, (r) => r.planMs),
    consolidate_plan_cpu_ms_worst: worst(consRows, (r) => r.planCpuMs),
  },
  notes: 'goals: pack ≤500 ms, ≤1.03× LP bound, ≤0.93× Karpenter-like FFD; consolidate single-node ≤1 s, plan ≤2 s, ≤1.05× bound after. Median of 5 (pack) / 3 (consolidate) runs on 2 shared cores.',
};
console.log(JSON.stringify(result));
