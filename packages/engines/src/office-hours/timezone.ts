import { AppError } from '@cloudoptim/contracts';

/**
 * Timezone arithmetic on top of `Intl.DateTimeFormat` (the IANA database the JavaScript runtime ships): the UTC
 * offset at an instant, the local wall clock of an instant, the instants of a local wall-clock time (0 in a
 * spring-forward gap, 2 in a fall-back overlap) and the instants where a zone's offset changes.
 *
 * Offsets are memoised per (zone, UTC hour) when the offset is the same at both ends of the hour; an hour that
 * contains a transition is computed exactly every time. The memo never changes a result, only its cost.
 */

/** Milliseconds in a minute, an hour and a day. */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** A local wall-clock reading. `weekday` counts from Monday = 0 to Sunday = 6 (kube-downscaler's order). */
export interface LocalTime {
  year: number;
  /** 1–12 */
  month: number;
  /** 1–31 */
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Monday = 0 … Sunday = 6 */
  weekday: number;
  /** hour × 60 + minute */
  minuteOfDay: number;
}

/** A local calendar date and wall-clock time without a zone. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetMemo = new Map<string, Map<number, number>>();
const MEMO_LIMIT_PER_ZONE = 200_000;

function formatterFor(timeZone: string): Intl.DateTimeFormat | null {
  const cached = formatters.get(timeZone);
  if (cached) return cached;
  try {
    const formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(timeZone, formatter);
    return formatter;
  } catch {
    return null;
  }
}

/** True when the runtime knows the zone (IANA names such as `Europe/Berlin`, `UTC`, and aliases such as `US/Eastern`, `CET`). */
export function isKnownTimeZone(timeZone: string): boolean {
  return timeZone.length > 0 && formatterFor(timeZone) !== null;
}

/**
 * Throws AppError VALIDATION_FAILED when the zone is unknown.
 * @param details extra details for the error (for example the spec and the position of the zone in it)
 */
export function assertTimeZone(timeZone: string, details: Record<string, unknown> = {}): void {
  if (!isKnownTimeZone(timeZone)) {
    throw new AppError('VALIDATION_FAILED', `Unknown timezone "${timeZone}": expected an IANA timezone such as Europe/Berlin, America/New_York or UTC`, {
      timezone: timeZone,
      ...details,
    });
  }
}

function requireFormatter(timeZone: string): Intl.DateTimeFormat {
  const formatter = formatterFor(timeZone);
  if (!formatter) assertTimeZone(timeZone);
  return formatter as Intl.DateTimeFormat;
}

function floorSecond(ms: number): number {
  return ms - (((ms % 1000) + 1000) % 1000);
}

/** The offset straight from Intl, in ms (local = UTC + offset). */
function exactOffsetMs(ms: number, timeZone: string): number {
  let year = 0;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let bc = false;
  for (const part of requireFormatter(timeZone).formatToParts(ms)) {
    switch (part.type) {
      case 'year':
        year = Number(part.value);
        break;
      case 'month':
        month = Number(part.value);
        break;
      case 'day':
        day = Number(part.value);
        break;
      case 'hour':
        hour = Number(part.value) % 24;
        break;
      case 'minute':
        minute = Number(part.value);
        break;
      case 'second':
        second = Number(part.value);
        break;
      case 'era':
        bc = part.value.startsWith('B');
        break;
      default:
        break;
    }
  }
  const wall = new Date(0);
  wall.setUTCFullYear(bc ? 1 - year : year, month - 1, day);
  wall.setUTCHours(hour, minute, second, 0);
  return wall.getTime() - floorSecond(ms);
}

/** The zone's UTC offset at an instant, in ms: local wall clock = UTC + offset. Throws on an unknown zone. */
export function offsetMsAt(ms: number, timeZone: string): number {
  const hourIndex = Math.floor(ms / HOUR_MS);
  let memo = offsetMemo.get(timeZone);
  if (!memo) {
    requireFormatter(timeZone);
    memo = new Map();
    offsetMemo.set(timeZone, memo);
  }
  const cached = memo.get(hourIndex);
  if (cached !== undefined && !Number.isNaN(cached)) return cached;
  if (cached === undefined) {
    const atStart = exactOffsetMs(hourIndex * HOUR_MS, timeZone);
    const atEnd = exactOffsetMs(hourIndex * HOUR_MS + HOUR_MS - 1000, timeZone);
    if (memo.size >= MEMO_LIMIT_PER_ZONE) memo.clear();
    // NaN marks an hour with a transition inside: always computed exactly.
    memo.set(hourIndex, atStart === atEnd ? atStart : Number.NaN);
    if (atStart === atEnd) return atStart;
  }
  return exactOffsetMs(ms, timeZone);
}

/** The local wall clock of an instant in a zone. */
export function localTimeAt(ms: number, timeZone: string): LocalTime {
  const shifted = new Date(ms + offsetMsAt(ms, timeZone));
  const hour = shifted.getUTCHours();
  const minute = shifted.getUTCMinutes();
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour,
    minute,
    second: shifted.getUTCSeconds(),
    weekday: (shifted.getUTCDay() + 6) % 7,
    minuteOfDay: hour * 60 + minute,
  };
}

/** `YYYY-MM-DD` of the local date of an instant in a zone. */
export function localDateKey(ms: number, timeZone: string): string {
  const t = localTimeAt(ms, timeZone);
  return dateKey(t.year, t.month, t.day);
}

/** Formats a calendar date as `YYYY-MM-DD`. */
export function dateKey(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The wall clock as if it were UTC, in ms (a zone-free number for calendar arithmetic). */
export function wallMs(wall: WallTime): number {
  const d = new Date(0);
  d.setUTCFullYear(wall.year, wall.month - 1, wall.day);
  d.setUTCHours(wall.hour, wall.minute, 0, 0);
  return d.getTime();
}

/**
 * Every instant whose local wall clock in `timeZone` reads `wall`, ascending: one normally, none when the
 * time falls in a spring-forward gap, two in a fall-back overlap. Assumes at most one offset change within a
 * day either side (true of every zone in the IANA database for modern dates).
 */
export function instantsOfWallTime(wall: WallTime, timeZone: string): number[] {
  const w = wallMs(wall);
  const candidates = new Set([offsetMsAt(w - DAY_MS, timeZone), offsetMsAt(w + DAY_MS, timeZone), offsetMsAt(w, timeZone)]);
  const found: number[] = [];
  for (const offset of candidates) {
    const instant = w - offset;
    if (offsetMsAt(instant, timeZone) === offset && !found.includes(instant)) found.push(instant);
  }
  return found.sort((a, b) => a - b);
}

/**
 * The instants in (fromMs, toMs] where the zone's offset changes (DST starts and ends), ascending, each the
 * first instant with the new offset (to the millisecond). Samples every 6 h, then bisects.
 */
export function offsetTransitions(fromMs: number, toMs: number, timeZone: string): number[] {
  const step = 6 * HOUR_MS;
  const found: number[] = [];
  let prevMs = fromMs;
  let prevOffset = offsetMsAt(fromMs, timeZone);
  while (prevMs < toMs) {
    const nextMs = Math.min(prevMs + step, toMs);
    const nextOffset = offsetMsAt(nextMs, timeZone);
    if (nextOffset !== prevOffset) {
      let lo = prevMs;
      let hi = nextMs;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (offsetMsAt(mid, timeZone) === prevOffset) lo = mid;
        else hi = mid;
      }
      found.push(hi);
    }
    prevMs = nextMs;
    prevOffset = nextOffset;
  }
  return found;
}

/**
 * The local calendar dates that overlap [fromMs, toMs] in a zone, with one extra day on each side (callers use
 * them to place wall-clock boundaries, and a boundary of the day before may still fall inside the range).
 */
export function localDatesAround(fromMs: number, toMs: number, timeZone: string): { year: number; month: number; day: number }[] {
  const first = localTimeAt(fromMs, timeZone);
  const last = localTimeAt(toMs, timeZone);
  const start = wallMs({ year: first.year, month: first.month, day: first.day, hour: 0, minute: 0 }) - DAY_MS;
  const end = wallMs({ year: last.year, month: last.month, day: last.day, hour: 0, minute: 0 }) + DAY_MS;
  const dates: { year: number; month: number; day: number }[] = [];
  for (let d = start; d <= end; d += DAY_MS) {
    const date = new Date(d);
    dates.push({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() });
  }
  return dates;
}
