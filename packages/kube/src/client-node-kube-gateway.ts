/**
 * ClientNodeKubeGateway: the KubeGateway over @kubernetes/client-node (the only module that imports it).
 * Every object read is validated (kube-objects.ts; malformed ones are skipped with a log line) and every
 * failure leaves as an AppError (kube-errors.ts).
 */
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  PolicyV1Api,
  setHeaderOptions,
  VersionApi,
  Watch,
} from '@kubernetes/client-node';
import { AppError } from '@cloudoptim/contracts';
import { SystemClock, silentLogger, type Clock, type Logger } from '@cloudoptim/runtime';
import type { KubeGateway, ListPodsOptions, PatchResourcesRequest, ScaleRequest, TaintRef } from './kube-gateway.ts';
import { httpStatusOf, toAppError, type KubeCallContext } from './kube-errors.ts';
import {
  MalformedObject,
  mapAll,
  ownerIndexOf,
  ScaleSchema,
  toKubeEvent,
  toKubeNode,
  toKubePdb,
  toKubePod,
  toKubeWorkload,
  toNodeUsage,
  toPodUsage,
  type OwnerIndex,
} from './kube-objects.ts';
import {
  CORDON_REASON_ANNOTATION,
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
import { resourcesPatchBody, checkContainersExist } from './resources-patch.ts';
import { startResumableWatch } from './resumable-watch.ts';

/** Where the connection settings come from. */
export type KubeConnection =
  | { kubeconfigPath: string; context?: string }
  | { kubeconfig: string; context?: string }
  /** The pod's service account (KUBERNETES_SERVICE_HOST and the mounted token, read by client-node). */
  | { inCluster: true };

export interface ClientNodeKubeGatewayOptions {
  connection: KubeConnection;
  /** Paces watch reconnects. Default: the system clock. */
  clock?: Clock;
  log?: Logger;
  /** Items per list page (`limit`). Default 500. */
  pageSize?: number;
  /** Clock time between a dropped watch and its reconnect. Default 1 s. */
  watchReconnectDelayMs?: number;
  /** Attempts of a read-modify-write (taints) that meets a concurrent update (409). Default 5. */
  conflictRetries?: number;
  /**
   * A node-scoped listPods (a drain round) reuses the cluster-wide ReplicaSet/Job index when it is younger
   * than this (clock ms) instead of listing every ReplicaSet and Job again. Default 30 s.
   */
  ownerIndexMaxAgeMs?: number;
}

interface Page<T> {
  items: T[];
  metadata?: { _continue?: string; resourceVersion?: string };
}

/** Maps an object the API server just returned; a malformed answer is an INTERNAL error, not a skip. */
function mapOrInternal<T>(map: (raw: unknown) => T, raw: unknown): T {
  try {
    return map(raw);
  } catch (err) {
    if (err instanceof MalformedObject) throw new AppError('INTERNAL', err.message, null, { cause: err });
    throw err;
  }
}

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const STRATEGIC = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

/** The production KubeGateway. Construction reads the kubeconfig; it opens no connection. */
export class ClientNodeKubeGateway implements KubeGateway {
  private readonly kc: KubeConfig;
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly batch: BatchV1Api;
  private readonly policy: PolicyV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly version: VersionApi;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly pageSize: number;
  private readonly reconnectDelayMs: number;
  private readonly conflictRetries: number;
  /** ReplicaSet/Job → controller, refreshed by every listPods; used to resolve workloads of watched pods. */
  private owners: OwnerIndex = new Map();
  /** When the cluster-wide owner index was last rebuilt (clock ms). */
  private ownersRefreshedAtMs: number | null = null;
  private readonly ownerIndexMaxAgeMs: number;

  /** @throws AppError VALIDATION_FAILED when the kubeconfig cannot be loaded or names an unknown context. */
  constructor(options: ClientNodeKubeGatewayOptions) {
    this.kc = new KubeConfig();
    const c = options.connection;
    try {
      if ('inCluster' in c) this.kc.loadFromCluster();
      else if ('kubeconfigPath' in c) this.kc.loadFromFile(c.kubeconfigPath);
      else this.kc.loadFromString(c.kubeconfig);
      if (!('inCluster' in c) && c.context) this.kc.setCurrentContext(c.context);
      if (!this.kc.getCurrentCluster()) throw new Error('no current cluster in the kubeconfig');
    } catch (err) {
      throw new AppError('VALIDATION_FAILED', `cannot load the Kubernetes connection settings: ${(err as Error).message}`, null, { cause: err });
    }
    this.core = this.kc.makeApiClient(CoreV1Api);
    this.apps = this.kc.makeApiClient(AppsV1Api);
    this.batch = this.kc.makeApiClient(BatchV1Api);
    this.policy = this.kc.makeApiClient(PolicyV1Api);
    this.custom = this.kc.makeApiClient(CustomObjectsApi);
    this.version = this.kc.makeApiClient(VersionApi);
    this.clock = options.clock ?? new SystemClock();
    this.log = options.log ?? silentLogger;
    this.pageSize = options.pageSize ?? 500;
    this.reconnectDelayMs = options.watchReconnectDelayMs ?? 1000;
    this.conflictRetries = options.conflictRetries ?? 5;
    this.ownerIndexMaxAgeMs = options.ownerIndexMaxAgeMs ?? 30_000;
  }

  /** The API server URL this gateway talks to. */
  get serverUrl(): string {
    return this.kc.getCurrentCluster()?.server ?? '';
  }

  private async call<T>(ctx: KubeCallContext, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toAppError(err, ctx);
    }
  }

  /** Reads an object; null on 404. */
  private async readOrNull<T>(ctx: KubeCallContext, fn: () => Promise<T>): Promise<T | null> {
    try {
      return await fn();
    } catch (err) {
      if (httpStatusOf(err) === 404) return null;
      throw toAppError(err, ctx);
    }
  }

  private async listAll<T>(ctx: KubeCallContext, page: (cont: string | undefined, limit: number) => Promise<Page<T>>): Promise<{ items: T[]; resourceVersion: string }> {
    const items: T[] = [];
    let cont: string | undefined;
    let resourceVersion = '';
    do {
      const p = await this.call(ctx, () => page(cont, this.pageSize));
      items.push(...p.items);
      resourceVersion = p.metadata?.resourceVersion ?? resourceVersion;
      cont = p.metadata?._continue || undefined;
    } while (cont);
    return { items, resourceVersion };
  }

  /** Lists page by page, mapping each as it arrives: only one page of raw client-node objects is alive at a time. */
  private async eachPage<T, U>(
    ctx: KubeCallContext,
    page: (cont: string | undefined, limit: number) => Promise<Page<T>>,
    map: (raw: unknown) => U,
    onPage: (items: U[]) => void | Promise<void>,
  ): Promise<string> {
    let cont: string | undefined;
    let resourceVersion = '';
    do {
      const p = await this.call(ctx, () => page(cont, this.pageSize));
      cont = p.metadata?._continue || undefined;
      resourceVersion = p.metadata?.resourceVersion ?? resourceVersion;
      await onPage(mapAll(p.items, map, this.log));
    } while (cont);
    return resourceVersion;
  }

  /** Every page mapped, and the list's resourceVersion (a watch's SYNC). */
  private async listMappedWithVersion<T, U>(ctx: KubeCallContext, page: (cont: string | undefined, limit: number) => Promise<Page<T>>, map: (raw: unknown) => U): Promise<{ objects: U[]; resourceVersion: string }> {
    const objects: U[] = [];
    const resourceVersion = await this.eachPage(ctx, page, map, (items) => {
      for (const item of items) objects.push(item);
    });
    return { objects, resourceVersion };
  }

  private async listMapped<T, U>(ctx: KubeCallContext, page: (cont: string | undefined, limit: number) => Promise<Page<T>>, map: (raw: unknown) => U): Promise<U[]> {
    return (await this.listMappedWithVersion(ctx, page, map)).objects;
  }

  // ---- reads ---------------------------------------------------------------------------------------------

  async listNodes(options: { labelSelector?: string } = {}): Promise<KubeNode[]> {
    const { labelSelector } = options;
    return this.listMapped({ operation: 'list', kind: 'nodes' }, (_continue, limit) => this.core.listNode({ labelSelector, _continue, limit }), toKubeNode);
  }

  async getNode(name: string): Promise<KubeNode | null> {
    const raw = await this.readOrNull({ operation: 'get', kind: 'node', name }, () => this.core.readNode({ name }));
    return raw ? mapAll([raw], toKubeNode, this.log)[0] ?? null : null;
  }

  private podPages(options: ListPodsOptions) {
    const fieldSelector = options.nodeName ? `spec.nodeName=${options.nodeName}` : undefined;
    const { namespace, labelSelector } = options;
    return (_continue: string | undefined, limit: number) =>
      namespace
        ? this.core.listNamespacedPod({ namespace, labelSelector, fieldSelector, _continue, limit })
        : this.core.listPodForAllNamespaces({ labelSelector, fieldSelector, _continue, limit });
  }

  private listRawPods(options: ListPodsOptions) {
    return this.listAll({ operation: 'list', kind: 'pods', namespace: options.namespace }, this.podPages(options));
  }

  /** Refreshes the ReplicaSet/Job owner index; a failure (e.g. no RBAC for them) only logs. */
  private async refreshOwners(namespace: string | undefined): Promise<void> {
    try {
      const rs = await this.listAll({ operation: 'list', kind: 'replicasets', namespace }, (_continue, limit) =>
        namespace ? this.apps.listNamespacedReplicaSet({ namespace, _continue, limit }) : this.apps.listReplicaSetForAllNamespaces({ _continue, limit }),
      );
      const jobs = await this.listAll({ operation: 'list', kind: 'jobs', namespace }, (_continue, limit) =>
        namespace ? this.batch.listNamespacedJob({ namespace, _continue, limit }) : this.batch.listJobForAllNamespaces({ _continue, limit }),
      );
      const index = ownerIndexOf('Job', jobs.items, ownerIndexOf('ReplicaSet', rs.items));
      if (namespace) {
        const merged = new Map([...this.owners].filter(([key]) => key.split('/')[1] !== namespace));
        for (const [k, v] of index) merged.set(k, v);
        this.owners = merged;
      } else {
        this.owners = index;
        this.ownersRefreshedAtMs = this.clock.now();
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'cannot list ReplicaSets/Jobs: pod workloads fall back to the pod-template-hash convention');
    }
  }

  /** Refreshes the owner index for a pod list, unless it is node-scoped and the cluster-wide index is recent. */
  private async ownersFor(options: ListPodsOptions): Promise<void> {
    const recent = this.ownersRefreshedAtMs !== null && this.clock.now() - this.ownersRefreshedAtMs < this.ownerIndexMaxAgeMs;
    if (options.nodeName !== undefined && options.namespace === undefined && recent) return;
    await this.refreshOwners(options.namespace);
  }

  async listPods(options: ListPodsOptions = {}): Promise<KubePod[]> {
    await this.ownersFor(options);
    return this.listMapped({ operation: 'list', kind: 'pods', namespace: options.namespace }, this.podPages(options), (raw) => toKubePod(raw, this.owners));
  }

  async listPodsPaged(onPage: (pods: KubePod[]) => void | Promise<void>, options: ListPodsOptions = {}): Promise<void> {
    await this.ownersFor(options);
    await this.eachPage({ operation: 'list', kind: 'pods', namespace: options.namespace }, this.podPages(options), (raw) => toKubePod(raw, this.owners), onPage);
  }

  async getPod(namespace: string, name: string): Promise<KubePod | null> {
    const raw = await this.readOrNull({ operation: 'get', kind: 'pod', namespace, name }, () => this.core.readNamespacedPod({ namespace, name }));
    return raw ? mapAll([raw], (r) => toKubePod(r, this.owners), this.log)[0] ?? null : null;
  }

  async listPodDisruptionBudgets(options: { namespace?: string } = {}): Promise<KubePdb[]> {
    const { namespace } = options;
    const { items } = await this.listAll({ operation: 'list', kind: 'poddisruptionbudgets', namespace }, (_continue, limit) =>
      namespace
        ? this.policy.listNamespacedPodDisruptionBudget({ namespace, _continue, limit })
        : this.policy.listPodDisruptionBudgetForAllNamespaces({ _continue, limit }),
    );
    return mapAll(items, toKubePdb, this.log);
  }

  private readRawWorkload(kind: ScalableKind | PatchableKind, namespace: string, name: string): Promise<unknown> {
    switch (kind) {
      case 'Deployment':
        return this.apps.readNamespacedDeployment({ namespace, name });
      case 'StatefulSet':
        return this.apps.readNamespacedStatefulSet({ namespace, name });
      case 'DaemonSet':
        return this.apps.readNamespacedDaemonSet({ namespace, name });
      case 'ReplicaSet':
        return this.apps.readNamespacedReplicaSet({ namespace, name });
    }
  }

  async getWorkload(kind: ScalableKind | PatchableKind, namespace: string, name: string): Promise<KubeWorkload | null> {
    const raw = await this.readOrNull({ operation: 'get', kind, namespace, name }, () => this.readRawWorkload(kind, namespace, name));
    return raw ? mapAll([raw], (r) => toKubeWorkload(kind, r), this.log)[0] ?? null : null;
  }

  async serverVersion(): Promise<string> {
    const info = await this.call({ operation: 'get', kind: 'version' }, () => this.version.getCode());
    return info.gitVersion;
  }

  // ---- metrics.k8s.io ------------------------------------------------------------------------------------

  /** Lists a metrics.k8s.io collection; `undefined` when the API is absent (404) or down (503). */
  private async listMetrics(plural: 'nodes' | 'pods', namespace?: string): Promise<unknown[] | undefined> {
    const group = 'metrics.k8s.io';
    const version = 'v1beta1';
    try {
      const list = (namespace
        ? await this.custom.listNamespacedCustomObject({ group, version, namespace, plural })
        : await this.custom.listClusterCustomObject({ group, version, plural })) as { items?: unknown };
      return Array.isArray(list.items) ? list.items : [];
    } catch (err) {
      const status = httpStatusOf(err);
      if (status === 404 || status === 503) {
        this.log.info({ plural, status }, 'metrics.k8s.io is not available: usage is unknown');
        return undefined;
      }
      throw toAppError(err, { operation: 'list', kind: `${plural}.metrics.k8s.io`, namespace });
    }
  }

  async nodeUsage(): Promise<UsageSnapshot<NodeUsage>> {
    const items = await this.listMetrics('nodes');
    return items ? { available: true, items: mapAll(items, toNodeUsage, this.log) } : { available: false, items: [] };
  }

  async podUsage(options: { namespace?: string } = {}): Promise<UsageSnapshot<PodUsage>> {
    const items = await this.listMetrics('pods', options.namespace);
    return items ? { available: true, items: mapAll(items, toPodUsage, this.log) } : { available: false, items: [] };
  }

  // ---- node changes --------------------------------------------------------------------------------------

  private async patchNode(operation: string, name: string, body: object): Promise<KubeNode> {
    const raw = await this.call({ operation, kind: 'node', name }, () => this.core.patchNode({ name, body }, MERGE));
    return mapOrInternal(toKubeNode, raw);
  }

  cordonNode(name: string, options: { reason?: string | null } = {}): Promise<KubeNode> {
    const metadata = options.reason ? { annotations: { [CORDON_REASON_ANNOTATION]: options.reason } } : undefined;
    return this.patchNode('cordon', name, { spec: { unschedulable: true }, ...(metadata ? { metadata } : {}) });
  }

  uncordonNode(name: string): Promise<KubeNode> {
    return this.patchNode('uncordon', name, { spec: { unschedulable: null }, metadata: { annotations: { [CORDON_REASON_ANNOTATION]: null } } });
  }

  labelNode(name: string, labels: Record<string, string | null>): Promise<KubeNode> {
    return this.patchNode('label', name, { metadata: { labels } });
  }

  async taintNode(name: string, change: { add?: Taint[]; remove?: TaintRef[] }): Promise<KubeNode> {
    const ctx: KubeCallContext = { operation: 'taint', kind: 'node', name };
    for (let attempt = 1; ; attempt++) {
      const node = await this.call(ctx, () => this.core.readNode({ name }));
      const current = node.spec?.taints ?? [];
      const add = change.add ?? [];
      const removed = (t: { key: string; effect: string }) =>
        (change.remove ?? []).some((r) => r.key === t.key && (r.effect === null || r.effect === t.effect)) ||
        add.some((a) => a.key === t.key && a.effect === t.effect);
      const taints = [
        ...current.filter((t) => !removed(t)),
        ...add.map((t) => ({ key: t.key, effect: t.effect, ...(t.value !== null && t.value !== '' ? { value: t.value } : {}) })),
      ];
      try {
        // resourceVersion in the patch is a precondition: a concurrent update answers 409 and we start over.
        const raw = await this.core.patchNode(
          { name, body: { metadata: { resourceVersion: node.metadata?.resourceVersion }, spec: { taints: taints.length > 0 ? taints : null } } },
          MERGE,
        );
        return mapOrInternal(toKubeNode, raw);
      } catch (err) {
        if (httpStatusOf(err) === 409 && attempt < this.conflictRetries) continue;
        throw toAppError(err, ctx);
      }
    }
  }

  // ---- pods and nodes going away -------------------------------------------------------------------------

  async evictPod(namespace: string, name: string, options: { gracePeriodSeconds?: number | null } = {}): Promise<void> {
    const grace = options.gracePeriodSeconds;
    await this.call({ operation: 'evict', kind: 'pod', namespace, name }, () =>
      this.core.createNamespacedPodEviction({
        name,
        namespace,
        body: {
          apiVersion: 'policy/v1',
          kind: 'Eviction',
          metadata: { name, namespace },
          ...(grace !== undefined && grace !== null ? { deleteOptions: { gracePeriodSeconds: grace } } : {}),
        },
      }),
    );
  }

  async deletePod(namespace: string, name: string, options: { gracePeriodSeconds?: number | null } = {}): Promise<void> {
    const grace = options.gracePeriodSeconds ?? undefined;
    await this.call({ operation: 'delete', kind: 'pod', namespace, name }, () => this.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: grace }));
  }

  async deleteNode(name: string): Promise<void> {
    await this.call({ operation: 'delete', kind: 'node', name }, () => this.core.deleteNode({ name }));
  }

  // ---- workloads -----------------------------------------------------------------------------------------

  private readScale(kind: ScalableKind, namespace: string, name: string) {
    switch (kind) {
      case 'Deployment':
        return this.apps.readNamespacedDeploymentScale({ namespace, name });
      case 'StatefulSet':
        return this.apps.readNamespacedStatefulSetScale({ namespace, name });
      case 'ReplicaSet':
        return this.apps.readNamespacedReplicaSetScale({ namespace, name });
    }
  }

  private replaceScale(kind: ScalableKind, namespace: string, name: string, resourceVersion: string | undefined, replicas: number) {
    const body = { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name, namespace, resourceVersion }, spec: { replicas } };
    switch (kind) {
      case 'Deployment':
        return this.apps.replaceNamespacedDeploymentScale({ namespace, name, body });
      case 'StatefulSet':
        return this.apps.replaceNamespacedStatefulSetScale({ namespace, name, body });
      case 'ReplicaSet':
        return this.apps.replaceNamespacedReplicaSetScale({ namespace, name, body });
    }
  }

  async scaleWorkload(request: ScaleRequest): Promise<{ previousReplicas: number; replicas: number }> {
    const { kind, namespace, name, replicas, expectedReplicas } = request;
    const ctx: KubeCallContext = { operation: 'scale', kind, namespace, name };
    const raw = await this.call(ctx, () => this.readScale(kind, namespace, name));
    const scale = ScaleSchema.safeParse(raw);
    if (!scale.success) throw new AppError('INTERNAL', `scale ${kind} ${namespace}/${name}: malformed Scale object`, null, { cause: scale.error });
    const current = scale.data.spec?.replicas ?? 0;
    if (current === replicas) return { previousReplicas: current, replicas };
    if (expectedReplicas !== undefined && expectedReplicas !== null && current !== expectedReplicas) {
      throw new AppError('CONFLICT', `${kind} ${namespace}/${name} has ${current} replicas, expected ${expectedReplicas}: someone else changed it`, {
        kind, namespace, name, expected_replicas: expectedReplicas, actual_replicas: current,
      });
    }
    // The Scale's resourceVersion makes the write conditional: a change since the read answers 409 CONFLICT.
    await this.call(ctx, () => this.replaceScale(kind, namespace, name, scale.data.metadata?.resourceVersion ?? undefined, replicas));
    return { previousReplicas: current, replicas };
  }

  async patchWorkloadResources(request: PatchResourcesRequest): Promise<KubeWorkload> {
    const { kind, namespace, name } = request;
    const ctx: KubeCallContext = { operation: 'patch resources of', kind, namespace, name };
    const current = await this.getWorkload(kind, namespace, name);
    if (!current) throw new AppError('NOT_FOUND', `${kind} ${namespace}/${name} not found`, { kind, namespace, name });
    checkContainersExist(current, request.containers);
    const body = resourcesPatchBody(request.containers);
    const raw = await this.call(ctx, (): Promise<unknown> => {
      switch (kind) {
        case 'Deployment':
          return this.apps.patchNamespacedDeployment({ namespace, name, body }, STRATEGIC);
        case 'StatefulSet':
          return this.apps.patchNamespacedStatefulSet({ namespace, name, body }, STRATEGIC);
        case 'DaemonSet':
          return this.apps.patchNamespacedDaemonSet({ namespace, name, body }, STRATEGIC);
      }
    });
    return mapOrInternal((r) => toKubeWorkload(kind, r), raw);
  }

  async annotateWorkload(kind: ScalableKind | PatchableKind, namespace: string, name: string, annotations: Record<string, string | null>): Promise<KubeWorkload> {
    const body = { metadata: { annotations } };
    const raw = await this.call({ operation: 'annotate', kind, namespace, name }, (): Promise<unknown> => {
      switch (kind) {
        case 'Deployment':
          return this.apps.patchNamespacedDeployment({ namespace, name, body }, MERGE);
        case 'StatefulSet':
          return this.apps.patchNamespacedStatefulSet({ namespace, name, body }, MERGE);
        case 'DaemonSet':
          return this.apps.patchNamespacedDaemonSet({ namespace, name, body }, MERGE);
        case 'ReplicaSet':
          return this.apps.patchNamespacedReplicaSet({ namespace, name, body }, MERGE);
      }
    });
    return mapOrInternal((r) => toKubeWorkload(kind, r), raw);
  }

  // ---- watches -------------------------------------------------------------------------------------------

  private openWatch(path: string, fieldSelector?: string) {
    const watch = new Watch(this.kc);
    return async (resourceVersion: string, onLine: (type: string, obj: unknown) => void, done: (err: unknown) => void) =>
      watch.watch(path, { resourceVersion, allowWatchBookmarks: true, ...(fieldSelector ? { fieldSelector } : {}) }, (type, obj: unknown) => onLine(type, obj), done);
  }

  watchPods(onEvent: (event: KubeWatchEvent<KubePod>) => void, options: KubeWatchOptions = {}): Promise<KubeWatch> {
    const { namespace } = options;
    return startResumableWatch({
      list: async () => {
        const list = await this.listRawPods({ namespace });
        await this.refreshOwners(namespace);
        return list;
      },
      open: this.openWatch(namespace ? `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods` : '/api/v1/pods'),
      map: (raw) => toKubePod(raw, this.owners),
      onEvent,
      clock: this.clock,
      log: this.log.child({ watch: 'pods' }),
      reconnectDelayMs: this.reconnectDelayMs,
      resourceVersion: options.resourceVersion,
    });
  }

  watchEvents(onEvent: (event: KubeWatchEvent<KubeEvent>) => void, options: KubeEventWatchOptions = {}): Promise<KubeWatch> {
    const { namespace, fieldSelector } = options;
    const ctx: KubeCallContext = { operation: 'list', kind: 'events', namespace };
    const pages = (_continue: string | undefined, limit: number) =>
      namespace ? this.core.listNamespacedEvent({ namespace, fieldSelector, _continue, limit }) : this.core.listEventForAllNamespaces({ fieldSelector, _continue, limit });
    return startResumableWatch({
      listMapped: () => this.listMappedWithVersion(ctx, pages, toKubeEvent),
      open: this.openWatch(namespace ? `/api/v1/namespaces/${encodeURIComponent(namespace)}/events` : '/api/v1/events', fieldSelector),
      map: toKubeEvent,
      onEvent,
      clock: this.clock,
      log: this.log.child({ watch: 'events' }),
      reconnectDelayMs: this.reconnectDelayMs,
      resourceVersion: options.resourceVersion,
    });
  }

  watchNodes(onEvent: (event: KubeWatchEvent<KubeNode>) => void, options: Omit<KubeWatchOptions, 'namespace'> = {}): Promise<KubeWatch> {
    return startResumableWatch({
      listMapped: () => this.listMappedWithVersion({ operation: 'list', kind: 'nodes' }, (_continue, limit) => this.core.listNode({ _continue, limit }), toKubeNode),
      open: this.openWatch('/api/v1/nodes'),
      map: toKubeNode,
      onEvent,
      clock: this.clock,
      log: this.log.child({ watch: 'nodes' }),
      reconnectDelayMs: this.reconnectDelayMs,
      resourceVersion: options.resourceVersion,
    });
  }
}
