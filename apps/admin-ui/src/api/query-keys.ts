/**
 * Query-cache keys, in one place because the admin stream patches and invalidates them (admin-stream.ts).
 * Keys are hierarchical: invalidating `['cluster', id]` refreshes everything shown about that cluster.
 */
export const queryKeys = {
  me: ['auth', 'me'] as const,
  customers: ['customers'] as const,
  /** Every clusters list (any customer filter). */
  clusterLists: ['clusters'] as const,
  clusters: (customerId: string | null) => ['clusters', { customerId }] as const,
  cluster: (clusterId: string) => ['cluster', clusterId] as const,
  clusterSummary: (clusterId: string) => ['cluster', clusterId, 'summary'] as const,
  clusterNodes: (clusterId: string) => ['cluster', clusterId, 'nodes'] as const,
  clusterPods: (clusterId: string, offset: number) => ['cluster', clusterId, 'pods', { offset }] as const,
  clusterEvents: (clusterId: string, offset: number, kind: string | null) => ['cluster', clusterId, 'events', { offset, kind }] as const,
  clusterTasks: (clusterId: string, offset: number) => ['cluster', clusterId, 'tasks', { offset }] as const,
  agentKeys: (clusterId: string) => ['cluster', clusterId, 'agent-keys'] as const,
  settings: (clusterId: string) => ['cluster', clusterId, 'settings'] as const,
  costAllocation: (clusterId: string) => ['cluster', clusterId, 'cost-allocation'] as const,
  savingsAll: ['savings'] as const,
  savings: (params: Record<string, unknown>) => ['savings', params] as const,
  plansAll: ['optimizations'] as const,
  plans: (params: Record<string, unknown>) => ['optimizations', 'list', params] as const,
  plan: (planId: string) => ['optimizations', 'plan', planId] as const,
  spotEventsAll: ['spot-events'] as const,
  spotEvents: (params: Record<string, unknown>) => ['spot-events', params] as const,
  users: (customerId: string) => ['users', customerId] as const,
  models: ['ml', 'models'] as const,
  gapJobs: ['ml', 'gap-jobs'] as const,
  gapJob: (jobId: string) => ['ml', 'gap-job', jobId] as const,
  backtestCoverage: ['backtest', 'coverage'] as const,
};
