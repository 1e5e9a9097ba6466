/**
 * Benchmark: market data load and fit-query throughput.
 *
 *   node --expose-gc --import tsx packages/market/bench/market-load.bench.ts
 *
 * Measures in one process: (a) baseline = raw JSON.parse of the four JSON files (no validation, no indexes);
 * (b) loadMarket (catalog + prices + advisor latest, validated and indexed; cache disabled so every run reads
 * the files); (c) loadSpotPriceHistory. Wall time = median of N runs; heap = heap used after GC minus heap
 * used after GC before the load, with the result kept alive. Fit queries: indexed findInstanceTypes vs a naive
 * linear filter over the whole catalog with map lookups and a sort. The last stdout line is one JSON object.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DATA_FILES,
  defaultDataDir,
  type InstanceOffer,
  type InstanceRequirement,
  loadMarket,
  loadSpotPriceHistory,
  type Market,
} from '../src/index.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('run with node --expose-gc --import tsx packages/market/bench/market-load.bench.ts');
  process.exit(2);
}
const collect = gc;

const dataDir = defaultDataDir();
const JSON_FILES = [DATA_FILES.instanceTypes, DATA_FILES.onDemandPrices, DATA_FILES.onDemandPricesKarpenter, DATA_FILES.spotAdvisorLatest];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Heap used + ArrayBuffer backing stores (typed arrays live outside the JS heap), after GC. */
function heapAfterGc(): { heap: number; buffers: number } {
  collect();
  collect();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers };
}

const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;
const MB = 1024 * 1024;
const sink: unknown[] = [];

/** Wall times (ms) of `runs` calls; a separate frame so no result outlives it (V8 keeps the last awaited value). */
async function timeRuns(runs: number, fn: () => unknown): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    collect();
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return times;
}

/** Heap used (and ArrayBuffers) after GC with one result of `fn` alive, minus before (MB). */
async function retainedMb(fn: () => unknown): Promise<{ heapMb: number; buffersMb: number }> {
  const before = heapAfterGc();
  sink.push(await fn());
  const after = heapAfterGc();
  sink.length = 0;
  return { heapMb: (after.heap - before.heap) / MB, buffersMb: (after.buffers - before.buffers) / MB };
}

/** Median wall ms over `runs` and the retained heap (MB) of one more run. */
async function measure(label: string, runs: number, fn: () => unknown): Promise<{ medianMs: number; minMs: number; heapMb: number; buffersMb: number; runs: number }> {
  const times = await timeRuns(runs, fn);
  const mem = await retainedMb(fn);
  const r = { medianMs: round(median(times)), minMs: round(Math.min(...times)), heapMb: round(mem.heapMb), buffersMb: round(mem.buffersMb), runs };
  console.log(
    `${label.padEnd(36)} median ${r.medianMs.toFixed(1).padStart(8)} ms   min ${r.minMs.toFixed(1).padStart(8)} ms   retained heap ${r.heapMb.toFixed(1)} MB + buffers ${r.buffersMb.toFixed(1)} MB   (${runs} runs)`,
  );
  return r;
}

function rawJsonParse(): unknown[] {
  return JSON_FILES.map((f) => JSON.parse(readFileSync(join(dataDir, f), 'utf8')) as unknown);
}

/** Naive baseline: scan the whole catalog, look prices/advisor up in the Market's maps, then sort. */
function naiveFind(m: Market, r: InstanceRequirement): InstanceOffer[] {
  const out: InstanceOffer[] = [];
  const maxG = r.maxGpus ?? ((r.minGpus ?? 0) > 0 ? Infinity : 0);
  for (const t of m.instanceTypes()) {
    if (t.vcpu === null || t.memoryGib === null || t.architecture === null) continue;
    const onDemand = m.onDemandPrice(r.region, t.instanceType);
    if (!onDemand) continue;
    if (r.minVcpu !== undefined && t.vcpu < r.minVcpu) continue;
    if (r.maxVcpu !== undefined && t.vcpu > r.maxVcpu) continue;
    if (r.minMemoryGib !== undefined && t.memoryGib < r.minMemoryGib) continue;
    if (r.maxMemoryGib !== undefined && t.memoryGib > r.maxMemoryGib) continue;
    if (r.architecture && t.architecture !== r.architecture) continue;
    const g = t.gpuCount ?? 0;
    if (g < (r.minGpus ?? 0) || g > maxG) continue;
    if (g === 0 && t.gpuName !== null && ((r.minGpus ?? 0) > 0 || maxG < 1)) continue; // fractional GPU
    const spotAdvisor = m.spotAdvisor(r.region, t.instanceType) ?? null;
    out.push({ instanceType: t.instanceType, region: r.region, instance: t, onDemand, spotAdvisor, spotEligible: spotAdvisor !== null });
  }
  return out.sort((a, b) => a.onDemand.usdPerHour - b.onDemand.usdPerHour);
}

function throughput(fn: (i: number) => unknown, minMs = 500): number {
  for (let i = 0; i < 2000; i++) fn(i); // warm-up
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < minMs) {
    for (let i = 0; i < 500; i++) fn(n++);
    t = performance.now();
  }
  return n / ((t - t0) / 1000);
}

console.log(`market-load benchmark — node ${process.version}, data ${dataDir}`);
const baseline = await measure('(a) raw JSON.parse (4 files)', 9, rawJsonParse);
const market = await measure('(b) loadMarket (validated+indexed)', 9, () => loadMarket({ cache: false }));
const history = await measure('(c) loadSpotPriceHistory', 5, () => loadSpotPriceHistory());

const m = loadMarket({ cache: false });
const regions = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-south-1', 'sa-east-1'];
const reqs: InstanceRequirement[] = [];
for (const region of regions) {
  for (const [v, mem] of [[2, 8], [4, 16], [8, 32], [16, 64], [2, 4], [32, 128]] as const) {
    reqs.push({ region, minVcpu: v, minMemoryGib: mem });
    reqs.push({ region, minVcpu: v, maxVcpu: v * 2, minMemoryGib: mem, architecture: 'arm64' });
  }
}
// sanity: both implementations agree on every query
for (const r of reqs) {
  const a = m.findInstanceTypes(r).map((o) => o.instanceType).join();
  const b = naiveFind(m, r).map((o) => o.instanceType).join();
  if (a.split(',').sort().join() !== b.split(',').sort().join()) throw new Error(`indexed and naive disagree on ${JSON.stringify(r)}`);
}
const indexedQps = throughput((i) => m.findInstanceTypes(reqs[i % reqs.length] as InstanceRequirement));
const naiveQps = throughput((i) => naiveFind(m, reqs[i % reqs.length] as InstanceRequirement));
console.log(`fit query indexed: ${Math.round(indexedQps).toLocaleString()} q/s (${round(1e6 / indexedQps)} µs/query)`);
console.log(`fit query naive:   ${Math.round(naiveQps).toLocaleString()} q/s (${round(1e6 / naiveQps)} µs/query)`);

const results = {
  baseline_raw_json_parse_ms: baseline.medianMs,
  baseline_raw_json_parse_heap_mb: baseline.heapMb,
  load_market_ms: market.medianMs,
  load_market_min_ms: market.minMs,
  load_market_heap_mb: market.heapMb,
  load_spot_price_history_ms: history.medianMs,
  load_spot_price_history_heap_mb: history.heapMb,
  load_spot_price_history_typed_array_mb: history.buffersMb,
  fit_query_indexed_qps: Math.round(indexedQps),
  fit_query_naive_qps: Math.round(naiveQps),
  fit_query_indexed_us: round(1e6 / indexedQps),
  runs_load_market: market.runs,
  runs_spot_price_history: history.runs,
};
const ratios = {
  load_market_vs_raw_json_parse: round(market.medianMs / baseline.medianMs),
  fit_indexed_vs_naive_throughput: round(indexedQps / naiveQps),
};
const targets = { load_market_under_300ms: market.medianMs < 300, load_market_heap_under_150mb: market.heapMb < 150 };
console.log(
  JSON.stringify({
    name: 'market-load',
    results: { ...results, ...targets },
    ratios,
    notes: `node ${process.version}; wall = median of runs, heap = heapUsed delta after GC with one result alive (typed-array backing stores reported apart as *_typed_array_mb); loadMarket with cache:false; fit queries: ${reqs.length} requirements over ${regions.length} regions, naive = full-catalog scan + Map lookups + sort`,
  }),
);
