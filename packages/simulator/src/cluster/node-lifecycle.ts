/**
 * Node lifecycle: registration (what a booting kubelet does), NotReady when the instance is gone (what the
 * node lifecycle controller does once the kubelet stops posting status: conditions Unknown, `unreachable`
 * taints, pods marked not Ready), removal (what the cloud node lifecycle controller does when the instance no
 * longer exists) followed by the pod garbage collector force-deleting the pods bound to the removed node, and
 * the taint manager evicting pods that do not tolerate a NoExecute taint (after their `tolerationSeconds`).
 */
import type { Market } from '@cloudoptim/market';
import type { KubeObject, NewObject, Node, NodeCondition, Pod, Taint } from '../kube-api/index.ts';
import { KubeApiError } from '../kube-api/index.ts';
import { WorkQueue } from './cluster-index.ts';
import type { Controller, ControllerContext } from './controller-context.ts';
import { buildNode, type NodeRegistration } from './node-factory.ts';
import { tolerates } from './scheduler-fit.ts';

const NODE_CONTROLLER = { component: 'node-controller' };
const LEASES = 'coordination.k8s.io/leases';
const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';
export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';

export class NodeLifecycle implements Controller {
  readonly name = 'node-lifecycle';
  /** Keys: `taint/<node>` (re-evaluate NoExecute taints) and `gc/<node>` (node removed: delete its pods). */
  readonly queue = new WorkQueue();
  /** Pod uid → pending taint eviction time, so one is not scheduled twice. */
  private readonly evictions = new Map<string, number>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly market: Market,
  ) {}

  /**
   * Registers the node of a booted instance and returns it. A node of the same name left over from an earlier
   * instance (EC2 reuses private IPs) is replaced.
   * @throws Error if the instance type is not in the catalog.
   */
  register(reg: NodeRegistration): Node {
    const { store, clock } = this.ctx;
    const manifest = buildNode(reg, this.market, clock.now());
    const existing = store.nodes.get(manifest.metadata.name);
    if (existing) {
      // The old node's pods must not be mistaken for the new node's: the pod GC would skip them.
      store.nodes.delete(undefined, existing.metadata.name, { gracePeriodSeconds: 0 });
      for (const pod of this.ctx.index.podsOn(existing.metadata.name)) this.forceDelete(pod);
    }
    const node = store.nodes.create(manifest as unknown as NewObject<Node>);
    this.renewLease(node);
    this.ctx.events.record(node, 'Normal', 'RegisteredNode', `Node ${node.metadata.name} event: Registered Node ${node.metadata.name} in Controller`, NODE_CONTROLLER);
    this.ctx.events.record(node, 'Normal', 'NodeReady', `Node ${node.metadata.name} status is now: NodeReady`, { component: 'kubelet', host: node.metadata.name });
    return node;
  }

  /**
   * The kubelet's heartbeat Lease in `kube-node-lease` (what `kubectl describe node` shows as Lease), owned by
   * the node so it goes with it. Renewed with each status heartbeat.
   */
  renewLease(node: Node): void {
    const { store } = this.ctx;
    const name = node.metadata.name;
    const renewTime = new Date(this.ctx.clock.now()).toISOString().replace('Z', '000Z');
    try {
      if (store.get(LEASES, NODE_LEASE_NAMESPACE, name)) {
        store.mutate<KubeObject & { spec: Record<string, unknown> }>(LEASES, NODE_LEASE_NAMESPACE, name, (l) => {
          l.spec.renewTime = renewTime;
        }, { skipValidation: true });
        return;
      }
      store.create(LEASES, {
        metadata: {
          name,
          namespace: NODE_LEASE_NAMESPACE,
          ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata.uid }],
        },
        spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime },
      }, { skipValidation: true });
    } catch (err) {
      if (!(err instanceof KubeApiError)) throw err;
      this.ctx.log.debug({ err, node: name }, 'node lease not written');
    }
  }

  /**
   * The kubelet stopped posting status (its instance is terminated): conditions Unknown, `unreachable`
   * NoSchedule and NoExecute taints, its pods marked not Ready. Idempotent; returns false if no such node.
   */
  markNotReady(name: string): boolean {
    const { store } = this.ctx;
    const node = store.nodes.get(name);
    if (!node) return false;
    const now = store.timestamp();
    store.nodes.mutateStatus(undefined, name, (n) => {
      const status = (n.status ??= {});
      status.conditions = (status.conditions ?? []).map((c): NodeCondition =>
        c.status === 'Unknown'
          ? c
          : { type: c.type, status: 'Unknown', lastHeartbeatTime: c.lastHeartbeatTime ?? now, lastTransitionTime: now, reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' },
      );
    });
    store.nodes.mutate(undefined, name, (n) => {
      const spec = (n.spec ??= {});
      const taints = (spec.taints ?? []).filter((t) => t.key !== UNREACHABLE_TAINT && t.key !== NOT_READY_TAINT);
      taints.push({ key: UNREACHABLE_TAINT, effect: 'NoSchedule', timeAdded: now }, { key: UNREACHABLE_TAINT, effect: 'NoExecute', timeAdded: now });
      spec.taints = taints;
    });
    const updated = store.nodes.get(name);
    if (updated) this.ctx.events.record(updated, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`, NODE_CONTROLLER);
    // MarkPodsNotReady: the node lifecycle controller flips every pod's Ready condition on the lost node.
    for (const pod of this.ctx.index.podsOn(name)) {
      if (pod.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'True') continue;
      try {
        store.pods.mutateStatus(pod.metadata.namespace, pod.metadata.name, (p) => {
          for (const c of p.status?.conditions ?? []) {
            if (c.type === 'Ready' || c.type === 'ContainersReady') {
              c.status = 'False';
              c.lastTransitionTime = now;
              delete c.reason;
              delete c.message;
            }
          }
          for (const cs of p.status?.containerStatuses ?? []) cs.ready = false;
        });
      } catch (err) {
        if (!(err instanceof KubeApiError)) throw err;
      }
    }
    return true;
  }

  /** Deletes the Node object; its pods are then force-deleted by the pod GC. Returns false if no such node. */
  remove(name: string): boolean {
    const node = this.ctx.store.nodes.get(name);
    if (!node) return false;
    this.ctx.events.record(node, 'Normal', 'RemovingNode', `Node ${name} event: Removing Node ${name} from Controller`, NODE_CONTROLLER);
    try {
      this.ctx.store.nodes.delete(undefined, name, { gracePeriodSeconds: 0 });
    } catch (err) {
      if (!(err instanceof KubeApiError && err.reason === 'NotFound')) throw err;
    }
    return true;
  }

  forget(uid: string): void {
    this.evictions.delete(uid);
  }

  sync(key: string): void {
    const slash = key.indexOf('/');
    const kind = key.slice(0, slash);
    const nodeName = key.slice(slash + 1);
    if (kind === 'gc') this.collectPods(nodeName);
    else if (kind === 'taint') this.evictForTaints(nodeName);
  }

  /** Pod GC for a removed node: pods bound to a node that no longer exists are deleted at once. */
  private collectPods(nodeName: string): void {
    if (this.ctx.index.nodes.has(nodeName)) return;
    for (const pod of this.ctx.index.podsOn(nodeName)) this.forceDelete(pod);
  }

  private forceDelete(pod: Pod): void {
    try {
      this.ctx.store.pods.delete(pod.metadata.namespace!, pod.metadata.name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      if (!(err instanceof KubeApiError && (err.reason === 'NotFound' || err.reason === 'Conflict'))) throw err;
    }
  }

  /** The taint manager: evict pods that do not tolerate the node's NoExecute taints (now, or after tolerationSeconds). */
  private evictForTaints(nodeName: string): void {
    const { index, clock, timers } = this.ctx;
    const node = index.nodes.get(nodeName);
    const taints = (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
    if (!node || taints.length === 0) return;
    const now = clock.now();
    for (const pod of index.podsOn(nodeName)) {
      if (pod.metadata.deletionTimestamp) continue;
      const after = evictionDelayMs(pod, taints);
      if (after === undefined) continue;
      if (after <= 0) {
        this.evict(pod, nodeName);
        continue;
      }
      if (this.evictions.has(pod.metadata.uid)) continue;
      this.evictions.set(pod.metadata.uid, now + after);
      timers.at(now + after, () => {
        this.evictions.delete(pod.metadata.uid);
        const current = index.pods.get(`${pod.metadata.namespace}/${pod.metadata.name}`);
        const currentNode = index.nodes.get(nodeName);
        if (!current || current.metadata.uid !== pod.metadata.uid || current.metadata.deletionTimestamp || !currentNode) return;
        const still = evictionDelayMs(current, (currentNode.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute'));
        if (still !== undefined) this.evict(current, nodeName);
      });
    }
  }

  private evict(pod: Pod, nodeName: string): void {
    this.ctx.events.record(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${pod.metadata.namespace}/${pod.metadata.name}`, { component: 'taint-eviction-controller' });
    try {
      this.ctx.store.pods.delete(pod.metadata.namespace!, pod.metadata.name, { preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      if (!(err instanceof KubeApiError && (err.reason === 'NotFound' || err.reason === 'Conflict'))) throw err;
    }
    void nodeName;
  }
}

/**
 * When the taint manager evicts `pod` from a node with these NoExecute taints: undefined = never (all
 * tolerated forever), 0 = now (one is not tolerated), else the smallest `tolerationSeconds` in ms.
 */
export function evictionDelayMs(pod: Pod, taints: readonly Taint[]): number | undefined {
  let delay: number | undefined;
  for (const taint of taints) {
    const matching = (pod.spec.tolerations ?? []).filter((t) => tolerates(t, taint));
    if (matching.length === 0) return 0;
    if (matching.some((t) => t.tolerationSeconds === undefined || t.tolerationSeconds === null)) continue;
    const secs = Math.min(...matching.map((t) => Math.max(0, t.tolerationSeconds ?? 0)));
    delay = delay === undefined ? secs * 1000 : Math.min(delay, secs * 1000);
  }
  return delay;
}

