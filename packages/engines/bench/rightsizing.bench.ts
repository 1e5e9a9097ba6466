/**
 * Benchmark: VPA (re-implemented) vs CloudOptim rightsizing on the Bitbrains trace (30 VMs, 5-minute samples,
 * July 2013), walk-forward: a recommendation at t sees only samples before t and is judged on the samples up
 * to the next one; usage above the memory request is fed back as an OOM kill to both recommenders.
 *
 *   node --expose-gc --import tsx packages/engines/bench/rightsizing.bench.ts
 *
 * Initial requests = the VM's provisioned CPU and memory; first recommendation after 24 h of warm-up.
 * Primary run: re-recommend every hour (requests applied in place). Secondary run: every 24 h.
 * Prices weigh CPU against memory: OpenCost's default $0.031611 per vCPU-hour and $0.004237 per GiB-hour.
 * Compute time: median latency of the pure `recommendVpa` / `recommendCloudOptim` calls (from scratch, full
 * history before t) at 20 decision times per VM, median of 3 rounds. The last stdout line is one JSON object.
 */
import { loadWorkloadTrace, type WorkloadSeries } from '@cloudoptim/market';
import {
  type CloudOptimStateOptions,
  type ContainerResources,
  type ContainerUsageSample,
  recommendCloudOptim,
  recommendVpa,
  type ResourcePrices,
  walkForwardRightsizing,
  type WalkForwardResult,
} from '../src/rightsizing/index.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PRICES: ResourcePrices = { cpuUsdPerVcpuHour: 0.031611, memoryUsdPerGibHour: 0.004237 };
const VPA_OPTS = { sampleIntervalMs: 5 * 60_000 };
const round = (x: number, d = 4): number => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

interface Prepared {
  vm: WorkloadSeries;
  samples: ContainerUsageSample[];
  initial: ContainerResources;
  startMs: number;
}

const trace = loadWorkloadTrace();
const prepared: Prepared[] = trace.map((vm) => {
  const s0 = vm.samples[0];
  if (!s0) throw new Error(`VM ${vm.vmId} has no samples`);
  return {
    vm,
    samples: vm.samples.map((s) => ({ timeMs: s.timeMs, cpuMillicores: s.cpuUsageMillicores, memoryBytes: s.memoryUsageBytes })),
    initial: { cpuRequestMillicores: s0.cpuProvisionedMillicores, memoryRequestBytes: s0.memoryProvisionedBytes, cpuLimitMillicores: null, memoryLimitBytes: null },
    startMs: Math.ceil((s0.timeMs + DAY) / HOUR) * HOUR,
  };
});

interface Pooled {
  cpuReq: number;
  cpuIdle: number;
  memReq: number;
  memIdle: number;
  oom: number;
  throttle: number;
  samples: number;
  costReq: number;
  costIdle: number;
  perVm: { vmId: number; cpuSlack: number; memorySlack: number; costSlack: number; oomShare: number; throttleShare: number; confidence: number }[];
  wallMs: number;
}

function run(recommender: 'vpa' | 'cloudoptim', everyMs: number, cloudoptim: CloudOptimStateOptions = {}): Pooled {
  const p: Pooled = { cpuReq: 0, cpuIdle: 0, memReq: 0, memIdle: 0, oom: 0, throttle: 0, samples: 0, costReq: 0, costIdle: 0, perVm: [], wallMs: 0 };
  const t0 = performance.now();
  for (const v of prepared) {
    const r: WalkForwardResult = walkForwardRightsizing(v.samples, { recommender, initial: v.initial, startMs: v.startMs, reRecommendEveryMs: everyMs, prices: PRICES, vpa: VPA_OPTS, cloudoptim });
    const n = r.samples;
    p.cpuReq += r.cpu.meanRequest * n;
    p.cpuIdle += r.cpu.slack * r.cpu.meanRequest * n;
    p.memReq += r.memory.meanRequest * n;
    p.memIdle += r.memory.slack * r.memory.meanRequest * n;
    p.oom += r.memory.overCount;
    p.throttle += r.cpu.overCount;
    p.samples += n;
    p.costReq += r.requestedCostUsd;
    p.costIdle += r.idleCostUsd;
    const row: VmRow = {
      vmId: v.vm.vmId, cpuSlack: r.cpu.slack, memorySlack: r.memory.slack, costSlack: r.costSlack, oomShare: r.memory.overShare, throttleShare: r.cpu.overShare, confidence: r.meanConfidence,
      cpuReq: r.cpu.meanRequest * n, cpuIdle: r.cpu.slack * r.cpu.meanRequest * n, memReq: r.memory.meanRequest * n, memIdle: r.memory.slack * r.memory.meanRequest * n,
      oom: r.memory.overCount, throttle: r.cpu.overCount, samples: n, costReq: r.requestedCostUsd, costIdle: r.idleCostUsd,
    };
    p.perVm.push(row);
  }
  p.wallMs = performance.now() - t0;
  return p;
}

type VmRow = Pooled['perVm'][number] & { cpuReq: number; cpuIdle: number; memReq: number; memIdle: number; oom: number; throttle: number; samples: number; costReq: number; costIdle: number };

function summary(p: Pooled, group: 'all' | 'odd' | 'even' = 'all', baseline?: Pooled) {
  const keep = (vmId: number): boolean => group === 'all' || (group === 'odd' ? vmId % 2 === 1 : vmId % 2 === 0);
  const rows = (p.perVm as VmRow[]).filter((x) => keep(x.vmId));
  const sum = (f: (x: VmRow) => number): number => rows.reduce((a, x) => a + f(x), 0);
  const mean = (f: (x: VmRow) => number): number => sum(f) / rows.length;
  const base = baseline ? (baseline.perVm as VmRow[]).filter((x) => keep(x.vmId)) : undefined;
  return {
    vms: rows.length,
    cost_slack: round(sum((x) => x.costIdle) / sum((x) => x.costReq)),
    cpu_slack: round(sum((x) => x.cpuIdle) / sum((x) => x.cpuReq)),
    memory_slack: round(sum((x) => x.memIdle) / sum((x) => x.memReq)),
    oom_proxy: round(sum((x) => x.oom) / sum((x) => x.samples), 5),
    throttle_proxy: round(sum((x) => x.throttle) / sum((x) => x.samples), 5),
    mean_vm_cost_slack: round(mean((x) => x.costSlack)),
    mean_vm_memory_slack: round(mean((x) => x.memorySlack)),
    mean_vm_oom_proxy: round(mean((x) => x.oomShare), 5),
    median_vm_oom_proxy: round(median(rows.map((x) => x.oomShare)), 5),
    vms_without_oom: rows.filter((x) => x.oomShare === 0).length,
    vms_with_more_oom_than_vpa: base ? rows.filter((x, k) => x.oomShare > (base[k]?.oomShare ?? 0)).length : null,
    walk_forward_wall_ms: Math.round(p.wallMs),
  };
}

console.log(`rightsizing benchmark — node ${process.version}, ${prepared.length} VMs, ${prepared.reduce((a, v) => a + v.samples.length, 0)} samples; 2 cores, shared machine`);
console.log('CloudOptim defaults tuned on the odd-numbered VMs only (bench/rightsizing.tune.ts); even VMs are held out.');
type Summary = ReturnType<typeof summary>;
const results: Record<string, { odd: Summary; even: Summary; all: Summary }> = {};
const medianWall = (xs: Pooled[]): Pooled => [...xs].sort((a, b) => a.wallMs - b.wallMs)[xs.length >> 1] as Pooled;
const runs: Record<string, Pooled> = {};
// Timed replays: 3 rounds each for the hourly runs (median wall time), 1 for the rest (deterministic numbers).
runs.vpa_1h = medianWall([0, 1, 2].map(() => run('vpa', HOUR)));
runs.cloudoptim_1h = medianWall([0, 1, 2].map(() => run('cloudoptim', HOUR)));
runs.vpa_24h = run('vpa', DAY);
runs.cloudoptim_24h = run('cloudoptim', DAY);
// Ablations and the trade-off curve (not tuned further): the previous defaults (memory p90 margin, no per-container
// peak floor), the new margin without the peak floor, and the CPU quantile that brings throttling to VPA's level.
runs.cloudoptim_previous_defaults_1h = run('cloudoptim', HOUR, { cpuQuantile: 0.93, peakFloorMinAvoidedPerGibHour: Number.POSITIVE_INFINITY });
// The first attempt of this change (memory p60 margin + peak floor, CPU p93), chosen on the odd VMs by pooled numbers only.
runs.cloudoptim_first_attempt_1h = run('cloudoptim', HOUR, { memoryQuantile: 0.6, cpuQuantile: 0.93 });
runs.cloudoptim_no_peak_floor_1h = run('cloudoptim', HOUR, { peakFloorMinAvoidedPerGibHour: Number.POSITIVE_INFINITY });
runs.cloudoptim_cpu_q98_1h = run('cloudoptim', HOUR, { cpuQuantile: 0.98 });
for (const [key, p] of Object.entries(runs)) {
  const base = key.endsWith('24h') ? runs.vpa_24h : runs.vpa_1h;
  results[key] = { odd: summary(p, 'odd', base), even: summary(p, 'even', base), all: summary(p, 'all', base) };
  for (const g of ['odd', 'even', 'all'] as const) {
    const x = results[key]?.[g];
    const b = key.endsWith('24h') ? results.vpa_24h?.[g] : results.vpa_1h?.[g];
    if (!x) continue;
    const r = (a: number, c: number | undefined): string => (c ? ` (${(a / c).toFixed(2)}×)` : '');
    console.log(
      `${key.padEnd(24)} ${g.padEnd(4)} cost slack ${x.cost_slack.toFixed(3)}${r(x.cost_slack, b?.cost_slack)}  cpu ${x.cpu_slack.toFixed(3)}${r(x.cpu_slack, b?.cpu_slack)}  mem ${x.memory_slack.toFixed(3)}${r(x.memory_slack, b?.memory_slack)}  ` +
        `OOM ${(x.oom_proxy * 100).toFixed(3)}%${r(x.oom_proxy, b?.oom_proxy)} median/VM ${(x.median_vm_oom_proxy * 100).toFixed(3)}% worse-than-VPA VMs ${x.vms_with_more_oom_than_vpa}/${x.vms}  throttle ${(x.throttle_proxy * 100).toFixed(2)}%${r(x.throttle_proxy, b?.throttle_proxy)}  ${x.walk_forward_wall_ms} ms`,
    );
  }
}

console.log('\nper VM, re-recommend every 1 h (cost slack / memory slack / OOM proxy / throttle proxy):');
const co1 = runs.cloudoptim_1h?.perVm ?? [];
(runs.vpa_1h?.perVm ?? []).forEach((a, k) => {
  const b = co1[k];
  if (!b) return;
  console.log(
    `  vm${String(a.vmId).padStart(2)}  vpa ${a.costSlack.toFixed(3)} / ${a.memorySlack.toFixed(3)} / ${a.oomShare.toFixed(4)} / ${a.throttleShare.toFixed(3)}   cloudoptim ${b.costSlack.toFixed(3)} / ${b.memorySlack.toFixed(3)} / ${b.oomShare.toFixed(4)} / ${b.throttleShare.toFixed(3)}`,
  );
});

// Perfect foresight (not a recommender, a bound): each hour's request = that hour's memory peak (≥ floor).
let oracleReq = 0;
let oracleIdle = 0;
for (const v of prepared) {
  const peaks = new Map<number, number>();
  for (const s of v.samples) if (s.timeMs >= v.startMs) peaks.set(Math.floor((s.timeMs - v.startMs) / HOUR), Math.max(peaks.get(Math.floor((s.timeMs - v.startMs) / HOUR)) ?? 250 * 1024 * 1024, s.memoryBytes));
  for (const s of v.samples) {
    if (s.timeMs < v.startMs) continue;
    const r = peaks.get(Math.floor((s.timeMs - v.startMs) / HOUR)) as number;
    oracleReq += r;
    oracleIdle += r - s.memoryBytes;
  }
}
const oracleMemorySlack = round(oracleIdle / oracleReq);
console.log(`perfect-foresight hourly memory peak (zero OOM, 250 MiB floor): memory slack ${oracleMemorySlack}`);

// Compute time of the pure functions, from scratch at each decision time (full history before t).
const latency = { vpa: [] as number[], cloudoptim: [] as number[] };
for (let round3 = 0; round3 < 3; round3++) {
  const per = { vpa: [] as number[], cloudoptim: [] as number[] };
  for (const v of prepared) {
    const last = (v.samples[v.samples.length - 1] as ContainerUsageSample).timeMs;
    for (let k = 0; k < 20; k++) {
      const now = v.startMs + Math.floor(((last - v.startMs) * k) / 20 / HOUR) * HOUR;
      const input = { containerId: `vm${v.vm.vmId}`, samples: v.samples, current: v.initial };
      let t = performance.now();
      recommendVpa(input, { ...VPA_OPTS, now });
      per.vpa.push(performance.now() - t);
      t = performance.now();
      recommendCloudOptim(input, { now });
      per.cloudoptim.push(performance.now() - t);
    }
  }
  latency.vpa.push(median(per.vpa));
  latency.cloudoptim.push(median(per.cloudoptim));
}
const vpaMs = median(latency.vpa);
const coMs = median(latency.cloudoptim);
const decisions = (runs.cloudoptim_1h?.perVm.length ?? 0) > 0 ? prepared.reduce((a, v) => a + Math.floor(((v.samples[v.samples.length - 1] as ContainerUsageSample).timeMs - v.startMs) / HOUR) + 1, 0) : 0;
const coIncMs = (runs.cloudoptim_1h?.wallMs ?? 0) / Math.max(1, decisions);
console.log(`\nlatency per recommendation from scratch (median of 3 rounds × 600 calls): vpa ${vpaMs.toFixed(3)} ms, cloudoptim ${coMs.toFixed(3)} ms`);
console.log(`walk-forward 30 VMs hourly (median of 3): vpa ${Math.round(runs.vpa_1h?.wallMs ?? 0)} ms, cloudoptim ${Math.round(runs.cloudoptim_1h?.wallMs ?? 0)} ms (${decisions} decisions, ${coIncMs.toFixed(3)} ms each incl. the replay)`);

const v1 = results.vpa_1h;
const c1 = results.cloudoptim_1h;
const v24 = results.vpa_24h;
const c24 = results.cloudoptim_24h;
if (!v1 || !c1 || !v24 || !c24) throw new Error('missing run');
const ratio = (a: number, b: number): number => (b === 0 ? (a === 0 ? 1 : Infinity) : round(a / b, 3));
const ratios: Record<string, number> = {};
for (const g of ['all', 'even', 'odd'] as const) {
  ratios[`cost_slack_1h_${g}`] = ratio(c1[g].cost_slack, v1[g].cost_slack);
  ratios[`cpu_slack_1h_${g}`] = ratio(c1[g].cpu_slack, v1[g].cpu_slack);
  ratios[`memory_slack_1h_${g}`] = ratio(c1[g].memory_slack, v1[g].memory_slack);
  ratios[`oom_proxy_1h_${g}`] = ratio(c1[g].oom_proxy, v1[g].oom_proxy);
  ratios[`median_vm_oom_proxy_1h_${g}`] = ratio(c1[g].median_vm_oom_proxy, v1[g].median_vm_oom_proxy);
  ratios[`throttle_proxy_1h_${g}`] = ratio(c1[g].throttle_proxy, v1[g].throttle_proxy);
}
ratios.cost_slack_24h_all = ratio(c24.all.cost_slack, v24.all.cost_slack);
ratios.oom_proxy_24h_all = ratio(c24.all.oom_proxy, v24.all.oom_proxy);
ratios.latency_from_scratch_cloudoptim_vs_vpa = ratio(coMs, vpaMs);
ratios.walk_forward_wall_cloudoptim_vs_vpa = ratio(runs.cloudoptim_1h?.wallMs ?? 0, runs.vpa_1h?.wallMs ?? 1);
const goal = {
  all: { cost_slack_le_0_8x: (ratios.cost_slack_1h_all ?? 9) <= 0.8, oom_proxy_le_1x: (ratios.oom_proxy_1h_all ?? 9) <= 1, vms_with_more_oom_than_vpa: c1.all.vms_with_more_oom_than_vpa },
  even_held_out: { cost_slack_le_0_8x: (ratios.cost_slack_1h_even ?? 9) <= 0.8, oom_proxy_le_1x: (ratios.oom_proxy_1h_even ?? 9) <= 1, vms_with_more_oom_than_vpa: c1.even.vms_with_more_oom_than_vpa },
};
console.log(`goal (≤ 0.8× VPA cost slack at ≤ 1.0× its OOM proxy), 1 h: ${JSON.stringify(goal)}`);
console.log(
  JSON.stringify({
    name: 'rightsizing',
    results: { ...results, oracle_hourly_peak_memory_slack: oracleMemorySlack, latency_vpa_ms: round(vpaMs, 3), latency_cloudoptim_ms: round(coMs, 3), cloudoptim_incremental_ms_per_decision: round(coIncMs, 3), goal },
    ratios,
    notes:
      `node ${process.version}; 2-core shared machine; Bitbrains 30 VMs walk-forward (24 h warm-up, re-recommend every 1 h and every 24 h, usage over the memory request fed back as OOM); ` +
      'CloudOptim parameters tuned on odd VMs only, even VMs held out; slack = Σ max(0, request − usage) / Σ request over 5-min samples (pooled over VMs); cost slack weighs CPU and memory at OpenCost default prices; ' +
      'OOM proxy = share of samples with memory usage > memory request; throttle proxy = share with CPU usage > CPU request; floors 25 m / 250 MiB for both; latency = median per call from scratch; walk-forward wall = median of 3.',
  }),
);
