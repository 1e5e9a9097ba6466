/**
 * What the periodic optimizers share (the consolidator's bin packing, the Spot rebalancer's spot-optimize): now
 * and then, one decision per cluster, stored per the cluster's mode (automate: approved at once; recommend:
 * proposed). A cluster is skipped while a plan that changes its nodes is approved or running, while a proposal of
 * this optimizer waits for approval, when its metrics are stale, and when it is not GREEN. Each cluster is asked
 * at most once per `periodMs` (kept in memory: a restart asks again).
 */
import { ClusterMetricsRepository, type Cluster, type PlanTrigger } from '@cloudoptim/db';
import type { DecisionType } from '@cloudoptim/contracts';
import type { CentralContext } from '../context.ts';
import { forEachCluster, hasPlan } from './cluster-sweep.ts';
import { OptimizerService, type LatestMetricsSource } from './optimizer.service.ts';

/**
 * Plans that change the cluster's nodes. Office-hours and rightsizing plans do not block these (an office-hours
 * plan stays running for its whole horizon, days).
 */
const NODE_CHANGING = new Set<string>(['spot_optimize', 'bin_pack']);

export interface PeriodicOptimizerOptions {
  /** Pass interval, ms (default 5 minutes). */
  intervalMs?: number;
  /** Least time between two decisions for one cluster, ms (default 1 hour). */
  periodMs?: number;
  /** Metrics older than this are not acted on, ms (default 5 minutes). */
  maxMetricsAgeMs?: number;
  metrics?: LatestMetricsSource;
}

export interface PeriodicDecision {
  /** The worker's name, in logs and as `system:<name>` in the audit trail. */
  name: string;
  decisionType: DecisionType;
  trigger: PlanTrigger;
  /** Log message of a stored plan. */
  planned: string;
}

export class PeriodicOptimizer {
  private readonly optimizer: OptimizerService;
  private readonly metrics: LatestMetricsSource;
  private readonly lastAsked = new Map<string, number>();

  constructor(
    private readonly ctx: CentralContext,
    private readonly decision: PeriodicDecision,
    private readonly options: PeriodicOptimizerOptions = {},
  ) {
    this.metrics = options.metrics ?? new ClusterMetricsRepository(ctx.db.db);
    this.optimizer = new OptimizerService(ctx, this.metrics);
  }

  async tick(): Promise<void> {
    await forEachCluster(this.ctx.db, this.ctx.log, this.decision.name, async (cluster) => void (await this.check(cluster)));
  }

  /** Asks for a decision about the cluster when it is due; returns the stored plan's id, or null. */
  async check(cluster: Cluster): Promise<string | null> {
    const nowMs = this.ctx.clock.now();
    const last = this.lastAsked.get(cluster.id);
    if (last !== undefined && nowMs - last < (this.options.periodMs ?? 3_600_000)) return null;
    if (cluster.healthStatus !== 'GREEN') return null;
    const latest = await this.metrics.latest(cluster.customerId, cluster.id);
    if (!latest || nowMs - Date.parse(latest.metrics.timestamp) > (this.options.maxMetricsAgeMs ?? 300_000)) return null;
    if (await hasPlan(this.ctx.db, cluster, ['approved', 'running'], (p) => NODE_CHANGING.has(p.decisionType))) return null;
    if (await hasPlan(this.ctx.db, cluster, ['proposed'], (p) => p.trigger === this.decision.trigger && p.decisionType === this.decision.decisionType)) return null;
    this.lastAsked.set(cluster.id, nowMs);
    const { decisionType, trigger, name } = this.decision;
    const plan = await this.optimizer.optimize({ customerId: cluster.customerId, clusterId: cluster.id, decisionType, trigger, requestedBy: `system:${name}`, dryRun: false, keepEmpty: false });
    if (plan) this.ctx.log.info({ cluster_id: cluster.id, plan_id: plan.id, status: plan.status, estimated_savings_monthly: plan.estimatedSavingsMonthly }, this.decision.planned);
    return plan?.id ?? null;
  }
}
