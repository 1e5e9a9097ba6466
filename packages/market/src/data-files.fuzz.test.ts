/**
 * The market data files, corrupted at random and loaded through the real loaders from a temp data directory
 * (the other files linked from the shipped one). Each corruption is one that surely breaks the file: truncated,
 * not gzip, empty, a byte that is not UTF-8, a value of the wrong type, a negative or non-numeric price, a column
 * renamed, a row cut short. Property: loading fails with AppError DATA_CORRUPT whose message starts with the file
 * name and whose details name it — never a TypeError or RangeError from inside, never a silently loaded file.
 * (corrupt-data.test.ts pins the exact messages of fixed cases.)
 *
 * FUZZ_RUNS sets the corruptions per file (default 6); FUZZ_SEED replays a run.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isAppError } from '@cloudoptim/contracts';
import { DATA_FILES, defaultDataDir, loadMarket, loadSpotPriceHistory, loadSpotPriceHistorySync } from './index.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 6);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const FC = { numRuns: RUNS, endOnFailure: true, ...(SEED !== undefined && { seed: SEED }) };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A data directory whose `file` holds `bytes`; every other file links to the shipped one. */
function dataDirWith(file: string, bytes: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'market-fuzz-'));
  dirs.push(dir);
  for (const f of Object.values(DATA_FILES)) if (f !== file) symlinkSync(join(defaultDataDir(), f), join(dir, f));
  writeFileSync(join(dir, file), bytes);
  return dir;
}

/** The problem with what loading did (undefined: it failed as it must). */
function problemWith(file: string, what: string, load: () => unknown): string | undefined {
  try {
    load();
    return `${what}: loaded without an error`;
  } catch (error) {
    if (!isAppError(error)) return `${what}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
    if (error.code !== 'DATA_CORRUPT' || !error.message.startsWith(`${file}: `) || (error.details as { file?: unknown } | null)?.file !== file) return `${what}: ${error.code} ${error.message.slice(0, 200)}`;
    return undefined;
  }
}

/** Paths of a JSON document: every field of the top two levels, and a sample deeper down (big files). */
function samplePaths(doc: Json, limit = 5000): { path: Path; value: Json }[] {
  const out: { path: Path; value: Json }[] = [];
  const walk = (v: Json, path: Path) => {
    if (out.length >= limit) return;
    if (path.length > 0) out.push({ path, value: v });
    // Arrays: a few items spread over the whole list; objects: a few keys spread over the whole map.
    if (Array.isArray(v)) for (const i of spread(v.length)) walk(v[i] as Json, [...path, i]);
    else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      for (const i of spread(keys.length)) walk(v[keys[i] as string] as Json, [...path, keys[i] as string]);
    }
  };
  walk(doc, []);
  return out;
}
const spread = (n: number) => [...new Set([0, 1, Math.floor(n / 3), Math.floor(n / 2), n - 1].filter((i) => i >= 0 && i < n))];

function withValue(doc: Json, path: Path, value: Json | undefined): Json {
  const copy = structuredClone(doc);
  let parent = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const last = path[path.length - 1] as string | number;
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return copy;
}

const typeOf = (v: Json) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** A value of another JSON type than `v` (null excepted where null could be meant as "none"). */
const otherType = (v: Json): fc.Arbitrary<Json> =>
  fc.constantFrom<Json>('x', 'NaN', 7, true, [], {}).filter((w) => typeOf(w) !== typeOf(v));

/**
 * Fields that are documentation, not data: `meta` (provenance, counts) and the Spot Advisor feed's free text.
 * Loaders may ignore them, so changing them breaks nothing.
 */
const DOCUMENTATION = new Set(['meta', 'note']);
/** Numbers that may be negative: Spot Advisor savings (`s`, below on-demand at times) and the feed's display hints. */
const SIGNED = new Set(['s', 'dots', 'max']);

/** Corruptions of a JSON data file that surely break it. */
function jsonCorruption(text: string): fc.Arbitrary<{ what: string; bytes: Buffer }> {
  const doc = JSON.parse(text) as Json;
  const paths = samplePaths(doc).filter((p) => !DOCUMENTATION.has(String(p.path[0])));
  const numbers = paths.filter((p) => typeof p.value === 'number');
  const unsigned = numbers.filter((p) => !SIGNED.has(String(p.path[p.path.length - 1])));
  const leaves = paths.filter((p) => p.value === null || typeof p.value !== 'object');
  const pick = <T>(list: T[]) => fc.nat(list.length - 1).map((i) => list[i] as T);
  const json = (d: Json) => Buffer.from(JSON.stringify(d));
  return fc.oneof(
    fc.integer({ min: 0, max: text.trimEnd().length - 1 }).map((n) => ({ what: `truncated to ${n} bytes`, bytes: Buffer.from(text.slice(0, n)) })),
    fc.constant({ what: 'empty', bytes: Buffer.alloc(0) }),
    // A value's type changed: the leaves the loaders read (every field of a record is read).
    pick(leaves).chain(({ path, value }) => otherType(value).map((v) => ({ what: `${path.join('.')}: ${typeOf(value)} → ${JSON.stringify(v)}`, bytes: json(withValue(doc, path, v)) }))),
    fc.tuple(pick(unsigned), fc.constantFrom(-1, -0.001, -1e9)).map(([{ path, value }, v]) => ({ what: `${path.join('.')}: ${String(value)} → ${v}`, bytes: json(withValue(doc, path, v)) })),
    fc.tuple(pick(numbers), fc.constantFrom('NaN', 'Infinity', '1e999')).map(([{ path }, token]) => ({ what: `${path.join('.')} → ${token}`, bytes: Buffer.from(JSON.stringify(withValue(doc, path, '@@T@@')).replace('"@@T@@"', token)) })),
    // A byte that is never UTF-8 (0xFE, 0xFF, a lone continuation byte, an overlong lead): a lenient decoder
    // would load U+FFFD into a name or key that is not in the file.
    fc.tuple(fc.nat(text.length - 1), fc.constantFrom(0xff, 0xc0, 0x80, 0xfe)).map(([at, byte]) => {
      const bytes = Buffer.from(text);
      bytes[at] = byte;
      return { what: `byte 0x${byte.toString(16)} at ${at}`, bytes };
    }),
  );
}

/**
 * Corruptions of a gzipped CSV data file that surely break it (`numeric`: columns that must be numbers;
 * `unsigned`: those that cannot be negative).
 */
function csvCorruption(gz: Buffer, numeric: number[], unsigned: number[]): fc.Arbitrary<{ what: string; bytes: Buffer }> {
  const text = gunzipSync(gz).toString('utf8');
  const lines = text.split('\n');
  const rows = lines.length - (lines[lines.length - 1] === '' ? 2 : 1);
  const edit = (f: (ls: string[]) => void) => {
    const copy = lines.slice();
    f(copy);
    return gzipSync(copy.join('\n'), { level: 1 });
  };
  const row = fc.integer({ min: 2, max: rows + 1 });
  return fc.oneof(
    fc.integer({ min: 10, max: gz.length - 10 }).map((n) => ({ what: `gzip truncated to ${n} bytes`, bytes: gz.subarray(0, n) })),
    fc.constantFrom({ what: 'empty', bytes: Buffer.alloc(0) }, { what: 'not gzip', bytes: Buffer.from(text.slice(0, 1000)) }, { what: 'gzip of nothing', bytes: gzipSync('') }),
    fc.tuple(fc.nat((lines[0] as string).split(',').length - 1), fc.constantFrom('price', 'x', '', 'TIMESTAMP')).map(([col, name]) => ({ what: `header column ${col} → ${JSON.stringify(name)}`, bytes: edit((ls) => { const h = (ls[0] as string).split(','); h[col] = name; ls[0] = h.join(','); }) })),
    fc.oneof(
      fc.tuple(row, fc.constantFrom(...numeric), fc.constantFrom('abc', '', 'NaN', 'Infinity', '1e999', '0x10', '1,5', '1.2.3')),
      fc.tuple(row, fc.constantFrom(...unsigned), fc.constantFrom('-1', '-0.5', '-0')),
    ).map(([line, col, value]) => ({ what: `line ${line} column ${col} → ${JSON.stringify(value)}`, bytes: edit((ls) => { const f = (ls[line - 1] as string).split(','); f[col] = value; ls[line - 1] = f.join(','); }) })),
    row.map((line) => ({ what: `line ${line} cut short`, bytes: edit((ls) => { ls[line - 1] = (ls[line - 1] as string).split(',').slice(0, 2).join(','); }) })),
    fc.tuple(row, fc.constantFrom(0xff, 0xc0, 0xfe)).map(([line, byte]) => ({
      what: `byte 0x${byte.toString(16)} in line ${line}`,
      bytes: gzipSync(Buffer.concat([Buffer.from(lines.slice(0, line - 1).join('\n') + '\n' + (lines[line - 1] as string).slice(0, 12)), Buffer.from([byte]), Buffer.from((lines[line - 1] as string).slice(12) + '\n' + lines.slice(line).join('\n'))]), { level: 1 }),
    })),
  );
}

describe('market data files under fuzzing', () => {
  const shipped = (file: string) => readFileSync(join(defaultDataDir(), file));

  // Found by this suite: bytes that are not UTF-8 were decoded to U+FFFD and loaded as part of a name or key.
  it('refuses a byte that is not UTF-8 in an instance type name, naming the file and the byte', async () => {
    const file = DATA_FILES.instanceTypes;
    const text = shipped(file);
    const at = text.indexOf('"m5.large"') + 2;
    const bytes = Buffer.from(text);
    bytes[at] = 0xff;
    const dir = dataDirWith(file, bytes);
    expect(problemWith(file, 'byte 0xff in "m5.large"', () => loadMarket({ dataDir: dir, cache: false }))).toBeUndefined();
    const gz = dataDirWith(DATA_FILES.spotPriceHistory, gzipSync(Buffer.concat([gunzipSync(shipped(DATA_FILES.spotPriceHistory)).subarray(0, 200), Buffer.from([0xc0, 0x80]), Buffer.from('\n')])));
    await expect(loadSpotPriceHistory({ dataDir: gz })).rejects.toMatchObject({ code: 'DATA_CORRUPT', message: expect.stringMatching(/^spot-price-history\.csv\.gz: not valid UTF-8 near byte 200/) });
  });

  it.each([DATA_FILES.instanceTypes, DATA_FILES.onDemandPrices, DATA_FILES.onDemandPricesKarpenter, DATA_FILES.spotAdvisorLatest])('refuses a corrupted %s with DATA_CORRUPT naming it', (file) => {
    fc.assert(
      fc.property(jsonCorruption(shipped(file).toString('utf8')), ({ what, bytes }) => {
        const dir = dataDirWith(file, bytes);
        expect(problemWith(file, what, () => loadMarket({ dataDir: dir, cache: false }))).toBeUndefined();
        rmSync(dir, { recursive: true, force: true });
      }),
      FC,
    );
  }, 60_000);

  it('refuses a corrupted spot-advisor-history.csv.gz on first use', () => {
    const file = DATA_FILES.spotAdvisorHistory;
    fc.assert(
      fc.property(csvCorruption(shipped(file), [3, 4], [3]), ({ what, bytes }) => {
        const dir = dataDirWith(file, bytes);
        expect(problemWith(file, what, () => loadMarket({ dataDir: dir, cache: false }).spotAdvisorHistoryDates())).toBeUndefined();
        rmSync(dir, { recursive: true, force: true });
      }),
      FC,
    );
  }, 60_000);

  it('refuses a corrupted spot-price-history.csv.gz', () => {
    const file = DATA_FILES.spotPriceHistory;
    fc.assert(
      fc.property(csvCorruption(shipped(file), [5], [5]), ({ what, bytes }) => {
        const dir = dataDirWith(file, bytes);
        expect(problemWith(file, what, () => loadSpotPriceHistorySync({ dataDir: dir }))).toBeUndefined();
        rmSync(dir, { recursive: true, force: true });
      }),
      { ...FC, numRuns: Math.max(2, Math.ceil(RUNS / 2)) },
    );
  }, 60_000);
});
