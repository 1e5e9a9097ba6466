/**
 * Property tests with synthetic price sources over the real catalog and Spot Advisor: whatever the prices,
 * plans never break a constraint.
 */
import { loadMarket, type Market } from '@cloudoptim/market';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashString } from '../rng.ts';
import { selectSpotPools, type SpotPoolPriceSource, type SpotSelectionInput, type SpotSelectionResult } from './index.ts';

const REGION = 'us-east-1';
const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d'];
const REQUIREMENT = { minVcpu: 2, maxVcpu: 4, minMemoryGib: 4, maxMemoryGib: 16, architecture: 'x86_64' as const };
const NOW = Date.parse('2024-03-05T14:00:00Z');

let market: Market;
beforeAll(() => {
  market = loadMarket();
});

interface Scenario {
  seed: number;
  missingShare: number;
  notCheaperShare: number;
  withSeries: boolean;
  nodeCount: number;
  maxFamilyShare: number;
  minSafetyScore: number;
  maxReplicasPerPool: number | null;
}

const unit = (key: string, seed: number): number => hashString(`${seed}|${key}`) / 4294967296;

/** Deterministic synthetic prices: some pools missing, some at or above on-demand, the rest 15–95% of it. */
function syntheticPrices(s: Scenario): SpotPoolPriceSource {
  const priceAt = (az: string, type: string, timeMs: number): number | undefined => {
    const od = market.onDemandPrice(REGION, type)?.usdPerHour;
    if (od === undefined) return undefined;
    const u = unit(`${az}|${type}`, s.seed);
    if (u < s.missingShare) return undefined;
    if (u < s.missingShare + s.notCheaperShare) return od * (1 + unit(`above|${az}|${type}`, s.seed) * 0.3);
    const wobble = 1 + 0.1 * Math.sin(timeMs / 3.6e6 + unit(`phase|${az}|${type}`, s.seed) * 6);
    return od * (0.15 + 0.8 * unit(`level|${az}|${type}`, s.seed)) * wobble;
  };
  const source: SpotPoolPriceSource = { priceAt, name: 'synthetic' };
  if (s.withSeries) {
    source.series = (az, type, fromMs, toMs) => {
      const out: { timeMs: number; usdPerHour: number }[] = [];
      for (let t = fromMs - (fromMs % 3.6e6); t <= toMs; t += 6 * 3.6e6) {
        const p = priceAt(az, type, t);
        if (p !== undefined) out.push({ timeMs: t, usdPerHour: p });
      }
      return out;
    };
  }
  return source;
}

const scenario = fc.record({
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  missingShare: fc.double({ min: 0, max: 0.9, noNaN: true }),
  notCheaperShare: fc.double({ min: 0, max: 0.5, noNaN: true }),
  withSeries: fc.boolean(),
  nodeCount: fc.integer({ min: 0, max: 40 }),
  maxFamilyShare: fc.constantFrom(0.4, 0.25, 0.5),
  minSafetyScore: fc.constantFrom(0.65, 0.4),
  maxReplicasPerPool: fc.constantFrom(null, 1, 3),
});

function run(s: Scenario, extra: Partial<SpotSelectionInput> = {}): SpotSelectionResult {
  return selectSpotPools(market, {
    region: REGION,
    availabilityZones: AZS,
    requirement: REQUIREMENT,
    nodeCount: s.nodeCount,
    now: NOW,
    prices: syntheticPrices(s),
    options: { maxFamilyShare: s.maxFamilyShare, minSafetyScore: s.minSafetyScore, maxReplicasPerPool: s.maxReplicasPerPool, advisorSnapshot: 'latest' },
    ...extra,
  });
}

describe('selectSpotPools properties (synthetic prices)', () => {
  it('never breaks a constraint', () => {
    let withSpot = 0;
    let mixed = 0;
    fc.assert(
      fc.property(scenario, (s) => {
        const r = run(s);
        const n = s.nodeCount;
        expect(r.outcome).not.toBe('infeasible'); // fallback is on and the requirement always fits
        expect(r.allocations.reduce((sum, a) => sum + a.nodeCount, 0)).toBe(n);
        const family = new Map<string, number>();
        const az = new Map<string, number>();
        for (const a of r.allocations) {
          expect(a.nodeCount).toBeGreaterThan(0);
          if (a.capacityType !== 'spot') continue;
          expect(a.priceUsdPerHour).toBeLessThan(a.onDemandPriceUsdPerHour);
          expect(a.riskClass).not.toBe('avoid');
          if (s.minSafetyScore >= 0.65) expect(a.riskClass).toBe('safe');
          expect(a.nodeCount).toBeLessThanOrEqual(r.rationale.caps.poolNodes);
          if (s.maxReplicasPerPool !== null) expect(a.nodeCount).toBeLessThanOrEqual(s.maxReplicasPerPool);
          family.set(a.family, (family.get(a.family) ?? 0) + a.nodeCount);
          az.set(a.availabilityZone, (az.get(a.availabilityZone) ?? 0) + a.nodeCount);
        }
        for (const v of family.values()) {
          expect(v).toBeLessThanOrEqual(Math.max(1, Math.floor(s.maxFamilyShare * n + 1e-9)));
          // The share itself holds whenever the plan is big enough for it to be satisfiable.
          if (n * s.maxFamilyShare >= 1) expect(v / n).toBeLessThanOrEqual(s.maxFamilyShare + 1e-9);
        }
        for (const v of az.values()) expect(v).toBeLessThanOrEqual(r.rationale.caps.azNodes);
        // Never a pool whose spot price is at or above on-demand, chosen or not.
        for (const x of r.rejected) if (x.reason !== 'spot_not_cheaper' && x.priceUsdPerHour !== undefined) expect(x.priceUsdPerHour).toBeLessThan(market.onDemandPrice(REGION, x.instanceType)!.usdPerHour);
        const spot = r.allocations.filter((a) => a.capacityType === 'spot').length;
        if (n > 0) expect(r.outcome).toBe(spot === 0 ? 'on_demand_fallback' : 'planned');
        if (spot > 0) withSpot++;
        if (spot > 0 && r.allocations.some((a) => a.capacityType === 'on-demand')) mixed++;
      }),
      { numRuns: 60 },
    );
    // The generator must exercise real spot plans, not only fallbacks.
    expect(withSpot).toBeGreaterThan(20);
    expect(mixed).toBeGreaterThan(0);
  });

  it('falls back to on-demand when every pool is unsafe', () => {
    fc.assert(
      fc.property(scenario, fc.double({ min: 0.3, max: 1, noNaN: true }), (s, p) => {
        const r = run({ ...s, nodeCount: Math.max(1, s.nodeCount) }, { riskModel: { version: 'unsafe', predict: () => p } });
        expect(r.outcome).toBe('on_demand_fallback');
        expect(r.allocations.every((a) => a.capacityType === 'on-demand')).toBe(true);
        expect(r.rejected.some((x) => x.reason === 'risk_avoid' || x.reason === 'risk_below_min_safety' || x.reason === 'no_price_data' || x.reason === 'spot_not_cheaper')).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it('gives the same output for the same input', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        expect(JSON.stringify(run(s))).toBe(JSON.stringify(run(s)));
      }),
      { numRuns: 20 },
    );
  });
});
