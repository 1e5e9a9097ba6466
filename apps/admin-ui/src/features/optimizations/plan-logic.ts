/** What a person may do with a plan, and how its estimated and actual savings compare. */
import type { PlanSummary } from '../../api/wire-types.ts';

/**
 * Approve/reject are offered for a proposed plan that planned something and is not a dry-run preview (the
 * server refuses the rest anyway; the buttons just do not invite it).
 */
export function planActions(plan: Pick<PlanSummary, 'status' | 'dry_run' | 'outcome'>, canWrite: boolean): { approve: boolean; reject: boolean } {
  const open = canWrite && plan.status === 'proposed' && !plan.dry_run;
  return { approve: open && plan.outcome === 'planned', reject: open };
}

/** Actual savings as a share of the estimate (1 = as predicted); null until measured or without an estimate. */
export function savingsAccuracy(plan: Pick<PlanSummary, 'estimated_savings_monthly' | 'actual_savings_monthly'>): number | null {
  if (plan.actual_savings_monthly === null || plan.estimated_savings_monthly === 0) return null;
  return plan.actual_savings_monthly / plan.estimated_savings_monthly;
}

/** Alternatives the engine reports it weighed (any list under a known key of its metadata). */
export function alternativesOf(engine: Record<string, unknown>): Record<string, unknown>[] {
  for (const key of ['closest_alternatives', 'alternatives', 'rejected_pools']) {
    const value = engine[key];
    if (Array.isArray(value)) return value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null);
  }
  return [];
}
