/**
 * The spot handler against the simulator's AWS endpoint (real SDK, real sockets, EventBridge JSON in a real SQS
 * queue; ManualClock for simulated time): an interruption injected in the simulator leads to an urgent drain
 * task within 1 s (wall time) of the warning being receivable, a replacement launched through EC2, and one
 * recorded event even when the message is delivered twice.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AwsCloudProvider, SqsInterruptionSource } from '@cloudoptim/cloud';
import { exampleDecisionResponse, exampleRecommendation } from '@cloudoptim/contracts';
import { ClustersRepository, CustomersRepository, NodesRepository, SpotEventsRepository, type Database } from '@cloudoptim/db';
import { createScratchDatabase, testDatabaseTargets, type ScratchDatabase } from '@cloudoptim/db/testing';
import { loadMarket } from '@cloudoptim/market';
import { createMetricsRegistry, ManualClock, silentLogger } from '@cloudoptim/runtime';
import { aws } from '@cloudoptim/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPOT_EVENT_TAG } from './replacement-launcher.ts';
import { createSpotHandlerWorker } from './spot-handler.worker.ts';
import { eventBridge, RecordingAudit, RecordingRealtime, RecordingTaskQueue, ScriptedMl, StaticCloud, StaticSettings } from './spot-handler.test-support.ts';

const T0 = Date.UTC(2026, 0, 1);

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('spot handler against the simulator on $name', (target) => {
  let scratch: ScratchDatabase;
  let db: Database;

  beforeAll(async () => {
    scratch = await createScratchDatabase(target);
    db = await scratch.open();
  });
  afterAll(async () => {
    await db?.close();
    await scratch?.dispose();
  });

  it('drains within 1 s of the warning being receivable, launches a replacement, and records a twice-delivered event once', async () => {
    const market = loadMarket();
    const clock = new ManualClock(T0);
    const endpoint = aws.createAwsEndpoint({ clock, market, priceHistory: await market.spotPriceHistory(), seed: 7, shortages: null, interruptions: { sample: false } });
    const { url } = await endpoint.start();
    const common = { region: 'us-east-1', endpoint: url, credentials: endpoint.credentials, maxAttempts: 1 };
    const provider = new AwsCloudProvider({ ...common, launchTemplate: { launchTemplateId: 'lt-1' }, clock });
    const source = new SqsInterruptionSource({ ...common, queueUrl: endpoint.queueUrl(), visibilityTimeoutSeconds: 30 });
    const sqs = new SQSClient(common);
    const customer = await new CustomersRepository(db.db).create({ name: 'sim customer' });
    const cluster = await new ClustersRepository(db.db).create(customer.id, { name: 'sim', region: 'us-east-1' });
    const settings = new StaticSettings();
    settings.set(cluster.id, { interruption_queue_url: endpoint.queueUrl() });
    const cloud = new StaticCloud(provider);
    cloud.sources.set(cluster.id, source);
    const tasks = new RecordingTaskQueue();
    const ml = new ScriptedMl(() => exampleDecisionResponse({ recommendations: [exampleRecommendation({ instance_type: 'm5a.large', availability_zone: 'us-east-1b', node_count: 1 })], execution_plan: [] }));
    const worker = createSpotHandlerWorker({ db, clock, log: silentLogger, market, metrics: createMetricsRegistry('central', { processMetrics: false }), tasks, ml, settings, cloud, audit: new RecordingAudit(), realtime: new RecordingRealtime() }, { intervalMs: 60_000 });
    try {
      // A Spot node of the cluster, booted in the simulator and known to central.
      const { instances } = await provider.launchCapacity({ pools: [{ instanceType: 'm5.large', availabilityZone: 'us-east-1a' }], capacityType: 'spot', count: 1, clientToken: 'node-1' });
      const instance = instances[0]!;
      await clock.advance(90_000);
      await new NodesRepository(db.db).upsert(customer.id, cluster.id, { nodeName: 'ip-10-0-1-5.ec2.internal', instanceId: instance.instanceId, instanceType: 'm5.large', availabilityZone: 'us-east-1a', capacityType: 'spot', cpuAllocatableCores: 1.93, memoryAllocatableGb: 7.1, cpuAllocatedCores: 1, memoryAllocatedGb: 3, cpuUsedCores: 0.5, memoryUsedGb: 2, podCount: 5 });

      await worker.tick(); // the queue's long-poll loop starts (and takes the state-change messages of the boot)
      const queueEmpty = async () => {
        const counts = endpoint.sqs.counts(endpoint.interruptions.queueName);
        return counts.visible + counts.inFlight + counts.delayed === 0;
      };
      await until(queueEmpty);

      const warnedAt = clock.now() + 10_000;
      expect(endpoint.ec2.interruptInstance(instance.instanceId, { warningAt: warnedAt })).toBe(true);
      const receivableFrom = performance.now();
      await clock.advance(10_000);
      await until(async () => tasks.calls.length > 0);
      const drain = tasks.calls[0]!;
      expect(drain.input).toMatchObject({ taskType: 'drain_node', urgent: true, priority: 1, parameters: { node_name: 'ip-10-0-1-5.ec2.internal', instance_id: instance.instanceId } });
      expect(drain.input.deadline.getTime()).toBe(warnedAt + 120_000);
      expect(drain.wallMs - receivableFrom).toBeLessThan(1000);

      const events = new SpotEventsRepository(db.db);
      await until(async () => (await events.list(customer.id))[0]?.actionTaken === 'replaced_spot');
      const [event] = await events.list(customer.id);
      const described = await provider.describeInstances({ tags: { [SPOT_EVENT_TAG]: event!.eventId } });
      expect(described).toMatchObject([{ instanceType: 'm5a.large', availabilityZone: 'us-east-1b', capacityType: 'spot', instanceId: event!.replacementInstanceId }]);

      // The same EventBridge event delivered a second time (EventBridge is at-least-once too): acted on once.
      await sqs.send(new SendMessageCommand({ QueueUrl: endpoint.queueUrl(), MessageBody: JSON.stringify(eventBridge.warning(instance.instanceId, new Date(warnedAt), event!.eventId)) }));
      await until(queueEmpty);
      expect((await events.list(customer.id)).filter((e) => e.eventType === 'interruption_warning')).toHaveLength(1);
      expect(tasks.records).toHaveLength(1);
      expect(ml.requests).toHaveLength(1);
      expect(await provider.describeInstances({ tags: { [SPOT_EVENT_TAG]: event!.eventId } })).toHaveLength(1);
    } finally {
      await worker.stop();
      source.close();
      sqs.destroy();
      await endpoint.stop();
    }
  });
});

/** Waits (a few ms at a time, for real socket I/O) until `check` holds. */
async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
