/**
 * The backtest for the admin UI: strategies (on-demand, cheapest spot, …, CloudOptim) replayed on the real
 * per-AZ Spot price history over a window of at most MAX_BACKTEST_DAYS, for a cluster's workload (read off its
 * latest metrics report: "what would this cluster have saved") or an explicit one. Any signed-in user may run
 * it; a cluster they may not see is NOT_FOUND. Read-only, so not audited.
 *
 * The price history loads once (~0.5 s, kept by the Market); `runBacktest` is synchronous and the request
 * bounds (window, seeds, nodes) keep it to a few seconds of CPU.
 */
import { AppError } from '@cloudoptim/contracts';
import { ClusterMetricsRepository } from '@cloudoptim/db';
import { runBacktest, type BacktestWorkloadInput, type StrategyName } from '@cloudoptim/engines';
import type { Feature } from '../features.ts';
import { visibleCluster } from '../clusters/cluster-access.ts';
import { BacktestAnswerSchema, backtestAnswer, BacktestCoverageSchema, BacktestRequestSchema, MAX_BACKTEST_DAYS, MAX_BACKTEST_NODES, peakNodes, type BacktestAnswer } from './backtest-wire.ts';
import { workloadFromMetrics } from './cluster-workload.ts';

const TAG = 'backtest';
const PATH = '/api/v1/admin/backtest';

export const backtestFeature: Feature = (routes, _app, ctx) => {
  const history = () => ctx.market.spotPriceHistory();
  const metrics = new ClusterMetricsRepository(ctx.db.db);

  routes.define({
    method: 'GET',
    path: `${PATH}/coverage`,
    summary: 'The regions and windows the Spot price history covers (what a backtest can replay), and the longest window',
    tag: TAG,
    auth: 'user',
    response: BacktestCoverageSchema,
    handler: async () => ({
      max_days: MAX_BACKTEST_DAYS,
      regions: (await history()).coverage().map((c) => ({ region: c.region, first: c.first, last: c.last, availability_zones: [...c.availabilityZones] })),
    }),
  });

  routes.define({
    method: 'POST',
    path: PATH,
    summary: `Replay strategies on the real Spot price history (≤ ${MAX_BACKTEST_DAYS} days) for a cluster's workload or an explicit one: cost, savings vs on-demand, interruptions, daily cost`,
    tag: TAG,
    auth: 'user',
    body: BacktestRequestSchema,
    response: BacktestAnswerSchema,
    async handler({ principal, body }) {
      const prices = await history();
      let workload: BacktestWorkloadInput;
      let source: BacktestAnswer['workload_source'];
      let region = body.region;
      if (body.cluster_id !== undefined) {
        const cluster = await visibleCluster(ctx.db, principal, body.cluster_id);
        region ??= cluster.region;
        const latest = await metrics.latest(cluster.customerId, cluster.id);
        if (!latest) throw new AppError('NO_DATA', `cluster ${cluster.name} has reported no metrics yet: there is no workload to replay`, { cluster_id: cluster.id });
        const zones = prices.coverage().find((c) => c.region === region)?.availabilityZones ?? [];
        workload = workloadFromMetrics(cluster.name, latest.metrics, zones);
        if (peakNodes(workload) > MAX_BACKTEST_NODES) throw new AppError('UNPROCESSABLE', `cluster ${cluster.name} runs ${peakNodes(workload)} nodes; a backtest replays at most ${MAX_BACKTEST_NODES}`, { cluster_id: cluster.id, max_nodes: MAX_BACKTEST_NODES });
        source = { kind: 'cluster', cluster_id: cluster.id, metrics_at: latest.receivedAt.toISOString() };
      } else {
        workload = body.workload!;
        source = { kind: 'request', cluster_id: null, metrics_at: null };
      }
      const result = runBacktest(
        { market: ctx.market, history: prices },
        { region: region!, fromMs: body.from, toMs: body.to, workload, strategies: body.strategies as StrategyName[] | undefined, seed: body.seed, seedCount: body.seed_count },
      );
      return backtestAnswer(result, workload, source);
    },
  });
};
