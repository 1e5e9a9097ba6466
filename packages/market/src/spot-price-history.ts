/**
 * Per-AZ spot price history (`spot-price-history.csv.gz`, 371k price-change records): a compact columnar
 * store per pool (availability zone × instance type) — a sorted Float64Array of epoch ms and a Float64Array
 * of prices — with step-function queries (a price holds until the next change of the same pool).
 *
 * Validation: every row's timestamp and price are checked by fast hand-written parsers (running zod on each of
 * 371k rows would dominate the load time); the few hundred distinct region / AZ / type strings are checked
 * with zod once each. Failures are DATA_CORRUPT naming the file, 1-based line and column.
 */
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { AppError } from '@cloudoptim/contracts';
import { z } from 'zod';
import { CsvReader, detach, parseDecimal, parseIsoTimestamp } from './csv.ts';
import { DATA_FILES, type DataDirOptions, gunzipText, readDataBytes, resolveDataDir, dataCorrupt, utf8Text } from './data-files.ts';
import { RegionSchema } from './on-demand-prices.ts';

/** Columns of spot-price-history.csv.gz, in order. */
export const SPOT_PRICE_HISTORY_COLUMNS = ['timestamp', 'region', 'az', 'instance_type', 'product', 'price_usd_hour'] as const;

const AzSchema = z.string().regex(/^[a-z]{2}(?:-gov)?-[a-z]+-\d+[a-z]$/, 'is not an availability zone name');
const TypeNameSchema = z.string().regex(/^[a-z0-9-]+\.[a-z0-9-]+$/, 'is not an instance type name');

/** One spot pool: an instance type in an availability zone (AZ *name* as seen by the capturing account). */
export interface SpotPool {
  region: string;
  availabilityZone: string;
  instanceType: string;
}

/** One price step: the price in force from `timeMs` until the next step of the same pool. */
export interface PriceStep {
  /** When the price took effect, epoch ms (UTC). */
  timeMs: number;
  /** Spot price, USD per instance-hour (Linux/UNIX). */
  usdPerHour: number;
}

/** The raw columns of one pool, sorted by time (strictly increasing). Do not mutate. */
export interface PoolSeries extends SpotPool {
  /** Epoch ms (UTC) of each price change. */
  timesMs: Float64Array;
  /** USD per hour from the matching `timesMs` on. */
  pricesUsdPerHour: Float64Array;
}

/** What the history covers in one region. */
export interface RegionCoverage {
  region: string;
  /** First / last record time, epoch ms. */
  firstMs: number;
  lastMs: number;
  /** Same, ISO-8601 UTC. */
  first: string;
  last: string;
  poolCount: number;
  recordCount: number;
  availabilityZones: readonly string[];
}

/** A time argument: epoch ms or a Date. */
export type TimeInput = number | Date;

function toMs(t: TimeInput, name: string): number {
  const ms = typeof t === 'number' ? t : t.getTime();
  if (!Number.isFinite(ms)) throw new AppError('VALIDATION_FAILED', `${name} is not a valid time`, { issues: [{ path: name, message: 'not a finite time' }] });
  return ms;
}

/** Index of the first element > t (binary search over a sorted array). */
function upperBound(a: Float64Array, t: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const poolKey = (az: string, type: string): string => `${az}|${type}`;

/** Queries over the loaded spot price history. Immutable once built. */
export class SpotPriceHistory {
  private readonly byKey = new Map<string, PoolSeries>();
  private readonly byRegion = new Map<string, PoolSeries[]>();

  /**
   * @param pools the per-pool series (strictly increasing times)
   * @param recordCount number of price-change records loaded
   * @param skippedRows rows skipped because their product was not `Linux/UNIX`
   */
  constructor(
    pools: readonly PoolSeries[],
    readonly recordCount: number,
    readonly skippedRows = 0,
  ) {
    const sorted = [...pools].sort((a, b) => (a.availabilityZone === b.availabilityZone ? (a.instanceType < b.instanceType ? -1 : 1) : a.availabilityZone < b.availabilityZone ? -1 : 1));
    for (const p of sorted) {
      this.byKey.set(poolKey(p.availabilityZone, p.instanceType), p);
      let list = this.byRegion.get(p.region);
      if (!list) this.byRegion.set(p.region, (list = []));
      list.push(p);
    }
  }

  /** Regions with any history, sorted. */
  regions(): string[] {
    return [...this.byRegion.keys()].sort();
  }

  /** The pools of a region, sorted by AZ then type; `[]` for a region without history. */
  pools(region: string): SpotPool[] {
    return (this.byRegion.get(region) ?? []).map((p) => ({ instanceType: p.instanceType, availabilityZone: p.availabilityZone, region: p.region }));
  }

  /** True when the pool has at least one record. */
  hasPool(availabilityZone: string, instanceType: string): boolean {
    return this.byKey.has(poolKey(availabilityZone, instanceType));
  }

  /** The raw columns of a pool (shared typed arrays: do not mutate), or undefined. */
  pool(availabilityZone: string, instanceType: string): PoolSeries | undefined {
    return this.byKey.get(poolKey(availabilityZone, instanceType));
  }

  /**
   * The spot price in force at `time` (USD/hour): the last change at or before `time`. A price holds until the
   * next change, also across gaps in the capture and after the last record. `undefined` before the pool's
   * first record or for an unknown pool. O(log n).
   * @throws AppError VALIDATION_FAILED when `time` is not a finite time.
   */
  priceAt(availabilityZone: string, instanceType: string, time: TimeInput): number | undefined {
    const t = toMs(time, 'time');
    const p = this.byKey.get(poolKey(availabilityZone, instanceType));
    if (!p) return undefined;
    const i = upperBound(p.timesMs, t) - 1;
    return i < 0 ? undefined : p.pricesUsdPerHour[i];
  }

  /**
   * The price steps of a pool over `[from, to]`: the step in force at `from` (with its original `timeMs`,
   * which may be before `from`) followed by every change with `timeMs <= to`. `[]` for an unknown pool, when
   * `to < from`, or when the first record is after `to`.
   * @throws AppError VALIDATION_FAILED when `from`/`to` are not finite times.
   */
  series(availabilityZone: string, instanceType: string, from: TimeInput, to: TimeInput): PriceStep[] {
    const f = toMs(from, 'from');
    const t = toMs(to, 'to');
    const p = this.byKey.get(poolKey(availabilityZone, instanceType));
    if (!p || t < f) return [];
    const start = Math.max(0, upperBound(p.timesMs, f) - 1);
    const end = upperBound(p.timesMs, t);
    const out: PriceStep[] = [];
    for (let i = start; i < end; i++) out.push({ timeMs: p.timesMs[i] as number, usdPerHour: p.pricesUsdPerHour[i] as number });
    return out;
  }

  /** `series` for every AZ of `region` that has the type, sorted by AZ; AZs without steps in range are omitted. */
  regionSeries(region: string, instanceType: string, from: TimeInput, to: TimeInput): { availabilityZone: string; steps: PriceStep[] }[] {
    const out: { availabilityZone: string; steps: PriceStep[] }[] = [];
    for (const p of this.byRegion.get(region) ?? []) {
      if (p.instanceType !== instanceType) continue;
      const steps = this.series(p.availabilityZone, instanceType, from, to);
      if (steps.length > 0) out.push({ availabilityZone: p.availabilityZone, steps });
    }
    return out;
  }

  /** Per region: first and last record time, pool and record counts, AZs. Sorted by region. */
  coverage(): RegionCoverage[] {
    return this.regions().map((region) => {
      const pools = this.byRegion.get(region) ?? [];
      let firstMs = Infinity;
      let lastMs = -Infinity;
      let recordCount = 0;
      const azs = new Set<string>();
      for (const p of pools) {
        firstMs = Math.min(firstMs, p.timesMs[0] as number);
        lastMs = Math.max(lastMs, p.timesMs[p.timesMs.length - 1] as number);
        recordCount += p.timesMs.length;
        azs.add(p.availabilityZone);
      }
      return { region, firstMs, lastMs, first: new Date(firstMs).toISOString(), last: new Date(lastMs).toISOString(), poolCount: pools.length, recordCount, availabilityZones: [...azs].sort() };
    });
  }
}

/** Options of `loadSpotPriceHistory`. */
export interface LoadSpotPriceHistoryOptions extends DataDirOptions {
  /** Called with (rows parsed, total rows) every 25,000 rows and once at the end; for a progress bar. */
  onProgress?: (done: number, total: number) => void;
}

interface PoolBuilder {
  region: string;
  az: string;
  type: string;
  times: number[];
  prices: number[];
  sorted: boolean;
}

const CHUNK_ROWS = 25_000;

/** Incremental parser, so the async loader can yield between chunks. */
class HistoryParser {
  private readonly csv: CsvReader;
  private readonly builders = new Map<string, Map<string, PoolBuilder>>(); // az → type → builder
  private readonly checked = new Set<string>();
  readonly total: number;
  done = 0;
  records = 0;
  skipped = 0;

  constructor(text: string) {
    this.csv = new CsvReader(DATA_FILES.spotPriceHistory, text, SPOT_PRICE_HISTORY_COLUMNS);
    this.total = this.csv.countRows();
  }

  private check(schema: z.ZodType, field: string, value: string): void {
    const key = `${field}\u0000${value}`;
    if (this.checked.has(key)) return;
    const r = schema.safeParse(value);
    if (!r.success) throw this.csv.badField(field, value, r.error.issues[0]?.message.replace(/^is not /, '') ?? 'valid');
    this.checked.add(key);
  }

  /** Parses up to `maxRows` rows; returns true when the text is exhausted. */
  step(maxRows: number): boolean {
    const csv = this.csv;
    for (let n = 0; n < maxRows; n++) {
      const f = csv.next();
      if (!f) return true;
      this.done++;
      const [ts, region, az, type, product, priceText] = f as [string, string, string, string, string, string];
      const timeMs = parseIsoTimestamp(ts);
      if (Number.isNaN(timeMs)) throw csv.badField('timestamp', ts, 'an ISO-8601 UTC timestamp (YYYY-MM-DDTHH:MM:SSZ)');
      const price = parseDecimal(priceText);
      if (!(price > 0) || !Number.isFinite(price)) throw csv.badField('price_usd_hour', priceText, 'a positive number');
      if (product !== 'Linux/UNIX') {
        if (product === '') throw csv.badField('product', product, 'a product description');
        this.skipped++;
        continue;
      }
      let byType = this.builders.get(az);
      let b = byType?.get(type);
      if (!b) {
        this.check(RegionSchema, 'region', region);
        this.check(AzSchema, 'az', az);
        this.check(TypeNameSchema, 'instance_type', type);
        if (az.slice(0, -1) !== region) throw csv.badField('az', az, `an availability zone of region ${region}`);
        b = { region: detach(region), az: detach(az), type: detach(type), times: [], prices: [], sorted: true };
        if (!byType) this.builders.set(b.az, (byType = new Map()));
        byType.set(b.type, b);
      } else if (b.region !== region) {
        throw csv.badField('region', region, `the region of ${az}`);
      }
      const last = b.times[b.times.length - 1];
      if (last !== undefined && timeMs <= last) b.sorted = false;
      b.times.push(timeMs);
      b.prices.push(price);
      this.records++;
    }
    return false;
  }

  build(): SpotPriceHistory {
    const pools: PoolSeries[] = [];
    for (const b of [...this.builders.values()].flatMap((m) => [...m.values()])) {
      let idx = b.times.map((_, i) => i);
      if (!b.sorted) {
        idx.sort((x, y) => (b.times[x] as number) - (b.times[y] as number) || x - y);
        // Same timestamp twice: the later row wins.
        idx = idx.filter((i, k) => k === idx.length - 1 || b.times[idx[k + 1] as number] !== b.times[i]);
      }
      const timesMs = new Float64Array(idx.length);
      const pricesUsdPerHour = new Float64Array(idx.length);
      idx.forEach((i, k) => {
        timesMs[k] = b.times[i] as number;
        pricesUsdPerHour[k] = b.prices[i] as number;
      });
      pools.push({ region: b.region, availabilityZone: b.az, instanceType: b.type, timesMs, pricesUsdPerHour });
    }
    return new SpotPriceHistory(pools, this.records, this.skipped);
  }
}

/**
 * Loads spot-price-history.csv.gz asynchronously (gunzip off the main thread, parsing in chunks that yield
 * to the event loop), reporting progress through `onProgress(done, total)` in rows.
 * @throws AppError DATA_CORRUPT (file, 1-based line, column) on a bad gzip stream, header, column count,
 *   timestamp, price, region/AZ/type name.
 */
export async function loadSpotPriceHistory(options: LoadSpotPriceHistoryOptions = {}): Promise<SpotPriceHistory> {
  const file = DATA_FILES.spotPriceHistory;
  const bytes = readDataBytes(resolveDataDir(options), file);
  let raw: Buffer;
  try {
    raw = await promisify(gunzip)(bytes);
  } catch (err) {
    throw dataCorrupt(file, `not a valid gzip stream (${(err as Error).message}); the file is truncated or corrupt`, {}, err);
  }
  const parser = new HistoryParser(utf8Text(file, raw));
  options.onProgress?.(0, parser.total);
  while (!parser.step(CHUNK_ROWS)) {
    options.onProgress?.(parser.done, parser.total);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  options.onProgress?.(parser.done, parser.total);
  return parser.build();
}

/** Synchronous variant of `loadSpotPriceHistory` (blocks the event loop for the whole parse, ~0.5 s). */
export function loadSpotPriceHistorySync(options: LoadSpotPriceHistoryOptions = {}): SpotPriceHistory {
  const file = DATA_FILES.spotPriceHistory;
  const parser = new HistoryParser(gunzipText(file, readDataBytes(resolveDataDir(options), file)));
  options.onProgress?.(0, parser.total);
  while (!parser.step(CHUNK_ROWS)) options.onProgress?.(parser.done, parser.total);
  options.onProgress?.(parser.done, parser.total);
  return parser.build();
}
