import { and, asc, count, desc, eq, gte, inArray, isNull, lte, notInArray, sql, type SQL } from 'drizzle-orm';
import type { DecisionRequest, DecisionResponse, DecisionType } from '@cloudoptim/contracts';
import type { DrizzleDb } from '../database.ts';
import { withDbErrors } from '../db-errors.ts';
import { optimizationHistory, planSteps, plans, type PLAN_OUTCOMES, type PLAN_STATUSES, type PLAN_STEP_STATUSES, type PLAN_TRIGGERS } from '../schema.ts';
import { isUuid, listLimit, requireUuid } from './repository-helpers.ts';

/** Where a plan is in its life. `proposed` waits for approval; `approved` waits for the executor. */
export type PlanStatus = (typeof PLAN_STATUSES)[number];
/** What started the decision behind a plan. */
export type PlanTrigger = (typeof PLAN_TRIGGERS)[number];
/** DecisionResponse.outcome: only `planned` plans have steps. */
export type PlanOutcome = (typeof PLAN_OUTCOMES)[number];
export type PlanStepStatus = (typeof PLAN_STEP_STATUSES)[number];

/** A step of a plan (an ExecutionStep plus how its execution went). */
export interface PlanStep {
  planId: string;
  step: number;
  /** An ExecutionAction: `launch_instances`, `drain_node` … */
  action: string;
  description: string | null;
  dependsOn: number[];
  notBefore: Date | null;
  parameters: Record<string, unknown>;
  status: PlanStepStatus;
  /** Times the executor started or reconciled the step. */
  attempt: number;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** What the step did (launched instance ids, task id …). */
  outcome: Record<string, unknown> | null;
  error: string | null;
}

/** A stored plan. Savings in USD per month. */
export interface Plan {
  id: string;
  customerId: string;
  clusterId: string;
  decisionType: DecisionType;
  status: PlanStatus;
  trigger: PlanTrigger;
  dryRun: boolean;
  outcome: PlanOutcome;
  request: DecisionRequest;
  response: DecisionResponse;
  estimatedSavingsMonthly: number;
  actualSavingsMonthly: number | null;
  createdBy: string;
  approvedBy: string | null;
  createdAt: Date;
  approvedAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  error: string | null;
  updatedAt: Date;
}

export interface PlanWithSteps extends Plan {
  steps: PlanStep[];
}

/** A step as the plan is created (an ExecutionStep). */
export interface NewPlanStep {
  step: number;
  action: string;
  description?: string | null;
  dependsOn?: number[];
  notBefore?: Date | null;
  parameters: Record<string, unknown>;
}

/** Input of {@link PlansRepository.create}. */
export interface NewPlan {
  clusterId: string;
  decisionType: DecisionType;
  status: Extract<PlanStatus, 'proposed' | 'approved' | 'cancelled'>;
  trigger: PlanTrigger;
  dryRun: boolean;
  outcome: PlanOutcome;
  request: DecisionRequest;
  response: DecisionResponse;
  estimatedSavingsMonthly: number;
  createdBy: string;
  approvedBy?: string | null;
  approvedAt?: Date | null;
  finishedAt?: Date | null;
  error?: string | null;
  steps: NewPlanStep[];
}

/** Fields a status transition may set besides the status. */
export interface PlanTransitionFields {
  approvedBy?: string | null;
  approvedAt?: Date | null;
  startedAt?: Date | null;
  finishedAt?: Date | null;
  error?: string | null;
}

/** A change of one step's execution state. */
export interface PlanStepPatch {
  status?: PlanStepStatus;
  attempt?: number;
  startedAt?: Date | null;
  finishedAt?: Date | null;
  outcome?: Record<string, unknown> | null;
  error?: string | null;
}

/** Filters of {@link PlansRepository.list}. */
export interface PlanListOptions {
  clusterId?: string;
  status?: PlanStatus;
  limit?: number;
  offset?: number;
}

function toPlan(row: typeof plans.$inferSelect): Plan {
  return {
    id: row.id,
    customerId: row.customerId,
    clusterId: row.clusterId,
    decisionType: row.decisionType,
    status: row.status,
    trigger: row.trigger,
    dryRun: row.dryRun,
    outcome: row.outcome,
    request: row.request as unknown as DecisionRequest,
    response: row.response as unknown as DecisionResponse,
    estimatedSavingsMonthly: row.estimatedSavingsMonthly,
    actualSavingsMonthly: row.actualSavingsMonthly,
    createdBy: row.createdBy,
    approvedBy: row.approvedBy,
    createdAt: row.createdAt,
    approvedAt: row.approvedAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    error: row.error,
    updatedAt: row.updatedAt,
  };
}

function toStep(row: typeof planSteps.$inferSelect): PlanStep {
  return {
    planId: row.planId,
    step: row.step,
    action: row.action,
    description: row.description,
    dependsOn: row.dependsOn,
    notBefore: row.notBefore,
    parameters: row.parameters,
    status: row.status,
    attempt: row.attempt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    outcome: row.outcome,
    error: row.error,
  };
}

/** The optimization_history status of a finished plan (the seed table says `executing` for running). */
const HISTORY_STATUS: Record<PlanStatus, (typeof optimizationHistory.$inferInsert)['status']> = {
  proposed: 'proposed',
  approved: 'approved',
  rejected: 'rejected',
  running: 'executing',
  succeeded: 'succeeded',
  failed: 'failed',
  rolled_back: 'rolled_back',
  cancelled: 'cancelled',
};

/**
 * Optimization plans and their steps. Reads take the customer id, or null for callers that already see every
 * customer (operators, the executor and other workers running for all tenants); another customer's plan
 * answers "not found". Errors are AppErrors: NOT_FOUND (the cluster is not the customer's), VALIDATION_FAILED
 * (bad ids, an unknown status), CONFLICT (duplicate step numbers).
 */
export class PlansRepository {
  constructor(private readonly db: DrizzleDb) {}

  /** Stores a plan with its steps (one transaction). */
  async create(customerId: string, input: NewPlan): Promise<PlanWithSteps> {
    requireUuid(customerId, 'customer_id');
    requireUuid(input.clusterId, 'cluster_id');
    return withDbErrors('create plan', () =>
      this.db.transaction(async (tx) => {
        const [row] = await tx
          .insert(plans)
          .values({
            customerId,
            clusterId: input.clusterId,
            decisionType: input.decisionType,
            status: input.status,
            trigger: input.trigger,
            dryRun: input.dryRun,
            outcome: input.outcome,
            request: input.request as unknown as Record<string, unknown>,
            response: input.response as unknown as Record<string, unknown>,
            estimatedSavingsMonthly: input.estimatedSavingsMonthly,
            createdBy: input.createdBy,
            approvedBy: input.approvedBy ?? null,
            approvedAt: input.approvedAt ?? null,
            finishedAt: input.finishedAt ?? null,
            error: input.error ?? null,
          })
          .returning();
        const plan = toPlan(row!);
        if (input.steps.length === 0) return { ...plan, steps: [] };
        const stepRows = await tx
          .insert(planSteps)
          .values(
            input.steps.map((s) => ({
              customerId,
              planId: plan.id,
              step: s.step,
              action: s.action,
              description: s.description ?? null,
              dependsOn: s.dependsOn ?? [],
              notBefore: s.notBefore ?? null,
              parameters: s.parameters,
            })),
          )
          .returning();
        return { ...plan, steps: stepRows.map(toStep).sort((a, b) => a.step - b.step) };
      }),
    );
  }

  /** The plan with its steps, or null (also when `customerId` is given and the plan is another customer's). */
  async find(customerId: string | null, planId: string): Promise<PlanWithSteps | null> {
    if (!isUuid(planId) || (customerId !== null && !isUuid(customerId))) return null;
    return withDbErrors('find plan', async () => {
      const [row] = await this.db
        .select()
        .from(plans)
        .where(and(eq(plans.id, planId), customerId !== null ? eq(plans.customerId, customerId) : undefined));
      if (!row) return null;
      return { ...toPlan(row), steps: await this.stepsOf(planId) };
    });
  }

  /** Plans newest first with the total matching the filters (for paging). `customerId` null: every customer. */
  async list(customerId: string | null, options: PlanListOptions = {}): Promise<{ items: Plan[]; total: number }> {
    if ((customerId !== null && !isUuid(customerId)) || (options.clusterId !== undefined && !isUuid(options.clusterId))) return { items: [], total: 0 };
    const where = and(
      customerId !== null ? eq(plans.customerId, customerId) : undefined,
      options.clusterId !== undefined ? eq(plans.clusterId, options.clusterId) : undefined,
      options.status !== undefined ? eq(plans.status, options.status) : undefined,
    );
    return withDbErrors('list plans', async () => {
      const rows = await this.db
        .select()
        .from(plans)
        .where(where)
        .orderBy(desc(plans.createdAt), desc(plans.id))
        .limit(listLimit(options.limit))
        .offset(Math.max(0, Math.floor(options.offset ?? 0)));
      const [total] = await this.db.select({ n: count() }).from(plans).where(where);
      return { items: rows.map(toPlan), total: Number(total?.n ?? 0) };
    });
  }

  /** Plans of the cluster in one of `statuses`, oldest first, with their steps. */
  async listForCluster(customerId: string, clusterId: string, statuses: readonly PlanStatus[]): Promise<PlanWithSteps[]> {
    if (!isUuid(customerId) || !isUuid(clusterId) || statuses.length === 0) return [];
    return this.withSteps('list cluster plans', and(eq(plans.customerId, customerId), eq(plans.clusterId, clusterId), inArray(plans.status, [...statuses]))!);
  }

  /** Plans the executor must drive (approved or running, never dry runs) of every customer, oldest first. */
  async listExecutable(limit?: number): Promise<PlanWithSteps[]> {
    return this.withSteps('list executable plans', and(inArray(plans.status, ['approved', 'running']), eq(plans.dryRun, false))!, limit);
  }

  /**
   * Succeeded plans of every customer of `decisionTypes`, not started by one of `excludedTriggers`, that finished
   * within [finishedFrom, finishedTo] and have no actual savings measured yet, oldest first (what the savings
   * verifier measures).
   */
  async listAwaitingMeasurement(decisionTypes: readonly DecisionType[], excludedTriggers: readonly PlanTrigger[], finishedFrom: Date, finishedTo: Date, limit?: number): Promise<Plan[]> {
    if (decisionTypes.length === 0) return [];
    return withDbErrors('list plans awaiting measurement', async () => {
      const rows = await this.db
        .select()
        .from(plans)
        .where(and(eq(plans.status, 'succeeded'), inArray(plans.decisionType, [...decisionTypes]), excludedTriggers.length > 0 ? notInArray(plans.trigger, [...excludedTriggers]) : undefined, isNull(plans.actualSavingsMonthly), gte(plans.finishedAt, finishedFrom), lte(plans.finishedAt, finishedTo)))
        .orderBy(asc(plans.finishedAt), asc(plans.id))
        .limit(listLimit(limit));
      return rows.map(toPlan);
    });
  }

  private async withSteps(what: string, where: SQL, limit?: number): Promise<PlanWithSteps[]> {
    return withDbErrors(what, async () => {
      const rows = await this.db.select().from(plans).where(where).orderBy(asc(plans.createdAt), asc(plans.id)).limit(listLimit(limit));
      if (rows.length === 0) return [];
      const steps = await this.db
        .select()
        .from(planSteps)
        .where(inArray(planSteps.planId, rows.map((r) => r.id)))
        .orderBy(asc(planSteps.planId), asc(planSteps.step));
      return rows.map((row) => ({ ...toPlan(row), steps: steps.filter((s) => s.planId === row.id).map(toStep) }));
    });
  }

  /**
   * Moves the plan to `to` if its status is one of `from` (a compare-and-set, so two approvers or an approver
   * and the executor cannot both win). Returns the updated plan, or null when it is absent, another customer's
   * or not in a `from` status.
   */
  async transition(customerId: string | null, planId: string, from: readonly PlanStatus[], to: PlanStatus, fields: PlanTransitionFields = {}): Promise<Plan | null> {
    if (!isUuid(planId) || (customerId !== null && !isUuid(customerId))) return null;
    return withDbErrors('update plan status', async () => {
      const [row] = await this.db
        .update(plans)
        .set({
          status: to,
          ...(fields.approvedBy !== undefined && { approvedBy: fields.approvedBy }),
          ...(fields.approvedAt !== undefined && { approvedAt: fields.approvedAt }),
          ...(fields.startedAt !== undefined && { startedAt: fields.startedAt }),
          ...(fields.finishedAt !== undefined && { finishedAt: fields.finishedAt }),
          ...(fields.error !== undefined && { error: fields.error }),
          updatedAt: sql`now()`,
        })
        .where(and(eq(plans.id, planId), inArray(plans.status, [...from]), customerId !== null ? eq(plans.customerId, customerId) : undefined))
        .returning();
      return row ? toPlan(row) : null;
    });
  }

  /** The steps of a plan, in step order ([] for an unknown plan). The caller has authorized the plan. */
  async stepsOf(planId: string): Promise<PlanStep[]> {
    if (!isUuid(planId)) return [];
    return withDbErrors('list plan steps', async () => {
      const rows = await this.db.select().from(planSteps).where(eq(planSteps.planId, planId)).orderBy(asc(planSteps.step));
      return rows.map(toStep);
    });
  }

  /** Changes one step of an authorized plan; returns it, or null when the step does not exist. */
  async updateStep(planId: string, step: number, patch: PlanStepPatch): Promise<PlanStep | null> {
    if (!isUuid(planId)) return null;
    return withDbErrors('update plan step', async () => {
      const [row] = await this.db
        .update(planSteps)
        .set({
          ...(patch.status !== undefined && { status: patch.status }),
          ...(patch.attempt !== undefined && { attempt: patch.attempt }),
          ...(patch.startedAt !== undefined && { startedAt: patch.startedAt }),
          ...(patch.finishedAt !== undefined && { finishedAt: patch.finishedAt }),
          ...(patch.outcome !== undefined && { outcome: patch.outcome }),
          ...(patch.error !== undefined && { error: patch.error }),
          updatedAt: sql`now()`,
        })
        .where(and(eq(planSteps.planId, planId), eq(planSteps.step, step)))
        .returning();
      return row ? toStep(row) : null;
    });
  }

  /**
   * Writes (or rewrites) the plan's row in the seed table optimization_history, keyed by the plan id, so the
   * seed's history view lists finished plans with their estimate and, once measured, actual savings.
   */
  async recordHistory(plan: Plan): Promise<void> {
    const values = {
      status: HISTORY_STATUS[plan.status],
      triggeredBy: `${plan.trigger}:${plan.createdBy}`.slice(0, 500),
      recommendations: plan.response.recommendations as unknown[],
      executionPlan: plan.response.execution_plan as unknown[],
      riskAssessment: plan.response.risk_assessment as unknown as Record<string, unknown>,
      confidenceScore: plan.response.confidence_score,
      estimatedSavings: plan.estimatedSavingsMonthly,
      actualSavings: plan.actualSavingsMonthly,
      metadata: { plan_id: plan.id, dry_run: plan.dryRun, outcome: plan.outcome, engine: plan.response.metadata },
      error: plan.error,
      startedAt: plan.startedAt,
      completedAt: plan.finishedAt,
    };
    await withDbErrors('record optimization history', async () => {
      await this.db
        .insert(optimizationHistory)
        .values({ id: plan.id, customerId: plan.customerId, clusterId: plan.clusterId, requestId: plan.request.request_id, decisionType: plan.decisionType, createdAt: plan.createdAt, ...values })
        .onConflictDoUpdate({ target: optimizationHistory.id, set: values });
    });
  }
}
