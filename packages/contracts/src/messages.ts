import { z } from 'zod';
import { ClusterEventBatchSchema, ClusterEventSchema } from './cluster-events.ts';
import { ClusterStateSchema } from './cluster-state.ts';
import {
  ClusterStateDetailSchema,
  DecisionRequestSchema,
  DecisionResponseSchema,
  ExecutionStepSchema,
  RecommendationSchema,
} from './decisions.ts';
import { ErrorEnvelopeSchema } from './errors.ts';
import { HeartbeatResponseSchema, HeartbeatSchema } from './heartbeat.ts';
import { ClusterMetricsSchema, NodeMetricSchema, PendingPodSchema, PodMetricSchema } from './metrics.ts';
import { SpotEventSchema } from './spot-events.ts';
import { TaskResultSchema, TaskSchema } from './tasks.ts';
import { AdminStreamEventSchema, AgentClientEventSchema, AgentServerEventSchema, AgentStreamEventSchema } from './ws-events.ts';

/**
 * Every top-level message that crosses a process boundary, by name (the name is also the OpenAPI component
 * name). Parse with `parseOrThrow(MESSAGE_SCHEMAS.Task, body, 'Task')`.
 */
export const MESSAGE_SCHEMAS = {
  ClusterState: ClusterStateSchema,
  ClusterStateDetail: ClusterStateDetailSchema,
  NodeMetric: NodeMetricSchema,
  PodMetric: PodMetricSchema,
  PendingPod: PendingPodSchema,
  ClusterMetrics: ClusterMetricsSchema,
  DecisionRequest: DecisionRequestSchema,
  Recommendation: RecommendationSchema,
  ExecutionStep: ExecutionStepSchema,
  DecisionResponse: DecisionResponseSchema,
  Task: TaskSchema,
  TaskResult: TaskResultSchema,
  SpotEvent: SpotEventSchema,
  ClusterEvent: ClusterEventSchema,
  ClusterEventBatch: ClusterEventBatchSchema,
  Heartbeat: HeartbeatSchema,
  HeartbeatResponse: HeartbeatResponseSchema,
  AgentServerEvent: AgentServerEventSchema,
  AgentClientEvent: AgentClientEventSchema,
  AgentStreamEvent: AgentStreamEventSchema,
  AdminStreamEvent: AdminStreamEventSchema,
  ErrorEnvelope: ErrorEnvelopeSchema,
} as const satisfies Record<string, z.ZodType>;

export type MessageName = keyof typeof MESSAGE_SCHEMAS;
export const MESSAGE_NAMES = Object.keys(MESSAGE_SCHEMAS) as MessageName[];
/** The parsed type of the message `N`. */
export type Message<N extends MessageName> = z.output<(typeof MESSAGE_SCHEMAS)[N]>;

/** A JSON Schema (draft 2020-12) object as `z.toJSONSchema` produces it. */
export type JsonSchema = Record<string, unknown>;

/**
 * JSON Schemas (draft 2020-12) of every message in {@link MESSAGE_SCHEMAS}, for the OpenAPI document.
 *
 * `io: 'input'` (the default) describes what a receiver accepts: fields with defaults are optional and unknown
 * fields are allowed. `io: 'output'` describes what a parse produces (defaults filled in). Cross-field rules
 * (refinements) cannot be expressed in JSON Schema and are only enforced by the zod schemas.
 */
export function contractJsonSchemas(options: { io?: 'input' | 'output' } = {}): Record<MessageName, JsonSchema> {
  const io = options.io ?? 'input';
  const out = {} as Record<MessageName, JsonSchema>;
  for (const name of MESSAGE_NAMES) {
    out[name] = z.toJSONSchema(MESSAGE_SCHEMAS[name], { io, unrepresentable: 'any' }) as JsonSchema;
  }
  return out;
}
