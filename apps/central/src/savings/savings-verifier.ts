/**
 * Actual savings of a plan (SPEC §5 flow 2: "history records estimated and, later, actual savings"; flow 10:
 * predicted vs actual savings per optimization). The executor samples the cluster's cost when a plan starts;
 * once a succeeded node-changing plan has settled (`settleMs` after it finished: replacements Ready, old nodes
 * gone, the cluster reported again) the cluster is sampled again and the drop in cost per hour, times the hours
 * of a month, is recorded in the savings ledger next to the plan's estimate (which also sets the plan's
 * `actual_savings_monthly`).
 *
 * It measures the whole cluster, so whatever else changed it in between (another plan, the autoscaler, a Spot
 * reclaim) is counted too: the details name the window and the other plans that finished in it.
 */
import { ClustersRepository, CostSamplesRepository, PlansRepository, SavingsLedgerRepository, type Plan } from '@cloudoptim/db';
import type { CentralContext, WorkerSpec } from '../context.ts';
import { CostSampler, type CostSamplerDeps } from './cost-sampler.ts';
import { HOURS_PER_MONTH, round } from './savings-math.ts';

const MEASURED: ('spot_optimize' | 'bin_pack')[] = ['spot_optimize', 'bin_pack'];
/** The autoscaler's launch-only plans add capacity for pending pods: a cost, not a saving to verify. */
const NOT_MEASURED_TRIGGERS: 'pending_pods'[] = ['pending_pods'];

export interface SavingsVerifierOptions {
  /** Time after a plan finished before it is measured, ms (default 30 minutes). */
  settleMs?: number;
  /** Plans that finished longer ago than this are not measured any more, ms (default 24 hours). */
  maxAgeMs?: number;
  /** How far before a plan's start its "before" sample may be, ms (default 2 hours: the sampler's hourly pace). */
  maxBeforeGapMs?: number;
}

export class SavingsVerifier {
  private readonly plans: PlansRepository;
  private readonly clusters: ClustersRepository;
  private readonly samples: CostSamplesRepository;
  private readonly ledger: SavingsLedgerRepository;
  private readonly sampler: CostSampler;

  constructor(
    private readonly deps: CostSamplerDeps,
    private readonly options: SavingsVerifierOptions = {},
  ) {
    this.plans = new PlansRepository(deps.db.db);
    this.clusters = new ClustersRepository(deps.db.db);
    this.samples = new CostSamplesRepository(deps.db.db);
    this.ledger = new SavingsLedgerRepository(deps.db.db);
    this.sampler = new CostSampler(deps);
  }

  async tick(): Promise<void> {
    const now = this.deps.clock.now();
    const due = await this.plans.listAwaitingMeasurement(MEASURED, NOT_MEASURED_TRIGGERS, new Date(now - (this.options.maxAgeMs ?? 24 * 3_600_000)), new Date(now - (this.options.settleMs ?? 30 * 60_000)));
    for (const plan of due) {
      try {
        await this.measure(plan);
      } catch (error) {
        this.deps.log.warn({ plan_id: plan.id, cluster_id: plan.clusterId, err: error instanceof Error ? error.message : String(error) }, 'savings: plan not measured this pass');
      }
    }
  }

  /** Records the plan's actual savings; false when no cost sample from its start exists. */
  async measure(plan: Plan): Promise<boolean> {
    if (!plan.startedAt || !plan.finishedAt) return false;
    const startedMs = plan.startedAt.getTime();
    const window = await this.samples.range(plan.customerId, { clusterId: plan.clusterId, from: new Date(startedMs - (this.options.maxBeforeGapMs ?? 2 * 3_600_000)), to: plan.startedAt });
    const before = window.at(-1);
    if (!before) return false;
    const cluster = await this.clusters.get(plan.customerId, plan.clusterId);
    const after = await this.sampler.sample(cluster);
    const others = (await this.plans.list(plan.customerId, { clusterId: plan.clusterId, status: 'succeeded', limit: 100 })).items.filter(
      (p) => p.id !== plan.id && p.finishedAt !== null && p.finishedAt.getTime() > startedMs && p.finishedAt.getTime() <= after.at.getTime(),
    );
    const actualMonthly = round((before.costPerHour - after.costPerHour) * HOURS_PER_MONTH);
    await this.ledger.record(plan.customerId, {
      planId: plan.id,
      actualMonthly,
      measuredAt: after.at,
      details: {
        method: 'cluster cost per hour when the plan started vs after it settled, times 730 hours',
        before_at: before.at.toISOString(),
        before_cost_per_hour: before.costPerHour,
        after_at: after.at.toISOString(),
        after_cost_per_hour: after.costPerHour,
        other_plans_in_window: others.map((p) => ({ plan_id: p.id, decision_type: p.decisionType })),
      },
    });
    this.deps.log.info({ plan_id: plan.id, cluster_id: plan.clusterId, estimated_savings_monthly: plan.estimatedSavingsMonthly, actual_savings_monthly: actualMonthly }, 'plan savings measured');
    return true;
  }
}

export function savingsVerifierWorker(ctx: CentralContext, options: SavingsVerifierOptions & { intervalMs?: number } = {}): WorkerSpec {
  const verifier = new SavingsVerifier(ctx, options);
  return { name: 'savings-verifier', intervalMs: options.intervalMs ?? 10 * 60_000, tick: () => verifier.tick() };
}
