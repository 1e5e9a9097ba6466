/**
 * The spot handler fed generated malformed SQS messages (EventBridge envelopes with a field of the wrong type,
 * missing or absurd — ids with control characters, times PostgreSQL cannot store — unknown sources and types,
 * truncated or shapeless JSON, 10,000 levels of nesting, megabyte bodies) mixed with well-formed ones, through
 * the same parser the SQS adapter uses (FakeInterruptionSource). Properties: `handleBatch` never throws; every
 * message is acknowledged, none left to come back forever; a malformed one is logged with its reason and acted
 * on in no way (no task, no ML call, no Spot event, no launch).
 *
 * FUZZ_RUNS scales the number of batches (default 6 → 60 batches).
 */
import { FakeCloudProvider, FakeInterruptionSource, parseInterruptionMessage } from '@cloudoptim/cloud';
import { exampleDecisionResponse, exampleRecommendation } from '@cloudoptim/contracts';
import { ClustersRepository, CustomersRepository, NodesRepository, type Database } from '@cloudoptim/db';
import { createScratchDatabase, testDatabaseTargets, type ScratchDatabase } from '@cloudoptim/db/testing';
import { loadMarket } from '@cloudoptim/market';
import { createMetricsRegistry, ManualClock, type Logger } from '@cloudoptim/runtime';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpotHandlerWorker, type SpotHandlerWorker } from '../spot-handler/spot-handler.worker.ts';
import { eventBridge, RecordingAudit, RecordingNotifier, RecordingRealtime, RecordingTaskQueue, ScriptedMl, StaticCloud, StaticSettings } from '../spot-handler/spot-handler.test-support.ts';
import { deeplyNested, nastyString, nastyValue } from './fuzz-inputs.test-support.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 6) * 10;
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const OUR_NODE = 'i-0aaaaaaaaaaaaaaa1';
const STRANGER = 'i-0fffffffffffffff0';

interface LogLine {
  level: string;
  obj: Record<string, unknown>;
  msg: string | undefined;
}

/** A Logger that keeps what it was given. */
function recordingLogger(lines: LogLine[], bindings: Record<string, unknown> = {}): Logger {
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj: { ...bindings, ...(obj as Record<string, unknown>) }, msg });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (b) => recordingLogger(lines, { ...bindings, ...b }) };
}

type Envelope = Record<string, unknown>;

/** Well-formed events, mostly about an instance the customer does not run (recorded, nothing else). */
const wellFormed: fc.Arbitrary<Envelope> = fc.tuple(fc.constantFrom('warning', 'rebalance', 'terminated'), fc.constantFrom(STRANGER, STRANGER, STRANGER, OUR_NODE), fc.uuid(), fc.integer({ min: -600, max: 600 })).map(([kind, instance, id, offsetSeconds]) => {
  const time = new Date(T0 + offsetSeconds * 1000);
  if (kind === 'warning') return eventBridge.warning(instance, time, id);
  if (kind === 'rebalance') return eventBridge.rebalance(instance, time, id);
  return eventBridge.stateChange(instance, 'terminated', time, id);
});

const ENVELOPE_KEYS = ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail'];
/** Values that look right to a schema but cannot be stored or make no sense. */
const absurd = fc.constantFrom<[string, unknown]>(
  ['time', '0000-01-01T00:00:00Z'],
  ['time', '0000-12-31T23:59:59.999Z'],
  ['time', '1969-12-31T23:59:59Z'],
  ['id', 'ev\u0000nul'],
  ['id', '\u0000'],
  ['id', 'line\nbreak'],
  ['id', ' '],
  ['region', 'xx-mars-1'],
  ['account', '000000000000'],
  ['detail-type', 'EC2 Spot Instance Interruption Warning\u0000'],
  ['source', 'aws.ec2 '],
);

/** An envelope broken in one or more ways. */
const malformed: fc.Arbitrary<string> = fc.oneof(
  // a field of the wrong type or a nasty value, or an absurd one
  fc.tuple(wellFormed, fc.constantFrom(...ENVELOPE_KEYS), nastyValue).map(([e, key, bad]) => JSON.stringify({ ...e, [key]: bad })),
  fc.tuple(wellFormed, absurd).map(([e, [key, bad]]) => JSON.stringify({ ...e, [key]: bad })),
  // a field missing
  fc.tuple(wellFormed, fc.constantFrom(...ENVELOPE_KEYS)).map(([e, key]) => {
    const copy = { ...e };
    delete copy[key];
    return JSON.stringify(copy);
  }),
  // detail broken: instance id, action, state
  fc.tuple(wellFormed, fc.constantFrom('instance-id', 'instance-action', 'state'), fc.oneof(nastyValue, fc.constant(undefined))).map(([e, key, bad]) => JSON.stringify({ ...e, detail: { ...(e.detail as object), [key]: bad } })),
  // not an EC2 event we handle
  fc.tuple(wellFormed, fc.oneof(nastyString, fc.constantFrom('aws.health', 'aws.autoscaling', 'AWS.EC2'))).map(([e, source]) => JSON.stringify({ ...e, source })),
  fc.tuple(wellFormed, fc.oneof(nastyString, fc.constantFrom('EC2 Fleet Error', 'EC2 Instance Launch Successful'))).map(([e, type]) => JSON.stringify({ ...e, 'detail-type': type })),
  // not an envelope at all
  fc.tuple(wellFormed, fc.nat()).map(([e, cut]) => {
    const text = JSON.stringify(e);
    return text.slice(0, cut % text.length);
  }),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom('', ' ', 'null', '[]', '{}', '"string"', '{"Type":"Notification","Message":"{}"}', deeplyNested(10_000, 'object'), deeplyNested(10_000, 'array'), `{"detail":${deeplyNested(10_000, 'object')}}`, 'x'.repeat(1_000_000)),
);

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('the spot handler fed malformed messages on $name', (target) => {
  let scratch: ScratchDatabase;
  let db: Database;
  const lines: LogLine[] = [];
  let worker: SpotHandlerWorker;
  let owner: { customerId: string; clusterIds: string[] };
  let tasks: RecordingTaskQueue;
  let ml: ScriptedMl;
  let provider: FakeCloudProvider;

  beforeAll(async () => {
    scratch = await createScratchDatabase(target);
    db = await scratch.open();
    const clock = new ManualClock(T0);
    const customer = await new CustomersRepository(db.db).create({ name: 'fuzzed' });
    const cluster = await new ClustersRepository(db.db).create(customer.id, { name: 'prod', region: 'us-east-1' });
    await new NodesRepository(db.db).upsert(customer.id, cluster.id, { nodeName: 'ip-10-0-1-5.ec2.internal', instanceId: OUR_NODE, instanceType: 'm5.large', availabilityZone: 'us-east-1a', capacityType: 'spot', cpuAllocatableCores: 1.93, memoryAllocatableGb: 7.1, cpuAllocatedCores: 1, memoryAllocatedGb: 3, cpuUsedCores: 0.5, memoryUsedGb: 2, podCount: 9 });
    provider = new FakeCloudProvider({ clock });
    tasks = new RecordingTaskQueue();
    ml = new ScriptedMl(() => exampleDecisionResponse({ recommendations: [exampleRecommendation({ instance_type: 'm5a.large', availability_zone: 'us-east-1b', node_count: 1, risk_score: 0.1 })], execution_plan: [] }));
    const settings = new StaticSettings();
    settings.set(cluster.id, { interruption_queue_url: 'https://sqs.us-east-1.amazonaws.com/123456789012/q', rebalance_policy: 'cordon' });
    worker = createSpotHandlerWorker({ db, clock, log: recordingLogger(lines), market: loadMarket(), metrics: createMetricsRegistry('central', { processMetrics: false }), tasks, ml, settings, cloud: new StaticCloud(provider), audit: new RecordingAudit(), realtime: new RecordingRealtime(), notifier: new RecordingNotifier() });
    owner = { customerId: customer.id, clusterIds: [cluster.id] };
  });
  afterAll(async () => {
    await worker?.stop();
    await db?.close();
    await scratch?.dispose();
  });

  const state = async () => ({
    spotEvents: (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM spot_events'))[0]?.n,
    nodes: (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM nodes'))[0]?.n,
    tasks: tasks.calls.length,
    ml: ml.requests.length,
    launches: provider.callsOf('launchCapacity').length,
  });

  // Found by this suite: each was stored-and-failed, so never acked, and came back after every visibility timeout.
  it.each([
    ['an id with a NUL byte', 'id', 'ev\u0000nul'],
    ['an id of a space', 'id', ' '],
    ['a time in year 0000', 'time', '0000-01-01T00:00:00Z'],
  ])('drops a message with %s as malformed, once', async (_what, key, value) => {
    const source = new FakeInterruptionSource();
    const id = source.push({ ...eventBridge.warning(OUR_NODE, new Date(T0)), [key]: value }, T0);
    const before = await state();
    const logged = lines.length;
    await worker.handler.handleBatch(owner, source, await source.receive({ maxMessages: 10, waitSeconds: 0 }));
    expect(source.depth).toBe(0);
    expect(await state()).toEqual(before);
    expect(lines.slice(logged)).toEqual([{ level: 'warn', obj: expect.objectContaining({ messageId: id, reason: expect.stringContaining(key) }), msg: 'spot handler: malformed message dropped' }]);
  });

  it('never throws, acknowledges every message, and acts on no malformed one', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof({ arbitrary: malformed, weight: 4 }, { arbitrary: wellFormed.map((e) => JSON.stringify(e)), weight: 1 }), { minLength: 1, maxLength: 5 }), async (bodies) => {
        const source = new FakeInterruptionSource();
        const ids = bodies.map((b) => source.push(b, T0));
        const allMalformed = bodies.every((b) => parseInterruptionMessage(b, { messageId: 'm', receiptHandle: 'r', receiveCount: 1, sentAtMs: T0 }).type === 'malformed');
        const before = await state();
        const logged = lines.length;

        await expect(worker.handler.handleBatch(owner, source, await source.receive({ maxMessages: 10, waitSeconds: 0 }))).resolves.toBeUndefined();

        const errors = lines.slice(logged).filter((l) => l.level === 'error');
        expect({ unacked: source.depth, errors: errors.map((e) => `${e.msg}: ${String(e.obj.err)}`) }).toEqual({ unacked: 0, errors: [] });
        if (!allMalformed) return;
        expect(await state()).toEqual(before);
        const dropped = lines.slice(logged).filter((l) => l.msg === 'spot handler: malformed message dropped');
        expect(dropped.map((l) => l.obj.messageId).sort()).toEqual([...ids].sort());
        for (const line of dropped) expect(String(line.obj.reason).length).toBeGreaterThan(5);
      }),
      { numRuns: RUNS, endOnFailure: true, ...(SEED !== undefined && { seed: SEED }) },
    );
  }, 300_000);
});
