/**
 * DescribeSpotPriceHistory over the replayed real history: price *changes* per (AZ, type), newest first, the
 * change in force at StartTime included (with its earlier timestamp), 6-decimal string prices, filters and
 * NextToken paging. Results of one query are cached while it is paged through, so a client walking hundreds of
 * pages does not recompute the list each time.
 */
import type { Ec2Context } from './ec2-context.ts';
import { Ec2Error, invalidParameterCombination, invalidParameterValue } from './ec2-errors.ts';
import { isoTime } from './ec2-instance.xml.ts';
import { decodeToken, encodeToken, matchesAny, type QueryParams, wildcardMatch } from './query-params.ts';
import type { XmlObject } from './xml.ts';

const DAY_MS = 86_400_000;
/** Product descriptions the history stands for (it holds Linux/UNIX prices only). */
const LINUX_PRODUCTS = ['Linux/UNIX', 'Linux/UNIX (Amazon VPC)'];
const ALL_PRODUCTS = [
  'Linux/UNIX', 'Linux/UNIX (Amazon VPC)', 'SUSE Linux', 'SUSE Linux (Amazon VPC)', 'Red Hat Enterprise Linux', 'Red Hat Enterprise Linux (Amazon VPC)',
  'Windows', 'Windows (Amazon VPC)', 'Red Hat Enterprise Linux with HA', 'Red Hat Enterprise Linux with SQL Server Standard and HA',
];
const FILTERS = new Set(['availability-zone', 'availability-zone-id', 'instance-type', 'product-description', 'spot-price', 'timestamp']);

interface PriceItem {
  instanceType: string;
  productDescription: string;
  spotPrice: string;
  timeMs: number;
  availabilityZone: string;
}

/** A small cache of computed result lists keyed by the normalised query. */
export class SpotPriceQueryCache {
  private readonly entries = new Map<string, PriceItem[]>();
  get(key: string): PriceItem[] | undefined {
    const v = this.entries.get(key);
    if (v) {
      this.entries.delete(key);
      this.entries.set(key, v);
    }
    return v;
  }
  set(key: string, items: PriceItem[]): void {
    this.entries.set(key, items);
    while (this.entries.size > 8) this.entries.delete(this.entries.keys().next().value as string);
  }
}

/** DescribeSpotPriceHistory. */
export function describeSpotPriceHistory(ctx: Ec2Context, p: QueryParams, cache: SpotPriceQueryCache): XmlObject {
  const filters = p.filters();
  for (const f of filters) if (!FILTERS.has(f.name)) throw invalidParameterValue(`The filter '${f.name}' is invalid`);
  const maxResults = p.int('MaxResults', { min: 1, max: 1000 }) ?? 1000;
  const tokenRaw = p.str('NextToken');
  const now = ctx.clock.now();
  let offset = 0;
  let start: number;
  let end: number;
  if (tokenRaw) {
    // The token freezes the window (it may have been "the last 90 days up to now"), so the pages line up.
    const t = decodeToken(tokenRaw);
    if (!t || t.k !== 'sph' || typeof t.o !== 'number' || typeof t.s !== 'number' || typeof t.e !== 'number') throw new Ec2Error('InvalidNextToken', `The token '${tokenRaw.slice(0, 100)}' is invalid.`);
    offset = t.o;
    start = t.s;
    end = t.e;
  } else {
    // No prices from the future; at most the past 90 days, as AWS keeps.
    end = Math.min(p.date('EndTime') ?? now, now);
    const startTime = p.date('StartTime');
    const endTime = p.date('EndTime');
    if (startTime !== undefined && endTime !== undefined && startTime > endTime) throw invalidParameterValue('The start time must be before the end time.');
    // A start in the simulated future yields the price in force now.
    start = Math.min(end, Math.max(startTime ?? end - 90 * DAY_MS, now - 90 * DAY_MS));
  }
  const az = p.str('AvailabilityZone');
  const azId = p.str('AvailabilityZoneId');
  if (az && azId) throw invalidParameterCombination('AvailabilityZone and AvailabilityZoneId cannot both be specified.');
  const types = p.list('InstanceType');
  for (const t of types) if (!ctx.market.instanceType(t)) throw invalidParameterValue(`The following supplied instance types do not exist: [${t}]`);
  const products = p.list('ProductDescription');
  for (const pd of products) if (!ALL_PRODUCTS.includes(pd)) throw invalidParameterValue(`Invalid product description: ${pd}`);

  const key = JSON.stringify({ start, end, az, azId, types, products, filters });
  let items = cache.get(key);
  if (!items) {
    items = computeItems(ctx, { start, end, az, azId, types, products, filters });
    cache.set(key, items);
  }
  const page = items.slice(offset, offset + maxResults);
  const next = offset + maxResults < items.length ? encodeToken({ k: 'sph', o: offset + maxResults, s: start, e: end }) : undefined;
  return {
    spotPriceHistorySet: page.map((i) => ({
      instanceType: i.instanceType,
      productDescription: i.productDescription,
      spotPrice: i.spotPrice,
      timestamp: isoTime(i.timeMs),
      availabilityZone: i.availabilityZone,
    })),
    nextToken: next ?? null,
  };
}

function computeItems(
  ctx: Ec2Context,
  q: { start: number; end: number; az: string | undefined; azId: string | undefined; types: string[]; products: string[]; filters: { name: string; values: string[] }[] },
): PriceItem[] {
  const filter = (name: string) => q.filters.filter((f) => f.name === name).map((f) => f.values);
  const passes = (name: string, value: string) => filter(name).every((values) => matchesAny(values, value));
  // The history holds Linux/UNIX only; other products have no data. Without a product filter AWS returns every
  // product: here that is the plain Linux/UNIX label.
  const wanted = q.products.length > 0 ? q.products.filter((pd) => LINUX_PRODUCTS.includes(pd)) : ['Linux/UNIX'];
  const products = wanted.filter((pd) => passes('product-description', pd));
  if (products.length === 0) return [];
  const typeSet = q.types.length > 0 ? new Set(q.types) : undefined;
  const zoneId = (name: string) => ctx.topology.zone(name)?.zoneId ?? '';
  const items: PriceItem[] = [];
  for (const pool of ctx.spot.historyPools()) {
    const { availabilityZone: poolAz, instanceType } = pool;
    if (typeSet && !typeSet.has(instanceType)) continue;
    if (q.az && q.az !== poolAz) continue;
    if (q.azId && q.azId !== zoneId(poolAz)) continue;
    if (!passes('instance-type', instanceType) || !passes('availability-zone', poolAz) || !passes('availability-zone-id', zoneId(poolAz))) continue;
    for (const step of ctx.spot.priceChanges(poolAz, instanceType, q.start, q.end)) {
      const spotPrice = step.usdPerHour.toFixed(6);
      if (!passes('spot-price', spotPrice)) continue;
      const ts = isoTime(step.timeMs);
      if (filter('timestamp').some((values) => !values.some((v) => wildcardMatch(v, ts) || Date.parse(v) === step.timeMs))) continue;
      for (const productDescription of products) items.push({ instanceType, productDescription, spotPrice, timeMs: step.timeMs, availabilityZone: poolAz });
    }
  }
  // Newest first, as real captures show; ties in a fixed order so pages are stable.
  items.sort((a, b) => b.timeMs - a.timeMs || (a.availabilityZone < b.availabilityZone ? -1 : a.availabilityZone > b.availabilityZone ? 1 : 0) || (a.instanceType < b.instanceType ? -1 : a.instanceType > b.instanceType ? 1 : 0) || (a.productDescription < b.productDescription ? -1 : 1));
  return items;
}
