/**
 * Reads a backtest answer (the engine's BacktestResult as the server sends it: strategies with cost, savings,
 * interruptions and daily cost) into rows and chart columns. Field names are read in snake_case or camelCase,
 * and a statistic may be a number or `{mean, …}` (the engine's per-seed statistics).
 */

export interface StrategyRow {
  name: string;
  description: string;
  costUsd: number | null;
  savingsPct: number | null;
  interruptions: number | null;
  spotSharePct: number | null;
  dailyCostUsd: number[];
}

function field(o: Record<string, unknown>, snake: string): unknown {
  const camel = snake.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
  return o[snake] ?? o[camel];
}

function stat(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { mean?: unknown }).mean === 'number') return (value as { mean: number }).mean;
  return null;
}

export function strategyRows(answer: Record<string, unknown>): StrategyRow[] {
  const strategies = answer.strategies;
  if (!Array.isArray(strategies)) return [];
  return strategies
    .filter((s): s is Record<string, unknown> => typeof s === 'object' && s !== null)
    .map((s) => {
      const daily = field(s, 'daily_cost_usd');
      return {
        name: String(s.name ?? 'strategy'),
        description: String(s.description ?? ''),
        costUsd: stat(field(s, 'cost_usd')),
        savingsPct: stat(field(s, 'savings_pct')),
        interruptions: stat(field(s, 'interruptions')),
        spotSharePct: stat(field(s, 'spot_share_pct')),
        dailyCostUsd: Array.isArray(daily) ? daily.filter((d): d is number => typeof d === 'number') : [],
      };
    });
}
