/**
 * SQS over the JSON 1.0 protocol with the real SDK v3 client: send/receive, MD5s, long polling, visibility
 * re-delivery, receipt handles, deletes and the error shapes.
 */
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { loadMarket, type Market } from '@cloudoptim/market';
import { ManualClock } from '@cloudoptim/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAwsEndpoint } from './index.ts';
import { sdkFailure, stopEndpointsAfterEach } from './sdk-test-kit.ts';

let market: Market;
beforeAll(() => {
  market = loadMarket();
});
const track = stopEndpointsAfterEach();

async function setup() {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const ep = createAwsEndpoint({ clock, market, seed: 3 });
  track(ep);
  const { url } = await ep.start();
  const sqs = new SQSClient({ endpoint: url, region: 'us-east-1', credentials: ep.credentials, maxAttempts: 1 });
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'work', Attributes: { VisibilityTimeout: '30' } }));
  return { clock, ep, sqs, url, queueUrl: QueueUrl as string };
}

describe('SQS JSON protocol', () => {
  it('creates queues on the simulator origin, sends and receives with correct MD5s and attributes', async () => {
    const { clock, sqs, url, queueUrl } = await setup();
    expect(queueUrl).toBe(`${url}/123456789012/work`);
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: 'work' }))).QueueUrl).toBe(queueUrl);
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"hello":"wörld"}', MessageAttributes: { 'trace-id': { DataType: 'String', StringValue: 'abc-123' }, attempt: { DataType: 'Number', StringValue: '1' } } }));
    expect(sent.MD5OfMessageBody).toBe('350a65ddaf4148f9f4fd19793b7ee08f');
    expect(sent.MD5OfMessageAttributes).toBe('ed2b1ad7211643c81776a04256eb2db0');
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'], MaxNumberOfMessages: 10 }));
    expect(got.Messages).toHaveLength(1);
    const m = got.Messages?.[0];
    expect(m?.Body).toBe('{"hello":"wörld"}');
    expect(m?.MessageId).toBe(sent.MessageId);
    expect(m?.Attributes).toMatchObject({ ApproximateReceiveCount: '1', SentTimestamp: String(clock.now()) });
    expect(m?.MD5OfMessageAttributes).toBe('ed2b1ad7211643c81776a04256eb2db0');
    expect(m?.MessageAttributes?.attempt).toEqual({ DataType: 'Number', StringValue: '1' });
    // In flight: nothing more to receive.
    const none = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    expect(none.Messages).toBeUndefined();
  });

  it('long polling returns as soon as a message is sent, and empty when the (simulated) wait runs out', async () => {
    const { clock, sqs, queueUrl } = await setup();
    const t0 = performance.now();
    const poll = sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 5 }));
    await new Promise((r) => setTimeout(r, 50));
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'ping' }));
    const got = await poll;
    expect(got.Messages?.[0]?.Body).toBe('ping');
    expect(performance.now() - t0).toBeLessThan(2_000);

    const empty = sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 5 }));
    await new Promise((r) => setTimeout(r, 50));
    await clock.advance(5_000);
    expect((await empty).Messages).toBeUndefined();
  });

  it('re-delivers an undeleted message after its visibility timeout, with a new receipt handle; only the newest handle deletes', async () => {
    const { clock, sqs, queueUrl } = await setup();
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'job-1' }));
    const first = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }))).Messages?.[0];
    await clock.advance(29_000);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }))).Messages).toBeUndefined();
    await clock.advance(2_000);
    const second = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageSystemAttributeNames: ['ApproximateReceiveCount'], VisibilityTimeout: 60 }))).Messages?.[0];
    expect(second?.MessageId).toBe(first?.MessageId);
    expect(second?.Attributes?.ApproximateReceiveCount).toBe('2');
    expect(second?.ReceiptHandle).not.toBe(first?.ReceiptHandle);
    // The stale handle "succeeds" without deleting (as AWS documents).
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: first?.ReceiptHandle }));
    const stale = await sdkFailure(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: first?.ReceiptHandle, VisibilityTimeout: 0 })));
    expect(stale.name).toBe('InvalidParameterValue');
    // Nack with the current handle: visible again at once.
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: second?.ReceiptHandle, VisibilityTimeout: 0 }));
    const third = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }))).Messages?.[0];
    expect(third?.MessageId).toBe(first?.MessageId);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: third?.ReceiptHandle }));
    await clock.advance(120_000);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }))).Messages).toBeUndefined();
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
    expect(attrs.Attributes).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0', VisibilityTimeout: '30' });
  });

  it('deletes in batches and reports per-entry failures', async () => {
    const { sqs, queueUrl } = await setup();
    for (const b of ['a', 'b']) await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: b }));
    const msgs = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }))).Messages ?? [];
    expect(msgs).toHaveLength(2);
    const out = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: [...msgs.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle as string })), { Id: 'bad', ReceiptHandle: 'garbage' }] }));
    expect(out.Successful?.map((s) => s.Id)).toEqual(['m0', 'm1']);
    expect(out.Failed).toEqual([{ Id: 'bad', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: expect.stringContaining('not a valid receipt handle') }]);
  });

  it('answers errors in the SQS JSON shape the SDK maps to its exceptions', async () => {
    const { sqs, url, queueUrl } = await setup();
    const missing = await sdkFailure(sqs.send(new ReceiveMessageCommand({ QueueUrl: `${url}/123456789012/nope` })));
    expect(missing.name).toBe('QueueDoesNotExist');
    expect(missing.Code).toBe('AWS.SimpleQueueService.NonExistentQueue');
    expect(missing.$metadata.httpStatusCode).toBe(400);
    const getUrl = await sdkFailure(sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' })));
    expect(getUrl.name).toBe('QueueDoesNotExist');
    const tooMany = await sdkFailure(sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 11 })));
    expect(tooMany.name).toBe('InvalidParameterValue');
    expect(tooMany.message).toContain('MaxNumberOfMessages');
    const badHandle = await sdkFailure(sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: 'not-a-handle' })));
    expect(badHandle.name).toBe('ReceiptHandleIsInvalid');
    expect(badHandle.$metadata.httpStatusCode).toBe(404);
    const conflict = await sdkFailure(sqs.send(new CreateQueueCommand({ QueueName: 'work', Attributes: { VisibilityTimeout: '99' } })));
    expect(conflict.name).toBe('QueueNameExists');
  });
});
