/**
 * What a strategy may see at decision time: prices up to `now` (never later), the Spot Advisor snapshot in
 * force at `now`, on-demand list prices, and which pools recently failed to launch (an
 * InsufficientInstanceCapacity answer is public to whoever asked). Never the market model's hazard.
 */
import type { InterruptionBucket, Market, SpotPriceHistory } from '@cloudoptim/market';
import type { BacktestWorkload } from './workload.ts';

/** A spot pool as strategies see it. */
export interface PoolView {
  /** `az|type`. */
  key: string;
  availabilityZone: string;
  instanceType: string;
  family: string;
  spotPriceUsdPerHour: number;
  onDemandPriceUsdPerHour: number;
  /** Spot Advisor bucket of the snapshot in force at decision time; null when the type is not listed. */
  advisorBucket: InterruptionBucket | null;
}

/** Price source clamped to decision time (same shape the spot selection engine takes). */
export interface ClampedPrices {
  priceAt(availabilityZone: string, instanceType: string, timeMs: number): number | undefined;
  series(availabilityZone: string, instanceType: string, fromMs: number, toMs: number): { timeMs: number; usdPerHour: number }[];
  name: string;
}

export const poolKey = (az: string, type: string): string => `${az}|${type}`;

/** A fitting instance type with its static data. */
export interface CandidateType {
  instanceType: string;
  family: string;
  onDemandUsdPerHour: number;
}

/** The requirement of one node as the market's fit query takes it. */
export function nodeRequirement(w: BacktestWorkload) {
  return {
    minVcpu: w.node.vcpu,
    maxVcpu: w.node.maxVcpu ?? 2 * w.node.vcpu,
    minMemoryGib: w.node.memoryGib,
    maxMemoryGib: w.node.maxMemoryGib ?? 2 * w.node.memoryGib,
    architecture: w.node.architecture,
  };
}

/** Fitting types with an on-demand price in the region, cheapest on-demand first. */
export function candidateTypes(market: Market, region: string, w: BacktestWorkload): CandidateType[] {
  return market.findInstanceTypes({ region, ...nodeRequirement(w) }).map((o) => ({ instanceType: o.instanceType, family: o.instance.family, onDemandUsdPerHour: o.onDemand.usdPerHour }));
}

/**
 * The advisor bucket of `type` in force at `nowMs`: the latest snapshot on or before that day; when none is that
 * old (sa-east-1 2020: the first snapshot is 2021-02-10), the earliest one — a look-ahead the report flags.
 */
export function advisorAsOf(market: Market, region: string, type: string, nowMs: number): { bucket: InterruptionBucket | null; snapshotDate: string | null; lookAhead: boolean } {
  const day = new Date(nowMs).toISOString().slice(0, 10);
  const history = market.spotAdvisorHistory(region, type);
  let found = null;
  for (const e of history) {
    if (e.snapshotDate <= day) found = e;
    else break;
  }
  const e = found ?? history[0];
  return e ? { bucket: e.interruptionBucket, snapshotDate: e.snapshotDate, lookAhead: !found } : { bucket: null, snapshotDate: null, lookAhead: false };
}

/** Prices as known at `nowMs`, hiding `unavailable` pools (they answered "no capacity" recently). */
export function clampedPrices(history: SpotPriceHistory, nowMs: number, unavailable: ReadonlySet<string> = new Set()): ClampedPrices {
  return {
    name: 'spot-price-history (replayed, up to decision time)',
    priceAt: (az, type, timeMs) => (timeMs > nowMs || unavailable.has(poolKey(az, type)) ? undefined : history.priceAt(az, type, timeMs)),
    series: (az, type, fromMs, toMs) => (unavailable.has(poolKey(az, type)) ? [] : history.series(az, type, fromMs, Math.min(toMs, nowMs))),
  };
}

/** Every launchable spot pool at `nowMs` (fitting type, allowed AZ, a known price, not unavailable). */
export function poolViews(market: Market, region: string, types: readonly CandidateType[], zones: readonly string[], prices: ClampedPrices, nowMs: number): PoolView[] {
  const out: PoolView[] = [];
  for (const t of types) {
    const adv = advisorAsOf(market, region, t.instanceType, nowMs);
    for (const az of zones) {
      const price = prices.priceAt(az, t.instanceType, nowMs);
      if (price === undefined) continue;
      out.push({ key: poolKey(az, t.instanceType), availabilityZone: az, instanceType: t.instanceType, family: t.family, spotPriceUsdPerHour: price, onDemandPriceUsdPerHour: t.onDemandUsdPerHour, advisorBucket: adv.bucket });
    }
  }
  return out;
}
