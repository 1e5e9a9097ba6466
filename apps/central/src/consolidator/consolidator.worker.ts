/**
 * The consolidator (SPEC §5 flow 4): now and then, a bin-pack decision per cluster — empty and underused nodes
 * drained and removed, within the cluster's disruption budget (the request's constraints) and its mode
 * (automate: approved at once; recommend: proposed). A cluster is skipped while a plan that changes its nodes
 * is approved or running, while a consolidation it proposed waits for approval, when its metrics are stale, and
 * when it is not GREEN. Each cluster is asked at most once per `periodMs` (kept in memory: a restart asks again).
 */
import { ClusterMetricsRepository, type Cluster } from '@cloudoptim/db';
import type { CentralContext, WorkerSpec } from '../context.ts';
import { forEachCluster, hasPlan } from '../optimizations/cluster-sweep.ts';
import { OptimizerService, type LatestMetricsSource } from '../optimizations/optimizer.service.ts';

/**
 * Plans that change the cluster's nodes. Office-hours and rightsizing plans do not block a consolidation (an
 * office-hours plan stays running for its whole horizon, days).
 */
const NODE_CHANGING = new Set(['spot_optimize', 'bin_pack']);

export interface ConsolidatorOptions {
  /** Pass interval, ms (default 5 minutes). */
  intervalMs?: number;
  /** Least time between two decisions for one cluster, ms (default 1 hour). */
  periodMs?: number;
  /** Metrics older than this are not acted on, ms (default 5 minutes). */
  maxMetricsAgeMs?: number;
  metrics?: LatestMetricsSource;
}

export class Consolidator {
  private readonly optimizer: OptimizerService;
  private readonly metrics: LatestMetricsSource;
  private readonly lastAsked = new Map<string, number>();

  constructor(
    private readonly ctx: CentralContext,
    private readonly options: ConsolidatorOptions = {},
  ) {
    this.metrics = options.metrics ?? new ClusterMetricsRepository(ctx.db.db);
    this.optimizer = new OptimizerService(ctx, this.metrics);
  }

  async tick(): Promise<void> {
    await forEachCluster(this.ctx.db, this.ctx.log, 'consolidator', async (cluster) => void (await this.check(cluster)));
  }

  /** Asks for a consolidation of the cluster when it is due; returns the plan id, or null. */
  async check(cluster: Cluster): Promise<string | null> {
    const nowMs = this.ctx.clock.now();
    const last = this.lastAsked.get(cluster.id);
    if (last !== undefined && nowMs - last < (this.options.periodMs ?? 3_600_000)) return null;
    if (cluster.healthStatus !== 'GREEN') return null;
    const latest = await this.metrics.latest(cluster.customerId, cluster.id);
    if (!latest || nowMs - Date.parse(latest.metrics.timestamp) > (this.options.maxMetricsAgeMs ?? 300_000)) return null;
    if (await hasPlan(this.ctx.db, cluster, ['approved', 'running'], (p) => NODE_CHANGING.has(p.decisionType))) return null;
    if (await hasPlan(this.ctx.db, cluster, ['proposed'], (p) => p.trigger === 'consolidator')) return null;
    this.lastAsked.set(cluster.id, nowMs);
    const plan = await this.optimizer.optimize({ customerId: cluster.customerId, clusterId: cluster.id, decisionType: 'bin_pack', trigger: 'consolidator', requestedBy: 'system:consolidator', dryRun: false, keepEmpty: false });
    if (plan) this.ctx.log.info({ cluster_id: cluster.id, plan_id: plan.id, status: plan.status, estimated_savings_monthly: plan.estimatedSavingsMonthly }, 'consolidation planned');
    return plan?.id ?? null;
  }
}

/** The consolidator as a background worker (add it to ctx.workers). */
export function consolidatorWorker(ctx: CentralContext, options: ConsolidatorOptions = {}): WorkerSpec {
  const consolidator = new Consolidator(ctx, options);
  return { name: 'consolidator', intervalMs: options.intervalMs ?? 300_000, tick: () => consolidator.tick() };
}
