/**
 * The wire form of a plan (snake_case) for the optimization routes: a summary for the history list, and the
 * whole plan — rationale, recommendations, risk, steps with their execution state — for one plan.
 * Savings are USD per month.
 */
import { z } from 'zod';
import {
  ContainerRecommendationSchema,
  DecisionTypeSchema,
  IsoDateTimeSchema,
  RationaleSchema,
  RecommendationSchema,
  RiskAssessmentSchema,
  SignedUsdSchema,
} from '@cloudoptim/contracts';
import type { Plan, PlanStep, PlanWithSteps } from '@cloudoptim/db';

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

export const PlanStatusSchema = z.enum(['proposed', 'approved', 'rejected', 'running', 'succeeded', 'failed', 'rolled_back', 'cancelled']);
export const PlanTriggerSchema = z.enum(['user', 'schedule', 'pending_pods', 'consolidator', 'spot_handler']);

export const PlanSummarySchema = z.object({
  plan_id: z.string(),
  customer_id: z.string(),
  cluster_id: z.string(),
  decision_type: DecisionTypeSchema,
  status: PlanStatusSchema,
  trigger: PlanTriggerSchema,
  dry_run: z.boolean(),
  outcome: z.enum(['planned', 'nothing_to_do', 'infeasible']),
  /** Why it is what it is (the engine's summary). */
  summary: z.string(),
  estimated_savings_monthly: SignedUsdSchema,
  /** Measured later (savings ledger); null until then. */
  actual_savings_monthly: SignedUsdSchema.nullable(),
  created_by: z.string(),
  approved_by: z.string().nullable(),
  created_at: IsoDateTimeSchema,
  approved_at: IsoDateTimeSchema.nullable(),
  started_at: IsoDateTimeSchema.nullable(),
  finished_at: IsoDateTimeSchema.nullable(),
  error: z.string().nullable(),
});
export type PlanSummary = z.infer<typeof PlanSummarySchema>;

export const PlanStepViewSchema = z.object({
  step: z.number().int().positive(),
  action: z.string(),
  description: z.string().nullable(),
  depends_on: z.array(z.number().int().positive()),
  not_before: IsoDateTimeSchema.nullable(),
  parameters: z.record(z.string(), z.unknown()),
  status: z.enum(['pending', 'running', 'succeeded', 'failed', 'skipped', 'rolled_back']),
  attempt: z.number().int().nonnegative(),
  started_at: IsoDateTimeSchema.nullable(),
  finished_at: IsoDateTimeSchema.nullable(),
  outcome: z.record(z.string(), z.unknown()).nullable(),
  error: z.string().nullable(),
});

export const PlanViewSchema = PlanSummarySchema.extend({
  request_id: z.string(),
  outcome_reason: z.string().nullable(),
  rationale: RationaleSchema,
  recommendations: z.array(RecommendationSchema),
  container_recommendations: z.array(ContainerRecommendationSchema),
  risk_assessment: RiskAssessmentSchema,
  confidence_score: z.number().min(0).max(1),
  /** Engine and model versions, data age, and the engine's extra facts (pod moves, candidates …). */
  engine: z.record(z.string(), z.unknown()),
  steps: z.array(PlanStepViewSchema),
});
export type PlanView = z.infer<typeof PlanViewSchema>;

export const PlanListSchema = z.object({
  items: z.array(PlanSummarySchema),
  total: z.number().int().nonnegative(),
  limit: z.number().int().positive(),
  offset: z.number().int().nonnegative(),
});

export function toPlanSummary(plan: Plan): PlanSummary {
  const r = plan.response;
  return {
    plan_id: plan.id,
    customer_id: plan.customerId,
    cluster_id: plan.clusterId,
    decision_type: plan.decisionType,
    status: plan.status,
    trigger: plan.trigger,
    dry_run: plan.dryRun,
    outcome: plan.outcome,
    summary: (r.rationale?.summary || r.outcome_reason || r.risk_assessment.summary || '').slice(0, 2000),
    estimated_savings_monthly: plan.estimatedSavingsMonthly,
    actual_savings_monthly: plan.actualSavingsMonthly,
    created_by: plan.createdBy,
    approved_by: plan.approvedBy,
    created_at: plan.createdAt.toISOString(),
    approved_at: iso(plan.approvedAt),
    started_at: iso(plan.startedAt),
    finished_at: iso(plan.finishedAt),
    error: plan.error,
  };
}

function toStepView(s: PlanStep): z.input<typeof PlanStepViewSchema> {
  return {
    step: s.step,
    action: s.action,
    description: s.description,
    depends_on: s.dependsOn,
    not_before: iso(s.notBefore),
    parameters: s.parameters,
    status: s.status,
    attempt: s.attempt,
    started_at: iso(s.startedAt),
    finished_at: iso(s.finishedAt),
    outcome: s.outcome,
    error: s.error,
  };
}

export function toPlanView(plan: PlanWithSteps): z.input<typeof PlanViewSchema> {
  const r = plan.response;
  return {
    ...toPlanSummary(plan),
    request_id: plan.request.request_id,
    outcome_reason: r.outcome_reason,
    rationale: r.rationale ?? { summary: r.outcome_reason ?? r.risk_assessment.summary, factors: [], data_sources: [] },
    recommendations: r.recommendations,
    container_recommendations: r.container_recommendations,
    risk_assessment: r.risk_assessment,
    confidence_score: r.confidence_score,
    engine: r.metadata,
    steps: plan.steps.map(toStepView),
  };
}
