/**
 * Baseline spot strategies to compare `selectSpotPools` against (benchmarks, backtests):
 * - `cheapest-spot`: every node in the single cheapest spot pool (EC2 Fleet `lowest-price` with one pool).
 * - `pco-like`: AWS price-capacity-optimized as far as public data can stand in for capacity: among the pools
 *   whose Spot Advisor bucket is the best available, the cheapest; every node there (Karpenter sends one
 *   request per node and PCO keeps answering with the same pool — aws#7949).
 * Both see the same candidates (fitting types × AZs with spot < on-demand) and the same advisor snapshot.
 * Each node is costed with the same expected-cost model as the engine so the numbers compare.
 */
import { INTERRUPTION_BUCKETS, type Market } from '@cloudoptim/market';
import { hourlyRateFromMonthly } from './day-zero-score.ts';
import { resolveInput } from './options.ts';
import { advisorAt } from './pool-scoring.ts';
import type { SpotSelectionInput } from './types.ts';

/** One pool of a baseline plan. */
export interface BaselinePool {
  instanceType: string;
  family: string;
  availabilityZone: string;
  priceUsdPerHour: number;
  onDemandPriceUsdPerHour: number;
  /** 0 … 4; 4 when the advisor does not list the type (assumed worst). */
  advisorBucket: number;
  /** The bucket's midpoint monthly interruption rate. */
  monthlyInterruptionRate: number;
  /** Price + hourly hazard × interruption cost (the engine's cost model and options). */
  expectedCostUsdPerHour: number;
}

/** A baseline's plan: nodes per pool. */
export interface BaselinePlan {
  strategy: 'cheapest-spot' | 'pco-like';
  allocations: { pool: BaselinePool; nodeCount: number }[];
}

/** Every fitting spot pool with spot < on-demand, costed like the engine does, sorted by price then name. */
export function listSpotPools(market: Market, input: SpotSelectionInput): BaselinePool[] {
  const options = resolveInput(input);
  const offers = market.findInstanceTypes({ region: input.region, ...input.requirement });
  const nowDate = new Date(input.now).toISOString().slice(0, 10);
  const azs = [...new Set(input.availabilityZones)].sort();
  const out: BaselinePool[] = [];
  for (const offer of offers) {
    const adv = advisorAt(market, input.region, offer, nowDate, options.advisorSnapshot);
    const bucket = adv ? adv.interruptionBucket : 4;
    const monthly = (INTERRUPTION_BUCKETS[bucket] ?? INTERRUPTION_BUCKETS[4])?.midpointRate ?? 0.25;
    const od = offer.onDemand.usdPerHour;
    const cost = options.interruptionCostUsd ?? options.disruptionCostUsd + options.replacementHours * od;
    const hazard = hourlyRateFromMonthly(monthly);
    for (const az of azs) {
      const price = input.prices.priceAt(az, offer.instanceType, input.now);
      if (price === undefined || !(price > 0) || price >= od) continue;
      out.push({ instanceType: offer.instanceType, family: offer.instance.family, availabilityZone: az, priceUsdPerHour: price, onDemandPriceUsdPerHour: od, advisorBucket: bucket, monthlyInterruptionRate: monthly, expectedCostUsdPerHour: price + hazard * cost });
    }
  }
  return out.sort((a, b) => a.priceUsdPerHour - b.priceUsdPerHour || (a.instanceType < b.instanceType ? -1 : a.instanceType > b.instanceType ? 1 : a.availabilityZone < b.availabilityZone ? -1 : 1));
}

/** All nodes in the cheapest spot pool; empty allocations when no pool has a price below on-demand. */
export function cheapestSpotBaseline(pools: readonly BaselinePool[], nodeCount: number): BaselinePlan {
  const best = pools[0];
  return { strategy: 'cheapest-spot', allocations: best && nodeCount > 0 ? [{ pool: best, nodeCount }] : [] };
}

/** All nodes in the cheapest pool of the best advisor bucket available. */
export function pcoLikeBaseline(pools: readonly BaselinePool[], nodeCount: number): BaselinePlan {
  let best: BaselinePool | undefined;
  for (const p of pools) if (!best || p.advisorBucket < best.advisorBucket) best = p; // pools are price-sorted: first of the best bucket wins
  return { strategy: 'pco-like', allocations: best && nodeCount > 0 ? [{ pool: best, nodeCount }] : [] };
}
