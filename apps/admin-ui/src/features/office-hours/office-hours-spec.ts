/**
 * Office-hours windows as the editor shows them, and the two forms the server takes: the settings' uptime spec
 * (kube-downscaler syntax, `Mon-Fri 08:00-19:00 Europe/Berlin`) and the decision contract's schedules (for the
 * savings preview). The editor handles one weekly window per entry; specs it cannot show are kept as text.
 */
import type { OfficeHoursSchedule } from '@cloudoptim/contracts';
import type { OfficeHoursEntry } from '../../api/wire-types.ts';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface WeeklyWindow {
  dayFrom: Weekday;
  /** Inclusive; before dayFrom wraps over Sunday (Fri-Mon). */
  dayTo: Weekday;
  /** HH:MM, inclusive. */
  start: string;
  /** HH:MM, exclusive; 24:00 is the end of the day. */
  end: string;
  timeZone: string;
}

const cap = (d: Weekday) => d.charAt(0).toUpperCase() + d.slice(1);
const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const PART = /^([A-Za-z]{3})-([A-Za-z]{3}) (\d{2}:\d{2})-(\d{2}:\d{2}) (\S+)$/;

export function formatUptime(w: WeeklyWindow): string {
  return `${cap(w.dayFrom)}-${cap(w.dayTo)} ${w.start}-${w.end} ${w.timeZone}`;
}

/** The window of a one-part weekly spec; null for anything else (several parts, dates, always/never). */
export function parseUptime(spec: string): WeeklyWindow | null {
  const m = PART.exec(spec.trim().replace(/\s+/g, ' '));
  if (!m) return null;
  const [, from, to, start, end, timeZone] = m as unknown as [string, string, string, string, string, string];
  const dayFrom = from.toLowerCase() as Weekday;
  const dayTo = to.toLowerCase() as Weekday;
  if (!WEEKDAYS.includes(dayFrom) || !WEEKDAYS.includes(dayTo) || !CLOCK.test(start) || !CLOCK.test(end)) return null;
  return { dayFrom, dayTo, start, end, timeZone };
}

/** Problems of a window in words (empty when valid). */
export function windowProblems(w: WeeklyWindow): string[] {
  const problems: string[] = [];
  if (!CLOCK.test(w.start) || w.start === '24:00') problems.push('the start must be a time HH:MM');
  if (!CLOCK.test(w.end)) problems.push('the end must be a time HH:MM (24:00 for midnight)');
  if (CLOCK.test(w.start) && CLOCK.test(w.end) && w.start >= w.end) problems.push('the window must end after it starts on the same day');
  if (!w.timeZone) problems.push('choose a time zone');
  return problems;
}

/** The days of a range, wrapping over Sunday. */
export function daysOf(w: Pick<WeeklyWindow, 'dayFrom' | 'dayTo'>): Weekday[] {
  const out: Weekday[] = [];
  for (let d = WEEKDAYS.indexOf(w.dayFrom); ; d = (d + 1) % 7) {
    out.push(WEEKDAYS[d]!);
    if (WEEKDAYS[d] === w.dayTo) return out;
  }
}

/**
 * The contract's schedules for a decision preview, as central derives them from stored settings: one per entry
 * whose spec is a weekly window (24:00 is written 00:00). Workloads are "namespace/Kind/name".
 */
export function toContractSchedules(entries: readonly OfficeHoursEntry[]): OfficeHoursSchedule[] {
  return entries.flatMap((entry, i) => {
    const w = parseUptime(entry.uptime);
    if (!w || windowProblems(w).length > 0) return [];
    const workloads = entry.workloads.flatMap((ref) => {
      const [namespace, kind, name, ...rest] = ref.split('/');
      return namespace && kind && name && rest.length === 0 ? [{ namespace, kind: kind as OfficeHoursSchedule['workloads'][number]['kind'], name }] : [];
    });
    return [{ name: `office-hours-${i + 1}`, timezone: w.timeZone, days: daysOf(w), start: w.start, end: w.end === '24:00' ? '00:00' : w.end, namespaces: entry.namespaces, workloads }];
  });
}

/** Hours a week the window keeps workloads up (the rest they are scaled to zero). */
export function uptimeHoursPerWeek(w: WeeklyWindow): number {
  const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
  return (daysOf(w).length * Math.max(0, minutes(w.end) - minutes(w.start))) / 60;
}
