/**
 * A restarted agent gets back at once the tasks its dead predecessor held: each agent process sends its own
 * instance id, leases record it, and the first heartbeat of a new instance offers the old instance's tasks again
 * (instead of after the 60 s lease — half of a Spot warning). Found by the process-kill runs: a drain the killed
 * agent had leased waited 65 s for the new agent.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AGENT_INSTANCE_HEADER } from '@cloudoptim/contracts';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { heartbeat, taskResult } from '../client/agent-messages.test-support.ts';
import { expectError } from '../testing/http-assertions.ts';
import { bearer, createTestCentral, type TestCentral, type TestCluster, type TestCustomer } from '../testing/test-central.ts';

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('tasks of a restarted agent process on $name', (target) => {
  let central: TestCentral;
  let acme: TestCustomer;
  let a: TestCluster;
  let seq = 0;

  beforeAll(async () => {
    central = await createTestCentral({ target });
    acme = await central.createCustomer('Acme');
  });
  // A cluster per test: a heartbeat of a new instance hands back every task of the cluster's earlier instances.
  beforeEach(async () => {
    a = await central.registerCluster(acme.customerId, `prod-${++seq}`);
  });
  afterAll(() => central?.close());

  const as = (instance: string | undefined) => ({ ...bearer(a.apiKey), ...(instance !== undefined && { [AGENT_INSTANCE_HEADER]: instance }) });
  const poll = async (instance: string | undefined) => (await central.app.inject({ method: 'GET', url: '/api/v1/client/tasks?max=10', headers: as(instance) })).json().tasks as { task_id: string; attempt: number }[];
  const beat = (instance: string | undefined, running: string[] = []) =>
    central.app.inject({ method: 'POST', url: '/api/v1/client/heartbeat', headers: as(instance), payload: heartbeat(a.clusterId, new Date(central.clock.now()), { running_task_ids: running }) as unknown as Record<string, unknown> });
  const drain = () =>
    central.ctx.tasks.enqueue({ customerId: acme.customerId, clusterId: a.clusterId, taskType: 'drain_node', parameters: { node_name: `node-${++seq}`, timeout_seconds: 90 }, deadline: new Date(central.clock.now() + 120_000), createdBy: 'spot-handler', idempotencyKey: `restart-${seq}` }).then((r) => ({ id: r.task.task_id }));

  it('offers the tasks an earlier instance held again at the new instance’s first heartbeat; a late result of the dead attempt is refused', async () => {
    const task = await drain();
    const [leased] = await poll('process-1');
    expect(leased?.task_id).toBe(task.id);
    expect((await beat('process-1', [task.id])).statusCode).toBe(200);

    // process-1 is killed; process-2 starts and heartbeats without the task (it never had it).
    expect(await poll('process-2')).toEqual([]);
    expect((await beat('process-2')).statusCode).toBe(200);
    const again = await poll('process-2');
    expect(again.map((t) => [t.task_id, t.attempt])).toEqual([[task.id, 2]]);

    const late = await central.app.inject({ method: 'POST', url: `/api/v1/client/tasks/${task.id}/result`, headers: as('process-1'), payload: taskResult(task.id, { attempt: 1 }) as unknown as Record<string, unknown> });
    expectError(late, 409, 'LEASE_EXPIRED');
  });

  it('keeps leases the heartbeating instance holds or names running', async () => {
    const own = await drain();
    const named = await drain();
    expect((await poll('process-3')).map((t) => t.task_id).sort()).toEqual([own.id, named.id].sort());
    // The same instance heartbeating without a task it just leased (not started yet) keeps it.
    await beat('process-3');
    expect(await poll('process-4')).toEqual([]);
    // A new instance naming a task running keeps that one (it took it over), the other is offered again.
    await beat('process-4', [named.id]);
    expect((await poll('process-4')).map((t) => t.task_id)).toEqual([own.id]);
  });

  it('keeps the key-wide leases of an agent that sends no instance id', async () => {
    const legacy = await drain();
    expect((await poll(undefined)).map((t) => t.task_id)).toEqual([legacy.id]);
    await beat('process-5');
    expect(await poll('process-5')).toEqual([]);
  });

  it('refuses a malformed instance id with the error envelope, changing nothing', async () => {
    const task = await drain();
    const res = await central.app.inject({ method: 'GET', url: '/api/v1/client/tasks?max=10', headers: as('not valid!') });
    expectError(res, 400, 'VALIDATION_FAILED');
    expect((await poll('process-6')).map((t) => t.task_id)).toEqual([task.id]);
  });
});
