/**
 * The CloudOptim strategy: the spot selection engine plans the whole fleet at every decision point (from
 * public data only: prices up to `now`, the advisor snapshot in force at `now`, pools that just answered
 * "no capacity" hidden); new nodes fill the plan's deficits, and every `rebalanceEveryHours` nodes in pools
 * the plan no longer wants move to the plan's pools when that cuts their expected cost per hour (price +
 * hazard × interruption cost, as the engine scores it) by at least `minMoveGain` (a move costs each pod a
 * restart, so small gains are not worth it). A node whose pool the engine could not score (no price now) stays.
 */
import { selectSpotPools, type SpotSelectionOptions, type SpotSelectionResult } from '../spot-selection/index.ts';
import { poolKey } from './public-view.ts';
import { type DecisionContext, type Move, onDemandPlacements, type Placement, type Strategy } from './strategies.ts';

/** Tunables of the CloudOptim strategy. */
export interface CloudOptimStrategyOptions {
  /** Smallest relative cut of a node's expected cost per hour that justifies moving it (0.1 = 10%). */
  minMoveGain: number;
  /** Options passed to the spot selection engine (advisor snapshot is always `as-of-now` here). */
  engine?: Partial<SpotSelectionOptions>;
}

export const DEFAULT_CLOUDOPTIM_STRATEGY_OPTIONS: Readonly<CloudOptimStrategyOptions> = Object.freeze({ minMoveGain: 0.1 });

const slot = (az: string, type: string, capacityType: string): string => `${poolKey(az, type)}|${capacityType}`;

interface PlanSlot {
  placement: Omit<Placement, 'count'>;
  target: number;
  expectedCostUsdPerHour: number;
}

function plan(ctx: DecisionContext, options: CloudOptimStrategyOptions, nodeCount: number): SpotSelectionResult {
  return selectSpotPools(ctx.market, {
    region: ctx.region,
    availabilityZones: [...ctx.zones],
    requirement: ctx.requirement,
    nodeCount: Math.max(1, nodeCount),
    now: ctx.nowMs,
    prices: ctx.prices,
    options: { ...options.engine, advisorSnapshot: 'as-of-now' },
  });
}

function slots(result: SpotSelectionResult): Map<string, PlanSlot> {
  const out = new Map<string, PlanSlot>();
  for (const a of result.allocations) {
    const key = slot(a.availabilityZone, a.instanceType, a.capacityType);
    const prev = out.get(key);
    out.set(key, {
      placement: { availabilityZone: a.availabilityZone, instanceType: a.instanceType, capacityType: a.capacityType },
      target: (prev?.target ?? 0) + a.nodeCount,
      expectedCostUsdPerHour: a.expectedCostUsdPerHour,
    });
  }
  return out;
}

function currentCounts(ctx: DecisionContext): Map<string, number> {
  const m = new Map<string, number>();
  for (const n of ctx.running) {
    const k = slot(n.availabilityZone, n.instanceType, n.capacityType);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

/** Builds the CloudOptim strategy around `selectSpotPools`. */
export function cloudOptimStrategy(options: CloudOptimStrategyOptions = DEFAULT_CLOUDOPTIM_STRATEGY_OPTIONS): Strategy {
  return {
    name: 'cloudoptim',
    description: `spot selection engine (expected cost incl. interruption risk, diversified) re-planned at each decision; rebalances when a move cuts expected cost ≥ ${Math.round(options.minMoveGain * 100)}%`,
    rebalances: true,
    place: (ctx, count) => {
      if (count <= 0) return [];
      const result = plan(ctx, options, Math.max(ctx.desiredNodes, ctx.running.length + count));
      const plan_ = slots(result);
      if (!plan_.size) return onDemandPlacements(ctx, count);
      const have = currentCounts(ctx);
      const ordered = [...plan_.entries()].sort((a, b) => a[1].expectedCostUsdPerHour - b[1].expectedCostUsdPerHour || (a[0] < b[0] ? -1 : 1));
      const added = new Map<string, number>();
      for (let i = 0; i < count; i++) {
        let best: string | undefined;
        let bestDeficit = 0;
        for (const [k, s] of ordered) {
          const deficit = s.target - (have.get(k) ?? 0) - (added.get(k) ?? 0);
          if (deficit > bestDeficit) {
            best = k;
            bestDeficit = deficit;
          }
        }
        best ??= ordered[0]?.[0];
        if (best) added.set(best, (added.get(best) ?? 0) + 1);
      }
      return [...added].map(([k, n]) => ({ ...(plan_.get(k) as PlanSlot).placement, count: n }));
    },
    rebalance: (ctx) => {
      if (!ctx.running.length) return [];
      const result = plan(ctx, options, ctx.running.length);
      const plan_ = slots(result);
      if (!plan_.size) return [];
      const rejected = new Map(result.rejected.map((r) => [poolKey(r.availabilityZone, r.instanceType), r]));
      const have = currentCounts(ctx);
      const deficits = [...plan_.entries()]
        .map(([k, s]) => ({ k, s, left: s.target - (have.get(k) ?? 0) }))
        .filter((d) => d.left > 0)
        .sort((a, b) => a.s.expectedCostUsdPerHour - b.s.expectedCostUsdPerHour || (a.k < b.k ? -1 : 1));
      if (!deficits.length) return [];
      const surplusLeft = new Map<string, number>();
      for (const [k, n] of have) surplusLeft.set(k, n - (plan_.get(k)?.target ?? 0));
      const currentCost = (az: string, type: string, capacityType: string): number => {
        const inPlan = plan_.get(slot(az, type, capacityType));
        if (inPlan) return inPlan.expectedCostUsdPerHour;
        if (capacityType === 'on-demand') return ctx.types.find((t) => t.instanceType === type)?.onDemandUsdPerHour ?? Infinity;
        // A pool the plan dropped (riskier, dearer, or capped) is judged by its own expected cost, so a move
        // needs the same minimum gain whatever the reason: a safety score hovering at the threshold (the
        // time-of-day term moves it) must not make nodes shuttle back and forth.
        const r = rejected.get(poolKey(az, type));
        return r?.expectedCostUsdPerHour ?? r?.priceUsdPerHour ?? 0;
      };
      const candidates = ctx.running
        .filter((n) => (surplusLeft.get(slot(n.availabilityZone, n.instanceType, n.capacityType)) ?? 0) > 0)
        .map((n) => ({ n, cost: currentCost(n.availabilityZone, n.instanceType, n.capacityType) }))
        .sort((a, b) => b.cost - a.cost || (a.n.nodeId < b.n.nodeId ? -1 : 1));
      const moves: Move[] = [];
      for (const { n, cost } of candidates) {
        const k = slot(n.availabilityZone, n.instanceType, n.capacityType);
        if ((surplusLeft.get(k) ?? 0) <= 0) continue;
        const dest = deficits.find((d) => d.left > 0);
        if (!dest) break;
        if (!(dest.s.expectedCostUsdPerHour <= (1 - options.minMoveGain) * cost)) continue;
        dest.left--;
        surplusLeft.set(k, (surplusLeft.get(k) ?? 0) - 1);
        moves.push({ nodeId: n.nodeId, to: { ...dest.s.placement, count: 1 } });
      }
      return moves;
    },
  };
}
