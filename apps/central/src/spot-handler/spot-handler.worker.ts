/**
 * The spot handler worker (SPEC §5 flow 3). Each pass — run under the worker lease, so by one replica at a time —
 * finds every cluster whose settings name an interruption queue (`interruption_queue_url`), groups the clusters
 * by (customer, queue), and keeps one long-poll loop per queue alive until a little after the next pass is due.
 * The loops hand what they receive to the {@link InterruptionHandler}. When this replica stops running the
 * worker (lost lease, shutdown), the passes stop and the loops end when their lease runs out.
 */
import { ClustersRepository, type Cluster } from '@cloudoptim/db';
import type { WorkerSpec } from '../context.ts';
import { OutboxNotifier } from '../notifications/outbox-notifier.ts';
import { InterruptionHandler, type QueueOwner, type SpotHandlerDeps } from './interruption-handler.ts';
import { QueuePoller } from './queue-poller.ts';
import { spotHandlerMetrics } from './spot-handler.metrics.ts';

export const SPOT_HANDLER_WORKER = 'spot-handler';
const CLUSTER_PAGE = 500;

export interface SpotHandlerWorkerOptions {
  /** Pass interval, ms (default 5 s): how soon a new or changed queue is polled. */
  intervalMs?: number;
  /**
   * How long the loops run after a pass, in pass intervals (default 2; below the runner's lease of 3 intervals,
   * so another replica's loops never overlap this one's for long).
   */
  loopIntervals?: number;
  /** Pause of a loop after an empty receive that did not wait, ms (default 1 s). */
  idleMs?: number;
}

/** The worker plus what its owner needs: stopping the loops, and the handler (for tests). */
export interface SpotHandlerWorker extends WorkerSpec {
  readonly handler: InterruptionHandler;
  /** Queue keys (`<customer>|<queue url>`) with a running loop. */
  activeQueues(): string[];
  /** Ends every loop (server shutdown). */
  stop(): Promise<void>;
}

/** Builds the spot handler worker over central's context (`CentralContext` is a `SpotHandlerDeps`) or test fakes. */
export function createSpotHandlerWorker(deps: SpotHandlerDeps, options: SpotHandlerWorkerOptions = {}): SpotHandlerWorker {
  const intervalMs = options.intervalMs ?? 5000;
  const loopMs = intervalMs * (options.loopIntervals ?? 2);
  // Central's context has no notifier of its own: interruptions are notified through the outbox.
  const handler = new InterruptionHandler({ ...deps, notifier: deps.notifier ?? new OutboxNotifier(deps.db, deps.clock) });
  const clusters = new ClustersRepository(deps.db.db);
  const metrics = spotHandlerMetrics(deps.metrics);
  const pollers = new Map<string, QueuePoller>();
  const log = deps.log;

  async function allClusters(): Promise<Cluster[]> {
    const all: Cluster[] = [];
    for (let offset = 0; ; offset += CLUSTER_PAGE) {
      const page = await clusters.listAll({ limit: CLUSTER_PAGE, offset });
      all.push(...page);
      if (page.length < CLUSTER_PAGE) return all;
    }
  }

  async function queuesNow(): Promise<Map<string, { owner: QueueOwner; first: { customerId: string; clusterId: string; region: string } }>> {
    const groups = new Map<string, { owner: { customerId: string; clusterIds: string[] }; first: { customerId: string; clusterId: string; region: string } }>();
    for (const cluster of await allClusters()) {
      let queueUrl: string | null;
      try {
        queueUrl = (await deps.settings.get(cluster.customerId, cluster.id)).settings.interruption_queue_url;
      } catch (error) {
        log.warn({ clusterId: cluster.id, err: error instanceof Error ? error.message : String(error) }, 'spot handler: settings unreadable; cluster skipped this pass');
        continue;
      }
      if (queueUrl === null) continue;
      const key = `${cluster.customerId}|${queueUrl}`;
      const group = groups.get(key);
      if (group) group.owner.clusterIds.push(cluster.id);
      else groups.set(key, { owner: { customerId: cluster.customerId, clusterIds: [cluster.id] }, first: { customerId: cluster.customerId, clusterId: cluster.id, region: cluster.region } });
    }
    return groups;
  }

  return {
    name: SPOT_HANDLER_WORKER,
    intervalMs,
    handler,
    activeQueues: () => [...pollers.entries()].filter(([, p]) => p.running).map(([key]) => key),
    async tick() {
      const until = deps.clock.now() + loopMs;
      const groups = await queuesNow();
      for (const [key, poller] of pollers) {
        if (!groups.has(key) || !poller.running) {
          pollers.delete(key);
          await poller.stop();
        }
      }
      for (const [key, { owner, first }] of groups) {
        let poller = pollers.get(key);
        if (!poller) {
          let source;
          try {
            source = (await deps.cloud.forCluster(first)).interruptions;
          } catch (error) {
            log.warn({ clusterId: first.clusterId, err: error instanceof Error ? error.message : String(error) }, 'spot handler: no cloud access for the cluster; its queue is skipped this pass');
            continue;
          }
          if (!source) continue;
          poller = new QueuePoller(key, owner, source, {
            clock: deps.clock,
            log,
            handle: (o, s, messages) => handler.handleBatch(o, s, messages),
            onError: (code) => metrics.pollErrors.inc({ code }),
            ...(options.idleMs !== undefined && { idleMs: options.idleMs }),
          });
          pollers.set(key, poller);
        }
        poller.extend(until, owner);
      }
    },
    async stop() {
      const all = [...pollers.values()];
      pollers.clear();
      await Promise.all(all.map((p) => p.stop()));
    },
  };
}
