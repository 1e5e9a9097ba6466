/**
 * SqsInterruptionSource against the simulator's SQS queue fed by its EventBridge interruption driver (real
 * SDK, real socket, ManualClock): warning received and acked, redelivery without ack after the visibility
 * timeout, malformed messages reported (not thrown), long-poll abort, error translation.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { loadMarket, type Market, type SpotPriceHistory } from '@cloudoptim/market';
import { ManualClock } from '@cloudoptim/runtime';
import { aws } from '@cloudoptim/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsCloudProvider } from './aws-cloud-provider.ts';
import type { InterruptionWarningEvent, ReceivedMessage } from './interruption-source.ts';
import { SqsInterruptionSource } from './sqs-interruption-source.ts';

const T0 = Date.UTC(2026, 0, 1);
let data: Promise<{ market: Market; history: SpotPriceHistory }> | undefined;
const open: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.stop()));
});

async function setup() {
  data ??= (async () => {
    const market = loadMarket();
    return { market, history: await market.spotPriceHistory() };
  })();
  const { market, history } = await data;
  const clock = new ManualClock(T0);
  const endpoint = aws.createAwsEndpoint({ clock, market, priceHistory: history, seed: 1, shortages: null, interruptions: { sample: false } });
  const { url } = await endpoint.start();
  open.push(endpoint);
  const common = { region: 'us-east-1', endpoint: url, credentials: endpoint.credentials, maxAttempts: 1 };
  const source = new SqsInterruptionSource({ ...common, queueUrl: endpoint.queueUrl(), visibilityTimeoutSeconds: 30 });
  const cloud = new AwsCloudProvider({ ...common, launchTemplate: { launchTemplateId: 'lt-1' }, clock });
  const sqs = new SQSClient(common);
  return { clock, endpoint, url, source, cloud, sqs };
}

/** Receives and acks everything visible now; returns what was received. */
async function drain(source: SqsInterruptionSource): Promise<ReceivedMessage[]> {
  const all: ReceivedMessage[] = [];
  for (;;) {
    const got = await source.receive({ maxMessages: 10, waitSeconds: 0 });
    if (got.length === 0) return all;
    for (const m of got) await source.ack(m);
    all.push(...got);
  }
}

/** Lets the request reach the simulator before the clock moves. */
const settle = () => new Promise((r) => setTimeout(r, 30));

describe('SqsInterruptionSource (simulator)', () => {
  it('parses state changes, receives a warning by long poll, and redelivers it until it is acked', async () => {
    const { clock, endpoint, source, cloud } = await setup();
    const { instances } = await cloud.launchCapacity({ pools: [{ instanceType: 'm5.large', availabilityZone: 'us-east-1a' }], capacityType: 'spot', count: 1, tags: {}, clientToken: 'w-1' });
    const id = instances[0]?.instanceId as string;
    await clock.advance(90_000);
    const states = await drain(source);
    expect(states.map((m) => (m.type === 'instance_state_change' ? [m.instanceId, m.state] : m.type))).toEqual([
      [id, 'pending'],
      [id, 'running'],
    ]);

    const poll = source.receive({ maxMessages: 10, waitSeconds: 20 });
    await settle();
    const warnedAt = clock.now() + 10_000;
    expect(endpoint.ec2.interruptInstance(id, { warningAt: warnedAt })).toBe(true);
    await clock.advance(10_000);
    const [warning, ...rest] = await poll;
    expect(rest).toEqual([]);
    expect(warning).toMatchObject({
      type: 'interruption_warning',
      instanceId: id,
      region: 'us-east-1',
      account: '123456789012',
      availabilityZone: null,
      instanceAction: 'terminate',
      timeMs: warnedAt,
      deadlineMs: warnedAt + 120_000,
      receipt: { receiveCount: 1, sentAtMs: warnedAt },
    });
    const first = warning as InterruptionWarningEvent;

    // Not acked: in flight now, back after the visibility timeout with a new receipt.
    expect(await source.receive({ maxMessages: 10, waitSeconds: 0 })).toEqual([]);
    await clock.advance(31_000);
    const [again] = await source.receive({ maxMessages: 10, waitSeconds: 0 });
    expect(again).toMatchObject({ type: 'interruption_warning', eventId: first.eventId, receipt: { messageId: first.receipt.messageId, receiveCount: 2 } });
    expect(again?.receipt.receiptHandle).not.toBe(first.receipt.receiptHandle);

    // A stale receipt deletes nothing (as SQS documents); the current one does.
    await source.ack(first);
    await source.ack(again as InterruptionWarningEvent);
    await clock.advance(31_000);
    expect(await source.receive({ maxMessages: 10, waitSeconds: 0 })).toEqual([]);
  });

  it('reports malformed and unsupported messages as `malformed` with the reason, without throwing', async () => {
    const { endpoint, source, sqs } = await setup();
    const queueUrl = endpoint.queueUrl();
    const health = { version: '0', id: 'h-1', 'detail-type': 'AWS Health Event', source: 'aws.health', account: '123456789012', time: '2024-05-01T09:15:27Z', region: 'us-east-1', resources: ['i-0a1b2c3d4e5f60718'], detail: { service: 'EC2' } };
    const badId = { version: '0', id: 'x-1', 'detail-type': 'EC2 Spot Instance Interruption Warning', source: 'aws.ec2', account: '123456789012', time: '2024-05-01T12:28:00Z', region: 'us-east-1', resources: [], detail: { 'instance-id': 'node-7', 'instance-action': 'terminate' } };
    for (const body of ['not json {', JSON.stringify({ hello: 'world' }), JSON.stringify(health), JSON.stringify(badId)]) {
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    }
    const got = await drain(source);
    expect(got.map((m) => m.type)).toEqual(['malformed', 'malformed', 'malformed', 'malformed']);
    const reasons = got.map((m) => (m.type === 'malformed' ? m.reason : ''));
    expect(reasons[0]).toMatch(/^body is not JSON/);
    expect(reasons[1]).toMatch(/^not an EventBridge event: version/);
    expect(reasons[2]).toBe("unsupported event source 'aws.health' (detail-type 'AWS Health Event')");
    expect(reasons[3]).toMatch(/detail\.instance-id: must be an EC2 instance id/);
    expect(got[0]).toMatchObject({ bodyExcerpt: 'not json {', receipt: { receiveCount: 1 } });
    expect(await source.receive({ maxMessages: 10, waitSeconds: 0 })).toEqual([]); // acked: gone
  });

  it('ends a long poll early when the signal aborts, resolving with nothing', async () => {
    const { source } = await setup();
    const ac = new AbortController();
    const poll = source.receive({ maxMessages: 1, waitSeconds: 20, signal: ac.signal });
    await settle();
    ac.abort();
    expect(await poll).toEqual([]);
    expect(await source.receive({ maxMessages: 1, waitSeconds: 20, signal: ac.signal })).toEqual([]);
  });

  it('translates errors: unknown queue → NOT_FOUND, unknown key → UNAUTHENTICATED, bad input → VALIDATION_FAILED', async () => {
    const { url, endpoint } = await setup();
    const missing = new SqsInterruptionSource({ region: 'us-east-1', endpoint: url, credentials: endpoint.credentials, maxAttempts: 1, queueUrl: `${url}/123456789012/no-such-queue` });
    await expect(missing.receive({ maxMessages: 1, waitSeconds: 0 })).rejects.toMatchObject({ code: 'NOT_FOUND', details: { operation: 'SQS ReceiveMessage' } });
    const stranger = new SqsInterruptionSource({ region: 'us-east-1', endpoint: url, credentials: { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 's3cr3t-value' }, maxAttempts: 1, queueUrl: endpoint.queueUrl() });
    const err = (await stranger.receive({ maxMessages: 1, waitSeconds: 0 }).catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('UNAUTHENTICATED');
    expect(err.message).not.toContain('s3cr3t-value');
    const ok = new SqsInterruptionSource({ region: 'us-east-1', endpoint: url, credentials: endpoint.credentials, queueUrl: endpoint.queueUrl() });
    await expect(ok.receive({ maxMessages: 11, waitSeconds: 0 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
