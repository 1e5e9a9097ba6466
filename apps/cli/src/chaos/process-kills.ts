/**
 * kill -9 of real processes during a Spot interruption (issue #11 part 1): central and the agent run as child
 * processes (the CLI), the simulator and the ML server in this process, all on the real clock — the two-minute
 * warning is two real minutes. Each run starts a fresh stack, sends a warning to the busiest Spot node, kills one
 * process at a seeded moment, starts it again and waits for the reclaim. Then, against the simulator's truth: no
 * pod of a controller was on the node when it was reclaimed, the warning was recorded once with an action, both
 * processes are alive. Too slow for `npm test` (~3 min a run); `npm run bench -- reliability` runs it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRng, loadMarket } from '@cloudoptim/market';
import { loadMlServerConfig, startMlServer } from '@cloudoptim/ml-server';
import { freePort, silentLogger, SystemClock } from '@cloudoptim/runtime';
import { loadScenario, startSimulator, type Simulator } from '@cloudoptim/simulator';
import { repoRoot } from '../repo-paths.ts';
import { DemoAdminApi } from '../demo/admin-api.ts';
import { eventually } from '../demo/eventually.test-support.ts';

const CLI = path.join(repoRoot, 'apps/cli/bin/cloudoptim.mjs');
const SECOND = 1000;

export const PROCESS_KILL_SCENARIOS = [
  { name: 'agent-kill9-mid-drain', fault: 'a Spot warning on the busiest Spot node; the agent process SIGKILLed 0–1.5 s after (seeded: before it has the drain, or during it), a new agent process started' },
  { name: 'central-kill9-at-warning', fault: 'a Spot warning on the busiest Spot node; the central process SIGKILLed 1–2 s before it (the warning waits in the queue while central is down), 0–0.3 s after it (while central handles it) or 1–2 s after (once it has), by seed in turn; restarted on the same data' },
] as const;

export type ProcessKillScenario = (typeof PROCESS_KILL_SCENARIOS)[number]['name'];

export interface ProcessKillOutcome {
  scenario: ProcessKillScenario;
  seed: number;
  ok: boolean;
  failures: string[];
  /** Seconds from the warning until no controller pod was left on the node (null: never). */
  drained_after_s: number | null;
  /** When the process was killed (seconds after the warning; negative: before it), and how far the drain was then. */
  killed_at_s: number;
  cordoned_at_kill: boolean;
  pods_left_at_kill: number;
  real_ms: number;
}

interface Child {
  proc: ChildProcess;
  exited: Promise<unknown>;
}

function spawnCli(args: string[], env: NodeJS.ProcessEnv, log: string): Child {
  const out = fs.openSync(log, 'a');
  const proc = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  return { proc, exited: new Promise((resolve) => proc.once('exit', resolve)) };
}

async function kill9(child: Child | undefined): Promise<void> {
  if (!child || child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill('SIGKILL');
  await child.exited;
}

const isController = (owners: { kind: string }[] | undefined) => (owners ?? []).some((o) => o.kind !== 'DaemonSet' && o.kind !== 'Node');

/** One run of one scenario on a fresh stack. */
export async function runProcessKill(scenario: ProcessKillScenario, seed: number): Promise<ProcessKillOutcome> {
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cloudoptim-kill-${scenario}-`));
  const clock = new SystemClock();
  const failures: string[] = [];
  let sim: Simulator | undefined;
  let ml: Awaited<ReturnType<typeof startMlServer>> | undefined;
  let central: Child | undefined;
  let agent: Child | undefined;
  let drainedAfter: number | null = null;
  let killedAt = 0;
  let podsLeftAtKill = 0;
  let cordonedAtKill = false;
  try {
    const market = loadMarket();
    const simScenario = loadScenario('steady');
    simScenario.market.boot_delay_seconds = { min: 2, max: 3 };
    sim = await startSimulator({ scenario: simScenario, market, priceHistory: await market.spotPriceHistory(), clock, seed, stateDir: path.join(dir, 'sim') });
    const mlKey = 'process-kill-ml-service-key-0123456789';
    ml = await startMlServer(loadMlServerConfig({ ML_SERVER_API_KEY: mlKey, PORT: String(await freePort()), HOST: '127.0.0.1', ML_SERVER_DATA_DIR: path.join(dir, 'ml') }), { log: silentLogger, clock });
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const e = sim.endpoints;
    const email = 'operator@kill.test';
    const password = 'a long operator passphrase';
    const centralEnv = { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', CLOUDOPTIM_DATA_DIR: path.join(dir, 'central'), CLOUDOPTIM_BOOTSTRAP_ADMIN_EMAIL: email, CLOUDOPTIM_BOOTSTRAP_ADMIN_PASSWORD: password, ML_SERVER_URL: ml.url, ML_SERVER_API_KEY: mlKey, AWS_ENDPOINT_URL: e.aws_endpoint, AWS_ACCESS_KEY_ID: e.aws_access_key_id, AWS_SECRET_ACCESS_KEY: e.aws_secret_access_key };
    const startCentral = async () => {
      central = spawnCli(['central'], centralEnv, path.join(dir, 'central.log'));
      await eventually('central to answer', async () => (await fetch(`${url}/readyz`)).ok, 90 * SECOND);
    };
    await startCentral();
    const api = new DemoAdminApi(url);
    await api.login(email, password);
    const customer = await api.call<{ customer_id: string }>('POST', '/api/v1/admin/customers', { company_name: 'Kill Co', email: 'ops@kill.test' });
    const cluster = await api.call<{ cluster_id: string; api_key: string }>('POST', '/api/v1/admin/clusters', { cluster_name: 'kill', region: e.region, customer_id: customer.customer_id });
    await api.call('PATCH', `/api/v1/admin/clusters/${cluster.cluster_id}/settings`, { launch_template_id: 'lt-0c10d0e1a2b3c4d5e', interruption_queue_url: e.sqs_queue_url });
    const agentEnv = { CENTRAL_SERVER_URL: url, CLUSTER_ID: cluster.cluster_id, CENTRAL_API_KEY: cluster.api_key, KUBECONFIG: e.kubeconfig, LOG_LEVEL: 'warn', HEALTH_CHECK_PORT: '0', METRICS_INTERVAL_SECONDS: '5', HEARTBEAT_INTERVAL_SECONDS: '5', TASK_POLL_INTERVAL_SECONDS: '2' };
    let agents = 0;
    const startAgent = async () => {
      agent = spawnCli(['agent'], { ...agentEnv, AGENT_ID: `kill-agent-${++agents}`, HEALTH_CHECK_PORT: String(await freePort()) }, path.join(dir, 'agent.log'));
    };
    await startAgent();
    const simSim = sim;
    const nodeCount = simSim.store.nodes.list().length;
    await eventually('central to know every node', async () => (await api.call<{ total_nodes: number }>('GET', `/api/v1/admin/clusters/${cluster.cluster_id}/state`)).total_nodes >= nodeCount, 90 * SECOND, SECOND);

    // The busiest running Spot node.
    const nodeOf = (instanceId: string) => simSim.store.nodes.list().find((n) => n.spec?.providerID?.endsWith(`/${instanceId}`));
    const controllerPodsOn = (nodeName: string | undefined) => simSim.store.pods.list().filter((p) => p.spec.nodeName === nodeName && !p.metadata.deletionTimestamp && isController(p.metadata.ownerReferences));
    const spot = simSim.aws.ec2.list().filter((i) => i.lifecycle === 'spot' && i.state === 'running' && nodeOf(i.instanceId));
    const target = spot.sort((a, b) => controllerPodsOn(nodeOf(b.instanceId)?.metadata.name).length - controllerPodsOn(nodeOf(a.instanceId)?.metadata.name).length)[0];
    if (!target) throw new Error('no running Spot node to interrupt');
    const nodeName = nodeOf(target.instanceId)?.metadata.name;
    const podsBefore = controllerPodsOn(nodeName).length;
    let podsAtReclaim: string[] | undefined;
    const unwatch = simSim.aws.onEvent((ev) => {
      if (ev.instanceId === target.instanceId && (ev.kind === 'instance-shutting-down' || ev.kind === 'instance-terminated') && podsAtReclaim === undefined) podsAtReclaim = controllerPodsOn(nodeName).map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
    });

    // When the process dies relative to the warning (seeded). The agent drains a node in ~1 s here: 0–1.5 s after
    // the warning lands before or during its drain. Central handles a warning within ~1 s; the seed picks, in turn,
    // a kill 1–2 s before the warning (it waits in the queue while central is down), 0–0.3 s after it (while
    // central handles it) or 1–2 s after (once it has).
    const draw = createRng(seed).fork('kill-delay').next();
    const centralWindows = [[-2000, -1000], [0, 300], [1000, 2000]] as const;
    const [from, to] = centralWindows[(seed - 1) % centralWindows.length] ?? [0, 0];
    const offsetMs = scenario === 'agent-kill9-mid-drain' ? Math.floor(draw * 1500) : Math.floor(from + draw * (to - from));
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const victim = scenario === 'agent-kill9-mid-drain' ? 'agent' : 'central';
    const killVictim = async () => {
      podsLeftAtKill = controllerPodsOn(nodeName).length;
      cordonedAtKill = nodeOf(target.instanceId)?.spec?.unschedulable === true;
      await kill9(victim === 'agent' ? agent : central);
    };
    if (offsetMs < 0) {
      await killVictim();
      await sleep(-offsetMs);
    }
    const warnedAt = Date.now();
    simSim.aws.ec2.interruptInstance(target.instanceId);
    const drained = eventually('the node drained', async () => (controllerPodsOn(nodeName).length === 0 ? Date.now() : undefined), 150 * SECOND, 200).then((t) => (drainedAfter = Math.round((t - warnedAt) / 100) / 10), () => null);
    if (offsetMs >= 0) {
      await sleep(offsetMs);
      await killVictim();
    }
    killedAt = offsetMs < 0 ? offsetMs / 1000 : (Date.now() - warnedAt) / 1000;
    if (victim === 'agent') await startAgent();
    else {
      await startCentral();
      await api.login(email, password);
    }

    await eventually('the reclaim', async () => simSim.aws.ec2.get(target.instanceId)?.state === 'terminated' || podsAtReclaim !== undefined, 180 * SECOND, 500);
    await drained;
    unwatch();
    if (podsBefore === 0) failures.push('setup: the interrupted node ran no controller pod');
    if (podsAtReclaim?.length) failures.push(`pods lost: ${podsAtReclaim.length} controller pods on ${nodeName} when it was reclaimed: ${podsAtReclaim.join(' ')}`);
    const events = await api.call<{ items: { instance_id: string; event_type: string; action_taken: string }[] }>('GET', `/api/v1/admin/spot-events?cluster_id=${cluster.cluster_id}&limit=100`);
    const warnings = events.items.filter((x) => x.instance_id === target.instanceId && x.event_type === 'interruption_warning');
    if (warnings.length !== 1) failures.push(`spot events: ${warnings.length} interruption warnings recorded for ${target.instanceId} (want 1)`);
    else if (warnings[0]?.action_taken === 'pending') failures.push('spot events: the warning has no action');
    for (const [name, child] of [['central', central], ['agent', agent]] as const) if (child?.proc.exitCode !== null || child?.proc.signalCode !== null) failures.push(`${name} is not running at the end`);
  } catch (error) {
    failures.push(`run: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await kill9(agent);
    await kill9(central);
    await ml?.close();
    await sim?.stop();
    if (!failures.length) fs.rmSync(dir, { recursive: true, force: true });
    else failures.push(`logs kept in ${dir}`);
  }
  return { scenario, seed, ok: failures.length === 0, failures, drained_after_s: drainedAfter, killed_at_s: Math.round(killedAt * 10) / 10, cordoned_at_kill: cordonedAtKill, pods_left_at_kill: podsLeftAtKill, real_ms: Date.now() - started };
}
