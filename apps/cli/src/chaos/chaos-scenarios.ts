/**
 * The chaos scenarios (issue #11 part 1): each starts the whole product on a SteppedClock (simulator, ML server,
 * central, agent; automate mode), injects one fault, lets simulated time pass and runs the consistency checker.
 * Seeded: the same seed gives the same stack, the same interrupted instances and the same fault draws. Shared by
 * the short suite in `npm test` (one seed) and `npm run bench -- reliability` (N seeds).
 */
import path from 'node:path';
import { isAppError } from '@cloudoptim/contracts';
import { createRng } from '@cloudoptim/market';
import { loadMlServerConfig, startMlServer } from '@cloudoptim/ml-server';
import { silentLogger } from '@cloudoptim/runtime';
import { DemoRecorder } from '../demo/demo-recorder.ts';
import { listPlans, UNFINISHED } from '../demo/sim-observations.test-support.ts';
import { startSteppedDemo, type SteppedDemo } from '../demo/stepped-demo.test-support.ts';
import { replaceAgent } from './chaos-agent.ts';
import { checkConsistency, type ConsistencyReport } from './consistency-checker.ts';
import { trapRequests } from './request-trap.ts';
import { TaskLeaseObserver } from './task-lease-observer.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const RIGHTSIZE_PATH = '/api/v1/ml/decision/rightsize';

/** `promise`, or a rejection with `what` after `ms` of real time (for waits on I/O, which simulated time does not bound). */
function realTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)));
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

export interface ChaosContext {
  demo: SteppedDemo;
  seed: number;
  recorder: DemoRecorder;
  observer: TaskLeaseObserver;
  /** Lets `ms` of simulated time pass, sampling the tasks table every `stepMs`. */
  pass(ms: number, stepMs?: number): Promise<void>;
  /** Sends the interruption warning to `count` running Spot nodes of the cluster (picked by the seed; `busiest`: the ones with most pods). */
  interruptSpotNodes(count: number, busiest?: boolean): string[];
  /** Facts the scenario wants in its report (how often the fault bit, what central answered). */
  notes: Record<string, unknown>;
  /** Set when the fault makes killed pods unavoidable (the checker then reports them without failing). */
  podsLostExpected?: string;
}

export interface ChaosScenario {
  name: string;
  /** What is injected, for the report. */
  fault: string;
  run(ctx: ChaosContext): Promise<void>;
}

export interface ChaosOutcome {
  scenario: string;
  seed: number;
  report: ConsistencyReport;
  notes: Record<string, unknown>;
  sim_minutes: number;
  real_ms: number;
}

/** Running Spot instances that are nodes of the cluster, picked deterministically from the seed. */
function pickSpotNodes(demo: SteppedDemo, seed: number, count: number, busiest = false): string[] {
  const { sim } = demo.cluster;
  const nodes = new Set(sim.store.nodes.list().map((n) => n.spec?.providerID?.split('/').at(-1)));
  const spot = sim.aws.ec2
    .list()
    .filter((i) => i.lifecycle === 'spot' && i.state === 'running' && nodes.has(i.instanceId))
    .map((i) => i.instanceId)
    .sort();
  if (busiest) {
    const pods = (id: string) => sim.store.pods.list().filter((p) => sim.store.nodes.list().some((n) => n.metadata.name === p.spec.nodeName && n.spec?.providerID?.endsWith(`/${id}`))).length;
    return spot.sort((a, b) => pods(b) - pods(a)).slice(0, count);
  }
  const rng = createRng(seed).fork('chaos-pick');
  const picked: string[] = [];
  while (picked.length < count && spot.length) picked.push(spot.splice(Math.floor(rng.next() * spot.length), 1)[0]!);
  return picked;
}

/** The urgent drain of `instanceId` once central created it (whatever its status). */
async function drainTaskOf(demo: SteppedDemo, instanceId: string): Promise<{ id: string; status: string } | undefined> {
  const rows = await demo.stack.central.ctx.db.query<{ id: string; status: string }>("SELECT id, status FROM tasks WHERE cluster_id = $1 AND task_type = 'drain_node' AND urgent AND parameters->>'instance_id' = $2", [demo.cluster.clusterId, instanceId]);
  return rows[0];
}

export const CHAOS_SCENARIOS: readonly ChaosScenario[] = [
  {
    name: 'sqs-duplicate-delay-reorder',
    fault: 'every interruption-queue message stored twice with p=0.7, each copy up to 25 s late, receives in random order; 2 Spot warnings',
    async run(ctx) {
      const { sqs } = ctx.demo.cluster.sim.aws;
      sqs.setDeliveryFaults({ duplicateProbability: 0.7, maxDelaySeconds: 25, random: createRng(ctx.seed).fork('chaos-sqs').next });
      const before = sqs.duplicatesInjected;
      ctx.interruptSpotNodes(2);
      await ctx.pass(6 * MINUTE);
      sqs.setDeliveryFaults(undefined);
      ctx.notes.duplicates_injected = sqs.duplicatesInjected - before;
    },
  },
  {
    name: 'kube-api-500-429',
    fault: "the simulator's Kubernetes API answers 500 for 2 min, then 429 for 2 min; a Spot warning 1 min after",
    async run(ctx) {
      const { kubeApi } = ctx.demo.cluster.sim.faults;
      kubeApi.outage(500, 2 * MINUTE);
      await ctx.pass(2 * MINUTE);
      kubeApi.outage(429, 2 * MINUTE);
      await ctx.pass(2 * MINUTE);
      ctx.notes.kube_requests_refused = kubeApi.refused;
      await ctx.pass(MINUTE);
      ctx.interruptSpotNodes(1);
      await ctx.pass(4 * MINUTE);
      ctx.notes.drains = await ctx.demo.stack.central.ctx.db.query("SELECT status, attempts, result->>'error' AS error, result->>'message' AS message, left(result::text, 300) AS result FROM tasks WHERE cluster_id = $1 AND task_type = 'drain_node' AND urgent ORDER BY created_at DESC LIMIT 1", [ctx.demo.cluster.clusterId]);
    },
  },
  {
    name: 'agent-partition-10min',
    fault: 'the agent cut off from central for 10 min (HTTP and stream), a Spot warning 1 min into it',
    async run(ctx) {
      const { transport } = await replaceAgent(ctx.demo);
      await ctx.pass(MINUTE);
      transport.partition();
      await ctx.pass(MINUTE);
      ctx.interruptSpotNodes(1);
      // No one can drain a node central cannot reach the agent of: its pods die with the instance.
      ctx.podsLostExpected = 'the agent was unreachable for the whole 2-minute warning';
      await ctx.pass(9 * MINUTE);
      transport.heal();
      ctx.notes.agent_requests_refused = transport.refusedRequests;
      await ctx.pass(3 * MINUTE);
    },
  },
  {
    name: 'agent-killed-mid-drain',
    fault: 'a Spot warning; the agent is killed (link cut, then stopped) while it runs the urgent drain, and a new one started',
    async run(ctx) {
      const first = await replaceAgent(ctx.demo);
      await ctx.pass(MINUTE);
      const [instance] = ctx.interruptSpotNodes(1, true);
      // Killed as soon as central has the drain: the agent is acking or running it (status says which).
      const drain = await ctx.demo.until('the urgent drain', () => drainTaskOf(ctx.demo, instance ?? ''), MINUTE, 200);
      ctx.notes.killed_during = drain.status;
      await replaceAgent(ctx.demo, { kill: true, oldTransport: first.transport });
      await ctx.pass(5 * MINUTE);
      const rows = await ctx.demo.stack.central.ctx.db.query<{ status: string; attempts: number }>('SELECT status, attempts FROM tasks WHERE id = $1', [drain.id]);
      ctx.notes.drain_outcome = rows[0];
    },
  },
  {
    name: 'ml-server-killed-mid-request',
    fault:
      "the ML server dies while central's rightsizing request is in flight: the request is received in full, then every socket is reset (RST) and the server, its store and cache closed — in-process, as close to kill -9 as one process allows; a second trigger while it is down; restarted on its port 3 min later",
    async run(ctx) {
      const { demo } = ctx;
      const { config, db } = demo.stack.central.ctx;
      const { clusterId } = demo.cluster;
      await ctx.pass(MINUTE);
      const rightsizePlans = () => db.query<{ id: string; status: string }>("SELECT id, status FROM plans WHERE cluster_id = $1 AND decision_type = 'rightsize'", [clusterId]);
      const before = new Set((await rightsizePlans()).map((p) => p.id));
      const trigger = () => demo.api.call<{ plan_id: string; status: string }>('POST', '/api/v1/admin/optimization/trigger', { cluster_id: clusterId, optimization_type: 'rightsize' });
      const outcome = (call: Promise<{ status: string }>) => call.then(
        (r) => ({ text: `accepted (${r.status})`, atMs: Date.now() }),
        (e: unknown) => ({ text: `refused: ${e instanceof Error ? e.message.slice(0, 160) : String(e)}${isAppError(e) && e.details?.code ? ` (${String(e.details.code)})` : ''}`, atMs: Date.now() }),
      );

      // The person's request (requested_by user:…), not a periodic worker's, is the one waited for; any held alongside dies with it.
      const trap = trapRequests(demo.stack.ml.app.server, (req) => req.method === 'POST' && req.url === RIGHTSIZE_PATH, (body) => body.includes('"requested_by":"user:'));
      const inFlight = outcome(trigger());
      let killedAtMs = 0;
      try {
        ctx.notes.request_held = await realTimeout(trap.received, 30 * SECOND, "central's rightsizing request never reached the ML server");
      } finally {
        await trap.kill(() => demo.stack.ml.close());
        killedAtMs = Date.now();
      }
      const answer = await inFlight;
      ctx.notes.trigger_in_flight = answer.text;
      ctx.notes.requests_killed = trap.held;
      ctx.notes.in_flight_answered_after_kill_real_ms = Math.max(0, answer.atMs - killedAtMs);
      if (!/answered 503.*\(UNAVAILABLE\)$/.test(answer.text)) throw new Error(`the trigger whose decision died with the ML server: ${answer.text} (expected 503 UNAVAILABLE)`);
      // Central gives up on a dead peer at once, not when its 30-second decision timeout runs out.
      if (answer.atMs - killedAtMs > 10 * SECOND) throw new Error(`central ended the request ${answer.atMs - killedAtMs} ms after the ML server died`);

      ctx.notes.trigger_while_down = (await outcome(trigger())).text;
      const madeWhileDown = (await rightsizePlans()).filter((p) => !before.has(p.id));
      if (madeWhileDown.length) throw new Error(`rightsizing plans stored while the ML server was dead: ${madeWhileDown.map((p) => `${p.id} ${p.status}`).join(', ')}`);
      await ctx.pass(3 * MINUTE);

      const aws = demo.cluster.sim.endpoints;
      const port = new URL(config.ML_SERVER_URL ?? '').port;
      const ml = await startMlServer(
        loadMlServerConfig({ ML_SERVER_API_KEY: config.ML_SERVER_API_KEY ?? '', PORT: port, HOST: '127.0.0.1', ML_SERVER_DATA_DIR: path.join(path.dirname(config.CLOUDOPTIM_DATA_DIR), 'ml'), AWS_ENDPOINT_URL: aws.aws_endpoint, AWS_ACCESS_KEY_ID: aws.aws_access_key_id, AWS_SECRET_ACCESS_KEY: aws.aws_secret_access_key }),
        { log: demo.errors.wrap(silentLogger).child({ component: 'ml-restarted' }), clock: demo.clock },
      );
      demo.stack.ml.close = () => ml.close();
      const plan = await demo.until(
        'a rightsizing plan once the ML server is back',
        async () => {
          const found = (await listPlans(demo.api, clusterId)).find((p) => p.decision_type === 'rightsize' && !before.has(p.plan_id) && p.status !== 'failed');
          if (found) return found;
          await trigger().catch(() => undefined);
          return undefined;
        },
        10 * MINUTE,
        MINUTE,
      ).catch(() => undefined);
      ctx.notes.plan_after_restart = plan ? `${plan.status}` : 'none within 10 min';
      if (!plan) throw new Error('no rightsizing plan within 10 simulated minutes of the ML server coming back');
      // Every plan of the scenario ends: none left proposed, approved or running.
      const open = await demo.until(
        "the scenario's rightsizing plans finished",
        async () => {
          const left = (await rightsizePlans()).filter((p) => !before.has(p.id) && UNFINISHED.has(p.status));
          return left.length === 0 ? [] : undefined;
        },
        10 * MINUTE,
        30 * SECOND,
      ).catch(async () => (await rightsizePlans()).filter((p) => !before.has(p.id) && UNFINISHED.has(p.status)));
      ctx.notes.plans_after_restart = (await rightsizePlans()).filter((p) => !before.has(p.id)).map((p) => p.status).join(', ');
      if (open.length) throw new Error(`rightsizing plans still unfinished 10 simulated minutes on: ${open.map((p) => `${p.id} ${p.status}`).join(', ')}`);
    },
  },
];

/**
 * Runs the scenarios one after the other on one stack (starting the product costs ~20 s of real time; every
 * fault is cleared when its scenario ends, and each scenario has its own recorder, lease observer and check).
 * A scenario that throws counts as a failure.
 */
export async function runChaosSuite(seed: number, scenarios: readonly ChaosScenario[] = CHAOS_SCENARIOS, onOutcome: (o: ChaosOutcome) => void = () => {}): Promise<ChaosOutcome[]> {
  const started = Date.now();
  const demo = await startSteppedDemo({ scenario: 'steady', mode: 'automate', seed });
  const outcomes: ChaosOutcome[] = [];
  try {
    // The scenario's instances boot and the agent reports them before any fault (central must know the nodes).
    await demo.until('the scenario nodes known to central', async () => {
      const rows = await demo.stack.central.ctx.db.query<{ n: number | string }>('SELECT count(*) AS n FROM nodes WHERE cluster_id = $1', [demo.cluster.clusterId]);
      const booting = demo.cluster.sim.aws.ec2.list().some((i) => i.state === 'pending');
      return !booting && Number(rows[0]?.n ?? 0) >= demo.cluster.sim.store.nodes.list().length;
    }, 10 * MINUTE, 15 * SECOND);
    let startup = Date.now() - started;
    for (const scenario of scenarios) {
      const outcome = await runOne(demo, scenario, seed);
      outcome.notes.startup_real_ms = startup;
      startup = 0;
      outcomes.push(outcome);
      onOutcome(outcome);
    }
    return outcomes;
  } finally {
    await demo.stop();
  }
}

async function runOne(demo: SteppedDemo, scenario: ChaosScenario, seed: number): Promise<ChaosOutcome> {
  const started = Date.now();
  const simStart = demo.clock.now();
  const observer = new TaskLeaseObserver(demo.stack.central.ctx.db, demo.cluster.clusterId);
  const ctx: ChaosContext = {
    demo,
    seed,
    recorder: new DemoRecorder(demo.stack, demo.clock, demo.errors),
    observer,
    notes: {},
    async pass(ms, stepMs = 10 * SECOND) {
      const end = demo.clock.now() + ms;
      while (demo.clock.now() < end) {
        await demo.pass(Math.min(stepMs, end - demo.clock.now()));
        await observer.sample();
      }
    },
    interruptSpotNodes(count, busiest) {
      const ids = pickSpotNodes(demo, seed, count, busiest);
      for (const id of ids) demo.cluster.sim.aws.ec2.interruptInstance(id);
      ctx.notes.interrupted = [...((ctx.notes.interrupted as string[] | undefined) ?? []), ...ids];
      return ids;
    },
  };
  // Which terminations killed pods of controllers, and why (the recorder only counts them).
  const { sim } = demo.cluster;
  const killed: string[] = [];
  const unwatch = sim.aws.onEvent((e) => {
    if (e.kind !== 'instance-terminated' || !e.instanceId) return;
    const node = sim.store.nodes.list().find((n) => n.spec?.providerID?.endsWith(`/${e.instanceId}`));
    const pods = node ? sim.store.pods.list().filter((p) => p.spec.nodeName === node.metadata.name && !p.metadata.deletionTimestamp && (p.metadata.ownerReferences ?? []).some((o) => o.kind !== 'DaemonSet' && o.kind !== 'Node')) : [];
    const instance = sim.aws.ec2.get(e.instanceId);
    if (pods.length) killed.push(`${e.instanceId} (${e.cause ?? '?'}${instance?.tags['cloudoptim:plan-id'] ? `, plan ${instance.tags['cloudoptim:plan-id']}` : ''}${node?.spec?.unschedulable ? ', cordoned' : ''}): ${pods.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).join(' ')}`);
  });
  let thrown: string | undefined;
  await scenario.run(ctx).catch((error: unknown) => {
    thrown = error instanceof Error ? error.message : String(error);
  });
  const report = await checkConsistency({ demo, recorder: ctx.recorder, observer, ...(ctx.podsLostExpected ? { podsLostExpected: ctx.podsLostExpected } : {}) });
  unwatch();
  if (killed.length) {
    ctx.notes.pods_killed_by = killed;
    const plans = [...new Set(killed.map((k) => /plan ([0-9a-f-]{36})/.exec(k)?.[1]).filter((id): id is string => !!id))];
    for (const id of plans) {
      const [plan] = await demo.stack.central.ctx.db.query<{ decision_type: string; status: string }>('SELECT decision_type, status FROM plans WHERE id = $1', [id]);
      const steps = await demo.stack.central.ctx.db.query<{ step: number; action: string; status: string; error: string | null }>('SELECT step, action, status, error FROM plan_steps WHERE plan_id = $1 ORDER BY step', [id]);
      ctx.notes[`plan_${id.slice(0, 8)}`] = `${plan?.decision_type} ${plan?.status}: ${steps.map((x) => `${x.step}.${x.action}=${x.status}${x.error ? ` (${x.error.slice(0, 120)})` : ''}`).join(', ')}`;
    }
  }
  if (thrown) report.failures.unshift(`scenario: ${thrown}`);
  if (ctx.podsLostExpected) ctx.notes.pods_lost_expected = ctx.podsLostExpected;
  if (!ctx.notes.interrupted && scenario.fault.includes('Spot warning')) report.failures.push('scenario: no Spot node to interrupt');
  report.ok = report.failures.length === 0;
  return { scenario: scenario.name, seed, report, notes: ctx.notes, sim_minutes: Math.round((demo.clock.now() - simStart) / MINUTE), real_ms: Date.now() - started };
}
