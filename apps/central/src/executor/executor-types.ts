/** What the plan executor and its step handlers share. */
import type { CloudProvider } from '@cloudoptim/cloud';
import type { Cluster, PlanStep, PlanWithSteps } from '@cloudoptim/db';
import type { CentralContext } from '../context.ts';
import type { ClusterSettings } from '../settings/cluster-settings.ts';

/** Tags every instance a plan launches carries: what finds them again after a crash or for a rollback. */
export const CLUSTER_TAG = 'cloudoptim:cluster-id';
export const PLAN_TAG = 'cloudoptim:plan-id';
export const PLAN_STEP_TAG = 'cloudoptim:plan-step';

export type ExecutorDeps = Pick<CentralContext, 'db' | 'clock' | 'log' | 'cloud' | 'tasks' | 'settings' | 'audit' | 'realtime' | 'metrics'>;

/** Instance ids of the cluster's nodes that are Ready now (instance id → node name). */
export interface NodeReadiness {
  readyInstances(customerId: string, clusterId: string): Promise<Map<string, string>>;
}

/** One call of a step handler: the step as stored, and where it runs. */
export interface StepRun {
  plan: PlanWithSteps;
  step: PlanStep;
  cluster: Cluster;
  settings: ClusterSettings;
  /** The cluster's EC2 provider (built on first use). */
  provider(): Promise<CloudProvider>;
  nowMs: number;
}

/**
 * What a handler reports. `running`: not done yet, ask again next pass. A step's `outcome` is merged into what
 * is stored, so a handler can record what it did (a task id, launched instances) before it is done.
 */
export type StepProgress =
  | { state: 'running'; outcome?: Record<string, unknown> }
  | { state: 'succeeded'; outcome?: Record<string, unknown> }
  | { state: 'failed'; error: string; outcome?: Record<string, unknown> };

/** Advances one step: starts it, or checks on it. Must be safe to call again for a step found running after a crash. */
export type StepHandler = (run: StepRun) => Promise<StepProgress>;

/** Instance ids a step's outcome names (`instance_ids`). */
export function outcomeInstanceIds(step: PlanStep): string[] {
  const ids = step.outcome?.instance_ids;
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
}

/** Instance ids the plan's launch steps launched (as recorded). */
export function launchedByPlan(plan: PlanWithSteps): string[] {
  return plan.steps.filter((s) => s.action === 'launch_instances').flatMap(outcomeInstanceIds);
}
