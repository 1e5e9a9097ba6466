/**
 * Kubernetes Events → ClusterEvents. Only the reasons central acts on are forwarded:
 *
 * | Kubernetes reason | ClusterEvent kind |
 * |---|---|
 * | FailedScheduling | pod_unschedulable |
 * | NodeNotReady | node_not_ready |
 * | NodeReady | node_ready |
 * | Evicted, TaintManagerEviction, Preempted, Killing | pod_evicted (`reason` keeps which) |
 * | OOMKilling | pod_oom_killed |
 *
 * `event_id` is derived from the Event's uid and occurrence count, so re-sending an occurrence (after a
 * reconnect or a relist) is recognised by central as a duplicate.
 */
import { createHash } from 'node:crypto';
import { EventIdSchema, InstanceIdSchema, KubeNameSchema, NamespaceSchema, type ClusterEvent, type ClusterEventKind } from '@cloudoptim/contracts';
import type { KubeEvent, KubeNode } from '@cloudoptim/kube';

const KINDS: Record<string, ClusterEventKind> = {
  FailedScheduling: 'pod_unschedulable',
  NodeNotReady: 'node_not_ready',
  NodeReady: 'node_ready',
  Evicted: 'pod_evicted',
  TaintManagerEviction: 'pod_evicted',
  Preempted: 'pod_evicted',
  Killing: 'pod_evicted',
  OOMKilling: 'pod_oom_killed',
};

/** The ClusterEvent kind of a Kubernetes reason, or undefined when it is not forwarded. */
export function kindOfReason(reason: string | null): ClusterEventKind | undefined {
  return reason ? KINDS[reason] : undefined;
}

/** An id valid as an EventId: `raw` when it is, else a hash of it with the same prefix. */
export function eventId(prefix: string, raw: string): string {
  const id = `${prefix}:${raw}`;
  return EventIdSchema.safeParse(id).success ? id : `${prefix}:${createHash('sha256').update(raw).digest('hex').slice(0, 40)}`;
}

const nameOrNull = (v: string | null) => (v !== null && KubeNameSchema.safeParse(v).success ? v : null);
const nsOrNull = (v: string | null) => (v !== null && NamespaceSchema.safeParse(v).success ? v : null);

/** The ClusterEvent of a Kubernetes Event, or null when its reason is not forwarded. */
export function clusterEventOf(e: KubeEvent, clusterId: string, nowMs: number): ClusterEvent | null {
  const kind = kindOfReason(e.reason);
  if (!kind) return null;
  const involved = e.involvedObject;
  const isNode = involved.kind === 'Node';
  const isPod = involved.kind === 'Pod';
  return {
    event_id: eventId('k8s', `${e.uid || `${e.namespace}.${e.name}`}:${e.count}`),
    cluster_id: clusterId,
    kind,
    occurred_at: new Date(e.lastTimestampMs ?? e.firstTimestampMs ?? nowMs).toISOString(),
    node_name: nameOrNull(isNode ? involved.name : e.source.host),
    instance_id: null,
    namespace: isPod ? nsOrNull(involved.namespace) : null,
    pod_name: isPod ? nameOrNull(involved.name) : null,
    reason: e.reason?.slice(0, 128) ?? null,
    message: e.message?.slice(0, 4096) ?? null,
  };
}

/** What the node watch keeps of a node to report its arrival or departure. */
export type NodeFacts = Pick<KubeNode, 'name' | 'uid' | 'instanceId' | 'instanceType' | 'zone' | 'createdAtMs'>;

/** A node joining or leaving the cluster, from the node watch. */
export function nodeEventOf(node: NodeFacts, kind: 'node_added' | 'node_removed', clusterId: string, nowMs: number): ClusterEvent {
  return {
    event_id: eventId('node', `${node.uid || node.name}:${kind === 'node_added' ? 'added' : 'removed'}`),
    cluster_id: clusterId,
    kind,
    occurred_at: new Date(kind === 'node_added' && node.createdAtMs !== null ? node.createdAtMs : nowMs).toISOString(),
    node_name: nameOrNull(node.name),
    instance_id: node.instanceId && InstanceIdSchema.safeParse(node.instanceId).success ? node.instanceId : null,
    namespace: null,
    pod_name: null,
    reason: kind === 'node_added' ? 'NodeAdded' : 'NodeRemoved',
    message: `node ${node.name}${node.instanceType ? ` (${node.instanceType}${node.zone ? `, ${node.zone}` : ''})` : ''} ${kind === 'node_added' ? 'joined' : 'left'} the cluster`,
  };
}
