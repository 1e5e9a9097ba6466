import { z } from 'zod';
import { ClusterStateSchema } from './cluster-state.ts';
import { DecisionTypeSchema } from './decisions.ts';
import { NodeMetricSchema } from './metrics.ts';
import {
  ClusterIdSchema,
  EventIdSchema,
  FractionSchema,
  IdSchema,
  InstanceIdSchema,
  IsoDateTimeSchema,
  KubeNameSchema,
  NonNegativeIntSchema,
  PositiveIntSchema,
  SignedUsdSchema,
  TaskIdSchema,
  UsdSchema,
  VersionSchema,
} from './primitives.ts';
import { SpotEventSchema } from './spot-events.ts';
import { DrainNodeTaskSchema, TaskPrioritySchema, TaskResultSchema, TaskStatusSchema, TaskTypeSchema } from './tasks.ts';

/*
 * WebSocket frames (ARCHITECTURE convention 14): JSON objects discriminated on `type`, each with a literal
 * version `v`, a frame `id` (unique per sender, what an `ack` names) and `sent_at`. Events stay small: they
 * carry ids and the changed message, and a client that needs more fetches it over REST.
 *
 * Versioning: a compatible change (a new optional field) keeps `v`. An incompatible one adds a member with
 * the same `type` and the next `v`; the two are then grouped as `z.discriminatedUnion('v', [...])` inside
 * the stream union, and senders keep emitting the old version until every receiver understands the new one.
 */

/** The current version of every stream event. */
export const STREAM_EVENT_VERSION = 1 as const;

function frame<T extends string, S extends z.core.$ZodLooseShape>(type: T, shape: S) {
  return z.object({
    type: z.literal(type),
    v: z.literal(STREAM_EVENT_VERSION),
    /** Unique per sender; acknowledgements refer to it. */
    id: EventIdSchema,
    sent_at: IsoDateTimeSchema,
    ...shape,
  });
}

// ---- agent stream: WS /api/v1/client/stream -------------------------------------------------------------

/** central → agent: tasks are waiting; poll `GET /api/v1/client/tasks` now instead of at the next tick. */
export const TaskAvailableEventSchema = frame('task_available', {
  cluster_id: ClusterIdSchema,
  task_id: TaskIdSchema,
  task_type: TaskTypeSchema,
  priority: TaskPrioritySchema,
});

/**
 * central → agent: drain this node now (a Spot interruption warning). Carries the whole drain Task so the
 * agent starts without a poll; it acks the frame, which leases the task. `interruption_time` is when AWS
 * reclaims the instance (the drain must finish before).
 */
export const UrgentDrainEventSchema = frame('urgent_drain', {
  task: DrainNodeTaskSchema,
  interruption_time: IsoDateTimeSchema.nullable(),
});

/** central → agent: stop this task if it has not finished (result `cancelled`). */
export const TaskCancelledEventSchema = frame('task_cancelled', {
  task_id: TaskIdSchema,
  reason: z.string().max(500).nullable(),
});

/** central → agent: the cluster settings changed; reload them (`config_version` as in HeartbeatResponse). */
export const ConfigChangedEventSchema = frame('config_changed', {
  cluster_id: ClusterIdSchema,
  config_version: PositiveIntSchema,
  changed_keys: z.array(z.string().max(200)).default([]),
});

/** agent → central: first frame after connecting; `last_event_id` lets central resend what was missed. */
export const AgentHelloEventSchema = frame('agent_hello', {
  cluster_id: ClusterIdSchema,
  agent_id: IdSchema,
  agent_version: VersionSchema,
  last_event_id: EventIdSchema.nullable(),
});

/** agent → central: the frame `ack_id` was received (and, for an urgent drain, its task accepted). */
export const AgentAckEventSchema = frame('ack', {
  ack_id: EventIdSchema,
  task_id: TaskIdSchema.nullable().default(null),
});

/** Frames central sends on the agent stream. */
export const AgentServerEventSchema = z.discriminatedUnion('type', [
  TaskAvailableEventSchema,
  UrgentDrainEventSchema,
  TaskCancelledEventSchema,
  ConfigChangedEventSchema,
]);
export type AgentServerEvent = z.infer<typeof AgentServerEventSchema>;

/** Frames the agent sends on the agent stream. */
export const AgentClientEventSchema = z.discriminatedUnion('type', [AgentHelloEventSchema, AgentAckEventSchema]);
export type AgentClientEvent = z.infer<typeof AgentClientEventSchema>;

/** Every frame of the agent stream, either direction. */
export const AgentStreamEventSchema = z.discriminatedUnion('type', [AgentServerEventSchema, AgentClientEventSchema]);
export type AgentStreamEvent = z.infer<typeof AgentStreamEventSchema>;
export type AgentStreamEventType = AgentStreamEvent['type'];

// ---- admin stream: WS /api/v1/admin/stream (central → admin UI) -----------------------------------------

/** A cluster's summary changed (new metrics, health change). */
export const ClusterStateChangedEventSchema = frame('cluster_state_changed', {
  cluster_id: ClusterIdSchema,
  state: ClusterStateSchema,
});

/** A node joined a cluster. */
export const NodeAddedEventSchema = frame('node_added', {
  cluster_id: ClusterIdSchema,
  node: NodeMetricSchema,
});

/** A node left a cluster. */
export const NodeRemovedEventSchema = frame('node_removed', {
  cluster_id: ClusterIdSchema,
  node_name: KubeNameSchema,
  instance_id: InstanceIdSchema.nullable(),
  reason: z.string().max(500).nullable(),
});

/** A task changed status; `result` once it ended. */
export const TaskUpdatedEventSchema = frame('task_updated', {
  cluster_id: ClusterIdSchema,
  task_id: TaskIdSchema,
  task_type: TaskTypeSchema,
  status: TaskStatusSchema,
  result: TaskResultSchema.nullable(),
});

/** A Spot event was recorded or its handling progressed. */
export const SpotEventEventSchema = frame('spot_event', {
  event: SpotEventSchema,
});

/** Where an optimization is in its life. */
export const OptimizationStatusSchema = z.enum([
  'planned',
  'awaiting_approval',
  'approved',
  'rejected',
  'executing',
  'completed',
  'failed',
  'rolled_back',
]);
export type OptimizationStatus = z.infer<typeof OptimizationStatusSchema>;

/** An optimization (a stored plan) changed status or advanced a step. `estimated_savings` is USD/month. */
export const OptimizationUpdatedEventSchema = frame('optimization_updated', {
  cluster_id: ClusterIdSchema,
  optimization_id: IdSchema,
  decision_type: DecisionTypeSchema,
  status: OptimizationStatusSchema,
  /** The step being executed, null when not executing. */
  current_step: PositiveIntSchema.nullable(),
  total_steps: NonNegativeIntSchema,
  estimated_savings: SignedUsdSchema,
});

/**
 * Savings changed, for one cluster or (cluster_id null) overall. Costs are USD per hour; `savings_per_month`
 * USD per month; `cumulative_savings` USD since onboarding (negative = CloudOptim cost more than the baseline).
 */
export const SavingsUpdatedEventSchema = frame('savings_updated', {
  cluster_id: ClusterIdSchema.nullable(),
  as_of: IsoDateTimeSchema,
  current_cost_per_hour: UsdSchema,
  baseline_cost_per_hour: UsdSchema,
  savings_per_hour: SignedUsdSchema,
  savings_per_month: SignedUsdSchema,
  cumulative_savings: SignedUsdSchema,
});

/** Status of a gap-fill job. */
export const GapFillStatusSchema = z.enum(['queued', 'running', 'completed', 'failed']);

/** A data gap-fill job advanced: `progress` in [0, 1], series done of total, price records stored. */
export const GapFillProgressEventSchema = frame('gap_fill_progress', {
  job_id: IdSchema,
  status: GapFillStatusSchema,
  progress: FractionSchema,
  series_total: NonNegativeIntSchema,
  series_done: NonNegativeIntSchema,
  records_filled: NonNegativeIntSchema,
  message: z.string().max(1000).nullable(),
}).refine((e) => e.series_done <= e.series_total, { path: ['series_done'], message: 'series_done must not exceed series_total' });

/** A model version became the active interruption-risk model. */
export const ModelActivatedEventSchema = frame('model_activated', {
  model_version: VersionSchema,
  previous_version: VersionSchema.nullable(),
});

/** Every frame of the admin stream. */
export const AdminStreamEventSchema = z.discriminatedUnion('type', [
  ClusterStateChangedEventSchema,
  NodeAddedEventSchema,
  NodeRemovedEventSchema,
  TaskUpdatedEventSchema,
  SpotEventEventSchema,
  OptimizationUpdatedEventSchema,
  SavingsUpdatedEventSchema,
  GapFillProgressEventSchema,
  ModelActivatedEventSchema,
]);
export type AdminStreamEvent = z.infer<typeof AdminStreamEventSchema>;
export type AdminStreamEventType = AdminStreamEvent['type'];
/** The admin event of type `T`. */
export type AdminStreamEventOf<T extends AdminStreamEventType> = Extract<AdminStreamEvent, { type: T }>;
/** The agent-stream frame of type `T`. */
export type AgentStreamEventOf<T extends AgentStreamEventType> = Extract<AgentStreamEvent, { type: T }>;
