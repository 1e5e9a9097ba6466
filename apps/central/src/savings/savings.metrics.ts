/**
 * Savings gauges on /metrics, per cluster, set by the sampler: the cost rate now and its on-demand baseline
 * (USD per hour), and the cumulative savings (USD). One series per cluster and basis.
 */
import { Gauge, type Registry } from '@cloudoptim/runtime';

const COST = 'cloudoptim_central_cluster_cost_usd_per_hour';
const CUMULATIVE = 'cloudoptim_central_cluster_cumulative_savings_usd';

export interface SavingsMetrics {
  /** basis = current | baseline. */
  cost: Gauge<'cluster_id' | 'basis'>;
  cumulative: Gauge<'cluster_id'>;
}

/** The gauges on `registry`, registered on first use. */
export function savingsMetrics(registry: Registry): SavingsMetrics {
  return {
    cost: (registry.getSingleMetric(COST) as Gauge<'cluster_id' | 'basis'> | undefined) ?? new Gauge({ name: COST, help: 'Cluster cost now (current) and the same capacity on on-demand (baseline), USD per hour', labelNames: ['cluster_id', 'basis'], registers: [registry] }),
    cumulative: (registry.getSingleMetric(CUMULATIVE) as Gauge<'cluster_id'> | undefined) ?? new Gauge({ name: CUMULATIVE, help: 'Savings against the on-demand baseline since the first cost sample, USD', labelNames: ['cluster_id'], registers: [registry] }),
  };
}
