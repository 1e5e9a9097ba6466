/**
 * Spot interruptions end to end: the warning arrives by SQS long poll as the real EventBridge JSON and the
 * instance is terminated two minutes of simulated time later; sampled interruptions are reproducible by seed.
 */
import { CreateFleetCommand, DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { expectedInterruptions, loadMarket, type Market, type SpotPriceHistory } from '@cloudoptim/market';
import { ManualClock } from '@cloudoptim/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { type AwsEvent, createAwsEndpoint } from './index.ts';
import { stopEndpointsAfterEach } from './sdk-test-kit.ts';

let market: Market;
let history: SpotPriceHistory;
beforeAll(async () => {
  market = loadMarket();
  history = await market.spotPriceHistory();
});
const track = stopEndpointsAfterEach();

async function setup(seed: number, options: { sample?: boolean } = {}) {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const ep = createAwsEndpoint({ clock, market, priceHistory: history, seed, interruptions: { sample: options.sample ?? false } });
  track(ep);
  const { url } = await ep.start();
  const ec2 = new EC2Client({ endpoint: url, region: 'us-east-1', credentials: ep.credentials, maxAttempts: 1 });
  const sqs = new SQSClient({ endpoint: url, region: 'us-east-1', credentials: ep.credentials, maxAttempts: 1 });
  return { clock, ep, ec2, sqs };
}

describe('interruption warning → termination', () => {
  it('delivers the EventBridge warning by long poll and terminates the instance two minutes later', async () => {
    const { clock, ep, ec2, sqs } = await setup(11);
    const queueUrl = ep.queueUrl();
    const run = await ec2.send(new RunInstancesCommand({ MinCount: 1, MaxCount: 1, ImageId: 'ami-1', InstanceType: 'm5.large', Placement: { AvailabilityZone: 'us-east-1a' }, InstanceMarketOptions: { MarketType: 'spot' } }));
    const id = run.Instances?.[0]?.InstanceId as string;
    await clock.advance(90_000);
    // Drain the state-change notifications so far.
    for (;;) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
      if (!r.Messages) break;
      for (const m of r.Messages) await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
    const terminated: string[] = [];
    ep.ec2.onInstanceTerminated((i) => terminated.push(i.instanceId));

    const poll = sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 20, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }));
    await new Promise((r) => setTimeout(r, 30));
    const warnedAt = clock.now() + 10_000;
    expect(ep.ec2.interruptInstance(id, { warningAt: warnedAt })).toBe(true);
    await clock.advance(10_000);
    const got = await poll;
    expect(got.Messages).toHaveLength(1);
    const event = JSON.parse(got.Messages?.[0]?.Body as string) as Record<string, unknown>;
    expect(Object.keys(event)).toEqual(['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail']);
    expect(event).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      'detail-type': 'EC2 Spot Instance Interruption Warning',
      source: 'aws.ec2',
      account: '123456789012',
      time: new Date(warnedAt).toISOString().replace('.000Z', 'Z'),
      region: 'us-east-1',
      resources: [`arn:aws:ec2:us-east-1:123456789012:instance/${id}`],
      detail: { 'instance-id': id, 'instance-action': 'terminate' },
    });
    expect(got.Messages?.[0]?.Attributes?.SentTimestamp).toBe(String(warnedAt));
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: got.Messages?.[0]?.ReceiptHandle }));

    await clock.advance(119_000);
    expect(ep.ec2.get(id)?.state).toBe('running');
    await clock.advance(1_000);
    expect(ep.ec2.get(id)?.state).toBe('shutting-down');
    const desc = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    expect(desc.Reservations?.[0]?.Instances?.[0]?.StateReason?.Code).toBe('Server.SpotInstanceTermination');
    await clock.advance(30_000);
    expect(terminated).toEqual([id]);
    const states = ((await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }))).Messages ?? []).map((m) => JSON.parse(m.Body as string) as { 'detail-type': string; detail: { state?: string } });
    expect(states.map((s) => [s['detail-type'], s.detail.state])).toEqual([
      ['EC2 Instance State-change Notification', 'shutting-down'],
      ['EC2 Instance State-change Notification', 'terminated'],
    ]);
    const log = ep.events().filter((e) => e.instanceId === id).map((e) => [e.kind, e.timeMs - warnedAt]);
    expect(log.slice(-3)).toEqual([['interruption-warning', 0], ['instance-shutting-down', 120_000], ['instance-terminated', expect.any(Number)]]);
  });

  it('a rebalance recommendation can precede the warning', async () => {
    const { clock, ep, ec2 } = await setup(12);
    const run = await ec2.send(new RunInstancesCommand({ MinCount: 1, MaxCount: 1, ImageId: 'ami-1', InstanceType: 'm5.large', InstanceMarketOptions: { MarketType: 'spot' } }));
    const id = run.Instances?.[0]?.InstanceId as string;
    await clock.advance(90_000);
    ep.ec2.interruptInstance(id, { rebalanceAt: clock.now() + 60_000, warningAt: clock.now() + 600_000 });
    await clock.advance(600_000);
    const kinds = ep.interruptions.publishedEvents().filter((e) => e.detail['instance-id'] === id).map((e) => e['detail-type']);
    expect(kinds).toContain('EC2 Instance Rebalance Recommendation');
    expect(kinds.indexOf('EC2 Instance Rebalance Recommendation')).toBeLessThan(kinds.indexOf('EC2 Spot Instance Interruption Warning'));
    expect(ep.ec2.interruptInstance('i-0000000000000000a')).toBe(false);
  });
});

describe('sampled interruptions', () => {
  const DAYS = 30;
  /** 200 spot instances over 12 pools for 30 simulated days. */
  async function scenario(seed: number): Promise<{ events: AwsEvent[]; compensator: number }> {
    const { clock, ep, ec2 } = await setup(seed, { sample: true });
    const t0 = clock.now();
    await ec2.send(new CreateFleetCommand({
      Type: 'instant', TargetCapacitySpecification: { TotalTargetCapacity: 200, DefaultTargetCapacityType: 'spot' }, SpotOptions: { AllocationStrategy: 'diversified' },
      LaunchTemplateConfigs: [{ LaunchTemplateSpecification: { LaunchTemplateId: 'lt-1', Version: '1' }, Overrides: [{ InstanceType: 'm5.large' }, { InstanceType: 'c5.xlarge' }] }],
    }));
    for (let day = 0; day < DAYS; day++) await clock.advance(86_400_000);
    await ep.stop();
    const events = ep.events();
    // The model's integrated hazard over each instance's exposure (running → warning or end): its sum is the
    // expected number of warnings (the compensator of the point process).
    const end = t0 + DAYS * 86_400_000;
    let compensator = 0;
    for (const r of events.filter((e) => e.kind === 'instance-running')) {
      const warn = events.find((e) => e.kind === 'interruption-warning' && e.instanceId === r.instanceId);
      const until = warn?.timeMs ?? end;
      for (let t = r.timeMs; t < until; ) {
        const chunk = ep.spotMarket.hazardChunk(r.availabilityZone, r.instanceType, t);
        const to = Math.min(until, chunk.endMs);
        compensator += expectedInterruptions(chunk.timeline, t, to);
        t = to;
      }
    }
    return { events, compensator };
  }

  it('draws warnings from the hazard, terminates 2 min after each, and one seed gives the identical event log', async () => {
    const { events: a, compensator } = await scenario(2024);
    const { events: b } = await scenario(2024);
    const { events: c } = await scenario(2025);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    const warnings = a.filter((e) => e.kind === 'interruption-warning');
    // Poisson count around its expectation (> 4 standard deviations would be a model/driver mismatch).
    expect(compensator).toBeGreaterThan(5);
    expect(Math.abs(warnings.length - compensator)).toBeLessThan(4 * Math.sqrt(compensator) + 1);
    expect(a.some((e) => e.kind === 'rebalance-recommendation')).toBe(true);
    for (const w of warnings) {
      const down = a.find((e) => e.kind === 'instance-shutting-down' && e.instanceId === w.instanceId);
      expect(down?.timeMs).toBe(w.timeMs + 120_000);
      expect(down?.cause).toBe('spot-interruption');
    }
  });
});
