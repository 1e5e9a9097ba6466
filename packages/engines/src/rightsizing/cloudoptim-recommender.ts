/**
 * CloudOptim's recommender: a forecast-aware target for the period the recommendation will be in force
 * (`horizonMs`, the re-recommendation interval), instead of one percentile of all history.
 *
 * - CPU (compressible; being over the request borrows idle CPU, it does not kill): hourly MEAN usage forecast
 *   by `forecastUsage` (daily + weekday seasonality, level correction) for the next `horizonMs`, plus the
 *   `cpuQuantile` of how far 5-minute samples sat above their hour's day-ahead fit over the last days
 *   (decayed). No CPU limit (limits throttle even when the node has idle CPU).
 * - Memory (not compressible; over the limit is an OOM kill): hourly PEAK forecast for the next `horizonMs`
 *   plus the `memoryQuantile` of the peak forecast's past misses (a margin sized by observed variability, not a
 *   fixed 15%); never below the peak of the last `recentPeakWindowMs` (memory in use is not given back because
 *   a request went down); after an OOM kill within `oomMemoryWindowMs`, at least VPA's bump
 *   max(used × 1.2, used + 100 MiB). Memory limit = the upper bound.
 * - Change points: the forecaster's level correction moves the target within hours when usage shifts; the
 *   recent-peak floor covers a sudden memory step immediately.
 * - Under one day of history (no seasonal profile yet) it falls back to VPA-style percentiles of the recent
 *   samples with a 15% margin.
 * - Confidence = min(1, history days / 7) × 1 / (1 + day-ahead fit WAPE of the memory peak forecast).
 */
import type { Rationale } from '@cloudoptim/contracts';
import { forecastUsage, HOUR_MS, type UsageForecast } from '../forecasting/seasonal-forecast.ts';
import { quantile, weightedQuantile } from '../forecasting/quantiles.ts';
import { lowerBoundByTime } from '../forecasting/resample.ts';
import { type ContainerRightsizing, type ContainerUsageInput, type ContainerUsageSample, MIB, type RightsizingFloors, VPA_DEFAULT_FLOORS } from './types.ts';
import { dataSource, noData } from './vpa-recommender.ts';

const DAY_MS = 86_400_000;

/** Options of `recommendCloudOptim`. */
export interface CloudOptimOptions {
  /** Decision time, epoch ms: nothing at or after it is read. */
  now: number;
  /** How long the recommendation will be in force (until the next one), ms (default 1 h). */
  horizonMs?: number;
  /** Quantile of 5-minute CPU samples above the hourly forecast to cover (default 0.9, as VPA's p90). */
  cpuQuantile?: number;
  /** Quantile of past peak-forecast misses added to the memory peak forecast (default 0.9). */
  memoryQuantile?: number;
  /** Days of history used (default 14). */
  historyDays?: number;
  /** Half-life of a residual's weight, ms (default 2 days): recent behaviour counts more. */
  residualHalfLifeMs?: number;
  /** Memory never goes below the peak of this recent window, ms (default 1 h). */
  recentPeakWindowMs?: number;
  oomBumpRatio?: number;
  oomMinBumpBytes?: number;
  /** An OOM kill keeps the memory bump for this long, ms (default 24 h). */
  oomMemoryWindowMs?: number;
  floors?: RightsizingFloors;
}

interface Residuals {
  values: number[];
  weights: number[];
}

/** Residuals of raw samples against their hour's fitted value (only hours the forecast fitted). */
function sampleResiduals(samples: readonly ContainerUsageSample[], from: number, now: number, f: UsageForecast, pick: (s: ContainerUsageSample) => number, halfLifeMs: number): Residuals {
  const fittedByHour = new Map<number, number>();
  for (const p of f.fitted) fittedByHour.set(p.timeMs, p.fitted);
  const out: Residuals = { values: [], weights: [] };
  const gridStart = f.fitted[0]?.timeMs;
  if (gridStart === undefined) return out;
  for (let i = lowerBoundByTime(samples, Math.max(from, gridStart)); i < samples.length; i++) {
    const s = samples[i] as ContainerUsageSample;
    if (s.timeMs >= now) break;
    const hourStart = gridStart + Math.floor((s.timeMs - gridStart) / HOUR_MS) * HOUR_MS;
    const fit = fittedByHour.get(hourStart);
    if (fit === undefined) continue;
    out.values.push(pick(s) - fit);
    out.weights.push(0.5 ** ((now - s.timeMs) / halfLifeMs));
  }
  return out;
}

/** Residuals of the hourly series itself (actual − fitted), decayed. */
function stepResiduals(f: UsageForecast, now: number, halfLifeMs: number): Residuals {
  return { values: f.fitted.map((p) => p.actual - p.fitted), weights: f.fitted.map((p) => 0.5 ** ((now - p.timeMs) / halfLifeMs)) };
}

/**
 * CloudOptim's recommendation for one container from its history before `options.now` (samples sorted by
 * time). O(history samples × log) per call (a few ms for 14 days of 5-minute samples).
 */
export function recommendCloudOptim(input: ContainerUsageInput, options: CloudOptimOptions): ContainerRightsizing {
  const now = options.now;
  const horizonMs = options.horizonMs ?? HOUR_MS;
  const historyDays = options.historyDays ?? 14;
  const halfLife = options.residualHalfLifeMs ?? 2 * DAY_MS;
  const floors = options.floors ?? VPA_DEFAULT_FLOORS;
  const from = now - historyDays * DAY_MS;
  const samples = input.samples;
  const startIdx = lowerBoundByTime(samples, from);
  const endIdx = lowerBoundByTime(samples, now);
  if (endIdx <= startIdx) return noData(input.containerId, 'cloudoptim', input.current, now);
  const first = samples[startIdx] as ContainerUsageSample;
  const last = samples[endIdx - 1] as ContainerUsageSample;

  const horizonSteps = Math.max(1, Math.ceil(horizonMs / HOUR_MS));
  const cpuSeries = samples.slice(startIdx, endIdx).map((s) => ({ timeMs: s.timeMs, value: s.cpuMillicores }));
  const memSeries = samples.slice(startIdx, endIdx).map((s) => ({ timeMs: s.timeMs, value: s.memoryBytes }));
  const fc = { horizonSteps, stepMs: HOUR_MS, now, historyDays };
  const cpuF = forecastUsage(cpuSeries, { ...fc, aggregate: 'mean' });
  const memF = forecastUsage(memSeries, { ...fc, aggregate: 'max' });

  let recentPeak = 0;
  for (let i = lowerBoundByTime(samples, now - (options.recentPeakWindowMs ?? HOUR_MS)); i < endIdx; i++) recentPeak = Math.max(recentPeak, (samples[i] as ContainerUsageSample).memoryBytes);

  const cpuQ = options.cpuQuantile ?? 0.9;
  const memQ = options.memoryQuantile ?? 0.9;
  let cpuTarget: number;
  let cpuLower: number;
  let cpuUpper: number;
  let memForecastPeak: number;
  let memMargin: number;
  let memLower: number;
  let memUpperExtra: number;
  const seasonal = cpuF.method === 'seasonal' && memF.method === 'seasonal';
  if (seasonal) {
    const cpuR = sampleResiduals(samples, from, now, cpuF, (s) => s.cpuMillicores, halfLife);
    const cpuMax = Math.max(...cpuF.points.map((p) => p.value));
    const cpuMin = Math.min(...cpuF.points.map((p) => p.value));
    const rq = (q: number): number => (cpuR.values.length ? weightedQuantile(cpuR.values, cpuR.weights, q) : 0);
    cpuTarget = cpuMax + Math.max(0, rq(cpuQ));
    cpuLower = cpuMin + Math.max(0, rq(0.5));
    cpuUpper = cpuMax + Math.max(0, rq(0.99));
    const memR = stepResiduals(memF, now, halfLife);
    memForecastPeak = Math.max(...memF.points.map((p) => p.value));
    const mq = (q: number): number => (memR.values.length ? weightedQuantile(memR.values, memR.weights, q) : 0);
    memMargin = Math.max(0, mq(memQ));
    memLower = Math.min(...memF.points.map((p) => p.value)) + Math.max(0, mq(0.5));
    memUpperExtra = Math.max(memMargin, memR.values.length ? Math.max(...memR.values) : 0);
  } else {
    // Under a day of history: VPA-style percentiles of what there is, +15%.
    const cpus = cpuSeries.map((p) => p.value);
    const mems = memSeries.map((p) => p.value);
    cpuTarget = quantile(cpus, cpuQ) * 1.15;
    cpuLower = quantile(cpus, 0.5) * 1.15;
    cpuUpper = Math.max(...cpus) * 1.15;
    memForecastPeak = Math.max(...mems);
    memMargin = memForecastPeak * 0.15;
    memLower = quantile(mems, 0.5) * 1.15;
    memUpperExtra = memMargin * 2;
  }

  let memTarget = Math.max(memForecastPeak + memMargin, recentPeak);
  const oomWindow = options.oomMemoryWindowMs ?? DAY_MS;
  const recentOoms = (input.oomEvents ?? []).filter((e) => e.timeMs < now && e.timeMs >= now - oomWindow);
  let oomFloor = 0;
  for (const e of recentOoms) {
    // Memory it needed: at least the request it was killed at, at least the peak seen around it.
    const used = Math.max(e.memoryRequestBytes ?? input.current.memoryRequestBytes, peakAround(samples, e.timeMs, endIdx));
    oomFloor = Math.max(oomFloor, Math.max(used * (options.oomBumpRatio ?? 1.2), used + (options.oomMinBumpBytes ?? 100 * MIB)));
  }
  memTarget = Math.max(memTarget, oomFloor);

  const cpuRequest = Math.ceil(Math.max(floors.cpuMillicores, cpuTarget));
  const memRequest = Math.ceil(Math.max(floors.memoryBytes, memTarget));
  const memUpper = Math.ceil(Math.max(memRequest, (memForecastPeak + memUpperExtra) * 1.15));
  const spanDays = (last.timeMs - first.timeMs) / DAY_MS;
  const historyFactor = Math.min(1, spanDays / 7);
  const fitFactor = memF.fitWape === null ? 0.5 : 1 / (1 + memF.fitWape);
  const confidence = seasonal ? historyFactor * fitFactor : Math.min(historyFactor, 0.1);

  const rationale: Rationale = {
    summary:
      (seasonal
        ? `Forecast-aware target for the next ${(horizonMs / HOUR_MS).toFixed(1)} h: CPU = max hourly mean forecast ${Math.round(Math.max(...cpuF.points.map((p) => p.value)))} m + p${Math.round(cpuQ * 100)} of 5-min excess; ` +
          `memory = max hourly peak forecast ${mib(memForecastPeak)} MiB + p${Math.round(memQ * 100)} of past peak misses ${mib(memMargin)} MiB`
        : `Under one day of history (${spanDays.toFixed(2)} d): CPU p${Math.round(cpuQ * 100)} and memory max of the samples, +15%`) +
      (recentOoms.length ? `; ${recentOoms.length} OOM kill(s) in the last ${oomWindow / HOUR_MS} h → memory ≥ ${mib(oomFloor)} MiB` : '') +
      '.',
    factors: [
      { name: 'history_days', value: round(spanDays), weight: null, contribution: null },
      { name: 'method', value: seasonal ? 'seasonal-forecast' : 'percentile-fallback', weight: null, contribution: null },
      { name: 'cpu_forecast_level_correction_millicores', value: round(cpuF.level), weight: null, contribution: null },
      { name: 'memory_forecast_peak_bytes', value: Math.round(memForecastPeak), weight: null, contribution: null },
      { name: 'memory_margin_bytes', value: Math.round(memMargin), weight: null, contribution: null },
      { name: 'memory_recent_peak_bytes', value: Math.round(recentPeak), weight: null, contribution: null },
      { name: 'memory_fit_wape', value: memF.fitWape === null ? 'n/a' : round(memF.fitWape), weight: null, contribution: null },
      { name: 'oom_events_recent', value: recentOoms.length, weight: null, contribution: null },
      { name: 'weekly_seasonality', value: cpuF.weeklyUsed || memF.weeklyUsed, weight: null, contribution: null },
    ],
    data_sources: [dataSource(last.timeMs, now)],
  };
  return {
    containerId: input.containerId,
    recommender: 'cloudoptim',
    status: 'ok',
    cpuRequestMillicores: cpuRequest,
    memoryRequestBytes: memRequest,
    limits: { cpuMillicores: null, memoryBytes: memUpper },
    lowerBound: {
      cpuMillicores: Math.min(cpuRequest, Math.ceil(Math.max(floors.cpuMillicores, cpuLower))),
      memoryBytes: Math.min(memRequest, Math.ceil(Math.max(floors.memoryBytes, memLower))),
    },
    upperBound: { cpuMillicores: Math.max(cpuRequest, Math.ceil(cpuUpper)), memoryBytes: memUpper },
    confidence,
    rationale,
  };
}

/** Peak memory of the samples within 5 minutes before `t` (the usage that got killed). */
function peakAround(samples: readonly ContainerUsageSample[], t: number, endIdx: number): number {
  let peak = 0;
  for (let i = lowerBoundByTime(samples, t - 5 * 60_000); i < endIdx; i++) {
    const s = samples[i] as ContainerUsageSample;
    if (s.timeMs > t) break;
    peak = Math.max(peak, s.memoryBytes);
  }
  return peak;
}

const mib = (b: number): number => Math.round(b / MIB);
const round = (x: number): number => Math.round(x * 100) / 100;
