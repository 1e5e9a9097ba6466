/**
 * `Market`: the catalog, merged on-demand prices and the latest Spot Advisor snapshot loaded together, with
 * the Spot Advisor history and the spot price history loaded lazily on first use.
 *
 * Conventions: an unknown region throws `UNKNOWN_REGION`; a known region where the data has no value for
 * the type returns `undefined` (or `[]` for lists) — "no price here" is an expected answer, not an error.
 */
import { AppError } from '@cloudoptim/contracts';
import { type Catalog, type InstanceType, loadCatalog } from './catalog.ts';
import { type DataDirOptions, resolveDataDir } from './data-files.ts';
import { buildFitIndexes, type InstanceOffer, type InstanceRequirement, parseRequirement, type RegionFitIndex } from './fit.ts';
import { loadOnDemandPrices, type OnDemandPrice, type OnDemandPriceBook } from './on-demand-prices.ts';
import { loadSpotAdvisorHistory, loadSpotAdvisorLatest, type SpotAdvisorEntry, type SpotAdvisorHistory, type SpotAdvisorLatest } from './spot-advisor.ts';
import { loadSpotPriceHistory, type LoadSpotPriceHistoryOptions, type SpotPriceHistory } from './spot-price-history.ts';

const EMPTY: readonly SpotAdvisorEntry[] = Object.freeze([]);

/** Market data loaded from one data directory. Immutable apart from its lazily loaded parts. */
export class Market {
  private readonly regionSet: ReadonlySet<string>;
  private readonly fit: ReadonlyMap<string, RegionFitIndex>;
  private advisorHistory: SpotAdvisorHistory | undefined;
  private priceHistory: Promise<SpotPriceHistory> | undefined;

  /** Prefer `loadMarket`. */
  constructor(
    /** Absolute data directory the market was loaded from. */
    readonly dataDir: string,
    private readonly catalog: Catalog,
    private readonly prices: OnDemandPriceBook,
    private readonly advisor: SpotAdvisorLatest,
  ) {
    this.regionSet = new Set([...prices.regions, ...advisor.byRegion.keys()]);
    this.fit = buildFitIndexes(catalog, prices, advisor.byRegion);
  }

  /** Every region with on-demand prices or Spot Advisor data, sorted. */
  regions(): string[] {
    return [...this.regionSet].sort();
  }

  /** True when `region` is in the market data. */
  hasRegion(region: string): boolean {
    return this.regionSet.has(region);
  }

  /** @throws AppError UNKNOWN_REGION when `region` is not in the market data. */
  assertRegion(region: string): void {
    if (!this.regionSet.has(region)) {
      throw new AppError('UNKNOWN_REGION', `Region ${JSON.stringify(region)} is not in the market data`, { region, known_regions: this.regions() });
    }
  }

  /** The whole catalog (1,435 types), sorted by name. */
  instanceTypes(): readonly InstanceType[] {
    return this.catalog.list;
  }

  /** The catalog entry of `name` (e.g. `m5.large`), or undefined when the catalog does not list it. */
  instanceType(name: string): InstanceType | undefined {
    return this.catalog.byName.get(name);
  }

  /** Like `instanceType`, but @throws AppError UNKNOWN_INSTANCE_TYPE when the catalog does not list it. */
  requireInstanceType(name: string): InstanceType {
    const t = this.catalog.byName.get(name);
    if (!t) throw new AppError('UNKNOWN_INSTANCE_TYPE', `Instance type ${JSON.stringify(name)} is not in the catalog`, { instance_type: name });
    return t;
  }

  /**
   * On-demand Linux price of `type` in `region` (USD/hour). Karpenter's 2026-07 list wins over the
   * 2024-04 ec2instances.info list where both have a price.
   * @returns undefined when the region has no price for the type (including unknown types).
   * @throws AppError UNKNOWN_REGION for a region not in the market data.
   */
  onDemandPrice(region: string, type: string): OnDemandPrice | undefined {
    this.assertRegion(region);
    return this.prices.byRegion.get(region)?.get(type);
  }

  /** All on-demand prices of a region (type → price; empty for an advisor-only region). @throws UNKNOWN_REGION. */
  onDemandPrices(region: string): ReadonlyMap<string, OnDemandPrice> {
    this.assertRegion(region);
    return this.prices.byRegion.get(region) ?? new Map();
  }

  /** Date of the latest Spot Advisor snapshot, `YYYY-MM-DD`. */
  get spotAdvisorSnapshotDate(): string {
    return this.advisor.snapshotDate;
  }

  /**
   * Latest (2025-06-28) Spot Advisor entry of `type` in `region`.
   * @returns undefined when the advisor does not list the type there. @throws AppError UNKNOWN_REGION.
   */
  spotAdvisor(region: string, type: string): SpotAdvisorEntry | undefined {
    this.assertRegion(region);
    return this.advisor.byRegion.get(region)?.get(type);
  }

  private history(): SpotAdvisorHistory {
    this.advisorHistory ??= loadSpotAdvisorHistory(this.dataDir);
    return this.advisorHistory;
  }

  /**
   * Every Spot Advisor snapshot of `type` in `region` (2021-02 … 2025-06, 14 snapshots at most), sorted by
   * date ascending; `[]` when none. Loads spot-advisor-history.csv.gz on first use (~100 ms).
   * @throws AppError UNKNOWN_REGION; DATA_CORRUPT when the history file is invalid.
   */
  spotAdvisorHistory(region: string, type: string): readonly SpotAdvisorEntry[] {
    this.assertRegion(region);
    return this.history().byRegion.get(region)?.get(type) ?? EMPTY;
  }

  /** Snapshot dates of the Spot Advisor history, ascending (loads it on first use). */
  spotAdvisorHistoryDates(): readonly string[] {
    return this.history().dates;
  }

  /**
   * The per-AZ spot price history, loaded on first call (async, ~0.5 s) and kept by this Market.
   * `onProgress` is only used by the call that starts the load.
   */
  spotPriceHistory(options: Pick<LoadSpotPriceHistoryOptions, 'onProgress'> = {}): Promise<SpotPriceHistory> {
    this.priceHistory ??= loadSpotPriceHistory({ dataDir: this.dataDir, ...options }).catch((err: unknown) => {
      this.priceHistory = undefined;
      throw err;
    });
    return this.priceHistory;
  }

  /**
   * Instance types that satisfy `requirement` in its region and have an on-demand price there, sorted by
   * on-demand price ascending (ties by name). Types without known vCPU, memory or architecture never match.
   * With `spotOnly`, only types with Spot evidence in the region (`InstanceOffer.spotEligible`).
   * A few µs per query (precomputed per-region index).
   * @throws AppError VALIDATION_FAILED (details.issues[].path) for a malformed requirement;
   *   UNKNOWN_REGION for a region not in the market data.
   */
  findInstanceTypes(requirement: InstanceRequirement): InstanceOffer[] {
    const r = parseRequirement(requirement);
    this.assertRegion(r.region);
    return this.fit.get(r.region)?.find(r) ?? [];
  }

  /** Dates of the loaded data, for "data age" in rationales. */
  dataDates(): { onDemand: { karpenter: string; ec2instances: string }; spotAdvisorLatest: string } {
    let karpenter = '';
    let ec2instances = '';
    for (const m of this.prices.byRegion.values()) {
      for (const p of m.values()) {
        if (p.source === 'karpenter-2026-07') karpenter ||= p.sourceDate;
        else ec2instances ||= p.sourceDate;
        if (karpenter && ec2instances) break;
      }
    }
    return { onDemand: { karpenter, ec2instances }, spotAdvisorLatest: this.advisor.snapshotDate };
  }
}

/** Options of `loadMarket`. */
export interface LoadMarketOptions extends DataDirOptions {
  /** Reuse a Market already loaded from the same dataDir in this process (default true). */
  cache?: boolean;
}

/**
 * Memo of loaded markets keyed by absolute dataDir. The data files are read-only inputs, so one Market per
 * directory per process is enough; `clearMarketCache()` (or `cache: false`) forces a reload.
 */
const marketCache = new Map<string, Market>();

/**
 * Loads the catalog, both on-demand lists and the latest Spot Advisor snapshot, validating every file,
 * and builds the query indexes (synchronous; ~100-200 ms).
 * @throws AppError DATA_CORRUPT naming the file and JSON path (or line/column) of the first problem.
 */
export function loadMarket(options: LoadMarketOptions = {}): Market {
  const dataDir = resolveDataDir(options);
  const useCache = options.cache !== false;
  const cached = useCache ? marketCache.get(dataDir) : undefined;
  if (cached) return cached;
  const market = new Market(dataDir, loadCatalog(dataDir), loadOnDemandPrices(dataDir), loadSpotAdvisorLatest(dataDir));
  if (useCache) marketCache.set(dataDir, market);
  return market;
}

/** Forgets every memoized Market (the next `loadMarket` reads the files again). */
export function clearMarketCache(): void {
  marketCache.clear();
}
