/**
 * The agent through a 10-minute central outage in simulated time (ManualClock), against the simulator's
 * Kubernetes API and a FakeCentral on a real port: every task result and every metrics sample collected
 * during the outage reaches central once it is back — and with a smaller buffer, only the oldest samples past
 * the bound are dropped, counted and reported.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { seedTwoNodes, startAgentHarness, type AgentHarness } from '../testing/agent-harness.ts';
import { taskOf } from '../testing/tasks.ts';

const MINUTE = 60_000;

describe('a 10-minute central outage', () => {
  let h: AgentHarness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('loses no task result and no metrics sample within the buffer bound', async () => {
    h = await startAgentHarness({}, seedTwoNodes);
    const { central, clock, cluster, agent } = h;
    const startMs = clock.now();
    await h.until(() => central.metrics.length === 1 && central.events.some((e) => e.kind === 'agent_started'), 'the first sample and agent_started');
    expect(agent.readiness()).toEqual({ ready: true, reasons: [] });
    expect(central.heartbeats[0]).toMatchObject({ cluster_id: 'cl-test', agent_id: 'agent-test-1', status: 'healthy', kubernetes_version: expect.stringMatching(/^v1\.32/) });

    // A drain a PodDisruptionBudget holds up (it will finish during the outage) and a quick task.
    cluster.store.create('policy/poddisruptionbudgets', { metadata: { name: 'web', namespace: 'shop' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } } });
    cluster.server.pdbStatus?.flush();
    const drain = taskOf('drain_node', clock.now(), { node_name: 'n1', instance_id: 'i-0aaaaaaaaaaaaaaa1', timeout_seconds: 1800 }, { task_id: 'drain-n1' });
    const label = taskOf('label_node', clock.now(), { node_name: 'n2', labels: { 'cloudoptim.io/pool': 'general' } }, { task_id: 'label-n2' });
    central.enqueue(drain, label);
    await h.run(10_000);
    await h.until(() => central.results.length === 1, 'the quick task result');
    expect(central.results.map((r) => [r.task_id, r.status])).toEqual([['label-n2', 'success']]);
    expect(agent.executor.runningTaskIds).toEqual(['drain-n1']);

    central.down = true;
    await h.run(3 * MINUTE, 5_000);
    cluster.store.delete('policy/poddisruptionbudgets', 'shop', 'web');
    await h.run(7 * MINUTE, 5_000);
    expect(agent.executor.runningTaskIds).toEqual([]);
    expect(central.results).toHaveLength(1);
    expect(agent.outbox.sizes).toMatchObject({ results: 1, metrics: 10 });
    expect(agent.readiness().ready).toBe(true); // registered once; the outage shows in the heartbeat, not in readiness
    const depth = await agent.metrics.registry.metrics();
    expect(depth).toMatch(/cloudoptim_agent_buffer_depth\{kind="metrics",app="agent"\} 10/);

    central.down = false;
    await h.until(() => agent.outbox.depth === 0, 'the buffer to drain', 1_000);
    const drained = central.results.find((r) => r.task_id === 'drain-n1');
    expect(drained).toMatchObject({ status: 'success', attempt: 1, metadata: { node_name: 'n1', pods_evicted: 1, drain_status: 'drained' } });
    // Every minute's sample, from the start through the outage, arrived once.
    const minutes = central.metrics.map((m) => (Date.parse(m.timestamp) - startMs) / MINUTE);
    expect(minutes.slice(0, 11)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(new Set(minutes).size).toBe(minutes.length);
    expect(central.invalid).toEqual([]);
    await h.run(30_000, 5_000);
    const after = central.heartbeats.at(-1)!;
    expect(after.buffered_messages).toBe(0);
    expect(after.problems).toEqual([]);
  });

  it('past the bound drops the oldest samples, counts them and reports it; results are still all delivered', async () => {
    h = await startAgentHarness({ BUFFER_MAX_METRICS_SAMPLES: '4' }, seedTwoNodes);
    const { central, clock, agent } = h;
    const startMs = clock.now();
    await h.until(() => central.metrics.length === 1, 'the first sample');
    central.down = true;
    central.enqueue(taskOf('cordon_node', clock.now(), { node_name: 'n2' }, { task_id: 'cordon-n2' }));
    await h.run(10 * MINUTE, 5_000);
    expect(agent.outbox.sizes.metrics).toBe(4);
    central.down = false;
    // The task was queued while central was down: it is leased only now.
    await h.until(() => central.results.some((r) => r.task_id === 'cordon-n2') && agent.outbox.depth === 0, 'the result and the buffer', 1_000);
    const minutes = central.metrics.map((m) => Math.round((Date.parse(m.timestamp) - startMs) / MINUTE));
    expect(minutes.slice(0, 5)).toEqual([0, 7, 8, 9, 10]);
    expect(await agent.metrics.registry.metrics()).toMatch(/cloudoptim_agent_buffer_dropped_total\{kind="metrics",app="agent"\} 6/);
    await h.until(() => central.heartbeats.some((b) => b.problems.some((p) => /dropped 6 metrics sample/.test(p))), 'the heartbeat reporting the drop', 5_000);
    expect(central.heartbeats.at(-1)?.status).toBe('degraded');
  });
});
