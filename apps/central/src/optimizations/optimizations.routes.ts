/**
 * Optimizations for people: trigger a decision (the plan with its rationale, steps and estimated savings;
 * `dry_run` stores a preview that can never run), the history with estimated and actual savings, one plan with
 * its steps, approve and reject. Admins and operators act; viewers read (403 on the rest). Another customer's
 * plan or cluster is NOT_FOUND. Every action is audited.
 */
import { z } from 'zod';
import { DecisionRequirementsSchema, DecisionTypeSchema } from '@cloudoptim/contracts';
import { PlansRepository } from '@cloudoptim/db';
import { customerScope, type UserPrincipal } from '../auth/principal.ts';
import { visibleCluster } from '../clusters/cluster-access.ts';
import type { Feature } from '../features.ts';
import { OptimizerService } from './optimizer.service.ts';
import { PlanListSchema, PlanStatusSchema, PlanViewSchema, toPlanSummary, toPlanView } from './plan-view.ts';

const WRITERS = ['operator', 'customer_admin'] as const;

const TriggerBodySchema = z.object({
  cluster_id: z.string().min(1).max(128),
  optimization_type: DecisionTypeSchema,
  dry_run: z.boolean().default(false),
  /** Overrides of what the decision must provide (extra capacity, allowed types/zones …); defaults derive it. */
  requirements: DecisionRequirementsSchema.partial().optional(),
});

const ListQuerySchema = z.object({
  cluster_id: z.string().min(1).max(128).optional(),
  status: PlanStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

const PlanParamsSchema = z.object({ plan_id: z.string().min(1).max(128) });
const RejectBodySchema = z.object({ reason: z.string().trim().min(1).max(1000).optional() }).default({});

/** The customer a user's plan lookups are limited to (null: every customer, for operators). */
function scopeOf(user: UserPrincipal): string | null {
  return customerScope(user) ?? null;
}

export const optimizationsFeature: Feature = (routes, _app, ctx) => {
  const optimizer = new OptimizerService(ctx);
  const plans = new PlansRepository(ctx.db.db);

  routes.define({
    method: 'POST',
    path: '/api/v1/admin/optimization/trigger',
    summary: 'Ask the ML server for a decision about a cluster and store it as a plan (approve it to run it in recommend mode)',
    tag: 'optimizations',
    auth: 'user',
    roles: WRITERS,
    body: TriggerBodySchema,
    response: PlanViewSchema,
    status: 201,
    async handler({ req, principal, body }) {
      const cluster = await visibleCluster(ctx.db, principal, body.cluster_id);
      const plan = await optimizer.optimize({
        customerId: cluster.customerId,
        clusterId: cluster.id,
        decisionType: body.optimization_type,
        trigger: 'user',
        requestedBy: `user:${principal.email}`,
        dryRun: body.dry_run,
        ...(body.requirements && { requirements: body.requirements }),
        requestId: req.id,
      });
      // keepEmpty defaults to true: a person always gets the decision back, even "nothing to do".
      return toPlanView(plan!);
    },
  });

  routes.define({
    method: 'GET',
    path: '/api/v1/admin/optimizations',
    summary: 'Optimization history, newest first, with estimated and actual savings (USD/month)',
    tag: 'optimizations',
    auth: 'user',
    query: ListQuerySchema,
    response: PlanListSchema,
    async handler({ principal, query }) {
      const { cluster_id: clusterId, status, limit, offset } = query;
      const page = await plans.list(scopeOf(principal), { ...(clusterId !== undefined && { clusterId }), ...(status !== undefined && { status }), limit, offset });
      return { items: page.items.map(toPlanSummary), total: page.total, limit, offset };
    },
  });

  routes.define({
    method: 'GET',
    path: '/api/v1/admin/optimizations/:plan_id',
    summary: 'One plan: rationale, recommendations, risk, and each step with its execution state',
    tag: 'optimizations',
    auth: 'user',
    params: PlanParamsSchema,
    response: PlanViewSchema,
    async handler({ principal, params }) {
      return toPlanView(await optimizer.visible(scopeOf(principal), params.plan_id));
    },
  });

  routes.define({
    method: 'POST',
    path: '/api/v1/admin/optimizations/:plan_id/approve',
    summary: 'Approve a proposed plan: the executor runs it next',
    tag: 'optimizations',
    auth: 'user',
    roles: WRITERS,
    params: PlanParamsSchema,
    response: PlanViewSchema,
    async handler({ req, principal, params }) {
      return toPlanView(await optimizer.approve(scopeOf(principal), params.plan_id, `user:${principal.email}`, req.id));
    },
  });

  routes.define({
    method: 'POST',
    path: '/api/v1/admin/optimizations/:plan_id/reject',
    summary: 'Reject a plan that has not started',
    tag: 'optimizations',
    auth: 'user',
    roles: WRITERS,
    params: PlanParamsSchema,
    body: RejectBodySchema,
    response: PlanViewSchema,
    async handler({ req, principal, params, body }) {
      return toPlanView(await optimizer.reject(scopeOf(principal), params.plan_id, `user:${principal.email}`, body.reason ?? null, req.id));
    },
  });
};
