/**
 * Benchmark: usage forecasting on the Bitbrains trace (30 VMs, CPU and memory), walk-forward.
 *
 *   node --expose-gc --import tsx packages/engines/bench/forecasting.bench.ts
 *
 * Series = hourly mean usage (CPU millicores, memory bytes). Origins every hour from day 7 of each VM's
 * history; at each origin `forecastUsage` sees only samples before it and predicts the next 24 hours. Scored
 * at 1 h ahead (the hour starting at the origin) and 24 h ahead (the hour ending 24 h after the origin)
 * against the naive same-time-yesterday forecast (and persistence = last hour) made at the same origin.
 * Note: for the 24 h-ahead hour, "same time yesterday" IS the last observed hour, so both naives coincide.
 * MAPE leaves out actuals ≤ 1 millicore / 1 MiB (near-idle hours; counts reported); sMAPE and WAPE use all.
 * The forecaster's three defaults (3 h level window, 6 h level fade, 3-day profile half-life) were picked on
 * the odd-numbered VMs only; the even-numbered VMs are reported apart as a held-out check.
 * The last stdout line is one JSON object.
 */
import { loadWorkloadTrace } from '@cloudoptim/market';
import { backtestForecast, forecastUsage, type ForecastErrors, type HorizonScore, type UsagePoint } from '../src/forecasting/index.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MIB = 1024 * 1024;
const round = (x: number | null, d = 4): number | null => (x === null || !Number.isFinite(x) ? null : Math.round(x * 10 ** d) / 10 ** d);
const median = (xs: number[]): number => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? Number.NaN : s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const mean = (xs: number[]): number => {
  const s = xs.filter(Number.isFinite);
  return s.length ? s.reduce((a, b) => a + b, 0) / s.length : Number.NaN;
};

const trace = loadWorkloadTrace();
type Resource = 'cpu' | 'memory';
interface Row {
  vmId: number;
  resource: Resource;
  h1: HorizonScore;
  h24: HorizonScore;
}
const rows: Row[] = [];
const t0 = performance.now();
for (const vm of trace) {
  const first = vm.samples[0];
  if (!first || vm.samples.length < 8 * 288) {
    console.log(`vm${vm.vmId}: ${vm.samples.length} samples — under 8 days, skipped`);
    continue;
  }
  for (const resource of ['cpu', 'memory'] as const) {
    const series: UsagePoint[] = vm.samples.map((s) => ({ timeMs: s.timeMs, value: resource === 'cpu' ? s.cpuUsageMillicores : s.memoryUsageBytes }));
    const r = backtestForecast(series, {
      stepMs: HOUR,
      horizonsSteps: [1, 24],
      firstOriginMs: Math.ceil((first.timeMs + 7 * DAY) / HOUR) * HOUR,
      minActual: resource === 'cpu' ? 1 : MIB,
    });
    const [h1, h24] = r.horizons as [HorizonScore, HorizonScore];
    rows.push({ vmId: vm.vmId, resource, h1, h24 });
  }
}
const backtestMs = performance.now() - t0;

const fmt = (e: ForecastErrors): string => `MAPE ${e.mape === null ? '  n/a ' : (e.mape * 100).toFixed(1).padStart(6)}%  sMAPE ${((e.smape ?? Number.NaN) * 100).toFixed(1).padStart(5)}%  WAPE ${((e.wape ?? Number.NaN) * 100).toFixed(1).padStart(5)}%`;
console.log(`forecasting benchmark — node ${process.version}; 2 cores, shared machine; ${rows.length} series`);
for (const r of rows) {
  console.log(`vm${String(r.vmId).padStart(2)} ${r.resource.padEnd(6)} 1h  model ${fmt(r.h1.model)} | yesterday ${fmt(r.h1.sameTimeYesterday)} | persistence ${fmt(r.h1.persistence)}`);
  console.log(`            24h model ${fmt(r.h24.model)} | yesterday ${fmt(r.h24.sameTimeYesterday)}`);
}

type Metric = 'mape' | 'smape' | 'wape';
const METRICS: Metric[] = ['mape', 'smape', 'wape'];
function aggregate(subset: Row[]) {
  const out: Record<string, number | null> = {};
  for (const resource of ['cpu', 'memory'] as const) {
    const rs = subset.filter((r) => r.resource === resource);
    for (const [hk, pick] of [['1h', (r: Row) => r.h1], ['24h', (r: Row) => r.h24]] as const) {
      for (const m of METRICS) {
        const model = rs.map((r) => pick(r).model[m] ?? Number.NaN);
        const naive = rs.map((r) => pick(r).sameTimeYesterday[m] ?? Number.NaN);
        out[`${resource}_${hk}_${m}_median_model`] = round(median(model));
        out[`${resource}_${hk}_${m}_median_yesterday`] = round(median(naive));
        out[`${resource}_${hk}_${m}_mean_model`] = round(mean(model));
        out[`${resource}_${hk}_${m}_mean_yesterday`] = round(mean(naive));
        // Per-series ratio model / naive, then the median: "on a typical VM, how much smaller is the error".
        out[`${resource}_${hk}_${m}_median_ratio`] = round(median(model.map((x, k) => x / (naive[k] as number))));
        out[`${resource}_${hk}_${m}_wins`] = model.filter((x, k) => x < (naive[k] as number)).length;
      }
      out[`${resource}_${hk}_persistence_wape_median`] = round(median(rs.map((r) => pick(r).persistence.wape ?? Number.NaN)));
      out[`${resource}_${hk}_interval_coverage_mean`] = round(mean(rs.map((r) => pick(r).intervalCoverage ?? Number.NaN)));
    }
  }
  return out;
}
const all = aggregate(rows);
const heldOut = aggregate(rows.filter((r) => r.vmId % 2 === 0));
const series = rows.length / 2;

// Latency of one forecast (28 days of 5-minute samples → 24 hourly points), median of 3 rounds.
const vm1 = trace[0];
const lat: number[] = [];
if (vm1) {
  const s = vm1.samples.map((x) => ({ timeMs: x.timeMs, value: x.cpuUsageMillicores }));
  const now = (vm1.samples[vm1.samples.length - 1] as { timeMs: number }).timeMs;
  for (let k = 0; k < 3; k++) {
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      forecastUsage(s, { horizonSteps: 24, stepMs: HOUR, now: now - i * HOUR });
      times.push(performance.now() - t);
    }
    lat.push(median(times));
  }
}
const latencyMs = median(lat);

console.log('\naggregate over VMs (median of per-VM values; model vs same-time-yesterday):');
for (const resource of ['cpu', 'memory']) {
  for (const hk of ['1h', '24h']) {
    const line = METRICS.map((m) => `${m.toUpperCase()} ${(((all[`${resource}_${hk}_${m}_median_model`] ?? Number.NaN) as number) * 100).toFixed(1)}% vs ${(((all[`${resource}_${hk}_${m}_median_yesterday`] ?? Number.NaN) as number) * 100).toFixed(1)}% (wins ${all[`${resource}_${hk}_${m}_wins`]}/${series})`).join('  ');
    console.log(`  ${resource.padEnd(6)} ${hk.padEnd(3)} ${line}`);
  }
}
console.log(`forecast latency (28 d of 5-min samples → 24 h): ${latencyMs.toFixed(3)} ms; whole backtest ${(backtestMs / 1000).toFixed(1)} s`);

const ratios: Record<string, number | null> = {};
for (const resource of ['cpu', 'memory']) for (const hk of ['1h', '24h']) for (const m of METRICS) ratios[`${resource}_${hk}_${m}_vs_yesterday`] = all[`${resource}_${hk}_${m}_median_ratio`] ?? null;
for (const resource of ['cpu', 'memory']) for (const hk of ['1h', '24h']) ratios[`heldout_${resource}_${hk}_wape_vs_yesterday`] = heldOut[`${resource}_${hk}_wape_median_ratio`] ?? null;
console.log(
  JSON.stringify({
    name: 'forecasting',
    results: { ...all, heldout_even_vms: heldOut, series_per_resource: series, forecast_latency_ms: round(latencyMs, 3), backtest_wall_ms: Math.round(backtestMs) },
    ratios,
    notes:
      `node ${process.version}; 2-core shared machine; Bitbrains ${series} VMs (VM 14 skipped: 1.5 days), hourly mean usage, walk-forward origins every hour from day 7; ` +
      'ratios = median over VMs of (model error / same-time-yesterday error), < 1 is better; MAPE skips actuals ≤ 1 m / 1 MiB; defaults tuned on odd VMs, heldout_* = even VMs.',
  }),
);
