/**
 * `runBacktest`: every requested strategy × every seed over one region's price history window, with the
 * on-demand run of the same seed as the savings baseline.
 */
import { AppError, parseOrThrow } from '@cloudoptim/contracts';
import { DEFAULT_HAZARD_PARAMS, DEFAULT_SHORTAGE_PARAMS, type HazardParams, type Market, type ShortageParams, type SpotPriceHistory } from '@cloudoptim/market';
import { z } from 'zod';
import { cloudOptimStrategy, type CloudOptimStrategyOptions, DEFAULT_CLOUDOPTIM_STRATEGY_OPTIONS } from './cloudoptim-strategy.ts';
import { MarketTruth } from './market-truth.ts';
import { advisorAsOf, candidateTypes } from './public-view.ts';
import { DEFAULT_SIMULATION_OPTIONS, type SimulationOptions, simulateStrategy, type StrategyRun } from './simulate.ts';
import { seedStat, type SeedStat } from './stats.ts';
import { cheapestLowInterruptionStrategy, cheapestSpotStrategy, onDemandStrategy, pcoLikeStrategy, type Strategy, STRATEGY_NAMES, type StrategyName } from './strategies.ts';
import { type BacktestWorkload, type BacktestWorkloadInput, BacktestWorkloadSchema } from './workload.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const HOURS_PER_MONTH = 730;

/** The loaded data a backtest reads (passed in; the engine does no I/O). */
export interface BacktestData {
  market: Market;
  history: SpotPriceHistory;
}

/** Tunables of a backtest; all have defaults. */
export interface BacktestOptions extends SimulationOptions {
  hazardParams: HazardParams;
  shortageParams: ShortageParams;
  cloudoptim: CloudOptimStrategyOptions;
  /** Hours after the start of a region's capture before decisions start (see `effectiveWindow`). */
  warmUpHours: number;
}

export const DEFAULT_BACKTEST_OPTIONS: Readonly<BacktestOptions> = Object.freeze({
  ...DEFAULT_SIMULATION_OPTIONS,
  hazardParams: DEFAULT_HAZARD_PARAMS,
  shortageParams: DEFAULT_SHORTAGE_PARAMS,
  cloudoptim: DEFAULT_CLOUDOPTIM_STRATEGY_OPTIONS,
  warmUpHours: 24,
});

/** Input of `runBacktest`. */
export interface BacktestInput {
  region: string;
  /** Window, epoch ms ([fromMs, toMs)). */
  fromMs: number;
  toMs: number;
  /** The workload (validated here with `BacktestWorkloadSchema`). */
  workload: BacktestWorkloadInput | BacktestWorkload;
  /** Default: all five. `on-demand` always runs as the savings baseline. */
  strategies?: readonly StrategyName[];
  /** First seed; seeds are seed, seed+1, … */
  seed: number;
  /** How many seeds (default 1). */
  seedCount?: number;
  options?: Partial<BacktestOptions>;
}

/** One strategy on one seed. */
export interface SeedResult extends Omit<StrategyRun, 'dailyCostUsd' | 'nodeHoursByPool'> {
  seed: number;
  savingsPct: number;
  interruptionsPerNodeMonth: number;
}

/** One strategy across seeds. */
export interface StrategyReport {
  name: StrategyName;
  description: string;
  costUsd: SeedStat;
  /** Saving vs the on-demand run of the same seed, percent. */
  savingsPct: SeedStat;
  interruptions: SeedStat;
  interruptionsPerNodeMonth: SeedStat;
  podDisruptionMinutes: SeedStat;
  nodeHours: SeedStat;
  /** Share of node-hours on spot, percent. */
  spotSharePct: SeedStat;
  /** Daily cost, USD, mean over seeds (day i = [effectiveFrom + i·24 h, …)). */
  dailyCostUsd: number[];
  /** Pools with the most node-hours (over all seeds), at most 5. */
  topPools: { pool: string; nodeHours: number }[];
  perSeed: SeedResult[];
}

/** Result of `runBacktest`. */
export interface BacktestResult {
  region: string;
  workload: string;
  /** Requested window, ISO. */
  from: string;
  to: string;
  /** Simulated window after the warm-up and clipping to the data, ISO. */
  effectiveFrom: string;
  effectiveTo: string;
  days: number;
  seeds: number[];
  zones: string[];
  strategies: StrategyReport[];
  rationale: {
    summary: string;
    dataSources: { name: string; asOf: string; note: string }[];
    marketModel: { hazard: HazardParams; shortages: ShortageParams; rebalance: SimulationOptions['rebalanceParams'] };
    assumptions: string[];
  };
}

const InputSchema = z.object({
  region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'expected an AWS region such as us-east-1'),
  fromMs: z.number().finite(),
  toMs: z.number().finite(),
  strategies: z.array(z.enum(STRATEGY_NAMES)).min(1).optional(),
  seed: z.number().int().min(0).max(2 ** 32 - 1),
  seedCount: z.number().int().min(1).max(100).optional(),
});

/** The strategy objects by name. */
export function strategyByName(name: StrategyName, options: BacktestOptions = { ...DEFAULT_BACKTEST_OPTIONS }): Strategy {
  switch (name) {
    case 'on-demand':
      return onDemandStrategy;
    case 'cheapest-spot':
      return cheapestSpotStrategy;
    case 'cheapest-spot-low-interruption':
      return cheapestLowInterruptionStrategy;
    case 'pco-like':
      return pcoLikeStrategy;
    case 'cloudoptim':
      return cloudOptimStrategy(options.cloudoptim);
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();
const day = (ms: number): string => iso(ms).slice(0, 10);

/**
 * The window a backtest can simulate: the requested one clipped to the region's capture, starting no earlier
 * than `warmUpHours` after the capture starts (the price API returns changes only, so a pool's price is known
 * from its first change: 99% of pools have one within the first day).
 * @throws AppError NO_DATA (naming the windows the data covers) when the region has no history or the
 *   request does not overlap it by at least a day; VALIDATION_FAILED when from ≥ to.
 */
export function effectiveWindow(history: SpotPriceHistory, region: string, fromMs: number, toMs: number, warmUpHours = DEFAULT_BACKTEST_OPTIONS.warmUpHours): { fromMs: number; toMs: number } {
  if (!(toMs > fromMs)) throw new AppError('VALIDATION_FAILED', 'the backtest window is empty: --to must be after --from', { issues: [{ path: 'to', message: 'must be after from' }] });
  const coverage = history.coverage();
  const windows = coverage.map((c) => `${c.region} ${day(c.firstMs)}…${day(c.lastMs)}`);
  const c = coverage.find((x) => x.region === region);
  if (!c) throw new AppError('NO_DATA', `no spot price history for ${region}; the data covers ${windows.join(', ')}`, { region, available_windows: windows });
  const firstDay = Date.parse(`${day(c.firstMs)}T00:00:00Z`);
  const lastDayEnd = Date.parse(`${day(c.lastMs)}T00:00:00Z`) + DAY_MS;
  if (fromMs < firstDay || toMs > lastDayEnd) {
    throw new AppError('NO_DATA', `${day(fromMs)}…${day(toMs)} is outside the spot price history of ${region} (${day(c.firstMs)}…${day(c.lastMs)}); the data covers ${windows.join(', ')}`, {
      region,
      from: iso(fromMs),
      to: iso(toMs),
      available_windows: windows,
    });
  }
  const from = Math.max(fromMs, c.firstMs + warmUpHours * HOUR_MS);
  const to = Math.min(toMs, c.lastMs);
  if (to - from < DAY_MS) {
    throw new AppError('NO_DATA', `less than a day of ${region} history in ${day(fromMs)}…${day(toMs)} after the ${warmUpHours} h warm-up at the start of the capture; the data covers ${windows.join(', ')}`, {
      region,
      available_windows: windows,
    });
  }
  return { fromMs: from, toMs: to };
}

/**
 * Runs the backtest. `onProgress(done, total)` is called after each (strategy, seed) run.
 * @throws AppError VALIDATION_FAILED (bad workload, strategy, zones), NO_DATA (window outside the data),
 *   UNKNOWN_REGION.
 */
export function runBacktest(data: BacktestData, input: BacktestInput, onProgress?: (done: number, total: number) => void): BacktestResult {
  const parsed = parseOrThrow(InputSchema, { region: input.region, fromMs: input.fromMs, toMs: input.toMs, strategies: input.strategies, seed: input.seed, seedCount: input.seedCount }, 'backtest input');
  const workload = parseOrThrow(BacktestWorkloadSchema, input.workload, 'backtest workload');
  const options: BacktestOptions = { ...DEFAULT_BACKTEST_OPTIONS, ...input.options };
  const { market, history } = data;
  market.assertRegion(parsed.region);
  const window = effectiveWindow(history, parsed.region, parsed.fromMs, parsed.toMs, options.warmUpHours);
  const regionAzs = history.coverage().find((c) => c.region === parsed.region)?.availabilityZones ?? [];
  const zones = workload.zones ?? [...regionAzs];
  const badZones = zones.filter((z) => !regionAzs.includes(z));
  if (badZones.length) {
    throw new AppError('VALIDATION_FAILED', `backtest workload is invalid: zones ${badZones.join(', ')} have no price history in ${parsed.region} (have ${regionAzs.join(', ')})`, {
      issues: badZones.map((z) => ({ path: `zones.${zones.indexOf(z)}`, message: `${z} has no price history in ${parsed.region}` })),
    });
  }
  const types = candidateTypes(market, parsed.region, workload);
  if (!types.length) {
    throw new AppError('UNPROCESSABLE', `no instance type in ${parsed.region} fits a node of ${workload.node.vcpu} vCPU / ${workload.node.memoryGib} GiB (${workload.node.architecture})`, { region: parsed.region, node: workload.node });
  }
  const names: StrategyName[] = [...new Set<StrategyName>(['on-demand', ...(parsed.strategies ?? STRATEGY_NAMES)])];
  const strategies = names.map((n) => strategyByName(n, options));
  const seeds = Array.from({ length: parsed.seedCount ?? 1 }, (_, i) => (parsed.seed + i) >>> 0);
  const total = seeds.length * strategies.length;
  let done = 0;
  const runs = new Map<StrategyName, { seed: number; run: StrategyRun }[]>(names.map((n) => [n, []]));
  for (const seed of seeds) {
    const truth = new MarketTruth(market, history, parsed.region, window.fromMs, window.toMs, seed, options.hazardParams, options.shortageParams);
    for (const strategy of strategies) {
      const run = simulateStrategy(strategy, { market, history, region: parsed.region, zones, fromMs: window.fromMs, toMs: window.toMs, workload, types, truth, hazardParams: options.hazardParams, options }, seed);
      runs.get(strategy.name)?.push({ seed, run });
      onProgress?.(++done, total);
    }
  }
  const baseline = new Map((runs.get('on-demand') ?? []).map((r) => [r.seed, r.run.costUsd]));
  const reports = strategies.map((s) => report(s, runs.get(s.name) ?? [], baseline));
  const requested = parsed.strategies ?? STRATEGY_NAMES;
  const advisor = advisorAsOf(market, parsed.region, types[0]?.instanceType ?? '', window.fromMs);
  const advisorNote = advisor.lookAhead
    ? `no Spot Advisor snapshot predates the window; the earliest (${advisor.snapshotDate}) stands in for it — a look-ahead of the public data, used alike by the market model and every strategy`
    : `the snapshot in force at each decision (${advisor.snapshotDate ?? 'none'} at the start); the market model is calibrated to the one in force at the window start`;
  return {
    region: parsed.region,
    workload: workload.name,
    from: iso(parsed.fromMs),
    to: iso(parsed.toMs),
    effectiveFrom: iso(window.fromMs),
    effectiveTo: iso(window.toMs),
    days: Math.ceil((window.toMs - window.fromMs) / DAY_MS),
    seeds,
    zones: [...zones],
    strategies: reports.filter((r) => requested.includes(r.name) || r.name === 'on-demand'),
    rationale: {
      summary: summary(reports),
      dataSources: [
        { name: 'spot-price-history', asOf: `${iso(window.fromMs)}…${iso(window.toMs)}`, note: 'real per-AZ price changes, replayed; strategies see prices up to decision time only' },
        { name: 'spot-advisor-history', asOf: advisor.snapshotDate ?? 'none', note: advisorNote },
        { name: 'on-demand-prices', asOf: market.dataDates().onDemand.karpenter || market.dataDates().onDemand.ec2instances, note: 'current list prices (after the window; on-demand list prices barely moved since 2020)' },
      ],
      marketModel: { hazard: options.hazardParams, shortages: options.shortageParams, rebalance: options.rebalanceParams },
      assumptions: [
        'interruptions are drawn from the market model (packages/market/src/market-model): hazard per pool calibrated to its advisor bucket (base rate drawn inside the band per pool and seed, hidden from strategies), raised as the price nears on-demand and after jumps',
        'capacity shortages make launches in a pool fail (InsufficientInstanceCapacity); the pool is hidden from strategies for the cool-down, then retried; after the last attempt the node goes on-demand',
        `a replacement node is Ready ${workload.disruption.nodeBootMinutes} min after launch; pods of an interrupted node wait for it (the 2-minute warning ${workload.disruption.handlesInterruptionWarning ? 'starts it early' : 'is ignored: the loss is noticed ' + workload.disruption.nodeLossDetectionMinutes + ' min after termination'}) and then take ${workload.disruption.podRestartMinutes} min to restart`,
        'a voluntary move (rebalancing, rebalance recommendation) boots the new node first; each pod then loses its restart time',
        'scale-down removes nodes without disruption: the ones the strategy names (cloudoptim: its worst pools by expected cost), else the most expensive by current price (the baselines); nodes are billed per second from launch to termination at the price step in force',
        'every strategy runs on the same market per seed (same hazards and shortages); interruption draws differ by strategy',
      ],
    },
  };
}

function report(strategy: Strategy, runs: readonly { seed: number; run: StrategyRun }[], baseline: ReadonlyMap<number, number>): StrategyReport {
  const perSeed: SeedResult[] = runs.map(({ seed, run }) => {
    const { dailyCostUsd: _d, nodeHoursByPool: _p, ...rest } = run;
    const od = baseline.get(seed) ?? NaN;
    return { ...rest, seed, savingsPct: od > 0 ? (1 - run.costUsd / od) * 100 : NaN, interruptionsPerNodeMonth: run.nodeHours > 0 ? run.interruptions / (run.nodeHours / HOURS_PER_MONTH) : 0 };
  });
  const days = Math.max(0, ...runs.map((r) => r.run.dailyCostUsd.length));
  const dailyCostUsd = Array.from({ length: days }, (_, i) => runs.reduce((a, r) => a + (r.run.dailyCostUsd[i] ?? 0), 0) / Math.max(1, runs.length));
  const pools = new Map<string, number>();
  for (const r of runs) for (const [k, h] of Object.entries(r.run.nodeHoursByPool)) pools.set(k, (pools.get(k) ?? 0) + h);
  return {
    name: strategy.name,
    description: strategy.description,
    costUsd: seedStat(perSeed.map((s) => s.costUsd)),
    savingsPct: seedStat(perSeed.map((s) => s.savingsPct)),
    interruptions: seedStat(perSeed.map((s) => s.interruptions)),
    interruptionsPerNodeMonth: seedStat(perSeed.map((s) => s.interruptionsPerNodeMonth)),
    podDisruptionMinutes: seedStat(perSeed.map((s) => s.podDisruptionMinutes)),
    nodeHours: seedStat(perSeed.map((s) => s.nodeHours)),
    spotSharePct: seedStat(perSeed.map((s) => (s.nodeHours > 0 ? (100 * s.spotNodeHours) / s.nodeHours : 0))),
    dailyCostUsd,
    topPools: [...pools]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 5)
      .map(([pool, h]) => ({ pool, nodeHours: h })),
    perSeed,
  };
}

function summary(reports: readonly StrategyReport[]): string {
  const spot = reports.filter((r) => r.name !== 'on-demand');
  if (!spot.length) return 'on-demand only';
  const best = [...spot].sort((a, b) => b.savingsPct.mean - a.savingsPct.mean)[0] as StrategyReport;
  const calm = [...spot].sort((a, b) => a.interruptionsPerNodeMonth.mean - b.interruptionsPerNodeMonth.mean)[0] as StrategyReport;
  return `most savings: ${best.name} (${best.savingsPct.mean.toFixed(1)}% vs on-demand); fewest interruptions: ${calm.name} (${calm.interruptionsPerNodeMonth.mean.toFixed(3)} per node-month)`;
}
