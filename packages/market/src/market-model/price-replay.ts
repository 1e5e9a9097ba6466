/**
 * Spot price replay: maps simulated time onto a window of the real per-AZ history, so a simulation can start
 * "now" and still see real price movements.
 *
 * Mapping: historyTime = historyStartMs + ((simTime − simStartMs) · speed) mod (historyEndMs − historyStartMs).
 * When simulated time runs past the end of the window it wraps to the window's start (the price jumps back
 * to the window-start price: a discontinuity, but one that real markets also show at a price step). Simulated
 * times before `simStartMs` map backwards with the same modulo, so the replay is defined for every time.
 */
import type { PriceStep, TimeInput } from '../spot-price-history.ts';

/** What a replay needs from the loaded history (`SpotPriceHistory` satisfies it). */
export interface PriceHistorySource {
  priceAt(availabilityZone: string, instanceType: string, time: TimeInput): number | undefined;
  series(availabilityZone: string, instanceType: string, from: TimeInput, to: TimeInput): PriceStep[];
}

/** Options of `createPriceReplay`. */
export interface PriceReplayOptions {
  /** First instant of the replayed history window, epoch ms. */
  historyStartMs: number;
  /** End of the window (exclusive), epoch ms; simulated time wraps to `historyStartMs` here. */
  historyEndMs: number;
  /** Simulated instant that maps to `historyStartMs`. */
  simStartMs: number;
  /** History ms per simulated ms (default 1: one simulated hour replays one hour of history). */
  speed?: number;
}

/** Prices in simulated time. */
export interface PriceReplay {
  /** Price in force at simulated `simTimeMs` (USD/h), undefined for an unknown pool or before its first record. */
  priceAt(availabilityZone: string, instanceType: string, simTimeMs: number): number | undefined;
  /**
   * Steps over simulated [fromMs, toMs], with `timeMs` in simulated time: the step in force at `fromMs`
   * (time clamped to `fromMs`) then every change up to `toMs`, across wraps.
   */
  series(availabilityZone: string, instanceType: string, fromMs: number, toMs: number): PriceStep[];
  /** The history instant a simulated instant replays. */
  toHistoryTime(simTimeMs: number): number;
}

/** @throws RangeError for an empty window or a non-positive speed. */
export function createPriceReplay(history: PriceHistorySource, options: PriceReplayOptions): PriceReplay {
  const { historyStartMs, historyEndMs, simStartMs } = options;
  const speed = options.speed ?? 1;
  const windowMs = historyEndMs - historyStartMs;
  if (!(windowMs > 0)) throw new RangeError('price replay window must have historyEndMs > historyStartMs');
  if (!(speed > 0)) throw new RangeError('price replay speed must be > 0');
  const offsetInWindow = (simTimeMs: number): number => {
    const o = ((simTimeMs - simStartMs) * speed) % windowMs;
    return o < 0 ? o + windowMs : o;
  };
  const toHistoryTime = (simTimeMs: number): number => historyStartMs + offsetInWindow(simTimeMs);
  // Start of the simulated lap that contains simTimeMs: sim instant that maps to historyStartMs.
  const lapStart = (simTimeMs: number): number => simTimeMs - offsetInWindow(simTimeMs) / speed;

  return {
    toHistoryTime,
    priceAt: (az, type, simTimeMs) => history.priceAt(az, type, toHistoryTime(simTimeMs)),
    series: (az, type, fromMs, toMs) => {
      if (toMs < fromMs) return [];
      const out: PriceStep[] = [];
      let lap = lapStart(fromMs);
      let segFrom = fromMs;
      while (segFrom <= toMs) {
        const lapEnd = lap + windowMs / speed;
        const segTo = Math.min(toMs, lapEnd);
        const hFrom = toHistoryTime(segFrom);
        const hTo = segTo === lapEnd ? historyEndMs : toHistoryTime(segTo);
        const steps = history.series(az, type, hFrom, hTo === historyEndMs ? historyEndMs - 1 : hTo);
        for (const [i, s] of steps.entries()) {
          const simT = i === 0 ? segFrom : lap + (s.timeMs - historyStartMs) / speed;
          const last = out.at(-1);
          if (last && last.usdPerHour === s.usdPerHour) continue;
          if (last && last.timeMs === simT) last.usdPerHour = s.usdPerHour;
          else out.push({ timeMs: simT, usdPerHour: s.usdPerHour });
        }
        if (segTo >= toMs) break;
        lap = lapEnd;
        segFrom = lapEnd;
      }
      return out;
    },
  };
}
