/**
 * Gap analysis: which days of which spot price series (region × AZ × instance type, Linux/UNIX) neither the
 * ML server's store nor the shipped market data covers, over the window the model needs.
 *
 * Window: from the earlier of the active model's `trained_until` and now − `lookback_days` (default 15), at
 * UTC day granularity, to now. A day is covered when the store holds a point on it (an observed change or a
 * carried-forward price) or it lies within the shipped history of that pool's region. Days older than EC2's
 * 90-day retention cannot be fetched (`fetchable: false`): DescribeSpotPriceHistory no longer has them.
 *
 * Series considered: the requested types × zones; without types, every series the store or the shipped data
 * knows in the region (filtered by the requested zones).
 */
import { z } from 'zod';
import { AppError, AvailabilityZoneSchema, AwsRegionSchema, InstanceTypeSchema } from '@cloudoptim/contracts';
import type { SpotPriceHistory } from '@cloudoptim/market';
import type { Cache } from '../cache/cache.ts';
import { DAY_MS, type SeriesKey, type SpotPricesRepository } from '../store/spot-prices.repository.ts';

/** EC2 keeps 90 days of spot price history. */
export const EC2_RETENTION_DAYS = 90;
export const DEFAULT_LOOKBACK_DAYS = 15;
const COVERAGE_TTL_SECONDS = 300;

export const GapScopeSchema = z
  .object({
    region: AwsRegionSchema,
    instance_types: z.array(InstanceTypeSchema).min(1).max(200).optional(),
    availability_zones: z.array(AvailabilityZoneSchema).min(1).max(30).optional(),
    /** The window reaches at least this many days back (more when the model's training ended earlier). */
    lookback_days: z.number().int().min(1).max(365).default(DEFAULT_LOOKBACK_DAYS),
  })
  .strict()
  .superRefine((s, ctx) => {
    s.availability_zones?.forEach((az, i) => {
      if (!az.startsWith(s.region)) ctx.addIssue({ code: 'custom', path: ['availability_zones', i], message: `${az} is not a zone of ${s.region}` });
    });
  });
export type GapScope = z.output<typeof GapScopeSchema>;

export interface MissingRange {
  from: string;
  to: string;
  days: number;
  fetchable: boolean;
}

export interface SeriesGaps {
  availability_zone: string;
  instance_type: string;
  covered_days: number;
  missing_days: number;
  ranges: MissingRange[];
}

export interface GapAnalysis {
  region: string;
  window: { from: string; to: string; lookback_days: number; model_version: string | null; trained_until: string | null; fetchable_from: string };
  series_total: number;
  series_with_gaps: number;
  missing_days: number;
  fetchable_missing_days: number;
  /** Only the series with a gap. */
  series: SeriesGaps[];
}

export interface GapAnalysisDeps {
  prices: SpotPricesRepository;
  shipped: () => Promise<SpotPriceHistory>;
  cache: Cache;
}

const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);
const iso = (ms: number): string => new Date(ms).toISOString();

/** Cache key prefix of a region's stored coverage (the filler drops it after writing there). */
export const coverageCachePrefix = (region: string): string => `market:coverage:${region}:`;

async function storeCoverage(deps: GapAnalysisDeps, region: string, fromDay: number, toDay: number, useCache: boolean): Promise<Map<string, Set<number>>> {
  const key = `${coverageCachePrefix(region)}${fromDay}:${toDay}`;
  const cached = useCache ? await deps.cache.get(key) : undefined;
  if (cached) return new Map(Object.entries(JSON.parse(cached) as Record<string, number[]>).map(([k, days]) => [k, new Set(days)]));
  const coverage = await deps.prices.coveredDays(region, fromDay * DAY_MS, (toDay + 1) * DAY_MS - 1);
  await deps.cache.set(key, JSON.stringify(Object.fromEntries([...coverage].map(([k, days]) => [k, [...days]]))), COVERAGE_TTL_SECONDS);
  return coverage;
}

/**
 * Analyses the gaps of `scope` at `nowMs`. `model` is the active model (its training end widens the window).
 * `useCache: false` reads the store directly (the filler plans from fresh data).
 * @throws AppError UNPROCESSABLE when types are named but no zone of the region is known (give availability_zones).
 */
export async function analyseGaps(deps: GapAnalysisDeps, scope: GapScope, nowMs: number, model: { version: string; trainedUntil: string | null } | null, useCache = true): Promise<GapAnalysis> {
  const lookbackStart = nowMs - scope.lookback_days * DAY_MS;
  const trainedUntilMs = model?.trainedUntil ? Date.parse(`${model.trainedUntil}T00:00:00Z`) : Number.POSITIVE_INFINITY;
  const fromDay = dayOf(Math.min(lookbackStart, trainedUntilMs));
  const toDay = dayOf(nowMs);
  const fetchableFromDay = Math.ceil((nowMs - EC2_RETENTION_DAYS * DAY_MS) / DAY_MS);

  const shipped = await deps.shipped();
  const coverage = shipped.coverage().find((c) => c.region === scope.region);
  const shippedDays = coverage ? { from: dayOf(coverage.firstMs), to: dayOf(coverage.lastMs) } : null;
  const known: SeriesKey[] = [...shipped.pools(scope.region), ...(await deps.prices.series(scope.region))];
  const series = seriesInScope(scope, known);

  const stored = await storeCoverage(deps, scope.region, fromDay, toDay, useCache);
  const out: SeriesGaps[] = [];
  let missingTotal = 0;
  let fetchableTotal = 0;
  for (const s of series) {
    const days = stored.get(`${s.availabilityZone}|${s.instanceType}`);
    const inShipped = shippedDays !== null && shipped.hasPool(s.availabilityZone, s.instanceType);
    const isCovered = (d: number) => (days?.has(d) ?? false) || (inShipped && shippedDays !== null && d >= shippedDays.from && d <= shippedDays.to);
    const { ranges, covered } = missingRanges(fromDay, toDay, isCovered, fetchableFromDay, nowMs);
    if (ranges.length === 0) continue;
    const missing = ranges.reduce((n, r) => n + r.days, 0);
    missingTotal += missing;
    fetchableTotal += ranges.filter((r) => r.fetchable).reduce((n, r) => n + r.days, 0);
    out.push({ availability_zone: s.availabilityZone, instance_type: s.instanceType, covered_days: covered, missing_days: missing, ranges });
  }
  return {
    region: scope.region,
    window: { from: iso(fromDay * DAY_MS), to: iso(nowMs), lookback_days: scope.lookback_days, model_version: model?.version ?? null, trained_until: model?.trainedUntil ?? null, fetchable_from: iso(Math.max(fromDay, fetchableFromDay) * DAY_MS) },
    series_total: series.length,
    series_with_gaps: out.length,
    missing_days: missingTotal,
    fetchable_missing_days: fetchableTotal,
    series: out,
  };
}

/** Runs of uncovered days in [fromDay, toDay], split where they become fetchable. */
function missingRanges(fromDay: number, toDay: number, isCovered: (day: number) => boolean, fetchableFromDay: number, nowMs: number): { ranges: MissingRange[]; covered: number } {
  const ranges: MissingRange[] = [];
  let covered = 0;
  let start = -1;
  const close = (end: number) => {
    if (start < 0) return;
    ranges.push({ from: iso(start * DAY_MS), to: iso(Math.min((end + 1) * DAY_MS, nowMs)), days: end - start + 1, fetchable: start >= fetchableFromDay });
    start = -1;
  };
  for (let d = fromDay; d <= toDay; d++) {
    if (isCovered(d)) {
      covered++;
      close(d - 1);
    } else if (start < 0) start = d;
    else if (d === fetchableFromDay) {
      close(d - 1);
      start = d;
    }
  }
  close(toDay);
  return { ranges, covered };
}

function seriesInScope(scope: GapScope, known: readonly SeriesKey[]): SeriesKey[] {
  const zones = scope.availability_zones ?? [...new Set(known.map((k) => k.availabilityZone))].sort();
  const zoneSet = new Set(zones);
  const seen = new Set<string>();
  const out: SeriesKey[] = [];
  const add = (s: SeriesKey) => {
    const key = `${s.availabilityZone}|${s.instanceType}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(s);
  };
  if (!scope.instance_types) {
    for (const s of known) if (zoneSet.has(s.availabilityZone)) add(s);
  } else {
    for (const type of scope.instance_types) {
      const ofType = known.filter((k) => k.instanceType === type && zoneSet.has(k.availabilityZone));
      // A type nothing is known of yet: ask for it in every zone of the region.
      if (ofType.length === 0) {
        if (zones.length === 0) throw new AppError('UNPROCESSABLE', `no availability zone of ${scope.region} is known yet; give availability_zones`, { region: scope.region });
        for (const az of zones) add({ availabilityZone: az, instanceType: type });
      } else ofType.forEach(add);
    }
  }
  return out.sort((a, b) => (a.availabilityZone === b.availabilityZone ? (a.instanceType < b.instanceType ? -1 : 1) : a.availabilityZone < b.availabilityZone ? -1 : 1));
}
