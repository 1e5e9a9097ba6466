/**
 * The simulated cluster's behaviour, tied together: scheduler, kubelets, node lifecycle, and the Deployment,
 * ReplicaSet, StatefulSet and DaemonSet controllers, all working in-process on the {@link ObjectStore}.
 *
 * Store watch events update an informer-style index and queue keys for the controllers; `tick()` fires due
 * timers (container starts, grace periods, taint evictions, heartbeats) and drains the queues until nothing
 * is left to do. `start()` ticks on the injected clock (every `tickMs` of simulated time, and right after any
 * store change), `settle()`/`advance()` drive it deterministically from a ManualClock in tests. Every random
 * choice (start delays, tie-breaks, IPs) comes from the injected RNG, so a seed reproduces the binding log.
 */
import type { Market, Rng } from '@cloudoptim/market';
import { silentLogger, type Clock, type Logger } from '@cloudoptim/runtime';
import { PdbStatusController, type Node, type ObjectStore, type Pod, type StoreWatch, type UsageProvider, type KubeObject } from '../kube-api/index.ts';
import type { UsageTrace } from '../scenarios/usage-profiles.ts';
import { ClusterIndex } from './cluster-index.ts';
import type { Controller, ControllerContext } from './controller-context.ts';
import { DAEMONSETS, DaemonSetController } from './daemonset.controller.ts';
import { DEPLOYMENTS, DeploymentController } from './deployment.controller.ts';
import { EventRecorder } from './event-recorder.ts';
import { Kubelet, type KubeletOptions } from './kubelet.ts';
import { NodeLifecycle } from './node-lifecycle.ts';
import type { NodeRegistration } from './node-factory.ts';
import { controllerRef, isTerminal, keyOf } from './pod-helpers.ts';
import { REPLICASETS, ReplicaSetController } from './replicaset.controller.ts';
import { needsScheduling, Scheduler, type Binding } from './scheduler.ts';
import { STATEFULSETS, StatefulSetController } from './statefulset.controller.ts';
import { Timers } from './timers.ts';
import { ProfileUsageProvider } from './usage-provider.ts';

export interface ClusterOptions {
  store: ObjectStore;
  clock: Clock;
  /** Seeded RNG; the cluster forks its own streams from it. */
  rng: Rng;
  market: Market;
  log?: Logger;
  /** Loaded VM traces for `trace` usage profiles. */
  traces?: ReadonlyMap<number, UsageTrace>;
  kubelet?: KubeletOptions;
  /** Write core/v1 Events (Scheduled, FailedScheduling, Killing, …). Default true. */
  events?: boolean;
  /** Simulated time between ticks when started. Default 1 s. */
  tickMs?: number;
  /**
   * Keep PodDisruptionBudget status here. Default false: the kube-api server's own PDB status controller does
   * it; turn on when the cluster runs without the server (tests).
   */
  pdbStatus?: boolean;
}

export interface ClusterStats {
  nodes: number;
  pods: number;
  pendingPods: number;
  unschedulablePods: number;
  timers: number;
  ticks: number;
  syncs: number;
}

export interface Cluster {
  /** Ticks on the clock (and right after store changes) until `stop()`. */
  start(): void;
  /** Stops ticking and detaches from the store (watches, graceful-delete hook). Not restartable. */
  stop(): Promise<void>;
  /** A booted instance joins as a Ready node. @throws Error for an instance type the catalog lacks. */
  registerNode(reg: NodeRegistration): Node;
  /** The node's instance is gone: NotReady, unreachable taints, pods not Ready. False if no such node. */
  markNodeNotReady(name: string): boolean;
  /** Deletes the node; its pods are then force-deleted and re-created elsewhere by their owners. */
  removeNode(name: string): boolean;
  /** Usage for metrics.k8s.io, from the pods' usage-profile annotations. */
  readonly usageProvider: UsageProvider & ProfileUsageProvider;
  /** Fires due timers and drains every controller queue. Returns the number of syncs and timers run. */
  tick(): number;
  /**
   * With a ManualClock: ticks and advances the clock to each pending piece of work (container starts, grace
   * periods, retries) until none is left or `maxMs` of simulated time passed. Returns simulated ms elapsed.
   */
  settle(options?: { maxMs?: number }): Promise<number>;
  /** With a ManualClock: advances exactly `ms`, firing every timer on the way in order. */
  advance(ms: number): Promise<void>;
  /** Every binding made, in order (time, pod, node): the reproducibility log. */
  readonly bindings: readonly Binding[];
  stats(): ClusterStats;
}

interface SettableClock extends Clock {
  set(targetMs: number): Promise<void>;
}

function isSettable(clock: Clock): clock is SettableClock {
  return typeof (clock as Partial<SettableClock>).set === 'function';
}

/** Creates the cluster behaviour over a store. It starts indexing at once; call `start()` to run it. */
export function createCluster(options: ClusterOptions): Cluster {
  const { store, clock, market } = options;
  const log = options.log ?? silentLogger;
  const rng = options.rng;
  const index = new ClusterIndex();
  const timers = new Timers();
  const events = new EventRecorder(store, clock, log, options.events ?? true);
  const ctx: ControllerContext = { store, clock, log, index, timers, events };
  const scheduler = new Scheduler(ctx, rng.fork('scheduler'));
  const kubelet = new Kubelet(ctx, rng.fork('kubelet'), options.kubelet);
  const nodes = new NodeLifecycle(ctx, market);
  const deployments = new DeploymentController(ctx);
  const replicasets = new ReplicaSetController(ctx);
  const statefulsets = new StatefulSetController(ctx);
  const daemonsets = new DaemonSetController(ctx);
  const controllers: Controller[] = [nodes, deployments, replicasets, statefulsets, daemonsets, scheduler, kubelet];
  const usageProvider = new ProfileUsageProvider({ clock, traces: options.traces });
  const pdbStatus = options.pdbStatus ? new PdbStatusController(store, log) : undefined;
  const daemonSetKeys = new Set<string>();
  const tickMs = options.tickMs ?? 1_000;
  let ticks = 0;
  let syncs = 0;
  let running = false;
  let stopped = false;
  let kickPending = false;
  let abort: AbortController | undefined;
  let loop: Promise<void> | undefined;

  const kick = () => {
    if (!running || kickPending) return;
    kickPending = true;
    setImmediate(() => {
      kickPending = false;
      if (running) safeTick();
    });
  };

  const enqueueOwner = (pod: Pod | undefined) => {
    const ref = pod && controllerRef(pod);
    if (!ref) return;
    const key = `${pod.metadata.namespace}/${ref.name}`;
    if (ref.kind === 'ReplicaSet') replicasets.queue.add(key);
    else if (ref.kind === 'StatefulSet') statefulsets.queue.add(key);
    else if (ref.kind === 'DaemonSet') daemonsets.queue.add(key);
  };
  const enqueueAllDaemonSets = () => {
    for (const k of daemonSetKeys) daemonsets.queue.add(k);
  };

  const watches: StoreWatch[] = [];
  watches.push(
    store.pods.watch({}, (ev) => {
      const pod = ev.object;
      const key = keyOf(pod);
      const old = index.applyPod(ev.type, pod);
      enqueueOwner(old);
      enqueueOwner(pod);
      if (ev.type === 'DELETED') {
        kubelet.forget(pod.metadata.uid);
        nodes.forget(pod.metadata.uid);
        scheduler.forget(key);
        scheduler.clusterChanged();
      } else {
        if (old && old.metadata.uid !== pod.metadata.uid) scheduler.forget(key);
        if (isTerminal(pod) && !(old && isTerminal(old))) scheduler.clusterChanged();
        if (needsScheduling(pod) && !scheduler.isUnschedulable(key)) scheduler.queue.add(key);
        if (pod.spec.nodeName && pod.status?.phase === 'Pending' && !pod.metadata.deletionTimestamp) kubelet.queue.add(key);
      }
      kick();
    }),
    store.nodes.watch({}, (ev) => {
      const node = ev.object;
      const name = node.metadata.name;
      const old = index.applyNode(ev.type, node);
      if (ev.type === 'ADDED') {
        kubelet.startHeartbeat(name, (n) => nodes.renewLease(n));
        enqueueAllDaemonSets();
        scheduler.clusterChanged();
        if (node.spec?.taints?.some((t) => t.effect === 'NoExecute')) nodes.queue.add(`taint/${name}`);
      } else if (ev.type === 'DELETED') {
        nodes.queue.add(`gc/${name}`);
        enqueueAllDaemonSets();
        scheduler.clusterChanged();
      } else if (old && schedulingRelevantChange(old, node)) {
        enqueueAllDaemonSets();
        scheduler.clusterChanged();
        if (node.spec?.taints?.some((t) => t.effect === 'NoExecute')) nodes.queue.add(`taint/${name}`);
        // A node that became Ready again lets its kubelet start pods waiting there.
        for (const p of index.podsOn(name)) if (p.status?.phase === 'Pending') kubelet.queue.add(keyOf(p));
      }
      kick();
    }),
    store.watch<KubeObject>(REPLICASETS, {}, (ev) => {
      const rs = ev.object;
      if (ev.type !== 'DELETED') replicasets.queue.add(keyOf(rs));
      const ref = controllerRef(rs);
      if (ref?.kind === 'Deployment') deployments.queue.add(`${rs.metadata.namespace}/${ref.name}`);
      kick();
    }),
    store.watch<KubeObject>(DEPLOYMENTS, {}, (ev) => {
      if (ev.type !== 'DELETED') deployments.queue.add(keyOf(ev.object));
      kick();
    }),
    store.watch<KubeObject>(STATEFULSETS, {}, (ev) => {
      if (ev.type !== 'DELETED') statefulsets.queue.add(keyOf(ev.object));
      kick();
    }),
    store.watch<KubeObject>(DAEMONSETS, {}, (ev) => {
      const key = keyOf(ev.object);
      if (ev.type === 'DELETED') daemonSetKeys.delete(key);
      else {
        daemonSetKeys.add(key);
        daemonsets.queue.add(key);
      }
      kick();
    }),
  );
  const unhook = store.onPodGracefulDelete((pod, grace) => {
    kubelet.onGracefulDelete(pod, grace);
    kick();
  });
  pdbStatus?.start();
  // Events expire after an hour, as with the apiserver's default --event-ttl.
  const expireEvents = () => {
    events.expire();
    timers.at(clock.now() + 600_000, expireEvents, { background: true });
  };
  timers.at(clock.now() + 600_000, expireEvents, { background: true });

  function tick(): number {
    if (stopped) return 0;
    ticks++;
    const now = clock.now();
    let work = 0;
    for (const fn of timers.takeDue(now)) {
      try {
        fn();
      } catch (err) {
        log.error({ err }, 'cluster timer failed');
      }
      work++;
    }
    scheduler.maybeRetry(now);
    for (let round = 0; round < 1_000; round++) {
      let did = 0;
      for (const c of controllers) {
        if (c.queue.size === 0) continue;
        const keys = c === scheduler ? scheduler.order(c.queue.drain()) : c.queue.drain();
        for (const key of keys) {
          try {
            c.sync(key);
          } catch (err) {
            // A conflict or a transient refusal: retry this key a second later, as a rate-limited queue would.
            log.warn({ err, controller: c.name, key }, 'sync failed; retrying');
            timers.at(now + 1_000, () => c.queue.add(key));
          }
        }
        did += keys.length;
      }
      pdbStatus?.flush();
      syncs += did;
      work += did;
      if (did === 0) break;
    }
    return work;
  }

  function safeTick(): void {
    try {
      tick();
    } catch (err) {
      log.error({ err }, 'cluster tick failed');
    }
  }

  /** The next time something is due that `settle()` should wait for. */
  function nextWork(): number | undefined {
    const candidates = [timers.nextWorkAt(), scheduler.retryAt(true)].filter((t): t is number => t !== undefined);
    return candidates.length ? Math.min(...candidates) : undefined;
  }

  return {
    usageProvider,
    get bindings() {
      return scheduler.bindings;
    },
    start() {
      if (running || stopped) return;
      running = true;
      abort = new AbortController();
      const signal = abort.signal;
      loop = (async () => {
        safeTick();
        while (running) {
          try {
            await clock.sleep(tickMs, signal);
          } catch {
            break;
          }
          if (running) safeTick();
        }
      })();
    },
    async stop() {
      running = false;
      stopped = true;
      abort?.abort(new Error('cluster stopped'));
      await loop?.catch(() => undefined);
      for (const w of watches) w.stop();
      unhook();
      pdbStatus?.stop();
    },
    registerNode(reg) {
      const node = nodes.register(reg);
      kick();
      return node;
    },
    markNodeNotReady(name) {
      const ok = nodes.markNotReady(name);
      kick();
      return ok;
    },
    removeNode(name) {
      const ok = nodes.remove(name);
      kick();
      return ok;
    },
    tick,
    async settle({ maxMs = 600_000 } = {}) {
      if (!isSettable(clock)) throw new Error('settle() needs a ManualClock (a clock with set())');
      const start = clock.now();
      const deadline = start + maxMs;
      for (;;) {
        tick();
        const next = nextWork();
        if (next === undefined || next > deadline) break;
        await clock.set(Math.max(next, clock.now()));
      }
      return clock.now() - start;
    },
    async advance(ms) {
      if (!isSettable(clock)) throw new Error('advance() needs a ManualClock (a clock with set())');
      const target = clock.now() + ms;
      for (;;) {
        tick();
        const candidates = [timers.nextAt(), scheduler.retryAt(false)].filter((t): t is number => t !== undefined);
        const next = candidates.length ? Math.min(...candidates) : undefined;
        if (next === undefined || next > target) break;
        await clock.set(Math.max(next, clock.now()));
      }
      if (clock.now() < target) await clock.set(target);
      tick();
    },
    stats() {
      let pending = 0;
      for (const p of index.pods.values()) if (needsScheduling(p)) pending++;
      return {
        nodes: index.nodes.size,
        pods: index.pods.size,
        pendingPods: pending,
        unschedulablePods: scheduler.pendingUnschedulable,
        timers: timers.size,
        ticks,
        syncs,
      };
    },
  };
}

/** Node changes that can change where pods fit or where daemons run (not heartbeats). */
function schedulingRelevantChange(a: Node, b: Node): boolean {
  return (
    JSON.stringify(a.spec ?? {}) !== JSON.stringify(b.spec ?? {}) ||
    JSON.stringify(a.metadata.labels ?? {}) !== JSON.stringify(b.metadata.labels ?? {}) ||
    JSON.stringify(a.status?.allocatable ?? {}) !== JSON.stringify(b.status?.allocatable ?? {}) ||
    a.status?.conditions?.find((c) => c.type === 'Ready')?.status !== b.status?.conditions?.find((c) => c.type === 'Ready')?.status ||
    Boolean(a.metadata.deletionTimestamp) !== Boolean(b.metadata.deletionTimestamp)
  );
}
