import { loadWorkloadTrace } from '@cloudoptim/market';
import { describe, expect, it } from 'vitest';
import { current, DAY, GIB, HOUR, officeHours, T0, usage } from './test-fixtures.ts';
import { walkForwardRightsizing } from './walk-forward.ts';

const PRICES = { cpuUsdPerVcpuHour: 0.031611, memoryUsdPerGibHour: 0.004237 };

describe('walkForwardRightsizing', () => {
  it('constant usage: no OOM, no throttling, VPA slack ≈ 1 − 1/(1.15 × bucket end)', () => {
    const samples = usage(4, () => 500, () => GIB);
    const r = walkForwardRightsizing(samples, { recommender: 'vpa', initial: current(), startMs: T0 + DAY, prices: PRICES, vpa: { sampleIntervalMs: 300_000 } });
    expect(r.memory.overCount).toBe(0);
    expect(r.cpu.overCount).toBe(0);
    expect(r.cpu.slack).toBeGreaterThan(1 - 1 / 1.15 - 1e-9);
    expect(r.cpu.slack).toBeLessThan(1 - 1 / (1.15 * 1.05) + 0.01);
    expect(r.recommendations).toBe(72);
    expect(r.samples).toBe(3 * 288);
  });

  it('golden: office-hours workload — CloudOptim has less slack than VPA and no more OOM', () => {
    const samples = usage(10, officeHours(200, 1500), officeHours(GIB, 3 * GIB));
    const opts = { initial: current(4000, 8 * GIB), startMs: T0 + 2 * DAY, prices: PRICES, vpa: { sampleIntervalMs: 300_000 } };
    const vpa = walkForwardRightsizing(samples, { ...opts, recommender: 'vpa' });
    const co = walkForwardRightsizing(samples, { ...opts, recommender: 'cloudoptim' });
    expect(co.costSlack).toBeLessThan(0.8 * vpa.costSlack);
    expect(co.memory.overShare).toBeLessThanOrEqual(vpa.memory.overShare);
  });

  it('usage above the memory request is fed back as OOM kills', () => {
    // Memory jumps ×4 on day 3: VPA lags behind and gets OOM kills, then bumps.
    const samples = usage(4, () => 100, (t) => (t < T0 + 3 * DAY ? 500 * 1024 * 1024 : 2 * GIB));
    const r = walkForwardRightsizing(samples, { recommender: 'vpa', initial: current(), startMs: T0 + DAY, prices: PRICES, reRecommendEveryMs: HOUR });
    expect(r.oomEvents).toBeGreaterThan(0);
    expect(r.oomEvents).toBe(r.memory.overCount);
    const off = walkForwardRightsizing(samples, { recommender: 'vpa', initial: current(), startMs: T0 + DAY, prices: PRICES, simulateOom: false });
    expect(off.oomEvents).toBe(0);
  });

  it('golden: real Bitbrains VM 9, first 5 days — both recommenders run and report sane shares', () => {
    const [vm] = loadWorkloadTrace({ vmIds: [9] });
    const s0 = vm?.samples[0];
    if (!vm || !s0) throw new Error('VM 9 missing');
    const samples = vm.samples.filter((s) => s.timeMs < s0.timeMs + 5 * DAY).map((s) => ({ timeMs: s.timeMs, cpuMillicores: s.cpuUsageMillicores, memoryBytes: s.memoryUsageBytes }));
    const opts = { initial: current(s0.cpuProvisionedMillicores, s0.memoryProvisionedBytes), startMs: Math.ceil((s0.timeMs + DAY) / HOUR) * HOUR, prices: PRICES, vpa: { sampleIntervalMs: 300_000 } };
    for (const recommender of ['vpa', 'cloudoptim'] as const) {
      const r = walkForwardRightsizing(samples, { ...opts, recommender });
      expect(r.recommendations).toBe(95); // hourly from day 1 (rounded up to the hour) to the last sample of day 5
      for (const x of [r.cpu.slack, r.memory.slack, r.cpu.overShare, r.memory.overShare, r.costSlack, r.meanConfidence]) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(1);
      }
      // Far below the provisioned 1 vCPU / 4 GiB the VM was given.
      expect(r.requestedCostUsd).toBeLessThan(0.5 * 4 * 24 * (PRICES.cpuUsdPerVcpuHour + 4 * PRICES.memoryUsdPerGibHour));
    }
  });
});
