/**
 * What the periodic optimizers (autoscaler, consolidator) share: a pass over every cluster of every customer,
 * one cluster's failure logged and not stopping the others, and the question "does a plan already act here?".
 */
import { ClustersRepository, PlansRepository, type Cluster, type Database, type Plan, type PlanStatus } from '@cloudoptim/db';
import type { Logger } from '@cloudoptim/runtime';

const PAGE = 500;

/** Calls `fn` for each cluster; a failure is logged with the cluster and the pass goes on. */
export async function forEachCluster(db: Database, log: Logger, worker: string, fn: (cluster: Cluster) => Promise<void>): Promise<void> {
  const clusters = new ClustersRepository(db.db);
  for (let offset = 0; ; offset += PAGE) {
    const page = await clusters.listAll({ limit: PAGE, offset });
    for (const cluster of page) {
      try {
        await fn(cluster);
      } catch (error) {
        log.warn({ worker, cluster_id: cluster.id, err: error instanceof Error ? error.message : String(error) }, 'cluster skipped this pass');
      }
    }
    if (page.length < PAGE) return;
  }
}

/** Whether the cluster has a plan in one of `statuses` (that also passes `which`, when given). */
export async function hasPlan(db: Database, cluster: Cluster, statuses: readonly PlanStatus[], which: (plan: Plan) => boolean = () => true): Promise<boolean> {
  const plans = await new PlansRepository(db.db).listForCluster(cluster.customerId, cluster.id, statuses);
  return plans.some(which);
}
