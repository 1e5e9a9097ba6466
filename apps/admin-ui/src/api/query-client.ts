/**
 * The query cache: client errors (4xx) are not retried (they will not change by retrying), server and network
 * errors twice; a 401 from any query means the session ended, so the console returns to sign-in.
 */
import { QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from './api-error.ts';
import { queryKeys } from './query-keys.ts';

export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (error instanceof ApiError && error.status === 401 && query.queryKey[0] !== 'auth') client.setQueryData(queryKeys.me, null);
      },
    }),
    defaultOptions: {
      queries: {
        retry: (failures, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failures < 2,
        staleTime: 10_000,
      },
      mutations: { retry: false },
    },
  });
  return client;
}
