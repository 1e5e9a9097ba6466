import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ClusterMetricsSchema, TaskPollResponseSchema } from '@cloudoptim/contracts';
import { AgentHeartbeatsRepository, ClusterEventsRepository, ClusterMetricsRepository, ClustersRepository, NodesRepository, PodsRepository, TasksRepository } from '@cloudoptim/db';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { expectError } from '../testing/http-assertions.ts';
import { bearer, createTestCentral, type TestCentral, type TestCluster, type TestCustomer } from '../testing/test-central.ts';
import { clusterEvent, clusterMetrics, heartbeat, nodeMetric, podMetric, recordAdminEvents, taskResult } from './agent-messages.test-support.ts';

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('client API on $name', (target) => {
  let central: TestCentral;
  let acme: TestCustomer;
  let globex: TestCustomer;
  let a: TestCluster;
  let b: TestCluster;
  let keySeq = 0;

  beforeAll(async () => {
    central = await createTestCentral({ target });
    acme = await central.createCustomer('Acme');
    globex = await central.createCustomer('Globex');
    a = await central.registerCluster(acme.customerId, 'prod');
    b = await central.registerCluster(globex.customerId, 'prod');
  });
  afterAll(() => central?.close());
  beforeEach(async () => {
    await central.db.query('DELETE FROM tasks');
  });

  const now = () => new Date(central.clock.now());
  const inject = (method: 'GET' | 'POST', url: string, key: string | undefined, payload?: unknown) =>
    central.app.inject({ method, url, headers: key ? bearer(key) : {}, ...(payload !== undefined && { payload: payload as Record<string, unknown> }) });
  const enqueue = (cluster: TestCluster, customerId: string, overrides: { priority?: number; deadlineInS?: number; urgent?: boolean } = {}) =>
    central.ctx.tasks.enqueue({
      customerId,
      clusterId: cluster.clusterId,
      taskType: 'cordon_node',
      parameters: { node_name: 'node-a' },
      priority: overrides.priority,
      deadline: new Date(central.clock.now() + (overrides.deadlineInS ?? 3600) * 1000),
      createdBy: 'test',
      idempotencyKey: `k-${++keySeq}`,
      urgent: overrides.urgent,
    });
  const storedTask = (id: string) => new TasksRepository(central.db.db).findInCluster(a.clusterId, id);

  describe('GET /api/v1/client/tasks', () => {
    it('leases the cluster’s tasks, most urgent first, once', async () => {
      const low = await enqueue(a, acme.customerId, { priority: 8 });
      const high = await enqueue(a, acme.customerId, { priority: 2 });
      const res = await inject('GET', '/api/v1/client/tasks?max=5', a.apiKey);
      expect(res.statusCode).toBe(200);
      const body = TaskPollResponseSchema.parse(res.json());
      expect(body.tasks.map((t) => t.task_id)).toEqual([high.task.task_id, low.task.task_id]);
      expect(body.tasks[0]).toMatchObject({ attempt: 1, lease_expires_at: new Date(central.clock.now() + 60_000).toISOString(), cluster_id: a.clusterId });
      expect(body.lease_seconds).toBe(60);
      expect((await inject('GET', '/api/v1/client/tasks', a.apiKey)).json().tasks).toEqual([]);
    });

    it('offers a task again after its lease expired (attempt 2) and refuses the late result of attempt 1', async () => {
      const { task } = await enqueue(a, acme.customerId);
      await inject('GET', '/api/v1/client/tasks', a.apiKey);
      await central.clock.advance(61_000);
      const again = (await inject('GET', '/api/v1/client/tasks', a.apiKey)).json().tasks;
      expect(again).toEqual([expect.objectContaining({ task_id: task.task_id, attempt: 2 })]);
      const late = await inject('POST', `/api/v1/client/tasks/${task.task_id}/result`, a.apiKey, taskResult(task.task_id, { attempt: 1 }));
      expect(expectError(late, 409, 'LEASE_EXPIRED').details).toMatchObject({ attempt: 2 });
      const current = await inject('POST', `/api/v1/client/tasks/${task.task_id}/result`, a.apiKey, taskResult(task.task_id, { attempt: 2 }));
      expect(current.json()).toEqual({ task_id: task.task_id, status: 'success', duplicate: false });
    });

    it('ends tasks past their deadline as timeout instead of offering them', async () => {
      const { task } = await enqueue(a, acme.customerId, { deadlineInS: 30 });
      await central.clock.advance(31_000);
      expect((await inject('GET', '/api/v1/client/tasks', a.apiKey)).json().tasks).toEqual([]);
      expect((await storedTask(task.task_id))?.status).toBe('timeout');
    });

    it('rejects a bad query with the envelope and leases nothing', async () => {
      const { task } = await enqueue(a, acme.customerId);
      expectError(await inject('GET', '/api/v1/client/tasks?max=0', a.apiKey), 400, 'VALIDATION_FAILED');
      expectError(await inject('GET', '/api/v1/client/tasks?max=many', a.apiKey), 400, 'VALIDATION_FAILED');
      expect((await storedTask(task.task_id))?.status).toBe('pending');
    });

    it('needs a valid agent key, and a key reaches only its own cluster’s tasks', async () => {
      await enqueue(a, acme.customerId);
      expectError(await inject('GET', '/api/v1/client/tasks', undefined), 401, 'UNAUTHENTICATED');
      expectError(await inject('GET', '/api/v1/client/tasks', 'coa_not-a-real-key'), 401, 'UNAUTHENTICATED');
      expectError(await inject('GET', '/api/v1/client/tasks', acme.admin.token), 401, 'UNAUTHENTICATED');
      expect((await inject('GET', '/api/v1/client/tasks', b.apiKey)).json().tasks).toEqual([]);
    });
  });

  describe('POST /api/v1/client/tasks/:task_id/result', () => {
    it('ends the task, tells admins, and answers a re-sent result as a duplicate', async () => {
      const recorder = recordAdminEvents(central.ctx.realtime, acme.customerId);
      const { task } = await enqueue(a, acme.customerId);
      await inject('GET', '/api/v1/client/tasks', a.apiKey);
      const result = taskResult(task.task_id, { status: 'failed', error: 'PDB blocked', error_code: 'PDB_BLOCKED', cluster_id: a.clusterId });
      const first = await inject('POST', `/api/v1/client/tasks/${task.task_id}/result`, a.apiKey, result);
      expect(first.json()).toEqual({ task_id: task.task_id, status: 'failed', duplicate: false });
      const updated = await recorder.waitFor((e) => e.type === 'task_updated' && e.status === 'failed');
      expect(updated).toMatchObject({ task_id: task.task_id, result: { error_code: 'PDB_BLOCKED' } });
      const before = await storedTask(task.task_id);
      const second = await inject('POST', `/api/v1/client/tasks/${task.task_id}/result`, a.apiKey, result);
      expect(second.json()).toEqual({ task_id: task.task_id, status: 'failed', duplicate: true });
      expect(await storedTask(task.task_id)).toEqual(before);
      recorder.stop();
    });

    it('rejects invalid results with the envelope and changes nothing', async () => {
      const { task } = await enqueue(a, acme.customerId);
      await inject('GET', '/api/v1/client/tasks', a.apiKey);
      const before = await storedTask(task.task_id);
      expectError(await inject('POST', `/api/v1/client/tasks/${task.task_id}/result`, a.apiKey, { task_id: task.task_id, status: 'done' }), 400, 'VALIDATION_FAILED');
      expectError(await inject('POST', `/api/v1/client/tasks/${task.task_id}/result`, a.apiKey, taskResult(task.task_id, { status: 'failed', error: null })), 400, 'VALIDATION_FAILED');
      const mismatch = expectError(await inject('POST', `/api/v1/client/tasks/${task.task_id}/result`, a.apiKey, taskResult('another-task')), 400, 'VALIDATION_FAILED');
      expect(mismatch.details).toMatchObject({ issues: [{ path: 'task_id' }] });
      expect(await storedTask(task.task_id)).toEqual(before);
    });

    it('refuses a result for a task never leased', async () => {
      const { task } = await enqueue(a, acme.customerId);
      expectError(await inject('POST', `/api/v1/client/tasks/${task.task_id}/result`, a.apiKey, taskResult(task.task_id)), 409, 'CONFLICT');
    });

    it('needs a key of the task’s cluster', async () => {
      const { task } = await enqueue(a, acme.customerId);
      await inject('GET', '/api/v1/client/tasks', a.apiKey);
      expectError(await inject('POST', `/api/v1/client/tasks/${task.task_id}/result`, undefined, taskResult(task.task_id)), 401, 'UNAUTHENTICATED');
      expectError(await inject('POST', `/api/v1/client/tasks/${task.task_id}/result`, b.apiKey, taskResult(task.task_id)), 404, 'NOT_FOUND');
      expectError(await inject('POST', `/api/v1/client/tasks/${task.task_id}/result`, b.apiKey, taskResult(task.task_id, { cluster_id: a.clusterId })), 403, 'FORBIDDEN');
      expect((await storedTask(task.task_id))?.status).toBe('leased');
    });
  });

  describe('POST /api/v1/client/metrics', () => {
    it('stores nodes, pods, history and the latest report, and updates the cluster state with real prices', async () => {
      const recorder = recordAdminEvents(central.ctx.realtime, acme.customerId);
      const t1 = now();
      const report = clusterMetrics(a.clusterId, t1, [nodeMetric('node-a'), nodeMetric('node-b', { node_type: 'on-demand', availability_zone: 'us-east-1b' })], [podMetric('web-1'), podMetric('web-2', { node_name: 'node-b' })]);
      const res = await inject('POST', '/api/v1/client/metrics', a.apiKey, report);
      expect(res.json()).toEqual({ accepted: 1, duplicates: 0, server_time: t1.toISOString() });

      const onDemand = central.ctx.market.onDemandPrice('us-east-1', 'm5.large')!.usdPerHour;
      const cluster = await new ClustersRepository(central.db.db).get(acme.customerId, a.clusterId);
      expect(cluster).toMatchObject({ totalNodes: 2, spotNodes: 1, onDemandNodes: 1, totalPods: 2, runningPods: 2, lastUpdated: t1 });
      expect(cluster.baselineCostPerHour).toBeCloseTo(2 * onDemand, 5);
      expect(cluster.currentCostPerHour).toBeGreaterThan(0);
      expect(cluster.currentCostPerHour).toBeLessThanOrEqual(cluster.baselineCostPerHour);
      expect((await new NodesRepository(central.db.db).list(acme.customerId, a.clusterId)).map((n) => [n.nodeName, n.capacityType, n.cpuAllocatableCores])).toEqual([
        ['node-a', 'spot', 1.93],
        ['node-b', 'on-demand', 1.93],
      ]);
      expect((await new PodsRepository(central.db.db).list(acme.customerId, a.clusterId)).map((p) => p.podName)).toEqual(['web-1', 'web-2']);
      expect((await new ClusterMetricsRepository(central.db.db).latest(acme.customerId, a.clusterId))?.metrics).toEqual(ClusterMetricsSchema.parse(report));
      expect(await new ClusterMetricsRepository(central.db.db).history(acme.customerId, a.clusterId, { from: t1, to: t1 })).toHaveLength(1);

      const state = await recorder.waitFor((e) => e.type === 'cluster_state_changed');
      expect(state).toMatchObject({ cluster_id: a.clusterId, state: { total_nodes: 2, health_status: 'RED' } });
      expect(recorder.events.filter((e) => e.type === 'node_added').map((e) => e.type === 'node_added' && e.node.node_name).sort()).toEqual(['node-a', 'node-b']);

      // The same report again (the agent lost our answer): a duplicate, nothing changes.
      expect((await inject('POST', '/api/v1/client/metrics', a.apiKey, report)).json()).toMatchObject({ accepted: 0, duplicates: 1 });

      // A newer report without node-b: the node is gone and admins hear it.
      await central.clock.advance(60_000);
      const t2 = now();
      await inject('POST', '/api/v1/client/metrics', a.apiKey, clusterMetrics(a.clusterId, t2, [nodeMetric('node-a')], [podMetric('web-1')]));
      const removed = await recorder.waitFor((e) => e.type === 'node_removed');
      expect(removed).toMatchObject({ node_name: 'node-b', instance_id: nodeMetric('node-b').instance_id });
      expect((await new NodesRepository(central.db.db).list(acme.customerId, a.clusterId)).map((n) => n.nodeName)).toEqual(['node-a']);
      expect((await new PodsRepository(central.db.db).list(acme.customerId, a.clusterId)).map((p) => p.podName)).toEqual(['web-1']);

      // A late report from the agent's buffer (older than the latest) only fills in history.
      const late = await inject('POST', '/api/v1/client/metrics', a.apiKey, clusterMetrics(a.clusterId, new Date(t1.getTime() + 30_000), [nodeMetric('node-z')]));
      expect(late.json()).toMatchObject({ accepted: 1, duplicates: 0 });
      expect((await new NodesRepository(central.db.db).list(acme.customerId, a.clusterId)).map((n) => n.nodeName)).toEqual(['node-a']);
      expect((await new ClusterMetricsRepository(central.db.db).latest(acme.customerId, a.clusterId))?.metrics.timestamp).toBe(t2.toISOString());
      recorder.stop();
    });

    it('rejects an invalid report with the envelope and stores nothing', async () => {
      const t = new Date(central.clock.now() + 5_000);
      const report = clusterMetrics(a.clusterId, t, [nodeMetric('node-a')]);
      const inconsistent = { ...report, spot_nodes: 5 };
      const error = expectError(await inject('POST', '/api/v1/client/metrics', a.apiKey, inconsistent), 400, 'VALIDATION_FAILED');
      expect(error.details).toMatchObject({ issues: [{ path: 'spot_nodes' }] });
      expectError(await inject('POST', '/api/v1/client/metrics', a.apiKey, { ...report, nodes: [{ node_name: 'x' }] }), 400, 'VALIDATION_FAILED');
      expect(await new ClusterMetricsRepository(central.db.db).history(acme.customerId, a.clusterId, { from: t, to: t })).toEqual([]);
    });

    it('needs a key, and a key cannot post for another cluster', async () => {
      const t = new Date(central.clock.now() + 7_000);
      const report = clusterMetrics(a.clusterId, t, [nodeMetric('node-q')]);
      expectError(await inject('POST', '/api/v1/client/metrics', undefined, report), 401, 'UNAUTHENTICATED');
      expectError(await inject('POST', '/api/v1/client/metrics', b.apiKey, report), 403, 'FORBIDDEN');
      expect(await new ClusterMetricsRepository(central.db.db).history(acme.customerId, a.clusterId, { from: t, to: t })).toEqual([]);
      expect(await new ClusterMetricsRepository(central.db.db).latest(globex.customerId, b.clusterId)).toBeUndefined();
    });
  });

  describe('POST /api/v1/client/events', () => {
    it('stores each event once', async () => {
      const events = [clusterEvent(a.clusterId, 'ev-1', now()), clusterEvent(a.clusterId, 'ev-2', now(), { kind: 'node_not_ready', namespace: null, pod_name: null })];
      expect((await inject('POST', '/api/v1/client/events', a.apiKey, { events })).json()).toEqual({ accepted: 2, duplicates: 0, server_time: now().toISOString() });
      expect((await inject('POST', '/api/v1/client/events', a.apiKey, { events })).json()).toMatchObject({ accepted: 0, duplicates: 2 });
      expect(await new ClusterEventsRepository(central.db.db).list(acme.customerId, a.clusterId)).toHaveLength(2);
    });

    it('rejects invalid batches and stores nothing', async () => {
      expectError(await inject('POST', '/api/v1/client/events', a.apiKey, { events: [] }), 400, 'VALIDATION_FAILED');
      expectError(await inject('POST', '/api/v1/client/events', a.apiKey, { events: [{ ...clusterEvent(a.clusterId, 'ev-bad', now()), kind: 'meteor' }] }), 400, 'VALIDATION_FAILED');
      expect((await new ClusterEventsRepository(central.db.db).list(acme.customerId, a.clusterId)).map((e) => e.event.event_id)).not.toContain('ev-bad');
    });

    it('needs a key, and a key cannot post events of another cluster', async () => {
      const events = [clusterEvent(a.clusterId, 'ev-x', now())];
      expectError(await inject('POST', '/api/v1/client/events', undefined, { events }), 401, 'UNAUTHENTICATED');
      expectError(await inject('POST', '/api/v1/client/events', b.apiKey, { events }), 403, 'FORBIDDEN');
      expect(await new ClusterEventsRepository(central.db.db).list(globex.customerId, b.clusterId)).toEqual([]);
    });
  });

  describe('POST /api/v1/client/heartbeat', () => {
    it('records the heartbeat, turns the cluster GREEN and answers with pending work and the settings version', async () => {
      const recorder = recordAdminEvents(central.ctx.realtime, acme.customerId);
      await enqueue(a, acme.customerId);
      const res = await inject('POST', '/api/v1/client/heartbeat', a.apiKey, heartbeat(a.clusterId, now()));
      expect(res.json()).toEqual({ server_time: now().toISOString(), pending_tasks: 1, config_version: 1, poll_interval_seconds: 10 });
      expect((await new AgentHeartbeatsRepository(central.db.db).find(acme.customerId, a.clusterId))?.receivedAt).toEqual(now());
      expect((await new ClustersRepository(central.db.db).get(acme.customerId, a.clusterId)).healthStatus).toBe('GREEN');
      expect(await recorder.waitFor((e) => e.type === 'cluster_state_changed' && e.state.health_status === 'GREEN')).toBeDefined();
      recorder.stop();
    });

    it('keeps the lease of tasks the agent reports running', async () => {
      const { task } = await enqueue(a, acme.customerId);
      await inject('GET', '/api/v1/client/tasks', a.apiKey);
      await central.clock.advance(50_000);
      await inject('POST', '/api/v1/client/heartbeat', a.apiKey, heartbeat(a.clusterId, now(), { running_task_ids: [task.task_id] }));
      await central.clock.advance(50_000);
      expect((await inject('GET', '/api/v1/client/tasks', a.apiKey)).json().tasks).toEqual([]);
      expect((await storedTask(task.task_id))?.status).toBe('running');
    });

    it('rejects an invalid heartbeat and records nothing', async () => {
      const before = await new AgentHeartbeatsRepository(central.db.db).find(globex.customerId, b.clusterId);
      expectError(await inject('POST', '/api/v1/client/heartbeat', b.apiKey, { ...heartbeat(b.clusterId, now()), buffered_messages: -1 }), 400, 'VALIDATION_FAILED');
      expect(await new AgentHeartbeatsRepository(central.db.db).find(globex.customerId, b.clusterId)).toEqual(before);
    });

    it('needs a key, and a key cannot beat for another cluster', async () => {
      expectError(await inject('POST', '/api/v1/client/heartbeat', undefined, heartbeat(a.clusterId, now())), 401, 'UNAUTHENTICATED');
      expectError(await inject('POST', '/api/v1/client/heartbeat', b.apiKey, heartbeat(a.clusterId, now())), 403, 'FORBIDDEN');
      expect(await new AgentHeartbeatsRepository(central.db.db).find(globex.customerId, b.clusterId)).toBeNull();
    });
  });
});
