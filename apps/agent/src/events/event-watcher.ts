/**
 * EventWatcher: watches core/v1 Events and Nodes and hands the relevant changes to `emit` as ClusterEvents,
 * in batches (`flush`, called on a timer, or as soon as `maxBatch` are waiting).
 *
 * - Events (see event-mapping.ts for which; routine ones are filtered by the API server): the watch resumes from its last resourceVersion after a dropped
 *   connection and re-lists on 410 Gone (the KubeGateway does both). A re-list delivers the full current
 *   list; only Events whose last occurrence is not older than the newest one already processed are considered,
 *   so what happened during the gap is forwarded and older history is not. At start the look-back is
 *   `lookbackMs` (central recognises re-sent occurrences by event_id, so an agent restart loses nothing).
 * - De-duplication: one ClusterEvent per kind and object per `dedupeWindowMs` (a pod's Evicted and Killing,
 *   or a FailedScheduling repeated every few seconds, become one event).
 * - Nodes: ADDED → node_added, DELETED → node_removed; after a re-list the new list is compared with the known
 *   one. The first list only sets the baseline.
 */
import type { ClusterEvent } from '@cloudoptim/contracts';
import type { KubeEvent, KubeGateway, KubeNode, KubeWatch, KubeWatchEvent } from '@cloudoptim/kube';
import type { Clock, Logger } from '@cloudoptim/runtime';
import type { AgentMetrics } from '../agent-metrics.ts';
import { clusterEventOf, nodeEventOf, type NodeFacts } from './event-mapping.ts';

export interface EventWatcherOptions {
  kube: KubeGateway;
  clock: Clock;
  log: Logger;
  clusterId: string;
  emit(events: ClusterEvent[]): void;
  /** Most events per `emit`. Default 500. */
  maxBatch?: number;
  /** At start, Events that last happened this long ago are still forwarded. Default 10 min. */
  lookbackMs?: number;
  /** One event per kind and object per window. Default 5 min. */
  dedupeWindowMs?: number;
  metrics?: AgentMetrics;
}

const RECENT_LIMIT = 20_000;

/**
 * Reasons of the routine events every pod start produces (most of a cluster's Events): filtered out by the API
 * server, so a 10,000-pod cluster's event list stays small. None of them is forwarded anyway.
 */
const ROUTINE_REASONS = ['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started', 'SuccessfulCreate', 'SuccessfulDelete', 'ScalingReplicaSet', 'RegisteredNode'];
const FIELD_SELECTOR = ROUTINE_REASONS.map((r) => `reason!=${r}`).join(',');

const facts = (n: KubeNode): NodeFacts => ({ name: n.name, uid: n.uid, instanceId: n.instanceId, instanceType: n.instanceType, zone: n.zone, createdAtMs: n.createdAtMs });

export class EventWatcher {
  private pending: ClusterEvent[] = [];
  private readonly recent = new Map<string, number>();
  private watermarkMs: number;
  private nodes: Map<string, NodeFacts> | null = null;
  private eventsWatch: KubeWatch | undefined;
  private nodesWatch: KubeWatch | undefined;
  private readonly maxBatch: number;
  private readonly dedupeWindowMs: number;

  constructor(private readonly o: EventWatcherOptions) {
    this.maxBatch = o.maxBatch ?? 500;
    this.dedupeWindowMs = o.dedupeWindowMs ?? 300_000;
    this.watermarkMs = o.clock.now() - (o.lookbackMs ?? 600_000);
  }

  /** Whether both watches run. */
  get watching(): boolean {
    return this.eventsWatch !== undefined && this.nodesWatch !== undefined;
  }

  /** The resourceVersion the Events watch would resume from. */
  get eventsResourceVersion(): string | undefined {
    return this.eventsWatch?.resourceVersion;
  }

  /** Starts the watches not yet running. @throws AppError from the gateway (e.g. FORBIDDEN without RBAC); call again to retry. */
  async start(): Promise<void> {
    this.eventsWatch ??= await this.o.kube.watchEvents((e) => this.onEvent(e), { fieldSelector: FIELD_SELECTOR });
    this.nodesWatch ??= await this.o.kube.watchNodes((e) => this.onNode(e));
  }

  /** Stops the watches and emits what is pending. */
  async stop(): Promise<void> {
    await Promise.all([this.eventsWatch?.stop(), this.nodesWatch?.stop()]);
    this.eventsWatch = undefined;
    this.nodesWatch = undefined;
    this.flush();
  }

  /** Emits the pending events (in batches of at most `maxBatch`). */
  flush(): void {
    while (this.pending.length > 0) this.o.emit(this.pending.splice(0, this.maxBatch));
  }

  private onEvent(ev: KubeWatchEvent<KubeEvent>): void {
    if (ev.type === 'SYNC') {
      const since = this.watermarkMs;
      const fresh = ev.objects.filter((e) => (e.lastTimestampMs ?? 0) >= since).sort((a, b) => (a.lastTimestampMs ?? 0) - (b.lastTimestampMs ?? 0));
      for (const e of fresh) this.consider(e);
    } else if (ev.type !== 'DELETED') {
      this.consider(ev.object);
    }
    if (this.pending.length >= this.maxBatch) this.flush();
  }

  private consider(e: KubeEvent): void {
    if (e.lastTimestampMs !== null) this.watermarkMs = Math.max(this.watermarkMs, e.lastTimestampMs);
    const now = this.o.clock.now();
    const event = clusterEventOf(e, this.o.clusterId, now);
    if (!event) return;
    const object = e.involvedObject.uid || `${e.involvedObject.kind}/${e.involvedObject.namespace}/${e.involvedObject.name}`;
    this.queue(event, `${event.kind}|${object}`, now);
  }

  private queue(event: ClusterEvent, key: string, now: number): void {
    const last = this.recent.get(key);
    if (last !== undefined && now - last < this.dedupeWindowMs) return;
    this.recent.delete(key);
    this.recent.set(key, now);
    if (this.recent.size > RECENT_LIMIT) this.recent.delete(this.recent.keys().next().value as string);
    this.pending.push(event);
    this.o.metrics?.eventsForwarded.inc({ kind: event.kind });
  }

  private onNode(ev: KubeWatchEvent<KubeNode>): void {
    const now = this.o.clock.now();
    const report = (n: NodeFacts, kind: 'node_added' | 'node_removed') => this.queue(nodeEventOf(n, kind, this.o.clusterId, now), `${kind}|${n.uid || n.name}`, now);
    if (ev.type === 'SYNC') {
      const next = new Map(ev.objects.map((n) => [n.name, facts(n)]));
      if (this.nodes) {
        for (const [name, n] of next) if (!this.nodes.has(name)) report(n, 'node_added');
        for (const [name, n] of this.nodes) if (!next.has(name)) report(n, 'node_removed');
      }
      this.nodes = next;
    } else {
      this.nodes ??= new Map();
      const n = facts(ev.object);
      if (ev.type === 'DELETED') {
        if (this.nodes.delete(n.name)) report(n, 'node_removed');
      } else {
        if (ev.type === 'ADDED' && !this.nodes.has(n.name)) report(n, 'node_added');
        this.nodes.set(n.name, n);
      }
    }
    if (this.pending.length >= this.maxBatch) this.flush();
  }
}
