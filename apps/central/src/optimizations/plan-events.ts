/**
 * `optimization_updated` on the admin stream for every plan transition and step the executor starts. Publishing
 * is a hint (the plan is in the database first): a failure to publish is logged, never the action's failure.
 */
import { randomUUID } from 'node:crypto';
import type { OptimizationStatus } from '@cloudoptim/contracts';
import type { Plan, PlanStatus } from '@cloudoptim/db';
import type { Clock, Logger } from '@cloudoptim/runtime';
import type { RealtimeHub } from '../realtime/realtime-hub.ts';

/** The stream's name of a plan status (a dry run waiting is only "planned": nobody is asked to approve it). */
export function streamStatus(plan: Pick<Plan, 'status' | 'dryRun'>): OptimizationStatus {
  const map: Record<PlanStatus, OptimizationStatus> = {
    proposed: plan.dryRun ? 'planned' : 'awaiting_approval',
    approved: 'approved',
    rejected: 'rejected',
    running: 'executing',
    succeeded: 'completed',
    failed: 'failed',
    rolled_back: 'rolled_back',
    // A plan with nothing to do, or that could not be planned: it never runs.
    cancelled: 'planned',
  };
  return map[plan.status];
}

export interface PlanEventDeps {
  realtime: RealtimeHub;
  clock: Clock;
  log: Logger;
}

/** Publishes the plan's state to the admins of its customer. `currentStep`: the step being executed, if any. */
export async function publishPlanUpdate(deps: PlanEventDeps, plan: Plan, totalSteps: number, currentStep: number | null = null): Promise<void> {
  try {
    await deps.realtime.publishToAdmins(plan.customerId, {
      type: 'optimization_updated',
      v: 1,
      id: randomUUID(),
      sent_at: new Date(deps.clock.now()).toISOString(),
      cluster_id: plan.clusterId,
      optimization_id: plan.id,
      decision_type: plan.decisionType,
      status: streamStatus(plan),
      current_step: currentStep,
      total_steps: totalSteps,
      estimated_savings: plan.estimatedSavingsMonthly,
    });
  } catch (error) {
    deps.log.warn({ plan_id: plan.id, err: error instanceof Error ? error.message : String(error) }, 'could not publish optimization_updated');
  }
}
