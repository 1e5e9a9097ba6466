import { z } from 'zod';
import { checkClusterTotals, ClusterStateShape } from './cluster-state.ts';
import { NodeMetricSchema, PendingPodSchema, PodMetricSchema, WorkloadRefSchema } from './metrics.ts';
import {
  AvailabilityZoneSchema,
  BytesSchema,
  CapacityTypeSchema,
  ClusterIdSchema,
  ContainerNameSchema,
  CpuArchitectureSchema,
  DurationSecondsSchema,
  FractionSchema,
  IdSchema,
  InstanceIdSchema,
  InstanceTypeSchema,
  IsoDateTimeSchema,
  KubeNameSchema,
  LabelsSchema,
  MillicoresSchema,
  NamespaceSchema,
  NonNegativeIntSchema,
  NonNegativeNumberSchema,
  PositiveIntSchema,
  RequestIdSchema,
  SignedUsdSchema,
  TaintSchema,
  UsdSchema,
  VersionSchema,
} from './primitives.ts';
import { TASK_PARAMETER_SCHEMAS, type TaskType } from './tasks.ts';

/** What the ML server is asked to decide; one endpoint each (`/api/v1/ml/decision/spot-optimize`…). */
export const DecisionTypeSchema = z.enum(['spot_optimize', 'bin_pack', 'rightsize', 'schedule']);
export type DecisionType = z.infer<typeof DecisionTypeSchema>;

/**
 * `current_state` of a DecisionRequest: ClusterState plus the node and pod detail the engines need
 * (`pending_pods` stays the count; the list of pending pods is `pending_pod_details`).
 */
export const ClusterStateDetailSchema = z
  .object({
    ...ClusterStateShape,
    nodes: z.array(NodeMetricSchema),
    pods: z.array(PodMetricSchema),
    pending_pod_details: z.array(PendingPodSchema),
  })
  .superRefine(checkClusterTotals);
export type ClusterStateDetail = z.infer<typeof ClusterStateDetailSchema>;

/** A day of the week, ISO order (`mon` first). */
export const WeekdaySchema = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

/** A wall-clock time `HH:MM` (24 h). */
export const ClockTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM (24 h)');

/** A namespace-qualified workload. */
export const NamespacedWorkloadSchema = WorkloadRefSchema.extend({ namespace: NamespaceSchema });
export type NamespacedWorkload = z.infer<typeof NamespacedWorkloadSchema>;

/**
 * An office-hours schedule: the selected namespaces/workloads run on `days` between `start` and `end`
 * (wall clock in `timezone`, an IANA name such as `Europe/Paris`) and are scaled to zero outside.
 * An `end` before `start` means the window crosses midnight.
 */
export const OfficeHoursScheduleSchema = z
  .object({
    name: z.string().min(1).max(200),
    timezone: z.string().min(1).max(64).regex(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/, 'must be an IANA time zone such as Europe/Paris'),
    days: z.array(WeekdaySchema).min(1),
    start: ClockTimeSchema,
    end: ClockTimeSchema,
    namespaces: z.array(NamespaceSchema).default([]),
    workloads: z.array(NamespacedWorkloadSchema).default([]),
  })
  .refine((s) => s.start !== s.end, { path: ['end'], message: 'end must differ from start' });
export type OfficeHoursSchedule = z.infer<typeof OfficeHoursScheduleSchema>;

/**
 * Usage samples of one container over time, for rightsizing. CPU in millicores, memory in bytes;
 * `oom_kill_count` counts OOM kills within the window (the rightsizer bumps memory after them).
 */
export const ContainerUsageHistorySchema = z.object({
  namespace: NamespaceSchema,
  owner: WorkloadRefSchema,
  container_name: ContainerNameSchema,
  samples: z.array(
    z.object({
      timestamp: IsoDateTimeSchema,
      cpu_usage_millicores: MillicoresSchema,
      memory_usage_bytes: BytesSchema,
    }),
  ),
  oom_kill_count: NonNegativeIntSchema.default(0),
});
export type ContainerUsageHistory = z.infer<typeof ContainerUsageHistorySchema>;

/**
 * What the decision must provide. Capacity fields are extra capacity wanted on top of the current state
 * (null = let the engine derive it from pending pods / the current nodes). Empty lists mean "no restriction".
 */
export const DecisionRequirementsSchema = z.object({
  /** Extra vCPUs wanted. */
  cpu_cores: NonNegativeNumberSchema.nullable().default(null),
  /** Extra memory wanted, GB. */
  memory_gb: NonNegativeNumberSchema.nullable().default(null),
  /** Target node count, when the caller wants a fixed size. */
  node_count: NonNegativeIntSchema.nullable().default(null),
  gpu_count: NonNegativeIntSchema.default(0),
  architectures: z.array(CpuArchitectureSchema).default([]),
  /** Instance types allowed; empty = the whole catalog. */
  instance_types: z.array(InstanceTypeSchema).default([]),
  /** Instance families excluded (`t3`, `inf1`…). */
  excluded_instance_families: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/)).default([]),
  /** Zones allowed; empty = every zone of the region. */
  availability_zones: z.array(AvailabilityZoneSchema).default([]),
  /** For `schedule`: the office-hours schedules to plan. */
  schedules: z.array(OfficeHoursScheduleSchema).default([]),
});
export type DecisionRequirements = z.infer<typeof DecisionRequirementsSchema>;

/** How CloudOptim may act on a cluster: only propose plans, or carry them out. */
export const AutomationModeSchema = z.enum(['recommend', 'automate']);

/** Limits every plan must respect (cluster settings, SPEC §3, and the seed's safety rules). */
export const DecisionConstraintsSchema = z.object({
  /** Pools with a risk score above this are not used. */
  max_risk_score: FractionSchema.default(0.65),
  /** Largest share of nodes on Spot (the customer's spot share cap). */
  max_spot_share: FractionSchema.default(1),
  /** Largest share of nodes in one instance family (seed rule: 0.4). */
  max_family_share: FractionSchema.default(0.4),
  /** Fewest distinct Spot pools (type × AZ) to spread over. */
  min_pools: PositiveIntSchema.default(1),
  /** Disruption budget: most nodes cordoned/drained at once. */
  max_nodes_disrupted: PositiveIntSchema.default(1),
  /** A ceiling on the resulting cost, USD per hour; null = none. */
  max_hourly_cost: UsdSchema.nullable().default(null),
  /** Fall back to on-demand when no Spot pool is safe. */
  allow_on_demand_fallback: z.boolean().default(true),
  /** Namespaces never touched. */
  excluded_namespaces: z.array(NamespaceSchema).default([]),
  /** Workloads never touched. */
  excluded_workloads: z.array(NamespacedWorkloadSchema).default([]),
  automation_mode: AutomationModeSchema.default('recommend'),
});
export type DecisionConstraints = z.infer<typeof DecisionConstraintsSchema>;

/** What started a decision. */
export const DecisionTriggerSchema = z.enum(['manual', 'schedule', 'pending_pods', 'interruption', 'rebalance', 'consolidation', 'api']);

/** Open metadata of a DecisionRequest (unknown keys are kept). */
export const DecisionRequestMetadataSchema = z.looseObject({
  trigger: DecisionTriggerSchema.optional(),
  /** A user id or a service name. */
  requested_by: z.string().max(200).nullable().optional(),
  customer_id: IdSchema.optional(),
  /** Compute the plan but the caller will not execute it (a preview). */
  dry_run: z.boolean().optional(),
});

/**
 * `DecisionRequest` (SPEC §2): central → ML server. `timestamp` is the "now" the engine decides at (engines
 * never read a clock). `current_state.cluster_id` must equal `cluster_id`.
 */
export const DecisionRequestSchema = z
  .object({
    request_id: RequestIdSchema,
    cluster_id: ClusterIdSchema,
    timestamp: IsoDateTimeSchema,
    decision_type: DecisionTypeSchema,
    current_state: ClusterStateDetailSchema,
    requirements: DecisionRequirementsSchema,
    constraints: DecisionConstraintsSchema,
    metadata: DecisionRequestMetadataSchema,
    /** For `rightsize`: per-container usage history. */
    usage_history: z.array(ContainerUsageHistorySchema).default([]),
  })
  .superRefine((req, ctx) => {
    if (req.current_state.cluster_id !== req.cluster_id) {
      ctx.addIssue({ code: 'custom', path: ['current_state', 'cluster_id'], message: 'current_state.cluster_id must equal cluster_id' });
    }
  });
export type DecisionRequest = z.infer<typeof DecisionRequestSchema>;

/** One factor behind a decision: its name, its value, and how much it weighed. */
export const RationaleFactorSchema = z.object({
  name: z.string().min(1).max(200),
  value: z.union([z.number(), z.string(), z.boolean()]),
  /** Weight of the factor in the score, when it is a weighted sum. */
  weight: z.number().nullable().default(null),
  /** The factor's contribution to the score. */
  contribution: z.number().nullable().default(null),
});

/** A data input and how old it was at decision time (seconds). */
export const DataSourceRefSchema = z.object({
  name: z.string().min(1).max(200),
  as_of: IsoDateTimeSchema,
  age_seconds: DurationSecondsSchema,
});

/** Why a recommendation or a plan is what it is (ARCHITECTURE convention 1), for the UI to explain. */
export const RationaleSchema = z.object({
  summary: z.string().max(2000),
  factors: z.array(RationaleFactorSchema).default([]),
  data_sources: z.array(DataSourceRefSchema).default([]),
});
export type Rationale = z.infer<typeof RationaleSchema>;

/**
 * `Recommendation` (SPEC §2): one capacity pool to run — `node_count` nodes of `instance_type` in
 * `availability_zone` on `capacity_type`. `hourly_price` is USD per node-hour; `monthly_savings` is USD per
 * month against the baseline (negative = the pool costs more); `risk_score` is the interruption risk in [0, 1].
 */
export const RecommendationSchema = z.object({
  instance_type: InstanceTypeSchema,
  node_count: NonNegativeIntSchema,
  risk_score: FractionSchema,
  hourly_price: UsdSchema,
  monthly_savings: SignedUsdSchema,
  availability_zone: AvailabilityZoneSchema,
  capacity_type: CapacityTypeSchema,
  /** Probability the pool is interrupted within the model's horizon, when a model made it. */
  interruption_probability: FractionSchema.nullable().optional(),
  rationale: RationaleSchema.optional(),
});
export type Recommendation = z.infer<typeof RecommendationSchema>;

/** A rightsizing recommendation for one container (CPU millicores, memory bytes; null limit = none). */
export const ContainerRecommendationSchema = z.object({
  namespace: NamespaceSchema,
  owner: WorkloadRefSchema,
  container_name: ContainerNameSchema,
  current_cpu_request_millicores: MillicoresSchema,
  current_memory_request_bytes: BytesSchema,
  recommended_cpu_request_millicores: MillicoresSchema,
  recommended_memory_request_bytes: BytesSchema,
  recommended_cpu_limit_millicores: MillicoresSchema.nullable(),
  recommended_memory_limit_bytes: BytesSchema.nullable(),
  /** Grows with the length of the usage history. */
  confidence: FractionSchema,
});
export type ContainerRecommendation = z.infer<typeof ContainerRecommendationSchema>;

/** Overall risk of a plan. */
export const RiskAssessmentSchema = z.object({
  risk_score: FractionSchema,
  risk_level: z.enum(['low', 'medium', 'high']),
  summary: z.string().max(2000),
  factors: z.array(z.string().max(500)).default([]),
  /** Expected Spot interruptions per month over the recommended pools. */
  expected_interruptions_per_month: NonNegativeNumberSchema.nullable().default(null),
});
export type RiskAssessment = z.infer<typeof RiskAssessmentSchema>;

/** `launch_instances`: central launches capacity through EC2 CreateFleet (Spot, with on-demand fallback). */
export const LaunchInstancesParametersSchema = z.object({
  instance_type: InstanceTypeSchema,
  availability_zone: AvailabilityZoneSchema,
  capacity_type: CapacityTypeSchema,
  count: PositiveIntSchema,
  on_demand_fallback: z.boolean().default(true),
  labels: LabelsSchema.default({}),
  taints: z.array(TaintSchema).default([]),
});

/** `terminate_instances`: central terminates EC2 instances (after their nodes were drained). */
export const TerminateInstancesParametersSchema = z.object({
  instance_ids: z.array(InstanceIdSchema).min(1),
});

/** `wait_for_nodes_ready`: wait until `count` nodes launched by earlier steps are Ready. */
export const WaitForNodesReadyParametersSchema = z.object({
  count: PositiveIntSchema,
  /** Node names to wait for, when known. */
  node_names: z.array(KubeNameSchema).default([]),
  timeout_seconds: PositiveIntSchema,
});

/** Parameters of the steps central carries out itself (EC2), as opposed to agent tasks. */
export const CLOUD_ACTION_PARAMETER_SCHEMAS = {
  launch_instances: LaunchInstancesParametersSchema,
  terminate_instances: TerminateInstancesParametersSchema,
  wait_for_nodes_ready: WaitForNodesReadyParametersSchema,
} as const;
export type CloudAction = keyof typeof CLOUD_ACTION_PARAMETER_SCHEMAS;

/** Every action a plan step can take: a cloud action, or a task type (executed by the agent as a Task). */
export const EXECUTION_ACTIONS = [
  ...(Object.keys(CLOUD_ACTION_PARAMETER_SCHEMAS) as CloudAction[]),
  ...(Object.keys(TASK_PARAMETER_SCHEMAS) as TaskType[]),
] as [CloudAction | TaskType, ...(CloudAction | TaskType)[]];
export const ExecutionActionSchema = z.enum(EXECUTION_ACTIONS);
export type ExecutionAction = z.infer<typeof ExecutionActionSchema>;

const ExecutionStepBaseShape = {
  /** 1-based position in the plan; steps run in order unless `depends_on` says otherwise. */
  step: PositiveIntSchema,
  /** Human description ("Drain ip-10-0-1-5 (m5.xlarge, on-demand)"). */
  description: z.string().max(1000).optional(),
  /** Step numbers that must be done first (each smaller than `step`). */
  depends_on: z.array(PositiveIntSchema).default([]),
  /** Earliest time to start the step (office hours); null = as soon as its dependencies are done. */
  not_before: IsoDateTimeSchema.nullable().default(null),
} as const;

function stepOf<A extends CloudAction | TaskType>(action: A, parameters: A extends CloudAction ? (typeof CLOUD_ACTION_PARAMETER_SCHEMAS)[A] : A extends TaskType ? (typeof TASK_PARAMETER_SCHEMAS)[A] : never) {
  return z.object({ ...ExecutionStepBaseShape, action: z.literal(action), parameters });
}

/**
 * `ExecutionStep` (SPEC §2 `execution_plan[]`: step, action, parameters). A discriminated union on `action`;
 * task actions take exactly the parameters of the matching Task type, so the executor turns such a step
 * into a Task as is.
 */
export const ExecutionStepSchema = z.discriminatedUnion('action', [
  stepOf('launch_instances', LaunchInstancesParametersSchema),
  stepOf('terminate_instances', TerminateInstancesParametersSchema),
  stepOf('wait_for_nodes_ready', WaitForNodesReadyParametersSchema),
  stepOf('cordon_node', TASK_PARAMETER_SCHEMAS.cordon_node),
  stepOf('uncordon_node', TASK_PARAMETER_SCHEMAS.uncordon_node),
  stepOf('drain_node', TASK_PARAMETER_SCHEMAS.drain_node),
  stepOf('label_node', TASK_PARAMETER_SCHEMAS.label_node),
  stepOf('taint_node', TASK_PARAMETER_SCHEMAS.taint_node),
  stepOf('evict_pod', TASK_PARAMETER_SCHEMAS.evict_pod),
  stepOf('scale_workload', TASK_PARAMETER_SCHEMAS.scale_workload),
  stepOf('patch_workload_resources', TASK_PARAMETER_SCHEMAS.patch_workload_resources),
  stepOf('delete_node', TASK_PARAMETER_SCHEMAS.delete_node),
  stepOf('collect_metrics', TASK_PARAMETER_SCHEMAS.collect_metrics),
]);
export type ExecutionStep = z.infer<typeof ExecutionStepSchema>;

/** An ordered plan: step numbers unique, dependencies pointing at earlier existing steps. */
export const ExecutionPlanSchema = z.array(ExecutionStepSchema).superRefine((steps, ctx) => {
  const seen = new Set<number>();
  steps.forEach((s, i) => {
    if (seen.has(s.step)) ctx.addIssue({ code: 'custom', path: [i, 'step'], message: `duplicate step number ${s.step}` });
    seen.add(s.step);
  });
  steps.forEach((s, i) => {
    s.depends_on.forEach((d, j) => {
      if (d >= s.step || !seen.has(d)) {
        ctx.addIssue({ code: 'custom', path: [i, 'depends_on', j], message: `step ${s.step} depends on ${d}, which is not an earlier step of the plan` });
      }
    });
  });
});

/** Engine and data provenance of a DecisionResponse (open: unknown keys are kept). */
export const DecisionResponseMetadataSchema = z.looseObject({
  engine_version: VersionSchema,
  /** The interruption-risk model version; null when the Day-Zero formula scored the pools. */
  model_version: VersionSchema.nullable(),
  /** Age of the oldest input (prices, Spot Advisor, metrics) at decision time, seconds. */
  data_age_seconds: DurationSecondsSchema,
  /** When the oldest input was current. */
  data_as_of: IsoDateTimeSchema.optional(),
  /** Wall time the engine took, milliseconds. */
  computation_ms: NonNegativeNumberSchema.optional(),
});

/**
 * What a decision amounts to: a plan, nothing worth doing, or no feasible plan (expected outcomes are
 * values, not errors — ARCHITECTURE convention 1).
 */
export const DecisionOutcomeSchema = z.enum(['planned', 'nothing_to_do', 'infeasible']);

/**
 * `DecisionResponse` (SPEC §2): ML server → central. `estimated_savings` is USD per month against the current
 * cost (negative = the plan costs more, e.g. an on-demand fallback); `confidence_score` is in [0, 1].
 */
export const DecisionResponseSchema = z.object({
  request_id: RequestIdSchema,
  timestamp: IsoDateTimeSchema,
  decision_type: DecisionTypeSchema,
  recommendations: z.array(RecommendationSchema),
  confidence_score: FractionSchema,
  estimated_savings: SignedUsdSchema,
  risk_assessment: RiskAssessmentSchema,
  execution_plan: ExecutionPlanSchema,
  metadata: DecisionResponseMetadataSchema,
  cluster_id: ClusterIdSchema.optional(),
  outcome: DecisionOutcomeSchema.default('planned'),
  /** Why nothing is planned (for `nothing_to_do` / `infeasible`). */
  outcome_reason: z.string().max(2000).nullable().default(null),
  /** For `rightsize`: per-container recommendations. */
  container_recommendations: z.array(ContainerRecommendationSchema).default([]),
  rationale: RationaleSchema.optional(),
});
export type DecisionResponse = z.infer<typeof DecisionResponseSchema>;
