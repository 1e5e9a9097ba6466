/**
 * How a launch picks its pools (instance type × AZ), per allocation strategy — the part of EC2 Fleet that
 * decides where capacity comes from:
 * - `lowest-price`: cheapest current price first (spread over `InstancePoolsToUseCount` pools, default 1);
 * - `capacity-optimized`: the pool with the most spare capacity, i.e. the lowest current interruption hazard;
 *   `capacity-optimized-prioritized`: by `Priority` first, hazard second;
 * - `price-capacity-optimized`: the pools in the best capacity tier — hazards whose monthly interruption
 *   fraction falls in the same 5-point band as the best pool's (the Spot Advisor's granularity) — cheapest first,
 *   then the other pools by hazard;
 * - `diversified`: round-robin over every available pool;
 * - on-demand `lowest-price` / `prioritized`.
 * A pool in a capacity shortage yields an `InsufficientInstanceCapacity` error entry and the next pool in the
 * order is tried, as an instant fleet reports per-override errors.
 */
import { hourlyHazardToMonthlyFraction } from '@cloudoptim/market';
import { insufficientCapacityMessage } from './ec2-errors.ts';
import type { InstanceLifecycle } from './ec2-instances.model.ts';
import type { Zone } from './region-topology.ts';
import type { SpotMarket } from './spot-market.ts';

/** One candidate pool of a launch (an override expanded to one zone). */
export interface PoolCandidate {
  /** Index of the override in request order (stable tiebreak). */
  order: number;
  instanceType: string;
  zone: Zone;
  /** Capacity units one instance provides (`WeightedCapacity`, default 1). */
  weight: number;
  priority?: number;
  /** `MaxPrice` of the override, USD/h. */
  maxPrice?: number;
  /** Opaque data echoed back in the answer (launch template + override). */
  echo: unknown;
}

/** A decision: launch `count` instances in `pool`. */
export interface Allocation {
  pool: PoolCandidate;
  count: number;
}

/** A pool that could not be used. */
export interface AllocationError {
  pool: PoolCandidate;
  code: string;
  message: string;
}

/** Strategies accepted (spot and on-demand). */
export const SPOT_STRATEGIES = ['lowest-price', 'capacity-optimized', 'capacity-optimized-prioritized', 'price-capacity-optimized', 'diversified'] as const;
export const ON_DEMAND_STRATEGIES = ['lowest-price', 'prioritized'] as const;

interface Scored {
  pool: PoolCandidate;
  price: number;
  hazard: number;
}

/** Orders candidates by strategy (pure; shortages are applied by `allocate`). */
export function orderPools(scored: readonly Scored[], strategy: string): Scored[] {
  const byPrice = (a: Scored, b: Scored) => a.price / a.pool.weight - b.price / b.pool.weight || a.hazard - b.hazard || a.pool.order - b.pool.order;
  const byHazard = (a: Scored, b: Scored) => a.hazard - b.hazard || a.price / a.pool.weight - b.price / b.pool.weight || a.pool.order - b.pool.order;
  const prio = (p: PoolCandidate) => p.priority ?? Number.MAX_SAFE_INTEGER;
  const list = [...scored];
  switch (strategy) {
    case 'capacity-optimized':
      return list.sort(byHazard);
    case 'capacity-optimized-prioritized':
    case 'prioritized':
      return list.sort((a, b) => prio(a.pool) - prio(b.pool) || (strategy === 'prioritized' ? byPrice(a, b) : byHazard(a, b)));
    case 'price-capacity-optimized': {
      if (list.length === 0) return list;
      const tier = (s: Scored) => Math.floor(hourlyHazardToMonthlyFraction(s.hazard) / 0.05);
      const best = Math.min(...list.map(tier));
      const top = list.filter((s) => tier(s) === best).sort(byPrice);
      const rest = list.filter((s) => tier(s) !== best).sort(byHazard);
      return [...top, ...rest];
    }
    case 'diversified':
      return list.sort((a, b) => a.pool.order - b.pool.order);
    default:
      return list.sort(byPrice);
  }
}

/**
 * Fills `targetUnits` of capacity from `pools` for one lifecycle. Pools in a shortage (spot only: on-demand
 * capacity is assumed available) or priced above their `MaxPrice` become error entries; the next pool in the
 * strategy's order is used instead.
 */
export function allocate(
  pools: readonly PoolCandidate[],
  targetUnits: number,
  lifecycle: InstanceLifecycle,
  strategy: string,
  ctx: { market: SpotMarket; nowMs: number; poolsToUse?: number },
): { allocations: Allocation[]; errors: AllocationError[] } {
  const { market, nowMs } = ctx;
  const allocations: Allocation[] = [];
  const errors: AllocationError[] = [];
  if (targetUnits <= 0 || pools.length === 0) return { allocations, errors };
  const scored: Scored[] = pools.map((pool) => ({
    pool,
    price: (lifecycle === 'spot' ? market.spotPrice(pool.zone.name, pool.instanceType, nowMs) : market.onDemandPrice(pool.instanceType)) ?? Number.POSITIVE_INFINITY,
    hazard: lifecycle === 'spot' ? market.hazardAt(pool.zone.name, pool.instanceType, nowMs) : 0,
  }));
  const ordered = orderPools(scored, lifecycle === 'on-demand' && strategy !== 'prioritized' ? 'lowest-price' : strategy);
  const usable: Scored[] = [];
  const spread = strategy === 'diversified' ? Number.POSITIVE_INFINITY : strategy === 'lowest-price' && lifecycle === 'spot' ? Math.max(1, ctx.poolsToUse ?? 1) : 1;
  for (const s of ordered) {
    if (usable.length >= spread) break;
    const { pool } = s;
    if (!Number.isFinite(s.price)) {
      errors.push({ pool, code: 'Unsupported', message: `The requested configuration is currently not supported. Please check the documentation for supported configurations.` });
    } else if (lifecycle === 'spot' && pool.maxPrice !== undefined && pool.maxPrice < s.price) {
      errors.push({ pool, code: 'SpotMaxPriceTooLow', message: `Your Spot request price of ${pool.maxPrice} is lower than the minimum required Spot request fulfillment price of ${s.price.toFixed(6)}.` });
    } else if (lifecycle === 'spot' && market.inShortage(pool.zone.name, pool.instanceType, nowMs)) {
      errors.push({ pool, code: 'InsufficientInstanceCapacity', message: insufficientCapacityMessage(pool.instanceType, pool.zone.name, []) });
    } else {
      usable.push(s);
    }
  }
  // Round-robin the units over the usable pools (one pool for most strategies).
  let remaining = targetUnits;
  const counts = new Map<PoolCandidate, number>();
  let k = 0;
  while (remaining > 0 && usable.length > 0) {
    const s = usable[k % usable.length] as Scored;
    counts.set(s.pool, (counts.get(s.pool) ?? 0) + 1);
    remaining -= s.pool.weight;
    k++;
  }
  for (const s of usable) {
    const c = counts.get(s.pool);
    if (c) allocations.push({ pool: s.pool, count: c });
  }
  return { allocations, errors };
}
