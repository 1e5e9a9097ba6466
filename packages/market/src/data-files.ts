/**
 * Where the market data lives and how a file is read: resolution of the data directory, raw reads,
 * gunzip and JSON parsing, and the translation of every failure into `AppError('DATA_CORRUPT')`
 * naming the file and the place (JSON path, or line/column for a syntax error).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { AppError } from '@cloudoptim/contracts';
import type { z } from 'zod';

/** File names of the data set (see data/PROVENANCE.md for each one's source and format). */
export const DATA_FILES = {
  instanceTypes: 'instance-types.json',
  onDemandPrices: 'on-demand-prices.json',
  onDemandPricesKarpenter: 'on-demand-prices-karpenter.json',
  spotAdvisorLatest: 'spot-advisor-latest.json',
  spotAdvisorHistory: 'spot-advisor-history.csv.gz',
  spotPriceHistory: 'spot-price-history.csv.gz',
} as const;

/** Options shared by every loader. */
export interface DataDirOptions {
  /** Directory holding the data files. Default: the package's own `data/` folder. */
  dataDir?: string;
}

/** The package's own `data/` directory (absolute path), resolved from this module's URL. */
export function defaultDataDir(): string {
  return fileURLToPath(new URL('../data/', import.meta.url));
}

/** `options.dataDir` (made absolute) or the package default. */
export function resolveDataDir(options?: DataDirOptions): string {
  return options?.dataDir === undefined ? defaultDataDir() : resolve(options.dataDir);
}

/** A DATA_CORRUPT error whose message starts with the file name; `details` always holds `file`. */
export function dataCorrupt(file: string, message: string, details: Record<string, unknown> = {}, cause?: unknown): AppError {
  return new AppError('DATA_CORRUPT', `${file}: ${message}`, { file, ...details }, cause === undefined ? undefined : { cause });
}

/** Reads a file as bytes; a missing or unreadable file is DATA_CORRUPT (the data set is incomplete). */
export function readDataBytes(dataDir: string, file: string): Buffer {
  try {
    return readFileSync(join(dataDir, file));
  } catch (err) {
    throw dataCorrupt(file, `cannot read ${join(dataDir, file)} (${(err as Error).message})`, {}, err);
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a data file's bytes as UTF-8; bytes that are not UTF-8 are DATA_CORRUPT (a lenient decode would
 * load U+FFFD into names and labels: a silently wrong value instead of an error).
 */
export function utf8Text(file: string, bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch (err) {
    let valid = 0;
    // Where it breaks, for the message: the longest prefix that decodes (bisection, O(n log n)).
    for (let lo = 0, hi = bytes.length; lo < hi; ) {
      const mid = Math.ceil((lo + hi) / 2);
      if (decodes(bytes.subarray(0, mid))) lo = valid = mid;
      else hi = mid - 1;
    }
    throw dataCorrupt(file, `not valid UTF-8 near byte ${valid}`, { row: `byte ${valid}` }, err);
  }
}

function decodes(bytes: Uint8Array): boolean {
  try {
    // A prefix may end inside a character: streaming mode keeps the tail instead of failing on it.
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** Gunzips bytes read from `file` into UTF-8 text; a truncated or non-gzip file, or one not UTF-8, is DATA_CORRUPT. */
export function gunzipText(file: string, bytes: Buffer): string {
  let raw: Buffer;
  try {
    raw = gunzipSync(bytes);
  } catch (err) {
    throw dataCorrupt(file, `not a valid gzip stream (${(err as Error).message}); the file is truncated or corrupt`, {}, err);
  }
  return utf8Text(file, raw);
}

/** Reads and gunzips a `.gz` data file. */
export function readGzipText(dataDir: string, file: string): string {
  return gunzipText(file, readDataBytes(dataDir, file));
}

/** 1-based line and column of a character offset in `text`. */
function lineColumn(text: string, position: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < position; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: position - lineStart + 1 };
}

/** Parses JSON text; a syntax error is DATA_CORRUPT with the line/column (when the engine reports a position). */
export function parseJsonText(file: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const where = pos ? lineColumn(text, Number(pos[1])) : /end of JSON input/.test(msg) ? lineColumn(text, text.length) : undefined;
    const row = where ? `line ${where.line}, column ${where.column}` : 'unknown position';
    throw dataCorrupt(file, `invalid JSON at ${row} (${msg})`, { row, ...(where ?? {}) }, err);
  }
}

/** Formats a zod issue path as a JSON path: `$.instance_types[12].vcpu`, `$.prices["us-east-1"]["m5.large"]`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) out += `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/**
 * Validates a parsed JSON document with `schema`. On failure: DATA_CORRUPT whose message names the file and
 * the JSON path of the first issue; `details = {file, row: <JSON path>, path, field, issues}`.
 */
export function validateJson<S extends z.ZodType>(file: string, schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 10).map((i) => ({ path: jsonPath(i.path), message: i.message }));
  const first = result.error.issues[0];
  const path = first ? jsonPath(first.path) : '$';
  const last = first?.path[first.path.length - 1];
  const field = typeof last === 'string' ? last : undefined;
  const more = result.error.issues.length > 1 ? ` (+${result.error.issues.length - 1} more issues)` : '';
  throw dataCorrupt(file, `invalid value at ${path}: ${first?.message ?? 'invalid'}${more}`, { row: path, path, field, issues });
}

/** Reads, parses and validates a JSON data file. */
export function loadJsonFile<S extends z.ZodType>(dataDir: string, file: string, schema: S): z.output<S> {
  const text = utf8Text(file, readDataBytes(dataDir, file));
  return validateJson(file, schema, parseJsonText(file, text));
}
