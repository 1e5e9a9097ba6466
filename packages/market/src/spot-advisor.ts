/**
 * AWS Spot Instance Advisor data: the interruption-frequency buckets, the latest snapshot
 * (`spot-advisor-latest.json`, 2025-06-28) and the 14-snapshot history (`spot-advisor-history.csv.gz`).
 * Linux entries only.
 */
import { z } from 'zod';
import { CsvReader, Interner, parseDecimal, parseIsoDate } from './csv.ts';
import { DATA_FILES, dataCorrupt, loadJsonFile, readGzipText } from './data-files.ts';
import { RegionSchema } from './on-demand-prices.ts';

/** Spot Advisor interruption bucket index: 0 `<5%` … 4 `>20%`. */
export type InterruptionBucket = 0 | 1 | 2 | 3 | 4;

/** Spot Advisor bucket label as AWS shows it. */
export type InterruptionLabel = '<5%' | '5-10%' | '10-15%' | '15-20%' | '>20%';

/** One row of the interruption bucket table. Rates are fractions of instances interrupted per month. */
export interface InterruptionBucketInfo {
  bucket: InterruptionBucket;
  label: InterruptionLabel;
  /** Lower bound of the bucket, fraction per month (0.05 = 5%). */
  minRate: number;
  /** Upper bound, fraction per month; `null` for the open-ended `>20%` bucket. */
  maxRate: number | null;
  /** Representative rate, fraction per month: the bucket midpoint. */
  midpointRate: number;
  /** True when `midpointRate` is an assumption rather than a midpoint of published bounds. */
  midpointAssumed: boolean;
}

/**
 * The Spot Advisor interruption-frequency buckets ("frequency of interruption" over the last month, AWS's
 * definition), bucket → label and a representative monthly interruption rate for the engines.
 * The `>20%` bucket has no published upper bound (the feed's `max: 100` is a display cap), so its
 * `midpointRate` of 0.25 is an assumption (`midpointAssumed: true`).
 */
export const INTERRUPTION_BUCKETS: readonly InterruptionBucketInfo[] = Object.freeze([
  Object.freeze({ bucket: 0, label: '<5%', minRate: 0, maxRate: 0.05, midpointRate: 0.025, midpointAssumed: false }),
  Object.freeze({ bucket: 1, label: '5-10%', minRate: 0.05, maxRate: 0.1, midpointRate: 0.075, midpointAssumed: false }),
  Object.freeze({ bucket: 2, label: '10-15%', minRate: 0.1, maxRate: 0.15, midpointRate: 0.125, midpointAssumed: false }),
  Object.freeze({ bucket: 3, label: '15-20%', minRate: 0.15, maxRate: 0.2, midpointRate: 0.175, midpointAssumed: false }),
  Object.freeze({ bucket: 4, label: '>20%', minRate: 0.2, maxRate: null, midpointRate: 0.25, midpointAssumed: true }),
] as const satisfies readonly InterruptionBucketInfo[]);

/** The table row of a bucket index. */
export function interruptionBucketInfo(bucket: InterruptionBucket): InterruptionBucketInfo {
  return INTERRUPTION_BUCKETS[bucket] as InterruptionBucketInfo;
}

/** The Spot Advisor's view of one instance type in one region on one snapshot date. */
export interface SpotAdvisorEntry {
  /** 0 `<5%` … 4 `>20%` (see INTERRUPTION_BUCKETS). */
  interruptionBucket: InterruptionBucket;
  interruptionLabel: InterruptionLabel;
  /** Saving of Spot vs on-demand as AWS shows it, percent (may be negative: one published value is -62). */
  savingsPct: number;
  /** Snapshot (capture) date, `YYYY-MM-DD`. */
  snapshotDate: string;
}

const BucketSchema = z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4)]);
const TypeNameSchema = z.string().regex(/^[a-z0-9-]+\.[a-z0-9-]+$/, 'expected <family>.<size>');

/** Schema of spot-advisor-latest.json (Linux-only copy of the AWS feed). */
export const SpotAdvisorLatestFileSchema = z.object({
  snapshot_date: z.iso.date(),
  note: z.string().optional(),
  global_rate: z.string().optional(),
  ranges: z
    .array(z.object({ index: BucketSchema, label: z.string(), dots: z.number(), max: z.number() }))
    .length(5)
    .refine((rs) => rs.every((r, i) => r.index === i && r.label === INTERRUPTION_BUCKETS[i]?.label), {
      message: `ranges must be the 5 buckets ${INTERRUPTION_BUCKETS.map((b) => b.label).join(' ')} in order`,
    }),
  instance_types: z.record(TypeNameSchema, z.object({ cores: z.number().nonnegative(), emr: z.boolean(), ram_gb: z.number().nonnegative() })),
  spot_advisor: z.record(RegionSchema, z.object({ Linux: z.record(TypeNameSchema, z.object({ r: BucketSchema, s: z.number().min(-1000).max(100) })) })),
});

/** region → instance type → entry. */
export type SpotAdvisorIndex = ReadonlyMap<string, ReadonlyMap<string, SpotAdvisorEntry>>;

/** The latest Spot Advisor snapshot. */
export interface SpotAdvisorLatest {
  /** `YYYY-MM-DD`. */
  snapshotDate: string;
  /** region → type → entry (frozen). */
  byRegion: SpotAdvisorIndex;
}

function entry(bucket: InterruptionBucket, savingsPct: number, snapshotDate: string): SpotAdvisorEntry {
  return Object.freeze({ interruptionBucket: bucket, interruptionLabel: interruptionBucketInfo(bucket).label, savingsPct, snapshotDate });
}

/**
 * Loads and validates spot-advisor-latest.json.
 * @throws AppError DATA_CORRUPT (file, JSON path).
 */
export function loadSpotAdvisorLatest(dataDir: string): SpotAdvisorLatest {
  const f = loadJsonFile(dataDir, DATA_FILES.spotAdvisorLatest, SpotAdvisorLatestFileSchema);
  const byRegion = new Map<string, Map<string, SpotAdvisorEntry>>();
  for (const [region, { Linux }] of Object.entries(f.spot_advisor)) {
    const m = new Map<string, SpotAdvisorEntry>();
    for (const [type, v] of Object.entries(Linux)) m.set(type, entry(v.r, v.s, f.snapshot_date));
    byRegion.set(region, m);
  }
  return { snapshotDate: f.snapshot_date, byRegion };
}

/** Columns of spot-advisor-history.csv.gz, in order. */
export const SPOT_ADVISOR_HISTORY_COLUMNS = ['date', 'region', 'instance_type', 'interruption_bucket', 'savings_pct'] as const;

/** Per-column zod schemas of spot-advisor-history.csv.gz. */
const HISTORY_FIELD_SCHEMAS: Record<(typeof SPOT_ADVISOR_HISTORY_COLUMNS)[number], z.ZodType> = {
  date: z.string().refine((s) => !Number.isNaN(parseIsoDate(s)), 'is not a YYYY-MM-DD date'),
  region: RegionSchema,
  instance_type: TypeNameSchema,
  interruption_bucket: z.enum(['0', '1', '2', '3', '4'], 'is not a bucket 0..4'),
  savings_pct: z.string().refine((s) => Number.isFinite(parseDecimal(s)) && Math.abs(parseDecimal(s)) <= 1000, 'is not a percentage'),
};

/** All Spot Advisor snapshots: region → type → entries sorted by date ascending. */
export interface SpotAdvisorHistory {
  /** Snapshot dates present, ascending, `YYYY-MM-DD`. */
  dates: readonly string[];
  byRegion: ReadonlyMap<string, ReadonlyMap<string, readonly SpotAdvisorEntry[]>>;
}

/**
 * Loads and validates spot-advisor-history.csv.gz (103,608 rows; every value is checked with zod).
 * @throws AppError DATA_CORRUPT (file, 1-based line, column) on bad gzip, header, column count or value,
 *   or a duplicate (date, region, type).
 */
export function loadSpotAdvisorHistory(dataDir: string): SpotAdvisorHistory {
  const file = DATA_FILES.spotAdvisorHistory;
  const csv = new CsvReader(file, readGzipText(dataDir, file), SPOT_ADVISOR_HISTORY_COLUMNS);
  const byRegion = new Map<string, Map<string, SpotAdvisorEntry[]>>();
  const dates = new Set<string>();
  // Every distinct value of every column is validated with zod once (the 103k rows hold ~1,000 distinct values).
  const valid = new Set<string>();
  const intern = new Interner(); // keep no substring of the decompressed text alive
  for (let f = csv.next(); f; f = csv.next()) {
    for (let c = 0; c < SPOT_ADVISOR_HISTORY_COLUMNS.length; c++) {
      const value = f[c] as string;
      const key = `${c}\u0000${value}`;
      if (valid.has(key)) continue;
      const field = SPOT_ADVISOR_HISTORY_COLUMNS[c] as (typeof SPOT_ADVISOR_HISTORY_COLUMNS)[number];
      const r = HISTORY_FIELD_SCHEMAS[field].safeParse(value);
      if (!r.success) throw dataCorrupt(file, `line ${csv.line}, column ${field}: ${JSON.stringify(value)} ${r.error.issues[0]?.message ?? 'is invalid'}`, { row: csv.line, field, value });
      valid.add(key);
    }
    const [rawDate, rawRegion, rawType, bucket, savings] = f as [string, string, string, string, string];
    const date = intern.get(rawDate);
    const region = intern.get(rawRegion);
    const type = intern.get(rawType);
    let types = byRegion.get(region);
    if (!types) byRegion.set(region, (types = new Map()));
    let list = types.get(type);
    if (!list) types.set(type, (list = []));
    if (list.some((e) => e.snapshotDate === date)) throw csv.error(`line ${csv.line}: duplicate row for ${date} ${region} ${type}`);
    list.push(entry(Number(bucket) as InterruptionBucket, Number(savings), date));
    dates.add(date);
  }
  for (const types of byRegion.values()) for (const list of types.values()) list.sort((a, b) => (a.snapshotDate < b.snapshotDate ? -1 : 1));
  return { dates: [...dates].sort(), byRegion };
}
