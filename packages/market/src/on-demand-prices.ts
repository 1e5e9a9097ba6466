/**
 * On-demand Linux prices: the multi-region ec2instances.info list (2024-04-04) merged with Karpenter's newer
 * list (2026-07-20; us-east-1 and GovCloud only). Where both give a price, the Karpenter one wins.
 */
import { z } from 'zod';
import { DATA_FILES, loadJsonFile } from './data-files.ts';

/** AWS region code, e.g. `us-east-1`, `us-gov-west-1`. */
export const RegionSchema = z.string().regex(/^[a-z]{2}(?:-gov)?-[a-z]+-\d+$/, 'expected an AWS region code such as us-east-1');

const PricesSchema = z.record(RegionSchema, z.record(z.string().min(1), z.number().positive().finite()));

/** Schema of on-demand-prices.json. */
export const OnDemandPricesFileSchema = z.object({
  meta: z.looseObject({ source_date: z.iso.date() }),
  prices: PricesSchema,
});

/** Schema of on-demand-prices-karpenter.json. */
export const KarpenterOnDemandPricesFileSchema = z.object({
  meta: z.looseObject({ source_date: z.iso.datetime(), source_date_us_gov: z.iso.datetime().optional() }),
  prices: PricesSchema,
});

/** Which list a price comes from. */
export type OnDemandPriceSource = 'karpenter-2026-07' | 'ec2instances-2024-04';

/** An on-demand Linux price for one instance type in one region. */
export interface OnDemandPrice {
  /** USD per instance-hour (Linux/UNIX, shared tenancy). */
  usdPerHour: number;
  /** The list the price comes from. */
  source: OnDemandPriceSource;
  /** Capture date of that list, `YYYY-MM-DD`. */
  sourceDate: string;
}

/** Merged on-demand prices: region → instance type → price. */
export interface OnDemandPriceBook {
  /** Regions with at least one price. */
  readonly regions: ReadonlySet<string>;
  /** region → type → price (frozen price objects). */
  readonly byRegion: ReadonlyMap<string, ReadonlyMap<string, OnDemandPrice>>;
}

/**
 * Loads both on-demand lists from `dataDir` and merges them (Karpenter's newer price wins).
 * @throws AppError DATA_CORRUPT (file, JSON path) when either file is invalid.
 */
export function loadOnDemandPrices(dataDir: string): OnDemandPriceBook {
  const old = loadJsonFile(dataDir, DATA_FILES.onDemandPrices, OnDemandPricesFileSchema);
  const kp = loadJsonFile(dataDir, DATA_FILES.onDemandPricesKarpenter, KarpenterOnDemandPricesFileSchema);
  const byRegion = new Map<string, Map<string, OnDemandPrice>>();
  const add = (region: string, type: string, price: OnDemandPrice): void => {
    let m = byRegion.get(region);
    if (!m) byRegion.set(region, (m = new Map()));
    m.set(type, price);
  };
  const oldDate = old.meta.source_date;
  for (const [region, types] of Object.entries(old.prices)) {
    for (const [type, usdPerHour] of Object.entries(types)) add(region, type, Object.freeze({ usdPerHour, source: 'ec2instances-2024-04', sourceDate: oldDate }));
  }
  for (const [region, types] of Object.entries(kp.prices)) {
    const stamp = region.startsWith('us-gov-') ? (kp.meta.source_date_us_gov ?? kp.meta.source_date) : kp.meta.source_date;
    const sourceDate = stamp.slice(0, 10);
    for (const [type, usdPerHour] of Object.entries(types)) add(region, type, Object.freeze({ usdPerHour, source: 'karpenter-2026-07', sourceDate }));
  }
  return { regions: new Set(byRegion.keys()), byRegion };
}
