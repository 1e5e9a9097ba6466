/**
 * The executor on the fake gateway and a ManualClock: priority and urgency, bounded concurrency, idempotency by
 * task_id, deadlines (before and during a task), cancellation, and bad tasks failing alone.
 */
import { TaskResultSchema, type TaskResult } from '@cloudoptim/contracts';
import { fakeNode, fakePod, FakeKubeGateway } from '@cloudoptim/kube';
import { ManualClock, silentLogger } from '@cloudoptim/runtime';
import { describe, expect, it } from 'vitest';
import { taskOf } from '../testing/tasks.ts';
import { TaskExecutor } from './task-executor.ts';

const T0 = Date.UTC(2026, 0, 1);

function setup(maxConcurrent = 1, terminationMs = 0) {
  const clock = new ManualClock(T0);
  const kube = new FakeKubeGateway({ clock, terminationMs });
  for (const n of ['n1', 'n2', 'n3']) kube.addNode(fakeNode(n));
  const results: TaskResult[] = [];
  const executor = new TaskExecutor({
    kube, clock, log: silentLogger, clusterId: 'cl-test', maxConcurrent,
    drain: { retryIntervalMs: 1_000, maxRetryIntervalMs: 4_000 },
    collectMetrics: async () => ({ nodes: 3 }),
    onResult: (r) => results.push(TaskResultSchema.parse(r)),
  });
  return { clock, kube, results, executor };
}

const label = (nowMs: number, node: string, extra: Parameters<typeof taskOf<'label_node'>>[3] = {}) =>
  taskOf('label_node', nowMs, { node_name: node, labels: { seen: 'yes' } }, extra);

describe('TaskExecutor', () => {
  it('runs tasks by priority, then earliest deadline, one at a time when the limit is 1', async () => {
    const { results, executor } = setup(1);
    executor.submit(label(T0, 'n1', { task_id: 'first' }));
    executor.submit(label(T0, 'n1', { task_id: 'low', priority: 9 }));
    executor.submit(label(T0, 'n2', { task_id: 'late', priority: 5, deadlineSeconds: 7200 }));
    executor.submit(label(T0, 'n2', { task_id: 'soon', priority: 5, deadlineSeconds: 600 }));
    executor.submit(label(T0, 'n3', { task_id: 'high', priority: 2 }));
    expect(executor.runningTaskIds).toEqual(['first']);
    expect(executor.queued).toBe(4);
    await executor.idle();
    expect(results.map((r) => [r.task_id, r.status])).toEqual([['first', 'success'], ['high', 'success'], ['soon', 'success'], ['late', 'success'], ['low', 'success']]);
    expect(results.every((r) => r.cluster_id === 'cl-test' && r.attempt === 1 && r.error === null)).toBe(true);
  });

  it('starts an urgent task at once even when every slot is taken by a long drain', async () => {
    const { executor, results, kube, clock } = setup(1);
    kube.addPod(fakePod('web-0', { nodeName: 'n1', labels: { app: 'web' }, owner: { kind: 'ReplicaSet', name: 'web-1', uid: 'rs' } }));
    kube.addPdb({ namespace: 'default', name: 'web', selector: { matchLabels: { app: 'web' }, matchExpressions: [] }, minAvailable: 1 });
    executor.submit(taskOf('drain_node', T0, { node_name: 'n1', timeout_seconds: 600 }, { task_id: 'long' }));
    executor.submit(label(T0, 'n2', { task_id: 'normal' }));
    executor.submit(taskOf('cordon_node', T0, { node_name: 'n3' }, { task_id: 'urgent' }), { urgent: true });
    expect(executor.runningTaskIds).toEqual(['long', 'urgent']);
    await clock.advance(1_000);
    expect(results.map((r) => r.task_id)).toEqual(['urgent']);
    expect(executor.queued).toBe(1);
    executor.cancel('long', null);
  });

  it('runs at most maxConcurrent tasks at once and reports its capacity', async () => {
    const { executor, results } = setup(2);
    expect(executor.capacity).toBe(2);
    for (const n of ['n1', 'n2', 'n3']) executor.submit(label(T0, n));
    expect(executor.runningTaskIds).toHaveLength(2);
    expect(executor.capacity).toBe(0);
    await executor.idle();
    expect(results).toHaveLength(3);
    expect(executor.capacity).toBe(2);
  });

  it('is idempotent by task_id: a duplicate is ignored, a re-offer after the end re-sends the result', async () => {
    const { executor, results, kube } = setup(1);
    const t = label(T0, 'n1', { task_id: 'once' });
    expect(executor.submit(t)).toBe('accepted');
    expect(executor.submit(t)).toBe('duplicate');
    await executor.idle();
    expect(executor.submit(t)).toBe('duplicate');
    expect(executor.submit({ ...t, attempt: 2 })).toBe('resent');
    expect(results.map((r) => [r.task_id, r.attempt])).toEqual([['once', 1], ['once', 2]]);
    expect(kube.callsOf('labelNode')).toHaveLength(1);
  });

  it('reports timeout for a task whose deadline passed before it started, without running it', async () => {
    const { executor, results, kube, clock } = setup(1);
    await clock.advance(10_000);
    executor.submit(label(T0, 'n1', { deadlineSeconds: 5 }));
    await executor.idle();
    expect(results[0]).toMatchObject({ status: 'timeout', duration_seconds: 0 });
    expect(results[0]?.error).toMatch(/deadline .* passed before the task could start/);
    expect(kube.callsOf('labelNode')).toHaveLength(0);
  });

  it('stops a running drain at its deadline and reports timeout naming the pods left', async () => {
    const { executor, results, kube, clock } = setup(1);
    kube.addPod(fakePod('web-0', { nodeName: 'n1', labels: { app: 'web' }, owner: { kind: 'ReplicaSet', name: 'web-1', uid: 'rs' } }));
    kube.addPdb({ namespace: 'default', name: 'web', selector: { matchLabels: { app: 'web' }, matchExpressions: [] }, minAvailable: 1 });
    executor.submit(taskOf('drain_node', T0, { node_name: 'n1', timeout_seconds: 600 }, { deadlineSeconds: 30 }));
    for (let i = 0; i < 40 && results.length === 0; i++) await clock.advance(1_000);
    expect(results[0]?.status).toBe('timeout');
    expect(results[0]?.error).toMatch(/default\/web-0 \(refused by a PodDisruptionBudget/);
    expect(results[0]?.metadata).toMatchObject({ node_name: 'n1', pods_remaining: 1 });
  });

  it('cancels queued tasks at once and running ones through their signal', async () => {
    const { executor, results, kube, clock } = setup(1);
    kube.addPod(fakePod('web-0', { nodeName: 'n1', labels: { app: 'web' }, owner: { kind: 'ReplicaSet', name: 'web-1', uid: 'rs' } }));
    kube.addPdb({ namespace: 'default', name: 'web', selector: { matchLabels: { app: 'web' }, matchExpressions: [] }, minAvailable: 1 });
    executor.submit(taskOf('drain_node', T0, { node_name: 'n1', timeout_seconds: 600 }, { task_id: 'drain' }));
    executor.submit(label(T0, 'n2', { task_id: 'queued' }));
    expect(executor.cancel('queued', 'plan rolled back')).toBe(true);
    expect(results.map((r) => [r.task_id, r.status, r.error])).toEqual([['queued', 'cancelled', 'cancelled by central: plan rolled back']]);
    await clock.advance(3_000);
    expect(executor.cancel('drain', null)).toBe(true);
    expect(executor.cancel('never-seen', null)).toBe(false);
    for (let i = 0; i < 10 && results.length < 2; i++) await clock.advance(1_000);
    expect(results[1]).toMatchObject({ task_id: 'drain', status: 'cancelled' });
  });

  it('fails an unknown task type or invalid parameters alone, with a clear error, and keeps running', async () => {
    const { executor, results } = setup(1);
    const good = label(T0, 'n1', { task_id: 'good' });
    expect(executor.submit({ ...good, task_id: 'reboot', task_type: 'reboot_node' })).toBe('rejected');
    expect(executor.submit({ ...good, task_id: 'bad-params', parameters: { node_name: 'n1', labels: {} } })).toBe('rejected');
    expect(executor.submit({ nothing: 'useful' })).toBe('rejected');
    executor.submit(good);
    await executor.idle();
    const byId = Object.fromEntries(results.map((r) => [r.task_id, r]));
    expect(byId['reboot']).toMatchObject({ status: 'failed', error_code: 'VALIDATION_FAILED' });
    expect(byId['reboot']?.error).toMatch(/unknown task type "reboot_node"; this agent executes cordon_node, uncordon_node, drain_node/);
    expect(byId['bad-params']?.error).toMatch(/task bad-params \(label_node\) is invalid: parameters.labels: at least one label/);
    expect(byId['good']?.status).toBe('success');
    expect(results).toHaveLength(3);
  });

  it('turns a gateway failure into a failed result with its code', async () => {
    const { executor, results } = setup(1);
    executor.submit(label(T0, 'ghost'));
    executor.submit(taskOf('cordon_node', T0, { node_name: 'n1', instance_id: 'i-0123456789abcdef0' }));
    await executor.idle();
    expect(results.map((r) => [r.status, r.error_code])).toEqual([['failed', 'NOT_FOUND'], ['failed', 'CONFLICT']]);
    expect(results[1]?.error).toMatch(/node n1 is backed by i-0.*, not i-0123456789abcdef0: the name was reused/);
  });
});
