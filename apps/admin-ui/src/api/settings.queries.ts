/** A cluster's settings (read, patch) and a customer's users (list, create). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from './api-context.tsx';
import { queryKeys } from './query-keys.ts';
import type { ClusterSettings, SettingsView, UserView } from './wire-types.ts';

const settingsPath = (clusterId: string) => `/api/v1/admin/clusters/${encodeURIComponent(clusterId)}/settings`;

export function useClusterSettings(clusterId: string | null) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.settings(clusterId ?? ''),
    queryFn: () => api.get<SettingsView>(settingsPath(clusterId!)),
    enabled: clusterId !== null,
  });
}

export function useUpdateClusterSettings(clusterId: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (patch: Partial<ClusterSettings>) => api.patch<SettingsView>(settingsPath(clusterId), patch),
    onSuccess: (view) => client.setQueryData(queryKeys.settings(clusterId), view),
  });
}

export function useUsers(customerId: string | null) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.users(customerId ?? ''),
    queryFn: async () => (await api.get<{ users: UserView[] }>(`/api/v1/admin/customers/${encodeURIComponent(customerId!)}/users`, { limit: 1000 })).users,
    enabled: customerId !== null,
  });
}

export function useCreateUser(customerId: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { email: string; password: string; role: 'customer_admin' | 'customer_viewer' }) => api.post<UserView>(`/api/v1/admin/customers/${encodeURIComponent(customerId)}/users`, input),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.users(customerId) }),
  });
}
