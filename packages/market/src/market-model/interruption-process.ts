/**
 * The interruption process: per running Spot instance, when AWS reclaims it (the 2-minute warning and the
 * termination), whether a rebalance recommendation comes first and when, plus per-pool capacity shortages
 * (windows in which launches fail with InsufficientInstanceCapacity).
 *
 * Interruptions of different instances are independent given the pool's hazard (a non-homogeneous Poisson
 * process per instance, sampled exactly by inverting the integrated piecewise-constant hazard).
 */
import { cumulativeHazardAt, type HazardTimeline, timeAtCumulativeHazard } from './hazard.ts';
import { type RandomSource, unitExponential } from './random.ts';

/** AWS gives two minutes between the interruption notice and the termination. */
export const INTERRUPTION_WARNING_MS = 120_000;
const MS_PER_HOUR = 3_600_000;

/** Tunables of rebalance recommendations (defaults: `DEFAULT_REBALANCE_PARAMS`, justified in ./index.ts). */
export interface RebalanceParams {
  /** Probability that an interruption is preceded by a rebalance recommendation. */
  probabilityBeforeInterruption: number;
  /** Lead time before the warning = minLeadMs + Exp(mean meanExtraLeadMs), clipped to the instance's start. */
  minLeadMs: number;
  meanExtraLeadMs: number;
  /**
   * Recommendations that no interruption follows (AWS says they happen), as a rate per instance-hour equal to
   * this factor × the pool's hazard at the time.
   */
  spuriousFactor: number;
}

export const DEFAULT_REBALANCE_PARAMS: Readonly<RebalanceParams> = Object.freeze({
  probabilityBeforeInterruption: 0.5,
  minLeadMs: 5 * 60_000,
  meanExtraLeadMs: 25 * 60_000,
  spuriousFactor: 0.5,
});

/** What happens to one instance over its observed span. */
export interface InstanceFate {
  /** Time of the 2-minute interruption warning, or undefined when not interrupted in the span. */
  warningMs?: number;
  /** `warningMs` + 2 min. */
  terminationMs?: number;
  /** Time of the first rebalance recommendation, when one comes (before an interruption or spurious). */
  rebalanceMs?: number;
  /** True when `rebalanceMs` is followed by no interruption in the span. */
  rebalanceSpurious?: boolean;
}

/**
 * Samples the fate of one Spot instance running from `startMs` up to `endMs` in a pool with hazard `hazard`
 * (which must cover [startMs, endMs)). Draw order is fixed (interruption, then rebalance), so a seed reproduces it.
 */
export function sampleInstanceFate(hazard: HazardTimeline, startMs: number, endMs: number, rng: RandomSource, rebalance: RebalanceParams | null = DEFAULT_REBALANCE_PARAMS): InstanceFate {
  const h0 = cumulativeHazardAt(hazard, startMs);
  const warning = timeAtCumulativeHazard(hazard, h0 + unitExponential(rng));
  const fate: InstanceFate = {};
  if (warning !== undefined && warning < endMs) {
    fate.warningMs = warning;
    fate.terminationMs = warning + INTERRUPTION_WARNING_MS;
  }
  if (!rebalance) return fate;
  const lastMs = fate.warningMs ?? endMs;
  // A spurious recommendation: a Poisson process at spuriousFactor × hazard, first event before lastMs.
  let spurious: number | undefined;
  if (rebalance.spuriousFactor > 0) {
    const t = timeAtCumulativeHazard(hazard, h0 + unitExponential(rng) / rebalance.spuriousFactor);
    if (t !== undefined && t < lastMs) spurious = t;
  }
  let preceding: number | undefined;
  if (fate.warningMs !== undefined && rng.next() < rebalance.probabilityBeforeInterruption) {
    const lead = rebalance.minLeadMs + unitExponential(rng) * rebalance.meanExtraLeadMs;
    preceding = Math.max(startMs, fate.warningMs - lead);
  }
  if (preceding !== undefined && (spurious === undefined || preceding <= spurious)) {
    fate.rebalanceMs = preceding;
    fate.rebalanceSpurious = false;
  } else if (spurious !== undefined) {
    fate.rebalanceMs = spurious;
    fate.rebalanceSpurious = fate.warningMs === undefined;
  }
  return fate;
}

/** Tunables of capacity shortages (defaults: `DEFAULT_SHORTAGE_PARAMS`, justified in ./index.ts). */
export interface ShortageParams {
  /** Shortage episodes start as a Poisson process at this factor × the pool's hazard per instance-hour. */
  episodeRateFactor: number;
  /** Mean episode length (exponential), ms. */
  meanDurationMs: number;
}

export const DEFAULT_SHORTAGE_PARAMS: Readonly<ShortageParams> = Object.freeze({
  episodeRateFactor: 20,
  meanDurationMs: 2 * MS_PER_HOUR,
});

/** A window in which new instances cannot be launched in the pool. */
export interface ShortageWindow {
  startMs: number;
  endMs: number;
}

/** Shortage windows of one pool over the hazard's span, ascending and non-overlapping. */
export function sampleCapacityShortages(hazard: HazardTimeline, rng: RandomSource, params: ShortageParams = DEFAULT_SHORTAGE_PARAMS): ShortageWindow[] {
  const out: ShortageWindow[] = [];
  if (params.episodeRateFactor <= 0) return out;
  let h = cumulativeHazardAt(hazard, hazard.startsMs[0] as number);
  for (;;) {
    h += unitExponential(rng) / params.episodeRateFactor;
    const start = timeAtCumulativeHazard(hazard, h);
    if (start === undefined) return out;
    const endMs = Math.min(hazard.endMs, start + unitExponential(rng) * params.meanDurationMs);
    out.push({ startMs: start, endMs });
    // The next episode starts after this one ends.
    h = cumulativeHazardAt(hazard, endMs);
  }
}

/** True when `t` falls inside one of the (ascending) windows. O(log n). */
export function inShortage(windows: readonly ShortageWindow[], t: number): boolean {
  let lo = 0;
  let hi = windows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((windows[mid] as ShortageWindow).startMs <= t) lo = mid + 1;
    else hi = mid;
  }
  const w = windows[lo - 1];
  return w !== undefined && t < w.endMs;
}

/** One running instance to simulate. */
export interface InstanceSpan {
  instanceId: string;
  /** Pool key, e.g. `us-east-1a|m5.large`: the key of its hazard in `hazards`. */
  poolKey: string;
  startMs: number;
  /** Planned end (scale-down or end of the run), ms. */
  endMs: number;
}

/** Kinds of market events. */
export type MarketEventKind = 'rebalance_recommendation' | 'interruption_warning' | 'termination';

/** One event of the market's log. */
export interface MarketEvent {
  timeMs: number;
  kind: MarketEventKind;
  instanceId: string;
  poolKey: string;
}

/**
 * Samples every instance's fate over [t0, t1] and returns the sorted event log (ties: by instance order, then
 * kind order rebalance → warning → termination). Instances are processed in the given order, each consuming a
 * fixed number of draws, so the same seed and input give the same log.
 * @throws RangeError when an instance's pool has no hazard.
 */
export function simulateInterruptions(
  instances: readonly InstanceSpan[],
  hazards: ReadonlyMap<string, HazardTimeline>,
  window: { t0: number; t1: number },
  rng: RandomSource,
  rebalance: RebalanceParams | null = DEFAULT_REBALANCE_PARAMS,
): MarketEvent[] {
  const events: (MarketEvent & { order: number })[] = [];
  const kindOrder: Record<MarketEventKind, number> = { rebalance_recommendation: 0, interruption_warning: 1, termination: 2 };
  instances.forEach((inst, index) => {
    const hazard = hazards.get(inst.poolKey);
    if (!hazard) throw new RangeError(`no hazard for pool ${inst.poolKey}`);
    const start = Math.max(inst.startMs, window.t0);
    const end = Math.min(inst.endMs, window.t1);
    if (!(end > start)) return;
    const fate = sampleInstanceFate(hazard, start, end, rng, rebalance);
    const push = (timeMs: number | undefined, kind: MarketEventKind) => {
      if (timeMs !== undefined && timeMs <= window.t1) events.push({ timeMs, kind, instanceId: inst.instanceId, poolKey: inst.poolKey, order: index * 3 + kindOrder[kind] });
    };
    push(fate.rebalanceMs, 'rebalance_recommendation');
    push(fate.warningMs, 'interruption_warning');
    push(fate.terminationMs, 'termination');
  });
  events.sort((a, b) => a.timeMs - b.timeMs || a.order - b.order);
  return events.map(({ order: _order, ...e }) => e);
}
