/**
 * The Overview's numbers. "Now" figures come from the clusters' live state (patched by the admin stream on
 * every metrics report); history (cumulative savings, the trend) from the savings ledger, narrowed to the
 * customer an operator chose. Money is USD; a month is 730 hours, as on the server.
 */
import type { ClusterSummary, SavingsOverview, SavingsPoint } from '../../api/wire-types.ts';

export const HOURS_PER_MONTH = 730;

export interface LiveTotals {
  costPerHour: number;
  baselinePerHour: number;
  savingsPerHour: number;
  /** Share of the baseline saved; null without a baseline (no priced nodes). */
  savingsFraction: number | null;
  projectedMonthlySavings: number;
  spotNodes: number;
  onDemandNodes: number;
  /** Nodes of unknown capacity type. */
  otherNodes: number;
  totalNodes: number;
}

export function liveTotals(clusters: readonly ClusterSummary[]): LiveTotals {
  const sum = (pick: (c: ClusterSummary) => number) => clusters.reduce((s, c) => s + pick(c), 0);
  const costPerHour = sum((c) => c.current_cost_per_hour);
  const baselinePerHour = sum((c) => c.baseline_cost_per_hour);
  const savingsPerHour = baselinePerHour - costPerHour;
  const spotNodes = sum((c) => c.spot_nodes);
  const onDemandNodes = sum((c) => c.on_demand_nodes);
  const totalNodes = sum((c) => c.total_nodes);
  return {
    costPerHour,
    baselinePerHour,
    savingsPerHour,
    savingsFraction: baselinePerHour > 0 ? savingsPerHour / baselinePerHour : null,
    projectedMonthlySavings: savingsPerHour * HOURS_PER_MONTH,
    spotNodes,
    onDemandNodes,
    otherNodes: Math.max(0, totalNodes - spotNodes - onDemandNodes),
    totalNodes,
  };
}

export interface SavingsHistory {
  cumulativeSavings: number;
  series: SavingsPoint[];
}

/**
 * The ledger's history for one customer (summing its clusters bucket by bucket), or the server's total when
 * the view is not narrowed (customerId null).
 */
export function savingsHistory(overview: SavingsOverview, customerId: string | null): SavingsHistory {
  if (customerId === null) return { cumulativeSavings: overview.total.cumulative_savings, series: overview.total.series };
  const clusters = overview.clusters.filter((c) => c.customer_id === customerId);
  const buckets = new Map<string, SavingsPoint>();
  for (const cluster of clusters) {
    for (const p of cluster.series) {
      const b = buckets.get(p.at) ?? { at: p.at, cost: 0, baseline: 0, savings: 0, covered_hours: 0 };
      buckets.set(p.at, { at: p.at, cost: b.cost + p.cost, baseline: b.baseline + p.baseline, savings: b.savings + p.savings, covered_hours: b.covered_hours + p.covered_hours });
    }
  }
  return {
    cumulativeSavings: clusters.reduce((s, c) => s + c.cumulative_savings, 0),
    series: [...buckets.values()].sort((a, b) => a.at.localeCompare(b.at)),
  };
}

/**
 * The trend as chart columns: x in epoch seconds, cost and baseline as USD per covered hour (null where the
 * bucket has no samples, so the line breaks instead of dropping to zero).
 */
export function trendColumns(series: readonly SavingsPoint[]): { x: number[]; cost: (number | null)[]; baseline: (number | null)[] } {
  return {
    x: series.map((p) => Date.parse(p.at) / 1000),
    cost: series.map((p) => (p.covered_hours > 0 ? p.cost / p.covered_hours : null)),
    baseline: series.map((p) => (p.covered_hours > 0 ? p.baseline / p.covered_hours : null)),
  };
}

/** When the cluster was last heard from: its agent's heartbeat, else its last metrics report. */
export function lastContact(cluster: Pick<ClusterSummary, 'last_heartbeat_at' | 'last_updated'>): string | null {
  const times = [cluster.last_heartbeat_at, cluster.last_updated].filter((t): t is string => t !== null);
  return times.length === 0 ? null : times.reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b));
}
