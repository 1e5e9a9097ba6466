/**
 * Bad requests get the real services' error shapes, never a crash: unsigned or wrongly signed requests,
 * unknown actions, malformed form and JSON bodies (sent through the real SDK so they are properly signed).
 */
import { DescribeAvailabilityZonesCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
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
  const ep = createAwsEndpoint({ clock: new ManualClock(), market, seed: 5 });
  track(ep);
  const { url } = await ep.start();
  return { ep, url };
}

/** A client whose serialized body is replaced before signing (the SDK still signs it). */
function ec2WithBody(url: string, credentials: { accessKeyId: string; secretAccessKey: string }, body: string | Buffer): EC2Client {
  const c = new EC2Client({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 });
  c.middlewareStack.add((next) => async (args) => {
    (args.request as { body: unknown; headers: Record<string, string> }).body = body;
    (args.request as { headers: Record<string, string> }).headers['content-length'] = String(Buffer.byteLength(body));
    return next(args);
  }, { step: 'build', name: 'replaceBody' });
  return c;
}

function sqsWith(url: string, credentials: { accessKeyId: string; secretAccessKey: string }, change: { body?: string; target?: string }): SQSClient {
  const c = new SQSClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 });
  c.middlewareStack.add((next) => async (args) => {
    const req = args.request as { body: unknown; headers: Record<string, string> };
    if (change.body !== undefined) {
      req.body = change.body;
      req.headers['content-length'] = String(Buffer.byteLength(change.body));
    }
    if (change.target) req.headers['x-amz-target'] = change.target;
    return next(args);
  }, { step: 'build', name: 'tamper' });
  return c;
}

describe('authentication', () => {
  it('refuses unsigned EC2 and SQS requests as AWS does', async () => {
    const { url } = await setup();
    const ec2 = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=DescribeInstances&Version=2016-11-15' });
    expect(ec2.status).toBe(401);
    const xml = await ec2.text();
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<Response><Errors><Error><Code>AuthFailure<\/Code><Message>AWS was not able to validate the provided access credentials<\/Message><\/Error><\/Errors><RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>$/);
    const sqs = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' }, body: '{}' });
    expect(sqs.status).toBe(403);
    expect(sqs.headers.get('x-amzn-query-error')).toBe('MissingAuthenticationToken;Sender');
    expect(await sqs.json()).toEqual({ __type: 'com.amazon.coral.service#MissingAuthenticationTokenException', message: 'Request is missing Authentication Token' });
  });

  it('refuses an unknown access key and a wrong secret (signature recomputed with the configured secret)', async () => {
    const { ep, url } = await setup();
    const wrongKey = await sdkFailure(new EC2Client({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'AKIAWRONGWRONGWRONG1', secretAccessKey: ep.credentials.secretAccessKey }, maxAttempts: 1 }).send(new DescribeInstancesCommand({})));
    expect(wrongKey.name).toBe('AuthFailure');
    const wrongSecret = await sdkFailure(new EC2Client({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: ep.credentials.accessKeyId, secretAccessKey: 'not-the-secret' }, maxAttempts: 1 }).send(new DescribeInstancesCommand({})));
    expect(wrongSecret.name).toBe('SignatureDoesNotMatch');
    const wrongRegion = await sdkFailure(new EC2Client({ endpoint: url, region: 'eu-west-1', credentials: ep.credentials, maxAttempts: 1 }).send(new DescribeInstancesCommand({})));
    expect(wrongRegion.name).toBe('AuthFailure');
    const sqsSecret = await sdkFailure(new SQSClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: ep.credentials.accessKeyId, secretAccessKey: 'nope' }, maxAttempts: 1 }).send(new ListQueuesCommand({})));
    expect(sqsSecret.name).toBe('SignatureDoesNotMatch');
    // Correctly signed requests pass.
    const ok = await new EC2Client({ endpoint: url, region: 'us-east-1', credentials: ep.credentials }).send(new DescribeAvailabilityZonesCommand({}));
    expect(ok.AvailabilityZones?.length).toBeGreaterThan(0);
  });
});

describe('malformed requests', () => {
  it('EC2: unknown action, missing action, garbage form bodies and bad parameters get EC2 error XML', async () => {
    const { ep, url } = await setup();
    const send = (body: string | Buffer) => sdkFailure(ec2WithBody(url, ep.credentials, body).send(new DescribeInstancesCommand({})));
    const unknown = await send('Action=LaunchRocket&Version=2016-11-15');
    expect(unknown.name).toBe('InvalidAction');
    expect(unknown.$metadata.httpStatusCode).toBe(400);
    expect((await send('Version=2016-11-15')).name).toBe('MissingAction');
    expect((await send(Buffer.from([0xff, 0xfe, 0x00, 0x25, 0x26, 0x3d, 0x3d]))).name).toBe('MissingAction');
    expect((await send('Action=DescribeInstances&Version=2016-11-15&MaxResults=abc')).name).toBe('InvalidParameterValue');
    expect((await send('Action=DescribeInstances&Version=2016-11-15&NextToken=%%%')).name).toBe('InvalidPaginationToken');
    expect((await send('Action=RunInstances&Version=2016-11-15&MinCount=1')).name).toBe('MissingParameter');
    expect((await send('Action=RunInstances&Version=2016-11-15&MinCount=3&MaxCount=1&ImageId=ami-1')).name).toBe('InvalidParameterValue');
    expect((await send('Action=CreateFleet&Version=2016-11-15&Type=maintain')).name).toBe('InvalidParameterValue');
    expect((await send('Action=TerminateInstances&Version=2016-11-15')).name).toBe('MissingParameter');
    expect((await send('Action=DescribeInstances&Version=2016-11-15&DryRun=true')).name).toBe('DryRunOperation');
    // Still serving.
    const ok = await new EC2Client({ endpoint: url, region: 'us-east-1', credentials: ep.credentials }).send(new DescribeInstancesCommand({}));
    expect(ok.Reservations).toEqual([]);
  });

  it('SQS: malformed JSON, wrong types and unknown operations get the SQS JSON error shape', async () => {
    const { ep, url } = await setup();
    const malformed = await sdkFailure(sqsWith(url, ep.credentials, { body: '{"QueueNamePrefix":' }).send(new ListQueuesCommand({})));
    expect(malformed.name).toBe('SerializationException');
    expect(malformed.$metadata.httpStatusCode).toBe(400);
    const notObject = await sdkFailure(sqsWith(url, ep.credentials, { body: '[1,2]' }).send(new ListQueuesCommand({})));
    expect(notObject.name).toBe('SerializationException');
    const wrongType = await sdkFailure(sqsWith(url, ep.credentials, { body: '{"QueueNamePrefix":42}' }).send(new ListQueuesCommand({})));
    expect(wrongType.name).toBe('SerializationException');
    const unknownOp = await sdkFailure(sqsWith(url, ep.credentials, { target: 'AmazonSQS.Explode' }).send(new ListQueuesCommand({})));
    expect(unknownOp.name).toBe('InvalidAction');
    const ok = await new SQSClient({ endpoint: url, region: 'us-east-1', credentials: ep.credentials }).send(new ListQueuesCommand({}));
    expect(ok.QueueUrls).toEqual([ep.queueUrl()]);
  });

  it('answers an oversized body with 413 and keeps serving', async () => {
    const { url } = await setup();
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'x'.repeat(5 * 1024 * 1024) }).catch((e: Error) => e);
    if (!(res instanceof Error)) expect(res.status).toBe(413);
    const again = await fetch(url, { method: 'POST', body: 'Action=DescribeInstances' });
    expect(again.status).toBe(401);
  });
});
