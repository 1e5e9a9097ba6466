/**
 * A stored Spot event as the admin API and the admin stream send it: the SpotEvent contract plus the stored
 * row's id and customer. `availability_zone` is null when neither the node nor EC2 told where the instance ran
 * (EventBridge events carry no zone), which the strict SpotEvent contract cannot express.
 */
import { AvailabilityZoneSchema, AwsRegionSchema, ClusterIdSchema, IdSchema, InstanceIdSchema, IsoDateTimeSchema, KubeNameSchema, SpotActionTakenSchema, SpotEventSchema, SpotEventTypeSchema, type SpotEvent as SpotEventMessage } from '@cloudoptim/contracts';
import type { SpotEvent } from '@cloudoptim/db';
import { z } from 'zod';

export const StoredSpotEventSchema = z.object({
  id: IdSchema,
  customer_id: IdSchema,
  /** The EventBridge event id. */
  event_id: z.string().min(1).max(128),
  event_type: SpotEventTypeSchema,
  instance_id: InstanceIdSchema,
  region: AwsRegionSchema,
  availability_zone: AvailabilityZoneSchema.nullable(),
  received_at: IsoDateTimeSchema,
  interruption_time: IsoDateTimeSchema.nullable(),
  cluster_id: ClusterIdSchema.nullable(),
  node_name: KubeNameSchema.nullable(),
  action_taken: SpotActionTakenSchema,
  replacement_instance_id: InstanceIdSchema.nullable(),
});
export type StoredSpotEventWire = z.infer<typeof StoredSpotEventSchema>;

const ACTIONS = new Set<string>(SpotActionTakenSchema.options);

/** The wire form of a stored event (an unknown stored action reads as `pending`). */
export function toStoredSpotEventWire(event: SpotEvent): StoredSpotEventWire {
  return {
    id: event.id,
    customer_id: event.customerId,
    event_id: event.eventId,
    event_type: event.eventType,
    instance_id: event.instanceId,
    region: event.region,
    availability_zone: event.availabilityZone,
    received_at: event.receivedAt.toISOString(),
    interruption_time: event.interruptionTime?.toISOString() ?? null,
    cluster_id: event.clusterId,
    node_name: event.nodeName,
    action_taken: (event.actionTaken !== null && ACTIONS.has(event.actionTaken) ? event.actionTaken : 'pending') as StoredSpotEventWire['action_taken'],
    replacement_instance_id: event.replacementInstanceId,
  };
}

/**
 * The SpotEvent contract message of a stored event (for the `spot_event` stream frame), or null when the event
 * does not satisfy it (no zone known yet).
 */
export function toSpotEventMessage(event: SpotEvent, handledAt: Date | null = null): SpotEventMessage | null {
  const wire = toStoredSpotEventWire(event);
  const parsed = SpotEventSchema.safeParse({ ...wire, source_event_id: event.eventId, handled_at: handledAt?.toISOString() ?? null });
  return parsed.success ? parsed.data : null;
}
