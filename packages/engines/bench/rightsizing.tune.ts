/**
 * Parameter sweep for CloudOptim's rightsizing on the ODD-numbered Bitbrains VMs only (the even ones are held
 * out for rightsizing.bench.ts). Usage: node --import tsx packages/engines/bench/rightsizing.tune.ts '<json list of option sets>' [odd|even|all] [per-vm]
 * Prints, per option set, pooled cost/CPU/memory slack, OOM and throttle proxies as ratios to VPA on the same VMs.
 */
import { loadWorkloadTrace } from '@cloudoptim/market';
import { type CloudOptimStateOptions, type ResourcePrices, walkForwardRightsizing } from '../src/rightsizing/index.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PRICES: ResourcePrices = { cpuUsdPerVcpuHour: 0.031611, memoryUsdPerGibHour: 0.004237 };
const which = process.argv[3] ?? 'odd';
const vms = loadWorkloadTrace()
  .filter((vm) => (which === 'all' ? true : which === 'even' ? vm.vmId % 2 === 0 : vm.vmId % 2 === 1))
  .map((vm) => {
    const s0 = vm.samples[0];
    if (!s0) throw new Error('empty VM');
    return {
      vmId: vm.vmId,
      samples: vm.samples.map((s) => ({ timeMs: s.timeMs, cpuMillicores: s.cpuUsageMillicores, memoryBytes: s.memoryUsageBytes })),
      initial: { cpuRequestMillicores: s0.cpuProvisionedMillicores, memoryRequestBytes: s0.memoryProvisionedBytes, cpuLimitMillicores: null, memoryLimitBytes: null },
      startMs: Math.ceil((s0.timeMs + DAY) / HOUR) * HOUR,
    };
  });

function run(recommender: 'vpa' | 'cloudoptim', cloudoptim: CloudOptimStateOptions) {
  let costReq = 0, costIdle = 0, cpuReq = 0, cpuIdle = 0, memReq = 0, memIdle = 0, oom = 0, thr = 0, n = 0;
  const perVmOom: number[] = [];
  const rows: string[] = [];
  const t0 = performance.now();
  for (const v of vms) {
    const r = walkForwardRightsizing(v.samples, { recommender, initial: v.initial, startMs: v.startMs, prices: PRICES, vpa: { sampleIntervalMs: 300_000 }, cloudoptim });
    costReq += r.requestedCostUsd; costIdle += r.idleCostUsd;
    cpuReq += r.cpu.meanRequest * r.samples; cpuIdle += r.cpu.slack * r.cpu.meanRequest * r.samples;
    memReq += r.memory.meanRequest * r.samples; memIdle += r.memory.slack * r.memory.meanRequest * r.samples;
    oom += r.memory.overCount; thr += r.cpu.overCount; n += r.samples;
    perVmOom.push(r.memory.overShare);
    rows.push(`vm${v.vmId} memReq ${(r.memory.meanRequest / 2 ** 30).toFixed(2)} use ${(r.memory.meanUsage / 2 ** 30).toFixed(2)} GiB oom ${r.memory.overCount} | cpuReq ${r.cpu.meanRequest.toFixed(0)} use ${r.cpu.meanUsage.toFixed(0)} thr ${r.cpu.overCount}`);
  }
  if (process.argv[4] === 'per-vm') console.log(recommender, '\n' + rows.join('\n'));
  return { cost: costIdle / costReq, cpu: cpuIdle / cpuReq, mem: memIdle / memReq, oom: oom / n, thr: thr / n, perVmOom, ms: performance.now() - t0 };
}

const vpa = run('vpa', {});
const sets: CloudOptimStateOptions[] = JSON.parse(process.argv[2] ?? '[{}]');
const med = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };
console.log(`${which} VMs (${vms.length}); VPA cost ${vpa.cost.toFixed(3)} cpu ${vpa.cpu.toFixed(3)} mem ${vpa.mem.toFixed(3)} oom ${(vpa.oom * 100).toFixed(3)}% thr ${(vpa.thr * 100).toFixed(2)}% medOOM ${(med(vpa.perVmOom) * 100).toFixed(3)}%`);
for (const o of sets) {
  const c = run('cloudoptim', o);
  const worse = c.perVmOom.filter((x, k) => x > vpa.perVmOom[k]!).length;
  console.log(
    `cost ${(c.cost / vpa.cost).toFixed(3)}× cpu ${(c.cpu / vpa.cpu).toFixed(3)}× mem ${(c.mem / vpa.mem).toFixed(3)}× oom ${(c.oom / vpa.oom).toFixed(3)}× (${(c.oom * 100).toFixed(3)}%) thr ${(c.thr / vpa.thr).toFixed(2)}× medOOM ${(med(c.perVmOom) * 100).toFixed(3)}% worseVMs ${worse}/${vms.length}  ${Math.round(c.ms)} ms  ${JSON.stringify(o)}`,
  );
}
