/**
 * The optimizer: asks the ML server for a decision about a cluster and stores the answer as a plan.
 *
 * Recommend mode stores it `proposed` (an admin approves or rejects it); automate mode stores it `approved`, and
 * the executor picks it up on its next pass. A dry run is stored `proposed` as a preview that can never be
 * approved. A decision with nothing to do, or no feasible plan, is stored `cancelled` with the reason (only when
 * the caller asks to keep it: the workers do not, so their periodic "nothing to do" leaves no trace).
 */
import { AppError, type ClusterMetrics, type DecisionRequirements, type DecisionResponse, type DecisionType } from '@cloudoptim/contracts';
import { ClusterMetricsRepository, ClustersRepository, PlansRepository, type Plan, type PlanTrigger, type PlanWithSteps } from '@cloudoptim/db';
import type { CentralContext } from '../context.ts';
import { NodePricing } from '../pricing/node-pricing.ts';
import { buildDecisionRequest } from './decision-request.builder.ts';
import { publishPlanUpdate } from './plan-events.ts';

/** Where the optimizer reads a cluster's latest metrics (ClusterMetricsRepository in production). */
export interface LatestMetricsSource {
  latest(customerId: string, clusterId: string): Promise<{ metrics: ClusterMetrics; receivedAt: Date } | undefined>;
}

export interface OptimizeInput {
  customerId: string;
  clusterId: string;
  decisionType: DecisionType;
  trigger: PlanTrigger;
  /** Who asks: "user:<email>", "system:autoscaler" … (stored as created_by, audited as the actor). */
  requestedBy: string;
  dryRun: boolean;
  requirements?: Partial<DecisionRequirements>;
  /** Reshapes the ML answer before it is stored (the autoscaler keeps only the scale-up part). */
  adjust?: (response: DecisionResponse) => DecisionResponse;
  /** Store a decision without steps (nothing to do / infeasible) as a `cancelled` plan (default true). */
  keepEmpty?: boolean;
  /** The HTTP request id, for the audit trail. */
  requestId?: string | null;
}

export type OptimizerDeps = Pick<CentralContext, 'db' | 'clock' | 'log' | 'ml' | 'settings' | 'audit' | 'realtime' | 'market'>;

export class OptimizerService {
  private readonly plans: PlansRepository;
  private readonly pricing: NodePricing;
  private readonly clusters: ClustersRepository;
  private readonly metrics: LatestMetricsSource;

  constructor(
    private readonly deps: OptimizerDeps,
    metrics?: LatestMetricsSource,
  ) {
    this.pricing = new NodePricing(deps.market, { log: deps.log });
    this.plans = new PlansRepository(deps.db.db);
    this.clusters = new ClustersRepository(deps.db.db);
    this.metrics = metrics ?? new ClusterMetricsRepository(deps.db.db);
  }

  /**
   * Decides and stores the plan. Returns null only for an empty decision with `keepEmpty: false`.
   * @throws NOT_FOUND (cluster not the customer's), UNPROCESSABLE (no metrics reported yet, or they do not form
   *   a request), UNAVAILABLE (ML server), or the ML server's 4xx code.
   */
  async optimize(input: OptimizeInput): Promise<PlanWithSteps | null> {
    const { clock, log } = this.deps;
    const cluster = await this.clusters.get(input.customerId, input.clusterId);
    const latest = await this.metrics.latest(input.customerId, input.clusterId);
    if (!latest) throw new AppError('UNPROCESSABLE', `cluster ${cluster.id} has not reported metrics yet: install the agent and wait one metrics interval`, { cluster_id: cluster.id });
    const { settings } = await this.deps.settings.get(input.customerId, input.clusterId);
    const metrics = { ...latest.metrics, nodes: await this.priced(cluster.region, latest.metrics.nodes, new Date(clock.now())) };
    const request = buildDecisionRequest({ decisionType: input.decisionType, cluster, metrics, settings, trigger: input.trigger, requestedBy: input.requestedBy, dryRun: input.dryRun, nowMs: clock.now(), ...(input.requirements && { requirements: input.requirements }) });
    const answer = await this.deps.ml.decide(request);
    const response = input.adjust ? input.adjust(answer) : answer;
    const now = new Date(clock.now());
    const empty = response.outcome !== 'planned' || response.execution_plan.length === 0;
    if (empty && input.keepEmpty === false) {
      log.debug({ cluster_id: cluster.id, decision_type: input.decisionType, outcome: response.outcome, reason: response.outcome_reason }, 'decision without steps: nothing stored');
      return null;
    }
    const automate = settings.automation_mode === 'automate' && !input.dryRun && !empty;
    const plan = await this.plans.create(input.customerId, {
      clusterId: cluster.id,
      decisionType: input.decisionType,
      status: empty ? 'cancelled' : automate ? 'approved' : 'proposed',
      trigger: input.trigger,
      dryRun: input.dryRun,
      outcome: empty && response.outcome === 'planned' ? 'nothing_to_do' : response.outcome,
      request,
      response,
      estimatedSavingsMonthly: response.estimated_savings,
      createdBy: input.requestedBy,
      ...(automate && { approvedBy: 'system:automate', approvedAt: now }),
      ...(empty && { finishedAt: now, error: response.outcome_reason }),
      steps: response.execution_plan.map((s) => ({
        step: s.step,
        action: s.action,
        description: s.description ?? null,
        dependsOn: s.depends_on,
        notBefore: s.not_before !== null ? new Date(s.not_before) : null,
        parameters: s.parameters as Record<string, unknown>,
      })),
    });
    await this.deps.audit.record({
      customerId: plan.customerId,
      clusterId: plan.clusterId,
      actor: input.requestedBy,
      action: 'plan.create',
      target: `plan/${plan.id}`,
      details: { decision_type: plan.decisionType, status: plan.status, trigger: plan.trigger, dry_run: plan.dryRun, outcome: plan.outcome, steps: plan.steps.length, estimated_savings_monthly: plan.estimatedSavingsMonthly },
      requestId: input.requestId ?? null,
    });
    if (empty) await this.plans.recordHistory(plan);
    await publishPlanUpdate(this.deps, plan, plan.steps.length);
    log.info({ cluster_id: plan.clusterId, plan_id: plan.id, decision_type: plan.decisionType, status: plan.status, steps: plan.steps.length }, 'plan stored');
    return plan;
  }

  /**
   * Approves a proposed plan (`customerId` null: any customer, for operators).
   * @throws NOT_FOUND (absent or another customer's), CONFLICT (a dry run, or not proposed any more).
   */
  async approve(customerId: string | null, planId: string, actor: string, requestId?: string | null): Promise<PlanWithSteps> {
    const plan = await this.visible(customerId, planId);
    if (plan.dryRun) throw new AppError('CONFLICT', `plan ${planId} is a dry run (a preview): trigger it again without dry_run to execute it`, { status: plan.status });
    const now = new Date(this.deps.clock.now());
    const updated = await this.plans.transition(customerId, planId, ['proposed'], 'approved', { approvedBy: actor, approvedAt: now });
    if (!updated) throw new AppError('CONFLICT', `plan ${planId} is ${plan.status}: only a proposed plan can be approved`, { status: plan.status });
    return this.after(updated, actor, 'plan.approve', {}, requestId);
  }

  /**
   * Rejects a plan that has not started (proposed, or approved but not picked up yet).
   * @throws NOT_FOUND, CONFLICT (already running or finished).
   */
  async reject(customerId: string | null, planId: string, actor: string, reason: string | null, requestId?: string | null): Promise<PlanWithSteps> {
    const plan = await this.visible(customerId, planId);
    const now = new Date(this.deps.clock.now());
    const updated = await this.plans.transition(customerId, planId, ['proposed', 'approved'], 'rejected', { finishedAt: now, error: reason ? `rejected: ${reason}` : 'rejected' });
    if (!updated) throw new AppError('CONFLICT', `plan ${planId} is ${plan.status}: only a plan that has not started can be rejected`, { status: plan.status });
    await this.plans.recordHistory(updated);
    return this.after(updated, actor, 'plan.reject', { reason }, requestId);
  }

  /** The plan with its steps. @throws NOT_FOUND. */
  async visible(customerId: string | null, planId: string): Promise<PlanWithSteps> {
    const plan = await this.plans.find(customerId, planId);
    if (!plan) throw new AppError('NOT_FOUND', `plan ${planId} not found`, { id: planId });
    return plan;
  }

  private async after(plan: Plan, actor: string, action: string, details: Record<string, unknown>, requestId?: string | null): Promise<PlanWithSteps> {
    const steps = await this.plans.stepsOf(plan.id);
    await this.deps.audit.record({ customerId: plan.customerId, clusterId: plan.clusterId, actor, action, target: `plan/${plan.id}`, details: { decision_type: plan.decisionType, status: plan.status, ...details }, requestId: requestId ?? null });
    await publishPlanUpdate(this.deps, plan, steps.length);
    return { ...plan, steps };
  }

  /**
   * The nodes with the prices central bills them at (a Spot node at its pool's Spot price): the engines estimate
   * savings from `hourly_price`, and the agent cannot know it.
   */
  private async priced(region: string, nodes: ClusterMetrics['nodes'], at: Date): Promise<ClusterMetrics['nodes']> {
    return Promise.all(
      nodes.map(async (n) => {
        const price = await this.pricing.priceOf(region, { instanceType: n.instance_type, availabilityZone: n.availability_zone, capacityType: n.node_type, reportedUsdPerHour: n.hourly_price }, at);
        return price.source === 'unknown' ? n : { ...n, hourly_price: price.usdPerHour };
      }),
    );
  }
}
