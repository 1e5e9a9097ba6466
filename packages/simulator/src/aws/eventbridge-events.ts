/**
 * The EventBridge events EC2 emits for Spot, as delivered into SQS: the envelope keys in AWS's order
 * (`version`, `id`, `detail-type`, `source`, `account`, `time`, `region`, `resources`, `detail`), `time` without
 * fractional seconds, instance ARNs in `resources` (shared/reference/aws-wire/eventbridge-*.json).
 */

/** The `detail-type`s the simulator emits. */
export type Ec2DetailType = 'EC2 Spot Instance Interruption Warning' | 'EC2 Instance Rebalance Recommendation' | 'EC2 Instance State-change Notification';

/** An EventBridge event envelope. */
export interface EventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': Ec2DetailType;
  source: 'aws.ec2';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, string>;
}

/** `2024-05-01T12:28:00Z` (no milliseconds). */
export function eventTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Common fields of one event. */
export interface EventContext {
  id: string;
  account: string;
  region: string;
  timeMs: number;
  instanceId: string;
}

function envelope(type: Ec2DetailType, c: EventContext, detail: Record<string, string>): EventBridgeEvent {
  return {
    version: '0',
    id: c.id,
    'detail-type': type,
    source: 'aws.ec2',
    account: c.account,
    time: eventTime(c.timeMs),
    region: c.region,
    resources: [`arn:aws:ec2:${c.region}:${c.account}:instance/${c.instanceId}`],
    detail,
  };
}

/** "EC2 Spot Instance Interruption Warning" (`instance-action` terminate, the only behaviour simulated). */
export function spotInterruptionWarning(c: EventContext): EventBridgeEvent {
  return envelope('EC2 Spot Instance Interruption Warning', c, { 'instance-id': c.instanceId, 'instance-action': 'terminate' });
}

/** "EC2 Instance Rebalance Recommendation". */
export function rebalanceRecommendation(c: EventContext): EventBridgeEvent {
  return envelope('EC2 Instance Rebalance Recommendation', c, { 'instance-id': c.instanceId });
}

/** "EC2 Instance State-change Notification". */
export function stateChangeNotification(c: EventContext, state: string): EventBridgeEvent {
  return envelope('EC2 Instance State-change Notification', c, { 'instance-id': c.instanceId, state });
}
