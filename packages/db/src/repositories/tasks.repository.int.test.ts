import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isAppError, type TaskResult } from '@cloudoptim/contracts';
import { ClustersRepository, CustomersRepository, TasksRepository, type Cluster, type Database, type NewTask, type StoredTask } from '../index.ts';
import { createScratchDatabase, testDatabaseTargets, type ScratchDatabase } from '../testing/test-databases.ts';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const at = (seconds: number) => new Date(T0 + seconds * 1000);
let keySeq = 0;

function newTask(overrides: Partial<NewTask> = {}): NewTask {
  return {
    taskType: 'cordon_node',
    parameters: { node_name: 'ip-10-0-1-5.ec2.internal', reason: null },
    deadline: at(3600),
    createdBy: 'test',
    idempotencyKey: `key-${++keySeq}`,
    ...overrides,
  };
}

function result(task: StoredTask, overrides: Partial<TaskResult> = {}): TaskResult {
  return { task_id: task.id, status: 'success', executed_at: at(5).toISOString(), duration_seconds: 1.5, logs: ['done'], error: null, metadata: {}, ...overrides };
}

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('TasksRepository on $name', (target) => {
  let scratch: ScratchDatabase;
  let database: Database;
  let repo: TasksRepository;
  let customerA: string;
  let customerB: string;
  let cluster: Cluster;
  let otherCluster: Cluster;

  beforeAll(async () => {
    scratch = await createScratchDatabase(target);
    database = await scratch.open();
    repo = new TasksRepository(database.db);
    const customers = new CustomersRepository(database.db);
    const clusters = new ClustersRepository(database.db);
    customerA = (await customers.create({ name: 'Alice Corp' })).id;
    customerB = (await customers.create({ name: 'Bob Ltd' })).id;
    otherCluster = await clusters.create(customerB, { name: 'prod', region: 'eu-west-1' });
    cluster = await clusters.create(customerA, { name: 'prod', region: 'us-east-1' });
  });
  afterAll(async () => {
    await database?.close();
    await scratch?.dispose();
  });
  beforeEach(async () => {
    await database.query('DELETE FROM tasks');
  });

  const lease = (now: Date, max = 10, owner = 'agent-1') => repo.lease(cluster.id, { owner, max, leaseExpiresAt: new Date(now.getTime() + 60_000), now });

  it('enqueues idempotently per cluster: the same key returns the first task', async () => {
    const first = await repo.enqueue(customerA, cluster.id, newTask({ idempotencyKey: 'plan-1:1' }), at(0));
    const again = await repo.enqueue(customerA, cluster.id, newTask({ idempotencyKey: 'plan-1:1', priority: 1 }), at(10));
    expect(first.created).toBe(true);
    expect(again).toEqual({ created: false, task: first.task });
    expect(first.task).toMatchObject({ status: 'pending', attempts: 0, maxAttempts: 3, priority: 5, createdAt: at(0), leaseOwner: null, result: null });
    // The same key in another cluster is another task.
    const elsewhere = await repo.enqueue(customerB, otherCluster.id, newTask({ idempotencyKey: 'plan-1:1' }), at(0));
    expect(elsewhere.created).toBe(true);
  });

  it('refuses a task for another customer’s cluster', async () => {
    const error = await repo.enqueue(customerA, otherCluster.id, newTask(), at(0)).catch((e: unknown) => e);
    expect(isAppError(error) && error.code).toBe('NOT_FOUND');
  });

  it('scopes reads by customer and cluster', async () => {
    const { task } = await repo.enqueue(customerA, cluster.id, newTask(), at(0));
    expect(await repo.find(customerA, cluster.id, task.id)).toEqual(task);
    expect(await repo.find(customerB, cluster.id, task.id)).toBeNull();
    expect(await repo.findInCluster(otherCluster.id, task.id)).toBeNull();
    expect(await repo.find(customerA, cluster.id, 'not-a-uuid')).toBeNull();
  });

  it('leases by priority, then age, up to max, with attempt 1 and the lease expiry', async () => {
    const low = await repo.enqueue(customerA, cluster.id, newTask({ priority: 7 }), at(0));
    const urgent = await repo.enqueue(customerA, cluster.id, newTask({ priority: 1 }), at(2));
    const older = await repo.enqueue(customerA, cluster.id, newTask({ priority: 5 }), at(1));
    const newer = await repo.enqueue(customerA, cluster.id, newTask({ priority: 5 }), at(3));
    const leased = await lease(at(10), 3);
    expect(leased.map((t) => t.id)).toEqual([urgent.task.id, older.task.id, newer.task.id]);
    expect(leased[0]).toMatchObject({ status: 'leased', attempts: 1, leaseOwner: 'agent-1', leaseExpiresAt: at(70) });
    expect((await lease(at(11))).map((t) => t.id)).toEqual([low.task.id]);
    expect(await lease(at(12))).toEqual([]);
    expect(await repo.countOfferable(cluster.id, at(12))).toBe(0);
  });

  it('tells a poll whether it has anything to do: pending, lease expired or deadline passed', async () => {
    expect(await repo.hasDueWork(cluster.id, at(0))).toBe(false);
    const { task } = await repo.enqueue(customerA, cluster.id, newTask({ deadline: at(600) }), at(0));
    expect(await repo.hasDueWork(cluster.id, at(1))).toBe(true);
    expect(await repo.hasDueWork(otherCluster.id, at(1))).toBe(false);
    await lease(at(1));
    expect(await repo.hasDueWork(cluster.id, at(30))).toBe(false);
    expect(await repo.hasDueWork(cluster.id, at(61))).toBe(true);
    await repo.markRunning(cluster.id, [task.id], at(700), at(62));
    expect(await repo.hasDueWork(cluster.id, at(62))).toBe(false);
    // Running with a live lease, but past its deadline: the poll must time it out.
    expect(await repo.hasDueWork(cluster.id, at(600))).toBe(true);
    await repo.recordResult(cluster.id, task.id, result(task, { attempt: 1 }), at(63));
    expect(await repo.hasDueWork(cluster.id, at(601))).toBe(false);
    expect(await repo.hasDueWork('not-a-uuid', at(0))).toBe(false);
  });

  it('never gives the same task to two pollers at once', async () => {
    for (let i = 0; i < 30; i++) await repo.enqueue(customerA, cluster.id, newTask(), at(i));
    const polls = await Promise.all(Array.from({ length: 8 }, (_, i) => lease(at(100), 5, `agent-${i}`)));
    const ids = polls.flat().map((t) => t.id);
    expect(ids.length).toBe(30);
    expect(new Set(ids).size).toBe(30);
  });

  it('re-offers a task whose lease expired as attempt 2 and refuses the late result of attempt 1', async () => {
    const { task } = await repo.enqueue(customerA, cluster.id, newTask(), at(0));
    const [first] = await lease(at(1), 1, 'agent-dead');
    expect(first?.attempts).toBe(1);
    expect(await lease(at(30))).toEqual([]);
    const [second] = await lease(at(61), 1, 'agent-new');
    expect(second).toMatchObject({ id: task.id, attempts: 2, leaseOwner: 'agent-new' });

    const late = await repo.recordResult(cluster.id, task.id, result(task, { attempt: 1 }), at(62));
    expect(late?.kind).toBe('stale');
    const current = await repo.recordResult(cluster.id, task.id, result(task, { attempt: 2 }), at(63));
    expect(current?.kind).toBe('recorded');
    expect(current?.task).toMatchObject({ status: 'success', resultAttempt: 2, leaseOwner: null, finishedAt: at(63) });
  });

  it('accepts the result of the current attempt after its lease expired, as long as no one leased it again', async () => {
    const { task } = await repo.enqueue(customerA, cluster.id, newTask(), at(0));
    await lease(at(1));
    const outcome = await repo.recordResult(cluster.id, task.id, result(task, { status: 'failed', error: 'boom' }), at(200));
    expect(outcome?.kind).toBe('recorded');
    expect(outcome?.task.status).toBe('failed');
    expect(await lease(at(201))).toEqual([]);
  });

  it('records a result once: the same result again is a duplicate, a different one a conflict', async () => {
    const { task } = await repo.enqueue(customerA, cluster.id, newTask(), at(0));
    await lease(at(1));
    const first = await repo.recordResult(cluster.id, task.id, result(task), at(5));
    const again = await repo.recordResult(cluster.id, task.id, result(task), at(6));
    expect(again).toEqual({ kind: 'duplicate', task: first!.task });
    const different = await repo.recordResult(cluster.id, task.id, result(task, { status: 'failed', error: 'x' }), at(7));
    expect(different?.kind).toBe('conflict');
    expect((await repo.findInCluster(cluster.id, task.id))?.status).toBe('success');
  });

  it('refuses a result for a task never leased, and answers null for another cluster’s task', async () => {
    const { task } = await repo.enqueue(customerA, cluster.id, newTask(), at(0));
    expect((await repo.recordResult(cluster.id, task.id, result(task), at(1)))?.kind).toBe('conflict');
    expect(await repo.recordResult(otherCluster.id, task.id, result(task), at(1))).toBeNull();
  });

  it('ends tasks past their deadline as timeout and never offers them', async () => {
    const { task } = await repo.enqueue(customerA, cluster.id, newTask({ deadline: at(30) }), at(0));
    expect(await lease(at(31))).toEqual([]);
    const ended = await repo.timeOutOverdue(cluster.id, at(31));
    expect(ended.map((t) => t.id)).toEqual([task.id]);
    expect(ended[0]).toMatchObject({ status: 'timeout', finishedAt: at(31) });
    expect(await repo.timeOutOverdue(cluster.id, at(32))).toEqual([]);
  });

  it('ends a task as timeout once its last attempt’s lease expired', async () => {
    const { task } = await repo.enqueue(customerA, cluster.id, newTask({ maxAttempts: 2 }), at(0));
    await lease(at(0));
    await lease(at(61));
    expect(await lease(at(122))).toEqual([]);
    const ended = await repo.timeOutOverdue(cluster.id, at(122));
    expect(ended).toEqual([expect.objectContaining({ id: task.id, status: 'timeout', attempts: 2 })]);
  });

  it('keeps a running task’s lease alive while the agent reports it running', async () => {
    const { task } = await repo.enqueue(customerA, cluster.id, newTask(), at(0));
    await lease(at(0));
    const first = await repo.markRunning(cluster.id, [task.id, 'not-a-uuid'], at(100), at(50));
    expect(first.renewed).toEqual([expect.objectContaining({ id: task.id, status: 'running', leaseExpiresAt: at(100) })]);
    expect(first.started.map((t) => t.id)).toEqual([task.id]);
    expect(await lease(at(90))).toEqual([]);
    const second = await repo.markRunning(cluster.id, [task.id], at(150), at(90));
    expect([second.renewed.map((t) => t.leaseExpiresAt), second.started]).toEqual([[at(150)], []]);
    expect(await repo.markRunning(otherCluster.id, [task.id], at(200), at(60))).toEqual({ renewed: [], started: [] });
  });

  it('leases one task on demand (an acknowledged urgent drain) only while it is offerable', async () => {
    const { task } = await repo.enqueue(customerA, cluster.id, newTask({ urgent: true, interruptionTime: at(120) }), at(0));
    expect((await repo.pendingUrgent(cluster.id, at(1))).map((t) => t.id)).toEqual([task.id]);
    const leased = await repo.leaseOne(cluster.id, task.id, { owner: 'ws', leaseExpiresAt: at(61), now: at(1) });
    expect(leased).toMatchObject({ status: 'leased', attempts: 1, interruptionTime: at(120) });
    expect(await repo.leaseOne(cluster.id, task.id, { owner: 'ws', leaseExpiresAt: at(62), now: at(2) })).toBeNull();
    expect(await repo.pendingUrgent(cluster.id, at(2))).toEqual([]);
  });

  it('cancels open tasks only; keeps an agent’s later report for the record', async () => {
    const { task } = await repo.enqueue(customerA, cluster.id, newTask(), at(0));
    await lease(at(1));
    const cancelled = await repo.cancel(cluster.id, task.id, 'user asked', at(2));
    expect(cancelled).toMatchObject({ cancelled: true, task: { status: 'cancelled', cancelReason: 'user asked', finishedAt: at(2) } });
    expect((await repo.cancel(cluster.id, task.id, 'again', at(3)))?.cancelled).toBe(false);
    const report = await repo.recordResult(cluster.id, task.id, result(task, { status: 'cancelled' }), at(4));
    expect(report?.kind).toBe('recorded');
    expect(report?.task).toMatchObject({ status: 'cancelled', result: expect.objectContaining({ status: 'cancelled' }), finishedAt: at(2) });
    expect(await repo.cancel(otherCluster.id, task.id, 'x', at(5))).toBeNull();
  });

  it('lists a cluster’s tasks newest first with status and type filters', async () => {
    const a = await repo.enqueue(customerA, cluster.id, newTask(), at(0));
    const b = await repo.enqueue(customerA, cluster.id, newTask({ taskType: 'collect_metrics', parameters: { reason: null } }), at(1));
    await repo.cancel(cluster.id, a.task.id, 'x', at(2));
    expect((await repo.list(customerA, cluster.id)).map((t) => t.id)).toEqual([b.task.id, a.task.id]);
    expect((await repo.list(customerA, cluster.id, { status: 'cancelled' })).map((t) => t.id)).toEqual([a.task.id]);
    expect((await repo.list(customerA, cluster.id, { taskType: 'collect_metrics' })).map((t) => t.id)).toEqual([b.task.id]);
    expect((await repo.list(customerA, cluster.id, { limit: 1, offset: 1 })).map((t) => t.id)).toEqual([a.task.id]);
    expect(await repo.list(customerB, cluster.id)).toEqual([]);
  });
});
