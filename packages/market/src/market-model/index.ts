/**
 * # Market model — interruption hazard per pool, spot price replay, capacity shortages
 *
 * Shared by the simulator and the backtester so both draw interruptions from the very same process.
 * Pure functions: the price history and the advisor data are passed in, randomness comes from a
 * `RandomSource` (the engines' seeded `Rng` fits), nothing reads a clock.
 *
 * ## Assumptions (and why)
 *
 * 1. **Bucket → hourly hazard.** Spot Advisor's bucket is "the fraction of instances of the type interrupted in
 *    the last month" in the region. A pool's base monthly fraction p is drawn uniformly inside its bucket's band
 *    (`<5%` → [0, 5%], `5-10%` → [5%, 10%], … `>20%` → [20%, 30%]: the open bucket is closed at 30% so its
 *    midpoint is the 25% `INTERRUPTION_BUCKETS` already assumes). The draw is per pool (AZ × type) because the
 *    advisor is regional and AZs differ; where a pool sits in its band is hidden ground truth — strategies only
 *    ever see the bucket. p becomes a constant hourly hazard such that an instance running a full month
 *    (730 h) is interrupted with probability p: **λ = −ln(1 − p) / 730 h** (e.g. 7.5% → 1.07e-4 /h).
 * 2. **Price level.** Since the 2017 pricing change Spot prices move slowly with long-run supply and demand and
 *    sit mostly at 25–50% of on-demand (Spot Advisor savings of 50–75%; us-east-1 m5.large 2021: 0.038/0.096 =
 *    0.40). A price that climbs towards on-demand means spare capacity is scarce — the condition under which
 *    AWS reclaims capacity. The hazard is multiplied by **1 + k·max(0, ratio − r0)/(1 − r0)** with ratio =
 *    spot/on-demand, r0 = 0.6, k = 3: no effect in the normal regime (the advisor bucket already describes it),
 *    rising linearly to ×4 at price parity (the observed sa-east-1 t3.xlarge pool at 100% of on-demand).
 *    Linear rather than exponential because there is no published data to fit a curvature to; the cap
 *    (`maxMultiplier`, ×10 combined) keeps a single odd price from dominating a run.
 * 3. **Price jumps.** A step up of ≥ 10% over the previous price multiplies the hazard by 1 + 2·min(1, rise) for
 *    6 hours (a sudden rise signals a demand burst that reclaims capacity now, not over the month).
 * 4. **Independence.** Given the pool's hazard, instances are interrupted independently (non-homogeneous
 *    Poisson per instance, sampled exactly by inverting the integrated piecewise-constant hazard). Correlated
 *    mass reclaims are represented only through the shared hazard (price spikes raise it for every instance
 *    of the pool at once).
 * 5. **Warning.** Every interruption gives the 2-minute notice (`interruption_warning`), then `termination`.
 * 6. **Rebalance recommendations.** AWS sends them "when a Spot Instance is at elevated risk", sometimes before
 *    the notice and sometimes with no interruption after. Assumed: 50% of interruptions are preceded by one,
 *    lead = 5 min + Exp(mean 25 min) before the warning; spurious ones arrive at 0.5 × the hazard. No published
 *    figures exist; the parameters are arguments so a scenario can change them.
 * 7. **Capacity shortages.** Per pool, InsufficientInstanceCapacity episodes start as a Poisson process at
 *    20 × the pool's instance hazard (≈0.5 episodes/month for a `<5%` pool, ≈6 for a `>20%` pool, more when
 *    the price nears on-demand) and last Exp(mean 2 h). During an episode launches in the pool fail; running
 *    instances are unaffected (their risk is already in the hazard). On-demand capacity is assumed available.
 * 8. **Price replay.** Simulated time maps onto a window of the real history (`createPriceReplay`), wrapping
 *    to the window start at its end. On-demand prices are today's list prices (on-demand list prices hardly
 *    changed between 2020 and 2026 for these families), used as the reference of the ratio in (2).
 *
 * ## Complexity
 * Building a pool's hazard: O(s log s) for s price steps in the window. Sampling an instance's fate or a
 * shortage episode: O(log s) (binary search on the integrated hazard).
 */
export { type RandomSource, unitExponential } from './random.ts';
export {
  BUCKET_MONTHLY_BANDS,
  DEFAULT_HAZARD_PARAMS,
  HOURS_PER_MONTH,
  bucketMonthlyBand,
  buildHazardTimeline,
  constantHazardTimeline,
  cumulativeHazardAt,
  expectedInterruptions,
  hazardAt,
  hourlyHazardToMonthlyFraction,
  jumpMultiplier,
  monthlyFractionToHourlyHazard,
  priceRatioMultiplier,
  sampleBaseMonthlyFraction,
  timeAtCumulativeHazard,
  type HazardParams,
  type HazardTimeline,
  type PoolHazardInput,
} from './hazard.ts';
export { createPriceReplay, type PriceHistorySource, type PriceReplay, type PriceReplayOptions } from './price-replay.ts';
export {
  DEFAULT_REBALANCE_PARAMS,
  DEFAULT_SHORTAGE_PARAMS,
  INTERRUPTION_WARNING_MS,
  inShortage,
  sampleCapacityShortages,
  sampleInstanceFate,
  simulateInterruptions,
  type InstanceFate,
  type InstanceSpan,
  type MarketEvent,
  type MarketEventKind,
  type RebalanceParams,
  type ShortageParams,
  type ShortageWindow,
} from './interruption-process.ts';
