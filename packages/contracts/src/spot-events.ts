import { z } from 'zod';
import {
  AvailabilityZoneSchema,
  AwsRegionSchema,
  ClusterIdSchema,
  EventIdSchema,
  InstanceIdSchema,
  InstanceTypeSchema,
  IsoDateTimeSchema,
  KubeNameSchema,
} from './primitives.ts';

/** Kinds of Spot events: EventBridge's 2-minute warning, its rebalance recommendation, and the termination itself. */
export const SpotEventTypeSchema = z.enum(['interruption_warning', 'rebalance_recommendation', 'instance_terminated']);
export type SpotEventType = z.infer<typeof SpotEventTypeSchema>;

/**
 * What CloudOptim did about a Spot event: `pending` (not decided yet), `none` (e.g. the instance is not a
 * managed node), `drained` (drained, no replacement needed), `replaced_spot` / `replaced_on_demand`
 * (a replacement was launched in a Spot pool / on-demand, and the node drained), `cordoned` (a rebalance
 * recommendation under the `cordon` policy: no new pods go to the node), `failed`.
 */
export const SpotActionTakenSchema = z.enum(['pending', 'none', 'drained', 'replaced_spot', 'replaced_on_demand', 'cordoned', 'failed']);
export type SpotActionTaken = z.infer<typeof SpotActionTakenSchema>;

/**
 * `SpotEvent` (SPEC §2): a Spot interruption warning, rebalance recommendation or termination, as central
 * records it (from the customer's SQS queue, or reported by an agent). `interruption_time` is when AWS will
 * reclaim the instance: required for `interruption_warning`, null for a rebalance recommendation.
 * `cluster_id` and `node_name` are null while the instance is not mapped to a managed node.
 */
export const SpotEventSchema = z
  .object({
    event_id: EventIdSchema,
    event_type: SpotEventTypeSchema,
    instance_id: InstanceIdSchema,
    region: AwsRegionSchema,
    availability_zone: AvailabilityZoneSchema,
    received_at: IsoDateTimeSchema,
    interruption_time: IsoDateTimeSchema.nullable(),
    cluster_id: ClusterIdSchema.nullable(),
    node_name: KubeNameSchema.nullable(),
    action_taken: SpotActionTakenSchema,
    replacement_instance_id: InstanceIdSchema.nullable(),
    instance_type: InstanceTypeSchema.optional(),
    /** The EventBridge event id (`id` of the envelope), for deduplication of redelivered SQS messages. */
    source_event_id: z.string().max(128).nullable().optional(),
    /** When the handling finished (node drained, replacement running). */
    handled_at: IsoDateTimeSchema.nullable().optional(),
  })
  .superRefine((event, ctx) => {
    if (event.event_type === 'interruption_warning' && event.interruption_time === null) {
      ctx.addIssue({ code: 'custom', path: ['interruption_time'], message: 'an interruption_warning needs its interruption_time' });
    }
    if (event.replacement_instance_id !== null && event.replacement_instance_id === event.instance_id) {
      ctx.addIssue({ code: 'custom', path: ['replacement_instance_id'], message: 'the replacement must be another instance' });
    }
  });
export type SpotEvent = z.infer<typeof SpotEventSchema>;
