import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentServerEvent } from '@cloudoptim/contracts';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { recordAdminEvents } from '../client/agent-messages.test-support.ts';
import { createTestCentral, type TestCentral, type TestCluster, type TestCustomer } from '../testing/test-central.ts';
import type { EnqueueTaskInput } from './task-queue.ts';

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('DbTaskQueue on $name', (target) => {
  let central: TestCentral;
  let acme: TestCustomer;
  let globex: TestCustomer;
  let a: TestCluster;
  let seq = 0;

  beforeAll(async () => {
    central = await createTestCentral({ target });
    acme = await central.createCustomer('Acme');
    globex = await central.createCustomer('Globex');
    a = await central.registerCluster(acme.customerId, 'prod');
  });
  afterAll(() => central?.close());

  const input = (overrides: Partial<EnqueueTaskInput> = {}): EnqueueTaskInput => ({
    customerId: acme.customerId,
    clusterId: a.clusterId,
    taskType: 'drain_node',
    parameters: { node_name: 'node-a', timeout_seconds: 90 },
    deadline: new Date(central.clock.now() + 120_000),
    createdBy: 'spot-handler',
    idempotencyKey: `q-${++seq}`,
    ...overrides,
  });
  const agentFrames = () => {
    const frames: AgentServerEvent[] = [];
    const stop = central.ctx.realtime.subscribeAgent(a.clusterId, (event) => frames.push(event));
    const waitFor = async (type: AgentServerEvent['type']) => {
      for (let i = 0; i < 200; i++) {
        const found = frames.find((f) => f.type === type);
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`no ${type} frame`);
    };
    return { frames, stop, waitFor };
  };

  it('stores a task with its parameters’ defaults and announces it to the agent and admins', async () => {
    const agent = agentFrames();
    const admins = recordAdminEvents(central.ctx.realtime, acme.customerId);
    const record = await central.ctx.tasks.enqueue(input({ urgent: true, interruptionTime: new Date(central.clock.now() + 120_000) }));
    expect(record).toMatchObject({ customerId: acme.customerId, status: 'pending', attempts: 0, result: null });
    expect(record.task).toMatchObject({ task_type: 'drain_node', priority: 5, parameters: { respect_pdb: true, ignore_daemonsets: true } });
    const drain = await agent.waitFor('urgent_drain');
    expect(drain).toMatchObject({ task: { task_id: record.task.task_id } });
    await admins.waitFor((e) => e.type === 'task_updated' && e.task_id === record.task.task_id && e.status === 'pending');
    expect(await central.ctx.tasks.get(a.clusterId, record.task.task_id)).toEqual(record);
    agent.stop();
    admins.stop();
  });

  it('is idempotent per key and refuses the key for another task type', async () => {
    const agent = agentFrames();
    const first = await central.ctx.tasks.enqueue(input({ idempotencyKey: 'plan-1:1' }));
    const again = await central.ctx.tasks.enqueue(input({ idempotencyKey: 'plan-1:1', priority: 1 }));
    expect(again).toEqual(first);
    await agent.waitFor('task_available');
    expect(agent.frames.filter((f) => f.type === 'task_available')).toHaveLength(1);
    await expect(central.ctx.tasks.enqueue(input({ idempotencyKey: 'plan-1:1', taskType: 'cordon_node', parameters: { node_name: 'node-a' } }))).rejects.toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });
    agent.stop();
  });

  it('validates parameters, priority and deadline, and the cluster’s customer', async () => {
    await expect(central.ctx.tasks.enqueue(input({ parameters: { node_name: 'node-a' } }))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(central.ctx.tasks.enqueue(input({ priority: 11 }))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(central.ctx.tasks.enqueue(input({ deadline: new Date(central.clock.now()) }))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(central.ctx.tasks.enqueue(input({ customerId: globex.customerId }))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('cancels open tasks only, telling the agent when it held the task', async () => {
    const agent = agentFrames();
    const pending = await central.ctx.tasks.enqueue(input());
    const cancelled = await central.ctx.tasks.cancel(a.clusterId, pending.task.task_id, 'not needed');
    expect(cancelled?.status).toBe('cancelled');
    expect((await central.ctx.tasks.cancel(a.clusterId, pending.task.task_id, 'again'))?.status).toBe('cancelled');
    expect(await central.ctx.tasks.cancel(a.clusterId, '00000000-0000-4000-8000-000000000000', 'x')).toBeUndefined();
    expect(agent.frames.some((f) => f.type === 'task_cancelled')).toBe(false);

    const held = await central.ctx.tasks.enqueue(input({ priority: 1 }));
    await central.app.inject({ method: 'GET', url: '/api/v1/client/tasks?max=100', headers: { authorization: `Bearer ${a.apiKey}` } });
    await central.ctx.tasks.cancel(a.clusterId, held.task.task_id, 'plan rolled back');
    expect(await agent.waitFor('task_cancelled')).toMatchObject({ task_id: held.task.task_id, reason: 'plan rolled back' });
    agent.stop();
  });

  it('counts tasks by status and lease expiries on /metrics', async () => {
    const text = (await central.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toMatch(/cloudoptim_central_task_transitions_total\{status="pending"[^}]*\} \d+/);
    expect(text).toContain('cloudoptim_central_task_lease_expiries_total');
  });
});
