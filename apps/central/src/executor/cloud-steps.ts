/**
 * The steps central carries out itself, against EC2: launch (CreateFleet instant), wait for the launched nodes
 * to be Ready, terminate. Each is safe to run again: a launch first looks for the instances it may already have
 * launched (by tag) and repeats CreateFleet with the same client token otherwise; terminating is idempotent.
 */
import { AppError, LaunchInstancesParametersSchema, TerminateInstancesParametersSchema, WaitForNodesReadyParametersSchema } from '@cloudoptim/contracts';
import type { CloudInstance, CloudProvider, LaunchPool } from '@cloudoptim/cloud';
import { NodesRepository } from '@cloudoptim/db';
import type { z } from 'zod';
import { CLUSTER_TAG, launchedByPlan, PLAN_STEP_TAG, PLAN_TAG, type ExecutorDeps, type NodeReadiness, type StepProgress, type StepRun } from './executor-types.ts';

const GONE = new Set(['shutting-down', 'terminated']);

/** `<plan id>-<step>`: CreateFleet's idempotency token (≤ 60 characters for a UUID plan id). */
export function launchClientToken(planId: string, step: number): string {
  return `${planId}-${step}`;
}

function parse<S extends z.ZodType>(schema: S, run: StepRun): z.output<S> | string {
  const parsed = schema.safeParse(run.step.parameters);
  return parsed.success ? parsed.data : `step ${run.step.step} (${run.step.action}) has invalid parameters: ${parsed.error.issues[0]?.message ?? 'invalid'}`;
}

function describeLaunch(instances: readonly CloudInstance[]): Record<string, unknown> {
  return {
    instance_ids: instances.map((i) => i.instanceId),
    instances: instances.map((i) => ({ instance_id: i.instanceId, instance_type: i.instanceType, availability_zone: i.availabilityZone, capacity_type: i.capacityType, private_dns_name: i.privateDnsName })),
  };
}

/**
 * The subnet of `zone` the cluster already uses, among the settings' subnets: learnt from the subnets of the
 * cluster's own instances (EC2 knows each instance's subnet, the settings only list ids). Undefined when the
 * settings name no subnet or none of them is seen in that zone (EC2 then uses the zone's default subnet).
 */
async function subnetFor(deps: ExecutorDeps, run: StepRun, provider: CloudProvider, zone: string): Promise<string | undefined> {
  if (run.settings.subnet_ids.length === 0) return undefined;
  const nodes = await new NodesRepository(deps.db.db).list(run.cluster.customerId, run.cluster.id);
  if (nodes.length === 0) return undefined;
  const instances = await provider.describeInstances({ ids: nodes.map((n) => n.instanceId) }).catch((error: unknown) => {
    if (error instanceof AppError && error.code === 'NOT_FOUND') return [];
    throw error;
  });
  const allowed = new Set(run.settings.subnet_ids);
  return instances.find((i) => i.availabilityZone === zone && i.subnetId !== null && allowed.has(i.subnetId))?.subnetId ?? undefined;
}

/**
 * `launch_instances`: the step's pool (Spot with the on-demand fallback the step allows, the cluster's launch
 * template, a subnet of the settings), tagged with the cluster, plan and step.
 */
export async function launchInstances(deps: ExecutorDeps, run: StepRun): Promise<StepProgress> {
  const params = parse(LaunchInstancesParametersSchema, run);
  if (typeof params === 'string') return { state: 'failed', error: params };
  const provider = await run.provider();
  // Reconcile first: what this step launched before a crash carries its tags.
  const already = (await provider.describeInstances({ tags: { [PLAN_TAG]: run.plan.id, [PLAN_STEP_TAG]: String(run.step.step) } })).filter((i) => !GONE.has(i.state));
  if (already.length > 0) return { state: 'succeeded', outcome: { ...describeLaunch(already), reconciled: true } };
  const subnetId = await subnetFor(deps, run, provider, params.availability_zone);
  const pool: LaunchPool = { instanceType: params.instance_type, availabilityZone: params.availability_zone, ...(subnetId !== undefined && { subnetId }) };
  const result = await provider.launchCapacity({
    pools: [pool],
    capacityType: params.capacity_type,
    count: params.count,
    onDemandFallback: params.capacity_type === 'spot' && params.on_demand_fallback,
    clientToken: launchClientToken(run.plan.id, run.step.step),
    tags: { [CLUSTER_TAG]: run.cluster.id, [PLAN_TAG]: run.plan.id, [PLAN_STEP_TAG]: String(run.step.step) },
    ...(run.settings.launch_template_id !== null && { launchTemplate: { launchTemplateId: run.settings.launch_template_id } }),
  });
  await deps.audit.record({
    customerId: run.cluster.customerId,
    clusterId: run.cluster.id,
    actor: 'system:executor',
    action: 'instance.launch',
    target: `plan/${run.plan.id}`,
    details: { step: run.step.step, instance_ids: result.instances.map((i) => i.instanceId), instance_type: params.instance_type, availability_zone: params.availability_zone, capacity_type: params.capacity_type, count: params.count, launch_errors: result.errors.map((e) => e.awsCode) },
  });
  return { state: 'succeeded', outcome: { ...describeLaunch(result.instances), launch_errors: result.errors.map((e) => ({ instance_type: e.instanceType, availability_zone: e.availabilityZone, capacity_type: e.capacityType, code: e.awsCode, message: e.message })) } };
}

/**
 * `wait_for_nodes_ready`: until the instances the plan launched show up Ready in the cluster's metrics (at most
 * `count` of them needed), or `timeout_seconds` after the step started (failed).
 */
export function waitForNodesReady(readiness: NodeReadiness) {
  return async (run: StepRun): Promise<StepProgress> => {
    const params = parse(WaitForNodesReadyParametersSchema, run);
    if (typeof params === 'string') return { state: 'failed', error: params };
    const launched = launchedByPlan(run.plan);
    const wanted = Math.min(params.count, launched.length);
    if (wanted === 0) return { state: 'failed', error: 'no launched instance to wait for' };
    const ready = await readiness.readyInstances(run.cluster.customerId, run.cluster.id);
    const readyNow = launched.filter((id) => ready.has(id));
    const outcome = { ready_instance_ids: readyNow, node_names: readyNow.map((id) => ready.get(id) as string), wanted };
    if (readyNow.length >= wanted) return { state: 'succeeded', outcome };
    const startedMs = run.step.startedAt?.getTime() ?? run.nowMs;
    if (run.nowMs - startedMs > params.timeout_seconds * 1000) return { state: 'failed', error: `only ${readyNow.length} of ${wanted} new nodes were Ready after ${params.timeout_seconds} s`, outcome };
    return { state: 'running', outcome };
  };
}

/**
 * `terminate_instances`: only instances that are the cluster's nodes or that this plan launched (a plan never
 * terminates anything else); an instance EC2 no longer knows counts as terminated.
 */
export async function terminateInstances(deps: ExecutorDeps, run: StepRun): Promise<StepProgress> {
  const params = parse(TerminateInstancesParametersSchema, run);
  if (typeof params === 'string') return { state: 'failed', error: params };
  const known = new Set([...(await new NodesRepository(deps.db.db).list(run.cluster.customerId, run.cluster.id)).map((n) => n.instanceId), ...launchedByPlan(run.plan)]);
  const foreign = params.instance_ids.filter((id) => !known.has(id));
  if (foreign.length > 0) return { state: 'failed', error: `refusing to terminate ${foreign.join(', ')}: not a node of cluster ${run.cluster.id}` };
  const provider = await run.provider();
  await terminateIgnoringGone(provider, params.instance_ids);
  await deps.audit.record({ customerId: run.cluster.customerId, clusterId: run.cluster.id, actor: 'system:executor', action: 'instance.terminate', target: `plan/${run.plan.id}`, details: { step: run.step.step, instance_ids: params.instance_ids } });
  return { state: 'succeeded', outcome: { instance_ids: params.instance_ids } };
}

/**
 * Terminates `ids`; ids EC2 no longer knows are skipped. (TerminateInstances rejects the whole call when one id
 * is unknown, so on NOT_FOUND each id is terminated on its own.)
 */
export async function terminateIgnoringGone(provider: CloudProvider, ids: readonly string[]): Promise<void> {
  const gone = (error: unknown) => {
    if (!(error instanceof AppError && error.code === 'NOT_FOUND')) throw error;
  };
  try {
    await provider.terminateInstances(ids);
  } catch (error) {
    gone(error);
    for (const id of ids) await provider.terminateInstances([id]).catch(gone);
  }
}
