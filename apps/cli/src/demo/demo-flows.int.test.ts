/**
 * End-to-end flows over the whole product as the demo composes it (simulator, ML server, central, agent), at 20×
 * real time: SPEC §5 flow 1 (onboarding: the agent connects and the cluster shows GREEN with its nodes, pods and
 * cost within one metrics interval) and flow 3 (a Spot interruption warning: urgent drain finished before the
 * reclaim, a replacement launched, the event recorded with the action taken, no pod killed on the node).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMarket } from '@cloudoptim/market';
import { ScaledClock, SystemClock, silentLogger } from '@cloudoptim/runtime';
import { loadScenario } from '@cloudoptim/simulator';
import { DemoAdminApi } from './admin-api.ts';
import { ErrorCounter } from './counting-logger.ts';
import { DemoRecorder } from './demo-recorder.ts';
import { startDemoStack, type DemoStack } from './demo-stack.ts';
import { eventually } from './eventually.test-support.ts';

// Slow enough that a loaded CI machine still drains inside the 2-minute notice (6 s real), fast enough for a test.
const SPEED = 20;


describe('demo end-to-end flows', () => {
  let stack: DemoStack;
  let api: DemoAdminApi;
  let recorder: DemoRecorder;
  let dir: string;
  const errors = new ErrorCounter();
  const clock = new ScaledClock(new SystemClock(), Date.now(), SPEED);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudoptim-demo-'));
    const market = loadMarket();
    stack = await startDemoStack({ scenario: loadScenario('steady'), seed: 1, clusters: 1, mode: 'recommend', market, priceHistory: await market.spotPriceHistory(), clock, speed: SPEED, port: 0, dataDir: dir, log: errors.wrap(silentLogger) });
    recorder = new DemoRecorder(stack, clock, errors);
    api = new DemoAdminApi(stack.url);
    await api.login(stack.email, stack.password);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('onboarding: the registered cluster turns GREEN with its nodes, pods and cost', async () => {
    const cluster = stack.clusters[0]!;
    const simNodes = cluster.sim.cluster.stats().nodes;
    const state = await eventually('a GREEN cluster state with every node', async () => {
      const s = await api.call<{ health_status: string; total_nodes: number; total_pods: number; current_cost_per_hour: number; baseline_cost_per_hour: number }>('GET', `/api/v1/admin/clusters/${cluster.clusterId}/state`);
      return s.health_status === 'GREEN' && s.total_nodes === simNodes && s.total_pods > 0 ? s : undefined;
    });
    expect(state.current_cost_per_hour).toBeGreaterThan(0);
    expect(state.baseline_cost_per_hour).toBeGreaterThanOrEqual(state.current_cost_per_hour);
    const nodes = await api.call<{ nodes: { node_name: string; hourly_price?: number | null }[] }>('GET', `/api/v1/admin/clusters/${cluster.clusterId}/nodes`);
    expect(nodes.nodes.map((n) => n.node_name).sort()).toEqual(cluster.sim.store.nodes.list().map((n) => n.metadata.name).sort());
  }, 60_000);

  it('interruption: drained before the reclaim, replaced, recorded once, no pod killed', async () => {
    const cluster = stack.clusters[0]!;
    const ec2 = cluster.sim.aws.ec2;
    const before = new Set(ec2.list().map((i) => i.instanceId));
    const victim = ec2.list().find((i) => i.lifecycle === 'spot' && i.state === 'running');
    expect(victim, 'the scenario runs Spot nodes').toBeDefined();
    expect(ec2.interruptInstance(victim!.instanceId)).toBe(true);

    const event = await eventually('the spot event with its action', async () => {
      const page = await api.call<{ items: { instance_id: string; event_type: string; action_taken: string | null; replacement_instance_id: string | null }[] }>('GET', `/api/v1/admin/spot-events?cluster_id=${cluster.clusterId}`);
      return page.items.find((e) => e.instance_id === victim!.instanceId && e.event_type === 'interruption_warning' && e.replacement_instance_id);
    });
    expect(event.action_taken).toBeTruthy();
    expect(before.has(event.replacement_instance_id!)).toBe(false);
    expect(ec2.list().some((i) => i.instanceId === event.replacement_instance_id)).toBe(true);

    // The reclaim comes two simulated minutes after the warning; by then the drain must be done.
    await eventually('the instance to be reclaimed', async () => ec2.list().find((i) => i.instanceId === victim!.instanceId && i.state === 'terminated'), 30_000);
    const summary = await recorder.summary();
    expect(summary.interruption_warnings).toBe(1);
    expect(summary.interruptions_drained_before_deadline).toBe(1);
    expect(summary.pods_lost).toBe(0);
    expect(errors.samples).toEqual([]);
  }, 90_000);
});
