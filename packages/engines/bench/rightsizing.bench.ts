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

function run(recommender: 'vpa' | 'cloudoptim', everyMs: number, cloudoptim: { memoryQuantile?: number } = {}): Pooled {
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
    p.perVm.push({ vmId: v.vm.vmId, cpuSlack: r.cpu.slack, memorySlack: r.memory.slack, costSlack: r.costSlack, oomShare: r.memory.overShare, throttleShare: r.cpu.overShare, confidence: r.meanConfidence });
  }
  p.wallMs = performance.now() - t0;
  return p;
}

function summary(p: Pooled) {
  const mean = (f: (x: Pooled['perVm'][number]) => number): number => p.perVm.reduce((a, x) => a + f(x), 0) / p.perVm.length;
  return {
    cost_slack: round(p.costIdle / p.costReq),
    cpu_slack: round(p.cpuIdle / p.cpuReq),
    memory_slack: round(p.memIdle / p.memReq),
    oom_proxy: round(p.oom / p.samples, 5),
    throttle_proxy: round(p.throttle / p.samples, 5),
    mean_vm_cost_slack: round(mean((x) => x.costSlack)),
    mean_vm_cpu_slack: round(mean((x) => x.cpuSlack)),
    mean_vm_memory_slack: round(mean((x) => x.memorySlack)),
    mean_vm_oom_proxy: round(mean((x) => x.oomShare), 5),
    mean_vm_throttle_proxy: round(mean((x) => x.throttleShare), 5),
    median_vm_oom_proxy: round(median(p.perVm.map((x) => x.oomShare)), 5),
    vms_without_oom: p.perVm.filter((x) => x.oomShare === 0).length,
    requested_usd: round(p.costReq, 2),
    idle_usd: round(p.costIdle, 2),
    samples: p.samples,
    walk_forward_wall_ms: Math.round(p.wallMs),
  };
}

console.log(`rightsizing benchmark — node ${process.version}, ${prepared.length} VMs, ${prepared.reduce((a, v) => a + v.samples.length, 0)} samples; 2 cores, shared machine`);
const results: Record<string, ReturnType<typeof summary>> = {};
const perVm: Record<string, Pooled['perVm']> = {};
for (const [label, every] of [['1h', HOUR], ['24h', DAY]] as const) {
  for (const rec of ['vpa', 'cloudoptim'] as const) {
    const p = run(rec, every);
    results[`${rec}_${label}`] = summary(p);
    perVm[`${rec}_${label}`] = p.perVm;
    const s = results[`${rec}_${label}`];
    console.log(
      `${`${rec} every ${label}`.padEnd(22)} cost slack ${s?.cost_slack.toFixed(3)}  cpu slack ${s?.cpu_slack.toFixed(3)}  mem slack ${s?.memory_slack.toFixed(3)}  OOM proxy ${s?.oom_proxy.toFixed(5)}  throttle ${s?.throttle_proxy.toFixed(4)}  ` +
        `(per-VM mean: cost ${s?.mean_vm_cost_slack.toFixed(3)} mem ${s?.mean_vm_memory_slack.toFixed(3)} OOM ${s?.mean_vm_oom_proxy.toFixed(5)}; per-VM median OOM ${s?.median_vm_oom_proxy.toFixed(5)})  ${s?.walk_forward_wall_ms} ms`,
    );
  }
}

{
  // Sensitivity: a more cautious memory margin (p98 of past peak misses instead of the default p90).
  const p = run('cloudoptim', HOUR, { memoryQuantile: 0.98 });
  const s = summary(p);
  results.cloudoptim_mem_p98_1h = s;
  perVm.cloudoptim_mem_p98_1h = p.perVm;
  console.log(`${'cloudoptim p98 every 1h'.padEnd(22)} cost slack ${s.cost_slack.toFixed(3)}  cpu slack ${s.cpu_slack.toFixed(3)}  mem slack ${s.memory_slack.toFixed(3)}  OOM proxy ${s.oom_proxy.toFixed(5)}  throttle ${s.throttle_proxy.toFixed(4)}  (per-VM mean: cost ${s.mean_vm_cost_slack.toFixed(3)} mem ${s.mean_vm_memory_slack.toFixed(3)} OOM ${s.mean_vm_oom_proxy.toFixed(5)})  ${s.walk_forward_wall_ms} ms`);
}

console.log('\nper VM, re-recommend every 1 h (cost slack / memory slack / OOM proxy / throttle proxy):');
const vpa1 = perVm.vpa_1h ?? [];
const co1 = perVm.cloudoptim_1h ?? [];
const co98 = perVm.cloudoptim_mem_p98_1h ?? [];
let worseOom = 0;
let worseOom98 = 0;
vpa1.forEach((a, k) => {
  const b = co1[k];
  if (!b) return;
  if (b.oomShare > a.oomShare) worseOom++;
  if ((co98[k]?.oomShare ?? 0) > a.oomShare) worseOom98++;
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

// Compute time of the pure functions, from scratch at each decision time.
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
console.log(`\nlatency per recommendation (median of 3 rounds × 600 calls): vpa ${vpaMs.toFixed(3)} ms, cloudoptim ${coMs.toFixed(3)} ms`);

const v1 = results.vpa_1h;
const c1 = results.cloudoptim_1h;
const v24 = results.vpa_24h;
const c24 = results.cloudoptim_24h;
const c98 = results.cloudoptim_mem_p98_1h;
if (!v1 || !c1 || !v24 || !c24 || !c98) throw new Error('missing run');
const ratio = (a: number, b: number): number => (b === 0 ? (a === 0 ? 1 : Infinity) : round(a / b, 3));
const ratios = {
  cost_slack_1h: ratio(c1.cost_slack, v1.cost_slack),
  cpu_slack_1h: ratio(c1.cpu_slack, v1.cpu_slack),
  memory_slack_1h: ratio(c1.memory_slack, v1.memory_slack),
  oom_proxy_1h: ratio(c1.oom_proxy, v1.oom_proxy),
  throttle_proxy_1h: ratio(c1.throttle_proxy, v1.throttle_proxy),
  mean_vm_cost_slack_1h: ratio(c1.mean_vm_cost_slack, v1.mean_vm_cost_slack),
  mean_vm_memory_slack_1h: ratio(c1.mean_vm_memory_slack, v1.mean_vm_memory_slack),
  mean_vm_oom_proxy_1h: ratio(c1.mean_vm_oom_proxy, v1.mean_vm_oom_proxy),
  median_vm_oom_proxy_1h: ratio(c1.median_vm_oom_proxy, v1.median_vm_oom_proxy),
  cost_slack_24h: ratio(c24.cost_slack, v24.cost_slack),
  memory_slack_24h: ratio(c24.memory_slack, v24.memory_slack),
  oom_proxy_24h: ratio(c24.oom_proxy, v24.oom_proxy),
  throttle_proxy_24h: ratio(c24.throttle_proxy, v24.throttle_proxy),
  latency_cloudoptim_vs_vpa: ratio(coMs, vpaMs),
  cost_slack_1h_mem_p98: ratio(c98.cost_slack, v1.cost_slack),
  memory_slack_1h_mem_p98: ratio(c98.memory_slack, v1.memory_slack),
  oom_proxy_1h_mem_p98: ratio(c98.oom_proxy, v1.oom_proxy),
  mean_vm_oom_proxy_1h_mem_p98: ratio(c98.mean_vm_oom_proxy, v1.mean_vm_oom_proxy),
};
const goal = {
  cost_slack_le_0_8x_vpa_1h: ratios.cost_slack_1h <= 0.8,
  memory_slack_le_0_8x_vpa_1h: ratios.memory_slack_1h <= 0.8,
  cpu_slack_le_0_8x_vpa_1h: ratios.cpu_slack_1h <= 0.8,
  oom_proxy_le_1x_vpa_1h: ratios.oom_proxy_1h <= 1,
  vms_with_higher_oom_than_vpa_1h: worseOom,
  vms_with_higher_oom_than_vpa_1h_mem_p98: worseOom98,
};
console.log(`goal (≤ 0.8× VPA slack at ≤ 1.0× its OOM proxy), 1 h: ${JSON.stringify(goal)}`);
console.log(
  JSON.stringify({
    name: 'rightsizing',
    results: { ...results, oracle_hourly_peak_memory_slack: oracleMemorySlack, latency_vpa_ms: round(vpaMs, 3), latency_cloudoptim_ms: round(coMs, 3), goal },
    ratios,
    notes:
      `node ${process.version}; 2-core shared machine; Bitbrains 30 VMs walk-forward (24 h warm-up, re-recommend every 1 h and every 24 h, usage over the memory request fed back as OOM); ` +
      'slack = Σ max(0, request − usage) / Σ request over 5-min samples (pooled over VMs; mean_vm_* = mean of per-VM values); cost slack weighs CPU and memory at OpenCost default prices; ' +
      'OOM proxy = share of samples with memory usage > memory request; throttle proxy = share with CPU usage > CPU request; floors 25 m / 250 MiB for both; latency = median per call from scratch.',
  }),
);
