/**
 * The Kubernetes object shapes the simulator stores and serves. Only the fields the store, the HTTP layer and
 * the cluster-behaviour controllers read are typed; every object keeps any other field a client sent
 * (index signatures), because manifests carry far more than we interpret and must round-trip unchanged.
 */

/** A JSON value as it appears inside a Kubernetes object. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** `metadata.ownerReferences[]`. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** `metadata` of every object. Server-managed fields are set by the store, whatever the client sent. */
export interface ObjectMeta {
  name: string;
  generateName?: string;
  /** Absent on cluster-scoped objects. */
  namespace?: string;
  /** Server-assigned, never reused. */
  uid: string;
  /** Decimal string of the store's global counter at the object's last write. */
  resourceVersion: string;
  /** Incremented when the spec (anything but metadata and status) changes. */
  generation?: number;
  /** RFC 3339, seconds precision (as the apiserver writes it). */
  creationTimestamp: string;
  /** Set when deletion was requested but finalizers or a grace period keep the object. */
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  [key: string]: unknown;
}

/** Any stored object. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: unknown;
  [key: string]: unknown;
}

/** What a client or controller sends to `create`: server-managed metadata may be omitted. */
export type NewObject<T extends KubeObject = KubeObject> = Omit<T, 'metadata' | 'apiVersion' | 'kind'> & {
  apiVersion?: string;
  kind?: string;
  metadata: Partial<ObjectMeta> & { name?: string; generateName?: string };
};

/** `{key, operator, value, effect}` as in node taints and pod tolerations. */
export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  tolerationSeconds?: number;
}

/** `resources.requests` / `limits` / `allocatable` / `capacity`: quantity strings such as `500m`, `1Gi`. */
export type ResourceList = Record<string, string>;

export interface Container {
  name: string;
  image?: string;
  resources?: { requests?: ResourceList; limits?: ResourceList };
  [key: string]: unknown;
}

export interface PodSpec {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  containers: Container[];
  initContainers?: Container[];
  tolerations?: Toleration[];
  affinity?: unknown;
  topologySpreadConstraints?: unknown[];
  terminationGracePeriodSeconds?: number;
  schedulerName?: string;
  priority?: number;
  priorityClassName?: string;
  volumes?: Array<{ name: string; emptyDir?: unknown; [key: string]: unknown }>;
  [key: string]: unknown;
}

export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  lastProbeTime?: string | null;
  reason?: string;
  message?: string;
}

export interface ContainerStatus {
  name: string;
  ready: boolean;
  restartCount: number;
  image?: string;
  imageID?: string;
  started?: boolean;
  state?: { running?: { startedAt?: string }; waiting?: { reason?: string; message?: string }; terminated?: { reason?: string; exitCode?: number } };
  [key: string]: unknown;
}

export interface PodStatus {
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  conditions?: PodCondition[];
  containerStatuses?: ContainerStatus[];
  podIP?: string;
  podIPs?: Array<{ ip: string }>;
  hostIP?: string;
  startTime?: string;
  reason?: string;
  message?: string;
  nominatedNodeName?: string;
  qosClass?: string;
  [key: string]: unknown;
}

export interface Pod extends KubeObject {
  apiVersion: 'v1';
  kind: 'Pod';
  spec: PodSpec;
  status?: PodStatus;
}

export interface NodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface NodeSpec {
  unschedulable?: boolean;
  taints?: Taint[];
  providerID?: string;
  podCIDR?: string;
  [key: string]: unknown;
}

export interface NodeStatus {
  capacity?: ResourceList;
  allocatable?: ResourceList;
  conditions?: NodeCondition[];
  addresses?: Array<{ type: string; address: string }>;
  nodeInfo?: {
    kubeletVersion?: string;
    osImage?: string;
    kernelVersion?: string;
    containerRuntimeVersion?: string;
    architecture?: string;
    operatingSystem?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface Node extends KubeObject {
  apiVersion: 'v1';
  kind: 'Node';
  spec?: NodeSpec;
  status?: NodeStatus;
}

/** policy/v1 PodDisruptionBudget. `minAvailable`/`maxUnavailable` are an int or a percentage string. */
export interface PodDisruptionBudget extends KubeObject {
  spec?: {
    selector?: LabelSelectorSpec;
    minAvailable?: number | string;
    maxUnavailable?: number | string;
    unhealthyPodEvictionPolicy?: 'IfHealthyBudget' | 'AlwaysAllow';
  };
  status?: {
    currentHealthy: number;
    desiredHealthy: number;
    disruptionsAllowed: number;
    expectedPods: number;
    observedGeneration?: number;
    disruptedPods?: Record<string, string>;
    conditions?: unknown[];
  };
}

/** `metav1.LabelSelector` as it appears in specs (PDBs, workloads). */
export interface LabelSelectorSpec {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>;
}

/** The `Status` object every error (and some successes) is answered with. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    causes?: Array<{ reason?: string; message?: string; field?: string }>;
    retryAfterSeconds?: number;
  };
  code: number;
}

/** Watch event types on the wire and in-process. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
