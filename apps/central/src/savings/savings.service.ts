/**
 * The savings and cost-allocation views of the admin API, over the cost samples (savings-math.ts), the nodes and
 * pods as last reported (cost-allocation.ts) and the plans' savings ledger (predicted vs actual).
 */
import { ClustersRepository, CostSamplesRepository, NodesRepository, PodsRepository, SavingsLedgerRepository, type Cluster, type CostSample, type PodSnapshot } from '@cloudoptim/db';
import type { CentralContext } from '../context.ts';
import { NodePricing } from '../pricing/node-pricing.ts';
import { allocateCosts, type CostAllocation } from './cost-allocation.ts';
import { currentRate, HOURS_PER_MONTH, integrate, round, series, sumSeries, type SeriesPoint, type WindowCost } from './savings-math.ts';

const CLUSTER_PAGE = 500;
const POD_PAGE = 1000;
/** Ledger measurements read per cluster. */
const LEDGER_LIMIT = 200;

export interface SavingsWindow {
  fromMs: number;
  toMs: number;
  stepMs: number;
}

/** Savings of one cluster or of all of them. Rates in USD/hour, `savingsPerMonth` USD/month, the rest USD. */
export interface SavingsSummary {
  currentCostPerHour: number;
  baselineCostPerHour: number;
  savingsPerHour: number;
  savingsPerMonth: number;
  /** Savings as a share of the baseline, 0–100; null without a baseline. */
  savingsPercent: number | null;
  /** Integrated over every sample up to the window's end. */
  cumulativeSavings: number;
  /** Over the window. */
  period: WindowCost;
  series: SeriesPoint[];
}

export interface ClusterSavings extends SavingsSummary {
  cluster: Cluster;
  /** The newest sample's time, null when never sampled. */
  asOf: Date | null;
}

export interface PlanSavings {
  planId: string;
  clusterId: string;
  predictedMonthly: number;
  actualMonthly: number;
  measuredAt: Date;
}

export interface SavingsOverview {
  total: SavingsSummary;
  clusters: ClusterSavings[];
  plans: PlanSavings[];
}

function summary(current: { costPerHour: number; baselinePerHour: number }, cumulative: number, period: WindowCost, points: SeriesPoint[]): SavingsSummary {
  const perHour = round(current.baselinePerHour - current.costPerHour);
  return {
    currentCostPerHour: round(current.costPerHour),
    baselineCostPerHour: round(current.baselinePerHour),
    savingsPerHour: perHour,
    savingsPerMonth: round(perHour * HOURS_PER_MONTH),
    savingsPercent: current.baselinePerHour > 0 ? Math.round((perHour / current.baselinePerHour) * 10_000) / 100 : null,
    cumulativeSavings: cumulative,
    period,
    series: points,
  };
}

export class SavingsService {
  private readonly clusters: ClustersRepository;
  private readonly samples: CostSamplesRepository;
  private readonly pricing: NodePricing;

  constructor(private readonly deps: Pick<CentralContext, 'db' | 'clock' | 'log' | 'market'>) {
    this.clusters = new ClustersRepository(deps.db.db);
    this.samples = new CostSamplesRepository(deps.db.db);
    this.pricing = new NodePricing(deps.market, { log: deps.log });
  }

  /** Every cluster of `customerId` (undefined: every customer's). */
  async clustersOf(customerId: string | undefined): Promise<Cluster[]> {
    const all: Cluster[] = [];
    for (let offset = 0; ; offset += CLUSTER_PAGE) {
      const page = customerId === undefined ? await this.clusters.listAll({ limit: CLUSTER_PAGE, offset }) : await this.clusters.list(customerId, { limit: CLUSTER_PAGE, offset });
      all.push(...page);
      if (page.length < CLUSTER_PAGE) return all;
    }
  }

  /**
   * Savings of `clusters` over the window: the rate now (the newest sample while it still holds), per month,
   * cumulative, the window's totals and a series of `stepMs` buckets; plus the ledger's predicted vs actual
   * savings of their plans measured in the window.
   */
  async overview(clusters: readonly Cluster[], window: SavingsWindow, scope: { customerId?: string; clusterId?: string }): Promise<SavingsOverview> {
    const { fromMs, toMs, stepMs } = window;
    const nowMs = Math.min(toMs, this.deps.clock.now());
    const range = { from: new Date(0), to: new Date(toMs), ...(scope.clusterId !== undefined && { clusterId: scope.clusterId }) };
    const rows = scope.customerId !== undefined ? await this.samples.range(scope.customerId, range) : await this.samples.rangeAll(range);
    const byCluster = new Map<string, CostSample[]>();
    for (const s of rows) byCluster.set(s.clusterId, [...(byCluster.get(s.clusterId) ?? []), s]);

    const perCluster: ClusterSavings[] = clusters.map((cluster) => {
      const samples = byCluster.get(cluster.id) ?? [];
      const first = samples[0];
      const cumulative = first ? integrate(samples, first.at.getTime(), toMs).savings : 0;
      const rate = currentRate(samples, nowMs);
      return { cluster, asOf: rate.asOf, ...summary(rate, cumulative, integrate(samples, fromMs, toMs), series(samples, fromMs, toMs, stepMs)) };
    });
    const add = (pick: (c: ClusterSavings) => number) => round(perCluster.reduce((s, c) => s + pick(c), 0));
    const period = { cost: add((c) => c.period.cost), baseline: add((c) => c.period.baseline), savings: add((c) => c.period.savings), coveredHours: Math.max(0, ...perCluster.map((c) => c.period.coveredHours)) };
    const total = summary({ costPerHour: add((c) => c.currentCostPerHour), baselinePerHour: add((c) => c.baselineCostPerHour) }, add((c) => c.cumulativeSavings), period, sumSeries(perCluster.map((c) => c.series), fromMs, toMs, stepMs));
    return { total, clusters: perCluster, plans: await this.planSavings(clusters, fromMs, toMs) };
  }

  /** The cluster's current hourly cost split over namespaces and workloads, idle apart. */
  async allocation(cluster: Cluster): Promise<{ asOf: Date; allocation: CostAllocation }> {
    const asOf = new Date(this.deps.clock.now());
    const nodes = await new NodesRepository(this.deps.db.db).list(cluster.customerId, cluster.id);
    const cost = await this.pricing.clusterCost(cluster.region, nodes, asOf);
    const pods = await this.pods(cluster);
    const allocation = allocateCosts(
      nodes.map((n, i) => ({ nodeName: n.nodeName, cpuAllocatableCores: n.cpuAllocatableCores, memoryAllocatableGb: n.memoryAllocatableGb, usdPerHour: cost.prices[i]?.usdPerHour ?? 0 })),
      pods.filter((p) => p.phase !== 'Succeeded' && p.phase !== 'Failed'),
    );
    return { asOf, allocation };
  }

  private async pods(cluster: Cluster): Promise<PodSnapshot[]> {
    const repo = new PodsRepository(this.deps.db.db);
    const all: PodSnapshot[] = [];
    for (let offset = 0; ; offset += POD_PAGE) {
      const page = await repo.list(cluster.customerId, cluster.id, { limit: POD_PAGE, offset });
      all.push(...page);
      if (page.length < POD_PAGE) return all;
    }
  }

  private async planSavings(clusters: readonly Cluster[], fromMs: number, toMs: number): Promise<PlanSavings[]> {
    const ledger = new SavingsLedgerRepository(this.deps.db.db);
    const out: PlanSavings[] = [];
    for (const cluster of clusters) {
      for (const m of await ledger.list(cluster.customerId, { clusterId: cluster.id, limit: LEDGER_LIMIT })) {
        const at = m.measuredAt.getTime();
        if (at >= fromMs && at <= toMs) out.push({ planId: m.planId, clusterId: m.clusterId, predictedMonthly: m.predictedMonthly, actualMonthly: m.actualMonthly, measuredAt: m.measuredAt });
      }
    }
    return out.sort((a, b) => b.measuredAt.getTime() - a.measuredAt.getTime());
  }
}
