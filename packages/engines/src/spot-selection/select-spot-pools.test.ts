/**
 * Table tests on real us-east-1 data: the 2021-03…05 per-AZ spot price history, the Spot Advisor snapshot in
 * force then (2021-02-10), the shipped on-demand list.
 */
import { AppError, RecommendationSchema, RiskAssessmentSchema } from '@cloudoptim/contracts';
import { loadMarket, type Market, type SpotPriceHistory } from '@cloudoptim/market';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectSpotPools, toDecisionRecommendations, toRiskAssessment, type SpotSelectionInput, type SpotSelectionResult } from './index.ts';

const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1e', 'us-east-1f'];
const NOW = Date.parse('2021-04-14T15:00:00Z'); // a Wednesday, 11:00 in New York
const M5_LARGE_ISH = { minVcpu: 2, maxVcpu: 2, minMemoryGib: 8, maxMemoryGib: 8, architecture: 'x86_64' as const };

let market: Market;
let history: SpotPriceHistory;
beforeAll(async () => {
  market = loadMarket();
  history = await market.spotPriceHistory();
});

const input = (over: Partial<SpotSelectionInput> = {}): SpotSelectionInput => ({ region: 'us-east-1', availabilityZones: AZS, requirement: M5_LARGE_ISH, nodeCount: 10, now: NOW, prices: history, ...over });
const spotNodes = (r: SpotSelectionResult) => r.allocations.filter((a) => a.capacityType === 'spot').reduce((s, a) => s + a.nodeCount, 0);
const total = (r: SpotSelectionResult) => r.allocations.reduce((s, a) => s + a.nodeCount, 0);
const maxFamilyNodes = (r: SpotSelectionResult) => {
  const m = new Map<string, number>();
  for (const a of r.allocations) if (a.capacityType === 'spot') m.set(a.family, (m.get(a.family) ?? 0) + a.nodeCount);
  return Math.max(0, ...m.values());
};

describe('selectSpotPools on us-east-1, 2021-04', () => {
  it.each([
    { name: 'm5.large-ish, 10 nodes: all spot, diversified', over: {}, outcome: 'planned', spot: 10, families: 4 },
    { name: 'm5.large-ish, 20 nodes', over: { nodeCount: 20 }, outcome: 'planned', spot: 20, families: 8 },
    { name: 'm5 only: 40% on spot m5, rest on-demand', over: { requirement: { ...M5_LARGE_ISH, families: ['m5'] } }, outcome: 'planned', spot: 4, families: 4 },
    { name: 'Graviton: no 2021 spot prices in the capture → on-demand', over: { requirement: { minVcpu: 2, maxVcpu: 2, minMemoryGib: 8, maxMemoryGib: 8, architecture: 'arm64' as const } }, outcome: 'on_demand_fallback', spot: 0, families: 0 },
    { name: 'a safety bar nothing meets → on-demand', over: { options: { minSafetyScore: 0.99 } }, outcome: 'on_demand_fallback', spot: 0, families: 0 },
    { name: 'nothing fits → infeasible', over: { requirement: { minVcpu: 100_000 } }, outcome: 'infeasible', spot: 0, families: 0 },
    { name: 'm5 only without fallback → infeasible, spot part kept', over: { requirement: { ...M5_LARGE_ISH, families: ['m5'] }, options: { allowOnDemandFallback: false } }, outcome: 'infeasible', spot: 4, families: 4 },
  ])('$name', ({ over, outcome, spot, families }) => {
    const r = selectSpotPools(market, input(over));
    expect(r.outcome).toBe(outcome);
    expect(spotNodes(r)).toBe(spot);
    expect(maxFamilyNodes(r)).toBeLessThanOrEqual(families);
    const n = over.nodeCount ?? 10;
    expect(total(r) + r.unplacedNodeCount).toBe(n);
    if (outcome !== 'infeasible') expect(r.unplacedNodeCount).toBe(0);
    for (const a of r.allocations) {
      if (a.capacityType === 'spot') {
        expect(a.priceUsdPerHour).toBeLessThan(a.onDemandPriceUsdPerHour);
        expect(a.riskClass).toBe('safe');
        expect(a.factors?.advisorSnapshotDate).toBe('2021-02-10');
        expect(a.dataAgeSeconds).toBeGreaterThan(0);
      }
    }
  });

  it('picks cheap safe pools, spreads them, and explains every loser', () => {
    const r = selectSpotPools(market, input());
    expect(r.rationale.caps).toMatchObject({ familyNodes: 4, poolNodes: 2, azNodes: 4 });
    expect(new Set(r.allocations.map((a) => a.availabilityZone)).size).toBeGreaterThanOrEqual(3);
    for (const a of r.allocations) expect(a.nodeCount).toBeLessThanOrEqual(2);
    // t2.large is cheap in several AZs but Spot Advisor said >20% in 2021-02: rejected as "avoid".
    const t2 = r.rejected.filter((x) => x.instanceType === 't2.large' && x.priceUsdPerHour !== undefined);
    expect(t2.length).toBeGreaterThan(0);
    expect(t2.every((x) => x.reason === 'risk_avoid' || x.reason === 'spot_not_cheaper')).toBe(true);
    // Every fitting pool is accounted for: chosen or rejected with a reason.
    const chosen = new Set(r.allocations.map((a) => `${a.instanceType}|${a.availabilityZone}`));
    const rejected = new Set(r.rejected.map((x) => `${x.instanceType}|${x.availabilityZone}`));
    expect(chosen.size + rejected.size).toBe(r.rationale.candidates.poolsConsidered);
    // No eligible pool left out is cheaper than a chosen one unless a cap blocked it.
    const dearestChosen = Math.max(...r.allocations.map((a) => a.expectedCostUsdPerHour));
    for (const x of r.rejected) if (x.reason === 'higher_expected_cost') expect(x.expectedCostUsdPerHour).toBeGreaterThanOrEqual(dearestChosen);
    expect(r.rationale.closestAlternatives.length).toBe(5);
    expect(r.expectedCostUsdPerHour).toBeLessThan(r.onDemandCostUsdPerHour);
    expect(r.estimatedMonthlySavingsUsd).toBeCloseTo((r.onDemandCostUsdPerHour - r.expectedCostUsdPerHour) * 730, 6);
    expect(r.rationale.dataSources.map((d) => d.name).join(' ')).toMatch(/spot-advisor 2021-02-10/);
    expect(r.rationale.dataSources.find((d) => d.name.startsWith('on-demand'))?.afterDecisionTime).toBe(true);
  });

  it('expected cost includes the interruption cost, so a dearer per-event cost moves the plan to safer pools', () => {
    const cheapEvents = selectSpotPools(market, input({ options: { interruptionCostUsd: 0 } }));
    const dearEvents = selectSpotPools(market, input({ options: { interruptionCostUsd: 500 } }));
    const rate = (r: SpotSelectionResult) => r.allocations.reduce((s, a) => s + a.nodeCount * (a.factors?.monthlyInterruptionRate ?? 0), 0) / 10;
    expect(rate(dearEvents)).toBeLessThan(rate(cheapEvents));
    for (const a of cheapEvents.allocations) expect(a.expectedCostUsdPerHour).toBe(a.priceUsdPerHour);
  });

  it('honours the per-workload replica cap per pool', () => {
    const r = selectSpotPools(market, input({ nodeCount: 12, options: { maxReplicasPerPool: 1 } }));
    expect(total(r)).toBe(12);
    for (const a of r.allocations.filter((x) => x.capacityType === 'spot')) expect(a.nodeCount).toBe(1);
  });

  it('uses a learned model when given and names its version', () => {
    const model = { version: 'risk-2021.04.1', predict: (p: { instanceType: string }) => (p.instanceType.startsWith('t3a') ? 0.5 : 0.001) };
    const r = selectSpotPools(market, input({ riskModel: model }));
    expect(r.rationale.scoring).toBe('model');
    expect(r.rationale.modelVersion).toBe('risk-2021.04.1');
    expect(r.allocations.some((a) => a.instanceType.startsWith('t3a'))).toBe(false);
    for (const a of r.allocations) {
      expect(a.factors?.probabilitySource).toBe('model');
      expect(a.interruptionProbability).toBeCloseTo(0.001, 9);
    }
    expect(r.rejected.some((x) => x.instanceType.startsWith('t3a') && /model risk-2021\.04\.1/.test(x.detail))).toBe(true);
  });

  it('a model that finds every pool unsafe sends everything on-demand', () => {
    const r = selectSpotPools(market, input({ riskModel: { version: 'pessimist', predict: () => 0.95 } }));
    expect(r.outcome).toBe('on_demand_fallback');
    expect(r.allocations.every((a) => a.capacityType === 'on-demand')).toBe(true);
    expect(r.allocations[0]?.instanceType).toBe('t3a.large'); // cheapest fitting on-demand type
  });

  it('explains named types that do not fit', () => {
    const r = selectSpotPools(market, input({ options: { explainTypes: ['c5.large', 'm6g.large', 'zz9.huge', 'm5.large'] } }));
    const why = Object.fromEntries(r.rejected.filter((x) => x.availabilityZone === '*').map((x) => [x.instanceType, `${x.reason}: ${x.detail}`]));
    expect(why).toEqual({ 'c5.large': 'does_not_fit: 4 GiB < min 8', 'm6g.large': 'does_not_fit: architecture arm64 ≠ x86_64', 'zz9.huge': 'unknown_type: not in the instance catalog' });
  });

  it('is deterministic', () => {
    expect(JSON.stringify(selectSpotPools(market, input({ nodeCount: 17 })))).toBe(JSON.stringify(selectSpotPools(market, input({ nodeCount: 17 }))));
  });

  it('maps onto the contracts Recommendation and RiskAssessment shapes', () => {
    for (const over of [{}, { requirement: { ...M5_LARGE_ISH, families: ['m5'] } }, { options: { minSafetyScore: 0.99 } }]) {
      const r = selectSpotPools(market, input(over));
      const recs = toDecisionRecommendations(r);
      expect(recs).toHaveLength(r.allocations.length);
      for (const rec of recs) expect(RecommendationSchema.safeParse(rec).success).toBe(true);
      expect(recs.reduce((s, x) => s + x.node_count, 0)).toBe(10);
      expect(recs.reduce((s, x) => s + x.monthly_savings, 0)).toBeCloseTo(r.estimatedMonthlySavingsUsd, 0);
      expect(RiskAssessmentSchema.safeParse(toRiskAssessment(r)).success).toBe(true);
    }
  });

  it('rejects malformed input with VALIDATION_FAILED and an unknown region with UNKNOWN_REGION', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof AppError ? e.code : String(e);
      }
      return 'no error';
    };
    expect(code(() => selectSpotPools(market, input({ nodeCount: -1 })))).toBe('VALIDATION_FAILED');
    expect(code(() => selectSpotPools(market, input({ availabilityZones: ['eu-west-1a'] })))).toBe('VALIDATION_FAILED');
    expect(code(() => selectSpotPools(market, input({ requirement: { minVcpu: 4, maxVcpu: 2 } })))).toBe('VALIDATION_FAILED');
    expect(code(() => selectSpotPools(market, input({ options: { maxFamilyShare: 0 } })))).toBe('VALIDATION_FAILED');
    expect(code(() => selectSpotPools(market, input({ region: 'xx-nowhere-1', availabilityZones: ['xx-nowhere-1a'] })))).toBe('UNKNOWN_REGION');
    expect(code(() => selectSpotPools(market, input({ riskModel: { version: 'nan', predict: () => Number.NaN } })))).toBe('UNPROCESSABLE');
  });

  it('zero nodes is a plan with nothing in it', () => {
    const r = selectSpotPools(market, input({ nodeCount: 0 }));
    expect(r.outcome).toBe('planned');
    expect(r.allocations).toEqual([]);
  });
});
