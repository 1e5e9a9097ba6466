/**
 * The answers of the client API (agent → central, SPEC §3) beyond the core messages: what a task poll returns and
 * how posts of results, metrics and events are acknowledged. Requests are the core messages themselves (TaskResult,
 * ClusterMetrics, ClusterEventBatch, Heartbeat).
 */
import { z } from 'zod';
import { IsoDateTimeSchema, NonNegativeIntSchema, PositiveIntSchema, TaskIdSchema } from './primitives.ts';
import { TaskSchema, TaskStatusSchema } from './tasks.ts';

/** `GET /api/v1/client/tasks?max=N`: query. */
/**
 * The header an agent process sends on every request and on the stream's upgrade: a random id made at its start.
 * Central records it in task leases, so a restarted agent's first heartbeat hands the tasks its dead predecessor
 * held back at once (instead of after their lease).
 */
export const AGENT_INSTANCE_HEADER = 'x-cloudoptim-agent-instance';
export const AgentInstanceIdSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "1–64 letters, digits, '.', '_' or '-'");

export const TaskPollQuerySchema = z.object({
  /** Most tasks to lease in this poll (default 10). */
  max: z.coerce.number().int().min(1).max(100).default(10),
});

/**
 * `GET /api/v1/client/tasks`: the tasks now leased to the caller, highest priority (1) first. Each carries
 * `attempt` and `lease_expires_at`; a task whose result is not posted before the lease expires is offered again.
 */
export const TaskPollResponseSchema = z.object({
  tasks: z.array(TaskSchema),
  server_time: IsoDateTimeSchema,
  lease_seconds: PositiveIntSchema,
});
export type TaskPollResponse = z.infer<typeof TaskPollResponseSchema>;

/** `POST /api/v1/client/tasks/{task_id}/result`: the answer. `duplicate` = this result was already recorded. */
export const TaskResultAckSchema = z.object({
  task_id: TaskIdSchema,
  status: TaskStatusSchema,
  duplicate: z.boolean(),
});
export type TaskResultAck = z.infer<typeof TaskResultAckSchema>;

/** `POST /api/v1/client/metrics` and `/events`: the answer. */
export const IngestAckSchema = z.object({
  accepted: NonNegativeIntSchema,
  /** Items already received before (re-sent after a lost answer), ignored. */
  duplicates: NonNegativeIntSchema,
  server_time: IsoDateTimeSchema,
});
export type IngestAck = z.infer<typeof IngestAckSchema>;
