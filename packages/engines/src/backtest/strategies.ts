/**
 * The baseline strategies of the backtest. Each sees only the public view at decision time (see
 * public-view.ts) and answers two questions: where to launch `count` new nodes, and — for strategies that
 * rebalance — which running nodes to move where.
 */
import type { Market } from '@cloudoptim/market';
import type { CandidateType, ClampedPrices, PoolView } from './public-view.ts';

/** The strategies a backtest can compare. */
export const STRATEGY_NAMES = ['on-demand', 'cheapest-spot', 'cheapest-spot-low-interruption', 'pco-like', 'cloudoptim'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

export type CapacityType = 'spot' | 'on-demand';

/** Where to launch nodes. */
export interface Placement {
  availabilityZone: string;
  instanceType: string;
  capacityType: CapacityType;
  count: number;
}

/** A running node as strategies see it. */
export interface RunningNode {
  nodeId: string;
  availabilityZone: string;
  instanceType: string;
  capacityType: CapacityType;
}

/** Everything a strategy may know when it decides. */
export interface DecisionContext {
  nowMs: number;
  region: string;
  zones: readonly string[];
  market: Market;
  /** Fitting types, cheapest on-demand first. */
  types: readonly CandidateType[];
  /** Launchable spot pools now (known price, not recently out of capacity). */
  pools: readonly PoolView[];
  /** Prices up to `nowMs`, unavailable pools hidden. */
  prices: ClampedPrices;
  requirement: { minVcpu: number; maxVcpu: number; minMemoryGib: number; maxMemoryGib: number; architecture: 'x86_64' | 'arm64' };
  /** Nodes the workload wants now. */
  desiredNodes: number;
  /** Nodes that stay (running or booting, not on their way out). */
  running: readonly RunningNode[];
  /** What a disruption costs this cluster's pods (the cluster owner knows its own workload). */
  disruption: { podsPerNode: number; podRestartMinutes: number; nodeBootMinutes: number };
}

/**
 * What a strategy observes of its own fleet, delivered when it happens (never ahead of time): its launches,
 * the ends of its nodes, the interruption warnings and rebalance recommendations AWS sends for them, and the
 * "insufficient capacity" answers to its launches. A real controller sees exactly these events (EventBridge,
 * the EC2 API); the market model's hazard behind them stays hidden.
 */
export type FleetObservation =
  | { kind: 'launched'; timeMs: number; nodeId: string; availabilityZone: string; instanceType: string; capacityType: CapacityType }
  | { kind: 'ended'; timeMs: number; nodeId: string }
  | { kind: 'interruption_warning'; timeMs: number; nodeId: string }
  | { kind: 'rebalance_recommendation'; timeMs: number; nodeId: string }
  | { kind: 'insufficient_capacity'; timeMs: number; availabilityZone: string; instanceType: string };

/** Move one running node to a new placement (the new node boots first, then the pods move). */
export interface Move {
  nodeId: string;
  to: Placement;
}

/** A backtest strategy. */
export interface Strategy {
  name: StrategyName;
  description: string;
  /** True when the strategy moves running nodes at periodic decision points. */
  rebalances: boolean;
  /** Where to launch `count` new nodes (counts sum to `count`). */
  place(ctx: DecisionContext, count: number): Placement[];
  /**
   * Which `count` running nodes to remove when the workload scales down (node ids; optional). Without it the
   * simulator removes the most expensive nodes by current price. Ids that are not running, or too few, are
   * completed by that default order.
   */
  scaleDown?(ctx: DecisionContext, count: number): string[];
  /** Moves at a periodic decision point (only called when `rebalances`). */
  rebalance?(ctx: DecisionContext): Move[];
  /** Called for each event of the strategy's own fleet, in time order (strategies that learn). */
  observe?(event: FleetObservation): void;
  /**
   * A copy with empty memory; the simulator calls it at the start of every run, so a strategy that learns
   * never carries what it saw on one seed into the next.
   */
  fresh?(): Strategy;
}

/** The cheapest on-demand type, spread over the zones with the fewest nodes. */
export function onDemandPlacements(ctx: DecisionContext, count: number): Placement[] {
  const type = ctx.types[0];
  if (!type || count <= 0) return [];
  const perZone = new Map(ctx.zones.map((z) => [z, 0]));
  for (const n of ctx.running) perZone.set(n.availabilityZone, (perZone.get(n.availabilityZone) ?? 0) + 1);
  const out = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const zone = [...perZone.entries()].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? ctx.zones[0] ?? '';
    perZone.set(zone, (perZone.get(zone) ?? 0) + 1);
    out.set(zone, (out.get(zone) ?? 0) + 1);
  }
  return [...out].map(([availabilityZone, n]) => ({ availabilityZone, instanceType: type.instanceType, capacityType: 'on-demand', count: n }));
}

function cheapest(pools: readonly PoolView[]): PoolView | undefined {
  let best: PoolView | undefined;
  for (const p of pools) {
    if (p.spotPriceUsdPerHour >= p.onDemandPriceUsdPerHour) continue;
    if (!best || p.spotPriceUsdPerHour < best.spotPriceUsdPerHour || (p.spotPriceUsdPerHour === best.spotPriceUsdPerHour && p.key < best.key)) best = p;
  }
  return best;
}

function allIn(pool: PoolView | undefined, ctx: DecisionContext, count: number): Placement[] {
  if (!pool) return onDemandPlacements(ctx, count);
  return count > 0 ? [{ availabilityZone: pool.availabilityZone, instanceType: pool.instanceType, capacityType: 'spot', count }] : [];
}

/** On-demand only: the cheapest fitting on-demand type, spread over the zones. */
export const onDemandStrategy: Strategy = {
  name: 'on-demand',
  description: 'cheapest fitting on-demand type, spread evenly over the zones; never interrupted',
  rebalances: false,
  place: onDemandPlacements,
};

/** Like EC2's `lowest-price` allocation with one pool: every launch goes to the cheapest spot pool now. */
export const cheapestSpotStrategy: Strategy = {
  name: 'cheapest-spot',
  description: 'each launch in the spot pool with the lowest current price (EC2 lowest-price, 1 pool); on-demand when no spot pool can launch',
  rebalances: false,
  place: (ctx, count) => allIn(cheapest(ctx.pools), ctx, count),
};

/** Cheapest spot pool among those whose advisor bucket is `<5%`; on-demand when there is none. */
export const cheapestLowInterruptionStrategy: Strategy = {
  name: 'cheapest-spot-low-interruption',
  description: 'each launch in the cheapest spot pool whose Spot Advisor bucket (as of decision time) is <5%; on-demand when none can launch',
  rebalances: false,
  place: (ctx, count) => allIn(cheapest(ctx.pools.filter((p) => p.advisorBucket === 0)), ctx, count),
};

/** Spot/on-demand ratio from which a price counts as a public sign of scarce capacity (pco-like). */
export const SCARCE_CAPACITY_PRICE_RATIO = 0.8;

/**
 * The pco-like capacity tier of a pool, lower is more capacity. AWS's price-capacity-optimized strategy ranks
 * pools by spare capacity, which only AWS sees; the public proxy is the advisor bucket (fewer interruptions =
 * more spare capacity; unlisted = worst), one tier worse when the price is ≥ 80% of on-demand (a price that
 * close to on-demand is the public trace of scarce capacity).
 */
export function capacityTier(p: PoolView): number {
  const bucket = p.advisorBucket ?? 4;
  return bucket + (p.spotPriceUsdPerHour >= SCARCE_CAPACITY_PRICE_RATIO * p.onDemandPriceUsdPerHour ? 1 : 0);
}

/** price-capacity-optimized-like: the best capacity tier available, then the lowest price in it. */
export const pcoLikeStrategy: Strategy = {
  name: 'pco-like',
  description: 'AWS price-capacity-optimized: pools of the best capacity tier (proxy: advisor bucket, +1 when price ≥ 80% of on-demand), then the lowest price among them',
  rebalances: false,
  place: (ctx, count) => {
    const eligible = ctx.pools.filter((p) => p.spotPriceUsdPerHour < p.onDemandPriceUsdPerHour);
    if (!eligible.length) return onDemandPlacements(ctx, count);
    const best = Math.min(...eligible.map(capacityTier));
    return allIn(cheapest(eligible.filter((p) => capacityTier(p) === best)), ctx, count);
  },
};
