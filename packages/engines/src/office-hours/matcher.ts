import { instantsOfWallTime, localDatesAround, localTimeAt, offsetTransitions } from './timezone.ts';
import { parseTimeSpec, type AbsolutePart, type RecurringPart, type TimeSpec, type TimeSpecPart } from './time-spec.ts';

/**
 * Matching instants against parsed specs, with kube-downscaler's meaning:
 * - recurring: the local weekday (in the part's zone) is within the day range (wrapping when from > to), and
 *   the local minute of day m satisfies from ≤ m < to. Seconds are ignored, so 07:29:59 is before 07:30.
 *   Local time is the wall clock, so a window keeps its wall-clock hours across DST changes; in a fall-back
 *   overlap the repeated wall-clock hour matches twice, and a window inside a spring-forward gap is skipped.
 * - absolute: from ≤ t ≤ to (both ends inclusive).
 * - a list matches when any part matches; `always` / `never` are constants.
 */

/** The answer to "does this spec match at this instant", with the first part that matched. */
export interface SpecMatch {
  matches: boolean;
  /** The text of the first matching part (`always` for the constant), null when nothing matched. */
  matchedPart: string | null;
  /** Index of that part in the list, null when nothing matched or for a constant. */
  partIndex: number | null;
}

/** A change of a spec's match state. */
export interface SpecTransition {
  /** The first instant with the new state, epoch ms. */
  atMs: number;
  matches: boolean;
}

/** Does one part match the instant? */
export function partMatches(part: TimeSpecPart, atMs: number): boolean {
  return part.kind === 'absolute' ? absoluteMatches(part, atMs) : recurringMatches(part, atMs);
}

function absoluteMatches(part: AbsolutePart, atMs: number): boolean {
  return part.fromMs <= atMs && atMs <= part.toMs;
}

function recurringMatches(part: RecurringPart, atMs: number): boolean {
  const local = localTimeAt(atMs, part.timeZone);
  const dayMatches = part.dayFrom <= part.dayTo ? part.dayFrom <= local.weekday && local.weekday <= part.dayTo : local.weekday >= part.dayFrom || local.weekday <= part.dayTo;
  return dayMatches && part.minuteFrom <= local.minuteOfDay && local.minuteOfDay < part.minuteTo;
}

/** Matches a parsed spec (or spec text, parsed first: throws AppError VALIDATION_FAILED when malformed). */
export function matchTimeSpec(spec: TimeSpec | string, atMs: number): SpecMatch {
  const parsed = typeof spec === 'string' ? parseTimeSpec(spec) : spec;
  if (parsed.kind === 'always') return { matches: true, matchedPart: parsed.text, partIndex: null };
  if (parsed.kind === 'never') return { matches: false, matchedPart: null, partIndex: null };
  for (let i = 0; i < parsed.parts.length; i += 1) {
    const part = parsed.parts[i] as TimeSpecPart;
    if (partMatches(part, atMs)) return { matches: true, matchedPart: part.text, partIndex: i };
  }
  return { matches: false, matchedPart: null, partIndex: null };
}

/** True when the spec matches the instant. */
export function matchesTimeSpec(spec: TimeSpec | string, atMs: number): boolean {
  return matchTimeSpec(spec, atMs).matches;
}

/**
 * Instants in (fromMs, toMs] where the spec's state may change: wall-clock starts and ends of recurring
 * windows, local midnights (weekday changes), offset transitions of each zone, and absolute bounds (the
 * instant after an inclusive end). Between two consecutive breakpoints the state is constant, so evaluating
 * the spec at each breakpoint finds every transition exactly.
 */
export function specBreakpoints(spec: TimeSpec, fromMs: number, toMs: number): number[] {
  if (spec.kind !== 'list') return [];
  const points = new Set<number>();
  const add = (ms: number) => {
    if (ms > fromMs && ms <= toMs) points.add(ms);
  };
  const minutesByZone = new Map<string, Set<number>>();
  for (const part of spec.parts) {
    if (part.kind === 'absolute') {
      add(part.fromMs);
      add(part.toMs + 1);
      continue;
    }
    const minutes = minutesByZone.get(part.timeZone) ?? new Set([0]);
    minutes.add(part.minuteFrom);
    if (part.minuteTo < 1440) minutes.add(part.minuteTo);
    minutesByZone.set(part.timeZone, minutes);
  }
  for (const [zone, minutes] of minutesByZone) localWallBreakpoints(zone, minutes, fromMs, toMs).forEach(add);
  return [...points].sort((a, b) => a - b);
}

/** The instants of the given local minutes-of-day on every local date around the range, plus the zone's offset changes. */
export function localWallBreakpoints(timeZone: string, minutesOfDay: Iterable<number>, fromMs: number, toMs: number): number[] {
  const out: number[] = [];
  const minutes = [...minutesOfDay];
  for (const date of localDatesAround(fromMs, toMs, timeZone)) {
    for (const m of minutes) {
      for (const instant of instantsOfWallTime({ ...date, hour: Math.floor(m / 60), minute: m % 60 }, timeZone)) {
        if (instant > fromMs && instant <= toMs) out.push(instant);
      }
    }
  }
  for (const t of offsetTransitions(fromMs, toMs, timeZone)) out.push(t);
  return out;
}

/**
 * The changes of a spec's match state in (fromMs, toMs], ascending, at most `limit` of them.
 * Cost: O(days × boundaries) Intl look-ups (memoised per hour), independent of the minute resolution.
 */
export function specTransitions(spec: TimeSpec, fromMs: number, toMs: number, limit = Number.POSITIVE_INFINITY): SpecTransition[] {
  const out: SpecTransition[] = [];
  let state = matchesTimeSpec(spec, fromMs);
  for (const at of specBreakpoints(spec, fromMs, toMs)) {
    const next = matchesTimeSpec(spec, at);
    if (next !== state) {
      out.push({ atMs: at, matches: next });
      state = next;
      if (out.length >= limit) break;
    }
  }
  return out;
}
