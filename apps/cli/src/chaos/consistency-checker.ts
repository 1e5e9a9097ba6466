/**
 * After a chaos scenario: compares central's state (its database) with the simulator's truth (EC2 instances,
 * Kubernetes nodes, the interruption warnings it sent) and lists every broken invariant:
 *   - no task executed twice concurrently (the lease observer's samples; a result past its attempts);
 *   - no task lost (every open task pending before its deadline, or leased under a live lease);
 *   - no orphan instance (a running instance tagged with the cluster is a node, or belongs to an unfinished plan);
 *   - no interruption missed (every warning sent has its spot event, with an action taken);
 *   - no pod of a controller lost (the recorder's pods_lost);
 *   - central's node list equals the simulator's nodes after the agent's next report.
 */
import type { SteppedDemo } from '../demo/stepped-demo.test-support.ts';
import type { DemoRecorder } from '../demo/demo-recorder.ts';
import { CLUSTER_TAG, PLAN_TAG, UNFINISHED } from '../demo/sim-observations.test-support.ts';
import type { TaskLeaseObserver } from './task-lease-observer.ts';

export interface ConsistencyReport {
  ok: boolean;
  /** One line per broken invariant, prefixed with its name. */
  failures: string[];
  facts: { tasks: number; open_tasks: number; interruption_warnings: number; spot_events: number; pods_lost: number; nodes: number; lease_samples: number };
}

export interface CheckOptions {
  demo: SteppedDemo;
  /** Started with the scenario: pods of a controller killed on a reclaimed node. */
  recorder: DemoRecorder;
  observer?: TaskLeaseObserver;
  /** Why pods lost are expected in this scenario (e.g. the agent could not be reached); they are then reported only. */
  podsLostExpected?: string;
  /** Simulated time a warning may still be in handling (default 2 min): younger warnings are not checked. */
  warningGraceMs?: number;
}

const MINUTE = 60_000;
/** An open task whose deadline or lease ended this long ago should have been timed out or leased again. */
const STALE_MS = 2 * MINUTE;

export async function checkConsistency(o: CheckOptions): Promise<ConsistencyReport> {
  const { demo } = o;
  const { db } = demo.stack.central.ctx;
  const { sim, clusterId } = demo.cluster;
  const failures: string[] = [];
  const fail = (invariant: string, text: string) => failures.push(`${invariant}: ${text}`);

  // Central's node list against the simulator's, after the agent reported again (retried across reports).
  const simNodes = () => sim.store.nodes.list().map((n) => n.metadata.name).sort();
  const centralNodes = async () => (await db.query<{ node_name: string }>('SELECT node_name FROM nodes WHERE cluster_id = $1', [clusterId])).map((r) => r.node_name).sort();
  let lastDiff = '';
  const matched = await demo
    .until(
      'central node list = simulator nodes',
      async () => {
        const [a, b] = [await centralNodes(), simNodes()];
        if (a.join() === b.join()) return true;
        lastDiff = `central has [${a.filter((n) => !b.includes(n)).join(', ')}] extra, misses [${b.filter((n) => !a.includes(n)).join(', ')}]`;
        return false;
      },
      4 * MINUTE,
      15_000,
    )
    .catch(() => false);
  if (!matched) fail('node-list', lastDiff);
  await o.observer?.sample();

  const now = demo.clock.now();
  const tasks = await db.query<{ id: string; task_type: string; status: string; attempts: number; result_attempt: number | null; deadline: Date | string; lease_expires_at: Date | string | null }>(
    'SELECT id, task_type, status, attempts, result_attempt, deadline, lease_expires_at FROM tasks WHERE cluster_id = $1',
    [clusterId],
  );
  const open = tasks.filter((t) => ['pending', 'leased', 'running'].includes(t.status));
  for (const t of open) {
    const deadline = new Date(t.deadline).getTime();
    const lease = t.lease_expires_at ? new Date(t.lease_expires_at).getTime() : 0;
    if (t.status === 'pending' && deadline < now - STALE_MS) fail('task-lost', `${t.task_type} ${t.id} still pending ${Math.round((now - deadline) / 1000)} s after its deadline`);
    if (t.status !== 'pending' && lease < now - STALE_MS) fail('task-lost', `${t.task_type} ${t.id} ${t.status} under a lease that ended ${Math.round((now - lease) / 1000)} s ago`);
  }
  for (const t of tasks) if (t.result_attempt !== null && t.result_attempt > t.attempts) fail('task-twice', `${t.task_type} ${t.id}: result of attempt ${t.result_attempt} > ${t.attempts} attempts`);
  for (const v of o.observer?.violations ?? []) fail('task-twice', v);

  // Orphans: a running instance the cluster's automation launched that is no node and no unfinished plan's.
  const plans = await db.query<{ id: string; status: string }>('SELECT id, status FROM plans WHERE cluster_id = $1', [clusterId]);
  const unfinished = new Set(plans.filter((p) => UNFINISHED.has(p.status)).map((p) => p.id));
  const nodeInstances = new Set(sim.store.nodes.list().map((n) => n.spec?.providerID?.split('/').at(-1)));
  for (const i of sim.aws.ec2.list()) {
    if (i.state !== 'running' || i.tags[CLUSTER_TAG] !== clusterId || nodeInstances.has(i.instanceId)) continue;
    const plan = i.tags[PLAN_TAG];
    if (plan && unfinished.has(plan)) continue;
    fail('orphan-instance', `${i.instanceId} (${i.instanceType}, ${i.lifecycle}) runs, tagged for the cluster, but is no node${plan ? ` (plan ${plan} finished)` : ''}`);
  }

  // Every warning the simulator sent (old enough to have been handled) has its spot event with an action.
  const grace = o.warningGraceMs ?? 2 * MINUTE;
  const warnings = sim.events().filter((e) => e.kind === 'interruption-warning' && e.timeMs <= now - grace);
  const events = await db.query<{ instance_id: string; action_taken: string | null }>("SELECT instance_id, action_taken FROM spot_events WHERE customer_id = $1 AND event_type = 'interruption_warning'", [demo.stack.customerId]);
  for (const w of warnings) {
    const event = events.find((e) => e.instance_id === w.instanceId);
    if (!event) fail('interruption-missed', `warning for ${w.instanceId} at ${new Date(w.timeMs).toISOString()} has no spot event`);
    else if (!event.action_taken || event.action_taken === 'pending') fail('interruption-missed', `warning for ${w.instanceId}: action ${event.action_taken ?? 'null'}`);
  }
  const duplicates = events.filter((e, i) => events.findIndex((x) => x.instance_id === e.instance_id) !== i);
  if (duplicates.length) fail('interruption-twice', `${duplicates.length} extra spot events for the same instance (${duplicates.map((d) => d.instance_id).join(', ')})`);

  const summary = await o.recorder.summary();
  if (summary.pods_lost > 0 && !o.podsLostExpected) fail('pods-lost', `${summary.pods_lost} pods of controllers were on reclaimed nodes`);

  return {
    ok: failures.length === 0,
    failures,
    facts: { tasks: tasks.length, open_tasks: open.length, interruption_warnings: warnings.length, spot_events: events.length, pods_lost: summary.pods_lost, nodes: simNodes().length, lease_samples: o.observer?.samples ?? 0 },
  };
}
