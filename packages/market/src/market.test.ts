import { isAppError } from '@cloudoptim/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { INTERRUPTION_BUCKETS, loadMarket, type Market } from './index.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isAppError(err) ? err.code : `not an AppError: ${String(err)}`;
  }
  return undefined;
}

let market: Market;
beforeAll(() => {
  market = loadMarket();
});

describe('catalog', () => {
  it('m5.large is 2 vCPU / 8 GiB x86_64 with Karpenter allocatable', () => {
    const t = market.instanceType('m5.large');
    expect(t).toMatchObject({
      instanceType: 'm5.large',
      family: 'm5',
      size: 'large',
      category: 'm',
      generation: 5,
      vcpu: 2,
      memoryGib: 8,
      architecture: 'x86_64',
      gpuCount: 0,
      networkBandwidthMbps: 750,
      maxEnis: 3,
      ipv4PerEni: 10,
      currentGeneration: true,
      spotSupported: true,
      bareMetal: false,
    });
    expect(t?.karpenterAllocatable).toMatchObject({ cpuMillicores: 1930, memoryMib: 6903, pods: 29 });
  });

  it('holds 1,435 types, GPU fields for p4de.24xlarge, undefined / UNKNOWN_INSTANCE_TYPE for unknown names', () => {
    expect(market.instanceTypes()).toHaveLength(1435);
    expect(market.instanceType('p4de.24xlarge')).toMatchObject({ gpuCount: 8, gpuName: 'a100', gpuMemoryMibPerGpu: 81920, architecture: 'x86_64' });
    expect(market.instanceType('m5.huge')).toBeUndefined();
    expect(codeOf(() => market.requireInstanceType('m5.huge'))).toBe('UNKNOWN_INSTANCE_TYPE');
  });
});

describe('regions and on-demand prices', () => {
  it('knows the on-demand and Spot Advisor regions', () => {
    expect(market.regions()).toContain('us-east-1');
    expect(market.regions()).toContain('us-gov-west-1');
    expect(market.regions()).toContain('mx-central-1'); // advisor-only region
    expect(market.hasRegion('us-east-1')).toBe(true);
    expect(market.hasRegion('mars-north-1')).toBe(false);
  });

  it('m5.large us-east-1 costs 0.096 USD/h', () => {
    expect(market.onDemandPrice('us-east-1', 'm5.large')?.usdPerHour).toBe(0.096);
    expect(market.onDemandPrice('eu-west-1', 'm5.large')).toEqual({ usdPerHour: 0.107, source: 'ec2instances-2024-04', sourceDate: '2024-04-04' });
    expect(market.onDemandPrice('ap-south-1', 'm5.large')?.usdPerHour).toBe(0.101);
  });

  it('p4de.24xlarge us-east-1 uses the newer Karpenter price 27.44705 (not 40.96575)', () => {
    expect(market.onDemandPrice('us-east-1', 'p4de.24xlarge')).toEqual({ usdPerHour: 27.44705, source: 'karpenter-2026-07', sourceDate: '2026-07-20' });
  });

  it('returns undefined for a type without a price in a known region; UNKNOWN_REGION for an unknown region', () => {
    expect(market.onDemandPrice('us-east-1', 'm5.huge')).toBeUndefined();
    expect(market.onDemandPrice('mx-central-1', 'm5.large')).toBeUndefined();
    expect(codeOf(() => market.onDemandPrice('mars-north-1', 'm5.large'))).toBe('UNKNOWN_REGION');
  });
});

describe('Spot Advisor', () => {
  it('gives the latest entry with its label and date', () => {
    const a = market.spotAdvisor('us-east-1', 'm5.large');
    expect(a?.snapshotDate).toBe('2025-06-28');
    expect(a && INTERRUPTION_BUCKETS[a.interruptionBucket]?.label).toBe(a?.interruptionLabel);
    expect(market.spotAdvisor('us-east-1', 'm5.huge')).toBeUndefined();
    expect(codeOf(() => market.spotAdvisor('nowhere-1', 'm5.large'))).toBe('UNKNOWN_REGION');
    // the one published negative saving
    expect(market.spotAdvisor('ca-central-1', 'p5.48xlarge')?.savingsPct).toBe(-62);
  });

  it('history is sorted by date and ends with the latest snapshot', () => {
    const h = market.spotAdvisorHistory('us-east-1', 'm5.large');
    expect(h.length).toBe(14);
    expect(h.map((e) => e.snapshotDate)).toEqual([...h.map((e) => e.snapshotDate)].sort());
    expect(h.at(-1)).toEqual(market.spotAdvisor('us-east-1', 'm5.large'));
    expect(market.spotAdvisorHistoryDates()).toHaveLength(14);
    expect(market.spotAdvisorHistory('us-east-1', 'm5.huge')).toEqual([]);
  });

  it('bucket table is ordered with increasing midpoints', () => {
    expect(INTERRUPTION_BUCKETS.map((b) => b.label)).toEqual(['<5%', '5-10%', '10-15%', '15-20%', '>20%']);
    const mids = INTERRUPTION_BUCKETS.map((b) => b.midpointRate);
    expect(mids).toEqual([...mids].sort((a, b) => a - b));
  });
});

describe('findInstanceTypes', () => {
  it('2 vCPU / 8 GiB in us-east-1 includes m5.large with its prices, sorted by price', () => {
    const offers = market.findInstanceTypes({ region: 'us-east-1', minVcpu: 2, maxVcpu: 2, minMemoryGib: 8, maxMemoryGib: 8 });
    const m5 = offers.find((o) => o.instanceType === 'm5.large');
    expect(m5?.onDemand.usdPerHour).toBe(0.096);
    expect(m5?.spotAdvisor).toEqual(market.spotAdvisor('us-east-1', 'm5.large'));
    expect(m5?.instance.vcpu).toBe(2);
    const prices = offers.map((o) => o.onDemand.usdPerHour);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    expect(offers.every((o) => o.instance.gpuCount === 0 || o.instance.gpuCount === null)).toBe(true);
    expect(offers.some((o) => o.instanceType.startsWith('g6f.'))).toBe(false); // fractional GPU excluded by default
  });

  it('filters by architecture, families, GPUs and spot evidence', () => {
    const arm = market.findInstanceTypes({ region: 'us-east-1', minVcpu: 4, maxVcpu: 4, architecture: 'arm64', families: ['m7g', 'c7g'] });
    expect(arm.map((o) => o.instanceType).sort()).toEqual(['c7g.xlarge', 'm7g.xlarge']);
    const gpu = market.findInstanceTypes({ region: 'us-east-1', minGpus: 8 });
    expect(gpu.some((o) => o.instanceType === 'p4de.24xlarge')).toBe(true);
    const spot = market.findInstanceTypes({ region: 'us-east-1', minVcpu: 2, maxVcpu: 2, spotOnly: true });
    expect(spot.length).toBeGreaterThan(0);
    expect(spot.every((o) => o.spotAdvisor !== null)).toBe(true);
    expect(market.findInstanceTypes({ region: 'mx-central-1', minVcpu: 2 })).toEqual([]); // no on-demand prices there
  });

  it('rejects bad requirements with VALIDATION_FAILED naming the path, and unknown regions', () => {
    let details: unknown;
    try {
      market.findInstanceTypes({ region: 'us-east-1', minVcpu: -2 });
    } catch (err) {
      expect(isAppError(err) && err.code).toBe('VALIDATION_FAILED');
      details = isAppError(err) ? err.details : undefined;
    }
    expect(details).toMatchObject({ issues: [{ path: 'minVcpu' }] });
    expect(codeOf(() => market.findInstanceTypes({ region: 'us-east-1', minVcpu: 4, maxVcpu: 2 }))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => market.findInstanceTypes({ region: 'mars-north-1', minVcpu: 2 }))).toBe('UNKNOWN_REGION');
  });
});

describe('lazy parts and data dates', () => {
  it('loads the spot price history once per Market', async () => {
    const a = market.spotPriceHistory();
    expect(market.spotPriceHistory()).toBe(a);
    expect((await a).priceAt('us-east-1a', 'm5.large', Date.parse('2021-04-01T00:00:00Z'))).toBeGreaterThan(0.03);
  });

  it('reports the dates of its data', () => {
    expect(market.dataDates()).toEqual({ onDemand: { karpenter: '2026-07-20', ec2instances: '2024-04-04' }, spotAdvisorLatest: '2025-06-28' });
  });
});

describe('loadMarket cache', () => {
  it('memoizes per dataDir unless cache: false', () => {
    expect(loadMarket()).toBe(market);
    expect(loadMarket({ cache: false })).not.toBe(market);
  });
});
