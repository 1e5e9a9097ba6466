/** Savings over time (per cluster and in total) and the cost allocation of a cluster. */
import { useQuery } from '@tanstack/react-query';
import { useApi } from './api-context.tsx';
import { queryKeys } from './query-keys.ts';
import type { SavingsOverview } from './wire-types.ts';

export interface SavingsWindow {
  /** Window length back from now, days. */
  days: number;
  /** Bucket size, seconds. */
  stepSeconds: number;
  clusterId?: string | null;
}

export function useSavings(window: SavingsWindow) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.savings({ ...window }),
    queryFn: () => {
      // The window ends at the next full step so that repeated fetches share buckets.
      const stepMs = window.stepSeconds * 1000;
      const to = Math.ceil(Date.now() / stepMs) * stepMs;
      const from = to - window.days * 86_400_000;
      return api.get<SavingsOverview>('/api/v1/admin/savings', { from: new Date(from).toISOString(), to: new Date(to).toISOString(), step_seconds: window.stepSeconds, cluster_id: window.clusterId });
    },
    staleTime: 30_000,
  });
}
