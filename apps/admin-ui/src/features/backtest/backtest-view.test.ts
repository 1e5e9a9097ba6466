import { describe, expect, it } from 'vitest';
import { strategyRows } from './backtest-view.ts';

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
});
