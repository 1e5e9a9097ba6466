/**
 * Watches a running demo and keeps its numbers: cost and baseline integrated over simulated time (from central's
 * per-cluster state, i.e. the nodes' real prices), pending-pod minutes and pods lost (from the simulator), and,
 * at the end, what central did (plans, drains against their deadlines) read from its database.
 */
import type { Clock } from '@cloudoptim/runtime';
import type { DemoStack } from './demo-stack.ts';
import type { ErrorCounter } from './counting-logger.ts';

export interface DemoStatus {
  sim_time: string;
  nodes: number;
  spot_nodes: number;
  on_demand_nodes: number;
  pending_pods: number;
  cost_per_hour: number;
  baseline_per_hour: number;
  savings_pct: number;
  interruption_warnings: number;
  drained_before_deadline: number;
  plans_executed: number;
}

export interface DemoSummary {
  duration_hours: number;
  savings_pct: number;
  cost_usd: number;
  baseline_cost_usd: number;
  interruption_warnings: number;
  interruptions_drained_before_deadline: number;
  pods_lost: number;
  pending_pod_minutes: number;
  plans_executed: number;
  plans_failed: number;
  rebalance_recommendations: number;
  errors: number;
  error_samples: string[];
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

export class DemoRecorder {
  private costUsd = 0;
  private baselineUsd = 0;
  private pendingPodMinutes = 0;
  private podsLost = 0;
  private lastSampleMs: number;
  private readonly startMs: number;
  private readonly unsubscribe: (() => void)[] = [];
  private latest = { cost: 0, baseline: 0, spot: 0, onDemand: 0 };

  constructor(
    private readonly stack: DemoStack,
    private readonly clock: Clock,
    private readonly errors: ErrorCounter,
  ) {
    this.startMs = this.lastSampleMs = clock.now();
    for (const c of stack.clusters) {
      // A node reclaimed with controller pods still on it: those pods were killed, not evicted.
      this.unsubscribe.push(
        c.sim.aws.onEvent((e) => {
          if (e.kind !== 'instance-terminated' || !e.instanceId) return;
          const node = c.sim.store.nodes.list().find((n) => n.spec?.providerID?.endsWith(`/${e.instanceId}`));
          if (!node) return;
          this.podsLost += c.sim.store.pods
            .list()
            .filter((p) => p.spec.nodeName === node.metadata.name && !p.metadata.deletionTimestamp && (p.metadata.ownerReferences ?? []).some((o) => o.kind !== 'DaemonSet' && o.kind !== 'Node')).length;
        }),
      );
    }
  }

  /** Integrates cost and pending pods since the last sample (call every simulated minute or so). */
  async sample(): Promise<void> {
    const now = this.clock.now();
    const hours = (now - this.lastSampleMs) / 3_600_000;
    this.lastSampleMs = now;
    const rows = await this.stack.central.ctx.db.query<{ cost: string | number | null; baseline: string | number | null; spot: number | null; od: number | null }>(
      'SELECT current_cost_per_hour AS cost, baseline_cost_per_hour AS baseline, spot_nodes AS spot, on_demand_nodes AS od FROM clusters WHERE customer_id = $1',
      [this.stack.customerId],
    );
    const sum = (f: (r: (typeof rows)[number]) => number) => rows.reduce((s, r) => s + f(r), 0);
    this.latest = { cost: sum((r) => Number(r.cost ?? 0)), baseline: sum((r) => Number(r.baseline ?? 0)), spot: sum((r) => r.spot ?? 0), onDemand: sum((r) => r.od ?? 0) };
    this.costUsd += this.latest.cost * hours;
    this.baselineUsd += this.latest.baseline * hours;
    const pending = this.stack.clusters.reduce((s, c) => s + c.sim.cluster.stats().pendingPods, 0);
    this.pendingPodMinutes += pending * hours * 60;
  }

  async status(): Promise<DemoStatus> {
    const [drains, plans] = await Promise.all([this.drains(), this.plans()]);
    const stats = this.stack.clusters.map((c) => c.sim.cluster.stats());
    return {
      sim_time: new Date(this.clock.now()).toISOString(),
      nodes: stats.reduce((s, x) => s + x.nodes, 0),
      spot_nodes: this.latest.spot,
      on_demand_nodes: this.latest.onDemand,
      pending_pods: stats.reduce((s, x) => s + x.pendingPods, 0),
      cost_per_hour: round(this.latest.cost, 3),
      baseline_per_hour: round(this.latest.baseline, 3),
      savings_pct: this.latest.baseline > 0 ? round((1 - this.latest.cost / this.latest.baseline) * 100, 1) : 0,
      interruption_warnings: this.awsEvents('interruption-warning'),
      drained_before_deadline: drains,
      plans_executed: plans.succeeded,
    };
  }

  async summary(): Promise<DemoSummary> {
    await this.sample();
    const [drains, plans] = await Promise.all([this.drains(), this.plans()]);
    for (const stop of this.unsubscribe) stop();
    return {
      duration_hours: round((this.clock.now() - this.startMs) / 3_600_000, 3),
      savings_pct: this.baselineUsd > 0 ? round((1 - this.costUsd / this.baselineUsd) * 100, 1) : 0,
      cost_usd: round(this.costUsd, 2),
      baseline_cost_usd: round(this.baselineUsd, 2),
      interruption_warnings: this.awsEvents('interruption-warning'),
      interruptions_drained_before_deadline: drains,
      pods_lost: this.podsLost,
      pending_pod_minutes: round(this.pendingPodMinutes, 1),
      plans_executed: plans.succeeded,
      plans_failed: plans.failed,
      rebalance_recommendations: this.awsEvents('rebalance-recommendation'),
      errors: this.errors.count,
      error_samples: this.errors.samples,
    };
  }

  private awsEvents(kind: string): number {
    return this.stack.clusters.reduce((s, c) => s + c.sim.events().filter((e) => e.kind === kind).length, 0);
  }

  /** Urgent drains the agent finished (executed_at + duration, on the simulated clock) before the reclaim time. */
  private async drains(): Promise<number> {
    const rows = await this.stack.central.ctx.db.query<{ n: string | number }>(
      `SELECT count(DISTINCT parameters->>'node_name') AS n FROM tasks
        WHERE customer_id = $1 AND task_type = 'drain_node' AND urgent AND status = 'success' AND interruption_time IS NOT NULL
          AND (result->>'executed_at')::timestamptz + make_interval(secs => (result->>'duration_seconds')::float8) <= interruption_time`,
      [this.stack.customerId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  private async plans(): Promise<{ succeeded: number; failed: number }> {
    const rows = await this.stack.central.ctx.db.query<{ status: string; n: string | number }>('SELECT status, count(*) AS n FROM plans WHERE customer_id = $1 GROUP BY status', [this.stack.customerId]);
    const count = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
    return { succeeded: count('succeeded'), failed: count('failed') + count('rolled_back') };
  }
}
