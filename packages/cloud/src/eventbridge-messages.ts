/**
 * Parsing of the EventBridge events EC2 sends for Spot into SQS (shapes in
 * shared/reference/aws-wire/eventbridge-*.json): the envelope (`version`, `id`, `detail-type`, `source`,
 * `account`, `time`, `region`, `resources`, `detail`) routed on (`source`, `detail-type`) as Karpenter does, the
 * instance id taken from `detail` (never from `resources`, like the Node Termination Handler).
 */
import { AwsRegionSchema, InstanceIdSchema } from '@cloudoptim/contracts';
import { z } from 'zod';
import type { MessageReceipt, ReceivedMessage } from './interruption-source.ts';

/** EC2's notice before a Spot interruption. */
export const SPOT_WARNING_LEAD_MS = 120_000;
const MAX_EXCERPT = 2048;

const EnvelopeSchema = z.object({
  version: z.literal('0'),
  // EventBridge ids are UUIDs. An id with control characters (NUL) cannot be stored, and a message that cannot be
  // stored would never be acked: it is malformed instead.
  id: z.string().min(1).max(128).regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
  'detail-type': z.string().min(1),
  source: z.string().min(1),
  account: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'),
  // Year 0000 passes the format but not PostgreSQL (no year zero); no EC2 event predates 1970.
  time: z.iso.datetime({ offset: true }).refine((t) => Date.parse(t) >= 0, 'must be a time after 1970'),
  region: AwsRegionSchema,
  resources: z.array(z.string()),
  detail: z.record(z.string(), z.unknown()),
});

const WarningDetailSchema = z.object({ 'instance-id': InstanceIdSchema, 'instance-action': z.enum(['terminate', 'stop', 'hibernate']) });
const RebalanceDetailSchema = z.object({ 'instance-id': InstanceIdSchema });
const StateChangeDetailSchema = z.object({
  'instance-id': InstanceIdSchema,
  state: z.enum(['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated']),
});

const DETAIL_TYPES = {
  warning: 'EC2 Spot Instance Interruption Warning',
  rebalance: 'EC2 Instance Rebalance Recommendation',
  stateChange: 'EC2 Instance State-change Notification',
} as const;

function describeIssues(error: z.ZodError, prefix = ''): string {
  return error.issues.map((i) => `${[prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(root)'}: ${i.message}`).join('; ');
}

/**
 * Parses the body of one SQS message into an interruption event, or a `malformed` result saying why. Never throws.
 * `receipt` is attached to the result so it can be acked.
 */
export function parseInterruptionMessage(body: string | undefined, receipt: MessageReceipt): ReceivedMessage {
  const text = body ?? '';
  const malformed = (reason: string): ReceivedMessage => ({ type: 'malformed', reason, bodyExcerpt: text.slice(0, MAX_EXCERPT), receipt });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return malformed(`body is not JSON: ${(e as Error).message}`);
  }
  const env = EnvelopeSchema.safeParse(json);
  if (!env.success) return malformed(`not an EventBridge event: ${describeIssues(env.error)}`);
  const e = env.data;
  if (e.source !== 'aws.ec2') return malformed(`unsupported event source '${e.source}' (detail-type '${e['detail-type']}')`);
  const base = { eventId: e.id, region: e.region, account: e.account, availabilityZone: null, timeMs: Date.parse(e.time), receipt };
  switch (e['detail-type']) {
    case DETAIL_TYPES.warning: {
      const d = WarningDetailSchema.safeParse(e.detail);
      if (!d.success) return malformed(`bad ${e['detail-type']}: ${describeIssues(d.error, 'detail')}`);
      return { ...base, type: 'interruption_warning', instanceId: d.data['instance-id'], instanceAction: d.data['instance-action'], deadlineMs: base.timeMs + SPOT_WARNING_LEAD_MS };
    }
    case DETAIL_TYPES.rebalance: {
      const d = RebalanceDetailSchema.safeParse(e.detail);
      if (!d.success) return malformed(`bad ${e['detail-type']}: ${describeIssues(d.error, 'detail')}`);
      return { ...base, type: 'rebalance_recommendation', instanceId: d.data['instance-id'] };
    }
    case DETAIL_TYPES.stateChange: {
      const d = StateChangeDetailSchema.safeParse(e.detail);
      if (!d.success) return malformed(`bad ${e['detail-type']}: ${describeIssues(d.error, 'detail')}`);
      return { ...base, type: 'instance_state_change', instanceId: d.data['instance-id'], state: d.data.state };
    }
    default:
      return malformed(`unsupported detail-type '${e['detail-type']}'`);
  }
}
