/**
 * The kubelets of every node, as one controller: a pod bound to a Ready node shows `ContainerCreating`,
 * then runs after a seeded start delay (podIP, ready containers, Ready condition); a graceful deletion keeps
 * the pod Terminating for its grace period, then the kubelet's final delete removes it. A kubelet whose node is
 * NotReady (its instance is gone) does nothing, so its pods stay as they are until the node is removed and
 * the pod garbage collector deletes them — as on a real cluster. Node status heartbeats are posted at the
 * kubelet's `nodeStatusReportFrequency` (5 min by default) with a per-node phase.
 */
import type { Node, Pod, PodCondition } from '../kube-api/index.ts';
import { KubeApiError } from '../kube-api/index.ts';
import { WorkQueue } from './cluster-index.ts';
import type { Controller, ControllerContext, Rng } from './controller-context.ts';
import { splitKey } from './pod-helpers.ts';

export interface KubeletOptions {
  /** Container start delay after binding, ms of simulated time (uniform in [min, max]). Default 2–8 s. */
  startDelayMs?: { min: number; max: number };
  /** Node status heartbeat period; default 5 min (the kubelet's nodeStatusReportFrequency). 0 disables. */
  heartbeatIntervalMs?: number;
}

/** Whether the node's kubelet is up (Ready condition True). */
export function nodeReady(node: Node | undefined): boolean {
  return node?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

export class Kubelet implements Controller {
  readonly name = 'kubelet';
  readonly queue = new WorkQueue();
  /** Pod uid → when its containers are up. */
  private readonly starting = new Map<string, number>();
  private podIpCounter = 0;
  private readonly startDelay: { min: number; max: number };
  readonly heartbeatIntervalMs: number;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly rng: Rng,
    options: KubeletOptions = {},
  ) {
    this.startDelay = options.startDelayMs ?? { min: 2_000, max: 8_000 };
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 300_000;
  }

  /** The pod went away: forget its start. */
  forget(uid: string): void {
    this.starting.delete(uid);
  }

  sync(key: string): void {
    const { index, clock, timers } = this.ctx;
    const pod = index.pods.get(key);
    if (!pod || !pod.spec.nodeName || pod.metadata.deletionTimestamp) return;
    if (pod.status?.phase !== 'Pending') return;
    const node = index.nodes.get(pod.spec.nodeName);
    if (!nodeReady(node)) return;
    const [namespace, name] = splitKey(key);
    const now = clock.now();
    const uid = pod.metadata.uid;
    const at = this.starting.get(uid);
    if (at === undefined) {
      const delay = this.startDelay.min + this.rng.next() * Math.max(0, this.startDelay.max - this.startDelay.min);
      // Whole seconds, as the timestamps a kubelet reports: pods due in the same second start in one tick.
      const due = Math.ceil((now + delay) / 1000) * 1000;
      this.starting.set(uid, due);
      timers.at(due, () => this.queue.add(key));
      this.writeCreating(namespace, name, node!);
      return;
    }
    if (at > now) return;
    this.starting.delete(uid);
    this.writeRunning(namespace, name, node!);
    const running = index.pods.get(key);
    if (running) this.ctx.events.record(running, 'Normal', 'Started', `Started container ${running.spec.containers[0]?.name ?? ''}`, { component: 'kubelet', host: node!.metadata.name });
  }

  /** The store's graceful-delete hook: finish the deletion when the grace period ends, if the kubelet is up. */
  onGracefulDelete(pod: Pod, graceSeconds: number): void {
    const { timers, clock, index } = this.ctx;
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const uid = pod.metadata.uid;
    const nodeName = pod.spec.nodeName ?? '';
    if (nodeReady(index.nodes.get(nodeName))) {
      for (const c of pod.spec.containers) {
        this.ctx.events.record(pod, 'Normal', 'Killing', `Stopping container ${c.name}`, { component: 'kubelet', host: nodeName });
      }
    }
    timers.at(clock.now() + graceSeconds * 1000, () => this.finish(key, uid));
  }

  /** The kubelet's final delete, once the grace period is over (only a live kubelet does it). */
  private finish(key: string, uid: string): void {
    const { index, store } = this.ctx;
    const pod = index.pods.get(key);
    if (!pod || pod.metadata.uid !== uid || !pod.metadata.deletionTimestamp) return;
    if (Date.parse(pod.metadata.deletionTimestamp) > this.ctx.clock.now()) return; // a later, longer timer will come
    if (!nodeReady(index.nodes.get(pod.spec.nodeName ?? ''))) return;
    const [namespace, name] = splitKey(key);
    try {
      store.pods.finishTermination(namespace, name);
    } catch (err) {
      if (!(err instanceof KubeApiError && (err.reason === 'NotFound' || err.reason === 'Conflict'))) throw err;
    }
  }

  /**
   * Starts the heartbeat loop of a node, at a random phase of the period so nodes do not all beat at once.
   * `renewLease` renews the node's Lease on each beat.
   */
  startHeartbeat(nodeName: string, renewLease: (node: Node) => void = () => undefined): void {
    if (this.heartbeatIntervalMs <= 0) return;
    const { timers, clock } = this.ctx;
    const uid = this.ctx.index.nodes.get(nodeName)?.metadata.uid;
    const beat = () => {
      const node = this.ctx.index.nodes.get(nodeName);
      if (!node || node.metadata.uid !== uid) return; // node gone (or replaced): stop
      if (nodeReady(node)) {
        const now = this.ctx.store.timestamp();
        try {
          this.ctx.store.nodes.mutateStatus(undefined, nodeName, (n) => {
            for (const c of n.status?.conditions ?? []) c.lastHeartbeatTime = now;
          });
          renewLease(node);
        } catch (err) {
          if (!(err instanceof KubeApiError)) throw err;
        }
      }
      timers.at(clock.now() + this.heartbeatIntervalMs, beat, { background: true });
    };
    timers.at(clock.now() + Math.round(this.rng.next() * this.heartbeatIntervalMs), beat, { background: true });
  }

  private writeCreating(namespace: string, name: string, node: Node): void {
    const now = this.ctx.store.timestamp();
    const hostIP = internalIp(node);
    this.ctx.store.pods.mutateStatus(namespace, name, (p) => {
      const status = (p.status ??= {});
      status.phase = 'Pending';
      status.hostIP = hostIP;
      status.hostIPs = [{ ip: hostIP }];
      status.startTime ??= now;
      status.conditions = mergeConditions(status.conditions, [
        { type: 'PodReadyToStartContainers', status: 'False', lastProbeTime: null, lastTransitionTime: now },
        { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: now },
        { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: now, reason: 'ContainersNotReady', message: `containers with unready status: [${p.spec.containers.map((c) => c.name).join(' ')}]` },
        { type: 'ContainersReady', status: 'False', lastProbeTime: null, lastTransitionTime: now, reason: 'ContainersNotReady', message: `containers with unready status: [${p.spec.containers.map((c) => c.name).join(' ')}]` },
      ]);
      status.containerStatuses = p.spec.containers.map((c) => ({
        name: c.name,
        image: c.image ?? '',
        imageID: '',
        ready: false,
        restartCount: 0,
        started: false,
        state: { waiting: { reason: 'ContainerCreating' } },
        lastState: {},
      }));
    });
  }

  private writeRunning(namespace: string, name: string, node: Node): void {
    const now = this.ctx.store.timestamp();
    const ip = this.nextPodIp();
    const hex = (n: number) => Array.from({ length: n }, () => this.rng.int(16).toString(16)).join('');
    this.ctx.store.pods.mutateStatus(namespace, name, (p) => {
      const status = (p.status ??= {});
      status.phase = 'Running';
      status.podIP = ip;
      status.podIPs = [{ ip }];
      status.hostIP ??= internalIp(node);
      status.startTime ??= now;
      status.conditions = mergeConditions(status.conditions, [
        { type: 'PodReadyToStartContainers', status: 'True', lastProbeTime: null, lastTransitionTime: now },
        { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: now },
        { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: now },
        { type: 'ContainersReady', status: 'True', lastProbeTime: null, lastTransitionTime: now },
      ]);
      status.containerStatuses = p.spec.containers.map((c) => ({
        name: c.name,
        image: c.image ?? '',
        imageID: `${(c.image ?? '').split(':')[0]}@sha256:${hex(64)}`,
        containerID: `containerd://${hex(64)}`,
        ready: true,
        restartCount: 0,
        started: true,
        state: { running: { startedAt: now } },
        lastState: {},
      }));
    });
  }

  /** Pod IPs from the VPC range the CNI hands out (10.64.0.0/10 here, clear of node addresses). */
  private nextPodIp(): string {
    let n: number;
    do n = this.podIpCounter++;
    while ((n & 255) === 0 || (n & 255) === 255);
    return `10.${64 + ((n >> 16) & 63)}.${(n >> 8) & 255}.${n & 255}`;
  }
}

function internalIp(node: Node): string {
  return node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '';
}

/** Replaces conditions by type, keeping lastTransitionTime when the status did not change. */
export function mergeConditions(existing: PodCondition[] | undefined, updates: PodCondition[]): PodCondition[] {
  const out = [...(existing ?? [])];
  for (const u of updates) {
    const i = out.findIndex((c) => c.type === u.type);
    if (i < 0) out.push(u);
    else {
      const prev = out[i]!;
      out[i] = prev.status === u.status ? { ...u, lastTransitionTime: prev.lastTransitionTime ?? u.lastTransitionTime } : u;
    }
  }
  return out;
}
