/**
 * The spot handler's logic over a real database (PGlite, and PostgreSQL when TEST_DATABASE_URL is set) with
 * FakeInterruptionSource + FakeCloudProvider (packages/cloud) and recording fakes for the task queue, the ML
 * server, audit, realtime and notifications.
 */
import { FakeCloudProvider, FakeInterruptionSource, SPOT_WARNING_LEAD_MS } from '@cloudoptim/cloud';
import { AppError, exampleDecisionResponse, exampleRecommendation, type DecisionResponse } from '@cloudoptim/contracts';
import { ClustersRepository, CustomersRepository, NodesRepository, SpotEventsRepository, SpotReplacementsRepository, type Database, type NodeReport } from '@cloudoptim/db';
import { createScratchDatabase, testDatabaseTargets, type ScratchDatabase } from '@cloudoptim/db/testing';
import { loadMarket } from '@cloudoptim/market';
import { createMetricsRegistry, ManualClock, silentLogger } from '@cloudoptim/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpotHandlerWorker } from './spot-handler.worker.ts';
import { eventBridge, RecordingAudit, RecordingNotifier, RecordingRealtime, RecordingTaskQueue, ScriptedMl, StaticCloud, StaticSettings, type CallLog } from './spot-handler.test-support.ts';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const SPOT_NODE = 'i-0aaaaaaaaaaaaaaa1';
const OTHER_NODE = 'i-0aaaaaaaaaaaaaaa2';
const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/interruptions';

function node(overrides: Partial<NodeReport> = {}): NodeReport {
  return { nodeName: 'ip-10-0-1-5.ec2.internal', instanceId: SPOT_NODE, instanceType: 'm5.large', availabilityZone: 'us-east-1a', capacityType: 'spot', cpuAllocatableCores: 1.93, memoryAllocatableGb: 7.1, cpuAllocatedCores: 1, memoryAllocatedGb: 3, cpuUsedCores: 0.5, memoryUsedGb: 2, podCount: 9, ...overrides };
}

const spotAnswer = (): DecisionResponse =>
  exampleDecisionResponse({ recommendations: [exampleRecommendation({ instance_type: 'm5a.large', availability_zone: 'us-east-1b', node_count: 1, risk_score: 0.1 })], execution_plan: [] });

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('spot handler on $name', (target) => {
  let scratch: ScratchDatabase;
  let db: Database;
  let seq = 0;

  beforeAll(async () => {
    scratch = await createScratchDatabase(target);
    db = await scratch.open();
  });
  afterAll(async () => {
    await db?.close();
    await scratch?.dispose();
  });

  /** A customer with one cluster (nodes in us-east-1a and 1b), its queue, and the handler over fakes. */
  async function setup(options: { ml?: (log: CallLog) => ScriptedMl; rebalance?: 'ignore' | 'cordon' | 'replace' } = {}) {
    const clock = new ManualClock(T0);
    const customer = await new CustomersRepository(db.db).create({ name: `customer-${++seq}` });
    const cluster = await new ClustersRepository(db.db).create(customer.id, { name: 'prod', region: 'us-east-1' });
    const nodes = new NodesRepository(db.db);
    await nodes.upsert(customer.id, cluster.id, node());
    await nodes.upsert(customer.id, cluster.id, node({ nodeName: 'ip-10-0-2-7.ec2.internal', instanceId: OTHER_NODE, availabilityZone: 'us-east-1b', capacityType: 'on-demand' }));
    const calls: CallLog = [];
    const provider = new FakeCloudProvider({ clock });
    const source = new FakeInterruptionSource();
    const cloud = new StaticCloud(provider);
    cloud.sources.set(cluster.id, source);
    const settings = new StaticSettings();
    settings.set(cluster.id, { interruption_queue_url: QUEUE, rebalance_policy: options.rebalance ?? 'cordon' });
    const tasks = new RecordingTaskQueue(calls);
    const ml = options.ml ? options.ml(calls) : new ScriptedMl(() => spotAnswer(), calls);
    const audit = new RecordingAudit();
    const realtime = new RecordingRealtime();
    const notifier = new RecordingNotifier();
    const metrics = createMetricsRegistry('central', { processMetrics: false });
    const worker = createSpotHandlerWorker({ db, clock, log: silentLogger, market: loadMarket(), metrics, tasks, ml, settings, cloud, audit, realtime, notifier });
    const owner = { customerId: customer.id, clusterIds: [cluster.id] };
    /** Receives what is visible and hands it to the handler, as the poller does. */
    const pump = async () => worker.handler.handleBatch(owner, source, await source.receive({ maxMessages: 10, waitSeconds: 0 }));
    const events = () => new SpotEventsRepository(db.db).list(customer.id);
    return { clock, customer, cluster, provider, source, settings, tasks, ml, audit, realtime, notifier, metrics, worker, pump, events, calls, nodes };
  }

  it('drains an interrupted Spot node urgently first, then replaces it in a safe Spot pool and records the event once', async () => {
    const s = await setup();
    const warnedAt = new Date(T0);
    s.source.push(eventBridge.warning(SPOT_NODE, warnedAt, 'ev-warning-1'), T0);
    await s.pump();

    expect(s.calls.indexOf('enqueue:drain_node')).toBeLessThan(s.calls.indexOf('ml:decide'));
    const [drain] = s.tasks.calls;
    expect(drain?.input).toMatchObject({ customerId: s.customer.id, clusterId: s.cluster.id, taskType: 'drain_node', urgent: true, priority: 1, idempotencyKey: 'spot:ev-warning-1', createdBy: 'spot-handler' });
    expect(drain?.input.deadline.getTime()).toBe(T0 + SPOT_WARNING_LEAD_MS);
    expect(drain?.input.interruptionTime?.getTime()).toBe(T0 + SPOT_WARNING_LEAD_MS);
    expect(drain?.input.parameters).toMatchObject({ node_name: 'ip-10-0-1-5.ec2.internal', instance_id: SPOT_NODE, respect_pdb: true, include_do_not_disrupt: true, timeout_seconds: 115 });

    const [request] = s.ml.requests;
    expect(request).toMatchObject({ decision_type: 'spot_optimize', cluster_id: s.cluster.id, requirements: { availability_zones: ['us-east-1b'], cpu_cores: 2 }, metadata: { trigger: 'interruption', excluded_pools: [{ instance_type: 'm5.large', availability_zone: 'us-east-1a' }] } });
    const [launch] = s.provider.callsOf('launchCapacity');
    expect(launch).toMatchObject({ capacityType: 'spot', count: 1, clientToken: 'spot-ev-warning-1', onDemandFallback: true, pools: [{ instanceType: 'm5a.large', availabilityZone: 'us-east-1b' }] });
    const replacement = s.provider.list()[0];
    expect(replacement).toMatchObject({ instanceType: 'm5a.large', capacityType: 'spot', tags: { 'cloudoptim:spot-event-id': 'ev-warning-1', 'cloudoptim:replaces': SPOT_NODE } });

    const [event, ...more] = await s.events();
    expect(more).toEqual([]);
    expect(event).toMatchObject({ eventId: 'ev-warning-1', eventType: 'interruption_warning', clusterId: s.cluster.id, nodeName: 'ip-10-0-1-5.ec2.internal', availabilityZone: 'us-east-1a', actionTaken: 'replaced_spot', replacementInstanceId: replacement?.instanceId, interruptionTime: new Date(T0 + SPOT_WARNING_LEAD_MS) });
    expect(s.source.depth).toBe(0);
    expect((await new SpotReplacementsRepository(db.db).list(s.customer.id)).map((r) => [r.instanceId, r.capacityType, r.status])).toEqual([[replacement?.instanceId, 'spot', 'active']]);
    expect(s.audit.entries.map((e) => e.action)).toEqual(['node.drain', 'instance.launch']);
    expect(s.realtime.admin.map((e) => e.event.type === 'spot_event' && e.event.event.action_taken)).toEqual(['pending', 'replaced_spot']);
    expect(s.notifier.sent).toMatchObject([{ customerId: s.customer.id, event: { type: 'interruption_handled', key: 'spot:ev-warning-1', clusterId: s.cluster.id } }]);
    expect(await s.metrics.getSingleMetricAsString('cloudoptim_central_spot_interruptions_handled_total')).toMatch(/\{type="interruption_warning",action="replaced_spot"[^}]*\} 1/);
  });

  it('acts once on a duplicate message: two copies of one event give one row, one drain, one launch, both acked', async () => {
    const s = await setup();
    s.source.push(eventBridge.warning(SPOT_NODE, new Date(T0), 'ev-dup'), T0);
    s.source.push(eventBridge.warning(SPOT_NODE, new Date(T0), 'ev-dup'), T0);
    await s.pump();
    s.source.push(eventBridge.warning(SPOT_NODE, new Date(T0), 'ev-dup'), T0); // and again, later
    await s.pump();

    expect(await s.events()).toHaveLength(1);
    expect(s.tasks.records).toHaveLength(1);
    expect(s.provider.callsOf('launchCapacity')).toHaveLength(1);
    expect(s.ml.requests).toHaveLength(1);
    expect(s.source.depth).toBe(0);
    expect(s.source.acked).toHaveLength(3);
  });

  it('leaves a message whose replacement failed transiently for redelivery, then resumes it without a second drain or launch', async () => {
    const s = await setup();
    s.provider.failNext('launchCapacity', new AppError('UNAVAILABLE', 'EC2 is not reachable'));
    s.source.push(eventBridge.warning(SPOT_NODE, new Date(T0), 'ev-retry'), T0);
    await s.pump();
    expect((await s.events())[0]?.actionTaken).toBe('pending');
    expect(s.source.acked).toEqual([]);
    expect(s.tasks.records).toHaveLength(1);

    await s.clock.advance(30_000); // the visibility timeout ran out
    s.source.redeliver();
    await s.pump();
    expect(await s.events()).toMatchObject([{ actionTaken: 'replaced_spot' }]);
    expect(s.tasks.records).toHaveLength(1); // the drain was enqueued again with its key: the same task
    expect(s.provider.list()).toHaveLength(1);
    expect(s.source.depth).toBe(0);
  });

  it('finds the replacement a crashed attempt launched (by its tag) instead of launching again', async () => {
    const s = await setup();
    s.source.push(eventBridge.warning(SPOT_NODE, new Date(T0), 'ev-crash'), T0);
    // A first attempt launched the replacement, then the process died before storing the outcome.
    await s.provider.launchCapacity({ pools: [{ instanceType: 'm5a.large', availabilityZone: 'us-east-1c' }], capacityType: 'spot', count: 1, clientToken: 'spot-ev-crash', tags: { 'cloudoptim:spot-event-id': 'ev-crash' } });
    await s.pump();
    expect(s.provider.list()).toHaveLength(1);
    expect(s.ml.requests).toHaveLength(0);
    expect((await s.events())[0]).toMatchObject({ actionTaken: 'replaced_spot', replacementInstanceId: s.provider.list()[0]?.instanceId });
  });

  it('replaces on-demand when no safe Spot pool is left, and when the ML server cannot be asked', async () => {
    const none = await setup({ ml: (log) => new ScriptedMl(() => exampleDecisionResponse({ recommendations: [], execution_plan: [], outcome: 'infeasible', outcome_reason: 'every pool is above the risk limit' }), log) });
    none.source.push(eventBridge.warning(SPOT_NODE, new Date(T0), 'ev-od'), T0);
    await none.pump();
    expect(none.provider.callsOf('launchCapacity')[0]).toMatchObject({ capacityType: 'on-demand', pools: [{ instanceType: 'm5.large', availabilityZone: 'us-east-1a' }], clientToken: 'spot-ev-od' });
    expect((await none.events())[0]).toMatchObject({ actionTaken: 'replaced_on_demand' });
    expect((await new SpotReplacementsRepository(db.db).list(none.customer.id))[0]).toMatchObject({ capacityType: 'on-demand', status: 'active' });

    const down = await setup({ ml: (log) => new ScriptedMl(() => Promise.reject(new AppError('UNAVAILABLE', 'ml down')), log) });
    down.source.push(eventBridge.warning(SPOT_NODE, new Date(T0), 'ev-ml-down'), T0);
    await down.pump();
    expect(down.tasks.records.map((r) => r.task.task_type)).toEqual(['drain_node']);
    expect((await down.events())[0]).toMatchObject({ actionTaken: 'replaced_on_demand' });

    const onlyThatPool = await setup({ ml: (log) => new ScriptedMl(() => exampleDecisionResponse({ recommendations: [exampleRecommendation({ instance_type: 'm5.large', availability_zone: 'us-east-1a', node_count: 1 })], execution_plan: [] }), log) });
    onlyThatPool.source.push(eventBridge.warning(SPOT_NODE, new Date(T0), 'ev-same-pool'), T0);
    await onlyThatPool.pump();
    expect(onlyThatPool.provider.callsOf('launchCapacity')[0]).toMatchObject({ capacityType: 'on-demand' });
  });

  it('records a warning for an instance that is no managed node, without acting', async () => {
    const s = await setup();
    s.source.push(eventBridge.warning('i-0fffffffffffffff9', new Date(T0), 'ev-stranger'), T0);
    await s.pump();
    expect(await s.events()).toMatchObject([{ eventId: 'ev-stranger', clusterId: null, actionTaken: 'none' }]);
    expect(s.tasks.records).toEqual([]);
    expect(s.provider.calls).toEqual([]);
    expect(s.source.depth).toBe(0);
  });

  it('follows the rebalance policy: ignore records, cordon cordons, replace launches then drains without urgency', async () => {
    const ignore = await setup({ rebalance: 'ignore' });
    ignore.source.push(eventBridge.rebalance(SPOT_NODE, new Date(T0), 'rb-ignore'), T0);
    await ignore.pump();
    expect(await ignore.events()).toMatchObject([{ eventType: 'rebalance_recommendation', actionTaken: 'none' }]);
    expect(ignore.tasks.records).toEqual([]);

    const cordon = await setup({ rebalance: 'cordon' });
    cordon.source.push(eventBridge.rebalance(SPOT_NODE, new Date(T0), 'rb-cordon'), T0);
    await cordon.pump();
    expect(cordon.tasks.calls.map((c) => [c.input.taskType, c.input.parameters.node_name, c.input.urgent ?? false])).toEqual([['cordon_node', 'ip-10-0-1-5.ec2.internal', false]]);
    expect(await cordon.events()).toMatchObject([{ actionTaken: 'cordoned' }]);
    expect(cordon.provider.calls).toEqual([]);

    const replace = await setup({ rebalance: 'replace' });
    replace.source.push(eventBridge.rebalance(SPOT_NODE, new Date(T0), 'rb-replace'), T0);
    await replace.pump();
    expect(replace.calls).toEqual(['ml:decide', 'enqueue:drain_node']);
    expect(replace.tasks.calls[0]?.input).toMatchObject({ priority: 3, parameters: { include_do_not_disrupt: false, respect_pdb: true } });
    expect(replace.tasks.calls[0]?.input.urgent).toBeFalsy();
    expect(replace.ml.requests[0]?.metadata.trigger).toBe('rebalance');
    expect(await replace.events()).toMatchObject([{ actionTaken: 'replaced_spot' }]);
  });

  it('marks the node gone when its instance terminates, and a replacement as gone', async () => {
    const s = await setup();
    s.source.push(eventBridge.warning(SPOT_NODE, new Date(T0), 'ev-before-end'), T0);
    await s.pump();
    const replacement = s.provider.list()[0]?.instanceId as string;
    s.source.push(eventBridge.stateChange(SPOT_NODE, 'shutting-down', new Date(T0 + 119_000)), T0);
    s.source.push(eventBridge.stateChange(SPOT_NODE, 'terminated', new Date(T0 + 120_000), 'st-1'), T0);
    s.source.push(eventBridge.stateChange(replacement, 'terminated', new Date(T0 + 130_000), 'st-2'), T0);
    s.source.push(eventBridge.stateChange('i-0fffffffffffffff9', 'terminated', new Date(T0 + 130_000), 'st-3'), T0);
    await s.pump();
    expect((await s.nodes.list(s.customer.id, s.cluster.id)).map((n) => n.instanceId)).toEqual([OTHER_NODE]);
    expect((await s.events()).map((e) => [e.eventId, e.eventType, e.clusterId === s.cluster.id]).sort()).toEqual([
      ['ev-before-end', 'interruption_warning', true],
      ['st-1', 'instance_terminated', true],
      ['st-2', 'instance_terminated', true],
    ]);
    expect((await new SpotReplacementsRepository(db.db).list(s.customer.id))[0]?.status).toBe('gone');
    expect(s.source.depth).toBe(0);
  });

  it('drops malformed messages (acked, nothing stored)', async () => {
    const s = await setup();
    s.source.push('not json', T0);
    await s.pump();
    expect(s.source.depth).toBe(0);
    expect(await s.events()).toEqual([]);
  });

  it('polls the queue of every cluster that names one, and only while its passes keep the loop alive', async () => {
    const s = await setup();
    const other = await new ClustersRepository(db.db).create(s.customer.id, { name: 'no-queue', region: 'us-east-1' });
    const cloud = new StaticCloud(s.provider);
    cloud.sources.set(s.cluster.id, s.source);
    const polled = createSpotHandlerWorker({ db, clock: s.clock, log: silentLogger, market: loadMarket(), metrics: s.metrics, tasks: s.tasks, ml: s.ml, settings: s.settings, cloud, audit: s.audit, realtime: s.realtime }, { intervalMs: 5000, idleMs: 1000 });
    try {
      await polled.tick();
      expect(polled.activeQueues()).toEqual([`${s.customer.id}|${QUEUE}`]);
      expect(polled.activeQueues().some((k) => k.includes(other.id))).toBe(false);
      s.source.push(eventBridge.warning(SPOT_NODE, new Date(T0), 'ev-polled'), T0);
      await s.clock.advance(1000); // the loop's idle pause ends; it receives the message
      await until(async () => (await s.events())[0]?.actionTaken === 'replaced_spot');
      expect(s.source.depth).toBe(0);
      await s.clock.advance(11_000); // no pass for two intervals: the loop ends
      await until(async () => polled.activeQueues().length === 0);
    } finally {
      await polled.stop();
    }
  });
});

/** Waits (a few ms at a time, for real async I/O) until `check` holds. */
async function until(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
