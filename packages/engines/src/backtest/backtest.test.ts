import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isAppError } from '@cloudoptim/contracts';
import { loadMarket, loadSpotPriceHistory, type Market, type SpotPriceHistory } from '@cloudoptim/market';
import { advisorAsOf, clampedPrices } from './public-view.ts';
import { runBacktest, type BacktestInput } from './backtest.ts';
import { BacktestWorkloadSchema, desiredNodeCount, scaleChangeTimes, type BacktestWorkloadInput } from './workload.ts';
import { simulateStrategy } from './simulate.ts';
import { MarketTruth } from './market-truth.ts';
import { candidateTypes } from './public-view.ts';
import { DEFAULT_BACKTEST_OPTIONS } from './backtest.ts';
import { cheapestSpotStrategy, type Strategy } from './strategies.ts';

let market: Market;
let history: SpotPriceHistory;
beforeAll(async () => {
  market = loadMarket();
  history = await loadSpotPriceHistory();
});

const DAY = 86_400_000;
const from = Date.UTC(2021, 3, 1);
const workload: BacktestWorkloadInput = { name: 't', node: { vcpu: 2, memoryGib: 8 }, nodeCount: 10, podsPerNode: 4, disruption: { podRestartMinutes: 2 } };
const input = (over: Partial<BacktestInput> = {}): BacktestInput => ({ region: 'us-east-1', fromMs: from, toMs: from + 10 * DAY, workload, seed: 7, ...over });

describe('workload file', () => {
  it.each([
    [{ ...workload }, true],
    [{ ...workload, nodeCount: undefined }, false],
    [{ ...workload, dailyProfile: { hourlyNodeCounts: Array(24).fill(2) } }, false],
    [{ ...workload, nodeCount: undefined, dailyProfile: { hourlyNodeCounts: Array(23).fill(2) } }, false],
    [{ ...workload, nodeCount: undefined, dailyProfile: { hourlyNodeCounts: Array(24).fill(0) } }, false],
    [{ ...workload, colour: 'blue' }, false],
    [{ ...workload, zones: ['us-east-1'] }, false],
    [{ ...workload, node: { vcpu: 4, memoryGib: 8, maxVcpu: 2 } }, false],
  ])('validates %#', (w, ok) => {
    expect(BacktestWorkloadSchema.safeParse(w).success).toBe(ok);
  });

  it('follows a daily profile in local hours', () => {
    const counts = Array.from({ length: 24 }, (_, h) => (h >= 9 && h < 17 ? 10 : 2));
    const w = BacktestWorkloadSchema.parse({ ...workload, nodeCount: undefined, dailyProfile: { hourlyNodeCounts: counts, utcOffsetHours: -5 } });
    expect(desiredNodeCount(w, Date.UTC(2021, 3, 1, 14))).toBe(10); // 09:00 local
    expect(desiredNodeCount(w, Date.UTC(2021, 3, 1, 13))).toBe(2);
    expect(scaleChangeTimes(w, from, from + DAY)).toEqual([Date.UTC(2021, 3, 1, 14), Date.UTC(2021, 3, 1, 22)]);
  });
});

describe('public view', () => {
  it('never answers a price after decision time', () => {
    const now = from + DAY;
    const p = clampedPrices(history, now);
    expect(p.priceAt('us-east-1a', 'm5.large', now)).toBeGreaterThan(0);
    expect(p.priceAt('us-east-1a', 'm5.large', now + 1)).toBeUndefined();
    expect(p.series('us-east-1a', 'm5.large', now - DAY, now + 10 * DAY).every((s) => s.timeMs <= now)).toBe(true);
    expect(clampedPrices(history, now, new Set(['us-east-1a|m5.large'])).priceAt('us-east-1a', 'm5.large', now)).toBeUndefined();
  });

  it('uses the advisor snapshot in force, flagging a look-ahead when none predates the time', () => {
    expect(advisorAsOf(market, 'us-east-1', 'm5.large', from)).toMatchObject({ snapshotDate: '2021-02-10', lookAhead: false });
    expect(advisorAsOf(market, 'us-east-1', 'm5.large', Date.UTC(2022, 5, 1))).toMatchObject({ snapshotDate: '2022-05-28', lookAhead: false });
    expect(advisorAsOf(market, 'sa-east-1', 'm5.large', Date.UTC(2020, 1, 1))).toMatchObject({ snapshotDate: '2021-02-10', lookAhead: true });
  });

  it('hands strategies no price past decision time during a run', () => {
    let peeked = 0;
    let decisions = 0;
    const spy: Strategy = {
      ...cheapestSpotStrategy,
      place: (ctx, count) => {
        decisions++;
        for (const pool of ctx.pools.slice(0, 5)) if (ctx.prices.priceAt(pool.availabilityZone, pool.instanceType, ctx.nowMs + 3_600_000) !== undefined) peeked++;
        return cheapestSpotStrategy.place(ctx, count);
      },
    };
    const w = BacktestWorkloadSchema.parse({ ...workload, nodeCount: 30 });
    const opts = { ...DEFAULT_BACKTEST_OPTIONS };
    const truth = new MarketTruth(market, history, 'us-east-1', from, from + 20 * DAY, 1, opts.hazardParams, opts.shortageParams);
    simulateStrategy(spy, { market, history, region: 'us-east-1', zones: ['us-east-1a', 'us-east-1b'], fromMs: from, toMs: from + 20 * DAY, workload: w, types: candidateTypes(market, 'us-east-1', w), truth, hazardParams: opts.hazardParams, options: opts }, 1);
    expect(decisions).toBeGreaterThan(0);
    expect(peeked).toBe(0);
  });
});

describe('runBacktest', () => {
  it('is reproducible: same seed → same result', () => {
    const a = runBacktest({ market, history }, input({ strategies: ['cheapest-spot', 'pco-like'] }));
    const b = runBacktest({ market, history }, input({ strategies: ['cheapest-spot', 'pco-like'] }));
    expect(a).toEqual(b);
  });

  it('prices on-demand exactly, never interrupts it, and reports savings against it', () => {
    const r = runBacktest({ market, history }, input({ strategies: ['on-demand', 'cheapest-spot', 'cheapest-spot-low-interruption', 'pco-like'], seedCount: 2 }));
    const [od, cheap, low, pco] = r.strategies;
    const price = market.findInstanceTypes({ region: 'us-east-1', minVcpu: 2, maxVcpu: 4, minMemoryGib: 8, maxMemoryGib: 16, architecture: 'x86_64' })[0]!.onDemand.usdPerHour;
    expect(od!.name).toBe('on-demand');
    expect(od!.interruptions.max).toBe(0);
    expect(od!.costUsd.mean).toBeCloseTo(od!.nodeHours.mean * price, 6);
    expect(od!.nodeHours.mean).toBeCloseTo(10 * 10 * 24, 6);
    expect(od!.dailyCostUsd.reduce((a, b) => a + b, 0)).toBeCloseTo(od!.costUsd.mean, 6);
    // Cheapest spot is the cheapest; restricting to <5% pools costs something; both beat on-demand.
    expect(cheap!.costUsd.mean).toBeLessThanOrEqual(low!.costUsd.mean);
    expect(low!.savingsPct.mean).toBeGreaterThan(20);
    expect(pco!.savingsPct.mean).toBeGreaterThan(20);
    expect(cheap!.perSeed.map((s) => s.seed)).toEqual([7, 8]);
    // Every node-hour wanted is provided (replacements only add overlap).
    for (const s of r.strategies) expect(s.nodeHours.min).toBeGreaterThanOrEqual(10 * 10 * 24 - 1e-6);
  });

  it('cheapest-spot-low-interruption only uses pools of the <5% bucket', () => {
    const r = runBacktest({ market, history }, input({ strategies: ['cheapest-spot-low-interruption'] }));
    const s = r.strategies.find((x) => x.name === 'cheapest-spot-low-interruption')!;
    for (const { pool } of s.topPools) {
      const [, type, capacity] = pool.split('|') as [string, string, string];
      if (capacity === 'spot') expect(advisorAsOf(market, 'us-east-1', type, from).bucket).toBe(0);
    }
  });

  it('refuses bad input with coded errors', () => {
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isAppError(e) ? e.code : 'other';
      }
      return 'none';
    };
    expect(codeOf(() => runBacktest({ market, history }, input({ fromMs: Date.UTC(2021, 6, 1), toMs: Date.UTC(2021, 6, 5) })))).toBe('NO_DATA');
    expect(codeOf(() => runBacktest({ market, history }, input({ region: 'eu-west-1' })))).toBe('NO_DATA');
    expect(codeOf(() => runBacktest({ market, history }, input({ workload: { ...workload, zones: ['us-east-1z'] } })))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => runBacktest({ market, history }, input({ workload: { ...workload, podsPerNode: 0 } })))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => runBacktest({ market, history }, input({ toMs: from })))).toBe('VALIDATION_FAILED');
  });

  it('keeps the wanted node count whatever the seed and profile (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 24, maxLength: 24 }), (seed, counts) => {
        const w = { ...workload, nodeCount: undefined, dailyProfile: { hourlyNodeCounts: counts } };
        const r = runBacktest({ market, history }, input({ workload: w, seed, toMs: from + 3 * DAY, strategies: ['cheapest-spot'] }));
        const wanted = 3 * counts.reduce((a, b) => a + b, 0);
        for (const s of r.strategies) expect(s.nodeHours.mean).toBeGreaterThanOrEqual(wanted - 1e-6);
      }),
      { numRuns: 8 },
    );
  });
});

describe('cloudoptim strategy', () => {
  it('runs the spot selection engine at each decision and beats on-demand', () => {
    const r = runBacktest({ market, history }, input({ strategies: ['cloudoptim'], toMs: from + 4 * DAY }));
    const s = r.strategies.find((x) => x.name === 'cloudoptim')!;
    expect(s.savingsPct.mean).toBeGreaterThan(20);
    expect(s.perSeed[0]!.decisions).toBeGreaterThanOrEqual(1 + 15); // start + a rebalance every 6 h
    expect(s.spotSharePct.mean).toBeGreaterThan(50);
  });
});
