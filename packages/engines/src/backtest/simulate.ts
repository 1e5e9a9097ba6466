/**
 * Discrete-event simulation of one strategy on one seed: nodes are launched where the strategy says, run,
 * get interrupted per the market model, are replaced, and are billed per price step.
 */
import { DEFAULT_REBALANCE_PARAMS, type HazardParams, inShortage, type InstanceFate, INTERRUPTION_WARNING_MS, type Market, type RebalanceParams, sampleInstanceFate, type SpotPriceHistory } from '@cloudoptim/market';
import { createRng, type Rng } from '../rng.ts';
import { EventQueue } from './event-queue.ts';
import type { MarketTruth } from './market-truth.ts';
import { type CandidateType, clampedPrices, nodeRequirement, poolKey, poolViews } from './public-view.ts';
import { type CapacityType, type DecisionContext, type FleetObservation, onDemandPlacements, type Placement, type RunningNode, type Strategy } from './strategies.ts';
import { type BacktestWorkload, desiredNodeCount, scaleChangeTimes } from './workload.ts';

const MIN_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Tunables of the simulation (defaults in `DEFAULT_BACKTEST_OPTIONS`). */
export interface SimulationOptions {
  /** Hours between periodic decision points of strategies that rebalance. */
  rebalanceEveryHours: number;
  /** How long a pool that answered "insufficient capacity" is hidden from strategies, minutes. */
  unavailableCooldownMinutes: number;
  /** Launch retries (re-asking the strategy without the failed pools) before falling back to on-demand. */
  maxLaunchAttempts: number;
  rebalanceParams: RebalanceParams;
}

/** Everything a run shares across strategies of one seed. */
export interface SimulationEnv {
  market: Market;
  history: SpotPriceHistory;
  region: string;
  zones: readonly string[];
  fromMs: number;
  toMs: number;
  workload: BacktestWorkload;
  types: readonly CandidateType[];
  truth: MarketTruth;
  hazardParams: HazardParams;
  options: SimulationOptions;
}

/** What one strategy did on one seed. */
export interface StrategyRun {
  costUsd: number;
  /** Cost per day of the window (day i = [from + i·24 h, from + (i+1)·24 h)). */
  dailyCostUsd: number[];
  nodeHours: number;
  spotNodeHours: number;
  interruptions: number;
  /** Pod-minutes lost: interruptions (wait for a node + restart) and voluntary moves (restart). */
  podDisruptionMinutes: number;
  interruptionDisruptionMinutes: number;
  voluntaryDisruptionMinutes: number;
  launches: number;
  insufficientCapacityErrors: number;
  onDemandFallbackLaunches: number;
  moves: number;
  rebalanceRecommendations: number;
  /** Node-hours per pool (`az|type|capacityType`). */
  nodeHoursByPool: Record<string, number>;
  decisions: number;
}

interface SimNode {
  id: string;
  az: string;
  type: string;
  capacityType: CapacityType;
  onDemandUsdPerHour: number;
  launchMs: number;
  readyMs: number;
  /** Set once the node's end is known. */
  endMs?: number;
  /** `active` counts towards the wanted nodes; `leaving` is on its way out (warned, or being replaced). */
  state: 'active' | 'leaving' | 'ended';
  fate: InstanceFate;
  replacement?: SimNode;
}

type SimEvent = { kind: 'warning' | 'rebalance_rec' | 'handover'; node: SimNode } | { kind: 'scale' | 'rebalance' | 'start' } | { kind: 'deferred_replace'; count: number };

/** Runs one strategy over the window. Deterministic for a given env and seed. */
export function simulateStrategy(shared: Strategy, env: SimulationEnv, seed: number): StrategyRun {
  const { workload: w, fromMs, toMs, options } = env;
  const strategy = shared.fresh?.() ?? shared;
  const observe = (o: FleetObservation): void => strategy.observe?.(o);
  // Common random numbers: the k-th node a strategy launches in a pool draws from the stream (seed, pool, k),
  // so two strategies that make the same choices see the same interruptions and differences come from choices.
  const launchesByPool = new Map<string, number>();
  const fateRng = (key: string): Rng => {
    const k = launchesByPool.get(key) ?? 0;
    launchesByPool.set(key, k + 1);
    return createRng(`${seed}|fate|${key}|${k}`);
  };
  const boot = w.disruption.nodeBootMinutes * MIN_MS;
  const restartMin = w.disruption.podRestartMinutes;
  const pods = w.podsPerNode;
  const odPrice = new Map(env.types.map((t) => [t.instanceType, t.onDemandUsdPerHour]));
  const requirement = nodeRequirement(w);
  const queue = new EventQueue<SimEvent>();
  const nodes: SimNode[] = [];
  const unavailableUntil = new Map<string, number>();
  const run: StrategyRun = {
    costUsd: 0,
    dailyCostUsd: [],
    nodeHours: 0,
    spotNodeHours: 0,
    interruptions: 0,
    podDisruptionMinutes: 0,
    interruptionDisruptionMinutes: 0,
    voluntaryDisruptionMinutes: 0,
    launches: 0,
    insufficientCapacityErrors: 0,
    onDemandFallbackLaunches: 0,
    moves: 0,
    rebalanceRecommendations: 0,
    nodeHoursByPool: {},
    decisions: 0,
  };
  let nodeSeq = 0;

  const context = (t: number, exclude?: SimNode): DecisionContext => {
    const unavailable = new Set<string>();
    for (const [k, until] of unavailableUntil) if (until > t) unavailable.add(k);
    const prices = clampedPrices(env.history, t, unavailable);
    const running: RunningNode[] = nodes
      .filter((n) => n.state === 'active' && n !== exclude)
      .map((n) => ({ nodeId: n.id, availabilityZone: n.az, instanceType: n.type, capacityType: n.capacityType }));
    run.decisions++;
    return {
      nowMs: t,
      region: env.region,
      zones: env.zones,
      market: env.market,
      types: env.types,
      pools: poolViews(env.market, env.region, env.types, env.zones, prices, t),
      prices,
      requirement,
      desiredNodes: desiredNodeCount(w, t),
      running,
      disruption: { podsPerNode: pods, podRestartMinutes: restartMin, nodeBootMinutes: w.disruption.nodeBootMinutes },
    };
  };

  const createNode = (p: Placement, t: number): SimNode => {
    const node: SimNode = {
      id: `n${++nodeSeq}`,
      az: p.availabilityZone,
      type: p.instanceType,
      capacityType: p.capacityType,
      onDemandUsdPerHour: odPrice.get(p.instanceType) ?? env.market.onDemandPrice(env.region, p.instanceType)?.usdPerHour ?? 0,
      launchMs: t,
      readyMs: t + boot,
      state: 'active',
      fate: {},
    };
    if (p.capacityType === 'spot') {
      const truth = env.truth.pool(p.availabilityZone, p.instanceType, node.onDemandUsdPerHour);
      node.fate = sampleInstanceFate(truth.hazard, t, toMs, fateRng(poolKey(p.availabilityZone, p.instanceType)), options.rebalanceParams);
      if (node.fate.warningMs !== undefined) queue.push(node.fate.warningMs, { kind: 'warning', node });
      if (node.fate.rebalanceMs !== undefined) queue.push(node.fate.rebalanceMs, { kind: 'rebalance_rec', node });
    }
    nodes.push(node);
    run.launches++;
    observe({ kind: 'launched', timeMs: t, nodeId: node.id, availabilityZone: node.az, instanceType: node.type, capacityType: node.capacityType });
    return node;
  };

  /** Launches `count` nodes as the strategy places them, retrying without pools out of capacity. */
  const launch = (count: number, t: number, exclude?: SimNode, placements?: Placement[]): SimNode[] => {
    const created: SimNode[] = [];
    let want = count;
    let plan = placements;
    for (let attempt = 0; want > 0 && attempt < options.maxLaunchAttempts; attempt++) {
      plan ??= strategy.place(context(t, exclude), want);
      let failed = 0;
      for (const p of plan) {
        const n = Math.min(p.count, want - created.length - failed);
        if (n <= 0) continue;
        if (p.capacityType === 'spot' && inShortage(env.truth.pool(p.availabilityZone, p.instanceType, odPrice.get(p.instanceType) ?? 0).shortages, t)) {
          run.insufficientCapacityErrors++;
          observe({ kind: 'insufficient_capacity', timeMs: t, availabilityZone: p.availabilityZone, instanceType: p.instanceType });
          unavailableUntil.set(poolKey(p.availabilityZone, p.instanceType), t + options.unavailableCooldownMinutes * MIN_MS);
          failed += n;
          continue;
        }
        for (let i = 0; i < n; i++) created.push(createNode(p, t));
      }
      want = count - created.length;
      plan = undefined;
    }
    if (want > 0) {
      const ctx = context(t, exclude);
      for (const p of onDemandPlacements(ctx, want)) for (let i = 0; i < p.count; i++) created.push(createNode(p, t));
      run.onDemandFallbackLaunches += want;
    }
    return created;
  };

  const end = (node: SimNode, t: number): void => {
    node.endMs = Math.min(node.endMs ?? Infinity, t);
    node.state = 'ended';
    observe({ kind: 'ended', timeMs: t, nodeId: node.id });
  };

  queue.push(fromMs, { kind: 'start' });
  for (const t of scaleChangeTimes(w, fromMs, toMs)) queue.push(t, { kind: 'scale' });
  if (strategy.rebalances) for (let t = fromMs + options.rebalanceEveryHours * HOUR_MS; t < toMs; t += options.rebalanceEveryHours * HOUR_MS) queue.push(t, { kind: 'rebalance' });

  for (let e = queue.pop(); e && e.t < toMs; e = queue.pop()) {
    const t = e.t;
    const ev = e.value;
    switch (ev.kind) {
      case 'start':
        launch(desiredNodeCount(w, t), t);
        break;
      case 'scale': {
        const active = nodes.filter((n) => n.state === 'active');
        const want = desiredNodeCount(w, t);
        if (want > active.length) launch(want - active.length, t);
        else if (want < active.length) {
          // Scale-down removes the nodes the strategy names, else the most expensive nodes now (as Karpenter's
          // consolidation would).
          const excess = active.length - want;
          const chosen = new Set<SimNode>();
          if (strategy.scaleDown) {
            const byId = new Map(active.map((n) => [n.id, n]));
            for (const id of strategy.scaleDown(context(t), excess)) {
              const n = byId.get(id);
              if (n && chosen.size < excess) chosen.add(n);
            }
          }
          const priced = active.map((n) => ({ n, price: n.capacityType === 'spot' ? (env.history.priceAt(n.az, n.type, t) ?? n.onDemandUsdPerHour) : n.onDemandUsdPerHour }));
          priced.sort((a, b) => b.price - a.price || (a.n.id < b.n.id ? -1 : 1));
          for (const { n } of priced) if (chosen.size < excess) chosen.add(n);
          for (const n of chosen) end(n, t);
        }
        break;
      }
      case 'warning': {
        const node = ev.node;
        if (node.state === 'ended') break;
        run.interruptions++;
        observe({ kind: 'interruption_warning', timeMs: t, nodeId: node.id });
        const termination = t + INTERRUPTION_WARNING_MS;
        const wasActive = node.state === 'active';
        node.state = 'leaving';
        node.endMs = termination;
        let waitMin: number;
        if (node.replacement) {
          // A replacement was already on its way (rebalance recommendation or a move).
          waitMin = Math.max(0, node.replacement.readyMs - termination) / MIN_MS;
        } else if (w.disruption.handlesInterruptionWarning) {
          const [repl] = wasActive ? launch(1, t, node) : [];
          waitMin = repl ? Math.max(0, repl.readyMs - termination) / MIN_MS : 0;
        } else {
          const detect = w.disruption.nodeLossDetectionMinutes * MIN_MS;
          queue.push(termination + detect, { kind: 'deferred_replace', count: 1 });
          waitMin = (detect + boot) / MIN_MS;
        }
        const lost = pods * (waitMin + restartMin);
        run.interruptionDisruptionMinutes += lost;
        break;
      }
      case 'deferred_replace':
        launch(ev.count, t);
        break;
      case 'rebalance_rec': {
        const node = ev.node;
        if (node.state === 'ended') break;
        run.rebalanceRecommendations++;
        observe({ kind: 'rebalance_recommendation', timeMs: t, nodeId: node.id });
        if (node.state !== 'active' || w.disruption.rebalanceRecommendations !== 'replace') break;
        const [repl] = launch(1, t, node);
        if (!repl) break;
        node.state = 'leaving';
        node.replacement = repl;
        queue.push(repl.readyMs, { kind: 'handover', node });
        break;
      }
      case 'rebalance': {
        if (!strategy.rebalance) break;
        const ctx = context(t);
        const byId = new Map(nodes.map((n) => [n.id, n]));
        for (const move of strategy.rebalance(ctx)) {
          const node = byId.get(move.nodeId);
          if (!node || node.state !== 'active') continue;
          const [repl] = launch(1, t, node, [{ ...move.to, count: 1 }]);
          if (!repl) continue;
          run.moves++;
          node.state = 'leaving';
          node.replacement = repl;
          queue.push(repl.readyMs, { kind: 'handover', node });
        }
        break;
      }
      case 'handover': {
        const node = ev.node;
        if (node.state === 'ended' || (node.endMs !== undefined && node.endMs <= t)) break;
        if (node.fate.warningMs !== undefined && node.fate.warningMs <= t) break; // interrupted first: counted there
        run.voluntaryDisruptionMinutes += pods * restartMin;
        end(node, t);
        break;
      }
    }
  }

  const days = Math.ceil((toMs - fromMs) / DAY_MS);
  run.dailyCostUsd = new Array<number>(days).fill(0);
  for (const n of nodes) {
    const start = n.launchMs;
    const stop = Math.min(n.endMs ?? toMs, toMs);
    if (!(stop > start)) continue;
    const hours = (stop - start) / HOUR_MS;
    run.nodeHours += hours;
    const key = `${n.az}|${n.type}|${n.capacityType}`;
    run.nodeHoursByPool[key] = (run.nodeHoursByPool[key] ?? 0) + hours;
    if (n.capacityType === 'spot') {
      run.spotNodeHours += hours;
      const steps = env.history.series(n.az, n.type, start, stop);
      for (let i = 0; i < steps.length; i++) {
        const s = steps[i] as { timeMs: number; usdPerHour: number };
        const a = Math.max(s.timeMs, start);
        const b = Math.min(steps[i + 1]?.timeMs ?? stop, stop);
        if (b > a) bill(run, fromMs, a, b, s.usdPerHour);
      }
    } else bill(run, fromMs, start, stop, n.onDemandUsdPerHour);
  }
  run.podDisruptionMinutes = run.interruptionDisruptionMinutes + run.voluntaryDisruptionMinutes;
  return run;
}

/** Adds price × [a, b) to the total and to the day buckets it spans. */
function bill(run: StrategyRun, fromMs: number, a: number, b: number, usdPerHour: number): void {
  let t = a;
  while (t < b) {
    const day = Math.floor((t - fromMs) / DAY_MS);
    const dayEnd = fromMs + (day + 1) * DAY_MS;
    const stop = Math.min(b, dayEnd);
    const usd = ((stop - t) / HOUR_MS) * usdPerHour;
    run.costUsd += usd;
    if (day >= 0 && day < run.dailyCostUsd.length) run.dailyCostUsd[day] = (run.dailyCostUsd[day] ?? 0) + usd;
    t = stop;
  }
}

export const DEFAULT_SIMULATION_OPTIONS: Readonly<SimulationOptions> = Object.freeze({
  rebalanceEveryHours: 6,
  unavailableCooldownMinutes: 15,
  maxLaunchAttempts: 4,
  rebalanceParams: DEFAULT_REBALANCE_PARAMS,
});
