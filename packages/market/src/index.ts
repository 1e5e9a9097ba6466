/**
 * @cloudoptim/market — real AWS market data shipped in the repo (instance catalog, on-demand prices,
 * Spot Advisor, per-AZ spot price history; see data/PROVENANCE.md) and the queries over it.
 */
export { DATA_FILES, defaultDataDir, resolveDataDir, type DataDirOptions } from './data-files.ts';
export { type Architecture, type Catalog, type InstanceType, type KarpenterAllocatable, InstanceTypeFileEntrySchema, loadCatalog } from './catalog.ts';
export { type OnDemandPrice, type OnDemandPriceBook, type OnDemandPriceSource, loadOnDemandPrices, RegionSchema } from './on-demand-prices.ts';
export {
  INTERRUPTION_BUCKETS,
  interruptionBucketInfo,
  type InterruptionBucket,
  type InterruptionBucketInfo,
  type InterruptionLabel,
  type SpotAdvisorEntry,
  type SpotAdvisorHistory,
  type SpotAdvisorLatest,
  loadSpotAdvisorHistory,
  loadSpotAdvisorLatest,
} from './spot-advisor.ts';
export {
  SpotPriceHistory,
  loadSpotPriceHistory,
  loadSpotPriceHistorySync,
  type LoadSpotPriceHistoryOptions,
  type PoolSeries,
  type PriceStep,
  type RegionCoverage,
  type SpotPool,
  type TimeInput,
} from './spot-price-history.ts';
export { InstanceRequirementSchema, InstanceShapeRequirementSchema, type InstanceOffer, type InstanceRequirement, effectiveGpuCount, isFittable } from './fit.ts';
export { Market, loadMarket, clearMarketCache, type LoadMarketOptions } from './market.ts';
export * from './workload-trace.ts';
export * from './market-model/index.ts';
export * from './rng.ts';
