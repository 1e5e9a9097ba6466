/**
 * Rightsizing — per-container CPU and memory requests (and limits) from usage history, by two recommenders
 * with the same input and output: the VPA baseline and CloudOptim's.
 *
 * `recommendVpa` (vpa-recommender.ts) re-implements the Kubernetes VPA recommender with its defaults: CPU
 * samples in a decaying exponential histogram (10 m first bucket, +5 %, half-life 24 h, weight = max(request,
 * 0.1 core)); memory as one peak per 24 h window (half-life 24 h); OOM kill → a sample of max(×1.2, +100 MiB);
 * target p90, lower p50, upper p95, × 1.15; bounds scaled by the confidence (days of history);
 * floors 25 m / 250 MiB; limits keep the current limit/request ratio.
 * Simplified on purpose: one container per pod (VPA splits the pod floors over containers); confidence counts
 * each sample as `sampleIntervalMs` (VPA assumes one sample per minute); no maxAllowed / LimitRange capping,
 * no rounding to "nice" memory units, no checkpoints; the updater (when a recommendation is applied) is
 * modelled by the caller (`walkForwardRightsizing` applies every recommendation at once, in place).
 *
 * `recommendCloudOptim` (cloudoptim-recommender.ts) / `CloudOptimContainerState` (cloudoptim-state.ts, the
 * incremental form): requests for the period they will be in force, from the usage forecaster — CPU
 * (compressible) = hourly mean forecast + p91 of 5-minute excess over the one-step forecast, no CPU limit;
 * memory (not compressible) = hourly peak forecast + per-container conformal margin (p90 of its own one-step
 * peak misses, decayed: grows after misses), a 24 h-peak floor for bursty containers, a VPA-like peak floor
 * (p90 of the last 8 daily peaks × 1.15) for containers whose own replayed past says it avoids ≥ 0.2 missed
 * hours per GiB-hour of extra request (steady small containers), never below the last hour's peak, VPA-style bump for 3 h after an OOM kill; level correction for change points;
 * confidence = min(1, days/7) / (1 + fit error). Same floors as VPA.
 *
 * `walkForwardRightsizing` replays a series online (decide at t from data before t, judge on [t, t + N)),
 * feeding usage above the memory request back as OOM kills. `summarizeWorkload` prices a workload's requests
 * before/after (prices are inputs); `toContainerRecommendation` maps to the wire contract.
 *
 * Assumptions: samples are regular-ish (5 min in the benchmark) and sorted by time; usage ≥ 0; requests apply
 * in place (Kubernetes in-place pod resize) — re-recommending every hour is only meaningful with it; with
 * evictions, use a 24 h horizon.
 *
 * Complexity: VPA O(samples) from scratch, O(1) per sample incrementally (`VpaContainerState`), O(176) per
 * recommendation; CloudOptim O(1) per sample into hourly aggregates, per decision two forecasts over ≤ 336
 * hourly points + one sort of ≤ 7 days of CPU residuals + the peak-floor replay over ≤ 336 hours × 8 days
 * (≈ 1 ms); from scratch O(14 days of samples) more. Pure: `now` is an argument, no randomness, no I/O.
 */
export {
  type ContainerResources,
  type ContainerRightsizing,
  type ContainerUsageInput,
  type ContainerUsageSample,
  type OomEvent,
  type ResourceAmounts,
  type RightsizingFloors,
  VPA_DEFAULT_FLOORS,
} from './types.ts';
export { DecayingHistogram, type ExponentialBuckets, VPA_CPU_BUCKETS, VPA_MEMORY_BUCKETS } from './decaying-histogram.ts';
export { recommendVpa, VpaContainerState, type VpaOptions } from './vpa-recommender.ts';
export { recommendCloudOptim, type CloudOptimOptions } from './cloudoptim-recommender.ts';
export { CloudOptimContainerState, type CloudOptimStateOptions } from './cloudoptim-state.ts';
export { walkForwardRightsizing, type ResourceOutcome, type ResourcePrices, type WalkForwardOptions, type WalkForwardResult } from './walk-forward.ts';
export { summarizeWorkload, toContainerRecommendation, type ContainerRef, type WorkloadContainer, type WorkloadCost, type WorkloadRightsizingSummary } from './summary.ts';
