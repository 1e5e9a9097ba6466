import { z } from 'zod';
import {
  AwsRegionSchema,
  ClusterIdSchema,
  IsoDateTimeSchema,
  NonNegativeIntSchema,
  NonNegativeNumberSchema,
  UsdSchema,
} from './primitives.ts';

/** Overall health of a cluster as the admin UI shows it. */
export const HealthStatusSchema = z.enum(['GREEN', 'YELLOW', 'RED']);
export type HealthStatus = z.infer<typeof HealthStatusSchema>;

/**
 * The node and pod totals shared by {@link ClusterStateSchema} and `ClusterMetrics` (SPEC §2 "totals as in
 * ClusterState"). Counts are non-negative integers; cores are vCPUs (fractions allowed), memory is in GB
 * (10^9 bytes). `allocated_*` is the sum of pod requests; `total_*` is the nodes' allocatable capacity.
 */
export const ClusterTotalsShape = {
  /** Nodes in the cluster (Ready or not). */
  total_nodes: NonNegativeIntSchema,
  /** Nodes running on Spot capacity. */
  spot_nodes: NonNegativeIntSchema,
  /** Nodes running on on-demand capacity. Nodes of unknown capacity type count in neither. */
  on_demand_nodes: NonNegativeIntSchema,
  /** Allocatable vCPUs over all nodes. */
  total_cpu_cores: NonNegativeNumberSchema,
  /** Allocatable memory over all nodes, in GB. */
  total_memory_gb: NonNegativeNumberSchema,
  /** Sum of the CPU requests of scheduled pods, in vCPUs. */
  allocated_cpu_cores: NonNegativeNumberSchema,
  /** Sum of the memory requests of scheduled pods, in GB. */
  allocated_memory_gb: NonNegativeNumberSchema,
  /** Pods known to the cluster (all phases but Succeeded/Failed). */
  total_pods: NonNegativeIntSchema,
  /** Pods in phase Running. */
  running_pods: NonNegativeIntSchema,
  /** Pods in phase Pending (including unschedulable ones). */
  pending_pods: NonNegativeIntSchema,
} as const;

/**
 * Cross-field rules shared by every message that carries the totals. Only rules that hold in any snapshot
 * (even one collected non-atomically) are enforced: the capacity-type split and the pod-phase split cannot
 * exceed their totals. `allocated > total` is allowed (requests can exceed allocatable during a node loss).
 */
export function checkClusterTotals(
  value: { total_nodes: number; spot_nodes: number; on_demand_nodes: number; total_pods: number; running_pods: number; pending_pods: number },
  ctx: z.core.$RefinementCtx,
): void {
  if (value.spot_nodes + value.on_demand_nodes > value.total_nodes) {
    ctx.addIssue({ code: 'custom', path: ['spot_nodes'], message: 'spot_nodes + on_demand_nodes must not exceed total_nodes' });
  }
  if (value.running_pods + value.pending_pods > value.total_pods) {
    ctx.addIssue({ code: 'custom', path: ['running_pods'], message: 'running_pods + pending_pods must not exceed total_pods' });
  }
}

/** The fields of {@link ClusterStateSchema}, exported so other messages can extend them. */
export const ClusterStateShape = {
  cluster_id: ClusterIdSchema,
  /** Human name of the cluster (the EKS cluster name, usually). */
  cluster_name: z.string().min(1).max(200),
  region: AwsRegionSchema,
  ...ClusterTotalsShape,
  /** What the cluster costs now, USD per hour, from each node's real price (Spot price of its pool, on-demand otherwise). */
  current_cost_per_hour: UsdSchema,
  /** What the same capacity would cost on on-demand, USD per hour (the counterfactual savings are measured against). */
  baseline_cost_per_hour: UsdSchema,
  /** When this state was computed (usually the time of the metrics it is built from). */
  last_updated: IsoDateTimeSchema,
  health_status: HealthStatusSchema,
} as const;

/**
 * `ClusterState` (SPEC §2): the summary of one cluster that the admin API serves
 * (`GET /api/v1/admin/clusters/{id}/state`) and the decision engines start from.
 */
export const ClusterStateSchema = z.object(ClusterStateShape).superRefine(checkClusterTotals);
export type ClusterState = z.infer<typeof ClusterStateSchema>;
