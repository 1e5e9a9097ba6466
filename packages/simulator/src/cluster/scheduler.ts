/**
 * The scheduler: binds pending pods (no `spec.nodeName`, `schedulerName` default-scheduler) to a node that fits,
 * via the binding subresource semantics (`store.pods.bind`). Filters and scores are in `scheduler-fit.ts`.
 *
 * As kube-scheduler does: pods are taken by priority then age; large clusters are searched only until enough
 * feasible nodes are found (`percentageOfNodesToScore`, adaptive) starting where the last search stopped;
 * ties between equal best scores are broken at random (seeded). A pod that fits nowhere gets
 * `PodScheduled=False/Unschedulable` with the per-reason histogram and a `FailedScheduling` event, and is
 * retried when the cluster changes (a node appears or changes, a pod goes away) and at least every minute.
 */
import type { Node, Pod } from '../kube-api/index.ts';
import { KubeApiError } from '../kube-api/index.ts';
import { WorkQueue } from './cluster-index.ts';
import type { Controller, ControllerContext, Rng } from './controller-context.ts';
import { condition, controllerRef, isTerminal, splitKey } from './pod-helpers.ts';
import { fitFailures, leastAllocatedScore, nodeAllocatable, spreadScore, unschedulableMessage } from './scheduler-fit.ts';

const ZONE_LABEL = 'topology.kubernetes.io/zone';
/** Unschedulable pods are retried after a cluster change, but not more often than this (backoff). */
const RETRY_AFTER_CHANGE_MS = 1_000;
/** ... and at least this often even without a change. */
const RETRY_PERIOD_MS = 60_000;
const MIN_FEASIBLE_NODES = 100;

/** One binding decision, for the reproducibility log. */
export interface Binding {
  timeMs: number;
  pod: string;
  node: string;
}

/** Whether the scheduler is responsible for this pod right now. */
export function needsScheduling(pod: Pod): boolean {
  return (
    !pod.spec.nodeName &&
    !pod.metadata.deletionTimestamp &&
    !isTerminal(pod) &&
    (pod.spec.schedulerName ?? 'default-scheduler') === 'default-scheduler'
  );
}

function nodeUsable(node: Node): boolean {
  return !node.metadata.deletionTimestamp;
}

export class Scheduler implements Controller {
  readonly name = 'scheduler';
  readonly queue = new WorkQueue();
  readonly bindings: Binding[] = [];
  private readonly unschedulable = new Set<string>();
  private changed = false;
  private lastRetry = 0;
  private nextStart = 0;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly rng: Rng,
    private readonly maxBindingLog = 100_000,
  ) {}

  /** Something that may let an unschedulable pod fit happened (node added/changed, pod removed). */
  clusterChanged(): void {
    if (this.unschedulable.size > 0) this.changed = true;
  }

  /** Moves unschedulable pods back to the queue when due. Called by the cluster before each drain. */
  maybeRetry(now: number): void {
    if (this.unschedulable.size === 0) return;
    const due = (this.changed && now - this.lastRetry >= RETRY_AFTER_CHANGE_MS) || now - this.lastRetry >= RETRY_PERIOD_MS;
    if (!due) return;
    this.changed = false;
    this.lastRetry = now;
    for (const k of this.unschedulable) this.queue.add(k);
    this.unschedulable.clear();
  }

  /**
   * Earliest time a retry of unschedulable pods may happen, or undefined. `afterChangeOnly`: only a retry a
   * cluster change made due (the periodic one would keep `settle()` going forever for pods that never fit).
   */
  retryAt(afterChangeOnly: boolean): number | undefined {
    if (this.unschedulable.size === 0) return undefined;
    if (this.changed) return this.lastRetry + RETRY_AFTER_CHANGE_MS;
    return afterChangeOnly ? undefined : this.lastRetry + RETRY_PERIOD_MS;
  }

  isUnschedulable(key: string): boolean {
    return this.unschedulable.has(key);
  }

  forget(key: string): void {
    this.unschedulable.delete(key);
  }

  get pendingUnschedulable(): number {
    return this.unschedulable.size;
  }

  /** Orders a batch as the scheduling queue would: higher priority first, then older first. */
  order(keys: string[]): string[] {
    const pods = keys.map((k) => [k, this.ctx.index.pods.get(k)] as const);
    return pods
      .sort(([ka, a], [kb, b]) => {
        const pa = a?.spec.priority ?? 0;
        const pb = b?.spec.priority ?? 0;
        if (pa !== pb) return pb - pa;
        const ta = a?.metadata.creationTimestamp ?? '';
        const tb = b?.metadata.creationTimestamp ?? '';
        return ta < tb ? -1 : ta > tb ? 1 : ka < kb ? -1 : ka > kb ? 1 : 0;
      })
      .map(([k]) => k);
  }

  sync(key: string): void {
    const { index, store, clock } = this.ctx;
    const pod = index.pods.get(key);
    if (!pod || !needsScheduling(pod)) return;
    const nodes = [...index.nodes.values()].filter(nodeUsable);
    const decision = this.pickNode(pod, nodes);
    const [namespace, name] = splitKey(key);
    if (decision.node) {
      try {
        store.pods.bind(namespace, name, decision.node.metadata.name);
      } catch (err) {
        if (err instanceof KubeApiError && (err.reason === 'NotFound' || err.reason === 'Conflict')) return;
        throw err;
      }
      if (this.bindings.length < this.maxBindingLog) this.bindings.push({ timeMs: clock.now(), pod: key, node: decision.node.metadata.name });
      this.ctx.events.record(pod, 'Normal', 'Scheduled', `Successfully assigned ${key} to ${decision.node.metadata.name}`, { component: 'default-scheduler' });
      return;
    }
    const message = unschedulableMessage(nodes.length, decision.failures);
    this.unschedulable.add(key);
    const current = condition(pod, 'PodScheduled');
    if (current?.status !== 'False' || current.reason !== 'Unschedulable' || current.message !== message) {
      store.pods.mutateStatus(namespace, name, (p) => {
        const status = (p.status ??= {});
        const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
        conditions.push({ type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: store.timestamp(), reason: 'Unschedulable', message });
        status.conditions = conditions;
        status.phase = 'Pending';
      });
    }
    this.ctx.events.record(pod, 'Warning', 'FailedScheduling', message, { component: 'default-scheduler' });
  }

  /** Filter then score; undefined node with the per-node failure reasons when nothing fits. */
  pickNode(pod: Pod, nodes: Node[]): { node?: Node; failures: Map<string, string[]> } {
    const { index } = this.ctx;
    const failures = new Map<string, string[]>();
    const n = nodes.length;
    // kube-scheduler's adaptive percentageOfNodesToScore: stop filtering once this many feasible nodes are found.
    const percentage = Math.max(5, 50 - Math.floor(n / 125));
    const wanted = n < MIN_FEASIBLE_NODES ? n : Math.max(MIN_FEASIBLE_NODES, Math.floor((n * percentage) / 100));
    const want = index.requestsOf(pod);
    const feasible: Node[] = [];
    const start = n > 0 ? this.nextStart % n : 0;
    let visited = 0;
    for (; visited < n && feasible.length < wanted; visited++) {
      const node = nodes[(start + visited) % n]!;
      const reasons = fitFailures(pod, node, index.requestedOn(node.metadata.name), want);
      if (reasons.length === 0) feasible.push(node);
      else failures.set(node.metadata.name, reasons);
    }
    this.nextStart = start + visited;
    if (feasible.length === 0) return { failures };
    if (feasible.length === 1) return { node: feasible[0], failures };

    // Spread: replicas of the same controller across zones (weight 2) and hosts (weight 1), as the default
    // PodTopologySpread constraints do; then LeastAllocated (weight 1).
    const owner = controllerRef(pod)?.uid;
    const perZone = new Map<string, number>();
    const perNode = new Map<string, number>();
    if (owner) {
      for (const sibling of index.podsOf(owner)) {
        const at = sibling.spec.nodeName;
        if (!at || sibling.metadata.deletionTimestamp || sibling.metadata.uid === pod.metadata.uid) continue;
        perNode.set(at, (perNode.get(at) ?? 0) + 1);
        const zone = index.nodes.get(at)?.metadata.labels?.[ZONE_LABEL];
        if (zone) perZone.set(zone, (perZone.get(zone) ?? 0) + 1);
      }
    }
    const zoneOf = (node: Node) => node.metadata.labels?.[ZONE_LABEL] ?? '';
    const zoneCounts = feasible.map((node) => perZone.get(zoneOf(node)) ?? 0);
    const nodeCounts = feasible.map((node) => perNode.get(node.metadata.name) ?? 0);
    const zMin = Math.min(...zoneCounts);
    const zMax = Math.max(...zoneCounts);
    const hMin = Math.min(...nodeCounts);
    const hMax = Math.max(...nodeCounts);
    let best: Node[] = [];
    let bestScore = -Infinity;
    feasible.forEach((node, i) => {
      const score =
        2 * spreadScore(zoneCounts[i]!, zMin, zMax) +
        spreadScore(nodeCounts[i]!, hMin, hMax) +
        leastAllocatedScore(want, index.requestedOn(node.metadata.name), nodeAllocatable(node));
      const rounded = Math.round(score * 1000) / 1000;
      if (rounded > bestScore) {
        bestScore = rounded;
        best = [node];
      } else if (rounded === bestScore) best.push(node);
    });
    const chosen = best.length === 1 ? best[0]! : best[this.rng.int(best.length)]!;
    return { node: chosen, failures };
  }
}

