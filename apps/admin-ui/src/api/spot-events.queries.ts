/** The Spot events timeline (paged, newest first). */
import type { SpotEventType } from '@cloudoptim/contracts';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useApi } from './api-context.tsx';
import { queryKeys } from './query-keys.ts';
import type { SpotEventPage } from './wire-types.ts';

export interface SpotEventParams {
  clusterId: string | null;
  type: SpotEventType | null;
  limit: number;
  offset: number;
}

export function useSpotEvents(params: SpotEventParams) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.spotEvents({ ...params }),
    queryFn: () => api.get<SpotEventPage>('/api/v1/admin/spot-events', { cluster_id: params.clusterId, type: params.type, limit: params.limit, offset: params.offset }),
    placeholderData: keepPreviousData,
  });
}
