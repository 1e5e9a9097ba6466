/** Sign-in state: who is signed in (null when nobody), sign in, sign out. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from './api-context.tsx';
import { ApiError } from './api-error.ts';
import { queryKeys } from './query-keys.ts';
import type { LoginResponse, UserView } from './wire-types.ts';

/** The signed-in user, or null when the session is missing or expired (a 401 is an answer here, not an error). */
export function useMe() {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: async (): Promise<UserView | null> => {
      try {
        return (await api.get<{ user: UserView }>('/api/v1/auth/me')).user;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
}

export function useLogin() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { email: string; password: string }) => api.post<LoginResponse>('/api/v1/auth/login', input),
    onSuccess: (answer) => {
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'auth' });
      client.setQueryData(queryKeys.me, answer.user);
    },
  });
}

export function useLogout() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<void>('/api/v1/auth/logout'),
    // Signed out either way: a failed logout (session already gone) must not keep the console open.
    onSettled: () => {
      client.clear();
      client.setQueryData(queryKeys.me, null);
    },
  });
}
