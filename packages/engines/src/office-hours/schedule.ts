import { holidayAt, holidayBreakpoints, type HolidayCalendar } from './holidays.ts';
import { matchTimeSpec, specBreakpoints } from './matcher.ts';
import { MINUTE_MS } from './timezone.ts';
import type { TimeSpec } from './time-spec.ts';

/**
 * One workload's schedule: kube-downscaler's uptime/downtime (or its alternative upscale/downscale periods),
 * plus CloudOptim's holidays and pre-warm. `stateAt` answers for one instant; `scheduleTimeline` cuts a range
 * into constant segments.
 *
 * - uptime mode (both periods `never`): up ⇔ uptime matches ∧ downtime does not.
 * - period mode (either period set): up when only the upscale period matches, down when only the downscale
 *   period matches, hold (leave replicas as they are) when both or neither match.
 * - a holiday (a local date of the calendar) is down in both modes.
 * - pre-warm P minutes: any instant within P minutes before an up segment starts is up, so pods are Ready
 *   when the office opens; a downtime gap shorter than P therefore disappears.
 */
export interface ScheduleRules {
  uptime: TimeSpec;
  downtime: TimeSpec;
  upscalePeriod: TimeSpec;
  downscalePeriod: TimeSpec;
  holidays: HolidayCalendar | null;
  prewarmMinutes: number;
}

export type ScheduleState = 'up' | 'down' | 'hold';

/** A state with the sentence that explains it. */
export interface ScheduleVerdict {
  state: ScheduleState;
  reason: string;
}

/** A constant stretch of a schedule: [startMs, endMs). */
export interface ScheduleSegment extends ScheduleVerdict {
  startMs: number;
  endMs: number;
}

/** True when the rules use the upscale/downscale period logic instead of uptime/downtime. */
export function isPeriodMode(rules: ScheduleRules): boolean {
  return rules.upscalePeriod.kind !== 'never' || rules.downscalePeriod.kind !== 'never';
}

/** The state of the schedule at an instant, ignoring pre-warm. */
export function rawStateAt(rules: ScheduleRules, atMs: number): ScheduleVerdict {
  const holiday = holidayAt(rules.holidays, atMs);
  if (holiday) return { state: 'down', reason: `holiday ${holiday} (${rules.holidays?.timeZone ?? ''})` };
  if (isPeriodMode(rules)) {
    const up = matchTimeSpec(rules.upscalePeriod, atMs);
    const down = matchTimeSpec(rules.downscalePeriod, atMs);
    if (up.matches && down.matches) return { state: 'hold', reason: `upscale and downscale periods overlap (${up.matchedPart}; ${down.matchedPart})` };
    if (up.matches) return { state: 'up', reason: `inside upscale period "${up.matchedPart}"` };
    if (down.matches) return { state: 'down', reason: `inside downscale period "${down.matchedPart}"` };
    return { state: 'hold', reason: 'outside both upscale and downscale periods' };
  }
  const up = matchTimeSpec(rules.uptime, atMs);
  if (!up.matches) return { state: 'down', reason: `outside uptime "${rules.uptime.text}"` };
  const down = matchTimeSpec(rules.downtime, atMs);
  if (down.matches) return { state: 'down', reason: `inside downtime "${down.matchedPart}"` };
  return { state: 'up', reason: rules.uptime.kind === 'always' ? 'uptime always' : `inside uptime "${up.matchedPart}"` };
}

/** Instants in (fromMs, toMs] where the raw state may change. */
export function scheduleBreakpoints(rules: ScheduleRules, fromMs: number, toMs: number): number[] {
  const specs = isPeriodMode(rules) ? [rules.upscalePeriod, rules.downscalePeriod] : [rules.uptime, rules.downtime];
  const all = new Set<number>(holidayBreakpoints(rules.holidays, fromMs, toMs));
  for (const spec of specs) for (const t of specBreakpoints(spec, fromMs, toMs)) all.add(t);
  return [...all].sort((a, b) => a - b);
}

function mergeSegments(segments: ScheduleSegment[]): ScheduleSegment[] {
  const out: ScheduleSegment[] = [];
  for (const seg of segments) {
    if (seg.endMs <= seg.startMs) continue;
    const last = out[out.length - 1];
    if (last && last.state === seg.state && last.endMs === seg.startMs && last.reason === seg.reason) last.endMs = seg.endMs;
    else out.push({ ...seg });
  }
  return out;
}

/** The raw (no pre-warm) segments covering [fromMs, toMs). */
export function rawTimeline(rules: ScheduleRules, fromMs: number, toMs: number): ScheduleSegment[] {
  const segments: ScheduleSegment[] = [];
  let start = fromMs;
  let verdict = rawStateAt(rules, fromMs);
  for (const at of scheduleBreakpoints(rules, fromMs, toMs)) {
    if (at >= toMs) break;
    const next = rawStateAt(rules, at);
    if (next.state !== verdict.state || next.reason !== verdict.reason) {
      segments.push({ ...verdict, startMs: start, endMs: at });
      start = at;
      verdict = next;
    }
  }
  segments.push({ ...verdict, startMs: start, endMs: toMs });
  return mergeSegments(segments);
}

/**
 * The effective segments covering [fromMs, toMs), pre-warm applied: an up segment that starts at s turns
 * [s − P, s) up with the reason "pre-warm". Looks P minutes past `toMs` so a start just after the range counts.
 * Cost: O(B log B) with B the breakpoints in the range (≈ days × window boundaries), each costing one match.
 */
export function scheduleTimeline(rules: ScheduleRules, fromMs: number, toMs: number): ScheduleSegment[] {
  const prewarmMs = Math.max(0, rules.prewarmMinutes) * MINUTE_MS;
  const raw = rawTimeline(rules, fromMs, toMs + prewarmMs);
  if (prewarmMs === 0) return clip(raw, fromMs, toMs);
  // For each non-up segment, the start of the next up segment after it (scanning backwards).
  const nextUp: (ScheduleSegment | null)[] = new Array<ScheduleSegment | null>(raw.length).fill(null);
  let upcoming: ScheduleSegment | null = null;
  for (let i = raw.length - 1; i >= 0; i -= 1) {
    const seg = raw[i] as ScheduleSegment;
    if (seg.state === 'up') upcoming = seg;
    else nextUp[i] = upcoming;
  }
  const out: ScheduleSegment[] = [];
  raw.forEach((seg, i) => {
    const up = nextUp[i];
    const warmStart = up ? Math.max(seg.startMs, up.startMs - prewarmMs) : seg.endMs;
    if (!up || warmStart >= seg.endMs) {
      out.push(seg);
      return;
    }
    out.push({ ...seg, endMs: warmStart });
    out.push({ state: 'up', reason: `pre-warm ${rules.prewarmMinutes} min before ${up.reason}`, startMs: warmStart, endMs: seg.endMs });
  });
  return clip(mergeSegments(out), fromMs, toMs);
}

function clip(segments: ScheduleSegment[], fromMs: number, toMs: number): ScheduleSegment[] {
  return segments
    .map((s) => ({ ...s, startMs: Math.max(s.startMs, fromMs), endMs: Math.min(s.endMs, toMs) }))
    .filter((s) => s.endMs > s.startMs);
}

/** The effective (pre-warm applied) verdict at one instant. */
export function stateAt(rules: ScheduleRules, atMs: number): ScheduleVerdict {
  const first = scheduleTimeline(rules, atMs, atMs + 1)[0];
  return first ? { state: first.state, reason: first.reason } : rawStateAt(rules, atMs);
}
