/**
 * A small CSV reader for the data files (comma-separated, header line, optional RFC 4180 quoting) and
 * fast field validators. Every failure is `AppError('DATA_CORRUPT')` naming the file, the 1-based line
 * number (the header is line 1) and the column.
 */
import { z } from 'zod';
import { dataCorrupt } from './data-files.ts';

/** Splits one CSV line; handles double-quoted fields with `""` escapes. */
function splitLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q === -1) throw new Error('unterminated quoted field');
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(value);
      if (i < line.length && line[i] !== ',') throw new Error('text after a closing quote');
      i++;
    } else {
      const c = line.indexOf(',', i);
      const end = c === -1 ? line.length : c;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}

/**
 * Iterates the data rows of a CSV text after checking its header against `columns` (exact names, exact
 * order). `line` is the 1-based line number of the row last returned by `next()`.
 */
export class CsvReader {
  /** 1-based line number of the last row returned (1 = header). */
  line = 1;
  private pos: number;
  /** Without any quote in the text, fields are cut straight from it (no per-line string, no quote scan). */
  private readonly quoted: boolean;

  constructor(
    readonly file: string,
    private readonly text: string,
    readonly columns: readonly string[],
  ) {
    const end = text.indexOf('\n');
    const headerLine = stripCr(end === -1 ? text : text.slice(0, end)).replace(/^\uFEFF/, '');
    const header = headerLine.split(',');
    const ok = z.tuple(columns.map((c) => z.literal(c)) as [z.ZodLiteral<string>, ...z.ZodLiteral<string>[]]).safeParse(header);
    if (!ok.success) {
      const missing = columns.filter((c) => !header.includes(c));
      throw dataCorrupt(
        file,
        `line 1: header is "${headerLine}", expected "${columns.join(',')}"${missing.length ? ` (missing column ${missing.join(', ')})` : ''}`,
        { row: 1, field: missing[0], expected: columns, found: header },
      );
    }
    this.pos = end === -1 ? text.length : end + 1;
    this.quoted = text.includes('"', this.pos);
  }

  /** Number of data lines (non-empty lines after the header); a cheap newline count, for progress totals. */
  countRows(): number {
    let n = 0;
    let start = this.pos;
    const t = this.text;
    while (start < t.length) {
      const nl = t.indexOf('\n', start);
      const end = nl === -1 ? t.length : nl;
      if (end > start && !(end === start + 1 && t.charCodeAt(start) === 13)) n++;
      start = end + 1;
    }
    return n;
  }

  /** The next row's fields (exactly `columns.length` of them), or undefined at the end of the text. */
  next(): string[] | undefined {
    const t = this.text;
    if (this.pos >= t.length) return undefined;
    const start = this.pos;
    const nl = t.indexOf('\n', start);
    let end = nl === -1 ? t.length : nl;
    this.pos = end + 1;
    this.line++;
    if (end > start && t.charCodeAt(end - 1) === 13) end--;
    if (end === start) {
      if (this.pos >= t.length) return undefined; // trailing newline
      throw this.error(`line ${this.line}: empty line`);
    }
    let fields: string[];
    if (!this.quoted) {
      fields = [];
      let from = start;
      for (;;) {
        const c = t.indexOf(',', from);
        if (c === -1 || c >= end) {
          fields.push(t.slice(from, end));
          break;
        }
        fields.push(t.slice(from, c));
        from = c + 1;
      }
    } else {
      try {
        fields = splitLine(t.slice(start, end));
      } catch (err) {
        throw this.error(`line ${this.line}: ${(err as Error).message}`);
      }
    }
    if (fields.length !== this.columns.length) {
      throw this.error(`line ${this.line}: expected ${this.columns.length} columns (${this.columns.join(',')}), found ${fields.length}`);
    }
    return fields;
  }

  /** A DATA_CORRUPT error for the current line (and optionally a column). */
  error(message: string, field?: string): ReturnType<typeof dataCorrupt> {
    return dataCorrupt(this.file, message, field === undefined ? { row: this.line } : { row: this.line, field });
  }

  /** DATA_CORRUPT for a bad value in column `field` of the current line. */
  badField(field: string, value: string, expected: string): ReturnType<typeof dataCorrupt> {
    return dataCorrupt(this.file, `line ${this.line}, column ${field}: ${JSON.stringify(value)} is not ${expected}`, { row: this.line, field, value });
  }
}

function stripCr(s: string): string {
  return s.charCodeAt(s.length - 1) === 13 ? s.slice(0, -1) : s;
}

/**
 * A flat copy of `s`. Substrings of a big text are "sliced strings" in V8 and keep the whole text alive;
 * strings that outlive the parse (map keys, names) go through this so the decompressed file can be freed.
 */
export function detach(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

/** Returns one flat (detached) copy per distinct value. */
export class Interner {
  private readonly map = new Map<string, string>();
  get(s: string): string {
    let v = this.map.get(s);
    if (v === undefined) this.map.set(s, (v = detach(s)));
    return v;
  }
}

const DECIMAL = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Parses a plain decimal number (no whitespace, no hex, no `Infinity`); NaN when not one. */
export function parseDecimal(s: string): number {
  return DECIMAL.test(s) ? Number(s) : Number.NaN;
}

function digits(s: string, start: number, count: number): number {
  let v = 0;
  for (let i = start; i < start + count; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

function validDay(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 && leap ? 29 : (DAYS_IN_MONTH[m - 1] ?? 0));
}

/** Parses `YYYY-MM-DD` to epoch ms at 00:00 UTC; NaN for anything else (including impossible dates). */
export function parseIsoDate(s: string): number {
  if (s.length !== 10 || s[4] !== '-' || s[7] !== '-') return Number.NaN;
  const y = digits(s, 0, 4);
  const m = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  if (y < 0 || !validDay(y, m, d)) return Number.NaN;
  return Date.UTC(y, m - 1, d);
}

/** Parses `YYYY-MM-DDTHH:MM:SSZ` (optionally with `.sss`) to epoch ms; NaN for anything else. */
export function parseIsoTimestamp(s: string): number {
  const n = s.length;
  if ((n !== 20 && n !== 24) || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':' || s[n - 1] !== 'Z') return Number.NaN;
  const day = parseIsoDate(s.slice(0, 10));
  const hh = digits(s, 11, 2);
  const mm = digits(s, 14, 2);
  const ss = digits(s, 17, 2);
  if (Number.isNaN(day) || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59) return Number.NaN;
  let ms = 0;
  if (n === 24) {
    if (s[19] !== '.') return Number.NaN;
    ms = digits(s, 20, 3);
    if (ms < 0) return Number.NaN;
  }
  return day + ((hh * 60 + mm) * 60 + ss) * 1000 + ms;
}
