/**
 * The baseline: a re-implementation of the Kubernetes VPA recommender (kubernetes/autoscaler
 * `pkg/recommender`, defaults of `config.go` and `aggregations_config.go`), for one container.
 *
 * - CPU: every sample goes into a decaying histogram (half-life 24 h) weighted by max(request, 0.1 core).
 * - Memory: one sample per 24 h aggregation window, the window's peak (the running peak replaces the
 *   previous one in the histogram as it rises), timestamped at the window end, weight 1, half-life 24 h.
 * - OOM: adds a memory sample of max(memory used + 100 MiB, memory used × 1.2), memory used = max(request,
 *   window peak), into the current window.
 * - Target p90, lower bound p50, upper bound p95, each × 1.15 (safety margin); upper × (1 + 1/conf),
 *   lower × (1 + 0.001/conf)^−2, conf = min(history span in days, sample-minutes / 1440); then the floors
 *   (25 m, 250 MiB).
 * - Limits keep the current limit/request ratio (VPA's default `RequestsAndLimits` controlled values).
 *
 * Simplifications (documented in index.ts): one container per pod (the floors are per pod); samples are
 * counted as `sampleIntervalMs` sample-minutes each for the confidence (VPA assumes one sample per minute);
 * no max-allowed / LimitRange capping, no rounding to "human" memory units, no checkpoint garbage collection.
 */
import type { Rationale } from '@cloudoptim/contracts';
import { DecayingHistogram, VPA_CPU_BUCKETS, VPA_MEMORY_BUCKETS } from './decaying-histogram.ts';
import { type ContainerResources, type ContainerRightsizing, type ContainerUsageInput, MIB, type RightsizingFloors, VPA_DEFAULT_FLOORS } from './types.ts';

const DAY_MS = 86_400_000;

/** Options of the VPA recommender (defaults = VPA's). */
export interface VpaOptions {
  /** Decision time, epoch ms: samples and OOM events at or after it are ignored. */
  now: number;
  targetPercentile?: number;
  lowerPercentile?: number;
  upperPercentile?: number;
  safetyMargin?: number;
  halfLifeMs?: number;
  memoryAggregationIntervalMs?: number;
  oomBumpRatio?: number;
  oomMinBumpBytes?: number;
  floors?: RightsizingFloors;
  /** Length of the period one sample represents, for the sample-count side of the confidence (default 60 s). */
  sampleIntervalMs?: number;
}

interface ResolvedVpaOptions {
  targetPercentile: number;
  lowerPercentile: number;
  upperPercentile: number;
  safetyMargin: number;
  halfLifeMs: number;
  memoryAggregationIntervalMs: number;
  oomBumpRatio: number;
  oomMinBumpBytes: number;
  floors: RightsizingFloors;
  sampleIntervalMs: number;
}

function resolve(o: Omit<VpaOptions, 'now'>): ResolvedVpaOptions {
  return {
    targetPercentile: o.targetPercentile ?? 0.9,
    lowerPercentile: o.lowerPercentile ?? 0.5,
    upperPercentile: o.upperPercentile ?? 0.95,
    safetyMargin: o.safetyMargin ?? 0.15,
    halfLifeMs: o.halfLifeMs ?? DAY_MS,
    memoryAggregationIntervalMs: o.memoryAggregationIntervalMs ?? DAY_MS,
    oomBumpRatio: o.oomBumpRatio ?? 1.2,
    oomMinBumpBytes: o.oomMinBumpBytes ?? 100 * MIB,
    floors: o.floors ?? VPA_DEFAULT_FLOORS,
    sampleIntervalMs: o.sampleIntervalMs ?? 60_000,
  };
}

/**
 * The recommender's per-container state, fed incrementally (as VPA's recommender is, once a minute). Feeding
 * the same samples and asking at the same time gives the same answer as `recommendVpa` on the whole history.
 */
export class VpaContainerState {
  private readonly cpu: DecayingHistogram;
  private readonly memory: DecayingHistogram;
  private readonly o: ResolvedVpaOptions;
  private firstSampleMs: number | undefined;
  private lastSampleMs: number | undefined;
  private sampleCount = 0;
  private windowEndMs: number | undefined;
  private memoryPeak = 0;
  private oomPeak = 0;
  private lastMemorySampleMs = -Infinity;
  private oomCount = 0;

  constructor(options: Omit<VpaOptions, 'now'> = {}) {
    this.o = resolve(options);
    this.cpu = new DecayingHistogram(VPA_CPU_BUCKETS, this.o.halfLifeMs);
    this.memory = new DecayingHistogram(VPA_MEMORY_BUCKETS, this.o.halfLifeMs);
  }

  /** Adds one usage sample (out-of-order samples are dropped, as VPA does). */
  addSample(timeMs: number, cpuMillicores: number, memoryBytes: number, cpuRequestMillicores: number): void {
    if (this.lastSampleMs === undefined || timeMs > this.lastSampleMs) {
      // CPU weight in cores, at least 0.1 core (VPA minSampleWeight).
      this.cpu.addSample(cpuMillicores, Math.max(cpuRequestMillicores / 1000, 0.1), timeMs);
      this.firstSampleMs ??= timeMs;
      this.lastSampleMs = timeMs;
      this.sampleCount++;
    }
    this.addMemory(timeMs, memoryBytes, false);
  }

  /** Records an OOM kill at `timeMs` with `memoryRequestBytes` in force. */
  recordOom(timeMs: number, memoryRequestBytes: number): void {
    if (this.windowEndMs !== undefined && timeMs < this.windowEndMs - this.o.memoryAggregationIntervalMs) return; // too old (VPA discards it)
    const used = Math.max(memoryRequestBytes, this.memoryPeak);
    const needed = Math.max(used + this.o.oomMinBumpBytes, used * this.o.oomBumpRatio);
    this.oomCount++;
    this.addMemory(timeMs, needed, true);
  }

  private addMemory(timeMs: number, bytes: number, isOom: boolean): void {
    if (!isOom && timeMs < this.lastMemorySampleMs) return;
    if (!isOom) this.lastMemorySampleMs = timeMs;
    const interval = this.o.memoryAggregationIntervalMs;
    this.windowEndMs ??= timeMs;
    let addNewPeak = false;
    if (timeMs < this.windowEndMs) {
      const oldMax = Math.max(this.memoryPeak, this.oomPeak);
      if (oldMax !== 0 && bytes > oldMax) {
        this.memory.subtractSample(oldMax, 1, this.windowEndMs);
        addNewPeak = true;
      }
    } else {
      const shift = Math.floor((timeMs - this.windowEndMs) / interval) * interval + interval;
      this.windowEndMs += shift;
      this.memoryPeak = 0;
      this.oomPeak = 0;
      addNewPeak = true;
    }
    if (addNewPeak) {
      this.memory.addSample(bytes, 1, this.windowEndMs);
      if (isOom) this.oomPeak = bytes;
      else this.memoryPeak = bytes;
    }
  }

  /** VPA's confidence, in days of history: min(span in days, sample-minutes / 1440). */
  confidenceDays(): number {
    if (this.firstSampleMs === undefined || this.lastSampleMs === undefined) return 0;
    const spanDays = (this.lastSampleMs - this.firstSampleMs) / DAY_MS;
    const sampleDays = (this.sampleCount * this.o.sampleIntervalMs) / DAY_MS;
    return Math.min(spanDays, sampleDays);
  }

  /** The recommendation at `nowMs` for a container currently at `current`. */
  recommend(containerId: string, current: ContainerResources, nowMs: number): ContainerRightsizing {
    if (this.cpu.isEmpty() && this.memory.isEmpty()) return noData(containerId, 'vpa', current, nowMs);
    const o = this.o;
    const m = 1 + o.safetyMargin;
    const confDays = this.confidenceDays();
    // VPA divides by the confidence; one minute of history is the least we divide by (an absurd but finite bound).
    const conf = Math.max(confDays, 1 / 1440);
    const upperScale = 1 + 1 / conf;
    const lowerScale = (1 + 0.001 / conf) ** -2;
    const floorCpu = o.floors.cpuMillicores;
    const floorMem = o.floors.memoryBytes;
    const cpuTarget = Math.max(floorCpu, this.cpu.percentile(o.targetPercentile) * m);
    const memTarget = Math.max(floorMem, this.memory.percentile(o.targetPercentile) * m);
    const lower = {
      cpuMillicores: Math.max(floorCpu, this.cpu.percentile(o.lowerPercentile) * m * lowerScale),
      memoryBytes: Math.max(floorMem, this.memory.percentile(o.lowerPercentile) * m * lowerScale),
    };
    const upper = {
      cpuMillicores: Math.max(floorCpu, this.cpu.percentile(o.upperPercentile) * m * upperScale),
      memoryBytes: Math.max(floorMem, this.memory.percentile(o.upperPercentile) * m * upperScale),
    };
    const cpuRequest = Math.ceil(cpuTarget);
    const memRequest = Math.ceil(memTarget);
    const limits = {
      cpuMillicores: current.cpuLimitMillicores === null || current.cpuRequestMillicores <= 0 ? null : Math.ceil((cpuRequest * current.cpuLimitMillicores) / current.cpuRequestMillicores),
      memoryBytes: current.memoryLimitBytes === null || current.memoryRequestBytes <= 0 ? null : Math.ceil((memRequest * current.memoryLimitBytes) / current.memoryRequestBytes),
    };
    const rationale: Rationale = {
      summary:
        `VPA: CPU p${pct(o.targetPercentile)} of decaying usage histogram, memory p${pct(o.targetPercentile)} of ${o.memoryAggregationIntervalMs / 3_600_000} h peaks, ` +
        `+${pct(o.safetyMargin)}% margin; ${confDays.toFixed(2)} d of history${this.oomCount ? `, ${this.oomCount} OOM bump(s)` : ''}.`,
      factors: [
        { name: 'confidence_days', value: round(confDays), weight: null, contribution: null },
        { name: 'cpu_target_percentile_millicores', value: round(this.cpu.percentile(o.targetPercentile)), weight: null, contribution: null },
        { name: 'memory_peak_target_percentile_bytes', value: Math.round(this.memory.percentile(o.targetPercentile)), weight: null, contribution: null },
        { name: 'safety_margin', value: o.safetyMargin, weight: null, contribution: null },
        { name: 'oom_events', value: this.oomCount, weight: null, contribution: null },
      ],
      data_sources: [dataSource(this.lastSampleMs, nowMs)],
    };
    return {
      containerId,
      recommender: 'vpa',
      status: 'ok',
      cpuRequestMillicores: cpuRequest,
      memoryRequestBytes: memRequest,
      limits,
      lowerBound: { cpuMillicores: Math.ceil(lower.cpuMillicores), memoryBytes: Math.ceil(lower.memoryBytes) },
      upperBound: { cpuMillicores: Math.ceil(upper.cpuMillicores), memoryBytes: Math.ceil(upper.memoryBytes) },
      // VPA's confidence is in days; 8 days is the history VPA keeps (8 × 24 h memory windows) — full confidence.
      confidence: Math.min(1, confDays / 8),
      rationale,
    };
  }
}

/**
 * The VPA recommendation for one container from its history before `options.now` (samples sorted by time).
 * O(samples + buckets). A container without samples gets `status: 'no-data'`.
 */
export function recommendVpa(input: ContainerUsageInput, options: VpaOptions): ContainerRightsizing {
  const state = new VpaContainerState(options);
  const ooms = [...(input.oomEvents ?? [])].filter((e) => e.timeMs < options.now).sort((a, b) => a.timeMs - b.timeMs);
  let k = 0;
  for (const s of input.samples) {
    if (s.timeMs >= options.now) break;
    while (k < ooms.length && (ooms[k] as { timeMs: number }).timeMs <= s.timeMs) {
      const e = ooms[k++] as { timeMs: number; memoryRequestBytes?: number };
      state.recordOom(e.timeMs, e.memoryRequestBytes ?? input.current.memoryRequestBytes);
    }
    state.addSample(s.timeMs, s.cpuMillicores, s.memoryBytes, s.cpuRequestMillicores ?? input.current.cpuRequestMillicores);
  }
  for (; k < ooms.length; k++) {
    const e = ooms[k] as { timeMs: number; memoryRequestBytes?: number };
    state.recordOom(e.timeMs, e.memoryRequestBytes ?? input.current.memoryRequestBytes);
  }
  return state.recommend(input.containerId, input.current, options.now);
}

/** The "nothing to recommend" value: current requests echoed, confidence 0. */
export function noData(containerId: string, recommender: 'vpa' | 'cloudoptim', current: ContainerResources, nowMs: number): ContainerRightsizing {
  return {
    containerId,
    recommender,
    status: 'no-data',
    cpuRequestMillicores: current.cpuRequestMillicores,
    memoryRequestBytes: current.memoryRequestBytes,
    limits: { cpuMillicores: current.cpuLimitMillicores, memoryBytes: current.memoryLimitBytes },
    lowerBound: { cpuMillicores: current.cpuRequestMillicores, memoryBytes: current.memoryRequestBytes },
    upperBound: { cpuMillicores: current.cpuRequestMillicores, memoryBytes: current.memoryRequestBytes },
    confidence: 0,
    rationale: { summary: 'No usage samples before the decision time: current requests kept.', factors: [], data_sources: [dataSource(undefined, nowMs)] },
  };
}

export function dataSource(lastSampleMs: number | undefined, nowMs: number): Rationale['data_sources'][number] {
  const asOf = lastSampleMs ?? nowMs;
  return { name: 'container_usage_history', as_of: new Date(asOf).toISOString(), age_seconds: Math.max(0, Math.round((nowMs - asOf) / 1000)) };
}

const pct = (x: number): number => Math.round(x * 100);
const round = (x: number): number => Math.round(x * 100) / 100;
