/**
 * The savings sampler: prices every node of a cluster now (its pool's Spot price, else on-demand — see
 * pricing/node-pricing.ts), with the same capacity on on-demand as the baseline, and stores the sample in
 * cost_samples. The worker samples every cluster once per interval (hourly by default; a cluster sampled less
 * than 90% of an interval ago — e.g. on demand through the admin API — is skipped), tells the admin stream and
 * sets the savings gauges of /metrics.
 */
import { ClustersRepository, CostSamplesRepository, NodesRepository, type Cluster, type CostSample } from '@cloudoptim/db';
import type { CentralContext, WorkerSpec } from '../context.ts';
import { NodePricing } from '../pricing/node-pricing.ts';
import { currentRate, HOURS_PER_MONTH, integrate, round } from './savings-math.ts';
import { savingsMetrics, type SavingsMetrics } from './savings.metrics.ts';

export const SAVINGS_SAMPLER_WORKER = 'savings-sampler';
const CLUSTER_PAGE = 500;

export type CostSamplerDeps = Pick<CentralContext, 'db' | 'clock' | 'log' | 'market' | 'realtime' | 'metrics'>;

export class CostSampler {
  private readonly nodes: NodesRepository;
  private readonly samples: CostSamplesRepository;
  private readonly pricing: NodePricing;
  private readonly gauges: SavingsMetrics;

  constructor(private readonly deps: CostSamplerDeps) {
    this.nodes = new NodesRepository(deps.db.db);
    this.samples = new CostSamplesRepository(deps.db.db);
    this.pricing = new NodePricing(deps.market, { log: deps.log });
    this.gauges = savingsMetrics(deps.metrics);
  }

  /** Samples the cluster's cost now (its nodes as last reported) and publishes the cluster's savings. */
  async sample(cluster: Cluster): Promise<CostSample> {
    const at = new Date(Math.floor(this.deps.clock.now() / 1000) * 1000);
    const nodes = await this.nodes.list(cluster.customerId, cluster.id);
    const cost = await this.pricing.clusterCost(cluster.region, nodes, at);
    const sample = await this.samples.record(cluster.customerId, cluster.id, {
      at,
      costPerHour: cost.currentCostPerHour,
      baselinePerHour: cost.baselineCostPerHour,
      spotNodes: nodes.filter((n) => n.capacityType === 'spot').length,
      onDemandNodes: nodes.filter((n) => n.capacityType === 'on-demand').length,
      unpricedNodes: cost.prices.filter((p) => p.source === 'unknown').length,
    });
    await this.publish(cluster, sample);
    return sample;
  }

  private async publish(cluster: Cluster, sample: CostSample): Promise<void> {
    const all = await this.samples.range(cluster.customerId, { clusterId: cluster.id, from: new Date(0), to: sample.at });
    const cumulative = all.length > 0 ? integrate(all, (all[0] as CostSample).at.getTime(), sample.at.getTime()).savings : 0;
    const now = currentRate(all, sample.at.getTime());
    const perHour = round(now.baselinePerHour - now.costPerHour);
    this.gauges.cost.set({ cluster_id: cluster.id, basis: 'current' }, now.costPerHour);
    this.gauges.cost.set({ cluster_id: cluster.id, basis: 'baseline' }, now.baselinePerHour);
    this.gauges.cumulative.set({ cluster_id: cluster.id }, cumulative);
    await this.deps.realtime
      .publishToAdmins(cluster.customerId, {
        type: 'savings_updated',
        v: 1,
        id: `savings-${sample.id}`,
        sent_at: new Date(this.deps.clock.now()).toISOString(),
        cluster_id: cluster.id,
        as_of: sample.at.toISOString(),
        current_cost_per_hour: now.costPerHour,
        baseline_cost_per_hour: now.baselinePerHour,
        savings_per_hour: perHour,
        savings_per_month: round(perHour * HOURS_PER_MONTH),
        cumulative_savings: cumulative,
      })
      .catch((error: unknown) => this.deps.log.warn({ clusterId: cluster.id, err: error instanceof Error ? error.message : String(error) }, 'savings: admin stream publish failed'));
  }
}

/** Samples every cluster of every customer once per `intervalMs` (default 1 h). */
export function createSavingsSamplerWorker(deps: CostSamplerDeps, options: { intervalMs?: number } = {}): WorkerSpec {
  const intervalMs = options.intervalMs ?? 3600_000;
  const sampler = new CostSampler(deps);
  const clusters = new ClustersRepository(deps.db.db);
  const samples = new CostSamplesRepository(deps.db.db);
  return {
    name: SAVINGS_SAMPLER_WORKER,
    intervalMs,
    async tick() {
      const now = deps.clock.now();
      for (let offset = 0; ; offset += CLUSTER_PAGE) {
        const page = await clusters.listAll({ limit: CLUSTER_PAGE, offset });
        for (const cluster of page) {
          try {
            const last = await samples.latest(cluster.customerId, cluster.id);
            if (last && now - last.at.getTime() < intervalMs * 0.9) continue;
            await sampler.sample(cluster);
          } catch (error) {
            deps.log.warn({ clusterId: cluster.id, err: error instanceof Error ? error.message : String(error) }, 'savings: cluster not sampled this pass');
          }
        }
        if (page.length < CLUSTER_PAGE) return;
      }
    },
  };
}
