/**
 * Online (walk-forward) evaluation of a recommender on one usage series: at each re-recommendation time t the
 * recommender sees only samples (and OOM events) before t; its requests are applied at t and judged on the
 * samples of [t, next re-recommendation). Never peeks ahead.
 *
 * OOM feedback: when `simulateOom` is on, a sample whose memory usage is above the memory request in force is
 * an OOM kill (the limit is taken equal to the request, the strict reading of the OOM proxy); it is fed back to
 * the recommender like a real one (`recordOom` on the recommender's state at once; it affects the next recommendation). The trace itself
 * is replayed unchanged (a real kill would also lose the work in flight — not modelled).
 */
import type { CloudOptimOptions } from './cloudoptim-recommender.ts';
import { CloudOptimContainerState } from './cloudoptim-state.ts';
import { type ContainerResources, type ContainerUsageSample, GIB, type OomEvent } from './types.ts';
import { type VpaOptions, VpaContainerState } from './vpa-recommender.ts';

/** Prices used to weigh CPU against memory (USD per vCPU-hour and per GiB-hour). */
export interface ResourcePrices {
  cpuUsdPerVcpuHour: number;
  memoryUsdPerGibHour: number;
}

/** Options of `walkForwardRightsizing`. */
export interface WalkForwardOptions {
  recommender: 'vpa' | 'cloudoptim';
  /** Requests in force before the first recommendation. */
  initial: ContainerResources;
  /** First recommendation time, epoch ms (samples before it are warm-up history only). */
  startMs: number;
  /** Re-recommend every this many ms (default 1 h). */
  reRecommendEveryMs?: number;
  /** Feed usage above the memory request back as OOM kills (default true). */
  simulateOom?: boolean;
  vpa?: Omit<VpaOptions, 'now'>;
  cloudoptim?: Omit<CloudOptimOptions, 'now' | 'horizonMs'>;
  prices: ResourcePrices;
}

/** Per-resource outcome over the evaluated samples. */
export interface ResourceOutcome {
  /** Mean request in force. */
  meanRequest: number;
  /** Mean usage. */
  meanUsage: number;
  /** Slack = Σ max(0, request − usage) / Σ request: the share of requested resource-time left idle. */
  slack: number;
  /** Mean over samples of (request − usage) / request, negative when usage is over (the definition). */
  meanSignedSlack: number;
  /** Share of samples with usage above the request (memory: OOM proxy; CPU: throttle proxy). */
  overShare: number;
  /** Number of such samples. */
  overCount: number;
}

/** Result of a walk-forward run. */
export interface WalkForwardResult {
  recommender: 'vpa' | 'cloudoptim';
  /** Samples judged. */
  samples: number;
  recommendations: number;
  cpu: ResourceOutcome;
  memory: ResourceOutcome;
  /** Idle cost / requested cost with the given prices (CPU and memory together). */
  costSlack: number;
  /** Requested cost, USD (each sample stands for the time to the next one, at most 1 h). */
  requestedCostUsd: number;
  /** Idle cost, USD. */
  idleCostUsd: number;
  /** Mean confidence of the recommendations. */
  meanConfidence: number;
  /** OOM events fed back. */
  oomEvents: number;
}

class Acc {
  req = 0;
  use = 0;
  idle = 0;
  signed = 0;
  over = 0;
  n = 0;
  add(req: number, use: number): void {
    this.req += req;
    this.use += use;
    this.idle += Math.max(0, req - use);
    this.signed += req > 0 ? (req - use) / req : 0;
    if (use > req) this.over++;
    this.n++;
  }
  result(): ResourceOutcome {
    const n = Math.max(1, this.n);
    return { meanRequest: this.req / n, meanUsage: this.use / n, slack: this.req > 0 ? this.idle / this.req : 0, meanSignedSlack: this.signed / n, overShare: this.over / n, overCount: this.over };
  }
}

/**
 * Replays `samples` (sorted by time) through the recommender. O(recommendations × recommender cost + samples).
 */
export function walkForwardRightsizing(samples: readonly ContainerUsageSample[], options: WalkForwardOptions): WalkForwardResult {
  const every = options.reRecommendEveryMs ?? 3_600_000;
  const simulateOom = options.simulateOom ?? true;
  const vpa = options.recommender === 'vpa' ? new VpaContainerState(options.vpa) : undefined;
  const co = options.recommender === 'cloudoptim' ? new CloudOptimContainerState(options.cloudoptim) : undefined;
  let current: ContainerResources = { ...options.initial };
  const ooms: OomEvent[] = [];
  const cpu = new Acc();
  const mem = new Acc();
  let requestedCost = 0;
  let idleCost = 0;
  let confSum = 0;
  let recs = 0;
  let fed = 0; // samples already given to the recommender's state
  let i = 0;
  const { cpuUsdPerVcpuHour: pc, memoryUsdPerGibHour: pm } = options.prices;
  // Both recommenders keep state between decisions; samples are fed as the replay passes them.
  const feed = (upTo: number): void => {
    for (; fed < upTo; fed++) {
      const s = samples[fed] as ContainerUsageSample;
      vpa?.addSample(s.timeMs, s.cpuMillicores, s.memoryBytes, s.cpuRequestMillicores ?? current.cpuRequestMillicores);
      co?.addSample(s.timeMs, s.cpuMillicores, s.memoryBytes);
    }
  };
  // Warm-up history before the first recommendation, with the initial requests.
  while (i < samples.length && (samples[i] as ContainerUsageSample).timeMs < options.startMs) i++;
  const lastTime = (samples[samples.length - 1] as ContainerUsageSample | undefined)?.timeMs ?? options.startMs;
  for (let t = options.startMs; t <= lastTime; t += every) {
    feed(i);
    const rec = vpa ? vpa.recommend('walk-forward', current, t) : (co as CloudOptimContainerState).recommend('walk-forward', current, t, every);
    current = { cpuRequestMillicores: rec.cpuRequestMillicores, memoryRequestBytes: rec.memoryRequestBytes, cpuLimitMillicores: rec.limits.cpuMillicores, memoryLimitBytes: rec.limits.memoryBytes };
    confSum += rec.confidence;
    recs++;
    for (; i < samples.length; i++) {
      const s = samples[i] as ContainerUsageSample;
      if (s.timeMs >= t + every) break;
      cpu.add(current.cpuRequestMillicores, s.cpuMillicores);
      mem.add(current.memoryRequestBytes, s.memoryBytes);
      const next = samples[i + 1];
      const hours = Math.min(1, ((next ? next.timeMs : s.timeMs + 300_000) - s.timeMs) / 3_600_000);
      const cpuCost = (current.cpuRequestMillicores / 1000) * pc * hours;
      const memCost = (current.memoryRequestBytes / GIB) * pm * hours;
      requestedCost += cpuCost + memCost;
      idleCost += (Math.max(0, current.cpuRequestMillicores - s.cpuMillicores) / 1000) * pc * hours + (Math.max(0, current.memoryRequestBytes - s.memoryBytes) / GIB) * pm * hours;
      if (simulateOom && s.memoryBytes > current.memoryRequestBytes) {
        ooms.push({ timeMs: s.timeMs, memoryRequestBytes: current.memoryRequestBytes });
        feed(i + 1);
        vpa?.recordOom(s.timeMs, current.memoryRequestBytes);
        co?.recordOom(s.timeMs, current.memoryRequestBytes);
      }
    }
  }
  return {
    recommender: options.recommender,
    samples: cpu.n,
    recommendations: recs,
    cpu: cpu.result(),
    memory: mem.result(),
    costSlack: requestedCost > 0 ? idleCost / requestedCost : 0,
    requestedCostUsd: requestedCost,
    idleCostUsd: idleCost,
    meanConfidence: recs ? confSum / recs : 0,
    oomEvents: ooms.length,
  };
}
