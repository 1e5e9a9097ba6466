import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterStateSchema } from '@cloudoptim/contracts';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { clusterEvent, clusterMetrics, heartbeat, nodeMetric, podMetric, recordAdminEvents, taskResult } from '../client/agent-messages.test-support.ts';
import { expectError } from '../testing/http-assertions.ts';
import { bearer, createTestCentral, type TestCentral, type TestCluster, type TestCustomer } from '../testing/test-central.ts';

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('admin cluster data routes on $name', (target) => {
  let central: TestCentral;
  let acme: TestCustomer;
  let globex: TestCustomer;
  let a: TestCluster;
  let b: TestCluster;
  let fresh: TestCluster;
  let leasedTaskId: string;
  let doneTaskId: string;
  let pendingTaskId: string;

  const now = () => new Date(central.clock.now());
  const inject = (method: 'GET' | 'POST', url: string, token: string | undefined, payload?: Record<string, unknown>) =>
    central.app.inject({ method, url, headers: token ? bearer(token) : {}, ...(payload && { payload }) });
  const enqueue = async (key: string, taskType: 'cordon_node' | 'collect_metrics' = 'cordon_node') => {
    await central.clock.advance(1000);
    return central.ctx.tasks.enqueue({
      customerId: acme.customerId,
      clusterId: a.clusterId,
      taskType,
      parameters: taskType === 'cordon_node' ? { node_name: 'node-a' } : {},
      deadline: new Date(central.clock.now() + 3_600_000),
      createdBy: 'test',
      idempotencyKey: key,
    });
  };

  beforeAll(async () => {
    central = await createTestCentral({ target });
    acme = await central.createCustomer('Acme');
    globex = await central.createCustomer('Globex');
    a = await central.registerCluster(acme.customerId, 'prod');
    fresh = await central.registerCluster(acme.customerId, 'staging', 'eu-west-1');
    b = await central.registerCluster(globex.customerId, 'prod');
    const agent = (method: 'GET' | 'POST', url: string, payload?: unknown) => central.app.inject({ method, url, headers: bearer(a.apiKey), ...(payload !== undefined && { payload: payload as Record<string, unknown> }) });
    await agent('POST', '/api/v1/client/heartbeat', heartbeat(a.clusterId, now()));
    const pods = [podMetric('web-1'), podMetric('web-2', { node_name: 'node-b' }), podMetric('db-0', { namespace: 'data' })];
    await agent('POST', '/api/v1/client/metrics', clusterMetrics(a.clusterId, now(), [nodeMetric('node-a'), nodeMetric('node-b', { node_type: 'on-demand' })], pods));
    await agent('POST', '/api/v1/client/events', { events: [0, 1, 2].map((i) => clusterEvent(a.clusterId, `ev-${i}`, new Date(central.clock.now() + i * 1000))) });
    doneTaskId = (await enqueue('t-done')).task.task_id;
    await agent('GET', '/api/v1/client/tasks?max=1');
    await agent('POST', `/api/v1/client/tasks/${doneTaskId}/result`, taskResult(doneTaskId));
    leasedTaskId = (await enqueue('t-leased')).task.task_id;
    await agent('GET', '/api/v1/client/tasks?max=1');
    pendingTaskId = (await enqueue('t-pending', 'collect_metrics')).task.task_id;
  });
  afterAll(() => central?.close());

  /** Every read route of a cluster: 401 without a session, 404 for another customer's or an unknown cluster. */
  const reads = ['state', 'nodes', 'pods', 'events', 'tasks'];

  it.each(reads)('GET …/%s: 401 without a session, 404 for another customer’s cluster, unknown and malformed ids', async (what) => {
    expectError(await inject('GET', `/api/v1/admin/clusters/${a.clusterId}/${what}`, undefined), 401, 'UNAUTHENTICATED');
    expectError(await inject('GET', `/api/v1/admin/clusters/${b.clusterId}/${what}`, acme.admin.token), 404, 'NOT_FOUND');
    expectError(await inject('GET', `/api/v1/admin/clusters/${a.clusterId}/${what}`, globex.viewer.token), 404, 'NOT_FOUND');
    expectError(await inject('GET', `/api/v1/admin/clusters/00000000-0000-4000-8000-000000000000/${what}`, central.operator.token), 404, 'NOT_FOUND');
    expectError(await inject('GET', `/api/v1/admin/clusters/not%20an%20id/${what}`, central.operator.token), 400, 'VALIDATION_FAILED');
  });

  describe('GET …/state', () => {
    it('serves the ClusterState with health computed now', async () => {
      const state = ClusterStateSchema.parse((await inject('GET', `/api/v1/admin/clusters/${a.clusterId}/state`, acme.viewer.token)).json());
      expect(state).toMatchObject({ cluster_id: a.clusterId, cluster_name: 'prod', region: 'us-east-1', total_nodes: 2, spot_nodes: 1, total_pods: 3, health_status: 'GREEN' });
      expect(state.baseline_cost_per_hour).toBeGreaterThan(0);
      // An operator sees any customer's cluster; a never-connected cluster is RED with zeros.
      const other = ClusterStateSchema.parse((await inject('GET', `/api/v1/admin/clusters/${fresh.clusterId}/state`, central.operator.token)).json());
      expect(other).toMatchObject({ total_nodes: 0, current_cost_per_hour: 0, health_status: 'RED' });
    });

    it('turns YELLOW, then RED, as heartbeats stop (on read, before any worker pass)', async () => {
      const health = async () => (await inject('GET', `/api/v1/admin/clusters/${a.clusterId}/state`, acme.admin.token)).json().health_status;
      const start = central.clock.now();
      await central.clock.set(start + 61_000);
      expect(await health()).toBe('YELLOW');
      await central.clock.set(start + 121_000);
      expect(await health()).toBe('RED');
      await central.app.inject({ method: 'POST', url: '/api/v1/client/heartbeat', headers: bearer(a.apiKey), payload: heartbeat(a.clusterId, now()) });
      expect(await health()).toBe('GREEN');
    });
  });

  describe('GET …/nodes', () => {
    it('lists the latest report’s nodes priced by central', async () => {
      const body = (await inject('GET', `/api/v1/admin/clusters/${a.clusterId}/nodes`, acme.viewer.token)).json();
      expect(body.nodes.map((n: { node_name: string }) => n.node_name)).toEqual(['node-a', 'node-b']);
      expect(body.nodes[1].hourly_price).toBe(central.ctx.market.onDemandPrice('us-east-1', 'm5.large')!.usdPerHour);
      expect(body.as_of).toEqual(expect.any(String));
      expect((await inject('GET', `/api/v1/admin/clusters/${fresh.clusterId}/nodes`, acme.viewer.token)).json()).toEqual({ cluster_id: fresh.clusterId, as_of: null, nodes: [] });
    });
  });

  describe('GET …/pods', () => {
    it('lists pods, filtered by namespace and node, paged', async () => {
      const list = async (query: string) => (await inject('GET', `/api/v1/admin/clusters/${a.clusterId}/pods${query}`, acme.viewer.token)).json();
      expect((await list('')).pods.map((p: { pod_name: string }) => p.pod_name)).toEqual(['db-0', 'web-1', 'web-2']);
      expect((await list('?namespace=shop&node=node-b')).pods).toEqual([expect.objectContaining({ pod_name: 'web-2', cpu_request_millicores: 300, owner: { kind: 'Deployment', name: 'web' } })]);
      const page = await list('?limit=2');
      expect([page.pods.length, page.next_offset]).toEqual([2, 2]);
      expect((await list('?limit=2&offset=2')).next_offset).toBeNull();
      expectError(await inject('GET', `/api/v1/admin/clusters/${a.clusterId}/pods?namespace=Not_Valid`, acme.viewer.token), 400, 'VALIDATION_FAILED');
    });
  });

  describe('GET …/events', () => {
    it('lists events, most recent first, paged', async () => {
      const body = (await inject('GET', `/api/v1/admin/clusters/${a.clusterId}/events?limit=2`, acme.viewer.token)).json();
      expect(body.events.map((e: { event_id: string }) => e.event_id)).toEqual(['ev-2', 'ev-1']);
      expect(body.events[0]).toMatchObject({ kind: 'pod_evicted', received_at: expect.any(String) });
      expect(body.next_offset).toBe(2);
      expect((await inject('GET', `/api/v1/admin/clusters/${a.clusterId}/events?kind=node_ready`, acme.viewer.token)).json().events).toEqual([]);
      expectError(await inject('GET', `/api/v1/admin/clusters/${a.clusterId}/events?limit=5000`, acme.viewer.token), 400, 'VALIDATION_FAILED');
    });
  });

  describe('GET …/tasks and …/tasks/:task_id', () => {
    it('lists tasks newest first, filtered by status and type', async () => {
      const list = async (query: string) => (await inject('GET', `/api/v1/admin/clusters/${a.clusterId}/tasks${query}`, acme.viewer.token)).json().tasks.map((t: { task: { task_id: string } }) => t.task.task_id);
      expect(await list('')).toEqual([pendingTaskId, leasedTaskId, doneTaskId]);
      expect(await list('?status=success')).toEqual([doneTaskId]);
      expect(await list('?type=collect_metrics')).toEqual([pendingTaskId]);
      expectError(await inject('GET', `/api/v1/admin/clusters/${a.clusterId}/tasks?status=exploded`, acme.viewer.token), 400, 'VALIDATION_FAILED');
    });

    it('shows one task with its lease and result; another customer’s or cluster’s task is 404', async () => {
      const done = (await inject('GET', `/api/v1/admin/clusters/${a.clusterId}/tasks/${doneTaskId}`, acme.viewer.token)).json();
      expect(done).toMatchObject({ status: 'success', attempts: 1, result: { status: 'success' }, task: { task_type: 'cordon_node', attempt: 1 } });
      expectError(await inject('GET', `/api/v1/admin/clusters/${a.clusterId}/tasks/${doneTaskId}`, globex.admin.token), 404, 'NOT_FOUND');
      expectError(await inject('GET', `/api/v1/admin/clusters/${fresh.clusterId}/tasks/${doneTaskId}`, acme.admin.token), 404, 'NOT_FOUND');
      expectError(await inject('GET', `/api/v1/admin/clusters/${a.clusterId}/tasks/${doneTaskId}`, undefined), 401, 'UNAUTHENTICATED');
    });
  });

  describe('POST …/tasks/:task_id/cancel', () => {
    it('is refused to viewers, other customers and anonymous callers, changing nothing', async () => {
      const url = `/api/v1/admin/clusters/${a.clusterId}/tasks/${leasedTaskId}/cancel`;
      expectError(await inject('POST', url, undefined, {}), 401, 'UNAUTHENTICATED');
      expectError(await inject('POST', url, acme.viewer.token, {}), 403, 'FORBIDDEN');
      expectError(await inject('POST', url, globex.admin.token, {}), 404, 'NOT_FOUND');
      expectError(await inject('POST', url, acme.admin.token, { reason: 7 }), 400, 'VALIDATION_FAILED');
      expect((await inject('GET', `/api/v1/admin/clusters/${a.clusterId}/tasks/${leasedTaskId}`, acme.viewer.token)).json().status).toBe('leased');
    });

    it('cancels an open task, tells the agent and admins, and records it in the audit log', async () => {
      const admins = recordAdminEvents(central.ctx.realtime, acme.customerId);
      const agentFrames: string[] = [];
      const stop = central.ctx.realtime.subscribeAgent(a.clusterId, (event) => agentFrames.push(event.type === 'task_cancelled' ? event.task_id : event.type));
      const res = await inject('POST', `/api/v1/admin/clusters/${a.clusterId}/tasks/${leasedTaskId}/cancel`, acme.admin.token, { reason: 'maintenance window' });
      expect(res.json()).toMatchObject({ status: 'cancelled', cancel_reason: 'maintenance window' });
      await admins.waitFor((e) => e.type === 'task_updated' && e.task_id === leasedTaskId && e.status === 'cancelled');
      for (let i = 0; i < 100 && !agentFrames.includes(leasedTaskId); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(agentFrames).toContain(leasedTaskId);
      const audit = await central.db.query<{ actor: string; target: string }>("SELECT actor, target FROM audit_log WHERE action = 'task.cancel'");
      expect(audit).toEqual([{ actor: `user:${acme.admin.email}`, target: `task/${leasedTaskId}` }]);
      // An operator may cancel too, without a body.
      const byOperator = await central.app.inject({ method: 'POST', url: `/api/v1/admin/clusters/${a.clusterId}/tasks/${pendingTaskId}/cancel`, headers: bearer(central.operator.token) });
      expect(byOperator.json()).toMatchObject({ status: 'cancelled', cancel_reason: 'cancelled by operator@example.test' });
      stop();
      admins.stop();
    });

    it('answers 409 for a task that already ended', async () => {
      expectError(await inject('POST', `/api/v1/admin/clusters/${a.clusterId}/tasks/${doneTaskId}/cancel`, acme.admin.token, {}), 409, 'CONFLICT');
    });
  });
});
