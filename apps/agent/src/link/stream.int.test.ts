/**
 * The agent stream (WS /api/v1/client/stream) end to end: the agent connects with its key, says hello, polls
 * at once on task_available, runs an urgent drain ahead of the queue and acks it with the task id, stops a
 * task on task_cancelled, reports an invalid urgent task as failed, and reconnects with backoff after the
 * connection drops (hello naming the last frame seen) or central refuses it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { seedTwoNodes, startAgentHarness, type AgentHarness } from '../testing/agent-harness.ts';
import { taskOf } from '../testing/tasks.ts';

describe('the agent stream', () => {
  let h: AgentHarness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('says hello, polls on task_available, runs urgent drains at once and acks them, cancels on request', async () => {
    h = await startAgentHarness({ MAX_CONCURRENT_TASKS: '1' }, seedTwoNodes);
    const { central, clock, cluster } = h;
    await h.until(() => central.frames.some((f) => f.type === 'agent_hello'), 'the hello');
    expect(central.frames[0]).toMatchObject({ type: 'agent_hello', cluster_id: 'cl-test', agent_id: 'agent-test-1', agent_version: '0.1.0', last_event_id: null });
    expect(h.agent.streamConnected).toBe(true);

    // task_available: the agent polls now, not at the next 10 s tick.
    central.enqueue(taskOf('label_node', clock.now(), { node_name: 'n2', labels: { nudged: 'yes' } }, { task_id: 'nudged' }));
    const polls = central.requests.filter((r) => r === 'GET /api/v1/client/tasks').length;
    const nudge = central.send({ type: 'task_available', cluster_id: 'cl-test', task_id: 'nudged', task_type: 'label_node', priority: 5 });
    await h.until(() => central.results.some((r) => r.task_id === 'nudged'), 'the nudged task');
    expect(central.requests.filter((r) => r === 'GET /api/v1/client/tasks').length).toBe(polls + 1);
    expect(central.frames).toContainEqual(expect.objectContaining({ type: 'ack', ack_id: nudge, task_id: null }));

    // A PDB-blocked drain occupies the only slot; an urgent drain pushed now runs at once.
    cluster.store.create('policy/poddisruptionbudgets', { metadata: { name: 'web', namespace: 'shop' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } } });
    cluster.server.pdbStatus?.flush();
    central.enqueue(taskOf('drain_node', clock.now(), { node_name: 'n1', timeout_seconds: 600 }, { task_id: 'slow-drain' }));
    await h.run(10_000);
    await h.until(() => h!.agent.executor.runningTaskIds.includes('slow-drain'), 'the slow drain to start');
    central.enqueue(taskOf('label_node', clock.now(), { node_name: 'n2', labels: { later: 'yes' } }, { task_id: 'polled-later', priority: 1 }));
    h.agent.executor.submit(taskOf('label_node', clock.now(), { node_name: 'n2', labels: { queued: 'yes' } }, { task_id: 'queued-first', priority: 1 }));
    const urgent = taskOf('drain_node', clock.now(), { node_name: 'n2', timeout_seconds: 100, include_do_not_disrupt: true, respect_pdb: false }, { task_id: 'urgent-n2', priority: 1 });
    const frameId = central.send({ type: 'urgent_drain', task: urgent, interruption_time: new Date(clock.now() + 120_000).toISOString() });
    await h.until(() => central.frames.some((f) => f.type === 'ack' && f.ack_id === frameId), 'the urgent ack');
    expect(central.frames.find((f) => f.type === 'ack' && f.ack_id === frameId)).toMatchObject({ task_id: 'urgent-n2' });

    // The urgent drain does not wait for the slot the slow drain holds; the task queued before it does.
    await h.until(() => central.results.some((r) => r.task_id === 'urgent-n2'), 'the urgent result', 1_000);
    expect(central.results.some((r) => r.task_id === 'queued-first')).toBe(false);
    // Cancelling the slow drain frees the slot for the queued task.
    central.send({ type: 'task_cancelled', task_id: 'slow-drain', reason: 'plan rolled back' });
    await h.until(() => ['slow-drain', 'queued-first'].every((id) => central.results.some((r) => r.task_id === id)), 'the two results', 1_000);
    expect(central.results.find((r) => r.task_id === 'slow-drain')).toMatchObject({ status: 'cancelled' });
    expect(central.results.find((r) => r.task_id === 'urgent-n2')).toMatchObject({ status: 'success', metadata: { pods_evicted: 1 } });
    expect(cluster.store.pods.get('shop', 'web-1')).toBeUndefined();
  });

  it('reports an urgent drain whose task breaks the contract as failed', async () => {
    h = await startAgentHarness({}, seedTwoNodes);
    const { central, clock } = h;
    await h.until(() => central.connections === 1, 'the stream');
    const bad = { ...taskOf('drain_node', clock.now(), { node_name: 'n1' }, { task_id: 'bad-urgent' }), parameters: { node_name: 'n1', timeout_seconds: -5 } };
    central.send({ type: 'urgent_drain', task: bad as never, interruption_time: null });
    await h.until(() => central.results.some((r) => r.task_id === 'bad-urgent'), 'the failed result', 1_000);
    expect(central.results.find((r) => r.task_id === 'bad-urgent')).toMatchObject({ status: 'failed', error_code: 'VALIDATION_FAILED' });
    expect(central.results.find((r) => r.task_id === 'bad-urgent')?.error).toMatch(/parameters.timeout_seconds/);
  });

  it('reconnects with backoff after a drop and after refused upgrades, naming the last frame seen', async () => {
    h = await startAgentHarness({}, seedTwoNodes);
    const { central } = h;
    await h.until(() => central.connections === 1, 'the stream');
    const last = central.send({ type: 'config_changed', cluster_id: 'cl-test', config_version: 2, changed_keys: ['automation_mode'] });
    await h.until(() => central.frames.some((f) => f.type === 'ack' && f.ack_id === last), 'the ack');

    central.down = true;
    central.dropStreams();
    await h.until(() => !h!.agent.streamConnected, 'the agent to notice');
    const before = central.upgradeAttempts;
    // Refused upgrades while central is down back off: waits of ¾ × 1, 2, 4, 8, 16 s… (with this jitter).
    await h.run(30_000, 250);
    expect(central.connections).toBe(0);
    expect(central.upgradeAttempts - before).toBeGreaterThanOrEqual(4);
    expect(central.upgradeAttempts - before).toBeLessThanOrEqual(6);
    central.down = false;
    await h.until(() => central.connections === 1, 'the reconnect', 1_000);
    await h.until(() => central.frames.filter((f) => f.type === 'agent_hello').length === 2, 'the second hello');
    expect(central.frames.filter((f) => f.type === 'agent_hello').at(-1)).toMatchObject({ last_event_id: last });
  });
});
