/**
 * What a node costs, USD per hour: a Spot node pays its pool's (instance type × AZ) Spot price in force at that
 * time, from the market's spot price history; an on-demand node — or a Spot node whose pool has no history —
 * pays the region's on-demand price. The baseline of a node is the same instance type on on-demand (what the
 * capacity would cost without CloudOptim). Types the market does not price fall back to the price the agent
 * reported, else 0 (and say so in `source`). The spot price history loads once (~0.5 s), in the background of
 * the first call; every later call reuses it.
 */
import type { Market } from '@cloudoptim/market';
import type { Logger } from '@cloudoptim/runtime';

/** The Spot price lookup the pricing needs (the market's SpotPriceHistory has it). */
export interface SpotPriceLookup {
  /** USD/hour in force at `time` in the pool, undefined when the pool has no record by then. */
  priceAt(availabilityZone: string, instanceType: string, time: Date): number | undefined;
}

/** A node to price. */
export interface PricedNodeInput {
  instanceType: string;
  availabilityZone: string;
  capacityType: 'spot' | 'on-demand';
  /** The agent's own figure (NodeMetric.hourly_price), used only when the market has no price. */
  reportedUsdPerHour?: number | null;
}

/** Where a node's price came from. */
export type NodePriceSource = 'spot-history' | 'on-demand' | 'reported' | 'unknown';

/** A node's price and its on-demand baseline, USD per hour. */
export interface NodePrice {
  usdPerHour: number;
  baselineUsdPerHour: number;
  source: NodePriceSource;
}

/** What a set of nodes costs, USD per hour (now, and the on-demand baseline). */
export interface ClusterCost {
  currentCostPerHour: number;
  baselineCostPerHour: number;
  /** Per node, in input order. */
  prices: NodePrice[];
}

export interface NodePricingOptions {
  /** Where Spot prices come from (default: the market's spot price history). */
  spotPrices?: () => Promise<SpotPriceLookup>;
  log?: Logger;
}

/** Money rounded to the database's numeric(18,6). */
const usd = (value: number) => Math.round(value * 1e6) / 1e6;

export class NodePricing {
  private spot: Promise<SpotPriceLookup | undefined> | undefined;
  private readonly loadSpot: () => Promise<SpotPriceLookup>;

  constructor(
    private readonly market: Market,
    private readonly options: NodePricingOptions = {},
  ) {
    this.loadSpot = options.spotPrices ?? (() => market.spotPriceHistory());
  }

  /** The price of `node` in `region` at `at`. Never throws for unknown regions or types (see `source`). */
  async priceOf(region: string, node: PricedNodeInput, at: Date): Promise<NodePrice> {
    const spot = node.capacityType === 'spot' ? await this.spotPrices() : undefined;
    return this.price(region, node, at, spot);
  }

  /** Prices every node at `at` and sums them. */
  async clusterCost(region: string, nodes: readonly PricedNodeInput[], at: Date): Promise<ClusterCost> {
    const spot = nodes.some((n) => n.capacityType === 'spot') ? await this.spotPrices() : undefined;
    const prices = nodes.map((node) => this.price(region, node, at, spot));
    return {
      currentCostPerHour: usd(prices.reduce((sum, p) => sum + p.usdPerHour, 0)),
      baselineCostPerHour: usd(prices.reduce((sum, p) => sum + p.baselineUsdPerHour, 0)),
      prices,
    };
  }

  /** The Spot price source, loaded once; undefined (on-demand prices then) when it cannot be loaded. */
  private spotPrices(): Promise<SpotPriceLookup | undefined> {
    this.spot ??= this.loadSpot().catch((error: unknown) => {
      this.options.log?.warn({ err: error instanceof Error ? error.message : String(error) }, 'spot price history unavailable: pricing Spot nodes at on-demand');
      return undefined;
    });
    return this.spot;
  }

  private price(region: string, node: PricedNodeInput, at: Date, spot: SpotPriceLookup | undefined): NodePrice {
    const onDemand = this.onDemand(region, node.instanceType);
    const spotPrice = node.capacityType === 'spot' ? spot?.priceAt(node.availabilityZone, node.instanceType, at) : undefined;
    if (spotPrice !== undefined) return { usdPerHour: spotPrice, baselineUsdPerHour: onDemand ?? spotPrice, source: 'spot-history' };
    if (onDemand !== undefined) return { usdPerHour: onDemand, baselineUsdPerHour: onDemand, source: 'on-demand' };
    const reported = node.reportedUsdPerHour ?? undefined;
    if (reported !== undefined) return { usdPerHour: reported, baselineUsdPerHour: reported, source: 'reported' };
    return { usdPerHour: 0, baselineUsdPerHour: 0, source: 'unknown' };
  }

  private onDemand(region: string, instanceType: string): number | undefined {
    if (!this.market.hasRegion(region)) return undefined;
    return this.market.onDemandPrice(region, instanceType)?.usdPerHour;
  }
}
