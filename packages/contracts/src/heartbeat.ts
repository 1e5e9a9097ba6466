import { z } from 'zod';
import {
  ClusterIdSchema,
  DurationSecondsSchema,
  IdSchema,
  IsoDateTimeSchema,
  NonNegativeIntSchema,
  PositiveIntSchema,
  TaskIdSchema,
  VersionSchema,
} from './primitives.ts';
import { TaskTypeSchema } from './tasks.ts';

/** The agent's own view of its health: `degraded` when it runs but something is off (no metrics API, backlog). */
export const AgentStatusSchema = z.enum(['healthy', 'degraded']);

/**
 * `Heartbeat`: agent → central every 30 s (`POST /api/v1/client/heartbeat`). Central marks a cluster YELLOW/RED
 * when heartbeats stop. Counts are non-negative integers.
 */
export const HeartbeatSchema = z.object({
  cluster_id: ClusterIdSchema,
  /** Identifies this agent process (pod name or a random id at start), to tell replicas and restarts apart. */
  agent_id: IdSchema,
  agent_version: VersionSchema,
  /** Agent clock at sending; central compares it with its own to detect skew. */
  timestamp: IsoDateTimeSchema,
  status: AgentStatusSchema,
  uptime_seconds: DurationSecondsSchema,
  kubernetes_version: z.string().max(64).nullable(),
  /** Tasks the agent is executing now. */
  running_task_ids: z.array(TaskIdSchema),
  /** Results and metrics waiting to be sent (buffered while central was away). */
  buffered_messages: NonNegativeIntSchema,
  last_metrics_at: IsoDateTimeSchema.nullable(),
  /** Why the status is degraded, for people. */
  problems: z.array(z.string().max(500)).default([]),
  /** Task types this agent can execute; empty = all of this contract version. */
  supported_task_types: z.array(TaskTypeSchema).default([]),
});
export type Heartbeat = z.infer<typeof HeartbeatSchema>;

/** Central's answer to a heartbeat: its clock and what the agent should know without waiting for a poll. */
export const HeartbeatResponseSchema = z.object({
  server_time: IsoDateTimeSchema,
  /** Tasks waiting for this cluster. */
  pending_tasks: NonNegativeIntSchema,
  /** Version of the cluster settings; when it changes the agent reloads them. */
  config_version: PositiveIntSchema,
  /** How often to poll tasks, seconds. */
  poll_interval_seconds: PositiveIntSchema,
});
export type HeartbeatResponse = z.infer<typeof HeartbeatResponseSchema>;
