/**
 * The autoscaler (SPEC §5 flow 4): pending pods in a cluster's latest metrics that fit no node (pod-fit.ts) →
 * a spot-optimize decision for what they request → a launch-only plan with trigger `pending_pods`, approved at
 * once in automate mode, proposed in recommend mode. While such a plan is proposed, approved or running, the
 * cluster is left alone (its capacity is on the way, or waiting for an admin).
 */
import type { DecisionRequirements, PendingPod } from '@cloudoptim/contracts';
import { ClusterMetricsRepository, type Cluster } from '@cloudoptim/db';
import type { CentralContext, WorkerSpec } from '../context.ts';
import { forEachCluster, hasPlan } from '../optimizations/cluster-sweep.ts';
import { OptimizerService, type LatestMetricsSource } from '../optimizations/optimizer.service.ts';
import { launchOnly } from './launch-only.ts';
import { unschedulablePods } from './pod-fit.ts';

export interface AutoscalerOptions {
  /** Pass interval, ms (default 30 s). */
  intervalMs?: number;
  /** A pod must be pending this long before capacity is added for it, ms (default 30 s: the scheduler's turn). */
  minPendingMs?: number;
  /** Metrics older than this are not acted on, ms (default 5 minutes: the agent may be gone). */
  maxMetricsAgeMs?: number;
  metrics?: LatestMetricsSource;
}

/** What the pods need in total: extra CPU and memory, the largest GPU count, and the zones/types/arch all of them accept. */
export function requirementsFor(pods: readonly PendingPod[]): Partial<DecisionRequirements> {
  const common = <T>(lists: T[][]): T[] => {
    const constrained = lists.filter((l) => l.length > 0);
    if (constrained.length === 0) return [];
    const [first, ...rest] = constrained as [T[], ...T[][]];
    const shared = first.filter((x) => rest.every((l) => l.includes(x)));
    return shared.length > 0 ? shared : first;
  };
  const arch = pods.map((p) => p.requirements.architecture).find((a) => a !== null);
  return {
    cpu_cores: pods.reduce((s, p) => s + p.requirements.cpu_request_millicores, 0) / 1000,
    memory_gb: pods.reduce((s, p) => s + p.requirements.memory_request_bytes, 0) / 1e9,
    gpu_count: Math.max(0, ...pods.map((p) => p.requirements.gpu_count)),
    availability_zones: common(pods.map((p) => p.requirements.zones)),
    instance_types: common(pods.map((p) => p.requirements.instance_types)),
    ...(arch !== undefined && arch !== null && { architectures: [arch] }),
  };
}

export class Autoscaler {
  private readonly optimizer: OptimizerService;
  private readonly metrics: LatestMetricsSource;

  constructor(
    private readonly ctx: CentralContext,
    private readonly options: AutoscalerOptions = {},
  ) {
    this.metrics = options.metrics ?? new ClusterMetricsRepository(ctx.db.db);
    this.optimizer = new OptimizerService(ctx, this.metrics);
  }

  async tick(): Promise<void> {
    await forEachCluster(this.ctx.db, this.ctx.log, 'autoscaler', async (cluster) => void (await this.check(cluster)));
  }

  /** Plans capacity for the cluster's unschedulable pods, if any. Returns the plan id, or null. */
  async check(cluster: Cluster): Promise<string | null> {
    const nowMs = this.ctx.clock.now();
    const latest = await this.metrics.latest(cluster.customerId, cluster.id);
    if (!latest || nowMs - Date.parse(latest.metrics.timestamp) > (this.options.maxMetricsAgeMs ?? 300_000)) return null;
    const { settings } = await this.ctx.settings.get(cluster.customerId, cluster.id);
    const stuck = unschedulablePods(latest.metrics.pending_pod_details, latest.metrics.nodes, { nowMs, minPendingMs: this.options.minPendingMs ?? 30_000, excludedNamespaces: settings.excluded_namespaces });
    if (stuck.length === 0) return null;
    if (await hasPlan(this.ctx.db, cluster, ['proposed', 'approved', 'running'], (p) => p.trigger === 'pending_pods')) return null;
    const plan = await this.optimizer.optimize({
      customerId: cluster.customerId,
      clusterId: cluster.id,
      decisionType: 'spot_optimize',
      trigger: 'pending_pods',
      requestedBy: 'system:autoscaler',
      dryRun: false,
      requirements: requirementsFor(stuck),
      adjust: launchOnly,
      keepEmpty: false,
    });
    if (plan) this.ctx.log.info({ cluster_id: cluster.id, plan_id: plan.id, pending_pods: stuck.length, status: plan.status }, 'autoscaler planned capacity for pending pods');
    return plan?.id ?? null;
  }
}

/** The autoscaler as a background worker (add it to ctx.workers). */
export function autoscalerWorker(ctx: CentralContext, options: AutoscalerOptions = {}): WorkerSpec {
  const autoscaler = new Autoscaler(ctx, options);
  return { name: 'autoscaler', intervalMs: options.intervalMs ?? 30_000, tick: () => autoscaler.tick() };
}
