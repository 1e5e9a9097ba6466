/**
 * KubeGateway: everything CloudOptim reads from and does to a Kubernetes cluster, behind one interface so the
 * logic above it (drainNode, the agent's task handlers and collector) runs against the real API
 * (ClientNodeKubeGateway) or an in-memory fake (FakeKubeGateway). Both pass kube-gateway.contract.ts.
 *
 * Failures are AppErrors with catalogued codes: NOT_FOUND (the object is gone), CONFLICT (a concurrent
 * change, an expected-replicas mismatch), PDB_BLOCKED (an eviction a PodDisruptionBudget refuses right now),
 * VALIDATION_FAILED / BAD_REQUEST (the API rejected the change), UNAUTHENTICATED / FORBIDDEN, UNAVAILABLE
 * (cannot reach the API server), INTERNAL (anything else; the vendor error is the `cause`).
 */
import type {
  KubeEvent,
  KubeEventWatchOptions,
  KubeNode,
  KubePdb,
  KubePod,
  KubeWatch,
  KubeWatchEvent,
  KubeWatchOptions,
  KubeWorkload,
  NodeUsage,
  PatchableKind,
  PodUsage,
  ScalableKind,
  Taint,
  UsageSnapshot,
} from './kube-types.ts';

/** Which pods to list. */
export interface ListPodsOptions {
  namespace?: string;
  /** Only pods bound to this node. */
  nodeName?: string;
  labelSelector?: string;
}

/** A taint to remove: by key, and by effect when `effect` is not null. */
export interface TaintRef {
  key: string;
  effect: Taint['effect'] | null;
}

/** A replica change (`scale_workload`). */
export interface ScaleRequest {
  kind: ScalableKind;
  namespace: string;
  name: string;
  replicas: number;
  /**
   * Optimistic guard: scale only if the workload has this many replicas now (else CONFLICT). A workload that
   * already has `replicas` succeeds whatever this says, so re-running a finished scale is harmless.
   */
  expectedReplicas?: number | null;
}

/** New resources of one container: omitted = unchanged, a null limit = remove the limit. */
export interface ContainerResourcesChange {
  containerName: string;
  cpuRequestMillicores?: number;
  cpuLimitMillicores?: number | null;
  memoryRequestBytes?: number;
  memoryLimitBytes?: number | null;
}

/** New container resources of a workload's pod template (`patch_workload_resources`). */
export interface PatchResourcesRequest {
  kind: PatchableKind;
  namespace: string;
  name: string;
  containers: ContainerResourcesChange[];
}

/** See the module comment for the failure modes every method shares. */
export interface KubeGateway {
  /** Every node. */
  listNodes(options?: { labelSelector?: string }): Promise<KubeNode[]>;
  /** One node, or null when it does not exist. */
  getNode(name: string): Promise<KubeNode | null>;
  /** Pods (all namespaces unless `namespace`), with their top-level workload resolved. */
  listPods(options?: ListPodsOptions): Promise<KubePod[]>;
  /**
   * The pods of {@link listPods}, page by page: `onPage` is called (and awaited) once per page, in order, so a
   * caller can process a large cluster without holding every pod at once.
   */
  listPodsPaged(onPage: (pods: KubePod[]) => void | Promise<void>, options?: ListPodsOptions): Promise<void>;
  /** One pod, or null when it does not exist. */
  getPod(namespace: string, name: string): Promise<KubePod | null>;
  /** PodDisruptionBudgets (all namespaces unless `namespace`). */
  listPodDisruptionBudgets(options?: { namespace?: string }): Promise<KubePdb[]>;
  /** A workload's replicas and pod-template resources, or null when it does not exist. */
  getWorkload(kind: ScalableKind | PatchableKind, namespace: string, name: string): Promise<KubeWorkload | null>;

  /** The API server's version (`gitVersion`, e.g. `v1.32.0`); also a cheap "is the API reachable" probe. */
  serverVersion(): Promise<string>;

  /** Node usage from metrics.k8s.io; `{available: false, items: []}` when that API is absent or down. */
  nodeUsage(): Promise<UsageSnapshot<NodeUsage>>;
  /** Pod usage from metrics.k8s.io (all namespaces unless `namespace`); unavailable as for {@link nodeUsage}. */
  podUsage(options?: { namespace?: string }): Promise<UsageSnapshot<PodUsage>>;

  /** Marks the node unschedulable (idempotent); `reason` is recorded in an annotation. NOT_FOUND if absent. */
  cordonNode(name: string, options?: { reason?: string | null }): Promise<KubeNode>;
  /** Marks the node schedulable again (idempotent) and drops the cordon-reason annotation. */
  uncordonNode(name: string): Promise<KubeNode>;
  /** Sets labels; a null value removes the label (removing an absent label is fine). */
  labelNode(name: string, labels: Record<string, string | null>): Promise<KubeNode>;
  /**
   * Removes then adds taints. Adding a taint whose key and effect exist replaces its value; removing an absent
   * taint is fine. Retries internally on a concurrent node update.
   */
  taintNode(name: string, change: { add?: Taint[]; remove?: TaintRef[] }): Promise<KubeNode>;

  /**
   * Evicts through the Eviction API (PodDisruptionBudgets apply). The pod may stay terminating for its grace
   * period. PDB_BLOCKED (message from the API server) when a budget forbids it now; NOT_FOUND if absent.
   */
  evictPod(namespace: string, name: string, options?: { gracePeriodSeconds?: number | null }): Promise<void>;
  /** Deletes a pod directly (no PDB check). NOT_FOUND if absent. */
  deletePod(namespace: string, name: string, options?: { gracePeriodSeconds?: number | null }): Promise<void>;
  /** Deletes the Node object. NOT_FOUND if absent. */
  deleteNode(name: string): Promise<void>;

  /** Sets replicas through the scale subresource; returns the replicas before and after. */
  scaleWorkload(request: ScaleRequest): Promise<{ previousReplicas: number; replicas: number }>;
  /**
   * Changes requests/limits of named containers in the pod template (strategic merge by container name; other
   * containers and fields are untouched). VALIDATION_FAILED when a named container is not in the template.
   */
  patchWorkloadResources(request: PatchResourcesRequest): Promise<KubeWorkload>;
  /**
   * Sets annotations of a workload's own metadata (not its pod template, so no pods roll); a null value removes
   * one. NOT_FOUND if absent.
   */
  annotateWorkload(kind: ScalableKind | PatchableKind, namespace: string, name: string, annotations: Record<string, string | null>): Promise<KubeWorkload>;

  /**
   * Watches pods. Starts with a SYNC of the current list unless `resourceVersion` is given; reconnects after a
   * dropped connection from the last resourceVersion seen; re-lists (a SYNC) when the server answers 410 Gone.
   * `onEvent` is called in order, never concurrently.
   */
  watchPods(onEvent: (event: KubeWatchEvent<KubePod>) => void, options?: KubeWatchOptions): Promise<KubeWatch>;
  /** Watches nodes, as {@link watchPods}. */
  watchNodes(onEvent: (event: KubeWatchEvent<KubeNode>) => void, options?: Omit<KubeWatchOptions, 'namespace'>): Promise<KubeWatch>;
  /** Watches core/v1 Events (all namespaces unless `namespace`, filtered by `fieldSelector`), as {@link watchPods}. */
  watchEvents(onEvent: (event: KubeWatchEvent<KubeEvent>) => void, options?: KubeEventWatchOptions): Promise<KubeWatch>;
}
