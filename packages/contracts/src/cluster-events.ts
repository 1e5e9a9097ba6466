import { z } from 'zod';
import {
  ClusterIdSchema,
  EventIdSchema,
  InstanceIdSchema,
  IsoDateTimeSchema,
  KubeNameSchema,
  NamespaceSchema,
} from './primitives.ts';

/** Kinds of things an agent reports as they happen. */
export const ClusterEventKindSchema = z.enum([
  'node_added',
  'node_removed',
  'node_not_ready',
  'node_ready',
  'pod_evicted',
  'pod_oom_killed',
  'pod_unschedulable',
  'spot_interruption_notice',
  'agent_started',
]);
export type ClusterEventKind = z.infer<typeof ClusterEventKindSchema>;

/**
 * A cluster event the agent posts as it happens (`POST /api/v1/client/events`, a batch in `events`).
 * Subject fields that do not apply to the kind are null. `event_id` is chosen by the agent and makes a
 * re-sent event harmless.
 */
export const ClusterEventSchema = z.object({
  event_id: EventIdSchema,
  cluster_id: ClusterIdSchema,
  kind: ClusterEventKindSchema,
  occurred_at: IsoDateTimeSchema,
  node_name: KubeNameSchema.nullable(),
  instance_id: InstanceIdSchema.nullable().default(null),
  namespace: NamespaceSchema.nullable(),
  pod_name: KubeNameSchema.nullable(),
  /** Kubernetes reason (`Evicted`, `OOMKilled`, `NodeNotReady`…). */
  reason: z.string().max(128).nullable(),
  message: z.string().max(4096).nullable(),
});
export type ClusterEvent = z.infer<typeof ClusterEventSchema>;

/** Body of `POST /api/v1/client/events`. */
export const ClusterEventBatchSchema = z.object({
  events: z.array(ClusterEventSchema).min(1).max(1000),
});
export type ClusterEventBatch = z.infer<typeof ClusterEventBatchSchema>;
