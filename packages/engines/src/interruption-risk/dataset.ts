/**
 * Turns a series of Spot Advisor snapshots into supervised transitions: for each pair of consecutive snapshots
 * (from → to) and each pool listed in both, the features at `from` and the pool's bucket at `to`.
 */
import type { Market } from '@cloudoptim/market';
import { type AdvisorSnapshot, daysBetween, poolFeatures, type PoolObservation, type PoolPast, type ShapeLookup, snapshotContext } from './features.ts';

export interface Transition {
  region: string;
  instanceType: string;
  fromDate: string;
  toDate: string;
  features: number[];
  bucketNow: number;
  bucketNext: number;
}

/** Snapshots must be sorted by date; pools listed in only one of a pair are skipped (no label). */
export function buildTransitions(snapshots: readonly AdvisorSnapshot[], shapes: ShapeLookup): Transition[] {
  const out: Transition[] = [];
  const pasts = new Map<string, { previous?: PoolPast['previous']; buckets: number[] }>();
  for (let s = 0; s < snapshots.length; s++) {
    const from = snapshots[s] as AdvisorSnapshot;
    const to = snapshots[s + 1];
    const ctx = snapshotContext(from, shapes);
    const next = new Map<string, number>();
    for (const p of to?.pools ?? []) next.set(`${p.region}|${p.instanceType}`, p.bucket);
    const horizonDays = to ? daysBetween(from.date, to.date) : 0;
    for (const pool of from.pools) {
      const key = `${pool.region}|${pool.instanceType}`;
      const past = pasts.get(key) ?? { buckets: [] };
      const bucketNext = next.get(key);
      if (to && bucketNext !== undefined) {
        out.push({
          region: pool.region,
          instanceType: pool.instanceType,
          fromDate: from.date,
          toDate: to.date,
          features: poolFeatures(pool, past, ctx, shapes, horizonDays),
          bucketNow: pool.bucket,
          bucketNext,
        });
      }
    }
    // Advance every pool's past to include this snapshot (pools missing from it lose their "previous").
    const listed = new Set<string>();
    for (const pool of from.pools) {
      const key = `${pool.region}|${pool.instanceType}`;
      listed.add(key);
      const past = pasts.get(key) ?? { buckets: [] };
      pasts.set(key, { previous: { date: from.date, bucket: pool.bucket, savingsPct: pool.savingsPct }, buckets: [...past.buckets, pool.bucket] });
    }
    for (const [key, past] of pasts) if (!listed.has(key)) past.previous = undefined;
  }
  return out;
}

/** Every Spot Advisor snapshot of the market's history, as snapshots of pools (dates ascending). */
export function advisorSnapshots(market: Pick<Market, 'spotAdvisorHistoryDates' | 'regions' | 'instanceTypes' | 'spotAdvisorHistory'>): AdvisorSnapshot[] {
  const dates = market.spotAdvisorHistoryDates();
  const byDate = new Map(dates.map((date) => [date, [] as PoolObservation[]]));
  for (const region of market.regions()) {
    for (const t of market.instanceTypes()) {
      for (const e of market.spotAdvisorHistory(region, t.instanceType)) {
        byDate.get(e.snapshotDate)?.push({ region, instanceType: t.instanceType, bucket: e.interruptionBucket, savingsPct: e.savingsPct });
      }
    }
  }
  return dates.map((date) => ({ date, pools: byDate.get(date) ?? [] }));
}

/** Per snapshot date, per region: the share of pools in bucket ≥ 2 (the market level). */
export function regionLevels(snapshots: readonly AdvisorSnapshot[]): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const s of snapshots) {
    const counts = new Map<string, [number, number]>();
    for (const p of s.pools) {
      const c = counts.get(p.region) ?? [0, 0];
      c[0] += p.bucket >= 2 ? 1 : 0;
      c[1]++;
      counts.set(p.region, c);
    }
    out.set(s.date, new Map([...counts].map(([region, [high, n]]) => [region, (high + 1) / (n + 2)])));
  }
  return out;
}
