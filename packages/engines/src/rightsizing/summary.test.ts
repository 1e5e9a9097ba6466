import { ContainerRecommendationSchema } from '@cloudoptim/contracts';
import { describe, expect, it } from 'vitest';
import { recommendCloudOptim } from './cloudoptim-recommender.ts';
import { HOURS_PER_MONTH, summarizeWorkload, toContainerRecommendation } from './summary.ts';
import { current, DAY, GIB, T0, usage } from './test-fixtures.ts';
import type { ContainerRightsizing } from './types.ts';
import { noData } from './vpa-recommender.ts';

const PRICES = { cpuUsdPerVcpuHour: 0.04, memoryUsdPerGibHour: 0.005 };
const rec = (cpu: number, mem: number, confidence = 0.8): ContainerRightsizing => ({
  containerId: 'x',
  recommender: 'cloudoptim',
  status: 'ok',
  cpuRequestMillicores: cpu,
  memoryRequestBytes: mem,
  limits: { cpuMillicores: null, memoryBytes: mem },
  lowerBound: { cpuMillicores: cpu, memoryBytes: mem },
  upperBound: { cpuMillicores: cpu, memoryBytes: mem },
  confidence,
  rationale: { summary: '', factors: [], data_sources: [] },
});

describe('summarizeWorkload', () => {
  it.each([
    { name: 'halving one container', cs: [{ current: current(2000, 4 * GIB), recommendation: rec(1000, 2 * GIB) }], savingsPerHour: 0.04 + 0.01 },
    { name: 'replicas multiply', cs: [{ current: current(2000, 4 * GIB), recommendation: rec(1000, 2 * GIB), replicas: 3 }], savingsPerHour: 3 * 0.05 },
    { name: 'a bigger recommendation is a negative saving', cs: [{ current: current(500, GIB), recommendation: rec(1500, GIB) }], savingsPerHour: -0.04 },
    { name: 'no-data keeps the current requests', cs: [{ current: current(2000, 4 * GIB), recommendation: noData('x', 'vpa', current(2000, 4 * GIB), T0) }], savingsPerHour: 0 },
  ])('$name', ({ cs, savingsPerHour }) => {
    const s = summarizeWorkload(cs, PRICES);
    expect(s.savingsUsdPerHour).toBeCloseTo(savingsPerHour, 10);
    expect(s.savingsUsdPerMonth).toBeCloseTo(savingsPerHour * HOURS_PER_MONTH, 8);
    expect(s.rationale.summary).toContain('/month');
  });

  it('workload confidence is the weakest container’s', () => {
    const s = summarizeWorkload(
      [
        { current: current(), recommendation: rec(100, GIB, 0.9) },
        { current: current(), recommendation: rec(100, GIB, 0.3) },
      ],
      PRICES,
    );
    expect(s.confidence).toBe(0.3);
  });
});

describe('toContainerRecommendation', () => {
  it('produces a valid contract ContainerRecommendation from a real recommendation', () => {
    const r = recommendCloudOptim({ containerId: 'c', samples: usage(3, () => 333.3, () => 1.5 * GIB), current: current(1000, 2 * GIB) }, { now: T0 + 3 * DAY });
    const wire = toContainerRecommendation({ namespace: 'shop', owner: { kind: 'Deployment', name: 'web' }, containerName: 'app' }, current(1000, 2 * GIB), r);
    expect(ContainerRecommendationSchema.parse(wire)).toEqual(wire);
    expect(wire.recommended_cpu_limit_millicores).toBeNull();
    expect(wire.recommended_memory_request_bytes).toBe(r.memoryRequestBytes);
  });
});
