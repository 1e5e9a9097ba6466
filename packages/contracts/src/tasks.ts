import { z } from 'zod';
import { ErrorCodeSchema } from './errors.ts';
import { WorkloadKindSchema } from './metrics.ts';
import {
  BytesSchema,
  ClusterIdSchema,
  ContainerNameSchema,
  DurationSecondsSchema,
  IdSchema,
  InstanceIdSchema,
  IsoDateTimeSchema,
  KubeNameSchema,
  LabelKeySchema,
  LabelValueSchema,
  MillicoresSchema,
  NamespaceSchema,
  NonNegativeIntSchema,
  PositiveIntSchema,
  TaintEffectSchema,
  TaintSchema,
  TaskIdSchema,
} from './primitives.ts';

/*
 * Tasks are what central asks an agent to do in its cluster through the Kubernetes API. Every task is
 * idempotent (running it twice leaves the cluster as running it once) so a lease that expires can safely be
 * offered again. Node-targeted tasks may carry the node's `instance_id`: the agent then refuses (failed,
 * CONFLICT) to act on a node of that name backed by a different instance — names get reused.
 */

const NodeTargetShape = {
  node_name: KubeNameSchema,
  /** When set, the agent checks the node's providerID names this instance before acting. */
  instance_id: InstanceIdSchema.nullable().optional(),
} as const;

/** `cordon_node`: mark the node unschedulable. */
export const CordonNodeParametersSchema = z.object({
  ...NodeTargetShape,
  /** Why, recorded as an annotation and in the logs. */
  reason: z.string().max(512).nullable().default(null),
});

/** `uncordon_node`: mark the node schedulable again. */
export const UncordonNodeParametersSchema = z.object({ ...NodeTargetShape });

/**
 * `drain_node`: cordon, then evict every pod through the Eviction API (which honours PodDisruptionBudgets)
 * until the node is empty or `timeout_seconds` passes (result `timeout`).
 */
export const DrainNodeParametersSchema = z.object({
  ...NodeTargetShape,
  /** Grace period given to each pod, seconds; null = each pod's own `terminationGracePeriodSeconds`. */
  grace_period_seconds: NonNegativeIntSchema.nullable().default(null),
  /** How long the whole drain may take, seconds. */
  timeout_seconds: PositiveIntSchema,
  /** Use the Eviction API and retry on 429 (true), or delete pods directly (false; only for imminent interruptions). */
  respect_pdb: z.boolean().default(true),
  /** Leave DaemonSet pods alone (they die with the node). */
  ignore_daemonsets: z.boolean().default(true),
  /** Evict pods with emptyDir volumes (their data is lost). */
  delete_emptydir_data: z.boolean().default(true),
  /** Also evict pods marked do-not-disrupt (the node is going away anyway, e.g. a Spot interruption). */
  include_do_not_disrupt: z.boolean().default(false),
  /**
   * Also evict pods no controller manages (kubectl drain's `--force`): nothing recreates them elsewhere. Absent
   * or false: such pods make the drain fail before anything is changed.
   */
  force: z.boolean().optional(),
});

/** `label_node`: set labels; a null value removes the label. */
export const LabelNodeParametersSchema = z.object({
  ...NodeTargetShape,
  labels: z
    .record(LabelKeySchema, LabelValueSchema.nullable())
    .refine((labels) => Object.keys(labels).length > 0, 'at least one label to set or remove'),
});

/** A taint to remove: by key, and by effect when `effect` is not null. */
export const TaintRefSchema = z.object({ key: LabelKeySchema, effect: TaintEffectSchema.nullable() });

/** `taint_node`: add and/or remove taints. */
export const TaintNodeParametersSchema = z
  .object({
    ...NodeTargetShape,
    add: z.array(TaintSchema).default([]),
    remove: z.array(TaintRefSchema).default([]),
  })
  .refine((p) => p.add.length + p.remove.length > 0, { path: ['add'], message: 'at least one taint to add or remove' });

/** `evict_pod`: evict one pod through the Eviction API. */
export const EvictPodParametersSchema = z.object({
  namespace: NamespaceSchema,
  pod_name: KubeNameSchema,
  grace_period_seconds: NonNegativeIntSchema.nullable().default(null),
  /** Use the Eviction API (a PDB can refuse: result failed with error_code PDB_BLOCKED) or delete directly. */
  respect_pdb: z.boolean().default(true),
});

/** Workload kinds whose replica count can be set. */
export const ScalableKindSchema = WorkloadKindSchema.extract(['Deployment', 'StatefulSet', 'ReplicaSet']);

/** `scale_workload`: set a workload's replicas (office hours scale to 0 and back). */
export const ScaleWorkloadParametersSchema = z.object({
  namespace: NamespaceSchema,
  kind: ScalableKindSchema,
  name: KubeNameSchema,
  replicas: NonNegativeIntSchema,
  /**
   * Optimistic guard: when not null, the agent scales only if the workload has this many replicas now, and
   * otherwise fails with error_code CONFLICT (someone else changed it).
   */
  expected_replicas: NonNegativeIntSchema.nullable().default(null),
  /**
   * Scale back to the count the agent remembered in the workload's `cloudoptim.io/original-replicas` annotation
   * when it first scaled it down (office hours' morning scale-up); `replicas` applies when there is none.
   */
  restore_original: z.boolean().optional(),
});

/** New resources of one container; omitted = unchanged, a null limit = remove the limit. */
export const ContainerResourcesPatchSchema = z
  .object({
    container_name: ContainerNameSchema,
    cpu_request_millicores: MillicoresSchema.optional(),
    cpu_limit_millicores: MillicoresSchema.nullable().optional(),
    memory_request_bytes: BytesSchema.optional(),
    memory_limit_bytes: BytesSchema.nullable().optional(),
  })
  .superRefine((c, ctx) => {
    if (
      c.cpu_request_millicores === undefined &&
      c.cpu_limit_millicores === undefined &&
      c.memory_request_bytes === undefined &&
      c.memory_limit_bytes === undefined
    ) {
      ctx.addIssue({ code: 'custom', path: ['container_name'], message: 'change at least one request or limit' });
    }
    if (c.cpu_request_millicores !== undefined && c.cpu_limit_millicores != null && c.cpu_limit_millicores < c.cpu_request_millicores) {
      ctx.addIssue({ code: 'custom', path: ['cpu_limit_millicores'], message: 'cpu limit must be at least the request' });
    }
    if (c.memory_request_bytes !== undefined && c.memory_limit_bytes != null && c.memory_limit_bytes < c.memory_request_bytes) {
      ctx.addIssue({ code: 'custom', path: ['memory_limit_bytes'], message: 'memory limit must be at least the request' });
    }
  });
export type ContainerResourcesPatch = z.infer<typeof ContainerResourcesPatchSchema>;

/** `patch_workload_resources`: apply rightsized requests/limits to a workload's pod template (rolls its pods). */
export const PatchWorkloadResourcesParametersSchema = z.object({
  namespace: NamespaceSchema,
  kind: WorkloadKindSchema.extract(['Deployment', 'StatefulSet', 'DaemonSet']),
  name: KubeNameSchema,
  containers: z.array(ContainerResourcesPatchSchema).min(1),
});

/**
 * `delete_node`: delete the Node object (after central terminated or is terminating its instance).
 * With `only_if_empty` the agent refuses (failed, CONFLICT) while non-DaemonSet pods are still on it.
 */
export const DeleteNodeParametersSchema = z.object({
  ...NodeTargetShape,
  only_if_empty: z.boolean().default(true),
});

/** `collect_metrics`: send a full ClusterMetrics snapshot now (after a change, to confirm its effect). */
export const CollectMetricsParametersSchema = z.object({
  reason: z.string().max(512).nullable().default(null),
});

/** Parameters schema of each task type. The keys are the complete list of task types. */
export const TASK_PARAMETER_SCHEMAS = {
  cordon_node: CordonNodeParametersSchema,
  uncordon_node: UncordonNodeParametersSchema,
  drain_node: DrainNodeParametersSchema,
  label_node: LabelNodeParametersSchema,
  taint_node: TaintNodeParametersSchema,
  evict_pod: EvictPodParametersSchema,
  scale_workload: ScaleWorkloadParametersSchema,
  patch_workload_resources: PatchWorkloadResourcesParametersSchema,
  delete_node: DeleteNodeParametersSchema,
  collect_metrics: CollectMetricsParametersSchema,
} as const;

export const TASK_TYPES = Object.keys(TASK_PARAMETER_SCHEMAS) as [keyof typeof TASK_PARAMETER_SCHEMAS, ...(keyof typeof TASK_PARAMETER_SCHEMAS)[]];
/** Every kind of task an agent executes. */
export const TaskTypeSchema = z.enum(TASK_TYPES);
export type TaskType = z.infer<typeof TaskTypeSchema>;
/** Parameters of the task type `T`. */
export type TaskParameters<T extends TaskType = TaskType> = z.infer<(typeof TASK_PARAMETER_SCHEMAS)[T]>;

/** Task priority: 1 is the most urgent, 10 the least. */
export const TaskPrioritySchema = z.number().int().min(1).max(10);

const TaskBaseShape = {
  task_id: TaskIdSchema,
  cluster_id: ClusterIdSchema,
  priority: TaskPrioritySchema,
  /** After this instant the task must not start; if running it is stopped and reported `timeout`. */
  deadline: IsoDateTimeSchema,
  created_at: IsoDateTimeSchema,
  /** Who asked: a user id, `optimizer`, `spot-handler`, `office-hours`, `autoscaler`… */
  created_by: z.string().min(1).max(200),
  /** Delivery attempt, 1 on the first lease; grows each time an expired lease re-offers the task. */
  attempt: PositiveIntSchema.optional(),
  /** Until when the polling agent holds the lease. */
  lease_expires_at: IsoDateTimeSchema.optional(),
  /** The optimization plan this task carries out a step of, if any. */
  plan_id: IdSchema.nullable().optional(),
  /** The plan step number. */
  plan_step: PositiveIntSchema.nullable().optional(),
} as const;

function taskOf<T extends TaskType>(type: T) {
  return z.object({ ...TaskBaseShape, task_type: z.literal(type), parameters: TASK_PARAMETER_SCHEMAS[type] });
}

function checkTaskDeadline(task: { deadline: string; created_at: string }, ctx: z.core.$RefinementCtx): void {
  if (Date.parse(task.deadline) < Date.parse(task.created_at)) {
    ctx.addIssue({ code: 'custom', path: ['deadline'], message: 'deadline must not be before created_at' });
  }
}

/** A `drain_node` Task alone (the urgent drain pushed over the agent stream carries one). */
export const DrainNodeTaskSchema = taskOf('drain_node').superRefine(checkTaskDeadline);

/**
 * `Task` (SPEC §2): a unit of work for an agent, delivered by `GET /api/v1/client/tasks` (and nudged over the
 * agent WebSocket). A discriminated union on `task_type`: `parameters` is validated against that type's
 * schema ({@link TASK_PARAMETER_SCHEMAS}). `deadline` must not be before `created_at`.
 */
export const TaskSchema = z
  .discriminatedUnion('task_type', [
    taskOf('cordon_node'),
    taskOf('uncordon_node'),
    taskOf('drain_node'),
    taskOf('label_node'),
    taskOf('taint_node'),
    taskOf('evict_pod'),
    taskOf('scale_workload'),
    taskOf('patch_workload_resources'),
    taskOf('delete_node'),
    taskOf('collect_metrics'),
  ])
  .superRefine(checkTaskDeadline);
export type Task = z.infer<typeof TaskSchema>;
/** The task of type `T`. */
export type TaskOf<T extends TaskType> = Extract<Task, { task_type: T }>;

/** How a task ended, as the agent reports it. */
export const TaskResultStatusSchema = z.enum(['success', 'failed', 'timeout', 'cancelled']);
export type TaskResultStatus = z.infer<typeof TaskResultStatusSchema>;

/** Where a task is in its life, as central tracks it (the admin UI shows it). */
export const TaskStatusSchema = z.enum(['pending', 'leased', 'running', ...TaskResultStatusSchema.options]);
export type TaskStatus = z.infer<typeof TaskStatusSchema>;

/**
 * `TaskResult` (SPEC §2): the agent's report (`POST /api/v1/client/tasks/{task_id}/result`). Posting the same
 * result twice is harmless (central keys it by task_id and attempt). `error` is required for `failed` and
 * `timeout`.
 */
export const TaskResultSchema = z
  .object({
    task_id: TaskIdSchema,
    status: TaskResultStatusSchema,
    /** When the agent started executing the task. */
    executed_at: IsoDateTimeSchema,
    duration_seconds: DurationSecondsSchema,
    /** Log lines of the execution, oldest first. */
    logs: z.array(z.string().max(4096)).max(1000),
    /** What went wrong, for people; null on success. */
    error: z.string().max(4096).nullable(),
    /** Free-form facts about the execution (pods evicted, replicas before…), JSON values only. */
    metadata: z.record(z.string(), z.unknown()),
    cluster_id: ClusterIdSchema.optional(),
    /** The lease attempt this result belongs to (see Task.attempt). */
    attempt: PositiveIntSchema.optional(),
    /** A catalogued code for the failure (PDB_BLOCKED, CONFLICT, NOT_FOUND…), for machines. */
    error_code: ErrorCodeSchema.nullable().optional(),
  })
  .superRefine((result, ctx) => {
    if ((result.status === 'failed' || result.status === 'timeout') && result.error === null) {
      ctx.addIssue({ code: 'custom', path: ['error'], message: `error is required when status is ${result.status}` });
    }
  });
export type TaskResult = z.infer<typeof TaskResultSchema>;
