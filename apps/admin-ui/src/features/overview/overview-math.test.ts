import { describe, expect, it } from 'vitest';
import type { ClusterSavings, ClusterSummary, SavingsOverview, SavingsPoint } from '../../api/wire-types.ts';
import { lastContact, liveTotals, savingsHistory, trendColumns } from './overview-math.ts';

const cluster = (over: Partial<ClusterSummary>): ClusterSummary => ({
  cluster_id: 'c',
  customer_id: 'a',
  cluster_name: 'c',
  region: 'us-east-1',
  aws_account_id: null,
  health_status: 'GREEN',
  total_nodes: 0,
  spot_nodes: 0,
  on_demand_nodes: 0,
  total_pods: 0,
  pending_pods: 0,
  current_cost_per_hour: 0,
  baseline_cost_per_hour: 0,
  last_updated: null,
  last_heartbeat_at: null,
  created_at: '2026-01-01T00:00:00Z',
  ...over,
});

const point = (at: string, cost: number, baseline: number, hours = 1): SavingsPoint => ({ at, cost, baseline, savings: baseline - cost, covered_hours: hours });

describe('liveTotals', () => {
  it('sums cost and baseline over clusters and derives the saving, its share and the month at 730 h', () => {
    const t = liveTotals([cluster({ current_cost_per_hour: 1, baseline_cost_per_hour: 3, total_nodes: 4, spot_nodes: 3, on_demand_nodes: 1 }), cluster({ current_cost_per_hour: 2, baseline_cost_per_hour: 2, total_nodes: 3, spot_nodes: 0, on_demand_nodes: 2 })]);
    expect(t).toMatchObject({ costPerHour: 3, baselinePerHour: 5, savingsPerHour: 2, savingsFraction: 0.4, projectedMonthlySavings: 1460, spotNodes: 3, onDemandNodes: 3, otherNodes: 1, totalNodes: 7 });
  });

  it('has no savings share without a baseline', () => {
    expect(liveTotals([]).savingsFraction).toBeNull();
  });
});

describe('savingsHistory', () => {
  const summary = (series: SavingsPoint[], cumulative: number) => ({ current_cost_per_hour: 0, baseline_cost_per_hour: 0, savings_per_hour: 0, savings_per_month: 0, savings_percent: null, cumulative_savings: cumulative, period: { cost: 0, baseline: 0, savings: 0, covered_hours: 0 }, series });
  const of = (customer: string, id: string, series: SavingsPoint[], cumulative: number): ClusterSavings => ({ cluster_id: id, customer_id: customer, cluster_name: id, as_of: null, ...summary(series, cumulative) });
  const overview: SavingsOverview = {
    from: '',
    to: '',
    step_seconds: 3600,
    total: summary([point('2026-01-01T00:00:00Z', 9, 19)], 100),
    clusters: [of('a', 'c1', [point('2026-01-01T01:00:00Z', 1, 2), point('2026-01-01T00:00:00Z', 2, 4)], 10), of('a', 'c2', [point('2026-01-01T00:00:00Z', 3, 5)], 20), of('b', 'c3', [point('2026-01-01T00:00:00Z', 4, 10)], 70)],
    plans: [],
  };

  it('is the server total when the view is not narrowed', () => {
    expect(savingsHistory(overview, null)).toEqual({ cumulativeSavings: 100, series: overview.total.series });
  });

  it('sums one customer’s clusters bucket by bucket, in time order', () => {
    const h = savingsHistory(overview, 'a');
    expect(h.cumulativeSavings).toBe(30);
    expect(h.series).toEqual([point('2026-01-01T00:00:00Z', 5, 9, 2), point('2026-01-01T01:00:00Z', 1, 2)]);
  });
});

describe('trendColumns', () => {
  it('gives USD per covered hour and breaks the line where a bucket has no samples', () => {
    const c = trendColumns([point('2026-01-01T00:00:00Z', 4, 8, 2), point('2026-01-01T01:00:00Z', 0, 0, 0)]);
    expect(c).toEqual({ x: [Date.parse('2026-01-01T00:00:00Z') / 1000, Date.parse('2026-01-01T01:00:00Z') / 1000], cost: [2, null], baseline: [4, null] });
  });
});

describe('lastContact', () => {
  it('is the later of the heartbeat and the last report', () => {
    expect(lastContact({ last_heartbeat_at: '2026-01-01T00:00:10Z', last_updated: '2026-01-01T00:00:20Z' })).toBe('2026-01-01T00:00:20Z');
    expect(lastContact({ last_heartbeat_at: null, last_updated: null })).toBeNull();
  });
});
