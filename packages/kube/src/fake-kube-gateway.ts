/**
 * FakeKubeGateway: an in-memory, recording KubeGateway for unit tests of the logic above it (drainNode, the
 * agent's task handlers and collector). It passes the same contract suite as ClientNodeKubeGateway.
 *
 * It models what that logic depends on: PodDisruptionBudgets decide evictions from the live pods (healthy =
 * Ready and not terminating; percentages round up), evicted or deleted pods stay terminating for
 * `terminationMs` of clock time, watches replay a bounded history (resuming from too old a resourceVersion
 * re-lists, as a 410 does). It is not a controller: scaling changes `replicas` but creates no pods — tests add
 * replacements with {@link FakeKubeGateway.addPod}.
 */
import { AppError } from '@cloudoptim/contracts';
import { ManualClock, type Clock } from '@cloudoptim/runtime';
import type { KubeGateway, ListPodsOptions, PatchResourcesRequest, ScaleRequest, TaintRef } from './kube-gateway.ts';
import {
  CORDON_REASON_ANNOTATION,
  type KubeContainer,
  type KubeEvent,
  type KubeEventWatchOptions,
  type KubeNode,
  type KubePdb,
  type KubePod,
  type KubeWatch,
  type KubeWatchEvent,
  type KubeWatchOptions,
  type KubeWorkload,
  type NodeUsage,
  type PatchableKind,
  type PodUsage,
  type ScalableKind,
  type Taint,
  type UsageSnapshot,
} from './kube-types.ts';
import { pdbSelects } from './label-selector.ts';
import { checkContainersExist } from './resources-patch.ts';

/** A container with defaults (100m / 128 MiB requests, no limits). */
export function fakeContainer(o: Partial<KubeContainer> = {}): KubeContainer {
  return {
    name: 'app', cpuRequestMillicores: 100, memoryRequestBytes: 128 * 2 ** 20, cpuLimitMillicores: null, memoryLimitBytes: null,
    gpuRequest: 0, restartCount: 0, lastTerminationReason: null, ready: true, ...o,
  };
}

/** A Ready on-demand m5.xlarge node in us-east-1a (4 CPU, 16 GiB) unless overridden. */
export function fakeNode(name: string, o: Partial<KubeNode> = {}): KubeNode {
  const resources = { cpuMillicores: 4000, memoryBytes: 16 * 2 ** 30, pods: 110, gpus: 0 };
  return {
    name, uid: `uid-node-${name}`, instanceType: 'm5.xlarge', zone: 'us-east-1a', capacityType: 'on-demand',
    providerId: `aws:///us-east-1a/i-0${(hash(name) >>> 0).toString(16).padStart(16, '0').slice(0, 16)}`, instanceId: null,
    architecture: 'x86_64', allocatable: resources, capacity: resources, ready: true, unschedulable: false,
    labels: {}, annotations: {}, taints: [], createdAtMs: null, resourceVersion: '', ...o,
  };
}

/** A Running, Ready pod in `default` with one container (bound to `nodeName` when given, else Pending). */
export function fakePod(name: string, o: Partial<KubePod> = {}): KubePod {
  const bound = o.nodeName !== undefined && o.nodeName !== null;
  return {
    namespace: 'default', name, uid: `uid-pod-${name}`, nodeName: null, phase: bound ? 'Running' : 'Pending', owner: null, workload: null,
    containers: [fakeContainer()], initContainers: [], labels: {}, annotations: {}, doNotDisrupt: false, isDaemonSetPod: false,
    isMirrorPod: false, usesEmptyDir: false, terminating: false, ready: bound, nodeSelector: {}, tolerations: [],
    requiredNodeAffinity: [], priority: null, priorityClassName: null, qosClass: 'Burstable', pending: null,
    terminationGracePeriodSeconds: 30, createdAtMs: null, startedAtMs: null, resourceVersion: '', ...o,
  };
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h;
}

/** What a PDB is made of in the fake (status is computed from the pods). */
export type FakePdbSpec = Pick<KubePdb, 'namespace' | 'name'> &
  Partial<Pick<KubePdb, 'selector' | 'minAvailable' | 'maxUnavailable'>> & {
    /** The owners' replicas (for percentages and maxUnavailable); default: the matching pods now. */
    expectedPods?: number;
  };

/** One recorded call. */
export interface FakeKubeCall {
  method: keyof KubeGateway;
  args: unknown[];
}

export interface FakeKubeGatewayOptions {
  clock?: Clock;
  /** Clock time an evicted or deleted pod stays terminating before it is gone. Default 0 (gone at once). */
  terminationMs?: number;
  /** Watch events kept for resuming; resuming from before them re-lists. Default 1000. */
  historyLimit?: number;
  /** Pods per page of listPodsPaged. Default 500. */
  pageSize?: number;
}

type Stored = { kind: 'node'; object: KubeNode } | { kind: 'pod'; object: KubePod } | { kind: 'event'; object: KubeEvent };
interface HistoryEvent {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  stored: Stored;
}
interface Watcher {
  kind: Stored['kind'];
  namespace?: string;
  emit(event: HistoryEvent): void;
}

const key = (namespace: string, name: string) => `${namespace}/${name}`;
const clone = <T>(v: T): T => structuredClone(v);

/** See the module comment. */
export class FakeKubeGateway implements KubeGateway {
  readonly clock: Clock;
  /** Every call, in order, with its arguments. */
  readonly calls: FakeKubeCall[] = [];
  /** Whether metrics.k8s.io "is installed". */
  metricsAvailable = true;
  /** What {@link serverVersion} answers. */
  kubernetesVersion = 'v1.32.0';
  private readonly terminationMs: number;
  private readonly historyLimit: number;
  private readonly pageSize: number;
  private readonly nodeMap = new Map<string, KubeNode>();
  private readonly podMap = new Map<string, KubePod>();
  private readonly deleteAt = new Map<string, number>();
  private readonly pdbs = new Map<string, FakePdbSpec>();
  private readonly workloads = new Map<string, KubeWorkload>();
  private readonly eventMap = new Map<string, KubeEvent>();
  private readonly nodeUsageOverride = new Map<string, Omit<NodeUsage, 'nodeName' | 'timestampMs'>>();
  private readonly podUsageOverride = new Map<string, PodUsage['containers']>();
  private readonly failures = new Map<string, AppError[]>();
  private readonly history: HistoryEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  private rv = 0;

  constructor(options: FakeKubeGatewayOptions = {}) {
    this.clock = options.clock ?? new ManualClock();
    this.terminationMs = options.terminationMs ?? 0;
    this.historyLimit = options.historyLimit ?? 1000;
    this.pageSize = Math.max(1, options.pageSize ?? 500);
  }

  // ---- test controls -------------------------------------------------------------------------------------

  /** Adds (or replaces) a node; `instanceId` defaults from the providerID. */
  addNode(node: KubeNode): KubeNode {
    const n = clone(node);
    n.instanceId ??= n.providerId?.split('/').pop()?.startsWith('i-') ? (n.providerId.split('/').pop() ?? null) : null;
    return this.writeNode(n, this.nodeMap.has(n.name) ? 'MODIFIED' : 'ADDED');
  }

  /** Adds (or replaces) a pod. */
  addPod(pod: KubePod): KubePod {
    return this.writePod(clone(pod), this.podMap.has(key(pod.namespace, pod.name)) ? 'MODIFIED' : 'ADDED');
  }

  /** Changes a pod in place (phase, readiness…), as the kubelet would. */
  updatePod(namespace: string, name: string, change: (pod: KubePod) => void): KubePod {
    const pod = this.podMap.get(key(namespace, name));
    if (!pod) throw new Error(`no pod ${namespace}/${name}`);
    const next = clone(pod);
    change(next);
    return this.writePod(next, 'MODIFIED');
  }

  /** Adds a PodDisruptionBudget (empty selector = every pod of the namespace). */
  addPdb(spec: FakePdbSpec): void {
    this.pdbs.set(key(spec.namespace, spec.name), clone(spec));
  }

  /** Removes a PodDisruptionBudget. */
  removePdb(namespace: string, name: string): void {
    this.pdbs.delete(key(namespace, name));
  }

  /** Adds a workload (pods are not created for it). */
  addWorkload(workload: Omit<KubeWorkload, 'resourceVersion' | 'annotations'> & { resourceVersion?: string; annotations?: Record<string, string> }): void {
    this.workloads.set(`${workload.kind}/${key(workload.namespace, workload.name)}`, { resourceVersion: String(++this.rv), annotations: {}, ...clone(workload) });
  }

  /** Adds (or replaces, as an aggregated repeat does) a core/v1 Event; watchers see ADDED or MODIFIED. */
  addEvent(event: KubeEvent): KubeEvent {
    const e = clone(event);
    const k = key(e.namespace, e.name);
    const type = this.eventMap.has(k) ? 'MODIFIED' : 'ADDED';
    e.resourceVersion = String(++this.rv);
    this.eventMap.set(k, e);
    this.record(type, { kind: 'event', object: e });
    return clone(e);
  }

  /** Someone else changes a workload's replicas (for the expected-replicas guard). */
  setReplicas(kind: ScalableKind, namespace: string, name: string, replicas: number): void {
    const w = this.workloads.get(`${kind}/${key(namespace, name)}`);
    if (!w) throw new Error(`no ${kind} ${namespace}/${name}`);
    w.replicas = replicas;
    w.resourceVersion = String(++this.rv);
  }

  /** Overrides a node's measured usage (default: the sum of its pods' usage). */
  setNodeUsage(nodeName: string, usage: { cpuMillicores: number; memoryBytes: number }): void {
    this.nodeUsageOverride.set(nodeName, usage);
  }

  /** Overrides a pod's measured usage (default: half of each container's requests while Running). */
  setPodUsage(namespace: string, name: string, containers: PodUsage['containers']): void {
    this.podUsageOverride.set(key(namespace, name), clone(containers));
  }

  /** The next call of `method` fails with `error` (queued: several calls fail in turn). */
  failNext(method: keyof KubeGateway, error: AppError): void {
    const q = this.failures.get(method) ?? [];
    q.push(error);
    this.failures.set(method, q);
  }

  /** Calls of one method, their arguments. */
  callsOf(method: keyof KubeGateway): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  /** Current pods (terminations that are due finish first), for assertions. */
  pods(): KubePod[] {
    this.finishTerminations();
    return [...this.podMap.values()].map(clone);
  }

  /** Current nodes, for assertions. */
  nodes(): KubeNode[] {
    return [...this.nodeMap.values()].map(clone);
  }

  // ---- internals -----------------------------------------------------------------------------------------

  private enter(method: keyof KubeGateway, args: unknown[]): void {
    this.calls.push({ method, args: clone(args) });
    this.finishTerminations();
    const err = this.failures.get(method)?.shift();
    if (err) throw err;
  }

  private record(type: HistoryEvent['type'], stored: Stored): void {
    const event: HistoryEvent = { rv: this.rv, type, stored: clone(stored) };
    this.history.push(event);
    if (this.history.length > this.historyLimit) this.history.shift();
    for (const w of [...this.watchers]) w.emit(event);
  }

  private writeNode(node: KubeNode, type: 'ADDED' | 'MODIFIED'): KubeNode {
    node.resourceVersion = String(++this.rv);
    this.nodeMap.set(node.name, node);
    this.record(type, { kind: 'node', object: node });
    return clone(node);
  }

  private writePod(pod: KubePod, type: 'ADDED' | 'MODIFIED'): KubePod {
    pod.resourceVersion = String(++this.rv);
    this.podMap.set(key(pod.namespace, pod.name), pod);
    this.record(type, { kind: 'pod', object: pod });
    return clone(pod);
  }

  private removePod(k: string): void {
    const pod = this.podMap.get(k);
    if (!pod) return;
    this.podMap.delete(k);
    this.deleteAt.delete(k);
    pod.resourceVersion = String(++this.rv);
    this.record('DELETED', { kind: 'pod', object: pod });
  }

  private finishTerminations(): void {
    const now = this.clock.now();
    for (const [k, at] of [...this.deleteAt]) if (at <= now) this.removePod(k);
  }

  private node(name: string, operation: string): KubeNode {
    const n = this.nodeMap.get(name);
    if (!n) throw new AppError('NOT_FOUND', `${operation} node ${name}: nodes "${name}" not found`, { operation, kind: 'node', name });
    return clone(n);
  }

  private terminate(k: string, graceSeconds: number | null | undefined): void {
    const pod = this.podMap.get(k);
    if (!pod) return;
    const ms = graceSeconds === 0 || !pod.nodeName || pod.phase === 'Succeeded' || pod.phase === 'Failed' ? 0 : this.terminationMs;
    if (ms === 0) return this.removePod(k);
    if (pod.terminating) return;
    this.writePod({ ...clone(pod), terminating: true, ready: false }, 'MODIFIED');
    this.deleteAt.set(k, this.clock.now() + ms);
  }

  private pdbStatus(spec: FakePdbSpec): KubePdb {
    const selector = spec.selector ?? { matchLabels: {}, matchExpressions: [] };
    const base: KubePdb = {
      namespace: spec.namespace, name: spec.name, selector, minAvailable: spec.minAvailable ?? null, maxUnavailable: spec.maxUnavailable ?? null,
      disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0,
    };
    const pods = [...this.podMap.values()].filter((p) => p.phase !== 'Succeeded' && p.phase !== 'Failed' && pdbSelects(base, p.namespace, p.labels));
    const expected = spec.expectedPods ?? pods.length;
    const scaled = (v: number | string) => (typeof v === 'number' ? v : Math.ceil((Number.parseInt(v, 10) * expected) / 100));
    const healthy = pods.filter((p) => p.ready && !p.terminating).length;
    const desired = base.minAvailable !== null ? scaled(base.minAvailable) : base.maxUnavailable !== null ? Math.max(0, expected - scaled(base.maxUnavailable)) : expected;
    return { ...base, expectedPods: expected, currentHealthy: healthy, desiredHealthy: desired, disruptionsAllowed: Math.max(0, healthy - desired) };
  }

  // ---- KubeGateway ---------------------------------------------------------------------------------------

  async listNodes(options: { labelSelector?: string } = {}): Promise<KubeNode[]> {
    this.enter('listNodes', [options]);
    const wanted = parseEqualitySelector(options.labelSelector);
    return this.nodes().filter((n) => Object.entries(wanted).every(([k, v]) => n.labels[k] === v));
  }

  async getNode(name: string): Promise<KubeNode | null> {
    this.enter('getNode', [name]);
    const n = this.nodeMap.get(name);
    return n ? clone(n) : null;
  }

  async listPods(options: ListPodsOptions = {}): Promise<KubePod[]> {
    this.enter('listPods', [options]);
    const wanted = parseEqualitySelector(options.labelSelector);
    return this.pods().filter(
      (p) =>
        (options.namespace === undefined || p.namespace === options.namespace) &&
        (options.nodeName === undefined || p.nodeName === options.nodeName) &&
        Object.entries(wanted).every(([k, v]) => p.labels[k] === v),
    );
  }

  async listPodsPaged(onPage: (pods: KubePod[]) => void | Promise<void>, options: ListPodsOptions = {}): Promise<void> {
    this.enter('listPodsPaged', [options]);
    const wanted = parseEqualitySelector(options.labelSelector);
    const pods = this.pods().filter(
      (p) =>
        (options.namespace === undefined || p.namespace === options.namespace) &&
        (options.nodeName === undefined || p.nodeName === options.nodeName) &&
        Object.entries(wanted).every(([k, v]) => p.labels[k] === v),
    );
    for (let i = 0; i < pods.length; i += this.pageSize) await onPage(pods.slice(i, i + this.pageSize));
  }

  async getPod(namespace: string, name: string): Promise<KubePod | null> {
    this.enter('getPod', [namespace, name]);
    const p = this.podMap.get(key(namespace, name));
    return p ? clone(p) : null;
  }

  async listPodDisruptionBudgets(options: { namespace?: string } = {}): Promise<KubePdb[]> {
    this.enter('listPodDisruptionBudgets', [options]);
    return [...this.pdbs.values()].filter((b) => options.namespace === undefined || b.namespace === options.namespace).map((b) => this.pdbStatus(b));
  }

  async getWorkload(kind: ScalableKind | PatchableKind, namespace: string, name: string): Promise<KubeWorkload | null> {
    this.enter('getWorkload', [kind, namespace, name]);
    const w = this.workloads.get(`${kind}/${key(namespace, name)}`);
    return w ? clone(w) : null;
  }

  async serverVersion(): Promise<string> {
    this.enter('serverVersion', []);
    return this.kubernetesVersion;
  }

  private podUsages(namespace?: string): PodUsage[] {
    return [...this.podMap.values()]
      .filter((p) => p.phase === 'Running' && (namespace === undefined || p.namespace === namespace))
      .map((p) => ({
        namespace: p.namespace,
        podName: p.name,
        containers:
          this.podUsageOverride.get(key(p.namespace, p.name)) ??
          p.containers.map((c) => ({ name: c.name, cpuMillicores: Math.round(c.cpuRequestMillicores / 2), memoryBytes: Math.round(c.memoryRequestBytes / 2) })),
        timestampMs: this.clock.now(),
      }));
  }

  async nodeUsage(): Promise<UsageSnapshot<NodeUsage>> {
    this.enter('nodeUsage', []);
    if (!this.metricsAvailable) return { available: false, items: [] };
    const pods = this.podUsages();
    const items = [...this.nodeMap.values()].map((n) => {
      const own = pods.filter((u) => this.podMap.get(key(u.namespace, u.podName))?.nodeName === n.name).flatMap((u) => u.containers);
      const sum = { cpuMillicores: own.reduce((s, c) => s + c.cpuMillicores, 0), memoryBytes: own.reduce((s, c) => s + c.memoryBytes, 0) };
      return { nodeName: n.name, ...(this.nodeUsageOverride.get(n.name) ?? sum), timestampMs: this.clock.now() };
    });
    return { available: true, items };
  }

  async podUsage(options: { namespace?: string } = {}): Promise<UsageSnapshot<PodUsage>> {
    this.enter('podUsage', [options]);
    if (!this.metricsAvailable) return { available: false, items: [] };
    return { available: true, items: this.podUsages(options.namespace) };
  }

  async cordonNode(name: string, options: { reason?: string | null } = {}): Promise<KubeNode> {
    this.enter('cordonNode', [name, options]);
    const n = this.node(name, 'cordon');
    n.unschedulable = true;
    if (options.reason) n.annotations[CORDON_REASON_ANNOTATION] = options.reason;
    return this.writeNode(n, 'MODIFIED');
  }

  async uncordonNode(name: string): Promise<KubeNode> {
    this.enter('uncordonNode', [name]);
    const n = this.node(name, 'uncordon');
    n.unschedulable = false;
    delete n.annotations[CORDON_REASON_ANNOTATION];
    return this.writeNode(n, 'MODIFIED');
  }

  async labelNode(name: string, labels: Record<string, string | null>): Promise<KubeNode> {
    this.enter('labelNode', [name, labels]);
    const n = this.node(name, 'label');
    for (const [k, v] of Object.entries(labels)) {
      if (v === null) delete n.labels[k];
      else n.labels[k] = v;
    }
    return this.writeNode(n, 'MODIFIED');
  }

  async taintNode(name: string, change: { add?: Taint[]; remove?: TaintRef[] }): Promise<KubeNode> {
    this.enter('taintNode', [name, change]);
    const n = this.node(name, 'taint');
    const add = change.add ?? [];
    const removed = (t: Taint) =>
      (change.remove ?? []).some((r) => r.key === t.key && (r.effect === null || r.effect === t.effect)) || add.some((a) => a.key === t.key && a.effect === t.effect);
    n.taints = [...n.taints.filter((t) => !removed(t)), ...add.map((t) => ({ ...t, value: t.value === '' ? null : t.value }))];
    return this.writeNode(n, 'MODIFIED');
  }

  async evictPod(namespace: string, name: string, options: { gracePeriodSeconds?: number | null } = {}): Promise<void> {
    this.enter('evictPod', [namespace, name, options]);
    const k = key(namespace, name);
    const pod = this.podMap.get(k);
    if (!pod) throw new AppError('NOT_FOUND', `evict pod ${k}: pods "${name}" not found`, { operation: 'evict', kind: 'pod', namespace, name });
    const terminal = pod.phase === 'Succeeded' || pod.phase === 'Failed';
    if (!terminal && !pod.terminating) {
      for (const spec of this.pdbs.values()) {
        const pdb = this.pdbStatus(spec);
        if (!pdbSelects(pdb, namespace, pod.labels)) continue;
        const healthy = pod.ready && !pod.terminating;
        if (healthy ? pdb.disruptionsAllowed <= 0 : pdb.currentHealthy < pdb.desiredHealthy) {
          throw new AppError(
            'PDB_BLOCKED',
            `Cannot evict pod as it would violate the pod's disruption budget. The disruption budget ${pdb.name} needs ${pdb.desiredHealthy} healthy pods and has ${pdb.currentHealthy} currently`,
            { operation: 'evict', kind: 'pod', namespace, name, http_status: 429, reason: 'TooManyRequests' },
          );
        }
      }
    }
    this.terminate(k, options.gracePeriodSeconds);
  }

  async deletePod(namespace: string, name: string, options: { gracePeriodSeconds?: number | null } = {}): Promise<void> {
    this.enter('deletePod', [namespace, name, options]);
    const k = key(namespace, name);
    if (!this.podMap.has(k)) throw new AppError('NOT_FOUND', `delete pod ${k}: pods "${name}" not found`, { operation: 'delete', kind: 'pod', namespace, name });
    this.terminate(k, options.gracePeriodSeconds);
  }

  async deleteNode(name: string): Promise<void> {
    this.enter('deleteNode', [name]);
    const n = this.node(name, 'delete');
    this.nodeMap.delete(name);
    n.resourceVersion = String(++this.rv);
    this.record('DELETED', { kind: 'node', object: n });
  }

  async scaleWorkload(request: ScaleRequest): Promise<{ previousReplicas: number; replicas: number }> {
    this.enter('scaleWorkload', [request]);
    const { kind, namespace, name, replicas, expectedReplicas } = request;
    const w = this.workloads.get(`${kind}/${key(namespace, name)}`);
    if (!w) throw new AppError('NOT_FOUND', `scale ${kind} ${namespace}/${name}: not found`, { operation: 'scale', kind, namespace, name });
    const current = w.replicas ?? 0;
    if (current === replicas) return { previousReplicas: current, replicas };
    if (expectedReplicas !== undefined && expectedReplicas !== null && current !== expectedReplicas) {
      throw new AppError('CONFLICT', `${kind} ${namespace}/${name} has ${current} replicas, expected ${expectedReplicas}: someone else changed it`, {
        kind, namespace, name, expected_replicas: expectedReplicas, actual_replicas: current,
      });
    }
    w.replicas = replicas;
    w.resourceVersion = String(++this.rv);
    return { previousReplicas: current, replicas };
  }

  async patchWorkloadResources(request: PatchResourcesRequest): Promise<KubeWorkload> {
    this.enter('patchWorkloadResources', [request]);
    const { kind, namespace, name } = request;
    const w = this.workloads.get(`${kind}/${key(namespace, name)}`);
    if (!w) throw new AppError('NOT_FOUND', `${kind} ${namespace}/${name} not found`, { kind, namespace, name });
    checkContainersExist(w, request.containers);
    for (const change of request.containers) {
      const c = w.containers.find((x) => x.name === change.containerName)!;
      if (change.cpuRequestMillicores !== undefined) c.cpuRequestMillicores = change.cpuRequestMillicores;
      if (change.memoryRequestBytes !== undefined) c.memoryRequestBytes = change.memoryRequestBytes;
      if (change.cpuLimitMillicores !== undefined) c.cpuLimitMillicores = change.cpuLimitMillicores;
      if (change.memoryLimitBytes !== undefined) c.memoryLimitBytes = change.memoryLimitBytes;
      if (c.cpuLimitMillicores !== null && c.cpuLimitMillicores < c.cpuRequestMillicores) {
        throw new AppError('VALIDATION_FAILED', `container ${c.name}: cpu request must be less than or equal to cpu limit`, { kind, namespace, name });
      }
      if (c.memoryLimitBytes !== null && c.memoryLimitBytes < c.memoryRequestBytes) {
        throw new AppError('VALIDATION_FAILED', `container ${c.name}: memory request must be less than or equal to memory limit`, { kind, namespace, name });
      }
    }
    w.resourceVersion = String(++this.rv);
    return clone(w);
  }

  async annotateWorkload(kind: ScalableKind | PatchableKind, namespace: string, name: string, annotations: Record<string, string | null>): Promise<KubeWorkload> {
    this.enter('annotateWorkload', [kind, namespace, name, annotations]);
    const w = this.workloads.get(`${kind}/${key(namespace, name)}`);
    if (!w) throw new AppError('NOT_FOUND', `annotate ${kind} ${namespace}/${name}: not found`, { operation: 'annotate', kind, namespace, name });
    for (const [k, v] of Object.entries(annotations)) {
      if (v === null) delete w.annotations[k];
      else w.annotations[k] = v;
    }
    w.resourceVersion = String(++this.rv);
    return clone(w);
  }

  private startWatch<T>(kind: Stored['kind'], onEvent: (e: KubeWatchEvent<T>) => void, options: KubeWatchOptions, filter: (s: Stored) => boolean = () => true): KubeWatch {
    let last: string | undefined = options.resourceVersion;
    const inScope = (s: Stored) => s.kind === kind && (s.kind === 'node' || options.namespace === undefined || s.object.namespace === options.namespace);
    const matches = (s: Stored) => inScope(s) && filter(s);
    const deliver = (e: HistoryEvent) => {
      if (!matches(e.stored)) return;
      last = String(e.rv);
      onEvent({ type: e.type, object: clone(e.stored.object) as T, resourceVersion: last });
    };
    const sync = () => {
      last = String(this.rv);
      const all: Stored[] =
        kind === 'node'
          ? [...this.nodeMap.values()].map((object) => ({ kind, object }))
          : kind === 'pod'
            ? [...this.podMap.values()].map((object) => ({ kind, object }))
            : [...this.eventMap.values()].map((object) => ({ kind, object }));
      const objects = all.filter(matches).map((st) => clone(st.object));
      onEvent({ type: 'SYNC', objects: objects as T[], resourceVersion: last });
    };
    const from = options.resourceVersion === undefined ? undefined : Number(options.resourceVersion);
    const oldest = this.history[0]?.rv;
    if (from === undefined || !Number.isFinite(from) || (oldest !== undefined && from < oldest - 1) || from > this.rv) sync();
    else for (const e of this.history) if (e.rv > from) deliver(e);
    const watcher: Watcher = { kind, namespace: options.namespace, emit: deliver };
    this.watchers.add(watcher);
    return {
      get resourceVersion() {
        return last;
      },
      stop: async () => {
        this.watchers.delete(watcher);
      },
    };
  }

  async watchPods(onEvent: (event: KubeWatchEvent<KubePod>) => void, options: KubeWatchOptions = {}): Promise<KubeWatch> {
    this.enter('watchPods', [options]);
    return this.startWatch('pod', onEvent, options);
  }

  async watchNodes(onEvent: (event: KubeWatchEvent<KubeNode>) => void, options: Omit<KubeWatchOptions, 'namespace'> = {}): Promise<KubeWatch> {
    this.enter('watchNodes', [options]);
    return this.startWatch('node', onEvent, options);
  }

  async watchEvents(onEvent: (event: KubeWatchEvent<KubeEvent>) => void, options: KubeEventWatchOptions = {}): Promise<KubeWatch> {
    this.enter('watchEvents', [options]);
    const selected = eventFieldSelector(options.fieldSelector);
    return this.startWatch('event', onEvent, options, (s) => s.kind !== 'event' || selected(s.object));
  }
}

/** An Events field selector (`reason`/`type` with `=`, `==`, `!=`, ANDed) as a predicate. */
function eventFieldSelector(selector: string | undefined): (e: KubeEvent) => boolean {
  const terms = (selector ?? '').split(',').map((s) => s.trim()).filter(Boolean).map((part) => {
    const m = /^(reason|type)\s*(!=|==|=)\s*(.*)$/.exec(part);
    if (!m) throw new AppError('BAD_REQUEST', `the fake supports only reason/type field selectors, got "${part}"`);
    return { field: m[1] as 'reason' | 'type', negate: m[2] === '!=', value: m[3]!.trim() };
  });
  return (e) => terms.every((t) => (e[t.field] === t.value) !== t.negate);
}

/** `a=b,c=d` → {a: 'b', c: 'd'} (the fake supports equality selectors only). */
function parseEqualitySelector(selector: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (selector ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [k, v] = part.split(/==?/);
    if (k === undefined || v === undefined) throw new AppError('BAD_REQUEST', `the fake supports only equality label selectors, got "${part}"`);
    out[k.trim()] = v.trim();
  }
  return out;
}
