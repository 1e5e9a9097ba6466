/**
 * A kill -9 of central in the middle of a plan, then a restart on the same data directory: the plan resumes
 * from its stored step state and ends without an orphan instance (every instance launched for it is either a
 * node it kept or terminated) and without launching a step twice. Central runs as a real child process (the
 * CLI); the simulator, the ML server and the agent run in this process, all on the real clock (the simulated
 * instances boot in 2–3 s).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CentralClient } from '@cloudoptim/api-client';
import { loadAgentConfig, startAgent, wsSocketFactory, type RunningAgent } from '@cloudoptim/agent';
import { ClientNodeKubeGateway } from '@cloudoptim/kube';
import { loadMarket } from '@cloudoptim/market';
import { startMlServer, loadMlServerConfig, type StartedMlServer } from '@cloudoptim/ml-server';
import { freePort, silentLogger, SystemClock } from '@cloudoptim/runtime';
import { loadScenario, startSimulator, type Simulator } from '@cloudoptim/simulator';
import { repoRoot } from '../repo-paths.ts';
import { DemoAdminApi } from './admin-api.ts';
import { eventually } from './eventually.test-support.ts';

const PLAN_TAG = 'cloudoptim:plan-id';
const TERMINAL = new Set(['succeeded', 'failed', 'rolled_back', 'cancelled', 'rejected']);

interface PlanView {
  outcome_reason?: string | null;
  plan_id: string;
  status: string;
  steps: { step: number; action: string; status: string; parameters: Record<string, unknown> }[];
}


describe('central killed with SIGKILL mid-plan', () => {
  const clock = new SystemClock();
  let dir: string;
  let sim: Simulator;
  let ml: StartedMlServer;
  let agent: RunningAgent | undefined;
  let central: ChildProcess | undefined;
  let url: string;
  let env: NodeJS.ProcessEnv;
  const email = 'operator@crash.test';
  const password = 'a long operator passphrase';

  const startCentral = async () => {
    central = spawn(process.execPath, [path.join(repoRoot, 'apps/cli/bin/cloudoptim.mjs'), 'central'], { env, stdio: ['ignore', fs.openSync(path.join(dir, 'central.log'), 'a'), fs.openSync(path.join(dir, 'central.log'), 'a')] });
    await eventually('central to answer', async () => (await fetch(`${url}/readyz`)).ok, 90_000);
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudoptim-crash-'));
    const market = loadMarket();
    const scenario = loadScenario('spot-storm');
    scenario.market.boot_delay_seconds = { min: 2, max: 3 };
    sim = await startSimulator({ scenario, market, priceHistory: await market.spotPriceHistory(), clock, seed: 7, stateDir: path.join(dir, 'sim') });
    const mlKey = 'crash-test-ml-service-key-0123456789';
    ml = await startMlServer(loadMlServerConfig({ ML_SERVER_API_KEY: mlKey, PORT: String(await freePort()), HOST: '127.0.0.1', ML_SERVER_DATA_DIR: path.join(dir, 'ml') }), { log: silentLogger, clock });
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const e = sim.endpoints;
    env = {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      CLOUDOPTIM_DATA_DIR: path.join(dir, 'central'),
      CLOUDOPTIM_BOOTSTRAP_ADMIN_EMAIL: email,
      CLOUDOPTIM_BOOTSTRAP_ADMIN_PASSWORD: password,
      ML_SERVER_URL: ml.url,
      ML_SERVER_API_KEY: mlKey,
      AWS_ENDPOINT_URL: e.aws_endpoint,
      AWS_ACCESS_KEY_ID: e.aws_access_key_id,
      AWS_SECRET_ACCESS_KEY: e.aws_secret_access_key,
    };
    await startCentral();
  }, 180_000);

  afterAll(async () => {
    await agent?.stop();
    central?.kill('SIGKILL');
    await ml?.close();
    await sim?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('resumes the plan after a restart, launching once and leaving no orphan instance', async () => {
    const api = new DemoAdminApi(url);
    await api.login(email, password);
    const customer = await api.call<{ customer_id: string }>('POST', '/api/v1/admin/customers', { company_name: 'Crash Co', email: 'ops@crash.test' });
    const cluster = await api.call<{ cluster_id: string; api_key: string }>('POST', '/api/v1/admin/clusters', { cluster_name: 'crash', region: sim.endpoints.region, customer_id: customer.customer_id });
    await api.call('PATCH', `/api/v1/admin/clusters/${cluster.cluster_id}/settings`, { automation_mode: 'automate', launch_template_id: 'lt-0c10d0e1a2b3c4d5e', max_nodes_in_flight: 1, max_spot_share: 1 });
    const config = loadAgentConfig({ CENTRAL_SERVER_URL: url, CLUSTER_ID: cluster.cluster_id, CENTRAL_API_KEY: cluster.api_key, KUBECONFIG: sim.endpoints.kubeconfig, METRICS_INTERVAL_SECONDS: '2', HEARTBEAT_INTERVAL_SECONDS: '2', TASK_POLL_INTERVAL_SECONDS: '1', FLUSH_INTERVAL_SECONDS: '1' });
    const kube = new ClientNodeKubeGateway({ connection: { kubeconfigPath: sim.endpoints.kubeconfig }, clock, log: silentLogger });
    agent = await startAgent({ config, kube, central: new CentralClient({ baseUrl: url, apiKey: cluster.api_key, timeoutMs: 10_000, socketFactory: wsSocketFactory }), clock, log: silentLogger });
    await eventually('the cluster state', async () => (await api.call<{ total_nodes: number }>('GET', `/api/v1/admin/clusters/${cluster.cluster_id}/state`)).total_nodes > 0, 60_000);

    const plan = await api.call<PlanView>('POST', '/api/v1/admin/optimization/trigger', { cluster_id: cluster.cluster_id, optimization_type: 'spot_optimize', dry_run: false });
    const launchSteps = plan.steps.filter((s) => s.action === 'launch_instances');
    expect(launchSteps.length, `the plan launches capacity: ${JSON.stringify(plan.steps.map((s) => s.action))} ${plan.outcome_reason ?? ''}`).toBeGreaterThan(0);

    // Kill as soon as the first launch has begun (its step is stored as running, or done).
    await eventually(
      'the first launch to start',
      async () => {
        const view = await api.call<PlanView>('GET', `/api/v1/admin/optimizations/${plan.plan_id}`);
        return view.steps.some((s) => s.action === 'launch_instances' && s.status !== 'pending');
      },
      60_000,
    );
    central!.kill('SIGKILL');
    await new Promise((resolve) => central!.once('exit', resolve));
    await startCentral();
    await api.login(email, password);

    // After the restart the plan goes on from its stored state: wait until it is past the launches, the wait for
    // the new nodes and the first cordon (the rest — drains of the replaced nodes — takes minutes in real time).
    let last: PlanView | undefined;
    await eventually(
      'the plan to resume past its launches',
      async () => {
        last = await api.call<PlanView>('GET', `/api/v1/admin/optimizations/${plan.plan_id}`);
        if (TERMINAL.has(last.status)) return true;
        return last.steps.some((s) => s.action === 'cordon_node' && s.status === 'succeeded');
      },
      120_000,
    ).catch((error: unknown) => {
      const logTail = fs.readFileSync(path.join(dir, 'central.log'), 'utf8').trim().split('\n').slice(-8).join('\n');
      throw new Error(`${String(error)}; last seen: ${JSON.stringify(last?.steps.map((s) => [s.step, s.action, s.status]))}\ncentral log:\n${logTail}`);
    });
    expect(last?.status, JSON.stringify(last?.steps.map((s) => [s.step, s.action, s.status]))).toMatch(/^(running|succeeded)$/);
    expect(last?.steps.filter((s) => s.action === 'launch_instances').every((s) => s.status === 'succeeded')).toBe(true);

    const launched = sim.aws.ec2.list().filter((i) => i.tags[PLAN_TAG] === plan.plan_id);
    // Each launch step launched its count exactly once, whatever the crash interrupted: the restart found the
    // fleet by its tags and client token instead of launching it again.
    const perStep = new Map<string, number>();
    for (const i of launched) perStep.set(i.tags['cloudoptim:plan-step'] ?? '?', (perStep.get(i.tags['cloudoptim:plan-step'] ?? '?') ?? 0) + 1);
    expect(Object.fromEntries(perStep)).toEqual(Object.fromEntries(launchSteps.map((step) => [String(step.step), step.parameters.count])));
    // No orphan: every instance the plan launched is a node of the cluster.
    const nodes = new Set(sim.store.nodes.list().map((n) => n.spec?.providerID ?? ''));
    for (const i of launched.filter((x) => x.state === 'running')) expect(nodes.has(i.providerId), `${i.instanceId} is a node of the cluster`).toBe(true);
    expect(launched.filter((x) => x.state === 'running')).toHaveLength(launched.length);
  }, 360_000);
});
