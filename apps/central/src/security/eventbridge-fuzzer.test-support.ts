/**
 * The EventBridge parser fuzzer, shared by its vitest suite (short run, `npm test`) and the reliability benchmark
 * (long run): generated SQS bodies — EventBridge envelopes with a field of the wrong type, missing or absurd (ids
 * with control characters, times PostgreSQL cannot store), unknown sources and types, truncated or shapeless
 * JSON, 10,000 levels of nesting, megabyte bodies — mixed with well-formed ones, fed to the spot handler through
 * the same parser the SQS adapter uses (FakeInterruptionSource), on a real database.
 *
 * What must hold for every batch ({@link problemsOf}): `handleBatch` never throws and logs no error; every
 * message is acknowledged (none comes back forever); each malformed one is logged as dropped with its reason;
 * a batch of malformed ones only is acted on in no way (no task, no ML call, no Spot event, no launch).
 */
import { FakeCloudProvider, FakeInterruptionSource, parseInterruptionMessage } from '@cloudoptim/cloud';
import { exampleDecisionResponse, exampleRecommendation } from '@cloudoptim/contracts';
import { ClustersRepository, CustomersRepository, NodesRepository, type Database } from '@cloudoptim/db';
import { createScratchDatabase, type TestDatabaseTarget } from '@cloudoptim/db/testing';
import { loadMarket } from '@cloudoptim/market';
import { createMetricsRegistry, ManualClock, type Logger } from '@cloudoptim/runtime';
import fc from 'fast-check';
import { createSpotHandlerWorker } from '../spot-handler/spot-handler.worker.ts';
import { eventBridge, RecordingAudit, RecordingNotifier, RecordingRealtime, RecordingTaskQueue, ScriptedMl, StaticCloud, StaticSettings } from '../spot-handler/spot-handler.test-support.ts';
import { deeplyNested, nastyString, nastyValue } from './fuzz-inputs.test-support.ts';

export const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
/** The one node of the fuzzed cluster (a Spot node: a well-formed warning about it is acted on). */
export const OUR_NODE = 'i-0aaaaaaaaaaaaaaa1';
const STRANGER = 'i-0fffffffffffffff0';
const DROPPED = 'spot handler: malformed message dropped';

export interface LogLine {
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
export const wellFormedEnvelope: fc.Arbitrary<Envelope> = fc.tuple(fc.constantFrom('warning', 'rebalance', 'terminated'), fc.constantFrom(STRANGER, STRANGER, STRANGER, OUR_NODE), fc.uuid(), fc.integer({ min: -600, max: 600 })).map(([kind, instance, id, offsetSeconds]) => {
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

/** An SQS body broken in one or more ways. */
export const malformedMessage: fc.Arbitrary<string> = fc.oneof(
  // a field of the wrong type or a nasty value, or an absurd one
  fc.tuple(wellFormedEnvelope, fc.constantFrom(...ENVELOPE_KEYS), nastyValue).map(([e, key, bad]) => JSON.stringify({ ...e, [key]: bad })),
  fc.tuple(wellFormedEnvelope, absurd).map(([e, [key, bad]]) => JSON.stringify({ ...e, [key]: bad })),
  // a field missing
  fc.tuple(wellFormedEnvelope, fc.constantFrom(...ENVELOPE_KEYS)).map(([e, key]) => {
    const copy = { ...e };
    delete copy[key];
    return JSON.stringify(copy);
  }),
  // detail broken: instance id, action, state
  fc.tuple(wellFormedEnvelope, fc.constantFrom('instance-id', 'instance-action', 'state'), fc.oneof(nastyValue, fc.constant(undefined))).map(([e, key, bad]) => JSON.stringify({ ...e, detail: { ...(e.detail as object), [key]: bad } })),
  // not an EC2 event we handle
  fc.tuple(wellFormedEnvelope, fc.oneof(nastyString, fc.constantFrom('aws.health', 'aws.autoscaling', 'AWS.EC2'))).map(([e, source]) => JSON.stringify({ ...e, source })),
  fc.tuple(wellFormedEnvelope, fc.oneof(nastyString, fc.constantFrom('EC2 Fleet Error', 'EC2 Instance Launch Successful'))).map(([e, type]) => JSON.stringify({ ...e, 'detail-type': type })),
  // not an envelope at all
  fc.tuple(wellFormedEnvelope, fc.nat()).map(([e, cut]) => {
    const text = JSON.stringify(e);
    return text.slice(0, cut % text.length);
  }),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom('', ' ', 'null', '[]', '{}', '"string"', '{"Type":"Notification","Message":"{}"}', deeplyNested(10_000, 'object'), deeplyNested(10_000, 'array'), `{"detail":${deeplyNested(10_000, 'object')}}`, 'x'.repeat(1_000_000)),
);

/** One receive's worth of bodies (1–5), four malformed to one well-formed. */
export const messageBatch: fc.Arbitrary<string[]> = fc.array(fc.oneof({ arbitrary: malformedMessage, weight: 4 }, { arbitrary: wellFormedEnvelope.map((e) => JSON.stringify(e)), weight: 1 }), { minLength: 1, maxLength: 5 });

/** What the handler's effects look like from outside: rows, task enqueues, ML calls, launches. */
export interface HandlerEffects {
  spotEvents: number | undefined;
  nodes: number | undefined;
  tasks: number;
  ml: number;
  launches: number;
}

/** One batch fed to the handler, and what came of it. */
export interface FeedOutcome {
  bodies: string[];
  /** SQS message ids, in the order of `bodies`. */
  ids: string[];
  /** Which bodies the parser calls malformed. */
  malformed: boolean[];
  before: HandlerEffects;
  after: HandlerEffects;
  /** Messages left on the queue (not acknowledged). */
  unacked: number;
  /** What `handleBatch` threw, if it did. */
  threw?: string;
  /** Everything logged while handling the batch. */
  logged: LogLine[];
}

export interface EventBridgeFuzzer {
  /** Pushes the bodies to a fresh queue, receives them as one batch and hands it to the spot handler. Never throws. */
  feed(bodies: string[]): Promise<FeedOutcome>;
  close(): Promise<void>;
}

/** A customer with one cluster of one Spot node, and its spot handler over recording fakes, on a scratch database. */
export async function startEventBridgeFuzzer(target: TestDatabaseTarget): Promise<EventBridgeFuzzer> {
  const scratch = await createScratchDatabase(target);
  let db: Database | undefined;
  try {
    db = await scratch.open();
    const opened = db;
    const lines: LogLine[] = [];
    const clock = new ManualClock(T0);
    const customer = await new CustomersRepository(opened.db).create({ name: 'fuzzed' });
    const cluster = await new ClustersRepository(opened.db).create(customer.id, { name: 'prod', region: 'us-east-1' });
    await new NodesRepository(opened.db).upsert(customer.id, cluster.id, { nodeName: 'ip-10-0-1-5.ec2.internal', instanceId: OUR_NODE, instanceType: 'm5.large', availabilityZone: 'us-east-1a', capacityType: 'spot', cpuAllocatableCores: 1.93, memoryAllocatableGb: 7.1, cpuAllocatedCores: 1, memoryAllocatedGb: 3, cpuUsedCores: 0.5, memoryUsedGb: 2, podCount: 9 });
    const provider = new FakeCloudProvider({ clock });
    const tasks = new RecordingTaskQueue();
    const ml = new ScriptedMl(() => exampleDecisionResponse({ recommendations: [exampleRecommendation({ instance_type: 'm5a.large', availability_zone: 'us-east-1b', node_count: 1, risk_score: 0.1 })], execution_plan: [] }));
    const settings = new StaticSettings();
    settings.set(cluster.id, { interruption_queue_url: 'https://sqs.us-east-1.amazonaws.com/123456789012/q', rebalance_policy: 'cordon' });
    const worker = createSpotHandlerWorker({ db: opened, clock, log: recordingLogger(lines), market: loadMarket(), metrics: createMetricsRegistry('central', { processMetrics: false }), tasks, ml, settings, cloud: new StaticCloud(provider), audit: new RecordingAudit(), realtime: new RecordingRealtime(), notifier: new RecordingNotifier() });
    const owner = { customerId: customer.id, clusterIds: [cluster.id] };
    const effects = async (): Promise<HandlerEffects> => ({
      spotEvents: (await opened.query<{ n: number }>('SELECT count(*)::int AS n FROM spot_events'))[0]?.n,
      nodes: (await opened.query<{ n: number }>('SELECT count(*)::int AS n FROM nodes'))[0]?.n,
      tasks: tasks.calls.length,
      ml: ml.requests.length,
      launches: provider.callsOf('launchCapacity').length,
    });
    return {
      async feed(bodies) {
        const source = new FakeInterruptionSource();
        const ids = bodies.map((b) => source.push(b, T0));
        const malformed = bodies.map((b) => parseInterruptionMessage(b, { messageId: 'm', receiptHandle: 'r', receiveCount: 1, sentAtMs: T0 }).type === 'malformed');
        const before = await effects();
        const logged = lines.length;
        let threw: string | undefined;
        try {
          await worker.handler.handleBatch(owner, source, await source.receive({ maxMessages: 10, waitSeconds: 0 }));
        } catch (error) {
          threw = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        }
        const outcome: FeedOutcome = { bodies, ids, malformed, before, after: await effects(), unacked: source.depth, logged: lines.slice(logged) };
        // The log is only read per batch: keep the process's memory flat over a long run.
        lines.length = 0;
        return threw === undefined ? outcome : { ...outcome, threw };
      },
      async close() {
        await worker.stop();
        await opened.close();
        await scratch.dispose();
      },
    };
  } catch (error) {
    await db?.close().catch(() => {});
    await scratch.dispose().catch(() => {});
    throw error;
  }
}

/** The malformed messages of the batch that were logged as dropped with a reason of more than a few characters. */
export function refusedWithReason(o: FeedOutcome): string[] {
  const dropped = o.logged.filter((l) => l.msg === DROPPED && String(l.obj.reason ?? '').length > 5).map((l) => String(l.obj.messageId));
  return o.ids.filter((id, i) => o.malformed[i] && dropped.includes(id));
}

/** Every way the batch broke the properties above (empty: none). */
export function problemsOf(o: FeedOutcome): string[] {
  const problems: string[] = [];
  if (o.threw !== undefined) problems.push(`handleBatch threw ${o.threw}`);
  if (o.unacked > 0) problems.push(`${o.unacked} of ${o.ids.length} messages not acknowledged`);
  for (const e of o.logged.filter((l) => l.level === 'error')) problems.push(`error logged: ${e.msg}: ${String(e.obj.err)}`.slice(0, 400));
  const refused = refusedWithReason(o);
  const unexplained = o.ids.filter((id, i) => o.malformed[i] && !refused.includes(id));
  if (unexplained.length) problems.push(`${unexplained.length} malformed messages not logged as dropped with a reason`);
  if (o.malformed.every(Boolean) && JSON.stringify(o.after) !== JSON.stringify(o.before)) problems.push(`a batch of malformed messages was acted on: ${JSON.stringify(o.before)} → ${JSON.stringify(o.after)}`);
  return problems;
}

/** A body for a failure message: its first 200 characters and its length. */
export function excerptOf(body: string): string {
  return body.length > 200 ? `${JSON.stringify(body.slice(0, 200))}… (${body.length} chars)` : JSON.stringify(body);
}

/** The long run's counts, per message (a batch holds 1–5). */
export interface EventBridgeFuzzTally {
  batches: number;
  messages: number;
  /** Malformed messages dropped, acknowledged and logged with their reason. */
  refused: number;
  /** Well-formed messages, handled. */
  accepted: number;
  /** Batches whose handling threw or logged an error. */
  crashes: number;
  /** Batches that broke any property (crashes included). */
  failedBatches: number;
  /** The first few problems, each with the batch's seed and bodies. */
  firstProblems: string[];
}

/**
 * The long run: `batches` generated batches from `seed`, in chunks of `chunkBatches` (one `onChunk` call each,
 * for progress lines). Counts instead of stopping at the first problem, so a run reports every kind of failure.
 */
export async function fuzzEventBridgeParser(o: { target: TestDatabaseTarget; batches: number; seed: number; chunkBatches?: number; onChunk?: (tally: EventBridgeFuzzTally) => void }): Promise<EventBridgeFuzzTally> {
  const fuzzer = await startEventBridgeFuzzer(o.target);
  const tally: EventBridgeFuzzTally = { batches: 0, messages: 0, refused: 0, accepted: 0, crashes: 0, failedBatches: 0, firstProblems: [] };
  const chunk = o.chunkBatches ?? 500;
  try {
    for (let start = 0, index = 0; start < o.batches; start += chunk, index++) {
      const chunkSeed = o.seed + index;
      for (const bodies of fc.sample(messageBatch, { numRuns: Math.min(chunk, o.batches - start), seed: chunkSeed })) {
        const outcome = await fuzzer.feed(bodies);
        const problems = problemsOf(outcome);
        tally.batches++;
        tally.messages += bodies.length;
        tally.refused += refusedWithReason(outcome).length;
        tally.accepted += outcome.malformed.filter((m) => !m).length;
        if (outcome.threw !== undefined || outcome.logged.some((l) => l.level === 'error')) tally.crashes++;
        if (problems.length) {
          tally.failedBatches++;
          if (tally.firstProblems.length < 5) tally.firstProblems.push(`chunk seed ${chunkSeed}: ${problems.join('; ')} — bodies ${bodies.map(excerptOf).join(', ')}`.slice(0, 1200));
        }
      }
      o.onChunk?.({ ...tally, firstProblems: [...tally.firstProblems] });
    }
    return tally;
  } finally {
    await fuzzer.close();
  }
}
