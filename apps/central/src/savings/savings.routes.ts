/**
 * Savings routes (SPEC §3, §5 flow 9), scoped by customer (operators: every customer; another customer's cluster
 * answers 404):
 * - `GET /api/v1/admin/savings` — per cluster and in total: cost and on-demand baseline now (USD/hour), savings
 *   per hour, per month (×730), cumulative, over the window `from`–`to` in buckets of `step_seconds`, and the
 *   predicted vs actual savings of plans measured in the window.
 * - `GET /api/v1/admin/clusters/:cluster_id/cost-allocation` — the cluster's hourly cost split over
 *   namespaces and workloads by requested CPU and memory, idle apart (cost-allocation.ts says how).
 * - `POST /api/v1/admin/clusters/:cluster_id/cost-samples` — samples the cluster's cost now (admins).
 */
import { AppError, IsoDateTimeSchema, SignedUsdSchema, UsdSchema } from '@cloudoptim/contracts';
import { z } from 'zod';
import { customerScope } from '../auth/principal.ts';
import { visibleCluster } from '../clusters/cluster-access.ts';
import type { Feature } from '../features.ts';
import { CostSampler } from './cost-sampler.ts';
import { CPU_WEIGHT_USD_PER_CORE_HOUR, MEMORY_WEIGHT_USD_PER_GIB_HOUR, type AllocationGroup, type CostShare } from './cost-allocation.ts';
import { SavingsService, type SavingsSummary } from './savings.service.ts';

const TAG = 'savings';
const DAY_MS = 86_400_000;
/** Most buckets one answer carries. */
const MAX_POINTS = 2000;

export const SavingsQuerySchema = z
  .object({
    cluster_id: z.string().min(1).max(128).optional(),
    /** Window start (default: 30 days before `to`). */
    from: IsoDateTimeSchema.optional(),
    /** Window end (default: now). */
    to: IsoDateTimeSchema.optional(),
    /** Bucket of the series, seconds (default one day). */
    step_seconds: z.coerce.number().int().min(60).max(366 * 86_400).default(86_400),
  })
  .refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) < Date.parse(q.to), { path: ['to'], message: 'to must be after from' });

const PointSchema = z.object({ at: IsoDateTimeSchema, cost: UsdSchema, baseline: UsdSchema, savings: SignedUsdSchema, covered_hours: z.number().nonnegative() });
const PeriodSchema = z.object({ cost: UsdSchema, baseline: UsdSchema, savings: SignedUsdSchema, covered_hours: z.number().nonnegative() });
const SummaryShape = {
  current_cost_per_hour: UsdSchema,
  baseline_cost_per_hour: UsdSchema,
  savings_per_hour: SignedUsdSchema,
  savings_per_month: SignedUsdSchema,
  savings_percent: z.number().nullable(),
  cumulative_savings: SignedUsdSchema,
  period: PeriodSchema,
  series: z.array(PointSchema),
};

export const SavingsResponseSchema = z.object({
  from: IsoDateTimeSchema,
  to: IsoDateTimeSchema,
  step_seconds: z.number().int(),
  total: z.object(SummaryShape),
  clusters: z.array(z.object({ cluster_id: z.string(), customer_id: z.string(), cluster_name: z.string(), as_of: IsoDateTimeSchema.nullable(), ...SummaryShape })),
  plans: z.array(z.object({ plan_id: z.string(), cluster_id: z.string(), predicted_monthly: SignedUsdSchema, actual_monthly: SignedUsdSchema, measured_at: IsoDateTimeSchema })),
});

const ShareShape = { cpu_cost_per_hour: UsdSchema, memory_cost_per_hour: UsdSchema, cost_per_hour: UsdSchema, cost_per_month: UsdSchema };
const GroupSchema = z.object({ namespace: z.string(), kind: z.string().nullable(), name: z.string().nullable(), pods: z.number().int(), ...ShareShape });

export const CostAllocationResponseSchema = z.object({
  cluster_id: z.string(),
  as_of: IsoDateTimeSchema,
  method: z.object({ split: z.string(), cpu_weight_usd_per_core_hour: z.number(), memory_weight_usd_per_gib_hour: z.number() }),
  total: z.object(ShareShape),
  idle: z.object(ShareShape),
  namespaces: z.array(GroupSchema),
  workloads: z.array(GroupSchema),
  unpriced_pods: z.number().int(),
});

export const CostSampleResponseSchema = z.object({ cluster_id: z.string(), at: IsoDateTimeSchema, cost_per_hour: UsdSchema, baseline_per_hour: UsdSchema, spot_nodes: z.number().int(), on_demand_nodes: z.number().int(), unpriced_nodes: z.number().int() });

const ClusterParamsSchema = z.object({ cluster_id: z.string().min(1).max(128) });

function summaryWire(s: SavingsSummary) {
  return {
    current_cost_per_hour: s.currentCostPerHour,
    baseline_cost_per_hour: s.baselineCostPerHour,
    savings_per_hour: s.savingsPerHour,
    savings_per_month: s.savingsPerMonth,
    savings_percent: s.savingsPercent,
    cumulative_savings: s.cumulativeSavings,
    period: { cost: s.period.cost, baseline: s.period.baseline, savings: s.period.savings, covered_hours: s.period.coveredHours },
    series: s.series.map((p) => ({ at: p.at.toISOString(), cost: p.cost, baseline: p.baseline, savings: p.savings, covered_hours: p.coveredHours })),
  };
}

const shareWire = (s: CostShare) => ({ cpu_cost_per_hour: s.cpu, memory_cost_per_hour: s.memory, cost_per_hour: s.total, cost_per_month: Math.round(s.total * 730 * 100) / 100 });
const groupWire = (g: AllocationGroup) => ({ namespace: g.namespace, kind: g.kind, name: g.name, pods: g.pods, ...shareWire(g) });

export const savingsFeature: Feature = (routes, _app, ctx) => {
  const savings = new SavingsService(ctx);
  const sampler = new CostSampler(ctx);

  routes.define({
    method: 'GET',
    path: '/api/v1/admin/savings',
    summary: 'Savings per cluster and in total: now, per month, cumulative, over time (from/to/step_seconds), and predicted vs actual per plan',
    tag: TAG,
    auth: 'user',
    query: SavingsQuerySchema,
    response: SavingsResponseSchema,
    handler: async ({ principal, query }) => {
      const toMs = query.to !== undefined ? Date.parse(query.to) : ctx.clock.now();
      const fromMs = query.from !== undefined ? Date.parse(query.from) : toMs - 30 * DAY_MS;
      if (fromMs >= toMs) throw new AppError('VALIDATION_FAILED', 'from must be before to', { issues: [{ path: 'from', message: 'must be before to (default: now)' }] });
      const stepMs = query.step_seconds * 1000;
      if (Math.ceil((toMs - fromMs) / stepMs) > MAX_POINTS) throw new AppError('VALIDATION_FAILED', `the window holds more than ${MAX_POINTS} buckets of step_seconds`, { issues: [{ path: 'step_seconds', message: `at most ${MAX_POINTS} buckets per answer: use a longer step or a shorter window` }] });
      const scopeCustomer = customerScope(principal);
      const clusters = query.cluster_id !== undefined ? [await visibleCluster(ctx.db, principal, query.cluster_id)] : await savings.clustersOf(scopeCustomer);
      const overview = await savings.overview(clusters, { fromMs, toMs, stepMs }, { ...(scopeCustomer !== undefined && { customerId: scopeCustomer }), ...(query.cluster_id !== undefined && { clusterId: query.cluster_id }) });
      return {
        from: new Date(fromMs).toISOString(),
        to: new Date(toMs).toISOString(),
        step_seconds: query.step_seconds,
        total: summaryWire(overview.total),
        clusters: overview.clusters.map((c) => ({ cluster_id: c.cluster.id, customer_id: c.cluster.customerId, cluster_name: c.cluster.name, as_of: c.asOf?.toISOString() ?? null, ...summaryWire(c) })),
        plans: overview.plans.map((p) => ({ plan_id: p.planId, cluster_id: p.clusterId, predicted_monthly: p.predictedMonthly, actual_monthly: p.actualMonthly, measured_at: p.measuredAt.toISOString() })),
      };
    },
  });

  routes.define({
    method: 'GET',
    path: '/api/v1/admin/clusters/:cluster_id/cost-allocation',
    summary: 'The cluster’s hourly cost split over namespaces and workloads by requested CPU and memory, idle apart (OpenCost style)',
    tag: TAG,
    auth: 'user',
    params: ClusterParamsSchema,
    response: CostAllocationResponseSchema,
    handler: async ({ principal, params }) => {
      const cluster = await visibleCluster(ctx.db, principal, params.cluster_id);
      const { asOf, allocation } = await savings.allocation(cluster);
      return {
        cluster_id: cluster.id,
        as_of: asOf.toISOString(),
        method: { split: 'node price split between CPU and memory by the node’s allocatable vCPU and GiB weighted with OpenCost’s default rates; pods charged by requests', cpu_weight_usd_per_core_hour: CPU_WEIGHT_USD_PER_CORE_HOUR, memory_weight_usd_per_gib_hour: MEMORY_WEIGHT_USD_PER_GIB_HOUR },
        total: shareWire(allocation.total),
        idle: shareWire(allocation.idle),
        namespaces: allocation.namespaces.map(groupWire),
        workloads: allocation.workloads.map(groupWire),
        unpriced_pods: allocation.unpricedPods,
      };
    },
  });

  routes.define({
    method: 'POST',
    path: '/api/v1/admin/clusters/:cluster_id/cost-samples',
    summary: 'Samples the cluster’s cost now (instead of waiting for the hourly sampler)',
    tag: TAG,
    auth: 'user',
    roles: ['operator', 'customer_admin'],
    params: ClusterParamsSchema,
    response: CostSampleResponseSchema,
    status: 201,
    handler: async ({ principal, params }) => {
      const cluster = await visibleCluster(ctx.db, principal, params.cluster_id);
      const s = await sampler.sample(cluster);
      return { cluster_id: cluster.id, at: s.at.toISOString(), cost_per_hour: s.costPerHour, baseline_per_hour: s.baselinePerHour, spot_nodes: s.spotNodes, on_demand_nodes: s.onDemandNodes, unpriced_nodes: s.unpricedNodes };
    },
  });
};
