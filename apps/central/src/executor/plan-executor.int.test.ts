/**
 * The plan executor over a scratch database, the real task queue and FakeCloudProvider: a replacement plan runs
 * to the end; a failing step rolls back what the plan started; a process killed mid-launch is resumed by a new
 * executor without launching twice; the disruption budget holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeCloudProvider, type CloudProvider, type LaunchCapacityInput, type LaunchCapacityResult } from '@cloudoptim/cloud';
import { exampleClusterMetrics, exampleNodeMetric, type AdminStreamEvent, type ExecutionStep } from '@cloudoptim/contracts';
import { AuditLogRepository, ClusterMetricsRepository, NodesRepository, schema, TasksRepository, type PlanWithSteps } from '@cloudoptim/db';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { PLAN_TAG } from './executor-types.ts';
import { PlanExecutor } from './plan-executor.ts';
import { approvedPlan, createExecutorHarness, replacementSteps, runToEnd, type ExecutorHarness } from './executor.test-support.ts';

const ZONE = 'us-east-1b';
const live = (p: CloudProvider, planId: string) => p.describeInstances({ tags: { [PLAN_TAG]: planId } }).then((all) => all.filter((i) => i.state !== 'terminated' && i.state !== 'shutting-down'));

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('plan executor on $name', (target) => {
  let harness: ExecutorHarness;
  beforeAll(async () => {
    harness = await createExecutorHarness(target);
  });
  afterAll(() => harness?.close());

  const start = (provider: CloudProvider = new FakeCloudProvider()) => harness.cluster(provider);

  /** Runs the plan with the fake agent answering `outcome` until it ends (or 20 passes). */
  async function runUntilDone(s: Awaited<ReturnType<typeof start>>, planId: string, outcome: Parameters<Awaited<ReturnType<typeof start>>['agent']['work']>[0]): Promise<PlanWithSteps | undefined> {
    const executor = s.executor();
    for (let i = 0; i < 20; i++) {
      await executor.tick();
      (s.provider as FakeCloudProvider).settle();
      await s.agent.work(outcome);
      const p = (await s.plans.find(null, planId))!;
      if (!['approved', 'running'].includes(p.status)) return p;
      await s.central.clock.advance(5_000);
    }
    return undefined;
  }

  it('runs a replacement plan step by step to the end', async () => {
    const s = await start(new FakeCloudProvider());
    const fake = s.provider as FakeCloudProvider;
    const events: AdminStreamEvent[] = [];
    s.central.ctx.realtime.subscribeAdmin({ customerId: s.customerId, send: (e) => events.push(e) });
    const [old] = await s.oldNodes(1);
    fake.settle();
    const plan = await approvedPlan(s, replacementSteps([old!], { zone: ZONE, launchCount: 2 }));

    const done = await runToEnd(s, s.executor(), plan.id, { between: async () => fake.settle() });

    expect(done.status).toBe('succeeded');
    expect(done.steps.map((step) => step.status)).toEqual(done.steps.map(() => 'succeeded'));
    expect(done.steps.every((step) => step.attempt === 1)).toBe(true);
    const launched = done.steps[0]!.outcome?.instance_ids as string[];
    expect(launched).toHaveLength(2);
    expect(fake.callsOf('launchCapacity').filter((c) => (c as LaunchCapacityInput).clientToken.startsWith(plan.id))).toEqual([expect.objectContaining({ clientToken: `${plan.id}-1`, capacityType: 'spot', tags: expect.objectContaining({ [PLAN_TAG]: plan.id, 'cloudoptim:cluster-id': s.clusterId }) })]);
    expect(fake.list().find((i) => i.instanceId === old!.instanceId)?.state).toBe('terminated');
    expect((await live(fake, plan.id)).map((i) => i.instanceId).sort()).toEqual([...launched].sort());
    // The agent got the node's cordon, drain and delete as tasks of this plan, in that order.
    expect(s.agent.handled.map((t) => [t.taskType, t.idempotencyKey])).toEqual([
      ['cordon_node', `${plan.id}:3`],
      ['drain_node', `${plan.id}:4`],
      ['delete_node', `${plan.id}:6`],
    ]);
    const audit = await new AuditLogRepository(s.central.db.db).list(s.customerId);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['instance.launch', 'instance.terminate', 'plan.succeeded']));
    const history = await s.central.db.db.select().from(schema.optimizationHistory);
    expect(history.find((h) => h.id === plan.id)?.status).toBe('succeeded');
    await expect.poll(() => events.filter((e) => e.type === 'optimization_updated').map((e) => (e.type === 'optimization_updated' ? e.status : ''))).toContain('completed');
  });

  it('rolls back a plan whose drain fails: launched instances terminated, the node uncordoned', async () => {
    const s = await start(new FakeCloudProvider());
    const fake = s.provider as FakeCloudProvider;
    const [old] = await s.oldNodes(1);
    fake.settle();
    const plan = await approvedPlan(s, replacementSteps([old!], { zone: ZONE, launchCount: 2 }));
    const done = await runUntilDone(s, plan.id, (task) => (task.taskType === 'drain_node' ? 'failed' : 'success'));

    expect(done?.status).toBe('rolled_back');
    expect(done?.error).toMatch(/step 4 \(drain_node\) failed/);
    expect(done?.steps.map((step) => [step.step, step.status])).toEqual([
      [1, 'rolled_back'],
      [2, 'succeeded'],
      [3, 'rolled_back'],
      [4, 'failed'],
      [5, 'skipped'],
      [6, 'skipped'],
    ]);
    expect(await live(fake, plan.id)).toEqual([]);
    expect(fake.list().find((i) => i.instanceId === old!.instanceId)?.state).toBe('running');
    const uncordon = (await new TasksRepository(s.central.db.db).list(s.customerId, s.clusterId, { taskType: 'uncordon_node' }))[0];
    expect(uncordon?.parameters).toMatchObject({ node_name: old!.nodeName, instance_id: old!.instanceId });
  });

  it('keeps a launched instance whose node already runs pods of a controller when it rolls back (chaos: kube API outage)', async () => {
    const s = await start(new FakeCloudProvider());
    const fake = s.provider as FakeCloudProvider;
    const [old] = await s.oldNodes(1);
    fake.settle();
    const plan = await approvedPlan(s, replacementSteps([old!], { zone: ZONE, launchCount: 2 }));
    const executor = s.executor();
    let launched: string[] = [];
    for (let i = 0; i < 10 && launched.length === 0; i++) {
      await executor.tick();
      fake.settle();
      launched = ((await s.plans.find(null, plan.id))!.steps[0]!.outcome?.instance_ids as string[] | undefined) ?? [];
    }
    expect(launched).toHaveLength(2);
    // The new nodes joined; the scheduler put a Deployment's pod on the first one (as the agent reported).
    await new NodesRepository(s.central.db.db).upsertMany(s.customerId, s.clusterId, launched.map((id, n) => ({ nodeName: `new-node-${n}`, instanceId: id, instanceType: 'm5.large', availabilityZone: ZONE, capacityType: 'spot', cpuAllocatableCores: 1.9, memoryAllocatableGb: 7, cpuAllocatedCores: 0.2, memoryAllocatedGb: 0.5, cpuUsedCores: 0.1, memoryUsedGb: 0.2, podCount: 2 })));
    const pod = (name: string, node: string, ownerKind: string) =>
      s.central.db.query("INSERT INTO pod_snapshots (customer_id, cluster_id, namespace, pod_name, node_name, owner_kind, owner_name, phase, observed_at) VALUES ($1, $2, 'shop', $3, $4, $5, 'web', 'Running', now())", [s.customerId, s.clusterId, name, node, ownerKind]);
    await pod('web-1', 'new-node-0', 'ReplicaSet');
    await pod('exporter-1', 'new-node-1', 'DaemonSet');

    const done = await runUntilDone(s, plan.id, (task) => (task.taskType === 'drain_node' ? 'failed' : 'success'));

    expect(done?.status).toBe('failed');
    expect((await live(fake, plan.id)).map((i) => i.instanceId)).toEqual([launched[0]]);
    expect(fake.list().find((i) => i.instanceId === launched[1])?.state).not.toBe('running');
  });

  it('goes on when a node to remove is already gone (reclaimed meanwhile): the agent answers NOT_FOUND', async () => {
    const s = await start(new FakeCloudProvider());
    const fake = s.provider as FakeCloudProvider;
    const [old] = await s.oldNodes(1);
    fake.settle();
    const plan = await approvedPlan(s, replacementSteps([old!], { zone: ZONE, launchCount: 1 }));
    const done = await runUntilDone(s, plan.id, (task) => (task.taskType === 'cordon_node' || task.taskType === 'drain_node' ? { status: 'failed', errorCode: 'NOT_FOUND' } : 'success'));
    expect(done?.status).toBe('succeeded');
    expect(done?.steps.find((step) => step.action === 'cordon_node')?.outcome).toMatchObject({ node_gone: true });
    expect(fake.list().find((i) => i.instanceId === old!.instanceId)?.state).toBe('terminated');
  });

  it('still rolls back a drain that fails for another reason', async () => {
    const s = await start(new FakeCloudProvider());
    const fake = s.provider as FakeCloudProvider;
    const [old] = await s.oldNodes(1);
    fake.settle();
    const plan = await approvedPlan(s, replacementSteps([old!], { zone: ZONE, launchCount: 1 }));
    const done = await runUntilDone(s, plan.id, (task) => (task.taskType === 'drain_node' ? { status: 'failed', errorCode: 'PDB_BLOCKED' } : 'success'));
    expect(done?.status).toBe('rolled_back');
  });

  it('rolls back when a launch finds no capacity at all, terminating what an earlier launch started', async () => {
    const s = await start(new FakeCloudProvider());
    const fake = s.provider as FakeCloudProvider;
    fake.forceShortage(ZONE, 'm5.large');
    const launch = (step: number, zone: string, dependsOn: number[]): ExecutionStep => ({ step, action: 'launch_instances', depends_on: dependsOn, not_before: null, parameters: { instance_type: 'm5.large', availability_zone: zone, capacity_type: 'spot', count: 1, on_demand_fallback: false, labels: {}, taints: [] } });
    const plan = await approvedPlan(s, [launch(1, 'us-east-1c', []), launch(2, ZONE, [1])]);
    const done = await runToEnd(s, s.executor(), plan.id);
    expect(done.status).toBe('rolled_back');
    expect(done.error).toMatch(/step 2 \(launch_instances\) failed: CAPACITY_UNAVAILABLE/);
    expect(done.steps.map((step) => step.status)).toEqual(['rolled_back', 'failed']);
    expect(fake.list().filter((i) => i.tags[PLAN_TAG] === plan.id)).toHaveLength(1);
    expect(await live(fake, plan.id)).toEqual([]);
  });

  it('resumes after a crash mid-launch without launching twice', async () => {
    const fake = new FakeCloudProvider();
    // The first process launches, then dies before it can record the result: its call never returns.
    let hang = true;
    const crashing: CloudProvider = Object.assign(Object.create(fake) as FakeCloudProvider, {
      launchCapacity: async (input: LaunchCapacityInput): Promise<LaunchCapacityResult> => {
        const result = await fake.launchCapacity(input);
        if (hang) return new Promise<never>(() => {});
        return result;
      },
    });
    let current: CloudProvider = crashing;
    const s = await harness.cluster(fake, () => current);
    const [old] = await s.oldNodes(1);
    fake.settle();
    const plan = await approvedPlan(s, replacementSteps([old!], { zone: ZONE, launchCount: 2 }));

    void s.executor().tick(); // abandoned: "kill -9" while CreateFleet's answer is in flight
    await expect.poll(() => fake.list().filter((i) => i.tags[PLAN_TAG] === plan.id).length).toBe(2);
    const stuck = (await s.plans.find(null, plan.id))!;
    expect(stuck.steps[0]).toMatchObject({ status: 'running', attempt: 1, outcome: null });

    hang = false;
    current = fake;
    fake.settle();
    const done = await runToEnd(s, s.executor(), plan.id, { between: async () => fake.settle() });

    expect(done.status).toBe('succeeded');
    expect(done.steps[0]).toMatchObject({ status: 'succeeded', attempt: 2, outcome: expect.objectContaining({ reconciled: true }) });
    expect(fake.callsOf('launchCapacity').filter((c) => (c as LaunchCapacityInput).clientToken === `${plan.id}-1`)).toHaveLength(1);
    expect(await live(fake, plan.id)).toHaveLength(2);
  });

  it('resumes a task step found running by finding its task, not enqueueing another', async () => {
    const s = await start(new FakeCloudProvider());
    const fake = s.provider as FakeCloudProvider;
    const [old] = await s.oldNodes(1);
    fake.settle();
    const plan = await approvedPlan(s, replacementSteps([old!], { zone: ZONE, launchCount: 1 }));
    const first = s.executor();
    for (let i = 0; i < 3; i++) {
      await first.tick();
      fake.settle();
    }
    const mid = (await s.plans.find(null, plan.id))!;
    expect(mid.steps[2]).toMatchObject({ action: 'cordon_node', status: 'running' });
    // Lose what the first process recorded about the task, as if it died between enqueue and the write after it.
    await s.plans.updateStep(plan.id, 3, { outcome: null });

    const done = await runToEnd(s, s.executor(), plan.id, { between: async () => fake.settle() });
    expect(done.status).toBe('succeeded');
    expect(done.steps[2]?.attempt).toBe(2);
    const cordons = await new TasksRepository(s.central.db.db).list(s.customerId, s.clusterId, { taskType: 'cordon_node' });
    expect(cordons).toHaveLength(1);
  });

  it('honours the disruption budget: never more nodes in flight than max_nodes_in_flight / max_disruption_percent', async () => {
    const s = await start(new FakeCloudProvider());
    const fake = s.provider as FakeCloudProvider;
    await s.settings({ max_nodes_in_flight: 2, max_disruption_percent: 50 });
    const old = await s.oldNodes(5);
    fake.settle();
    const plan = await approvedPlan(s, replacementSteps(old, { zone: ZONE, launchCount: 2 }));
    const executor = s.executor();
    let maxInFlight = 0;
    let done: PlanWithSteps | undefined;
    for (let i = 0; i < 60 && !done; i++) {
      await executor.tick();
      fake.settle();
      const p = (await s.plans.find(null, plan.id))!;
      const inFlight = old.filter((node) => {
        const chain = p.steps.filter((st) => st.parameters.node_name === node.nodeName || (Array.isArray(st.parameters.instance_ids) && st.parameters.instance_ids.includes(node.instanceId)));
        const started = chain.some((st) => st.status !== 'pending');
        const released = chain.some((st) => st.action === 'terminate_instances' && st.status === 'succeeded');
        return started && !released;
      }).length;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (!['approved', 'running'].includes(p.status)) done = p;
      await s.agent.work();
      await s.central.clock.advance(5_000);
    }
    expect(done?.status).toBe('succeeded');
    // 5 nodes × 50 % = 2, and max_nodes_in_flight = 2: two at a time, never three.
    expect(maxInFlight).toBe(2);

    // With max_nodes_in_flight 1 a second plan drains one node at a time.
    await s.settings({ max_nodes_in_flight: 1 });
    const more = await s.oldNodes(2);
    fake.settle();
    const second = await approvedPlan(s, replacementSteps(more, { zone: ZONE, launchCount: 1 }));
    const e2 = s.executor();
    let max2 = 0;
    for (let i = 0; i < 40; i++) {
      await e2.tick();
      fake.settle();
      const p = (await s.plans.find(null, second.id))!;
      max2 = Math.max(max2, p.steps.filter((st) => st.action === 'cordon_node' && st.status !== 'pending').length - p.steps.filter((st) => st.action === 'terminate_instances' && st.status === 'succeeded').length);
      if (p.status === 'succeeded') break;
      await s.agent.work();
      await s.central.clock.advance(5_000);
    }
    expect(max2).toBe(1);
  });

  it('fails the wait after its timeout and terminates the launched instances', async () => {
    const s = await start(new FakeCloudProvider());
    const fake = s.provider as FakeCloudProvider;
    const [old] = await s.oldNodes(1);
    s.readiness.ready = false;
    const plan = await approvedPlan(s, replacementSteps([old!], { zone: ZONE, launchCount: 2 }));
    const executor = s.executor();
    await executor.tick();
    await s.central.clock.advance(601_000);
    await executor.tick();
    const done = (await s.plans.find(null, plan.id))!;
    expect(done.status).toBe('rolled_back');
    expect(done.steps[1]).toMatchObject({ status: 'failed', error: expect.stringMatching(/0 of 2 new nodes were Ready/) });
    expect(await live(fake, plan.id)).toEqual([]);
    expect(s.agent.handled).toEqual([]);
  });

  it('by default waits until the launched instances report Ready in the cluster metrics', async () => {
    const s = await start(new FakeCloudProvider());
    const plan = await approvedPlan(s, replacementSteps([], { zone: ZONE, launchCount: 2 }));
    const executor = new PlanExecutor(s.central.ctx);
    await executor.tick();
    const launched = (await s.plans.find(null, plan.id))!.steps[0]!.outcome?.instance_ids as string[];
    expect((await s.plans.find(null, plan.id))!.steps[1]?.status).toBe('running');

    const report = async (ready: boolean) => {
      const now = new Date(s.central.clock.now());
      const nodes = launched.map((id, i) => exampleNodeMetric({ node_name: `ip-10-9-0-${i + 1}.ec2.internal`, instance_id: id, availability_zone: ZONE, ready }));
      await new ClusterMetricsRepository(s.central.db.db).storeLatest(s.customerId, s.clusterId, exampleClusterMetrics({ cluster_id: s.clusterId, timestamp: now.toISOString(), nodes, total_nodes: 2, spot_nodes: 2, on_demand_nodes: 0 }), now);
    };
    await s.central.clock.advance(5_000);
    await report(false);
    await executor.tick();
    expect((await s.plans.find(null, plan.id))!.status).toBe('running');
    await s.central.clock.advance(5_000);
    await report(true);
    await executor.tick();
    const done = (await s.plans.find(null, plan.id))!;
    expect(done.status).toBe('succeeded');
    expect(done.steps[1]?.outcome).toMatchObject({ ready_instance_ids: launched, node_names: ['ip-10-9-0-1.ec2.internal', 'ip-10-9-0-2.ec2.internal'] });
  });

  it('rolls back a task-only plan (office hours) without touching EC2; later steps wait for their not_before', async () => {
    const s = await start(new FakeCloudProvider());
    const fake = s.provider as FakeCloudProvider;
    const scale = (step: number, name: string, notBefore: string | null): ExecutionStep => ({ step, action: 'scale_workload', depends_on: [], not_before: notBefore, parameters: { namespace: 'dev', kind: 'Deployment', name, replicas: 0, expected_replicas: 2 } });
    const later = new Date(s.central.clock.now() + 3_600_000).toISOString();
    const real = await approvedPlan(s, [scale(1, 'web', null), scale(2, 'api', later)]);
    const executor = s.executor();
    await executor.tick();
    await s.agent.work();
    await executor.tick();
    const waiting = (await s.plans.find(null, real.id))!;
    expect(waiting.steps.map((st) => st.status)).toEqual(['succeeded', 'pending']);

    await s.central.clock.advance(3_600_000);
    await executor.tick();
    await s.agent.work(() => 'failed');
    await executor.tick();
    const done = (await s.plans.find(null, real.id))!;
    expect(done.status).toBe('rolled_back');
    expect(done.steps.map((st) => st.status)).toEqual(['succeeded', 'failed']);
    expect(fake.calls).toEqual([]);
  });
});
