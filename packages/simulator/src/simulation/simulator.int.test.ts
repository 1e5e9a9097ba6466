import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateFleetCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMarket, type SpotPriceHistory } from '@cloudoptim/market';
import { ManualClock } from '@cloudoptim/runtime';
import { loadScenario } from '../scenarios/index.ts';
import { startSimulator, type Simulator } from './simulator.ts';

const market = loadMarket();
let history: SpotPriceHistory;
beforeAll(async () => {
  history = await market.spotPriceHistory();
});

async function run(seed: number, minutes: number): Promise<{ sim: Simulator; clock: ManualClock }> {
  const clock = new ManualClock(Date.UTC(2026, 10, 26, 9));
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-'));
  const sim = await startSimulator({ scenario: loadScenario('steady'), market, priceHistory: history, clock, seed, stateDir });
  await sim.cluster.advance(minutes * 60_000);
  return { sim, clock };
}

function nodes(sim: Simulator) {
  return sim.store.list('nodes').items as { metadata: { name: string; labels: Record<string, string> }; spec: { providerID?: string } }[];
}

function pods(sim: Simulator) {
  return sim.store.list('pods').items as { metadata: { name: string; namespace: string }; spec: { nodeName?: string }; status: { phase?: string } }[];
}

describe('the simulator, composed', () => {
  let sim: Simulator;
  let clock: ManualClock;
  beforeAll(async () => {
    ({ sim, clock } = await run(7, 5));
  });
  afterAll(() => sim.stop());

  it('boots the scenario: instances join as labelled nodes and the workloads run', () => {
    const all = nodes(sim);
    expect(all).toHaveLength(6);
    for (const n of all) {
      expect(n.spec.providerID).toMatch(/^aws:\/\/\/us-east-1[a-f]\/i-[0-9a-f]+$/);
      expect(n.metadata.labels['node.kubernetes.io/instance-type']).toMatch(/^(m5|m5a|c5)\.xlarge$/);
      expect(['spot', 'on-demand']).toContain(n.metadata.labels['karpenter.sh/capacity-type']);
    }
    const shop = pods(sim).filter((p) => p.metadata.namespace === 'shop');
    expect(shop.length).toBe(6 + 4 + 2 + 3);
    expect(shop.every((p) => p.status.phase === 'Running')).toBe(true);
    expect(fs.readFileSync(sim.endpoints.kubeconfig, 'utf8')).toContain(sim.endpoints.kube_api_url);
  });

  it('CreateFleet through the AWS SDK launches spot capacity that joins the cluster as nodes', async () => {
    const ec2 = new EC2Client({
      endpoint: sim.endpoints.aws_endpoint,
      region: sim.endpoints.region,
      credentials: { accessKeyId: sim.endpoints.aws_access_key_id, secretAccessKey: sim.endpoints.aws_secret_access_key },
    });
    const fleet = await ec2.send(
      new CreateFleetCommand({
        Type: 'instant',
        LaunchTemplateConfigs: [
          {
            LaunchTemplateSpecification: { LaunchTemplateName: 'cloudoptim-nodes', Version: '$Latest' },
            Overrides: [
              { InstanceType: 'm5.large', AvailabilityZone: 'us-east-1a' },
              { InstanceType: 'm5a.large', AvailabilityZone: 'us-east-1b' },
            ],
          },
        ],
        TargetCapacitySpecification: { TotalTargetCapacity: 2, DefaultTargetCapacityType: 'spot' },
        SpotOptions: { AllocationStrategy: 'price-capacity-optimized' },
      }),
    );
    ec2.destroy();
    const ids = (fleet.Instances ?? []).flatMap((i) => i.InstanceIds ?? []);
    expect(ids).toHaveLength(2);
    await sim.cluster.advance(2 * 60_000);
    const joined = nodes(sim).filter((n) => ids.some((id) => n.spec.providerID?.endsWith(`/${id}`)));
    expect(joined).toHaveLength(2);
    for (const n of joined) expect(n.metadata.labels['karpenter.sh/capacity-type']).toBe('spot');
  });

  it('an interrupted spot instance warns on SQS, then its node goes away and its pods run elsewhere', async () => {
    const spot = sim.aws.ec2.list().find((i) => i.lifecycle === 'spot' && i.state === 'running')!;
    const sqs = new SQSClient({
      endpoint: sim.endpoints.aws_endpoint,
      region: sim.endpoints.region,
      credentials: { accessKeyId: sim.endpoints.aws_access_key_id, secretAccessKey: sim.endpoints.aws_secret_access_key },
    });
    // Drain what the launches queued, then long-poll while the warning is due 10 s from now.
    for (;;) {
      const old = await sqs.send(new ReceiveMessageCommand({ QueueUrl: sim.endpoints.sqs_queue_url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (!old.Messages?.length) break;
      for (const m of old.Messages) await sqs.send(new DeleteMessageCommand({ QueueUrl: sim.endpoints.sqs_queue_url, ReceiptHandle: m.ReceiptHandle }));
    }
    const longPoll = sqs.send(new ReceiveMessageCommand({ QueueUrl: sim.endpoints.sqs_queue_url, MaxNumberOfMessages: 10, WaitTimeSeconds: 20 }));
    expect(sim.aws.ec2.interruptInstance(spot.instanceId, { warningAt: clock.now() + 10_000 })).toBe(true);
    await sim.cluster.advance(11_000);
    const first = await longPoll;
    expect(first.Messages?.map((m) => JSON.parse(m.Body ?? '{}')['detail-type'])).toContain('EC2 Spot Instance Interruption Warning');
    await sim.cluster.advance(19_000);
    const bodies: { 'detail-type': string; detail: Record<string, unknown> }[] = (first.Messages ?? []).map((m) => JSON.parse(m.Body ?? '{}'));
    for (;;) {
      const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: sim.endpoints.sqs_queue_url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (!received.Messages?.length) break;
      for (const m of received.Messages) {
        bodies.push(JSON.parse(m.Body ?? '{}'));
        await sqs.send(new DeleteMessageCommand({ QueueUrl: sim.endpoints.sqs_queue_url, ReceiptHandle: m.ReceiptHandle }));
      }
    }
    expect(bodies).toContainEqual(
      expect.objectContaining({ source: 'aws.ec2', 'detail-type': 'EC2 Spot Instance Interruption Warning', detail: expect.objectContaining({ 'instance-id': spot.instanceId, 'instance-action': 'terminate' }) }),
    );
    sqs.destroy();
    expect(sim.events().some((e) => e.kind === 'interruption-warning' && e.instanceId === spot.instanceId)).toBe(true);
    expect(nodes(sim).map((n) => n.metadata.name)).toContain(spot.privateDnsName);
    await sim.cluster.advance(5 * 60_000);
    expect(nodes(sim).map((n) => n.metadata.name)).not.toContain(spot.privateDnsName);
    const shop = pods(sim).filter((p) => p.metadata.namespace === 'shop');
    expect(shop.every((p) => p.spec.nodeName !== spot.privateDnsName)).toBe(true);
  });
});

describe('reproducibility', () => {
  it('two runs with one seed produce the same event log and bindings', async () => {
    const summarise = (sim: Simulator) => ({
      events: sim.events().map((e) => `${e.timeMs} ${e.kind} ${e.instanceId ?? ''} ${e.instanceType} ${e.availabilityZone}`),
      bindings: sim.cluster.bindings.map((b) => JSON.stringify(b)),
    });
    const a = await run(11, 20);
    const b = await run(11, 20);
    const c = await run(12, 20);
    try {
      expect(summarise(a.sim)).toEqual(summarise(b.sim));
      expect(summarise(a.sim).events.length).toBeGreaterThan(6);
      expect(summarise(a.sim)).not.toEqual(summarise(c.sim));
    } finally {
      await Promise.all([a.sim.stop(), b.sim.stop(), c.sim.stop()]);
    }
  });
});
