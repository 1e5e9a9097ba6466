/**
 * What an informer cache with indexers gives a real controller: the last seen pods and nodes, pods by owner,
 * by node and by namespace, and the resources requested on each node — kept current from store watch events
 * so controllers never list 10,000 pods to find the five they care about.
 */
import type { Node, Pod } from '../kube-api/index.ts';
import { controllerRef, isTerminal, keyOf } from './pod-helpers.ts';
import { addResources, podRequests, type Resources, subtractResources, ZERO_RESOURCES } from './scheduler-fit.ts';

/** A de-duplicating FIFO of keys (client-go's workqueue without rate limiting). */
export class WorkQueue {
  private items = new Set<string>();

  add(key: string): void {
    this.items.add(key);
  }

  get size(): number {
    return this.items.size;
  }

  /** Takes every queued key, in the order first added. */
  drain(): string[] {
    const out = [...this.items];
    this.items = new Set();
    return out;
  }
}

function addTo(map: Map<string, Set<string>>, k: string, v: string): void {
  let s = map.get(k);
  if (!s) map.set(k, (s = new Set()));
  s.add(v);
}

function removeFrom(map: Map<string, Set<string>>, k: string, v: string): void {
  const s = map.get(k);
  if (!s) return;
  s.delete(v);
  if (s.size === 0) map.delete(k);
}

export class ClusterIndex {
  readonly pods = new Map<string, Pod>();
  readonly nodes = new Map<string, Node>();
  /** Controller uid → pod keys. */
  readonly podsByOwner = new Map<string, Set<string>>();
  /** Node name → keys of pods bound to it. */
  readonly podsByNode = new Map<string, Set<string>>();
  readonly podsByNamespace = new Map<string, Set<string>>();
  /** Node name → what its non-terminal pods request (terminating pods still hold their resources). */
  private readonly requested = new Map<string, Resources>();
  /** Pod key → what it contributes to `requested` (node, amount), so updates subtract exactly that. */
  private readonly contribution = new Map<string, { node: string; res: Resources }>();
  private readonly requestCache = new Map<string, Resources>();

  /** Applies a pod event; returns the previous version (undefined if new). */
  applyPod(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: Pod): Pod | undefined {
    const key = keyOf(pod);
    const old = this.pods.get(key);
    if (old) {
      const ref = controllerRef(old);
      if (ref) removeFrom(this.podsByOwner, ref.uid, key);
      if (old.spec.nodeName) removeFrom(this.podsByNode, old.spec.nodeName, key);
      removeFrom(this.podsByNamespace, old.metadata.namespace ?? '', key);
    }
    const prev = this.contribution.get(key);
    if (prev) {
      this.requested.set(prev.node, subtractResources(this.requested.get(prev.node) ?? ZERO_RESOURCES, prev.res));
      this.contribution.delete(key);
    }
    if (old && (type === 'DELETED' || old.metadata.uid !== pod.metadata.uid)) this.requestCache.delete(old.metadata.uid);
    if (type === 'DELETED') {
      this.pods.delete(key);
      return old;
    }
    this.pods.set(key, pod);
    const ref = controllerRef(pod);
    if (ref) addTo(this.podsByOwner, ref.uid, key);
    if (pod.spec.nodeName) addTo(this.podsByNode, pod.spec.nodeName, key);
    addTo(this.podsByNamespace, pod.metadata.namespace ?? '', key);
    if (pod.spec.nodeName && !isTerminal(pod)) {
      const res = this.requestsOf(pod);
      this.requested.set(pod.spec.nodeName, addResources(this.requested.get(pod.spec.nodeName) ?? ZERO_RESOURCES, res));
      this.contribution.set(key, { node: pod.spec.nodeName, res });
    }
    return old;
  }

  applyNode(type: 'ADDED' | 'MODIFIED' | 'DELETED', node: Node): Node | undefined {
    const old = this.nodes.get(node.metadata.name);
    if (type === 'DELETED') this.nodes.delete(node.metadata.name);
    else this.nodes.set(node.metadata.name, node);
    return old;
  }

  /** A pod's requests (cached by uid: requests of a running pod do not change here). */
  requestsOf(pod: Pod): Resources {
    let r = this.requestCache.get(pod.metadata.uid);
    if (!r) {
      r = podRequests(pod);
      this.requestCache.set(pod.metadata.uid, r);
    }
    return r;
  }

  /** What the pods bound to a node request. */
  requestedOn(nodeName: string): Resources {
    return this.requested.get(nodeName) ?? ZERO_RESOURCES;
  }

  podsOf(ownerUid: string): Pod[] {
    return this.resolve(this.podsByOwner.get(ownerUid));
  }

  podsOn(nodeName: string): Pod[] {
    return this.resolve(this.podsByNode.get(nodeName));
  }

  podsIn(namespace: string): Pod[] {
    return this.resolve(this.podsByNamespace.get(namespace));
  }

  private resolve(keys: Set<string> | undefined): Pod[] {
    const out: Pod[] = [];
    for (const k of keys ?? []) {
      const p = this.pods.get(k);
      if (p) out.push(p);
    }
    return out;
  }
}
