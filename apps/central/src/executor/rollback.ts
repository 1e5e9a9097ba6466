/**
 * Rollback of a plan whose step failed: undo what the plan started, so a failure leaves no orphan instance and
 * no node cordoned for nothing.
 *
 * - Until the plan terminated one of the cluster's existing instances, the instances it launched are not
 *   needed: they are terminated (every instance tagged with the plan, recorded or not) and the plan ends
 *   `rolled_back`. After that point the new capacity carries the moved pods, so it stays and the plan ends
 *   `failed`. A launched instance whose node already runs pods of controllers (as the agent last reported —
 *   the scheduler places pods on new Ready nodes whether or not a drain ran) stays too: terminating it would
 *   kill them (found by the chaos suite: a drain failing on a Kubernetes API outage rolled back a plan whose
 *   new nodes carried five pods). The consolidator removes such capacity later, with a drain.
 * - Nodes it cordoned or was draining and did not remove are uncordoned (agent tasks, not awaited).
 * - Tasks of steps still running are cancelled; steps not started are skipped.
 * Safe to run again after a crash half-way: every action is idempotent.
 */
import type { CloudProvider } from '@cloudoptim/cloud';
import { PlansRepository, type Cluster, type PlanStep, type PlanWithSteps } from '@cloudoptim/db';
import { terminateIgnoringGone } from './cloud-steps.ts';
import { disruptedNode } from './disruption-budget.ts';
import { launchedByPlan, outcomeInstanceIds, PLAN_TAG, type ExecutorDeps } from './executor-types.ts';
import { isTaskAction } from './task-steps.ts';

const LIVE = (state: string) => state !== 'terminated' && state !== 'shutting-down';

/** Whether a terminate step of the plan (done or possibly done) removed an instance the plan did not launch. */
function pastPointOfNoReturn(plan: PlanWithSteps): boolean {
  const ours = new Set(launchedByPlan(plan));
  return plan.steps.some(
    (s) =>
      s.action === 'terminate_instances' &&
      (s.status === 'succeeded' || s.status === 'running') &&
      Array.isArray(s.parameters.instance_ids) &&
      s.parameters.instance_ids.some((id) => typeof id === 'string' && !ours.has(id)),
  );
}

/** Nodes whose instance or Node object the plan removed (no uncordon for them). */
function removedNodes(plan: PlanWithSteps): Set<string> {
  const terminated = new Set(plan.steps.filter((s) => s.action === 'terminate_instances' && s.status === 'succeeded').flatMap(outcomeInstanceIds));
  const out = new Set<string>();
  for (const s of plan.steps) {
    if (s.action === 'delete_node' && s.status === 'succeeded' && typeof s.parameters.node_name === 'string') out.add(s.parameters.node_name);
    const node = disruptedNode(s);
    if (node !== null && typeof s.parameters.instance_id === 'string' && terminated.has(s.parameters.instance_id)) out.add(node);
  }
  return out;
}

export interface RollbackResult {
  status: 'rolled_back' | 'failed';
  terminated: string[];
  uncordoned: string[];
  /** Launched instances kept because their nodes already run pods. */
  kept: string[];
}

export async function rollbackPlan(deps: ExecutorDeps, plan: PlanWithSteps, cluster: Cluster, provider: () => Promise<CloudProvider>): Promise<RollbackResult> {
  const repo = new PlansRepository(deps.db.db);
  const nowMs = deps.clock.now();
  const now = new Date(nowMs);
  const keepCapacity = pastPointOfNoReturn(plan);
  const mark = (s: PlanStep, status: PlanStep['status'], error?: string) => repo.updateStep(plan.id, s.step, { status, finishedAt: s.finishedAt ?? now, ...(error !== undefined && { error }) });

  // 1. Stop what is still running.
  for (const s of plan.steps.filter((x) => x.status === 'running')) {
    const taskId = s.outcome?.task_id;
    if (isTaskAction(s.action) && typeof taskId === 'string') await deps.tasks.cancel(cluster.id, taskId, `plan ${plan.id} is rolled back`);
    if (disruptedNode(s) === null && (s.action !== 'launch_instances' || keepCapacity)) await mark(s, 'skipped', 'stopped: the plan is rolled back');
  }

  // 2. Terminate what it launched, unless that capacity now carries the pods of removed nodes.
  let terminated: string[] = [];
  let kept: string[] = [];
  // A plan that never tried to launch (office hours, rightsizing, a pure consolidation) has nothing in EC2 to undo.
  const launchTried = plan.steps.some((s) => s.action === 'launch_instances' && s.status !== 'pending' && s.status !== 'skipped');
  if (!keepCapacity && launchTried) {
    const cloud = await provider();
    const tagged = (await cloud.describeInstances({ tags: { [PLAN_TAG]: plan.id } })).filter((i) => LIVE(i.state)).map((i) => i.instanceId);
    const launched = [...new Set([...launchedByPlan(plan), ...tagged])];
    const carrying = await instancesCarryingPods(deps, cluster, launched);
    terminated = launched.filter((id) => !carrying.has(id));
    if (carrying.size > 0) {
      kept = [...carrying];
      deps.log.warn({ planId: plan.id, kept }, 'rollback: launched instances already run pods; they stay');
    }
    if (terminated.length > 0) {
      await terminateIgnoringGone(cloud, terminated);
      await deps.audit.record({ customerId: cluster.customerId, clusterId: cluster.id, actor: 'system:executor', action: 'instance.terminate', target: `plan/${plan.id}`, details: { reason: 'rollback', instance_ids: terminated } });
    }
    const keptByStep = (st: PlanStep) => outcomeInstanceIds(st).some((id) => carrying.has(id));
    for (const s of plan.steps.filter((x) => x.action === 'launch_instances' && (x.status === 'running' || x.status === 'succeeded'))) if (!keptByStep(s)) await mark(s, 'rolled_back');
  }

  // 3. Give back the nodes it took out of service.
  const removed = removedNodes(plan);
  const uncordoned: string[] = [];
  for (const s of plan.steps) {
    const node = disruptedNode(s);
    if (node === null || s.status === 'pending' || s.status === 'skipped' || removed.has(node)) continue;
    if (!uncordoned.includes(node)) {
      await deps.tasks.enqueue({
        customerId: cluster.customerId,
        clusterId: cluster.id,
        taskType: 'uncordon_node',
        parameters: { node_name: node, instance_id: typeof s.parameters.instance_id === 'string' ? s.parameters.instance_id : null },
        priority: 3,
        deadline: new Date(nowMs + 600_000),
        createdBy: `optimizer:${plan.id}`,
        idempotencyKey: `${plan.id}:rollback:${node}`,
        planId: plan.id,
      });
      uncordoned.push(node);
    }
    if (s.status !== 'failed') await mark(s, 'rolled_back');
  }

  // 4. What never started never will.
  for (const s of plan.steps.filter((x) => x.status === 'pending')) await repo.updateStep(plan.id, s.step, { status: 'skipped' });
  return { status: keepCapacity || kept.length > 0 ? 'failed' : 'rolled_back', terminated, uncordoned, kept };
}

/** Of `instanceIds`, those whose node runs pods not owned by a DaemonSet (per the agent's last pod report). */
async function instancesCarryingPods(deps: ExecutorDeps, cluster: Cluster, instanceIds: readonly string[]): Promise<Set<string>> {
  if (instanceIds.length === 0) return new Set();
  const rows = await deps.db.query<{ instance_id: string }>(
    `SELECT DISTINCT n.instance_id FROM nodes n JOIN pod_snapshots p ON p.cluster_id = n.cluster_id AND p.node_name = n.node_name
      WHERE n.cluster_id = $1 AND n.instance_id IN (SELECT jsonb_array_elements_text($2::jsonb)) AND p.phase IN ('Pending', 'Running') AND coalesce(p.owner_kind, '') NOT IN ('DaemonSet', 'Node')`,
    [cluster.id, JSON.stringify(instanceIds)],
  );
  return new Set(rows.map((r) => r.instance_id));
}
