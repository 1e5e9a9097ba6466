/** Customers, clusters, their data (nodes, pods, events, tasks) and their agent keys. */
import type { ClusterEventKind } from '@cloudoptim/contracts';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from './api-context.tsx';
import { queryKeys } from './query-keys.ts';
import type { AdminTask, AgentKeyView, ClusterEvents, ClusterNodes, ClusterPods, ClusterSummary, ClusterTasks, CustomerView, IssuedKey, RegisteredCluster } from './wire-types.ts';

/** Page size of the cluster data tables. */
export const PAGE_SIZE = 25;

const clusterPath = (clusterId: string) => `/api/v1/admin/clusters/${encodeURIComponent(clusterId)}`;

/** Every customer (operators only; others get FORBIDDEN, so pass `enabled`). */
export function useCustomers(enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.customers,
    queryFn: async () => (await api.get<{ customers: CustomerView[] }>('/api/v1/admin/customers', { limit: 1000 })).customers,
    enabled,
    staleTime: 60_000,
  });
}

export function useCreateCustomer() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { company_name: string; email: string }) => api.post<CustomerView>('/api/v1/admin/customers', input),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.customers }),
  });
}

/** The clusters the user may see; `customerId` narrows an operator's view to one customer (null: all). */
export function useClusters(customerId: string | null) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.clusters(customerId),
    queryFn: async () => (await api.get<{ clusters: ClusterSummary[] }>('/api/v1/admin/clusters', { limit: 1000, customer_id: customerId })).clusters,
  });
}

export function useClusterSummary(clusterId: string) {
  const api = useApi();
  return useQuery({ queryKey: queryKeys.clusterSummary(clusterId), queryFn: () => api.get<ClusterSummary>(clusterPath(clusterId)) });
}

export function useClusterNodes(clusterId: string) {
  const api = useApi();
  return useQuery({ queryKey: queryKeys.clusterNodes(clusterId), queryFn: () => api.get<ClusterNodes>(`${clusterPath(clusterId)}/nodes`) });
}

export function useClusterPods(clusterId: string, offset: number) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.clusterPods(clusterId, offset),
    queryFn: () => api.get<ClusterPods>(`${clusterPath(clusterId)}/pods`, { limit: PAGE_SIZE, offset }),
    placeholderData: keepPreviousData,
  });
}

/** The cluster's Kubernetes events, newest first; `kind` narrows them (e.g. `pod_unschedulable`). */
export function useClusterEvents(clusterId: string, offset: number, kind: ClusterEventKind | null = null) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.clusterEvents(clusterId, offset, kind),
    queryFn: () => api.get<ClusterEvents>(`${clusterPath(clusterId)}/events`, { limit: PAGE_SIZE, offset, kind }),
    placeholderData: keepPreviousData,
  });
}

export function useClusterTasks(clusterId: string, offset: number) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.clusterTasks(clusterId, offset),
    queryFn: () => api.get<ClusterTasks>(`${clusterPath(clusterId)}/tasks`, { limit: PAGE_SIZE, offset }),
    placeholderData: keepPreviousData,
  });
}

export function useCancelTask(clusterId: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (taskId: string) => api.post<AdminTask>(`${clusterPath(clusterId)}/tasks/${encodeURIComponent(taskId)}/cancel`),
    onSuccess: () => client.invalidateQueries({ queryKey: ['cluster', clusterId, 'tasks'] }),
  });
}

export interface RegisterClusterInput {
  cluster_name: string;
  region: string;
  customer_id?: string;
  aws_account_id?: string;
}

export function useRegisterCluster() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: RegisterClusterInput) => api.post<RegisteredCluster>('/api/v1/admin/clusters', input),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.clusterLists }),
  });
}

export function useDeleteCluster() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (clusterId: string) => api.delete(clusterPath(clusterId)),
    onSuccess: (_answer, clusterId) => {
      client.removeQueries({ queryKey: queryKeys.cluster(clusterId) });
      return client.invalidateQueries({ queryKey: queryKeys.clusterLists });
    },
  });
}

export function useAgentKeys(clusterId: string | null) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.agentKeys(clusterId ?? ''),
    queryFn: async () => (await api.get<{ agent_keys: AgentKeyView[] }>(`${clusterPath(clusterId!)}/agent-keys`)).agent_keys,
    enabled: clusterId !== null,
  });
}

export function useRotateAgentKey(clusterId: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (graceSeconds: number) => api.post<IssuedKey & { revoked_keys: AgentKeyView[] }>(`${clusterPath(clusterId)}/agent-keys/rotate`, { grace_seconds: graceSeconds }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.agentKeys(clusterId) }),
  });
}

export function useRevokeAgentKey(clusterId: string) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (keyId: string) => api.post<AgentKeyView>(`${clusterPath(clusterId)}/agent-keys/${encodeURIComponent(keyId)}/revoke`),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.agentKeys(clusterId) }),
  });
}
