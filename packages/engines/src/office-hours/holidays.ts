import { AppError } from '@cloudoptim/contracts';
import { localWallBreakpoints } from './matcher.ts';
import { isKnownTimeZone, localDateKey } from './timezone.ts';

/**
 * Holiday calendars: whole local days that count as downtime whatever the uptime spec says (kube-downscaler
 * has none; its users write absolute ranges per holiday). Written in the same style as a time spec, the zone
 * last: `2024-12-24,2024-12-25,2025-01-01 Europe/Berlin`. A day runs from local 00:00 to the next local 00:00.
 */
export interface HolidayCalendar {
  /** The text as written. */
  text: string;
  timeZone: string;
  /** Local dates `YYYY-MM-DD`. */
  dates: ReadonlySet<string>;
}

/**
 * Parses `YYYY-MM-DD[,YYYY-MM-DD…] TIMEZONE`. Throws AppError VALIDATION_FAILED with `{ holidays, position }`
 * on a bad date or an unknown zone. An empty string means no holidays (null).
 */
export function parseHolidays(text: string): HolidayCalendar | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  const fail = (position: number, expected: string, found: string): never => {
    throw new AppError('VALIDATION_FAILED', `Invalid holiday list "${text}" at position ${position}: expected ${expected}, found ${found}`, { holidays: text, position, expected, found });
  };
  const lastSpace = trimmed.search(/\s+\S+$/);
  if (lastSpace < 0) fail(trimmed.length, 'a space and a timezone after the dates (e.g. "2024-12-25,2024-12-26 Europe/Berlin")', 'end of list');
  const zoneText = trimmed.slice(lastSpace).trim();
  const zoneAt = text.indexOf(zoneText, text.indexOf(trimmed) + lastSpace);
  if (!isKnownTimeZone(zoneText)) fail(zoneAt, 'a known IANA timezone such as Europe/Berlin', `"${zoneText}"`);
  const dates = new Set<string>();
  let offset = text.indexOf(trimmed);
  for (const raw of trimmed.slice(0, lastSpace).split(',')) {
    const date = raw.trim();
    const at = offset + raw.indexOf(date);
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
    if (!m) fail(at, 'a date YYYY-MM-DD', date ? `"${date}"` : 'nothing');
    const [, y, mo, d] = m as RegExpExecArray;
    const probe = new Date(0);
    probe.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
    if (probe.getUTCMonth() !== Number(mo) - 1 || probe.getUTCDate() !== Number(d)) fail(at, 'a real calendar date', `"${date}"`);
    dates.add(date);
    offset += raw.length + 1;
  }
  return { text: trimmed, timeZone: zoneText, dates };
}

/** The holiday date (`YYYY-MM-DD`) the instant falls on, or null. */
export function holidayAt(calendar: HolidayCalendar | null, atMs: number): string | null {
  if (!calendar || calendar.dates.size === 0) return null;
  const key = localDateKey(atMs, calendar.timeZone);
  return calendar.dates.has(key) ? key : null;
}

/** Instants in (fromMs, toMs] where "is it a holiday" may change: the calendar zone's local midnights. */
export function holidayBreakpoints(calendar: HolidayCalendar | null, fromMs: number, toMs: number): number[] {
  if (!calendar || calendar.dates.size === 0) return [];
  return localWallBreakpoints(calendar.timeZone, [0], fromMs, toMs);
}
