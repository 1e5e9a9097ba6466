/**
 * The CloudOptim strategy: the spot selection engine plans the whole fleet at every decision point from what a
 * real CloudOptim knows then — prices up to `now`, the advisor snapshot in force at `now`, pools that just
 * answered "no capacity" hidden, and what its own fleet observed so far:
 *
 * - **Learned hazard per pool** (pool-hazard-learner.ts): a Gamma–Poisson posterior per pool, prior = the
 *   advisor bucket's midpoint worth `priorStrengthNodeHours`, updated with the pool's own interruptions and
 *   rebalance recommendations per node-hour run; fed to `selectSpotPools` as its `riskModel`, optionally
 *   raised by public price signals (price near on-demand, a recent jump).
 * - **Interruption cost** the engine weighs against price: the replacement's boot at on-demand price, the
 *   pods' lost minutes × `podMinuteUsd`, plus `interruptionPenaltyUsd` — what the operator declares an
 *   interruption is worth avoiding beyond those mechanics (error budget, alerts, retries; SPEC §9 "measured
 *   disruption cost"). The higher it is, the more a quiet pool is worth over a cheap one.
 * - **Placement**: new nodes fill the plan's deficits (cheapest expected cost first).
 * - **Scale-down**: the nodes of the worst pools (highest expected cost per node-hour, learned hazard included)
 *   go first, so a daily shrink leaves the nodes no move could improve. (Before, the simulator removed the
 *   dearest nodes by price: cheap pools with a high hazard stayed, and the next rebalances moved them to the
 *   quiet pools — ~220 moves per run on sa-east-1, all self-inflicted; see bench/backtest.md.)
 * - **Rebalancing** judges each node by its own pool's value, not by the plan's targets: every
 *   `rebalanceEveryHours` a node that has run at least `minNodeAgeHoursToMove` moves to the best pool the engine
 *   scored as eligible that still has room under the diversity caps at today's fleet size, only when the
 *   expected saving over `moveHorizonHours` exceeds the move's own cost (pods' restart minutes + the overlap
 *   hour share) and the relative gain is at least `minMoveGain`; at most `maxMoveShare` of the nodes move at
 *   once (a disruption budget: one observed event can swing a pool's posterior). The plan's shape changing
 *   with the node count never moves a node.
 *
 * Deterministic: no randomness; the learner's memory is per run (`fresh()`).
 */
import { DEFAULT_SPOT_SELECTION_OPTIONS, selectSpotPools, type SpotSelectionOptions, type SpotSelectionResult } from '../spot-selection/index.ts';
import { type HazardLearningOptions, PoolHazardLearner, type PriceSignalOptions } from './pool-hazard-learner.ts';
import { poolKey } from './public-view.ts';
import { type DecisionContext, type Move, onDemandPlacements, type Placement, type RunningNode, type Strategy } from './strategies.ts';

const HOUR_MS = 3_600_000;

/** Tunables of the CloudOptim strategy. */
export interface CloudOptimStrategyOptions {
  /** Smallest relative cut of a node's expected cost per hour that justifies moving it (0.1 = 10%). */
  minMoveGain: number;
  /** Per-pool hazard learning from the fleet's own events; null = day-zero (advisor bucket midpoints) only. */
  learning: HazardLearningOptions | null;
  /** Public price signals raising a pool's hazard estimate (only with learning); null = off. */
  priceSignals: PriceSignalOptions | null;
  /** What one pod-minute of disruption costs, USD. */
  podMinuteUsd: number;
  /** Cost of an interruption beyond its mechanics (boot, pod minutes), USD per event. */
  interruptionPenaltyUsd: number;
  /** Hours a moved node is assumed to keep running in its new pool when weighing a move's saving. */
  moveHorizonHours: number;
  /** Nodes younger than this never move (a node just launched was the best choice minutes ago). */
  minNodeAgeHoursToMove: number;
  /** Disruption budget: at most this share of the running nodes moves at one rebalance (at least 1 node). */
  maxMoveShare: number;
  /** Options passed to the spot selection engine (advisor snapshot is always `as-of-now` here). */
  engine?: Partial<SpotSelectionOptions>;
}

/** Defaults: chosen on us-east-1 with tuning seeds 101–110 (see packages/engines/bench/backtest.md). */
export const DEFAULT_CLOUDOPTIM_STRATEGY_OPTIONS: Readonly<CloudOptimStrategyOptions> = Object.freeze({
  minMoveGain: 0.1,
  learning: Object.freeze({ priorStrengthNodeHours: 10_000, rebalanceRecommendationWeight: 1 }),
  priceSignals: Object.freeze({ ratioThreshold: 0.7, ratioGain: 2, jumpMinRise: 0.1, jumpWindowHours: 6, jumpGain: 1 }),
  podMinuteUsd: 0.01,
  interruptionPenaltyUsd: 600,
  moveHorizonHours: 24,
  minNodeAgeHoursToMove: 24,
  maxMoveShare: 0.1,
});

const slot = (az: string, type: string, capacityType: string): string => `${poolKey(az, type)}|${capacityType}`;

/**
 * The engine's diversity caps for a fleet of `n` nodes over `azCount` zones (the same rounding as
 * `selectSpotPools`: at least one node per pool and family, an AZ may always hold its even share).
 */
export function fleetCaps(n: number, azCount: number, o: Pick<SpotSelectionOptions, 'maxFamilyShare' | 'maxPoolShare' | 'maxAzShare' | 'minPools'>): { poolNodes: number; familyNodes: number; azNodes: number } {
  return {
    familyNodes: Math.max(1, Math.floor(o.maxFamilyShare * n + 1e-9)),
    poolNodes: Math.max(1, Math.min(Math.floor(o.maxPoolShare * n + 1e-9), Math.floor(n / o.minPools))),
    azNodes: Math.max(Math.ceil(n / Math.max(1, azCount)), Math.floor(o.maxAzShare * n + 1e-9)),
  };
}

interface PlanSlot {
  placement: Omit<Placement, 'count'>;
  target: number;
  expectedCostUsdPerHour: number;
}

/** Builds the CloudOptim strategy around `selectSpotPools`. */
export function cloudOptimStrategy(options: CloudOptimStrategyOptions = DEFAULT_CLOUDOPTIM_STRATEGY_OPTIONS): Strategy {
  const learner = options.learning ? new PoolHazardLearner(options.learning) : null;
  const launchedAt = new Map<string, number>();

  const plan = (ctx: DecisionContext, nodeCount: number): SpotSelectionResult => {
    const d = ctx.disruption;
    return selectSpotPools(ctx.market, {
      region: ctx.region,
      availabilityZones: [...ctx.zones],
      requirement: ctx.requirement,
      nodeCount: Math.max(1, nodeCount),
      now: ctx.nowMs,
      prices: ctx.prices,
      ...(learner ? { riskModel: learner.riskModel(ctx.nowMs, ctx.prices, options.priceSignals) } : {}),
      options: {
        // An interruption: the replacement boots (billed at on-demand, the stop-gap price), every pod of the node
        // waits for it and restarts, plus what the operator says an interruption is worth avoiding.
        replacementHours: d.nodeBootMinutes / 60,
        disruptionCostUsd: d.podsPerNode * (d.nodeBootMinutes + d.podRestartMinutes) * options.podMinuteUsd + options.interruptionPenaltyUsd,
        ...options.engine,
        advisorSnapshot: 'as-of-now',
      },
    });
  };

  const slots = (result: SpotSelectionResult): Map<string, PlanSlot> => {
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
  };

  // The last known value of each pool: a pool hidden for a moment (it just answered "no capacity") keeps the
  // value it had rather than looking free or infinitely dear.
  const lastValue = new Map<string, number>();
  /** Expected cost per node-hour of staying in each pool the engine scored (incl. the learned hazard). */
  const poolValues = (ctx: DecisionContext, result: SpotSelectionResult): Map<string, number> => {
    const out = new Map<string, number>();
    for (const a of result.allocations) if (a.capacityType === 'spot') out.set(slot(a.availabilityZone, a.instanceType, 'spot'), a.expectedCostUsdPerHour);
    for (const r of result.rejected) if (r.expectedCostUsdPerHour !== undefined && r.availabilityZone !== '*') out.set(slot(r.availabilityZone, r.instanceType, 'spot'), r.expectedCostUsdPerHour);
    for (const t of ctx.types) for (const z of ctx.zones) out.set(slot(z, t.instanceType, 'on-demand'), t.onDemandUsdPerHour);
    for (const [k, v] of out) lastValue.set(k, v);
    return out;
  };

  const currentCounts = (ctx: DecisionContext): Map<string, number> => {
    const m = new Map<string, number>();
    for (const n of ctx.running) {
      const k = slot(n.availabilityZone, n.instanceType, n.capacityType);
      m.set(k, (m.get(k) ?? 0) + 1);
    }
    return m;
  };

  return {
    name: 'cloudoptim',
    description: `spot selection engine re-planned at each decision (expected cost = price + ${learner ? 'learned per-pool hazard' : 'advisor hazard'} × interruption cost incl. $${options.interruptionPenaltyUsd} penalty, diversified); rebalances when a move's saving over ${options.moveHorizonHours} h beats its disruption cost and cuts expected cost ≥ ${Math.round(options.minMoveGain * 100)}%`,
    rebalances: true,
    fresh: () => cloudOptimStrategy(options),
    observe: (o) => {
      learner?.observe(o);
      if (o.kind === 'launched') launchedAt.set(o.nodeId, o.timeMs);
      else if (o.kind === 'ended' || o.kind === 'interruption_warning') launchedAt.delete(o.nodeId);
    },
    place: (ctx, count) => {
      if (count <= 0) return [];
      const result = plan(ctx, Math.max(ctx.desiredNodes, ctx.running.length + count));
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
    scaleDown: (ctx, count) => {
      if (count <= 0) return [];
      const keep = Math.max(1, ctx.running.length - count);
      const values = poolValues(ctx, plan(ctx, keep));
      const valueOf = (x: RunningNode): number => values.get(slot(x.availabilityZone, x.instanceType, x.capacityType)) ?? lastValue.get(slot(x.availabilityZone, x.instanceType, x.capacityType)) ?? Infinity;
      // The worst pools go first, so the nodes that stay are the ones no move could improve and a daily
      // shrink never leaves work for the next rebalance; within a pool the youngest goes (a tie under a
      // memoryless hazard, but keeping old nodes keeps the move-age rule meaningful).
      const out = [...ctx.running]
        .sort((a, b) => valueOf(b) - valueOf(a) || (launchedAt.get(b.nodeId) ?? 0) - (launchedAt.get(a.nodeId) ?? 0) || (a.nodeId < b.nodeId ? 1 : -1))
        .slice(0, count)
        .map((x) => x.nodeId);
      return out;
    },
    rebalance: (ctx) => {
      if (!ctx.running.length) return [];
      const n = ctx.running.length;
      const result = plan(ctx, n);
      const values = poolValues(ctx, result);
      // Where one node could go: every pool the engine scored as eligible (in the plan or beaten only by cost or
      // a cap), priced by its own expected cost; on-demand as the last resort.
      const alternatives: { k: string; placement: Omit<Placement, 'count'>; family: string; costUsdPerHour: number }[] = [];
      const familyOf = new Map(ctx.types.map((t) => [t.instanceType, t.family]));
      const eligibleReasons = new Set(['family_cap', 'az_cap', 'pool_cap', 'higher_expected_cost']);
      const seen = new Set<string>();
      const addAlt = (az: string, type: string, capacityType: 'spot' | 'on-demand', cost: number | undefined): void => {
        const k = slot(az, type, capacityType);
        if (cost === undefined || !Number.isFinite(cost) || seen.has(k)) return;
        seen.add(k);
        alternatives.push({ k, placement: { availabilityZone: az, instanceType: type, capacityType }, family: familyOf.get(type) ?? type, costUsdPerHour: cost });
      };
      for (const a of result.allocations) if (a.capacityType === 'spot') addAlt(a.availabilityZone, a.instanceType, 'spot', a.expectedCostUsdPerHour);
      for (const r of result.rejected) if (eligibleReasons.has(r.reason)) addAlt(r.availabilityZone, r.instanceType, 'spot', r.expectedCostUsdPerHour);
      const od = ctx.types[0];
      if (od) for (const z of ctx.zones) addAlt(z, od.instanceType, 'on-demand', od.onDemandUsdPerHour);
      alternatives.sort((a, b) => a.costUsdPerHour - b.costUsdPerHour || (a.k < b.k ? -1 : 1));

      // The diversity caps at today's fleet size, as the engine applies them: a move may not push a pool,
      // family or AZ over them (otherwise the plan's spread would be undone one node at a time).
      const caps = fleetCaps(n, ctx.zones.length, { ...DEFAULT_SPOT_SELECTION_OPTIONS, ...options.engine });
      const poolN = new Map<string, number>();
      const familyN = new Map<string, number>();
      const azN = new Map<string, number>();
      const bump = (m: Map<string, number>, k: string, by: number): void => {
        m.set(k, (m.get(k) ?? 0) + by);
      };
      for (const x of ctx.running) {
        if (x.capacityType !== 'spot') continue;
        bump(poolN, slot(x.availabilityZone, x.instanceType, 'spot'), 1);
        bump(familyN, familyOf.get(x.instanceType) ?? x.instanceType, 1);
        bump(azN, x.availabilityZone, 1);
      }
      const fits = (from: RunningNode, to: (typeof alternatives)[number]): boolean => {
        if (to.placement.capacityType !== 'spot') return true;
        const fromSpot = from.capacityType === 'spot';
        if ((poolN.get(to.k) ?? 0) + 1 > caps.poolNodes) return false;
        const fromFamily = fromSpot ? (familyOf.get(from.instanceType) ?? from.instanceType) : undefined;
        if (to.family !== fromFamily && (familyN.get(to.family) ?? 0) + 1 > caps.familyNodes) return false;
        const fromAz = fromSpot ? from.availabilityZone : undefined;
        return to.placement.availabilityZone === fromAz || (azN.get(to.placement.availabilityZone) ?? 0) + 1 <= caps.azNodes;
      };

      const d = ctx.disruption;
      const minAgeMs = options.minNodeAgeHoursToMove * HOUR_MS;
      // Each node is judged by its own pool's value: worst first, so the budget goes where staying costs most.
      const candidates = ctx.running
        .filter((x) => ctx.nowMs - (launchedAt.get(x.nodeId) ?? -Infinity) >= minAgeMs)
        .map((x) => {
          const k = slot(x.availabilityZone, x.instanceType, x.capacityType);
          return { x, k, stay: values.get(k) ?? lastValue.get(k) };
        })
        .filter((c): c is { x: RunningNode; k: string; stay: number } => c.stay !== undefined && Number.isFinite(c.stay))
        .sort((a, b) => b.stay - a.stay || (a.x.nodeId < b.x.nodeId ? -1 : 1));
      const moves: Move[] = [];
      const budget = Math.max(1, Math.floor(options.maxMoveShare * n));
      for (const { x, k, stay } of candidates) {
        if (moves.length >= budget) break;
        const dest = alternatives.find((a) => a.k !== k && a.costUsdPerHour < stay && fits(x, a));
        if (!dest) continue;
        const gainPerHour = stay - dest.costUsdPerHour;
        // A move disrupts every pod once and pays for the new node while the old one drains.
        const moveCostUsd = d.podsPerNode * d.podRestartMinutes * options.podMinuteUsd + (d.nodeBootMinutes / 60) * dest.costUsdPerHour;
        if (!(gainPerHour >= options.minMoveGain * stay && gainPerHour * options.moveHorizonHours > moveCostUsd)) continue;
        if (x.capacityType === 'spot') {
          bump(poolN, k, -1);
          bump(familyN, familyOf.get(x.instanceType) ?? x.instanceType, -1);
          bump(azN, x.availabilityZone, -1);
        }
        if (dest.placement.capacityType === 'spot') {
          bump(poolN, dest.k, 1);
          bump(familyN, dest.family, 1);
          bump(azN, dest.placement.availabilityZone, 1);
        }
        moves.push({ nodeId: x.nodeId, to: { ...dest.placement, count: 1 } });
      }
      return moves;
    },
  };
}
