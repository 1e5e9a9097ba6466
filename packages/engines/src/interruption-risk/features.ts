/**
 * Features of a Spot pool (region × instance type) at a Spot Advisor snapshot, computed only from what is
 * known at that snapshot: the pool's bucket and savings now and before, the snapshot's aggregates (how risky
 * its region, family and type are right now), the instance's shape, and the horizon asked about.
 *
 * Aggregates of the *current* snapshot stand in for categorical ids (region, family): they carry the same
 * information, need no target encoding (so no label leakage), and move with the market — the one defence a
 * model trained on the past has when the whole market shifts.
 */
import type { Market } from '@cloudoptim/market';

export const FEATURE_NAMES = [
  'bucket',
  'savings_pct',
  'prev_bucket',
  'bucket_delta',
  'savings_delta',
  'days_since_prev',
  'horizon_days',
  'bucket_history_mean',
  'snapshots_seen',
  'region_mean_bucket',
  'region_share_high',
  'family_region_mean_bucket',
  'family_mean_bucket',
  'type_mean_bucket',
  'type_region_count',
  'category_region_mean_bucket',
  'generation',
  'log2_vcpu',
  'memory_gib_per_vcpu',
  'gpu',
  'arm64',
  'bare_metal',
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];

/** One pool as a snapshot lists it. */
export interface PoolObservation {
  region: string;
  instanceType: string;
  bucket: number;
  savingsPct: number;
}

/** A snapshot: its date and every pool it lists. */
export interface AdvisorSnapshot {
  date: string;
  pools: readonly PoolObservation[];
}

/** What the catalog says of a type (null = unknown, becomes a missing value). */
export interface InstanceShape {
  family: string;
  category: string;
  generation: number | null;
  vcpu: number | null;
  memoryGib: number | null;
  gpu: boolean;
  arm64: boolean | null;
  bareMetal: boolean | null;
}

export type ShapeLookup = (instanceType: string) => InstanceShape;

/** A shape lookup over the market's catalog; unknown types get their family from the name and nulls. */
export function catalogShapes(market: Pick<Market, 'instanceType'>): ShapeLookup {
  const cache = new Map<string, InstanceShape>();
  return (name) => {
    let shape = cache.get(name);
    if (!shape) {
      const t = market.instanceType(name);
      const family = t?.family ?? name.split('.')[0] ?? name;
      shape = {
        family,
        category: t?.category ?? (/^[a-z]+/.exec(family)?.[0] ?? family),
        generation: t?.generation ?? (Number(/\d+/.exec(family)?.[0]) || null),
        vcpu: t?.vcpu ?? null,
        memoryGib: t?.memoryGib ?? null,
        gpu: (t?.gpuCount ?? 0) > 0,
        arm64: t?.architecture ? t.architecture === 'arm64' : null,
        bareMetal: t?.bareMetal ?? null,
      };
      cache.set(name, shape);
    }
    return shape;
  };
}

interface Mean {
  sum: number;
  count: number;
}

function addTo(map: Map<string, Mean>, key: string, value: number): void {
  const m = map.get(key);
  if (m) {
    m.sum += value;
    m.count++;
  } else map.set(key, { sum: value, count: 1 });
}

function meanOf(map: Map<string, Mean>, key: string): number {
  const m = map.get(key);
  return m ? m.sum / m.count : Number.NaN;
}

/** The snapshot-level aggregates features read; built once per snapshot. */
export interface SnapshotContext {
  date: string;
  region: Map<string, Mean>;
  regionHigh: Map<string, Mean>;
  familyRegion: Map<string, Mean>;
  family: Map<string, Mean>;
  type: Map<string, Mean>;
  categoryRegion: Map<string, Mean>;
}

export function snapshotContext(snapshot: AdvisorSnapshot, shapes: ShapeLookup): SnapshotContext {
  const ctx: SnapshotContext = {
    date: snapshot.date,
    region: new Map(),
    regionHigh: new Map(),
    familyRegion: new Map(),
    family: new Map(),
    type: new Map(),
    categoryRegion: new Map(),
  };
  for (const p of snapshot.pools) {
    const shape = shapes(p.instanceType);
    addTo(ctx.region, p.region, p.bucket);
    addTo(ctx.regionHigh, p.region, p.bucket >= 2 ? 1 : 0);
    addTo(ctx.familyRegion, `${shape.family}|${p.region}`, p.bucket);
    addTo(ctx.family, shape.family, p.bucket);
    addTo(ctx.type, p.instanceType, p.bucket);
    addTo(ctx.categoryRegion, `${shape.category}|${p.region}`, p.bucket);
  }
  return ctx;
}

/** The pool's own past, from earlier snapshots (oldest first), as known at the current one. */
export interface PoolPast {
  /** The previous snapshot's entry for the pool and its date, if it listed the pool. */
  previous?: { date: string; bucket: number; savingsPct: number };
  /** Buckets of every earlier snapshot that listed the pool. */
  buckets: readonly number[];
}

const DAY_MS = 86_400_000;

export function daysBetween(fromDate: string, toDate: string): number {
  return (Date.parse(`${toDate}T00:00:00Z`) - Date.parse(`${fromDate}T00:00:00Z`)) / DAY_MS;
}

/** The feature vector (in FEATURE_NAMES order) of a pool at a snapshot, for a horizon in days. */
export function poolFeatures(pool: PoolObservation, past: PoolPast, ctx: SnapshotContext, shapes: ShapeLookup, horizonDays: number): number[] {
  const shape = shapes(pool.instanceType);
  const prev = past.previous;
  const historyMean = past.buckets.length ? past.buckets.reduce((s, b) => s + b, 0) / past.buckets.length : Number.NaN;
  const typeCount = ctx.type.get(pool.instanceType)?.count ?? 0;
  return [
    pool.bucket,
    pool.savingsPct,
    prev ? prev.bucket : Number.NaN,
    prev ? pool.bucket - prev.bucket : Number.NaN,
    prev ? pool.savingsPct - prev.savingsPct : Number.NaN,
    prev ? daysBetween(prev.date, ctx.date) : Number.NaN,
    horizonDays,
    historyMean,
    past.buckets.length,
    meanOf(ctx.region, pool.region),
    meanOf(ctx.regionHigh, pool.region),
    meanOf(ctx.familyRegion, `${shape.family}|${pool.region}`),
    meanOf(ctx.family, shape.family),
    meanOf(ctx.type, pool.instanceType),
    typeCount,
    meanOf(ctx.categoryRegion, `${shape.category}|${pool.region}`),
    shape.generation ?? Number.NaN,
    shape.vcpu ? Math.log2(shape.vcpu) : Number.NaN,
    shape.vcpu && shape.memoryGib ? shape.memoryGib / shape.vcpu : Number.NaN,
    shape.gpu ? 1 : 0,
    shape.arm64 === null ? Number.NaN : shape.arm64 ? 1 : 0,
    shape.bareMetal === null ? Number.NaN : shape.bareMetal ? 1 : 0,
  ];
}
