/**
 * The cluster health worker: every half heartbeat interval it recomputes the health of every cluster whose agent
 * ever connected (GREEN → YELLOW after 2 missed heartbeats → RED after 4) and publishes each change. Clusters
 * whose agent never connected keep no stored health (reads show RED) so registering a cluster raises no alarm.
 */
import { AgentHeartbeatsRepository } from '@cloudoptim/db';
import type { CentralContext, WorkerSpec } from '../context.ts';
import { healthOf } from './cluster-health.ts';
import { applyHealth } from './health-updates.ts';

const PAGE = 500;

/** One pass over every cluster; returns how many changed health. */
export async function updateClusterHealth(ctx: Pick<CentralContext, 'db' | 'clock' | 'log' | 'realtime' | 'config'>): Promise<number> {
  const repo = new AgentHeartbeatsRepository(ctx.db.db);
  let changed = 0;
  let after: string | undefined;
  for (;;) {
    const page = await repo.liveness({ afterClusterId: after, limit: PAGE });
    const now = ctx.clock.now();
    for (const cluster of page) {
      if (!cluster.lastHeartbeatAt) continue;
      const health = healthOf(cluster, now, ctx.config.AGENT_HEARTBEAT_SECONDS);
      if (health !== cluster.healthStatus && (await applyHealth(ctx, cluster.customerId, cluster.clusterId, health))) changed++;
    }
    if (page.length < PAGE) return changed;
    after = page[page.length - 1]!.clusterId;
  }
}

/** The worker spec the composition root adds to `ctx.workers`. */
export function createClusterHealthWorker(ctx: CentralContext): WorkerSpec {
  return {
    name: 'cluster-health',
    intervalMs: Math.max(1000, (ctx.config.AGENT_HEARTBEAT_SECONDS * 1000) / 2),
    tick: async () => {
      await updateClusterHealth(ctx);
    },
  };
}
