/** Optimization plans: trigger (with a dry-run preview), history, one plan, approve, reject. */
import type { DecisionRequirements, DecisionType } from '@cloudoptim/contracts';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from './api-context.tsx';
import { queryKeys } from './query-keys.ts';
import type { PlanList, PlanStatus, PlanView } from './wire-types.ts';

export interface PlanListParams {
  clusterId?: string | null;
  status?: PlanStatus | null;
  limit: number;
  offset: number;
}

export function usePlans(params: PlanListParams) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.plans({ ...params }),
    queryFn: () => api.get<PlanList>('/api/v1/admin/optimizations', { cluster_id: params.clusterId, status: params.status, limit: params.limit, offset: params.offset }),
    placeholderData: keepPreviousData,
  });
}

export function usePlan(planId: string | null) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.plan(planId ?? ''),
    queryFn: () => api.get<PlanView>(`/api/v1/admin/optimizations/${encodeURIComponent(planId!)}`),
    enabled: planId !== null,
  });
}

export interface TriggerInput {
  cluster_id: string;
  optimization_type: DecisionType;
  dry_run: boolean;
  requirements?: Partial<DecisionRequirements>;
}

export function useTriggerOptimization() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: TriggerInput) => api.post<PlanView>('/api/v1/admin/optimization/trigger', input),
    onSuccess: (plan) => {
      client.setQueryData(queryKeys.plan(plan.plan_id), plan);
      return client.invalidateQueries({ queryKey: [...queryKeys.plansAll, 'list'] });
    },
  });
}

/** Approve or reject a plan; the answer replaces the cached plan. */
export function usePlanDecision() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { planId: string; decision: 'approve' | 'reject'; reason?: string }) =>
      api.post<PlanView>(`/api/v1/admin/optimizations/${encodeURIComponent(input.planId)}/${input.decision}`, input.decision === 'reject' ? (input.reason ? { reason: input.reason } : {}) : undefined),
    onSuccess: (plan) => {
      client.setQueryData(queryKeys.plan(plan.plan_id), plan);
      return client.invalidateQueries({ queryKey: [...queryKeys.plansAll, 'list'] });
    },
  });
}
