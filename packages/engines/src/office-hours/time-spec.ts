import { AppError } from '@cloudoptim/contracts';
import { isKnownTimeZone } from './timezone.ts';

/**
 * The kube-downscaler time-spec language, parsed by hand so that every error names its position and the token
 * that was expected.
 *
 * Grammar (whitespace around commas and at both ends is ignored; inside a part, runs of spaces count as one):
 *
 *     spec      := "always" | "never" | part ("," part)*          (always/never: any case, only as the whole spec)
 *     part      := recurring | absolute
 *     recurring := WEEKDAY "-" WEEKDAY " " HH ":" MM "-" HH ":" MM " " TIMEZONE
 *     absolute  := DATETIME "-" DATETIME
 *     WEEKDAY   := Mon | Tue | Wed | Thu | Fri | Sat | Sun          (any case; Sat-Sat is a single day; Fri-Mon wraps)
 *     HH:MM     := 00:00 … 23:59, or 24:00 as an end (the end is exclusive; a range cannot cross midnight)
 *     TIMEZONE  := an IANA zone known to the runtime (Europe/Berlin, UTC, US/Eastern, CET …)
 *     DATETIME  := YYYY-MM-DD "T" HH:MM:SS [.fraction] ("Z" | ±HH:MM) (both ends inclusive)
 *
 * Where this is stricter than kube-downscaler: hours above 24, minutes above 59 and 24:MM other than 24:00
 * are errors (kube-downscaler takes any two digits). A window whose start is not before its end
 * (`Mon-Mon 00:00-00:00`, `Mon-Fri 20:00-08:00`) and an absolute range that ends before it starts parse, as
 * in kube-downscaler, and never match; they come back as `warnings`. Where it is looser (annotations written for kube-downscaler still mean the same):
 * `Z` as an absolute offset, fractional seconds, several spaces, zones with digits, `+` or `-` (Etc/GMT+1).
 */

/** A weekday range and a daily wall-clock window in a zone. Days count Monday = 0 … Sunday = 6. */
export interface RecurringPart {
  kind: 'recurring';
  /** The part as written (trimmed). */
  text: string;
  /** Offset of the part in the whole spec string. */
  position: number;
  dayFrom: number;
  /** Inclusive; smaller than `dayFrom` means the range wraps over Sunday (Fri-Mon). */
  dayTo: number;
  /** Start of the window, minutes after local midnight (inclusive). */
  minuteFrom: number;
  /** End of the window, minutes after local midnight (exclusive; 1440 = 24:00). */
  minuteTo: number;
  timeZone: string;
}

/** A closed interval between two absolute instants. */
export interface AbsolutePart {
  kind: 'absolute';
  text: string;
  position: number;
  /** Inclusive start, epoch ms. */
  fromMs: number;
  /** Inclusive end, epoch ms (kube-downscaler compares `from <= t <= to`). */
  toMs: number;
}

export type TimeSpecPart = RecurringPart | AbsolutePart;

/** A parsed time spec: a constant, or a list of parts that matches when any part matches. */
export type TimeSpec =
  | { kind: 'always'; text: string; warnings: TimeSpecWarning[] }
  | { kind: 'never'; text: string; warnings: TimeSpecWarning[] }
  | { kind: 'list'; text: string; parts: TimeSpecPart[]; warnings: TimeSpecWarning[] };

/** A part that parses but can never match (kept for kube-downscaler parity, reported so people notice). */
export interface TimeSpecWarning {
  message: string;
  position: number;
}

/** Where and why a spec failed to parse. */
export interface TimeSpecError {
  message: string;
  /** 0-based character offset in the spec string. */
  position: number;
  /** What the parser wanted at that position. */
  expected: string;
  /** What it found there (`end of spec` at the end). */
  found: string;
}

export const WEEKDAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

const EXAMPLES = '"Mon-Fri 08:00-19:00 Europe/Berlin", "2024-12-24T00:00:00+01:00-2024-12-26T23:59:59+01:00", "always" or "never"';

class SpecSyntaxError extends Error {
  constructor(readonly detail: TimeSpecError) {
    super(detail.message);
  }
}

/**
 * Parses a time spec. Throws AppError VALIDATION_FAILED with details `{ spec, position, expected, found }`
 * when it is malformed or names an unknown timezone.
 */
export function parseTimeSpec(spec: string): TimeSpec {
  const result = tryParseTimeSpec(spec);
  if (result.ok) return result.spec;
  const { message, position, expected, found } = result.error;
  throw new AppError('VALIDATION_FAILED', message, { spec, position, expected, found });
}

/** Parses a time spec without throwing: the spec, or the error with its position. */
export function tryParseTimeSpec(spec: string): { ok: true; spec: TimeSpec } | { ok: false; error: TimeSpecError } {
  try {
    return { ok: true, spec: new Parser(spec).parseSpec() };
  } catch (error) {
    if (error instanceof SpecSyntaxError) return { ok: false, error: error.detail };
    throw error;
  }
}

/** A spec that matches every instant. */
export const ALWAYS: TimeSpec = { kind: 'always', text: 'always', warnings: [] };
/** A spec that matches no instant. */
export const NEVER: TimeSpec = { kind: 'never', text: 'never', warnings: [] };

class Parser {
  private pos = 0;
  private readonly warnings: TimeSpecWarning[] = [];

  constructor(private readonly src: string) {}

  parseSpec(): TimeSpec {
    const trimmed = this.src.trim();
    const lower = trimmed.toLowerCase();
    if (lower === 'always') return { kind: 'always', text: trimmed, warnings: [] };
    if (lower === 'never') return { kind: 'never', text: trimmed, warnings: [] };
    const parts: TimeSpecPart[] = [];
    this.skipSpaces();
    if (this.atEnd()) this.fail('a time spec (for example ' + EXAMPLES + ')');
    for (;;) {
      this.skipSpaces();
      parts.push(this.parsePart());
      this.skipSpaces();
      if (this.atEnd()) break;
      if (this.peek() !== ',') this.fail('"," or the end of the spec');
      this.pos += 1;
    }
    return { kind: 'list', text: trimmed, parts, warnings: this.warnings };
  }

  private parsePart(): TimeSpecPart {
    const start = this.pos;
    const c = this.peek();
    if (c !== undefined && /[0-9]/.test(c)) return this.parseAbsolute(start);
    if (c !== undefined && /[A-Za-z]/.test(c)) {
      const word = /^[A-Za-z]+/.exec(this.src.slice(this.pos))?.[0] ?? '';
      const lower = word.toLowerCase();
      if (lower === 'always' || lower === 'never') {
        this.fail(`a weekday range or an absolute range ("${word}" is allowed only as the whole spec, not in a list)`);
      }
      return this.parseRecurring(start);
    }
    if (c === ',' || c === undefined) this.fail('a time spec part (a comma with nothing before or after it)');
    return this.fail('a weekday (Mon…Sun) or a date (YYYY-MM-DD)');
  }

  private parseRecurring(start: number): RecurringPart {
    const dayFrom = this.weekday();
    this.expectChar('-', '"-" and the last weekday of the range (write Sat-Sat for a single day)');
    const dayTo = this.weekday();
    this.requireSpaces('a space, then the daily window HH:MM-HH:MM');
    const fromAt = this.pos;
    const minuteFrom = this.clock('start');
    this.expectChar('-', '"-" and the end time HH:MM');
    const minuteTo = this.clock('end');
    if (minuteFrom >= minuteTo) {
      this.warn(
        `the window ${fmtClock(minuteFrom)}-${fmtClock(minuteTo)} is empty and never matches (as in kube-downscaler); a range cannot cross midnight: split it, e.g. "Mon-Fri ${fmtClock(minuteFrom)}-24:00 TZ, Tue-Sat 00:00-${fmtClock(minuteTo)} TZ"`,
        fromAt,
      );
    }
    this.requireSpaces('a space, then a timezone such as Europe/Berlin or UTC');
    const tzAt = this.pos;
    const timeZone = /^[A-Za-z0-9/_+-]+/.exec(this.src.slice(this.pos))?.[0] ?? '';
    if (!timeZone) this.fail('a timezone such as Europe/Berlin or UTC');
    if (!isKnownTimeZone(timeZone)) this.fail('a known IANA timezone such as Europe/Berlin, America/New_York or UTC', tzAt, `"${timeZone}"`, `unknown timezone "${timeZone}"`);
    this.pos += timeZone.length;
    return { kind: 'recurring', text: this.src.slice(start, this.pos), position: start, dayFrom, dayTo, minuteFrom, minuteTo, timeZone };
  }

  private parseAbsolute(start: number): AbsolutePart {
    const fromMs = this.dateTime();
    this.expectChar('-', '"-" and the end of the range (YYYY-MM-DDTHH:MM:SS±HH:MM)');
    const toAt = this.pos;
    const toMs = this.dateTime();
    if (toMs < fromMs) this.warn(`the range ends before it starts and never matches (as in kube-downscaler)`, toAt);
    return { kind: 'absolute', text: this.src.slice(start, this.pos), position: start, fromMs, toMs };
  }

  private weekday(): number {
    const at = this.pos;
    const word = /^[A-Za-z]*/.exec(this.src.slice(this.pos))?.[0] ?? '';
    const index = WEEKDAY_NAMES.findIndex((d) => d.toLowerCase() === word.toLowerCase());
    if (index < 0) this.fail('a weekday (Mon, Tue, Wed, Thu, Fri, Sat, Sun)', at, word ? `"${word}"` : undefined);
    this.pos += word.length;
    return index;
  }

  /** HH:MM → minutes after midnight; 24:00 is 1440. */
  private clock(which: 'start' | 'end'): number {
    const at = this.pos;
    const hour = this.digits(2, `the ${which} hour HH (00-24)`);
    this.expectChar(':', `":" and the ${which} minutes MM`);
    const minuteAt = this.pos;
    const minute = this.digits(2, `the ${which} minutes MM (00-59)`);
    if (hour > 24) this.fail(`an hour between 00 and 24`, at, `"${String(hour).padStart(2, '0')}"`);
    if (minute > 59) this.fail(`minutes between 00 and 59`, minuteAt, `"${String(minute).padStart(2, '0')}"`);
    if (hour === 24 && minute !== 0) this.fail('24:00 or an earlier time (24 is only valid as 24:00)', at, `"${this.src.slice(at, this.pos)}"`);
    return hour * 60 + minute;
  }

  /** YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM) → epoch ms. */
  private dateTime(): number {
    const at = this.pos;
    const year = this.digits(4, 'a year YYYY');
    this.expectChar('-', '"-" and the month MM');
    const month = this.digits(2, 'a month MM (01-12)');
    this.expectChar('-', '"-" and the day DD');
    const day = this.digits(2, 'a day DD');
    this.expectChar('T', '"T" and the time HH:MM:SS');
    const hour = this.digits(2, 'an hour HH (00-23)');
    this.expectChar(':', '":" and the minutes');
    const minute = this.digits(2, 'minutes MM (00-59)');
    this.expectChar(':', '":" and the seconds SS');
    const second = this.digits(2, 'seconds SS (00-59)');
    let fractionMs = 0;
    if (this.peek() === '.') {
      this.pos += 1;
      const fraction = /^[0-9]+/.exec(this.src.slice(this.pos))?.[0];
      if (!fraction) this.fail('digits of the fractional seconds');
      fractionMs = Math.floor(Number(`0.${fraction}`) * 1000);
      this.pos += fraction.length;
    }
    const text = () => `"${this.src.slice(at, this.pos)}"`;
    if (month < 1 || month > 12) this.fail('a month between 01 and 12', at + 5, text());
    if (day < 1 || day > daysInMonth(year, month)) this.fail(`a day between 01 and ${daysInMonth(year, month)} for ${year}-${String(month).padStart(2, '0')}`, at + 8, text());
    if (hour > 23) this.fail('an hour between 00 and 23', at + 11, text());
    if (minute > 59) this.fail('minutes between 00 and 59', at + 14, text());
    if (second > 59) this.fail('seconds between 00 and 59', at + 17, text());
    let offsetMinutes = 0;
    const sign = this.peek();
    if (sign === 'Z' || sign === 'z') {
      this.pos += 1;
    } else if (sign === '+' || sign === '-') {
      if (!/^\d{2}:\d{2}/.test(this.src.slice(this.pos + 1))) this.fail('a UTC offset after the seconds: "Z", "+HH:MM" or "-HH:MM"');
      this.pos += 1;
      const oh = this.digits(2, 'the offset hours HH');
      this.expectChar(':', '":" and the offset minutes');
      const om = this.digits(2, 'the offset minutes MM');
      if (oh > 23 || om > 59) this.fail('an offset between -23:59 and +23:59', this.pos - 5);
      offsetMinutes = (sign === '-' ? -1 : 1) * (oh * 60 + om);
    } else {
      this.fail('a UTC offset: "Z", "+HH:MM" or "-HH:MM"');
    }
    const d = new Date(0);
    d.setUTCFullYear(year, month - 1, day);
    d.setUTCHours(hour, minute, second, fractionMs);
    return d.getTime() - offsetMinutes * 60_000;
  }

  private digits(count: number, expected: string): number {
    const slice = this.src.slice(this.pos, this.pos + count);
    if (slice.length !== count || !/^[0-9]+$/.test(slice)) this.fail(expected);
    this.pos += count;
    return Number(slice);
  }

  private expectChar(char: string, expected: string): void {
    if (this.peek() !== char) this.fail(expected);
    this.pos += 1;
  }

  private requireSpaces(expected: string): void {
    if (this.peek() !== ' ' && this.peek() !== '\t') this.fail(expected);
    this.skipSpaces();
  }

  private skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos += 1;
  }

  private peek(): string | undefined {
    return this.src[this.pos];
  }

  private atEnd(): boolean {
    return this.pos >= this.src.length;
  }

  private warn(message: string, position: number): void {
    this.warnings.push({ message: `position ${position}: ${message}`, position });
  }

  private fail(expected: string, position = this.pos, found?: string, problem?: string): never {
    const shown = found ?? this.foundAt(position);
    const message = `Invalid time spec "${this.src}" at position ${position}: ${problem ? `${problem}; ` : ''}expected ${expected}, found ${shown}`;
    throw new SpecSyntaxError({ message, position, expected, found: shown });
  }

  private foundAt(position: number): string {
    if (position >= this.src.length) return 'end of spec';
    const token = /^([A-Za-z0-9/_+]+|.)/.exec(this.src.slice(position))?.[0] ?? '';
    return `"${token}"`;
  }
}

function daysInMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
}

/** Minutes after midnight → `HH:MM` (1440 → `24:00`). */
export function fmtClock(minuteOfDay: number): string {
  return `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}`;
}

/** The canonical text of a recurring part (`Mon-Fri 08:00-19:00 Europe/Berlin`). */
export function formatRecurring(part: Pick<RecurringPart, 'dayFrom' | 'dayTo' | 'minuteFrom' | 'minuteTo' | 'timeZone'>): string {
  return `${WEEKDAY_NAMES[part.dayFrom]}-${WEEKDAY_NAMES[part.dayTo]} ${fmtClock(part.minuteFrom)}-${fmtClock(part.minuteTo)} ${part.timeZone}`;
}

/** The timezones a spec names (recurring parts only). */
export function specTimeZones(spec: TimeSpec): string[] {
  if (spec.kind !== 'list') return [];
  return [...new Set(spec.parts.flatMap((p) => (p.kind === 'recurring' ? [p.timeZone] : [])))];
}
