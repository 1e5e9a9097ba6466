import { describe, expect, it } from 'vitest';
import { loadMarket } from '@cloudoptim/market';
import { NodePricing, type SpotPriceLookup } from './node-pricing.ts';

const market = loadMarket();
const at = new Date(Date.UTC(2026, 0, 1));
const m5OnDemand = market.onDemandPrice('us-east-1', 'm5.large')!.usdPerHour;

function fakeSpot(prices: Record<string, number>): { lookup: () => Promise<SpotPriceLookup>; loads: () => number } {
  let loads = 0;
  return {
    lookup: async () => {
      loads++;
      return { priceAt: (az, type) => prices[`${az}|${type}`] };
    },
    loads: () => loads,
  };
}

describe('NodePricing', () => {
  it('prices a Spot node at its pool’s Spot price with the on-demand price as baseline', async () => {
    const spot = fakeSpot({ 'us-east-1a|m5.large': 0.035 });
    const pricing = new NodePricing(market, { spotPrices: spot.lookup });
    expect(await pricing.priceOf('us-east-1', { instanceType: 'm5.large', availabilityZone: 'us-east-1a', capacityType: 'spot' }, at)).toEqual({ usdPerHour: 0.035, baselineUsdPerHour: m5OnDemand, source: 'spot-history' });
  });

  it('falls back to on-demand for on-demand nodes and for Spot pools without history', async () => {
    const pricing = new NodePricing(market, { spotPrices: fakeSpot({}).lookup });
    const onDemand = { usdPerHour: m5OnDemand, baselineUsdPerHour: m5OnDemand, source: 'on-demand' };
    expect(await pricing.priceOf('us-east-1', { instanceType: 'm5.large', availabilityZone: 'us-east-1a', capacityType: 'on-demand' }, at)).toEqual(onDemand);
    expect(await pricing.priceOf('us-east-1', { instanceType: 'm5.large', availabilityZone: 'us-east-1f', capacityType: 'spot' }, at)).toEqual(onDemand);
  });

  it('uses the reported price, else 0, for what the market does not price (never throws)', async () => {
    const pricing = new NodePricing(market, { spotPrices: fakeSpot({}).lookup });
    expect(await pricing.priceOf('us-east-1', { instanceType: 'x9.custom', availabilityZone: 'us-east-1a', capacityType: 'on-demand', reportedUsdPerHour: 0.5 }, at)).toEqual({ usdPerHour: 0.5, baselineUsdPerHour: 0.5, source: 'reported' });
    expect(await pricing.priceOf('mars-north-1', { instanceType: 'm5.large', availabilityZone: 'mars-north-1a', capacityType: 'spot' }, at)).toEqual({ usdPerHour: 0, baselineUsdPerHour: 0, source: 'unknown' });
  });

  it('sums a cluster and loads the Spot prices once, even for concurrent callers', async () => {
    const spot = fakeSpot({ 'us-east-1a|m5.large': 0.04 });
    const pricing = new NodePricing(market, { spotPrices: spot.lookup });
    const nodes = [
      { instanceType: 'm5.large', availabilityZone: 'us-east-1a', capacityType: 'spot' as const },
      { instanceType: 'm5.large', availabilityZone: 'us-east-1b', capacityType: 'on-demand' as const },
    ];
    const [cost] = await Promise.all([pricing.clusterCost('us-east-1', nodes, at), pricing.clusterCost('us-east-1', nodes, at)]);
    expect(cost.currentCostPerHour).toBeCloseTo(0.04 + m5OnDemand, 6);
    expect(cost.baselineCostPerHour).toBeCloseTo(2 * m5OnDemand, 6);
    expect(spot.loads()).toBe(1);
  });

  it('prices at on-demand when the Spot history cannot be loaded', async () => {
    const pricing = new NodePricing(market, { spotPrices: () => Promise.reject(new Error('file missing')) });
    expect((await pricing.priceOf('us-east-1', { instanceType: 'm5.large', availabilityZone: 'us-east-1a', capacityType: 'spot' }, at)).source).toBe('on-demand');
  });

  it('reads the market’s real spot price history by default', async () => {
    const history = await market.spotPriceHistory();
    const pool = history.pools('us-east-1')[0]!;
    const expected = history.priceAt(pool.availabilityZone, pool.instanceType, at)!;
    const price = await new NodePricing(market).priceOf('us-east-1', { instanceType: pool.instanceType, availabilityZone: pool.availabilityZone, capacityType: 'spot' }, at);
    expect(price).toMatchObject({ usdPerHour: expected, source: 'spot-history' });
  });
});
