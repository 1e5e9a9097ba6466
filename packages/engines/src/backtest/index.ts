/**
 * # Backtester
 *
 * Replays a window of real per-AZ spot price history (us-east-1 2021-03…05, sa-east-1 2020-01…06) for a
 * workload and compares strategies — `on-demand`, `cheapest-spot`, `cheapest-spot-low-interruption`,
 * `pco-like`, `cloudoptim` — on cost, savings vs on-demand, interruptions per node-month, pod disruption
 * minutes and a daily cost series, over several seeds (mean ± spread).
 *
 * ## Algorithm
 * Per seed, a `MarketTruth` draws each pool's hidden state from the shared market model
 * (packages/market/src/market-model): its base interruption rate inside its Spot Advisor band, its hazard
 * over the window (raised as the price nears on-demand and after jumps) and its capacity-shortage windows.
 * Every strategy then runs through the same discrete-event simulation (simulate.ts):
 * - scale-down removes the nodes the strategy names (`Strategy.scaleDown`, only `cloudoptim`: its worst pools
 *   by expected cost), else the most expensive nodes by current price;
 * - decision points: the start, every change of the wanted node count (daily profile), every interruption
 *   warning (the replacement), rebalance recommendations (when the workload acts on them), and every
 *   `rebalanceEveryHours` for strategies that rebalance (only `cloudoptim`: the AWS-like baselines place
 *   new launches and never move running nodes, as EC2 Fleet's allocation strategies do);
 * - a spot node's fate (warning, termination, rebalance recommendation) is drawn at launch by inverting its
 *   pool's integrated hazard; a launch into a pool in a shortage window fails (InsufficientInstanceCapacity),
 *   hides the pool for a cool-down and asks the strategy again, then falls back to on-demand;
 * - pods of an interrupted node are down until the replacement is Ready (it starts at the 2-minute warning
 *   when the cluster handles it) plus their restart time; a voluntary move costs the restart time;
 * - cost integrates each node's price steps from launch to termination, split into UTC-day buckets.
 *
 * ## What strategies may see
 * Only public data at decision time (public-view.ts): prices up to `now` (a clamped price source; a query
 * past `now` answers undefined), the Spot Advisor snapshot in force at `now`, on-demand list prices, and the
 * pools that recently answered "no capacity". Never the hazard or the shortage windows. `pco-like` uses the
 * advisor bucket as its capacity proxy (AWS's capacity signal is not public), one tier worse when the price is
 * ≥ 80% of on-demand; `cloudoptim` calls `selectSpotPools` with `advisorSnapshot: 'as-of-now'`.
 *
 * ## Assumptions
 * See `BacktestResult.rationale.assumptions` and the market model's (market-model/index.ts). Notable: for
 * sa-east-1 2020 no advisor snapshot predates the window, so the earliest (2021-02-10) stands in — for the
 * market model and every strategy alike; the first 24 h of a capture are a warm-up (prices are known from a
 * pool's first change).
 *
 * ## Complexity
 * Per run: O(E log E) events plus one strategy decision per decision point (a pool scan for baselines,
 * one `selectSpotPools` call for cloudoptim) and O(s) billing per node for s price steps of its lifetime.
 */
export {
  DEFAULT_BACKTEST_OPTIONS,
  effectiveWindow,
  runBacktest,
  strategyByName,
  type BacktestData,
  type BacktestInput,
  type BacktestOptions,
  type BacktestResult,
  type SeedResult,
  type StrategyReport,
} from './backtest.ts';
export { cloudOptimStrategy, DEFAULT_CLOUDOPTIM_STRATEGY_OPTIONS, type CloudOptimStrategyOptions } from './cloudoptim-strategy.ts';
export { MarketTruth, type PoolTruth } from './market-truth.ts';
export { advisorAsOf, candidateTypes, clampedPrices, type ClampedPrices, type PoolView } from './public-view.ts';
export { DEFAULT_SIMULATION_OPTIONS, simulateStrategy, type SimulationEnv, type SimulationOptions, type StrategyRun } from './simulate.ts';
export { seedStat, type SeedStat } from './stats.ts';
export {
  capacityTier,
  cheapestLowInterruptionStrategy,
  cheapestSpotStrategy,
  onDemandStrategy,
  pcoLikeStrategy,
  STRATEGY_NAMES,
  type CapacityType,
  type DecisionContext,
  type Move,
  type Placement,
  type RunningNode,
  type Strategy,
  type StrategyName,
} from './strategies.ts';
export { BacktestWorkloadSchema, desiredNodeCount, scaleChangeTimes, type BacktestWorkload, type BacktestWorkloadInput } from './workload.ts';
