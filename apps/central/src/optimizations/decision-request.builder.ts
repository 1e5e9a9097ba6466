/**
 * Builds the DecisionRequest of a cluster from what central stores: the cluster row (name, region, costs and
 * health as central computed them), the agent's latest ClusterMetrics (nodes, pods, pending pods) and the
 * cluster settings, which become the constraints (Spot share cap, pool diversity, disruption budget,
 * exclusions, mode) and, for `schedule`, the office-hours schedules.
 */
import { randomUUID } from 'node:crypto';
import {
  AppError,
  DecisionRequestSchema,
  NamespacedWorkloadSchema,
  toValidationIssues,
  type ClusterMetrics,
  type ContainerUsageHistory,
  type DecisionRequest,
  type DecisionRequirements,
  type DecisionType,
  type NamespacedWorkload,
  type OfficeHoursSchedule,
} from '@cloudoptim/contracts';
import type { Cluster, PlanTrigger } from '@cloudoptim/db';
import { formatClockMinutes, tryParseTimeSpec } from '@cloudoptim/engines';
import type { ClusterSettings } from '../settings/cluster-settings.ts';

/** The DecisionRequest trigger of each plan trigger. */
const TRIGGERS: Record<PlanTrigger, NonNullable<DecisionRequest['metadata']['trigger']>> = {
  user: 'manual',
  schedule: 'schedule',
  pending_pods: 'pending_pods',
  consolidator: 'consolidation',
  spot_handler: 'interruption',
};

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export interface DecisionRequestInput {
  decisionType: DecisionType;
  cluster: Cluster;
  metrics: ClusterMetrics;
  settings: ClusterSettings;
  trigger: PlanTrigger;
  /** "user:<email>", "system:autoscaler" … */
  requestedBy: string;
  dryRun: boolean;
  nowMs: number;
  /** Overrides of the default requirements (null capacity = the engine derives it). */
  requirements?: Partial<DecisionRequirements>;
}

/**
 * The disruption budget in nodes: `max_nodes_in_flight`, and no more than `max_disruption_percent` of the
 * cluster's nodes — but at least one, or no plan could ever replace a node of a small cluster.
 */
export function disruptionBudget(settings: Pick<ClusterSettings, 'max_nodes_in_flight' | 'max_disruption_percent'>, totalNodes: number): number {
  return Math.max(1, Math.min(settings.max_nodes_in_flight, Math.floor((totalNodes * settings.max_disruption_percent) / 100 + 1e-9)));
}

/** "namespace/kind/name" → a NamespacedWorkload; entries that do not parse are left out (they can match nothing). */
export function parseWorkloadRefs(refs: readonly string[]): NamespacedWorkload[] {
  return refs.flatMap((ref) => {
    const [namespace, kind, name, ...rest] = ref.split('/');
    if (rest.length > 0) return [];
    const parsed = NamespacedWorkloadSchema.safeParse({ namespace, kind, name });
    return parsed.success ? [parsed.data] : [];
  });
}

/**
 * The settings' office-hours schedules (kube-downscaler `uptime` specs) as the contract's schedules: one per
 * weekly window. Absolute ranges, `always`/`never` and specs that do not parse are left out (the settings
 * routes validate them on write).
 */
export function officeHoursSchedules(settings: Pick<ClusterSettings, 'office_hours'>): OfficeHoursSchedule[] {
  const out: OfficeHoursSchedule[] = [];
  settings.office_hours.forEach((entry, i) => {
    const parsed = tryParseTimeSpec(entry.uptime);
    if (!parsed.ok || parsed.spec.kind !== 'list') return;
    parsed.spec.parts.forEach((part, j) => {
      if (part.kind !== 'recurring' || part.minuteFrom >= part.minuteTo) return;
      const days: (typeof DAYS)[number][] = [];
      for (let d = part.dayFrom; ; d = (d + 1) % 7) {
        days.push(DAYS[d] as (typeof DAYS)[number]);
        if (d === part.dayTo) break;
      }
      // 24:00 (end of day) is written 00:00: an end before the start crosses midnight.
      const end = part.minuteTo === 1440 ? '00:00' : formatClockMinutes(part.minuteTo);
      const start = formatClockMinutes(part.minuteFrom);
      if (start === end) return;
      out.push({ name: `office-hours-${i + 1}.${j + 1}`, timezone: part.timeZone, days, start, end, namespaces: entry.namespaces, workloads: parseWorkloadRefs(entry.workloads) });
    });
  });
  return out;
}

/** One usage sample per container from the snapshot (for `rightsize`; containers without usage are left out). */
function usageHistory(metrics: ClusterMetrics): ContainerUsageHistory[] {
  return metrics.pods.flatMap((pod) =>
    pod.owner === null
      ? []
      : pod.containers.flatMap((c) =>
          c.cpu_usage_millicores === null || c.memory_usage_bytes === null
            ? []
            : [
                {
                  namespace: pod.namespace,
                  owner: pod.owner!,
                  container_name: c.container_name,
                  samples: [{ timestamp: metrics.timestamp, cpu_usage_millicores: c.cpu_usage_millicores, memory_usage_bytes: c.memory_usage_bytes }],
                  oom_kill_count: c.last_termination_reason === 'OOMKilled' ? 1 : 0,
                },
              ],
        ),
  );
}

/**
 * The DecisionRequest for the cluster. @throws UNPROCESSABLE when the stored state cannot form a valid
 * request (the issues name the bad fields).
 */
export function buildDecisionRequest(input: DecisionRequestInput): DecisionRequest {
  const { cluster, metrics, settings } = input;
  const candidate = {
    request_id: `opt-${randomUUID()}`,
    cluster_id: cluster.id,
    timestamp: new Date(input.nowMs).toISOString(),
    decision_type: input.decisionType,
    current_state: {
      cluster_id: cluster.id,
      cluster_name: cluster.name,
      region: cluster.region,
      total_nodes: metrics.total_nodes,
      spot_nodes: metrics.spot_nodes,
      on_demand_nodes: metrics.on_demand_nodes,
      total_cpu_cores: metrics.total_cpu_cores,
      total_memory_gb: metrics.total_memory_gb,
      allocated_cpu_cores: metrics.allocated_cpu_cores,
      allocated_memory_gb: metrics.allocated_memory_gb,
      total_pods: metrics.total_pods,
      running_pods: metrics.running_pods,
      pending_pods: metrics.pending_pods,
      // Central's cost from real prices once computed; the agent's estimate before that.
      current_cost_per_hour: cluster.currentCostPerHour > 0 ? cluster.currentCostPerHour : metrics.estimated_cost_per_hour,
      baseline_cost_per_hour: cluster.baselineCostPerHour,
      last_updated: metrics.timestamp,
      health_status: cluster.healthStatus ?? 'GREEN',
      nodes: metrics.nodes,
      pods: metrics.pods,
      pending_pod_details: metrics.pending_pod_details,
    },
    requirements: {
      ...(input.decisionType === 'schedule' && { schedules: officeHoursSchedules(settings) }),
      ...input.requirements,
    },
    constraints: {
      max_spot_share: settings.max_spot_share,
      min_pools: settings.min_pool_diversity,
      max_nodes_disrupted: disruptionBudget(settings, metrics.total_nodes),
      allow_on_demand_fallback: true,
      excluded_namespaces: settings.excluded_namespaces,
      excluded_workloads: parseWorkloadRefs(settings.excluded_workloads),
      automation_mode: settings.automation_mode,
    },
    metadata: { trigger: TRIGGERS[input.trigger], requested_by: input.requestedBy.slice(0, 200), customer_id: cluster.customerId, dry_run: input.dryRun },
    usage_history: input.decisionType === 'rightsize' ? usageHistory(metrics) : [],
  };
  const parsed = DecisionRequestSchema.safeParse(candidate);
  if (!parsed.success) {
    const issues = toValidationIssues(parsed.error);
    throw new AppError('UNPROCESSABLE', `the stored state of cluster ${cluster.id} does not form a valid decision request: ${issues[0]?.path ?? ''}: ${issues[0]?.message ?? ''}`, { issues });
  }
  return parsed.data;
}
