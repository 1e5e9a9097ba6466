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
 * - **Rebalancing with hysteresis**: every `rebalanceEveryHours` a node that has run at least
 *   `minNodeAgeHoursToMove` moves from a pool the plan no longer wants to one it wants only when the expected
 *   saving over `moveHorizonHours` exceeds the move's own cost (pods' restart minutes + the overlap hour share)
 *   and the relative gain is at least `minMoveGain`; at most `maxMoveShare` of the nodes move at once (a
 *   disruption budget: one observed event can swing a pool's posterior, and without it whole pools shuttle).
 *
 * Deterministic: no randomness; the learner's memory is per run (`fresh()`).
 */
import { selectSpotPools, type SpotSelectionOptions, type SpotSelectionResult } from '../spot-selection/index.ts';
import { type HazardLearningOptions, PoolHazardLearner, type PriceSignalOptions } from './pool-hazard-learner.ts';
import { poolKey } from './public-view.ts';
import { type DecisionContext, type Move, onDemandPlacements, type Placement, type Strategy } from './strategies.ts';

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
    rebalance: (ctx) => {
      if (!ctx.running.length) return [];
      const result = plan(ctx, ctx.running.length);
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
        // needs the same minimum gain whatever the reason.
        const r = rejected.get(poolKey(az, type));
        return r?.expectedCostUsdPerHour ?? r?.priceUsdPerHour ?? 0;
      };
      const d = ctx.disruption;
      const minAgeMs = options.minNodeAgeHoursToMove * HOUR_MS;
      const candidates = ctx.running
        .filter((n) => (surplusLeft.get(slot(n.availabilityZone, n.instanceType, n.capacityType)) ?? 0) > 0)
        .filter((n) => ctx.nowMs - (launchedAt.get(n.nodeId) ?? -Infinity) >= minAgeMs)
        .map((n) => ({ n, cost: currentCost(n.availabilityZone, n.instanceType, n.capacityType) }))
        .sort((a, b) => b.cost - a.cost || (a.n.nodeId < b.n.nodeId ? -1 : 1));
      const moves: Move[] = [];
      const budget = Math.max(1, Math.floor(options.maxMoveShare * ctx.running.length));
      for (const { n, cost } of candidates) {
        if (moves.length >= budget) break;
        const k = slot(n.availabilityZone, n.instanceType, n.capacityType);
        if ((surplusLeft.get(k) ?? 0) <= 0) continue;
        const dest = deficits.find((x) => x.left > 0);
        if (!dest) break;
        const gainPerHour = cost - dest.s.expectedCostUsdPerHour;
        // A move disrupts every pod once and pays for the new node while the old one drains.
        const moveCostUsd = d.podsPerNode * d.podRestartMinutes * options.podMinuteUsd + (d.nodeBootMinutes / 60) * dest.s.expectedCostUsdPerHour;
        if (!(gainPerHour >= options.minMoveGain * cost && gainPerHour * options.moveHorizonHours > moveCostUsd)) continue;
        dest.left--;
        surplusLeft.set(k, (surplusLeft.get(k) ?? 0) - 1);
        moves.push({ nodeId: n.nodeId, to: { ...dest.s.placement, count: 1 } });
      }
      return moves;
    },
  };
}
