/**
 * Ingests an agent's ClusterMetrics: appends it to the metrics history (a re-sent report — same timestamp — is a
 * duplicate and changes nothing), and when it is the newest report of the cluster also stores it as the latest,
 * upserts the nodes (removing those no longer reported) and pods, and updates the cluster's state with costs from
 * the nodes' real prices and the current health. All of it in one statement (atomic); admins hear about it after
 * it committed, in order, while the agent already has its answer.
 */
import { randomUUID } from 'node:crypto';
import { AppError, STREAM_EVENT_VERSION, type AdminStreamEvent, type ClusterMetrics, type ClusterState, type IngestAck, type NodeMetric } from '@cloudoptim/contracts';
import { AgentHeartbeatsRepository, ClusterMetricsRepository, type ClusterStateSnapshot, type Database, type MetricsSample, type MetricsValues, type NodeReport } from '@cloudoptim/db';
import type { Clock, Logger, Registry } from '@cloudoptim/runtime';
import type { AgentPrincipal } from '../auth/principal.ts';
import { clusterStateOf } from '../cluster-data/cluster-state.ts';
import { healthOf } from '../health/cluster-health.ts';
import type { NodePricing, ClusterCost } from '../pricing/node-pricing.ts';
import type { RealtimeHub } from '../realtime/realtime-hub.ts';
import { ingestSizes } from './ingest-metrics.ts';

export interface MetricsIngestDeps {
  db: Database;
  clock: Clock;
  log: Logger;
  realtime: RealtimeHub;
  metrics: Registry;
  pricing: NodePricing;
  heartbeatSeconds: number;
}

/** Nodes without an EC2 instance id (not EC2-backed) are keyed by name in the nodes table. */
const UNKNOWN_INSTANCE = 'unknown:';
const instanceKey = (node: NodeMetric) => node.instance_id ?? `${UNKNOWN_INSTANCE}${node.node_name}`;
const cores = (millicores: number) => millicores / 1000;
const gb = (bytes: number) => bytes / 1e9;

function sumOrNull(values: Array<number | null>): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
}

function nodeReport(node: NodeMetric, seenAt: Date): NodeReport {
  return {
    nodeName: node.node_name,
    instanceId: instanceKey(node),
    instanceType: node.instance_type,
    availabilityZone: node.availability_zone,
    capacityType: node.node_type,
    cpuAllocatableCores: cores(node.cpu_allocatable_millicores),
    memoryAllocatableGb: gb(node.memory_allocatable_bytes),
    cpuAllocatedCores: cores(node.cpu_allocated_millicores),
    memoryAllocatedGb: gb(node.memory_allocated_bytes),
    cpuUsedCores: cores(node.cpu_used_millicores ?? 0),
    memoryUsedGb: gb(node.memory_used_bytes ?? 0),
    podCount: node.pod_count,
    unschedulable: node.unschedulable,
    seenAt,
  };
}

function sampleOf(metrics: ClusterMetrics, cost: ClusterCost): MetricsSample {
  const cluster: MetricsValues = {
    nodeCount: metrics.total_nodes,
    spotNodeCount: metrics.spot_nodes,
    podCount: metrics.total_pods,
    pendingPods: metrics.pending_pods,
    cpuAllocatableCores: metrics.total_cpu_cores,
    cpuAllocatedCores: metrics.allocated_cpu_cores,
    cpuUsedCores: sumOrNull(metrics.nodes.map((n) => (n.cpu_used_millicores === null ? null : cores(n.cpu_used_millicores)))),
    memoryAllocatableGb: metrics.total_memory_gb,
    memoryAllocatedGb: metrics.allocated_memory_gb,
    memoryUsedGb: sumOrNull(metrics.nodes.map((n) => (n.memory_used_bytes === null ? null : gb(n.memory_used_bytes)))),
    costPerHour: cost.currentCostPerHour,
    baselineCostPerHour: cost.baselineCostPerHour,
  };
  const nodes = metrics.nodes.map((node, i) => ({
    nodeName: node.node_name,
    nodeCount: 1,
    spotNodeCount: node.node_type === 'spot' ? 1 : 0,
    podCount: node.pod_count,
    pendingPods: 0,
    cpuAllocatableCores: cores(node.cpu_allocatable_millicores),
    cpuAllocatedCores: cores(node.cpu_allocated_millicores),
    cpuUsedCores: node.cpu_used_millicores === null ? null : cores(node.cpu_used_millicores),
    memoryAllocatableGb: gb(node.memory_allocatable_bytes),
    memoryAllocatedGb: gb(node.memory_allocated_bytes),
    memoryUsedGb: node.memory_used_bytes === null ? null : gb(node.memory_used_bytes),
    costPerHour: cost.prices[i]?.usdPerHour ?? 0,
    baselineCostPerHour: cost.prices[i]?.baselineUsdPerHour ?? 0,
  }));
  return { sampledAt: new Date(metrics.timestamp), cluster, nodes };
}

type Announcement = { state: ClusterState; added: NodeMetric[]; removed: Array<{ nodeName: string; instanceId: string }> };

export class MetricsIngest {
  private readonly sizes: ReturnType<typeof ingestSizes>;
  /** Announcements go out in order, one report after the other, without holding up the agents' answers. */
  private announcing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: MetricsIngestDeps) {
    this.sizes = ingestSizes(deps.metrics);
  }

  /**
   * @throws NOT_FOUND when the agent's cluster no longer exists. The caller has checked `metrics.cluster_id`.
   * Cost: two round trips — one read (the cluster and its last heartbeat, for the region and the health) and one
   * statement that writes the whole report (ClusterMetricsRepository.ingestReport). Admins are told afterwards,
   * off the request's path.
   */
  async ingest(agent: AgentPrincipal, metrics: ClusterMetrics): Promise<IngestAck> {
    const { customerId, clusterId } = agent;
    const now = this.deps.clock.now();
    const received = new Date(now);
    this.sizes.observe({ kind: 'nodes' }, metrics.nodes.length);
    this.sizes.observe({ kind: 'pods' }, metrics.pods.length);
    const found = await new AgentHeartbeatsRepository(this.deps.db.db).findCluster(customerId, clusterId);
    if (!found) throw new AppError('NOT_FOUND', `cluster ${clusterId} not found`, { id: clusterId });
    const { cluster, heartbeat } = found;
    const health = healthOf({ lastHeartbeatAt: heartbeat?.receivedAt ?? cluster.lastHeartbeatAt, agentStatus: heartbeat?.agentStatus ?? null }, now, this.deps.heartbeatSeconds);
    const cost = await this.deps.pricing.clusterCost(
      cluster.region,
      metrics.nodes.map((n) => ({ instanceType: n.instance_type, availabilityZone: n.availability_zone, capacityType: n.node_type, reportedUsdPerHour: n.hourly_price })),
      received,
    );
    const state: ClusterStateSnapshot = {
      healthStatus: health,
      totalNodes: metrics.total_nodes,
      spotNodes: metrics.spot_nodes,
      onDemandNodes: metrics.on_demand_nodes,
      totalCpuCores: metrics.total_cpu_cores,
      totalMemoryGb: metrics.total_memory_gb,
      allocatedCpuCores: metrics.allocated_cpu_cores,
      allocatedMemoryGb: metrics.allocated_memory_gb,
      totalPods: metrics.total_pods,
      runningPods: metrics.running_pods,
      pendingPods: metrics.pending_pods,
      currentCostPerHour: cost.currentCostPerHour,
      baselineCostPerHour: cost.baselineCostPerHour,
      lastUpdated: new Date(metrics.timestamp),
    };
    const outcome = await new ClusterMetricsRepository(this.deps.db.db).ingestReport(customerId, clusterId, {
      metrics,
      sample: sampleOf(metrics, cost),
      nodes: metrics.nodes.map((n) => nodeReport(n, received)),
      state,
      receivedAt: received,
    });
    if (outcome.kind === 'duplicate') return { accepted: 0, duplicates: 1, server_time: received.toISOString() };
    if (outcome.kind === 'latest') {
      const added = new Set(outcome.added);
      const announcement = { state: clusterStateOf({ ...cluster, ...state }, health), added: metrics.nodes.filter((n) => added.has(instanceKey(n))), removed: outcome.removed };
      this.announcing = this.announcing.then(() => this.announce(customerId, clusterId, announcement, now));
    }
    return { accepted: 1, duplicates: 0, server_time: received.toISOString() };
  }

  /** Never rejects: a failed publish is logged (frames are hints; the tables are the truth). */
  private async announce(customerId: string, clusterId: string, outcome: Announcement, now: number): Promise<void> {
    const header = () => ({ v: STREAM_EVENT_VERSION, id: randomUUID(), sent_at: new Date(now).toISOString() });
    const events: AdminStreamEvent[] = [
      ...outcome.added.map((node): AdminStreamEvent => ({ type: 'node_added', ...header(), cluster_id: clusterId, node })),
      ...outcome.removed.map(
        (node): AdminStreamEvent => ({
          type: 'node_removed',
          ...header(),
          cluster_id: clusterId,
          node_name: node.nodeName,
          instance_id: node.instanceId.startsWith(UNKNOWN_INSTANCE) ? null : node.instanceId,
          reason: 'no longer in the agent’s metrics report',
        }),
      ),
      { type: 'cluster_state_changed', ...header(), cluster_id: clusterId, state: outcome.state },
    ];
    for (const event of events) {
      await this.deps.realtime.publishToAdmins(customerId, event).catch((error: unknown) => {
        this.deps.log.warn({ clusterId, type: event.type, err: error instanceof Error ? error.message : String(error) }, 'could not publish a cluster frame');
      });
    }
  }
}
