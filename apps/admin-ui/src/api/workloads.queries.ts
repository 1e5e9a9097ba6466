/** A cluster's pods in one read (up to 500) for per-workload views; larger clusters show their first 500. */
import { useQuery } from '@tanstack/react-query';
import { useApi } from './api-context.tsx';
import type { ClusterPods } from './wire-types.ts';

export const WORKLOAD_POD_LIMIT = 500;

export function useAllPods(clusterId: string | null) {
  const api = useApi();
  return useQuery({
    queryKey: ['cluster', clusterId ?? '', 'pods', { offset: 0, limit: WORKLOAD_POD_LIMIT }],
    queryFn: () => api.get<ClusterPods>(`/api/v1/admin/clusters/${encodeURIComponent(clusterId!)}/pods`, { limit: WORKLOAD_POD_LIMIT, offset: 0 }),
    enabled: clusterId !== null,
  });
}
