/**
 * CloudOptim's recommender: a forecast-aware target for the period the recommendation will be in force
 * (`horizonMs`, the re-recommendation interval), instead of one percentile of all history.
 *
 * - CPU (compressible; being over the request borrows idle CPU, it does not kill): hourly MEAN usage forecast
 *   by `forecastUsage` (daily + weekday seasonality, level correction) for the next `horizonMs`, plus the
 *   `cpuQuantile` of how far 5-minute samples sat above the one-step forecast of their hour over the last days
 *   (decayed). No CPU limit (limits throttle even when the node has idle CPU).
 * - Memory (not compressible; over the limit is an OOM kill): hourly PEAK forecast for the next `horizonMs`
 *   plus a per-container margin: the `memoryQuantile` of the container's own one-step-ahead peak misses
 *   (conformal-style calibration, decayed, so it grows after misses); bursty containers (misses large against
 *   their typical peak) also keep a share of their last-24 h peak; containers whose own replayed past says a
 *   VPA-like daily-peak floor avoids enough misses per GiB-hour it costs keep that floor; never below the peak of the last
 *   `recentPeakWindowMs`; after an OOM kill within `oomMemoryWindowMs`, at least VPA's bump
 *   max(used × 1.2, used + 100 MiB). Memory limit = the upper bound.
 * - Under one day of history (no seasonal profile yet) it falls back to VPA-style percentiles of the recent
 *   samples with a 15% margin.
 * - Confidence = min(1, history days / 7) × 1 / (1 + day-ahead fit WAPE of the memory peak forecast).
 *
 * The algorithm lives in `CloudOptimContainerState` (cloudoptim-state.ts), which keeps hourly aggregates
 * between decisions; this pure function builds that state from the history it is given.
 */
import { HOUR_MS } from '../forecasting/seasonal-forecast.ts';
import { lowerBoundByTime } from '../forecasting/resample.ts';
import { CloudOptimContainerState, type CloudOptimStateOptions } from './cloudoptim-state.ts';
import type { ContainerRightsizing, ContainerUsageInput, ContainerUsageSample } from './types.ts';

const DAY_MS = 86_400_000;

/** Options of `recommendCloudOptim`. */
export interface CloudOptimOptions extends CloudOptimStateOptions {
  /** Decision time, epoch ms: nothing at or after it is read. */
  now: number;
  /** How long the recommendation will be in force (until the next one), ms (default 1 h). */
  horizonMs?: number;
}

/**
 * CloudOptim's recommendation for one container from its history before `options.now` (samples sorted by
 * time). Builds a `CloudOptimContainerState` from the last `historyDays` of samples: O(those samples) + one
 * decision (≈ 1 ms for 14 days of 5-minute samples). For repeated decisions keep the state instead.
 */
export function recommendCloudOptim(input: ContainerUsageInput, options: CloudOptimOptions): ContainerRightsizing {
  const { now, horizonMs, ...stateOptions } = options;
  const state = new CloudOptimContainerState(stateOptions);
  const historyDays = options.historyDays ?? 14;
  // The window read by a decision, plus the 5 minutes an OOM kill looks back for the usage it killed.
  const from = now - historyDays * DAY_MS - 5 * 60_000;
  const ooms = [...(input.oomEvents ?? [])].filter((e) => e.timeMs < now).sort((a, b) => a.timeMs - b.timeMs);
  let k = 0;
  const samples = input.samples;
  for (let i = lowerBoundByTime(samples, from); i < samples.length; i++) {
    const s = samples[i] as ContainerUsageSample;
    if (s.timeMs >= now) break;
    while (k < ooms.length && (ooms[k] as { timeMs: number }).timeMs < s.timeMs) {
      const e = ooms[k++] as { timeMs: number; memoryRequestBytes?: number };
      state.recordOom(e.timeMs, e.memoryRequestBytes ?? input.current.memoryRequestBytes);
    }
    state.addSample(s.timeMs, s.cpuMillicores, s.memoryBytes);
  }
  for (; k < ooms.length; k++) {
    const e = ooms[k] as { timeMs: number; memoryRequestBytes?: number };
    state.recordOom(e.timeMs, e.memoryRequestBytes ?? input.current.memoryRequestBytes);
  }
  return state.recommend(input.containerId, input.current, now, horizonMs ?? HOUR_MS);
}
