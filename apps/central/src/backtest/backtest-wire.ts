/**
 * The wire shapes of `POST /api/v1/admin/backtest`: the request (a cluster or an explicit workload, a region, a
 * window of at most MAX_BACKTEST_DAYS, strategies, seeds) and the answer (the engine's BacktestResult in
 * snake_case; a statistic that is not a number, such as a saving against an on-demand cost of 0, is null).
 * The bounds keep one request to a few seconds of CPU: runBacktest is synchronous.
 */
import { z } from 'zod';
import { AwsRegionSchema } from '@cloudoptim/contracts';
import { BacktestWorkloadSchema, STRATEGY_NAMES, type BacktestResult, type BacktestWorkloadInput, type SeedStat } from '@cloudoptim/engines';

const DAY_MS = 86_400_000;
export const MAX_BACKTEST_DAYS = 31;
export const MAX_BACKTEST_SEEDS = 3;
/** Most nodes a replayed workload may run at once (simulation time grows with nodes × days × seeds). */
export const MAX_BACKTEST_NODES = 200;

/** A day (`YYYY-MM-DD`, UTC midnight) or an ISO 8601 date-time with offset → epoch ms. */
const Instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()], { message: 'must be a date YYYY-MM-DD or an ISO 8601 date-time' }).transform((text) => Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text));

/** Most nodes the workload asks for at any hour. */
export function peakNodes(workload: BacktestWorkloadInput): number {
  return workload.nodeCount ?? Math.max(0, ...(workload.dailyProfile?.hourlyNodeCounts ?? []));
}

export const BacktestRequestSchema = z
  .strictObject({
    /** Replay this cluster's workload (from its latest metrics) … */
    cluster_id: z.uuid().optional(),
    /** … or this one (the workload file format of docs/backtest-workload.md). */
    workload: BacktestWorkloadSchema.optional(),
    /** Price history region; default the cluster's region. */
    region: AwsRegionSchema.optional(),
    from: Instant,
    /** Exclusive end. */
    to: Instant,
    strategies: z.array(z.enum(STRATEGY_NAMES)).min(1).optional(),
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(1),
    seed_count: z.number().int().min(1).max(MAX_BACKTEST_SEEDS).default(1),
  })
  .superRefine((b, ctx) => {
    if ((b.cluster_id === undefined) === (b.workload === undefined)) ctx.addIssue({ code: 'custom', path: ['cluster_id'], message: 'give exactly one of cluster_id or workload' });
    if (b.workload !== undefined && b.region === undefined) ctx.addIssue({ code: 'custom', path: ['region'], message: 'required with an explicit workload' });
    if (b.to <= b.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    else if (b.to - b.from > MAX_BACKTEST_DAYS * DAY_MS) ctx.addIssue({ code: 'custom', path: ['to'], message: `the window is at most ${MAX_BACKTEST_DAYS} days` });
    if (b.workload !== undefined && peakNodes(b.workload) > MAX_BACKTEST_NODES) ctx.addIssue({ code: 'custom', path: ['workload'], message: `at most ${MAX_BACKTEST_NODES} nodes at once` });
  });

const StatSchema = z.object({ mean: z.number().nullable(), std: z.number().nullable(), min: z.number().nullable(), max: z.number().nullable() });

const StrategySchema = z.object({
  name: z.enum(STRATEGY_NAMES),
  description: z.string(),
  cost_usd: StatSchema,
  /** Against the on-demand run of the same seed, percent. */
  savings_pct: StatSchema,
  interruptions: StatSchema,
  interruptions_per_node_month: StatSchema,
  pod_disruption_minutes: StatSchema,
  node_hours: StatSchema,
  spot_share_pct: StatSchema,
  /** USD per day from effective_from, mean over seeds. */
  daily_cost_usd: z.array(z.number()),
  top_pools: z.array(z.object({ pool: z.string(), node_hours: z.number() })),
});

export const BacktestAnswerSchema = z.object({
  region: z.string(),
  /** The workload replayed (file format) and where it came from. */
  workload: z.record(z.string(), z.unknown()),
  workload_source: z.object({ kind: z.enum(['cluster', 'request']), cluster_id: z.string().nullable(), metrics_at: z.string().nullable() }),
  from: z.string(),
  to: z.string(),
  effective_from: z.string(),
  effective_to: z.string(),
  days: z.number(),
  seeds: z.array(z.number()),
  zones: z.array(z.string()),
  strategies: z.array(StrategySchema),
  rationale: z.object({ summary: z.string(), data_sources: z.array(z.object({ name: z.string(), as_of: z.string(), note: z.string() })), assumptions: z.array(z.string()) }),
});
export type BacktestAnswer = z.input<typeof BacktestAnswerSchema>;

export const BacktestCoverageSchema = z.object({
  max_days: z.number(),
  regions: z.array(z.object({ region: z.string(), first: z.string(), last: z.string(), availability_zones: z.array(z.string()) })),
});

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
const stat = (s: SeedStat) => ({ mean: finite(s.mean), std: finite(s.std), min: finite(s.min), max: finite(s.max) });

/** The engine's result as the wire answer. */
export function backtestAnswer(r: BacktestResult, workload: BacktestWorkloadInput, source: BacktestAnswer['workload_source']): BacktestAnswer {
  return {
    region: r.region,
    workload: { ...workload },
    workload_source: source,
    from: r.from,
    to: r.to,
    effective_from: r.effectiveFrom,
    effective_to: r.effectiveTo,
    days: r.days,
    seeds: r.seeds,
    zones: r.zones,
    strategies: r.strategies.map((s) => ({
      name: s.name,
      description: s.description,
      cost_usd: stat(s.costUsd),
      savings_pct: stat(s.savingsPct),
      interruptions: stat(s.interruptions),
      interruptions_per_node_month: stat(s.interruptionsPerNodeMonth),
      pod_disruption_minutes: stat(s.podDisruptionMinutes),
      node_hours: stat(s.nodeHours),
      spot_share_pct: stat(s.spotSharePct),
      daily_cost_usd: s.dailyCostUsd,
      top_pools: s.topPools.map((p) => ({ pool: p.pool, node_hours: p.nodeHours })),
    })),
    rationale: { summary: r.rationale.summary, data_sources: r.rationale.dataSources.map((d) => ({ name: d.name, as_of: d.asOf, note: d.note })), assumptions: r.rationale.assumptions },
  };
}
