/**
 * The Kubernetes objects CloudOptim reads, as plain camelCase data with units in the names (CPU in
 * millicores, memory in bytes, instants in epoch milliseconds). Built from the API objects by the adapter
 * (kube-objects.ts) or held directly by the fake.
 */
import type { CapacityType, CpuArchitecture, NodeSelectorRequirement, Taint, WorkloadKind } from '@cloudoptim/contracts';

export type { Taint, CapacityType, NodeSelectorRequirement };

/** A pod toleration. `key: null` with `Exists` tolerates every taint; `effect: null` matches every effect. */
export interface Toleration {
  key: string | null;
  operator: 'Equal' | 'Exists';
  value: string | null;
  effect: Taint['effect'] | null;
  tolerationSeconds: number | null;
}

/** The `karpenter.sh/do-not-disrupt` annotation: "true" means never evict the pod to save cost. */
export const DO_NOT_DISRUPT_ANNOTATION = 'karpenter.sh/do-not-disrupt';
/** CloudOptim's own equivalent of {@link DO_NOT_DISRUPT_ANNOTATION}. */
export const CLOUDOPTIM_DO_NOT_DISRUPT_ANNOTATION = 'cloudoptim.io/do-not-disrupt';
/** Annotation that records why CloudOptim cordoned a node (removed on uncordon). */
export const CORDON_REASON_ANNOTATION = 'cloudoptim.io/cordon-reason';
/** Annotation the kubelet puts on mirror (static) pods. */
export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

/** CPU (millicores), memory (bytes), pods and GPUs a node offers. */
export interface NodeResources {
  cpuMillicores: number;
  memoryBytes: number;
  pods: number;
  gpus: number;
}

/** A Node. */
export interface KubeNode {
  name: string;
  uid: string;
  /** `node.kubernetes.io/instance-type` (or the beta label); null when absent. */
  instanceType: string | null;
  /** `topology.kubernetes.io/zone` (or the failure-domain label); null when absent. */
  zone: string | null;
  /** From `karpenter.sh/capacity-type`, `eks.amazonaws.com/capacityType` or `node.kubernetes.io/lifecycle`; null when none is set. */
  capacityType: CapacityType | null;
  /** `spec.providerID` (`aws:///us-east-1a/i-0abc…`); null when unset. */
  providerId: string | null;
  /** The EC2 instance id from the providerID (its last segment when it starts with `i-`); null otherwise. */
  instanceId: string | null;
  architecture: CpuArchitecture | null;
  allocatable: NodeResources;
  capacity: NodeResources;
  /** The Ready condition is True. */
  ready: boolean;
  /** `spec.unschedulable` (cordoned). */
  unschedulable: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  taints: Taint[];
  createdAtMs: number | null;
  resourceVersion: string;
}

/** Requests and limits of one container; a null limit means "no limit". */
export interface KubeContainer {
  name: string;
  cpuRequestMillicores: number;
  memoryRequestBytes: number;
  cpuLimitMillicores: number | null;
  memoryLimitBytes: number | null;
  gpuRequest: number;
  restartCount: number;
  /** Reason of the last termination (`OOMKilled`…), null when it never terminated. */
  lastTerminationReason: string | null;
  ready: boolean;
}

/** The direct controller of an object (`ownerReferences[controller=true]`). */
export interface OwnerRef {
  kind: string;
  name: string;
  uid: string;
}

/** A Pod. */
export interface KubePod {
  namespace: string;
  name: string;
  uid: string;
  /** null while unscheduled. */
  nodeName: string | null;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  /** The direct controller (a ReplicaSet for Deployment pods); null for bare pods. */
  owner: OwnerRef | null;
  /**
   * The top-level workload (ReplicaSet → Deployment, Job → CronJob resolved when the adapter can read them);
   * null for bare pods and owners of kinds CloudOptim does not know.
   */
  workload: { kind: WorkloadKind; name: string } | null;
  containers: KubeContainer[];
  initContainers: KubeContainer[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** `karpenter.sh/do-not-disrupt` (or `cloudoptim.io/do-not-disrupt`) is "true". */
  doNotDisrupt: boolean;
  /** Owned by a DaemonSet (drains leave it). */
  isDaemonSetPod: boolean;
  /** A static pod's mirror (cannot be evicted through the API). */
  isMirrorPod: boolean;
  /** Has an emptyDir volume (its data is lost on eviction). */
  usesEmptyDir: boolean;
  /** Marked for deletion (terminating). */
  terminating: boolean;
  /** The Ready condition is True. */
  ready: boolean;
  nodeSelector: Record<string, string>;
  tolerations: Toleration[];
  /** Required node affinity (OR of terms, each an AND of requirements); empty when none. */
  requiredNodeAffinity: NodeSelectorRequirement[][];
  priority: number | null;
  priorityClassName: string | null;
  qosClass: 'Guaranteed' | 'Burstable' | 'BestEffort' | null;
  /** The PodScheduled condition when it is False (why the pod is pending); null otherwise. */
  pending: { reason: string | null; message: string | null } | null;
  terminationGracePeriodSeconds: number | null;
  createdAtMs: number | null;
  startedAtMs: number | null;
  resourceVersion: string;
}

/** A label selector (`matchLabels` AND every `matchExpressions` requirement). */
export interface KubeLabelSelector {
  matchLabels: Record<string, string>;
  matchExpressions: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values: string[] }>;
}

/** A PodDisruptionBudget with the status the disruption controller keeps. */
export interface KubePdb {
  namespace: string;
  name: string;
  selector: KubeLabelSelector;
  /** An integer or a percentage (`"50%"`); null when unset. */
  minAvailable: number | string | null;
  maxUnavailable: number | string | null;
  /** From status; 0 when the status was never written. */
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
}

/** Kinds {@link KubeGateway.scaleWorkload} accepts. */
export type ScalableKind = 'Deployment' | 'StatefulSet' | 'ReplicaSet';
/** Kinds {@link KubeGateway.patchWorkloadResources} accepts. */
export type PatchableKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

/** A workload (Deployment, StatefulSet, DaemonSet, ReplicaSet) with its pod template's resources. */
export interface KubeWorkload {
  kind: WorkloadKind;
  namespace: string;
  name: string;
  /** `spec.replicas`; null for DaemonSets. */
  replicas: number | null;
  /** The pod template's containers (restart counts and readiness are 0 / false here). */
  containers: KubeContainer[];
  /** The workload's own annotations (`metadata.annotations`). */
  annotations: Record<string, string>;
  resourceVersion: string;
}

/** Measured usage of one node (metrics.k8s.io). */
export interface NodeUsage {
  nodeName: string;
  cpuMillicores: number;
  memoryBytes: number;
  timestampMs: number | null;
}

/** Measured usage of one pod, per container (metrics.k8s.io). */
export interface PodUsage {
  namespace: string;
  podName: string;
  containers: Array<{ name: string; cpuMillicores: number; memoryBytes: number }>;
  timestampMs: number | null;
}

/** What metrics.k8s.io answered: `available: false` (and no items) when the API is not installed or down. */
export interface UsageSnapshot<T> {
  available: boolean;
  items: T[];
}

/**
 * A core/v1 Event: something a controller or the kubelet reported about an object (FailedScheduling,
 * NodeNotReady, Killing…). Repeats of the same report are aggregated into one Event whose `count` grows.
 */
export interface KubeEvent {
  namespace: string;
  name: string;
  uid: string;
  /** `Normal` or `Warning`; null when unset. */
  type: string | null;
  reason: string | null;
  message: string | null;
  /** The object the event is about (a Pod, a Node…); fields the reporter left out are null. */
  involvedObject: { kind: string | null; namespace: string | null; name: string | null; uid: string | null };
  /** Occurrences so far (1 for a new event). */
  count: number;
  /** First and last occurrence, epoch ms (`eventTime` / `series.lastObservedTime` when the old fields are unset). */
  firstTimestampMs: number | null;
  lastTimestampMs: number | null;
  /** Who reported it (`default-scheduler`, `kubelet` on host `ip-10-0-1-5`…). */
  source: { component: string | null; host: string | null };
  resourceVersion: string;
}

/** One event of a watch on nodes, pods or events. */
export type KubeWatchEvent<T> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T; resourceVersion: string }
  /** The full current list: first when the watch starts without a resourceVersion, and after a 410 Gone. */
  | { type: 'SYNC'; objects: T[]; resourceVersion: string };

/** A running watch. */
export interface KubeWatch {
  /** The last resourceVersion delivered: pass it to a new watch to resume where this one stopped. */
  readonly resourceVersion: string | undefined;
  /** Stops the watch (no event is delivered after it resolves). */
  stop(): Promise<void>;
}

/** Where a watch starts. */
export interface KubeWatchOptions {
  /** Resume after this resourceVersion; without it the watch starts with a SYNC of the current list. */
  resourceVersion?: string;
  /** Pods only: just this namespace. */
  namespace?: string;
}

/** Where an Events watch starts, and which Events it sees. */
export interface KubeEventWatchOptions extends KubeWatchOptions {
  /**
   * A field selector on `reason` or `type` (`reason!=Scheduled,reason!=Pulled`, `type=Warning`): the API server
   * filters, so routine events never reach the client.
   */
  fieldSelector?: string;
}
