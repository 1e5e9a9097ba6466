/**
 * Turns what other services publish on the admin stream into customer notifications: a plan awaiting approval,
 * a plan that failed (or was rolled back), a cluster turning RED. Every replica listens and notifies; the
 * outbox's unique (channel, event key) makes that one delivery. Keys are taken from the event itself — the
 * plan id and status; the cluster and the time of its last report, which stays the same for as long as it is
 * RED — so one outage is one notification however often its state is republished. Like the stream, this is a
 * hint: an event published while no replica listens is not notified.
 */
import type { AdminStreamEvent } from '@cloudoptim/contracts';
import { ClustersRepository, type Database } from '@cloudoptim/db';
import type { Logger } from '@cloudoptim/runtime';
import type { RealtimeHub } from '../realtime/realtime-hub.ts';
import type { NotificationEvent, Notifier } from './notifier.ts';

/** The notification an admin-stream event calls for (for the cluster named `clusterName`), or null. */
export function notificationOf(event: AdminStreamEvent, clusterName: string): NotificationEvent | null {
  const occurredAt = new Date(event.sent_at);
  if (event.type === 'optimization_updated') {
    const facts = { plan_id: event.optimization_id, decision_type: event.decision_type, status: event.status, estimated_savings_monthly: event.estimated_savings };
    if (event.status === 'awaiting_approval') {
      return { type: 'plan_awaiting_approval', key: `plan:${event.optimization_id}:awaiting_approval`, clusterId: event.cluster_id, title: `A ${event.decision_type} plan for ${clusterName} awaits approval`, text: `Plan ${event.optimization_id} (${event.total_steps} steps) would save about ${event.estimated_savings.toFixed(2)} USD/month. Approve or reject it in CloudOptim.`, facts, occurredAt };
    }
    if (event.status === 'failed' || event.status === 'rolled_back') {
      return { type: 'plan_failed', key: `plan:${event.optimization_id}:${event.status}`, clusterId: event.cluster_id, title: `A ${event.decision_type} plan for ${clusterName} ${event.status === 'failed' ? 'failed' : 'was rolled back'}`, text: `Plan ${event.optimization_id} ended ${event.status}${event.current_step !== null ? ` at step ${event.current_step} of ${event.total_steps}` : ''}.`, facts, occurredAt };
    }
    return null;
  }
  if (event.type === 'cluster_state_changed' && event.state.health_status === 'RED') {
    return {
      type: 'cluster_red',
      key: `cluster_red:${event.cluster_id}:${event.state.last_updated}`,
      clusterId: event.cluster_id,
      title: `Cluster ${clusterName} is RED`,
      text: `The CloudOptim agent of ${clusterName} stopped reporting (last report ${event.state.last_updated}); CloudOptim cannot drain or optimize it until it is back.`,
      facts: { health_status: 'RED', last_updated: event.state.last_updated, total_nodes: event.state.total_nodes },
      occurredAt,
    };
  }
  return null;
}

/** Listens to the admin stream of this replica; returns the unsubscribe. */
export function startNotificationBridge(deps: { db: Database; realtime: RealtimeHub; log: Logger }, notifier: Notifier): () => void {
  const clusters = new ClustersRepository(deps.db.db);
  const handle = async (event: AdminStreamEvent) => {
    if (event.type !== 'optimization_updated' && event.type !== 'cluster_state_changed') return;
    const cluster = await clusters.findById(event.cluster_id);
    if (!cluster) return;
    const notification = notificationOf(event, cluster.name);
    if (notification) await notifier.notify(cluster.customerId, notification);
  };
  return deps.realtime.subscribeAdmin({
    customerId: undefined,
    send: (event) => {
      handle(event).catch((error: unknown) => deps.log.warn({ type: event.type, err: error instanceof Error ? error.message : String(error) }, 'notification not queued'));
    },
  });
}
