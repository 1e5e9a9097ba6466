import { z } from 'zod';
import { checkClusterTotals, ClusterTotalsShape } from './cluster-state.ts';
import {
  AvailabilityZoneSchema,
  BytesSchema,
  CapacityTypeSchema,
  ClusterIdSchema,
  ContainerNameSchema,
  CpuArchitectureSchema,
  InstanceIdSchema,
  InstanceTypeSchema,
  IsoDateTimeSchema,
  KubeNameSchema,
  LabelKeySchema,
  LabelsSchema,
  MillicoresSchema,
  NamespaceSchema,
  NonNegativeIntSchema,
  TaintSchema,
  TolerationSchema,
  UsdSchema,
  VersionSchema,
} from './primitives.ts';

/**
 * `NodeMetric` (SPEC §2): one node as the agent sees it. CPU in millicores, memory in bytes.
 * `*_allocatable_*` is the node's allocatable capacity, `*_allocated_*` the sum of its pods' requests,
 * `*_used_*` the measured usage (null when metrics.k8s.io is not available).
 */
export const NodeMetricSchema = z.object({
  node_name: KubeNameSchema,
  instance_type: InstanceTypeSchema,
  /** EC2 instance id from the node's providerID; null when it cannot be read (not an EC2 node). */
  instance_id: InstanceIdSchema.nullable(),
  availability_zone: AvailabilityZoneSchema,
  /** Capacity type from `karpenter.sh/capacity-type` or `eks.amazonaws.com/capacityType`. */
  node_type: CapacityTypeSchema,
  cpu_allocatable_millicores: MillicoresSchema,
  cpu_allocated_millicores: MillicoresSchema,
  cpu_used_millicores: MillicoresSchema.nullable(),
  memory_allocatable_bytes: BytesSchema,
  memory_allocated_bytes: BytesSchema,
  memory_used_bytes: BytesSchema.nullable(),
  /** Pods bound to the node (all phases but Succeeded/Failed). */
  pod_count: NonNegativeIntSchema,
  /** Most pods the node accepts (`status.allocatable.pods`). */
  pods_allocatable: NonNegativeIntSchema.optional(),
  /** GPUs allocatable on the node (`nvidia.com/gpu`), 0 when none. */
  gpu_allocatable: NonNegativeIntSchema.optional(),
  architecture: CpuArchitectureSchema.optional(),
  /** The node's Ready condition. */
  ready: z.boolean().default(true),
  /** `spec.unschedulable` (cordoned). */
  unschedulable: z.boolean().default(false),
  labels: LabelsSchema.default({}),
  taints: z.array(TaintSchema).default([]),
  /** When the node object was created. */
  created_at: IsoDateTimeSchema.optional(),
  /** The node's price, USD per hour (Spot price of its pool or on-demand), when the sender knows it. */
  hourly_price: UsdSchema.optional(),
});
export type NodeMetric = z.infer<typeof NodeMetricSchema>;

/**
 * Requests, limits and usage of one container. CPU in millicores, memory in bytes. A limit of null means
 * "no limit"; a usage of null means "not measured" (no metrics.k8s.io, or the container is not running).
 */
export const ContainerMetricSchema = z.object({
  container_name: ContainerNameSchema,
  cpu_request_millicores: MillicoresSchema,
  cpu_limit_millicores: MillicoresSchema.nullable(),
  memory_request_bytes: BytesSchema,
  memory_limit_bytes: BytesSchema.nullable(),
  cpu_usage_millicores: MillicoresSchema.nullable(),
  memory_usage_bytes: BytesSchema.nullable(),
  restart_count: NonNegativeIntSchema.default(0),
  /** Reason of the last termination (`OOMKilled`, `Error`…), null when it never terminated. */
  last_termination_reason: z.string().max(128).nullable().default(null),
});
export type ContainerMetric = z.infer<typeof ContainerMetricSchema>;

/** Kinds of pod owners CloudOptim understands (the top-level controller, resolved through ReplicaSets). */
export const WorkloadKindSchema = z.enum(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob']);
export type WorkloadKind = z.infer<typeof WorkloadKindSchema>;

/** The top-level owner of a pod; null for bare pods. */
export const WorkloadRefSchema = z.object({
  kind: WorkloadKindSchema,
  name: KubeNameSchema,
});
export type WorkloadRef = z.infer<typeof WorkloadRefSchema>;

/** A pod phase as Kubernetes spells it. */
export const PodPhaseSchema = z.enum(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']);

/**
 * One pod with its per-container requests and usage (SPEC §2 "pods with requests and usage per container").
 */
export const PodMetricSchema = z.object({
  namespace: NamespaceSchema,
  pod_name: KubeNameSchema,
  /** The node it runs on; null while unscheduled. */
  node_name: KubeNameSchema.nullable(),
  phase: PodPhaseSchema,
  owner: WorkloadRefSchema.nullable(),
  containers: z.array(ContainerMetricSchema).min(1),
  /** `spec.priority`, when set. */
  priority: z.number().int().nullable().optional(),
  qos_class: z.enum(['Guaranteed', 'Burstable', 'BestEffort']).optional(),
  labels: LabelsSchema.default({}),
  node_selector: LabelsSchema.default({}),
  tolerations: z.array(TolerationSchema).default([]),
  /** True when the pod carries `karpenter.sh/do-not-disrupt: "true"` (or CloudOptim's equivalent): never evict it to save cost. */
  do_not_disrupt: z.boolean().default(false),
  started_at: IsoDateTimeSchema.nullable().optional(),
});
export type PodMetric = z.infer<typeof PodMetricSchema>;

/** One requirement of a node-affinity term (`In`, `NotIn`, `Exists`, `DoesNotExist`, `Gt`, `Lt`). */
export const NodeSelectorRequirementSchema = z
  .object({
    key: LabelKeySchema,
    operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt']),
    values: z.array(z.string().max(63)).default([]),
  })
  .superRefine((req, ctx) => {
    const needs = req.operator === 'In' || req.operator === 'NotIn' ? 'some' : req.operator === 'Gt' || req.operator === 'Lt' ? 'one' : 'none';
    const n = req.values.length;
    if ((needs === 'some' && n === 0) || (needs === 'one' && n !== 1) || (needs === 'none' && n !== 0)) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: `operator ${req.operator} takes ${needs === 'some' ? 'one or more values' : needs === 'one' ? 'exactly one value' : 'no values'}` });
    }
  });
export type NodeSelectorRequirement = z.infer<typeof NodeSelectorRequirementSchema>;

/** A node-affinity term: all its requirements must hold (AND). */
export const NodeSelectorTermSchema = z.object({
  match_expressions: z.array(NodeSelectorRequirementSchema).min(1),
});

/**
 * What a pending pod needs from a node: its summed requests (CPU millicores, memory bytes, GPUs), node
 * selector, tolerations, and the basics of required node affinity (zones, instance types, capacity type
 * and architecture extracted from it, plus the raw terms).
 */
export const PodRequirementsSchema = z.object({
  /** Sum of container requests (plus init-container max and pod overhead), millicores. */
  cpu_request_millicores: MillicoresSchema,
  /** Sum of container requests (plus init-container max and pod overhead), bytes. */
  memory_request_bytes: BytesSchema,
  gpu_count: NonNegativeIntSchema.default(0),
  node_selector: LabelsSchema.default({}),
  tolerations: z.array(TolerationSchema).default([]),
  /** Zones the pod may run in (from node selector / required affinity); empty means any zone. */
  zones: z.array(AvailabilityZoneSchema).default([]),
  /** Instance types the pod may run on; empty means any. */
  instance_types: z.array(InstanceTypeSchema).default([]),
  /** Required capacity type; null means either. */
  capacity_type: CapacityTypeSchema.nullable().default(null),
  /** Required architecture; null means either. */
  architecture: CpuArchitectureSchema.nullable().default(null),
  /** `requiredDuringSchedulingIgnoredDuringExecution` terms (OR of ANDs); empty means no required affinity. */
  node_affinity: z.array(NodeSelectorTermSchema).default([]),
});
export type PodRequirements = z.infer<typeof PodRequirementsSchema>;

/** A pod that is Pending, with what it needs (SPEC §2 "pending pods with their requirements"). */
export const PendingPodSchema = z.object({
  namespace: NamespaceSchema,
  pod_name: KubeNameSchema,
  owner: WorkloadRefSchema.nullable(),
  /** Since when the pod is pending (its creation time, usually). */
  pending_since: IsoDateTimeSchema,
  /** The PodScheduled condition's reason (`Unschedulable`…), null when the scheduler has not looked yet. */
  reason: z.string().max(128).nullable(),
  /** The scheduler's message ("0/5 nodes are available: 3 Insufficient cpu…"). */
  message: z.string().max(4096).nullable().default(null),
  requirements: PodRequirementsSchema,
});
export type PendingPod = z.infer<typeof PendingPodSchema>;

/**
 * `ClusterMetrics` (SPEC §2): what the agent posts every 60 s (`POST /api/v1/client/metrics`): the totals as
 * in ClusterState, every node, every pod with per-container requests and usage, and the pending pods with
 * their requirements. `pending_pods` is the count (as in ClusterState); the list is `pending_pod_details`.
 */
export const ClusterMetricsSchema = z
  .object({
    cluster_id: ClusterIdSchema,
    /** When the snapshot was collected (agent clock). */
    timestamp: IsoDateTimeSchema,
    ...ClusterTotalsShape,
    nodes: z.array(NodeMetricSchema),
    pods: z.array(PodMetricSchema),
    pending_pod_details: z.array(PendingPodSchema),
    /** The agent's estimate of the cluster cost, USD per hour (central recomputes it from real prices). */
    estimated_cost_per_hour: UsdSchema,
    agent_version: VersionSchema.optional(),
    /** Whether metrics.k8s.io answered; when false every usage field is null. */
    usage_available: z.boolean().optional(),
  })
  .superRefine(checkClusterTotals);
export type ClusterMetrics = z.infer<typeof ClusterMetricsSchema>;
