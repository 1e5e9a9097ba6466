import { describe, expect, it } from 'vitest';
import { backtestCaption, defaultWindow, strategyRows } from './backtest-view.ts';

describe('strategyRows', () => {
  it('reads strategies in either case style, with plain or per-seed statistics', () => {
    const rows = strategyRows({
      strategies: [
        { name: 'on_demand', description: 'all on-demand', cost_usd: { mean: 100, min: 90 }, savings_pct: 0, interruptions: { mean: 0 }, spot_share_pct: 0, daily_cost_usd: [50, 50] },
        { name: 'cloudoptim', costUsd: 40, savingsPct: { mean: 60 }, dailyCostUsd: [20, 20, 'x'] },
      ],
    });
    expect(rows).toEqual([
      { name: 'on_demand', description: 'all on-demand', costUsd: 100, savingsPct: 0, interruptions: 0, spotSharePct: 0, dailyCostUsd: [50, 50] },
      { name: 'cloudoptim', description: '', costUsd: 40, savingsPct: 60, interruptions: null, spotSharePct: null, dailyCostUsd: [20, 20] },
    ]);
  });

  it('is empty for an answer without strategies', () => {
    expect(strategyRows({ error: 'x' })).toEqual([]);
  });

  it("reads central's answer, where a statistic that is not a number is null", () => {
    const rows = strategyRows({ strategies: [{ name: 'on-demand', description: 'd', cost_usd: { mean: 0, std: 0, min: 0, max: 0 }, savings_pct: { mean: null, std: null, min: null, max: null }, interruptions: { mean: 0 }, spot_share_pct: { mean: 0 }, daily_cost_usd: [0] }] });
    expect(rows[0]).toMatchObject({ costUsd: 0, savingsPct: null });
  });
});

describe('defaultWindow', () => {
  const regions = [{ region: 'us-east-1', first: '2021-03-02T00:05:00.000Z', last: '2021-05-31T23:55:00.000Z' }, { region: 'xx-test-1', first: '2021-01-01T00:00:00.000Z', last: '2021-01-04T12:00:00.000Z' }];
  it("offers the region's last full week of history, past the first day's warm-up", () => {
    expect(defaultWindow(regions, 'us-east-1')).toEqual({ from: '2021-05-24', to: '2021-05-31' });
    expect(defaultWindow(regions, 'xx-test-1')).toEqual({ from: '2021-01-02', to: '2021-01-04' });
    expect(defaultWindow(regions, 'eu-west-1')).toBeNull();
  });
});

describe('backtestCaption', () => {
  it('names the workload, region, zones and simulated window', () => {
    const caption = backtestCaption({ region: 'us-east-1', zones: ['us-east-1a'], effective_from: '2021-05-01T00:00:00.000Z', effective_to: '2021-05-03T00:00:00.000Z', workload: { name: 'prod', nodeCount: 2, node: { vcpu: 2, memoryGib: 8 } } });
    expect(caption).toBe('prod: 2 nodes of 2 vCPU / 8 GiB in us-east-1 (us-east-1a), 2021-05-01 00:00 … 2021-05-03 00:00 UTC');
  });
});
