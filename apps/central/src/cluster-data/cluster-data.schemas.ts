/** Query and answer schemas of the admin read routes over a cluster's data (nodes, pods, events, tasks). */
import { z } from 'zod';
import {
  ClusterEventKindSchema,
  ClusterEventSchema,
  ClusterIdSchema,
  ContainerMetricSchema,
  IsoDateTimeSchema,
  KubeNameSchema,
  MillicoresSchema,
  BytesSchema,
  NamespaceSchema,
  NodeMetricSchema,
  NonNegativeIntSchema,
  PodPhaseSchema,
  TaskIdSchema,
  TaskStatusSchema,
  TaskTypeSchema,
  WorkloadRefSchema,
} from '@cloudoptim/contracts';
import { AdminTaskSchema } from '../tasks/task-view.ts';

export const ClusterParamsSchema = z.object({ cluster_id: ClusterIdSchema });
export const ClusterTaskParamsSchema = z.object({ cluster_id: ClusterIdSchema, task_id: TaskIdSchema });

/** `limit` (1–500, default 50) and `offset`; answers carry `next_offset` (null on the last page). */
const PageShape = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
};
const NextOffsetSchema = NonNegativeIntSchema.nullable();

/** `next_offset` of a page of `count` items read with `limit` at `offset`. */
export function nextOffset(count: number, page: { limit: number; offset: number }): number | null {
  return count < page.limit ? null : page.offset + page.limit;
}

/** The nodes of the latest metrics report, each priced (`hourly_price`, USD/hour) by central. */
export const ClusterNodesSchema = z.object({
  cluster_id: ClusterIdSchema,
  /** Timestamp of the report the nodes come from; null before the first report. */
  as_of: IsoDateTimeSchema.nullable(),
  nodes: z.array(NodeMetricSchema),
});

export const PodsQuerySchema = z.object({ namespace: NamespaceSchema.optional(), node: KubeNameSchema.optional(), ...PageShape });

/** A pod as the latest metrics reported it. CPU in millicores, memory in bytes; usage null when not measured. */
export const PodViewSchema = z.object({
  namespace: NamespaceSchema,
  pod_name: KubeNameSchema,
  node_name: KubeNameSchema.nullable(),
  phase: PodPhaseSchema,
  owner: WorkloadRefSchema.nullable(),
  containers: z.array(ContainerMetricSchema),
  cpu_request_millicores: MillicoresSchema,
  memory_request_bytes: BytesSchema,
  cpu_usage_millicores: MillicoresSchema.nullable(),
  memory_usage_bytes: BytesSchema.nullable(),
  restarts: NonNegativeIntSchema,
  /** Containers whose last termination was an OOM kill. */
  oom_kills: NonNegativeIntSchema,
  observed_at: IsoDateTimeSchema,
});
export const ClusterPodsSchema = z.object({ cluster_id: ClusterIdSchema, pods: z.array(PodViewSchema), next_offset: NextOffsetSchema });

export const EventsQuerySchema = z.object({ kind: ClusterEventKindSchema.optional(), ...PageShape });
export const ClusterEventViewSchema = ClusterEventSchema.extend({ received_at: IsoDateTimeSchema });
export const ClusterEventsSchema = z.object({ cluster_id: ClusterIdSchema, events: z.array(ClusterEventViewSchema), next_offset: NextOffsetSchema });

export const TasksQuerySchema = z.object({ status: TaskStatusSchema.optional(), type: TaskTypeSchema.optional(), ...PageShape });
export const ClusterTasksSchema = z.object({ cluster_id: ClusterIdSchema, tasks: z.array(AdminTaskSchema), next_offset: NextOffsetSchema });

/** Optional body; `reason` defaults to "cancelled by <email>". */
export const CancelTaskBodySchema = z.object({ reason: z.string().trim().min(1).max(500).optional() }).strict().optional();
