/** The newest plan of one decision type among a cluster's recent plans (the list cannot filter by type). */
import type { DecisionType } from '@cloudoptim/contracts';
import type { PlanSummary } from '../../api/wire-types.ts';

export function latestPlanOf(plans: readonly PlanSummary[], type: DecisionType): PlanSummary | null {
  return plans.filter((p) => p.decision_type === type).reduce<PlanSummary | null>((best, p) => (best === null || p.created_at > best.created_at ? p : best), null);
}
