import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AGENT_INSTANCE_HEADER, AgentServerEventSchema, ErrorEnvelopeSchema, STREAM_EVENT_VERSION } from '@cloudoptim/contracts';
import { TasksRepository } from '@cloudoptim/db';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { bearer, createTestCentral, type TestCentral, type TestCluster, type TestCustomer } from '../testing/test-central.ts';

/** A ws client that keeps every frame it receives. */
class StreamClient {
  readonly frames: Record<string, unknown>[] = [];
  closed: { code: number; reason: string } | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => this.frames.push(JSON.parse(data.toString()) as Record<string, unknown>));
    socket.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }

  static connect(url: string, headers: Record<string, string>): Promise<StreamClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers });
      const client = new StreamClient(socket);
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (req, res) => {
        // With this listener, ending the refused request is ours to do.
        req.destroy();
        reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { statusCode: res.statusCode }));
      });
      socket.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Waits (briefly: delivery is a few event-loop turns) for a frame matching `test`. */
  async waitFor(test: (frame: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    for (let i = 0; i < 300; i++) {
      const found = this.frames.find(test);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no matching frame among ${JSON.stringify(this.frames).slice(0, 500)}`);
  }

  async waitClosed(): Promise<{ code: number; reason: string }> {
    for (let i = 0; i < 300 && !this.closed; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    return this.closed!;
  }

  close(): void {
    this.socket.close();
  }
}

const frameHeader = () => ({ v: STREAM_EVENT_VERSION, id: randomUUID(), sent_at: new Date().toISOString() });

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('WS /api/v1/client/stream on $name', (target) => {
  let central: TestCentral;
  let acme: TestCustomer;
  let a: TestCluster;
  let b: TestCluster;
  let url: string;
  let seq = 0;

  beforeAll(async () => {
    central = await createTestCentral({ target });
    acme = await central.createCustomer('Acme');
    const globex = await central.createCustomer('Globex');
    a = await central.registerCluster(acme.customerId, 'prod');
    b = await central.registerCluster(globex.customerId, 'prod');
    const address = await central.app.listen({ port: 0, host: '127.0.0.1' });
    url = `${address.replace('http', 'ws')}/api/v1/client/stream`;
  });
  afterAll(() => central?.close());

  const enqueueDrain = (urgent: boolean, taskType: 'drain_node' | 'cordon_node' = 'drain_node') =>
    central.ctx.tasks.enqueue({
      customerId: acme.customerId,
      clusterId: a.clusterId,
      taskType,
      parameters: taskType === 'drain_node' ? { node_name: 'node-a', timeout_seconds: 90, respect_pdb: false } : { node_name: 'node-a' },
      priority: 1,
      deadline: new Date(central.clock.now() + 120_000),
      createdBy: 'spot-handler',
      idempotencyKey: `stream-${++seq}`,
      urgent,
      interruptionTime: new Date(central.clock.now() + 120_000),
    });
  const stored = (taskId: string) => new TasksRepository(central.db.db).findInCluster(a.clusterId, taskId);

  it('refuses the upgrade without a valid agent key', async () => {
    await expect(StreamClient.connect(url, {})).rejects.toMatchObject({ statusCode: 401 });
    await expect(StreamClient.connect(url, bearer('coa_wrong'))).rejects.toMatchObject({ statusCode: 401 });
    await expect(StreamClient.connect(url, bearer(acme.admin.token))).rejects.toMatchObject({ statusCode: 401 });
  });

  it('refuses the upgrade with a malformed agent instance id', async () => {
    await expect(StreamClient.connect(url, { ...bearer(a.apiKey), [AGENT_INSTANCE_HEADER]: 'not valid!' })).rejects.toMatchObject({ statusCode: 400 });
  });

  it('pushes an urgent drain to the connected agent at once, and its ack leases the task', async () => {
    const agent = await StreamClient.connect(url, bearer(a.apiKey));
    const other = await StreamClient.connect(url, bearer(b.apiKey));
    const { task } = await enqueueDrain(true);
    const frame = AgentServerEventSchema.parse(await agent.waitFor((f) => f.type === 'urgent_drain'));
    expect(frame).toMatchObject({ type: 'urgent_drain', task: { task_id: task.task_id, task_type: 'drain_node', parameters: { node_name: 'node-a', respect_pdb: false } } });
    expect(frame.type === 'urgent_drain' && frame.interruption_time).toBe(new Date(central.clock.now() + 120_000).toISOString());

    agent.send({ type: 'ack', ...frameHeader(), ack_id: frame.id });
    for (let i = 0; i < 300 && (await stored(task.task_id))?.status !== 'leased'; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await stored(task.task_id)).toMatchObject({ status: 'leased', attempts: 1 });
    // Leased to the acking agent: a poll does not hand it out again.
    expect((await central.app.inject({ method: 'GET', url: '/api/v1/client/tasks', headers: bearer(a.apiKey) })).json().tasks).toEqual([]);
    // Another cluster's stream never sees it.
    expect(other.frames).toEqual([]);
    agent.close();
    other.close();
  });

  it('nudges with task_available for other tasks, urgent or not', async () => {
    const agent = await StreamClient.connect(url, bearer(a.apiKey));
    const urgent = await enqueueDrain(true, 'cordon_node');
    const normal = await enqueueDrain(false);
    expect(await agent.waitFor((f) => f.type === 'task_available' && f.task_id === urgent.task.task_id)).toMatchObject({ task_type: 'cordon_node', priority: 1 });
    expect(await agent.waitFor((f) => f.type === 'task_available' && f.task_id === normal.task.task_id)).toMatchObject({ task_type: 'drain_node' });
    agent.close();
  });

  it('re-sends pending urgent drains when an agent says hello after reconnecting', async () => {
    await central.db.query("UPDATE tasks SET status = 'cancelled' WHERE status = 'pending'");
    const { task } = await enqueueDrain(true);
    const agent = await StreamClient.connect(url, bearer(a.apiKey));
    agent.send({ type: 'agent_hello', ...frameHeader(), cluster_id: a.clusterId, agent_id: 'agent-0', agent_version: '0.1.0', last_event_id: null });
    const frame = await agent.waitFor((f) => f.type === 'urgent_drain');
    expect(frame).toMatchObject({ task: { task_id: task.task_id } });
    agent.send({ type: 'ack', ...frameHeader(), ack_id: frame.id as string, task_id: task.task_id });
    for (let i = 0; i < 300 && (await stored(task.task_id))?.status !== 'leased'; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await stored(task.task_id))?.status).toBe('leased');
    agent.close();
  });

  it('answers bad frames with an error envelope and keeps the connection', async () => {
    const agent = await StreamClient.connect(url, bearer(a.apiKey));
    agent.send('not json');
    const notJson = ErrorEnvelopeSchema.parse(await agent.waitFor((f) => 'error' in f));
    expect(notJson.error.code).toBe('BAD_REQUEST');
    agent.send({ type: 'ack', v: 1 });
    const invalid = ErrorEnvelopeSchema.parse(await agent.waitFor((f) => 'error' in f && (f.error as { code: string }).code === 'VALIDATION_FAILED'));
    expect(invalid.error.details).toMatchObject({ issues: expect.any(Array) });
    agent.send({ type: 'shout', ...frameHeader() });
    await agent.waitFor((f) => 'error' in f && agentErrors(agent) >= 3);
    expect(agent.closed).toBeUndefined();
    const { task } = await enqueueDrain(true);
    expect(await agent.waitFor((f) => f.type === 'urgent_drain' && (f.task as { task_id: string }).task_id === task.task_id)).toBeDefined();
    agent.close();
  });

  it('closes the stream of an agent that says hello for another cluster', async () => {
    const agent = await StreamClient.connect(url, bearer(b.apiKey));
    agent.send({ type: 'agent_hello', ...frameHeader(), cluster_id: a.clusterId, agent_id: 'agent-0', agent_version: '0.1.0', last_event_id: null });
    const error = ErrorEnvelopeSchema.parse(await agent.waitFor((f) => 'error' in f));
    expect(error.error.code).toBe('FORBIDDEN');
    expect(await agent.waitClosed()).toMatchObject({ code: 1008 });
  });
});

function agentErrors(client: StreamClient): number {
  return client.frames.filter((f) => 'error' in f).length;
}
