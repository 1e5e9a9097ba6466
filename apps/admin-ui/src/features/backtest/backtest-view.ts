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

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The window to offer first for a region: its last 7 days of price history, or null when the coverage does
 * not list the region. Days are `YYYY-MM-DD`; `to` is exclusive (the day after the last record).
 */
export function defaultWindow(regions: readonly { region: string; first: string; last: string }[], region: string): { from: string; to: string } | null {
  const c = regions.find((r) => r.region === region);
  if (!c) return null;
  const to = Math.floor(Date.parse(c.last) / DAY_MS) * DAY_MS;
  const from = Math.max(Date.parse(c.first) + DAY_MS, to - 7 * DAY_MS);
  return { from: isoDay(from), to: isoDay(to) };
}

/** The line under the result's title: what was replayed, where and when. */
export function backtestCaption(answer: Record<string, unknown>): string {
  const workload = typeof answer.workload === 'object' && answer.workload !== null ? (answer.workload as Record<string, unknown>) : {};
  const node = typeof workload.node === 'object' && workload.node !== null ? (workload.node as Record<string, unknown>) : {};
  const nodes = typeof workload.nodeCount === 'number' ? `${workload.nodeCount} nodes` : 'a daily node profile';
  const size = typeof node.vcpu === 'number' && typeof node.memoryGib === 'number' ? ` of ${node.vcpu} vCPU / ${node.memoryGib} GiB` : '';
  const from = String(answer.effective_from ?? '').slice(0, 16).replace('T', ' ');
  const to = String(answer.effective_to ?? '').slice(0, 16).replace('T', ' ');
  const zones = Array.isArray(answer.zones) ? answer.zones.join(' ') : '';
  return `${String(workload.name ?? 'workload')}: ${nodes}${size} in ${String(answer.region ?? '')} (${zones}), ${from} … ${to} UTC`;
}
