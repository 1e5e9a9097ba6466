/**
 * CloudOptim's recommender as an incremental per-container state (like `VpaContainerState`): samples are kept
 * as hourly aggregates (CPU mean, memory peak, UTC hours) plus the raw CPU samples of the last days, so a
 * decision costs two forecasts over ≤ `historyDays` × 24 hourly points and one sort of the recent CPU
 * residuals — not a re-read of the raw history. `recommendCloudOptim` builds this state from scratch, so both
 * paths give the same answer for the same data.
 *
 * Memory margin (per container, conformal-style): the forecaster's day-ahead profile plus the level correction
 * it would have applied gives a ONE-STEP-AHEAD prediction of every past hour's peak (the profile of hour h
 * uses only days before h, the level only the 3 h before h) — exactly the quantity the recommendation uses.
 * The margin is the `memoryQuantile` of those residuals (decayed): over the container's own recent history it
 * would have kept the share of hours with a miss near 1 − q. A miss is a large recent residual, so the margin
 * grows right after misses and shrinks as they age (half-life `residualHalfLifeMs`).
 * Defaults tuned on the odd-numbered Bitbrains VMs only (bench/rightsizing.tune.ts; even VMs held out).
 * Burst floor: a container whose hourly peaks are unpredictable (p`memoryQuantile` residual above
 * `burstThreshold` × its typical hourly peak) also keeps `burstPeakShare` of its last-24 h peak (a VPA-like
 * daily-peak floor, only where the forecast has been failing).
 * Peak floor (per container, from its own past): VPA's memory rule (p90 of the last 8 daily peaks × 1.15) is
 * replayed over the container's past hours next to the forecast policy; where it would have avoided at least
 * `peakFloorMinAvoidedPerGibHour` missed hours per GiB-hour of extra request (decayed like the residuals), it
 * becomes a floor. Steady small containers (whose rare new peaks the forecast misses, and whose floor costs a
 * few MiB) take it; cyclical and big bursty ones (where the floor holds GiBs idle) keep following the forecast.
 * The memory the floor adds is paid for with a leaner CPU quantile (p91, was p93): CPU over its request
 * borrows idle CPU, memory over its request is killed.
 */
import type { Rationale } from '@cloudoptim/contracts';
import { forecastUsage, HOUR_MS, type UsageForecast } from '../forecasting/seasonal-forecast.ts';
import { quantile } from '../forecasting/quantiles.ts';
import type { UsagePoint } from '../forecasting/resample.ts';
import { type ContainerResources, type ContainerRightsizing, MIB, type RightsizingFloors, VPA_DEFAULT_FLOORS } from './types.ts';
import { dataSource, noData } from './vpa-recommender.ts';

const DAY_MS = 86_400_000;

/** Options of CloudOptim's recommender (all but `now` / `horizonMs`, which come with each decision). */
export interface CloudOptimStateOptions {
  /** Quantile of 5-minute CPU samples above the one-step hourly forecast to cover (default 0.91). */
  cpuQuantile?: number;
  /** Quantile of the one-step memory peak residuals added as margin (default 0.9: ≈ one hour in ten may miss). */
  memoryQuantile?: number;
  /** Days of history used (default 14). */
  historyDays?: number;
  /** Half-life of a residual's weight, ms (default 2 days): recent behaviour counts more. */
  residualHalfLifeMs?: number;
  /** Memory never goes below the peak of this recent window, ms (default 1 h). */
  recentPeakWindowMs?: number;
  oomBumpRatio?: number;
  oomMinBumpBytes?: number;
  /** An OOM kill keeps the memory bump for this long, ms (default 3 h). */
  oomMemoryWindowMs?: number;
  /** Burst detector: margin / typical hourly peak above this marks a container as bursty (default 0.1). */
  burstThreshold?: number;
  /** Share of the last-24 h memory peak a bursty container keeps (default 1; 0 disables the floor). */
  burstPeakShare?: number;
  /**
   * Per-container choice of a VPA-like peak floor: memory ≥ `peakFloorRatio` × the `peakFloorQuantile` of the
   * last `peakFloorDays` daily peaks, for a container where that floor, replayed over its own past hours,
   * would have avoided at least this many missed hours per GiB-hour of extra request (default Infinity: never).
   */
  peakFloorMinAvoidedPerGibHour?: number;
  /** Days of daily peaks the peak floor reads (default 8, as VPA). */
  peakFloorDays?: number;
  /** Quantile of those daily peaks (default 0.9, as VPA). */
  peakFloorQuantile?: number;
  /** Multiplier on that quantile (default 1.15, VPA's safety margin). */
  peakFloorRatio?: number;
  /** Minimum memory margin as a share of the forecast peak (default 0). */
  minMemoryMarginShare?: number;
  /** Minimum memory margin, bytes (default 0). */
  minMemoryMarginBytes?: number;
  floors?: RightsizingFloors;
}

interface Resolved {
  cpuQuantile: number;
  memoryQuantile: number;
  historyDays: number;
  residualHalfLifeMs: number;
  recentPeakWindowMs: number;
  oomBumpRatio: number;
  oomMinBumpBytes: number;
  oomMemoryWindowMs: number;
  burstThreshold: number;
  burstPeakShare: number;
  minMemoryMarginShare: number;
  minMemoryMarginBytes: number;
  peakFloorMinAvoidedPerGibHour: number;
  peakFloorRatio: number;
  peakFloorDays: number;
  peakFloorQuantile: number;
  floors: RightsizingFloors;
}

function resolve(o: CloudOptimStateOptions): Resolved {
  return {
    cpuQuantile: o.cpuQuantile ?? 0.91,
    memoryQuantile: o.memoryQuantile ?? 0.9,
    historyDays: o.historyDays ?? 14,
    residualHalfLifeMs: o.residualHalfLifeMs ?? 2 * DAY_MS,
    recentPeakWindowMs: o.recentPeakWindowMs ?? HOUR_MS,
    oomBumpRatio: o.oomBumpRatio ?? 1.2,
    oomMinBumpBytes: o.oomMinBumpBytes ?? 100 * MIB,
    oomMemoryWindowMs: o.oomMemoryWindowMs ?? 3 * HOUR_MS,
    burstThreshold: o.burstThreshold ?? 0.1,
    burstPeakShare: o.burstPeakShare ?? 1,
    minMemoryMarginShare: o.minMemoryMarginShare ?? 0,
    minMemoryMarginBytes: o.minMemoryMarginBytes ?? 0,
    peakFloorMinAvoidedPerGibHour: o.peakFloorMinAvoidedPerGibHour ?? 0.2,
    peakFloorRatio: o.peakFloorRatio ?? 1.15,
    peakFloorDays: o.peakFloorDays ?? 8,
    peakFloorQuantile: o.peakFloorQuantile ?? 0.9,
    floors: o.floors ?? VPA_DEFAULT_FLOORS,
  };
}

/** Hourly aggregates, indexed by UTC hour number (epoch ms / 1 h). */
interface Hour {
  cpuSum: number;
  count: number;
  memMax: number;
}

/** The forecast-dependent part of a decision (cached per grid end and horizon). */
interface Core {
  key: string;
  seasonal: boolean;
  cpuForecastMax: number;
  cpuForecastMin: number;
  cpuExcess: { q: number; median: number; p99: number };
  memForecastPeak: number;
  memForecastMin: number;
  memMargin: number;
  memMedianResidual: number;
  memMaxResidual: number;
  typicalPeak: number;
  bursty: boolean;
  /** Whether the peak floor is used (chosen from the container's own past, see `choosePeakFloor`). */
  peakFloorChosen: boolean;
  peakFloorAvoidedPerGibHour: number | null;
  cpuLevel: number;
  memFitWape: number | null;
  weekly: boolean;
}

/**
 * Incremental state of CloudOptim's recommender for one container. Feed samples in time order with
 * `addSample`, OOM kills with `recordOom`, ask with `recommend`. O(1) amortised per sample; per decision
 * O(historyDays × 24 × log) for the forecasts + O(recent CPU samples × log) for the CPU residual quantiles.
 */
export class CloudOptimContainerState {
  private readonly o: Resolved;
  private readonly hours = new Map<number, Hour>();
  /** Raw samples of the last `historyDays` (+1 day): CPU residuals and the recent memory peak. */
  private times: number[] = [];
  private cpus: number[] = [];
  private mems: number[] = [];
  private firstSampleMs: number | undefined;
  private lastSampleMs: number | undefined;
  private readonly ooms: { timeMs: number; memoryRequestBytes: number; usedBytes: number }[] = [];
  private cache: Core | undefined;

  constructor(options: CloudOptimStateOptions = {}) {
    this.o = resolve(options);
  }

  /** Adds one usage sample (out-of-order samples are dropped). */
  addSample(timeMs: number, cpuMillicores: number, memoryBytes: number): void {
    if (this.lastSampleMs !== undefined && timeMs <= this.lastSampleMs) return;
    this.firstSampleMs ??= timeMs;
    this.lastSampleMs = timeMs;
    const h = Math.floor(timeMs / HOUR_MS);
    let hour = this.hours.get(h);
    if (!hour) {
      hour = { cpuSum: 0, count: 0, memMax: 0 };
      this.hours.set(h, hour);
      this.prune(timeMs);
    }
    hour.cpuSum += cpuMillicores;
    hour.count++;
    hour.memMax = Math.max(hour.memMax, memoryBytes);
    this.times.push(timeMs);
    this.cpus.push(cpuMillicores);
    this.mems.push(memoryBytes);
  }

  /** Records an OOM kill at `timeMs` with `memoryRequestBytes` in force. */
  recordOom(timeMs: number, memoryRequestBytes: number): void {
    // Memory it needed: at least the request it was killed at, at least the peak of the 5 minutes before it.
    let used = memoryRequestBytes;
    for (let i = this.times.length - 1; i >= 0 && (this.times[i] as number) >= timeMs - 5 * 60_000; i--) if ((this.times[i] as number) <= timeMs) used = Math.max(used, this.mems[i] as number);
    this.ooms.push({ timeMs, memoryRequestBytes, usedBytes: used });
  }

  /** Drops what no decision will read again (older than history + 1 day). */
  private prune(nowMs: number): void {
    const keepFrom = nowMs - (this.o.historyDays + 1) * DAY_MS;
    let k = 0;
    while (k < this.times.length && (this.times[k] as number) < keepFrom) k++;
    if (k > 4096) {
      this.times = this.times.slice(k);
      this.cpus = this.cpus.slice(k);
      this.mems = this.mems.slice(k);
      for (const h of this.hours.keys()) if ((h + 1) * HOUR_MS <= keepFrom) this.hours.delete(h);
    }
  }

  /** First index of the raw samples with time ≥ t. */
  private lowerBound(t: number): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.times[mid] as number) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The recommendation at `nowMs` for the next `horizonMs`, from what was fed before `nowMs`. */
  recommend(containerId: string, current: ContainerResources, nowMs: number, horizonMs = HOUR_MS): ContainerRightsizing {
    const o = this.o;
    const from = nowMs - o.historyDays * DAY_MS;
    const startIdx = this.lowerBound(from);
    const endIdx = this.lowerBound(nowMs);
    if (endIdx <= startIdx) return noData(containerId, 'cloudoptim', current, nowMs);
    const first = Math.max(from, this.firstSampleMs ?? from);
    const lastMs = this.times[endIdx - 1] as number;
    const gridEnd = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
    const horizonSteps = Math.max(1, Math.ceil((nowMs + horizonMs - gridEnd) / HOUR_MS));
    const key = `${gridEnd}/${horizonSteps}/${startIdx}`;
    const core = this.cache?.key === key && nowMs === gridEnd ? this.cache : this.computeCore(key, gridEnd, horizonSteps, startIdx, endIdx);
    this.cache = core;

    let recentPeak = 0;
    for (let i = this.lowerBound(nowMs - o.recentPeakWindowMs); i < endIdx; i++) recentPeak = Math.max(recentPeak, this.mems[i] as number);
    let dayPeak = 0;
    if (core.bursty && o.burstPeakShare > 0) for (let i = this.lowerBound(nowMs - DAY_MS); i < endIdx; i++) dayPeak = Math.max(dayPeak, this.mems[i] as number);
    const burstFloor = core.bursty ? dayPeak * o.burstPeakShare : 0;

    let oomFloor = 0;
    let recentOoms = 0;
    for (const e of this.ooms) {
      if (e.timeMs >= nowMs || e.timeMs < nowMs - o.oomMemoryWindowMs) continue;
      recentOoms++;
      oomFloor = Math.max(oomFloor, e.usedBytes * o.oomBumpRatio, e.usedBytes + o.oomMinBumpBytes);
    }
    const margin = Math.max(core.memMargin, core.memForecastPeak * o.minMemoryMarginShare, core.seasonal ? o.minMemoryMarginBytes : 0);
    const forecastTarget = core.memForecastPeak + margin;
    const peakFloor = core.peakFloorChosen ? this.peakFloorAt(nowMs) : 0;
    const memTarget = Math.max(forecastTarget, recentPeak, oomFloor, burstFloor, peakFloor);
    const cpuTarget = core.cpuForecastMax + Math.max(0, core.cpuExcess.q);
    const cpuRequest = Math.ceil(Math.max(o.floors.cpuMillicores, cpuTarget));
    const memRequest = Math.ceil(Math.max(o.floors.memoryBytes, memTarget));
    const memUpper = Math.ceil(Math.max(memRequest, (core.memForecastPeak + Math.max(margin, core.memMaxResidual)) * 1.15));
    const cpuLower = core.cpuForecastMin + Math.max(0, core.cpuExcess.median);
    const cpuUpper = core.cpuForecastMax + Math.max(0, core.cpuExcess.p99);
    const memLower = core.memForecastMin + Math.max(0, core.memMedianResidual);

    const spanDays = (lastMs - first) / DAY_MS;
    const historyFactor = Math.min(1, spanDays / 7);
    const fitFactor = core.memFitWape === null ? 0.5 : 1 / (1 + core.memFitWape);
    const confidence = core.seasonal ? historyFactor * fitFactor : Math.min(historyFactor, 0.1);
    const qPct = (q: number): number => Math.round(q * 100);
    const rationale: Rationale = {
      summary:
        (core.seasonal
          ? `Forecast-aware target for the next ${(horizonMs / HOUR_MS).toFixed(1)} h: CPU = max hourly mean forecast ${Math.round(core.cpuForecastMax)} m + p${qPct(o.cpuQuantile)} of 5-min excess over the one-step forecast; ` +
            `memory = max hourly peak forecast ${mib(core.memForecastPeak)} MiB + p${qPct(o.memoryQuantile)} of this container's one-step peak misses ${mib(margin)} MiB`
          : `Under one day of history (${spanDays.toFixed(2)} d): CPU p${qPct(o.cpuQuantile)} and memory max of the samples, +15%`) +
        (core.bursty && burstFloor > 0 ? `; bursty (misses ${(core.memMargin / Math.max(1, core.typicalPeak)).toFixed(2)}× its typical peak) → ≥ ${Math.round(o.burstPeakShare * 100)}% of the 24 h peak ${mib(dayPeak)} MiB` : '') +
        (peakFloor > 0 ? `; own past favours a peak floor (${round(core.peakFloorAvoidedPerGibHour ?? 0)} missed hours avoided per GiB-hour) → ≥ ${mib(peakFloor)} MiB` : '') +
        (recentOoms ? `; ${recentOoms} OOM kill(s) in the last ${o.oomMemoryWindowMs / HOUR_MS} h → memory ≥ ${mib(oomFloor)} MiB` : '') +
        '.',
      factors: [
        { name: 'history_days', value: round(spanDays), weight: null, contribution: null },
        { name: 'method', value: core.seasonal ? 'seasonal-forecast' : 'percentile-fallback', weight: null, contribution: null },
        { name: 'cpu_forecast_level_correction_millicores', value: round(core.cpuLevel), weight: null, contribution: null },
        { name: 'memory_forecast_peak_bytes', value: Math.round(core.memForecastPeak), weight: null, contribution: null },
        { name: 'memory_margin_bytes', value: Math.round(margin), weight: null, contribution: null },
        { name: 'memory_recent_peak_bytes', value: Math.round(recentPeak), weight: null, contribution: null },
        { name: 'memory_bursty', value: core.bursty, weight: null, contribution: null },
        { name: 'memory_burst_floor_bytes', value: Math.round(burstFloor), weight: null, contribution: null },
        { name: 'memory_peak_floor_chosen', value: core.peakFloorChosen, weight: null, contribution: null },
        { name: 'memory_peak_floor_bytes', value: Math.round(peakFloor), weight: null, contribution: null },
        {
          name: 'memory_peak_floor_avoided_misses_per_gib_hour',
          value: core.peakFloorAvoidedPerGibHour === null ? 'n/a' : Number.isFinite(core.peakFloorAvoidedPerGibHour) ? round(core.peakFloorAvoidedPerGibHour) : 'inf',
          weight: null,
          contribution: null,
        },
        { name: 'memory_fit_wape', value: core.memFitWape === null ? 'n/a' : round(core.memFitWape), weight: null, contribution: null },
        { name: 'oom_events_recent', value: recentOoms, weight: null, contribution: null },
        { name: 'weekly_seasonality', value: core.weekly, weight: null, contribution: null },
      ],
      data_sources: [dataSource(lastMs, nowMs)],
    };
    return {
      containerId,
      recommender: 'cloudoptim',
      status: 'ok',
      cpuRequestMillicores: cpuRequest,
      memoryRequestBytes: memRequest,
      limits: { cpuMillicores: null, memoryBytes: memUpper },
      lowerBound: {
        cpuMillicores: Math.min(cpuRequest, Math.ceil(Math.max(o.floors.cpuMillicores, cpuLower))),
        memoryBytes: Math.min(memRequest, Math.ceil(Math.max(o.floors.memoryBytes, memLower))),
      },
      upperBound: { cpuMillicores: Math.max(cpuRequest, Math.ceil(cpuUpper)), memoryBytes: memUpper },
      confidence,
      rationale,
    };
  }

  /** Daily peak ending at each hour: the max hourly peak of the 24 h up to and including it (0 if no data). */
  private dailyPeakAt(hour: number): number {
    let peak = 0;
    for (let h = hour; h > hour - 24; h--) peak = Math.max(peak, this.hours.get(h)?.memMax ?? 0);
    return peak;
  }

  /** The peak floor in force at `nowMs`: ratio × quantile of the last `peakFloorDays` daily peaks before it. */
  private peakFloorAt(nowMs: number): number {
    const last = Math.ceil(nowMs / HOUR_MS) - 1;
    return peakFloorFrom((d) => this.dailyPeakAt(last - 24 * d), this.o);
  }

  /** Forecasts and residual quantiles for a grid ending at `gridEnd` (whole UTC hours before the decision). */
  private computeCore(key: string, gridEnd: number, horizonSteps: number, startIdx: number, endIdx: number): Core {
    const o = this.o;
    const from = gridEnd - o.historyDays * DAY_MS;
    const cpuSeries: UsagePoint[] = [];
    const memSeries: UsagePoint[] = [];
    for (let h = Math.floor(Math.max(from, this.firstSampleMs ?? from) / HOUR_MS); h * HOUR_MS < gridEnd; h++) {
      if (h * HOUR_MS < from) continue;
      const hour = this.hours.get(h);
      if (!hour || hour.count === 0) continue;
      cpuSeries.push({ timeMs: h * HOUR_MS, value: hour.cpuSum / hour.count });
      memSeries.push({ timeMs: h * HOUR_MS, value: hour.memMax });
    }
    const fc = { horizonSteps, stepMs: HOUR_MS, now: gridEnd, historyDays: o.historyDays };
    const cpuF = cpuSeries.length ? forecastUsage(cpuSeries, { ...fc, aggregate: 'mean' }) : undefined;
    const memF = memSeries.length ? forecastUsage(memSeries, { ...fc, aggregate: 'max' }) : undefined;
    const seasonal = cpuF?.method === 'seasonal' && memF?.method === 'seasonal';
    if (!seasonal || !cpuF || !memF) return this.fallbackCore(key, startIdx, endIdx, cpuF, memF);

    const halfLife = o.residualHalfLifeMs;
    // One-step-ahead predictions of past hours (profile from earlier days + the level of the 3 h before).
    const oneStepPredictions = (f: UsageForecast): OneStep[] => oneStep(f, gridEnd, halfLife);
    const memOneStep = oneStepPredictions(memF);
    const memRes: number[] = [];
    const memW: number[] = [];
    let maxRes = 0;
    for (const p of memOneStep) {
      const r = p.actual - p.predicted;
      memRes.push(r);
      memW.push(p.weight);
      maxRes = Math.max(maxRes, r);
    }
    const [memMargin, memMedian] = weightedQuantiles(memRes, memW, [o.memoryQuantile, 0.5]);

    const typicalPeak = quantile(
      memF.fitted.map((p) => p.actual),
      0.5,
    );
    const margin = Math.max(0, memMargin ?? 0);
    const choice = Number.isFinite(o.peakFloorMinAvoidedPerGibHour) ? this.choosePeakFloor(memOneStep, margin) : { chosen: false, avoidedPerGibHour: null };

    // CPU: every 5-minute sample of the hours with a one-step prediction, against that prediction. The decay
    // weight is per hour (the samples of one hour weigh the same).
    const cpuOneStep = oneStepPredictions(cpuF);
    const cpuRes: number[] = [];
    const cpuW: number[] = [];
    let k = 0;
    for (let i = Math.max(startIdx, this.lowerBound(cpuOneStep[0]?.timeMs ?? gridEnd)); i < endIdx; i++) {
      const t = this.times[i] as number;
      if (t >= gridEnd) break;
      const hourStart = Math.floor(t / HOUR_MS) * HOUR_MS;
      while (k < cpuOneStep.length && (cpuOneStep[k] as OneStep).timeMs < hourStart) k++;
      const p = cpuOneStep[k];
      if (p?.timeMs !== hourStart) continue;
      cpuRes.push((this.cpus[i] as number) - p.predicted);
      cpuW.push(p.weight);
    }
    const [cq, cmed, c99] = cpuRes.length ? weightedQuantiles(cpuRes, cpuW, [o.cpuQuantile, 0.5, 0.99]) : [0, 0, 0];
    const cpuVals = cpuF.points.map((p) => p.value);
    const memVals = memF.points.map((p) => p.value);
    return {
      key,
      seasonal: true,
      cpuForecastMax: Math.max(...cpuVals),
      cpuForecastMin: Math.min(...cpuVals),
      cpuExcess: { q: cq ?? 0, median: cmed ?? 0, p99: c99 ?? 0 },
      memForecastPeak: Math.max(...memVals),
      memForecastMin: Math.min(...memVals),
      memMargin: margin,
      memMedianResidual: memMedian ?? 0,
      memMaxResidual: maxRes,
      typicalPeak,
      bursty: margin > o.burstThreshold * Math.max(typicalPeak, 1),
      peakFloorChosen: choice.chosen,
      peakFloorAvoidedPerGibHour: choice.avoidedPerGibHour,
      cpuLevel: cpuF.level,
      memFitWape: memF.fitWape,
      weekly: cpuF.weeklyUsed || memF.weeklyUsed,
    };
  }

  /**
   * Replays the past hours with a one-step prediction: the forecast policy would have requested prediction +
   * margin; with the peak floor, at least the floor computed from the days before that hour. Chooses the floor
   * when the (decayed) missed hours it would have avoided per (decayed) GiB-hour of extra request reach
   * `peakFloorMinAvoidedPerGibHour`. Walk-forward: every replayed quantity is from before the decision.
   */
  private choosePeakFloor(memOneStep: readonly OneStep[], margin: number): { chosen: boolean; avoidedPerGibHour: number | null } {
    const o = this.o;
    const first = memOneStep[0];
    if (!first) return { chosen: false, avoidedPerGibHour: null };
    const firstHour = Math.floor(first.timeMs / HOUR_MS) - 24 * o.peakFloorDays;
    const lastHour = Math.floor((memOneStep[memOneStep.length - 1] as OneStep).timeMs / HOUR_MS);
    const dayPeak = new Map<number, number>();
    for (let h = firstHour; h <= lastHour; h++) dayPeak.set(h, this.dailyPeakAt(h));
    let avoided = 0;
    let extraGibHours = 0;
    for (const p of memOneStep) {
      const before = p.timeMs / HOUR_MS - 1;
      const floor = peakFloorFrom((d) => dayPeak.get(before - 24 * d) ?? 0, o);
      const fc = p.predicted + margin;
      const extra = Math.max(0, floor - fc);
      extraGibHours += (p.weight * extra) / 2 ** 30;
      if (p.actual > fc && p.actual <= fc + extra) avoided += p.weight;
    }
    const avoidedPerGibHour = extraGibHours > 0 ? avoided / extraGibHours : avoided > 0 ? Number.POSITIVE_INFINITY : 0;
    return { chosen: avoided > 0 && avoidedPerGibHour >= o.peakFloorMinAvoidedPerGibHour, avoidedPerGibHour };
  }

  /** Under a day of history: VPA-style percentiles of what there is, +15%. */
  private fallbackCore(key: string, startIdx: number, endIdx: number, cpuF: UsageForecast | undefined, memF: UsageForecast | undefined): Core {
    const cpus = this.cpus.slice(startIdx, endIdx);
    const mems = this.mems.slice(startIdx, endIdx);
    const [c, cmed] = [quantile(cpus, this.o.cpuQuantile), quantile(cpus, 0.5)];
    const memPeak = Math.max(...mems);
    return {
      key,
      seasonal: false,
      cpuForecastMax: c * 1.15,
      cpuForecastMin: cmed * 1.15,
      cpuExcess: { q: 0, median: 0, p99: Math.max(...cpus) * 1.15 - c * 1.15 },
      memForecastPeak: memPeak,
      memForecastMin: quantile(mems, 0.5) * 1.15,
      memMargin: memPeak * 0.15,
      memMedianResidual: 0,
      memMaxResidual: memPeak * 0.3,
      typicalPeak: memPeak,
      bursty: false,
      peakFloorChosen: false,
      peakFloorAvoidedPerGibHour: null,
      cpuLevel: cpuF?.level ?? 0,
      memFitWape: memF?.fitWape ?? null,
      weekly: false,
    };
  }
}

/** ratio × `peakFloorQuantile` of the non-zero daily peaks `dayPeakBack(d)`, d = 0 … `peakFloorDays` − 1. */
function peakFloorFrom(dayPeakBack: (daysBack: number) => number, o: Resolved): number {
  const peaks: number[] = [];
  for (let d = 0; d < o.peakFloorDays; d++) {
    const p = dayPeakBack(d);
    if (p > 0) peaks.push(p);
  }
  return peaks.length ? quantile(peaks, o.peakFloorQuantile) * o.peakFloorRatio : 0;
}

/** A past hour with the prediction a one-step forecast would have made for it, and its decay weight. */
interface OneStep {
  timeMs: number;
  actual: number;
  predicted: number;
  weight: number;
}

/**
 * Past hours with their one-step-ahead prediction: the day-ahead profile (`fitted`, built from earlier days
 * only) + the level correction of the 3 h before — what `forecastUsage` would have said for the next hour.
 */
function oneStep(f: UsageForecast, gridEnd: number, halfLifeMs: number): OneStep[] {
  const out: OneStep[] = [];
  const fit = f.fitted;
  let lo = 0;
  let sum = 0;
  for (let j = 0; j < fit.length; j++) {
    const p = fit[j] as (typeof fit)[number];
    while (lo < j && (fit[lo] as (typeof fit)[number]).timeMs < p.timeMs - 3 * HOUR_MS) {
      const q = fit[lo] as (typeof fit)[number];
      sum -= q.actual - q.fitted;
      lo++;
    }
    const count = j - lo;
    const level = count ? sum / count : 0;
    out.push({ timeMs: p.timeMs, actual: p.actual, predicted: Math.max(0, p.fitted + level), weight: 0.5 ** ((gridEnd - p.timeMs) / halfLifeMs) });
    sum += p.actual - p.fitted;
  }
  return out;
}

/**
 * Several weighted quantiles (lower, as `weightedQuantile`) from one sort. The sort is a native numeric sort of
 * packed keys (value rounded to 1/100 of its unit, then the index), not a comparator sort of indices: this runs
 * on thousands of CPU samples at every decision. Returned values are the exact inputs; only the order of
 * values closer than 0.005 units (0.005 millicores) may differ from an exact sort.
 */
function weightedQuantiles(values: readonly number[], weights: readonly number[], qs: readonly number[]): number[] {
  const n = values.length;
  if (!n) return qs.map(() => Number.NaN);
  let radix = 1;
  while (radix < n) radix *= 2;
  let maxAbs = 0;
  for (const v of values) maxAbs = Math.max(maxAbs, Math.abs(v));
  // Keys must stay exact integers (< 2^53); beyond that, fall back to a comparator sort.
  const packed = Math.round(maxAbs * 100) * radix < 2 ** 52;
  let order: ArrayLike<number>;
  if (packed) {
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = Math.round((values[i] as number) * 100) * radix + i;
    keys.sort();
    const idx = new Uint32Array(n);
    for (let k = 0; k < n; k++) {
      const key = keys[k] as number;
      idx[k] = key - Math.floor(key / radix) * radix;
    }
    order = idx;
  } else {
    order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => (values[a] as number) - (values[b] as number));
  }
  let total = 0;
  for (let i = 0; i < n; i++) total += weights[i] as number;
  // One pass for all the quantiles, asked in any order.
  const out = qs.map(() => values[order[n - 1] as number] as number);
  const pending = qs.map((q, j) => ({ threshold: q * total - 1e-12 * total, j })).sort((a, b) => a.threshold - b.threshold);
  let acc = 0;
  let p = 0;
  for (let k = 0; k < n && p < pending.length; k++) {
    const i = order[k] as number;
    acc += weights[i] as number;
    while (p < pending.length && acc >= (pending[p] as { threshold: number }).threshold) out[(pending[p++] as { j: number }).j] = values[i] as number;
  }
  return out;
}

const mib = (b: number): number => Math.round(b / MIB);
const round = (x: number): number => Math.round(x * 100) / 100;
