import { describe, expect, it } from 'vitest';
import { parseInterruptionMessage, SPOT_WARNING_LEAD_MS } from './eventbridge-messages.ts';
import type { MessageReceipt } from './interruption-source.ts';

// The reference samples of shared/reference/aws-wire (eventbridge-*.json), as EventBridge puts them in SQS bodies.
const ARN = 'arn:aws:ec2:us-east-1:123456789012:instance/i-0a1b2c3d4e5f60718';
const WARNING = '{"version":"0","id":"6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f","detail-type":"EC2 Spot Instance Interruption Warning","source":"aws.ec2","account":"123456789012","time":"2024-05-01T12:28:00Z","region":"us-east-1","resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-0a1b2c3d4e5f60718"],"detail":{"instance-id":"i-0a1b2c3d4e5f60718","instance-action":"terminate"}}';
const REBALANCE = { version: '0', id: '0b9a8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d', 'detail-type': 'EC2 Instance Rebalance Recommendation', source: 'aws.ec2', account: '123456789012', time: '2024-05-01T12:21:40Z', region: 'us-east-1', resources: [ARN], detail: { 'instance-id': 'i-0a1b2c3d4e5f60718' } };
const STATE = { version: '0', id: '2c4e6a8b-0d1f-4e3a-9b5c-7d9e1f3a5b7c', 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2', account: '123456789012', time: '2024-05-01T12:30:01Z', region: 'us-east-1', resources: [ARN], detail: { 'instance-id': 'i-0a1b2c3d4e5f60718', state: 'shutting-down' } };
const HEALTH = { version: '0', id: '9e8d7c6b-5a4f-4e3d-9c2b-1a0f9e8d7c6b', 'detail-type': 'AWS Health Event', source: 'aws.health', account: '123456789012', time: '2024-05-01T09:15:27Z', region: 'us-east-1', resources: ['i-0a1b2c3d4e5f60718'], detail: { service: 'EC2', eventTypeCategory: 'scheduledChange' } };

const receipt: MessageReceipt = { messageId: 'c2f4e6a8-1b3d-4f5a-8c7e-9d0b2a4c6e8f', receiptHandle: 'AQEBexample', receiveCount: 1, sentAtMs: 1714566480512 };

describe('parseInterruptionMessage', () => {
  it('parses the spot interruption warning sample with its two-minute deadline', () => {
    const timeMs = Date.parse('2024-05-01T12:28:00Z');
    expect(parseInterruptionMessage(WARNING, receipt)).toEqual({
      type: 'interruption_warning',
      eventId: '6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
      instanceId: 'i-0a1b2c3d4e5f60718',
      region: 'us-east-1',
      account: '123456789012',
      availabilityZone: null,
      timeMs,
      instanceAction: 'terminate',
      deadlineMs: timeMs + SPOT_WARNING_LEAD_MS,
      receipt,
    });
  });

  it('parses the rebalance recommendation and state-change samples', () => {
    expect(parseInterruptionMessage(JSON.stringify(REBALANCE), receipt)).toMatchObject({ type: 'rebalance_recommendation', instanceId: 'i-0a1b2c3d4e5f60718', timeMs: Date.parse('2024-05-01T12:21:40Z') });
    expect(parseInterruptionMessage(JSON.stringify(STATE), receipt)).toMatchObject({ type: 'instance_state_change', state: 'shutting-down', eventId: STATE.id });
  });

  it('takes the instance id from detail, not resources', () => {
    const e = { ...REBALANCE, resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-0ffffffffffffffff'] };
    expect(parseInterruptionMessage(JSON.stringify(e), receipt)).toMatchObject({ instanceId: 'i-0a1b2c3d4e5f60718' });
  });

  it.each([
    ['an empty body', undefined, /^body is not JSON/],
    ['bad JSON', '{"version":', /^body is not JSON/],
    ['a JSON array', '[]', /^not an EventBridge event: \(root\)/],
    ['a wrong version', JSON.stringify({ ...REBALANCE, version: '1' }), /version/],
    ['a bad time', JSON.stringify({ ...REBALANCE, time: 'yesterday' }), /^not an EventBridge event: time/],
    ['a bad region', JSON.stringify({ ...REBALANCE, region: 'mars' }), /region/],
    ['an AWS Health event', JSON.stringify(HEALTH), /^unsupported event source 'aws.health'/],
    ['an unknown EC2 detail-type', JSON.stringify({ ...REBALANCE, 'detail-type': 'EC2 Fleet Error' }), /^unsupported detail-type 'EC2 Fleet Error'/],
    ['a warning without its action', JSON.stringify({ ...REBALANCE, 'detail-type': 'EC2 Spot Instance Interruption Warning' }), /detail\.instance-action/],
    ['an unknown state', JSON.stringify({ ...STATE, detail: { 'instance-id': 'i-0a1b2c3d4e5f60718', state: 'melting' } }), /detail\.state/],
    ['a bad instance id', JSON.stringify({ ...STATE, detail: { 'instance-id': 'i-xyz', state: 'running' } }), /detail\.instance-id/],
  ])('reports %s as malformed, with the body excerpt and receipt', (_what, body, reason) => {
    const r = parseInterruptionMessage(body, receipt);
    expect(r.type).toBe('malformed');
    if (r.type !== 'malformed') return;
    expect(r.reason).toMatch(reason);
    expect(r.bodyExcerpt).toBe((body ?? '').slice(0, 2048));
    expect(r.receipt).toBe(receipt);
  });

  it('keeps at most 2 KiB of a huge body', () => {
    const r = parseInterruptionMessage('x'.repeat(10_000), receipt);
    expect(r.type === 'malformed' && r.bodyExcerpt.length).toBe(2048);
  });
});
