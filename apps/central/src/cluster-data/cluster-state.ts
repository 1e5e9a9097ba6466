/**
 * A cluster's ClusterState: the totals and costs stored from its latest metrics, with the health computed from its
 * agent's heartbeats at the time of reading (so a silent agent shows YELLOW/RED even before the health worker's
 * next pass).
 */
import type { ClusterState, HealthStatus } from '@cloudoptim/contracts';
import { AgentHeartbeatsRepository, type Cluster, type DbScope } from '@cloudoptim/db';
import { healthOf } from '../health/cluster-health.ts';

/** The ClusterState of a stored cluster with `health`. A cluster that never reported has zeros since its creation. */
export function clusterStateOf(cluster: Cluster, health: HealthStatus): ClusterState {
  return {
    cluster_id: cluster.id,
    cluster_name: cluster.name,
    region: cluster.region,
    total_nodes: cluster.totalNodes,
    spot_nodes: cluster.spotNodes,
    on_demand_nodes: cluster.onDemandNodes,
    total_cpu_cores: cluster.totalCpuCores,
    total_memory_gb: cluster.totalMemoryGb,
    allocated_cpu_cores: cluster.allocatedCpuCores,
    allocated_memory_gb: cluster.allocatedMemoryGb,
    total_pods: cluster.totalPods,
    running_pods: cluster.runningPods,
    pending_pods: cluster.pendingPods,
    current_cost_per_hour: cluster.currentCostPerHour,
    baseline_cost_per_hour: cluster.baselineCostPerHour,
    last_updated: (cluster.lastUpdated ?? cluster.createdAt).toISOString(),
    health_status: health,
  };
}

/** The cluster's health now, from its last heartbeat. */
export async function currentHealth(db: DbScope, cluster: Cluster, nowMs: number, heartbeatSeconds: number): Promise<HealthStatus> {
  const heartbeat = await new AgentHeartbeatsRepository(db.db).find(cluster.customerId, cluster.id);
  return healthOf({ lastHeartbeatAt: heartbeat?.receivedAt ?? cluster.lastHeartbeatAt, agentStatus: heartbeat?.agentStatus ?? null }, nowMs, heartbeatSeconds);
}
