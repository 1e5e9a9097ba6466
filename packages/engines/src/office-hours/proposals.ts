import { z } from 'zod';
import { AppError, parseOrThrow } from '@cloudoptim/contracts';
import { formatRecurring, parseTimeSpec } from './time-spec.ts';
import { HOUR_MS, DAY_MS, isKnownTimeZone, localTimeAt } from './timezone.ts';

/**
 * Learned office hours: from a namespace's usage history, find the hours of the week it is reliably idle
 * (nights, weekends) and propose an uptime spec in kube-downscaler's language, with the savings.
 *
 * 1. Each sample goes to its local hour (in the namespace's zone) and its hour-of-week slot (Mon 00:00 = 0 …
 *    Sun 23:00 = 167). An hour instance is idle when its busiest sample is at or below the idle threshold
 *    (one busy sample keeps the hour up: the conservative reading).
 * 2. A slot is idle when it was observed in at least `minObservationsPerSlot` weeks and idle in at least
 *    `minIdleConfidence` of them; a slot with too few observations stays up (no data is not idleness).
 * 3. Active slots are widened by `paddingHours` on both sides (across midnight and across Sunday/Monday).
 * 4. Active hours per weekday become HH:00-HH:00 windows; consecutive weekdays with the same windows are
 *    grouped (`Mon-Fri 07:00-20:00 Europe/Berlin`), one part per window.
 * 5. Savings = idle hours per week × cost per hour of the namespace's requested capacity.
 *
 * Assumptions: the week repeats (a weekly pattern, no trend); the history is in one zone's office hours.
 * Cost: O(S) for S samples (one memoised timezone look-up each) + O(168).
 */

export const UsageHistorySchema = z.object({
  nowMs: z.number().finite(),
  namespaces: z.array(
    z.object({
      namespace: z.string().min(1),
      /** IANA zone the office hours are in (the proposal is written in it). */
      timeZone: z.string().min(1),
      /** Cost per hour of the namespace's requested capacity while it is up. */
      costUsdPerHour: z.number().finite().nonnegative(),
      /** Any activity series: CPU millicores in use, requests in use, request counts per interval … */
      samples: z.array(z.object({ timeMs: z.number().finite(), value: z.number().finite().nonnegative() })),
      /** Samples at or below this are idle; default idleFractionOfPeak × the 95th percentile of the series. */
      idleThreshold: z.number().finite().nonnegative().optional(),
    }),
  ),
});
export type UsageHistoryInput = z.input<typeof UsageHistorySchema>;

export interface ProposalOptions {
  /** Shortest history worth a proposal, days; default 14. */
  minHistoryDays?: number;
  /** Weeks a slot must be observed to be judged; default 2. */
  minObservationsPerSlot?: number;
  /** Share of observed weeks a slot must be idle in; default 0.9. */
  minIdleConfidence?: number;
  /** Hours kept up before and after activity; default 1. */
  paddingHours?: number;
  /** Default idle threshold as a share of the 95th percentile; default 0.1. */
  idleFractionOfPeak?: number;
  /** Smallest downtime worth proposing, hours per week; default 6. */
  minIdleHoursPerWeek?: number;
}

export type ProposalStatus = 'proposed' | 'insufficient_history' | 'no_idle_window';

export interface OfficeHoursProposal {
  namespace: string;
  status: ProposalStatus;
  /** The proposed `downscaler/uptime` (null unless proposed; `never` when every hour is idle). */
  uptime: string | null;
  downtimeHoursPerWeek: number;
  weeklySavingsUsd: number;
  monthlySavingsUsd: number;
  /** Mean idle share over the proposed downtime slots (0–1). */
  confidence: number;
  /** Every Saturday and Sunday slot is idle. */
  idleWeekends: boolean;
  /** Weekdays (Mon–Fri) whose 00:00–06:00 local hours are all idle. */
  idleWeekdayNights: number;
  /** Per hour-of-week slot (Mon 00:00 = 0): the share of observed weeks it was idle, null when unobserved. */
  idleShareBySlot: (number | null)[];
  rationale: {
    summary: string;
    idleThreshold: number;
    thresholdSource: 'input' | 'fraction of p95';
    samples: number;
    historyDays: number;
    /** Hours between the newest sample and now. */
    dataAgeHours: number | null;
    slotsObserved: number;
  };
}

const SLOTS = 168;
const round2 = (x: number) => Math.round(x * 100) / 100;

function percentile(values: number[], q: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] as number;
}

/** Turns 168 active flags into an uptime spec (`never` when none is active). */
export function activeSlotsToSpec(active: boolean[], timeZone: string): string {
  const windowsOf = (day: number): [number, number][] => {
    const out: [number, number][] = [];
    for (let h = 0; h < 24; h += 1) {
      if (!active[day * 24 + h]) continue;
      const last = out[out.length - 1];
      if (last && last[1] === h) last[1] = h + 1;
      else out.push([h, h + 1]);
    }
    return out;
  };
  const days = Array.from({ length: 7 }, (_, d) => windowsOf(d));
  const key = (d: number) => JSON.stringify(days[d]);
  const parts: string[] = [];
  let d = 0;
  while (d < 7) {
    let end = d;
    while (end + 1 < 7 && key(end + 1) === key(d)) end += 1;
    for (const [from, to] of days[d] ?? []) parts.push(formatRecurring({ dayFrom: d, dayTo: end, minuteFrom: from * 60, minuteTo: to * 60, timeZone }));
    d = end + 1;
  }
  return parts.length ? parts.join(', ') : 'never';
}

/**
 * Proposes an uptime spec per namespace from its usage history. Expected outcomes (too little history, no
 * idle window) are statuses, not errors; malformed input throws AppError VALIDATION_FAILED.
 */
export function proposeOfficeHours(input: UsageHistoryInput, options: ProposalOptions = {}): OfficeHoursProposal[] {
  const parsed = parseOrThrow(UsageHistorySchema, input, 'usage history');
  const minHistoryDays = options.minHistoryDays ?? 14;
  const minObservations = options.minObservationsPerSlot ?? 2;
  const minIdleConfidence = options.minIdleConfidence ?? 0.9;
  const paddingHours = options.paddingHours ?? 1;
  const idleFraction = options.idleFractionOfPeak ?? 0.1;
  const minIdleHours = options.minIdleHoursPerWeek ?? 6;

  return parsed.namespaces.map((ns): OfficeHoursProposal => {
    if (!isKnownTimeZone(ns.timeZone)) throw new AppError('VALIDATION_FAILED', `Unknown timezone "${ns.timeZone}" for namespace ${ns.namespace}: expected an IANA timezone such as Europe/Berlin`, { namespace: ns.namespace, timezone: ns.timeZone });
    const values = ns.samples.map((s) => s.value);
    const threshold = ns.idleThreshold ?? idleFraction * percentile(values, 0.95);
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const s of ns.samples) {
      first = Math.min(first, s.timeMs);
      last = Math.max(last, s.timeMs);
    }
    const hasSamples = ns.samples.length > 0;
    const historyDays = hasSamples ? (last - first) / DAY_MS : 0;

    // Busiest sample per local hour instance, keyed by local date + hour.
    const hourMax = new Map<string, { slot: number; max: number }>();
    for (const s of ns.samples) {
      const t = localTimeAt(s.timeMs, ns.timeZone);
      const key = `${t.year}-${t.month}-${t.day}T${t.hour}`;
      const slot = t.weekday * 24 + t.hour;
      const prev = hourMax.get(key);
      if (!prev || s.value > prev.max) hourMax.set(key, { slot, max: s.value });
    }
    const observed = new Array<number>(SLOTS).fill(0);
    const idle = new Array<number>(SLOTS).fill(0);
    for (const { slot, max } of hourMax.values()) {
      observed[slot] = (observed[slot] ?? 0) + 1;
      if (max <= threshold) idle[slot] = (idle[slot] ?? 0) + 1;
    }
    const idleShareBySlot = observed.map((n, i) => (n > 0 ? round2((idle[i] ?? 0) / n) : null));
    const slotIdle = observed.map((n, i) => n >= minObservations && (idle[i] ?? 0) / n >= minIdleConfidence);
    const active = slotIdle.map((isIdle) => !isIdle);
    const padded = active.map((_, i) => {
      for (let k = -paddingHours; k <= paddingHours; k += 1) if (active[(((i + k) % SLOTS) + SLOTS) % SLOTS]) return true;
      return false;
    });
    const downtimeSlots = padded.flatMap((a, i) => (a ? [] : [i]));
    const downtimeHoursPerWeek = downtimeSlots.length;
    const confidence = downtimeSlots.length ? round2(downtimeSlots.reduce((sum, i) => sum + (idle[i] ?? 0) / (observed[i] ?? 1), 0) / downtimeSlots.length) : 0;
    const idleWeekends = slotIdle.slice(5 * 24).every(Boolean);
    const idleWeekdayNights = [0, 1, 2, 3, 4].filter((d) => slotIdle.slice(d * 24, d * 24 + 6).every(Boolean)).length;
    const base = {
      namespace: ns.namespace,
      idleWeekends,
      idleWeekdayNights,
      idleShareBySlot,
      confidence,
    };
    const rationaleBase = {
      idleThreshold: round2(threshold),
      thresholdSource: ns.idleThreshold !== undefined ? ('input' as const) : ('fraction of p95' as const),
      samples: ns.samples.length,
      historyDays: round2(historyDays),
      dataAgeHours: hasSamples ? round2((parsed.nowMs - last) / HOUR_MS) : null,
      slotsObserved: observed.filter((n) => n > 0).length,
    };
    const empty = { uptime: null, downtimeHoursPerWeek: 0, weeklySavingsUsd: 0, monthlySavingsUsd: 0 };
    if (historyDays < minHistoryDays) {
      return { ...base, ...empty, status: 'insufficient_history', confidence: 0, rationale: { ...rationaleBase, summary: `${round2(historyDays)} day(s) of history; at least ${minHistoryDays} needed to see a weekly pattern.` } };
    }
    if (downtimeHoursPerWeek < minIdleHours) {
      return { ...base, ...empty, status: 'no_idle_window', rationale: { ...rationaleBase, summary: `Only ${downtimeHoursPerWeek} reliably idle hour(s) per week (after ${paddingHours} h padding); at least ${minIdleHours} needed.` } };
    }
    const uptime = activeSlotsToSpec(padded, ns.timeZone);
    parseTimeSpec(uptime); // a proposal must always be a valid spec
    const weekly = downtimeHoursPerWeek * ns.costUsdPerHour;
    return {
      ...base,
      status: 'proposed',
      uptime,
      downtimeHoursPerWeek,
      weeklySavingsUsd: round2(weekly),
      monthlySavingsUsd: round2((weekly * 52) / 12),
      rationale: {
        ...rationaleBase,
        summary: `Idle ${downtimeHoursPerWeek} h/week (${idleWeekends ? 'weekends' : 'not weekends'}, ${idleWeekdayNights}/5 weekday nights) in ≥${Math.round(minIdleConfidence * 100)}% of ${round2(historyDays / 7)} weeks observed; uptime "${uptime}" saves ~$${round2(weekly)}/week.`,
      },
    };
  });
}
