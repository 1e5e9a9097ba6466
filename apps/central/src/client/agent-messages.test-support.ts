/**
 * Builders of what agents send (ClusterMetrics with consistent totals, heartbeats, events, task results) and a
 * recorder of admin stream events, for the client API's and the cluster data routes' tests.
 */
import type { AdminStreamEvent, ClusterEvent, ClusterMetrics, Heartbeat, NodeMetric, PodMetric, TaskResult } from '@cloudoptim/contracts';
import type { RealtimeHub } from '../realtime/realtime-hub.ts';

export function nodeMetric(name: string, overrides: Partial<NodeMetric> = {}): NodeMetric {
  return {
    node_name: name,
    instance_type: 'm5.large',
    instance_id: `i-${Buffer.from(name).toString('hex').padEnd(17, '0').slice(0, 17)}`,
    availability_zone: 'us-east-1a',
    node_type: 'spot',
    cpu_allocatable_millicores: 1930,
    cpu_allocated_millicores: 600,
    cpu_used_millicores: 300,
    memory_allocatable_bytes: 7_000_000_000,
    memory_allocated_bytes: 2_000_000_000,
    memory_used_bytes: 1_000_000_000,
    pod_count: 2,
    ready: true,
    unschedulable: false,
    labels: {},
    taints: [],
    ...overrides,
  };
}

export function podMetric(name: string, overrides: Partial<PodMetric> = {}): PodMetric {
  return {
    namespace: 'shop',
    pod_name: name,
    node_name: 'node-a',
    phase: 'Running',
    owner: { kind: 'Deployment', name: 'web' },
    containers: [{ container_name: 'app', cpu_request_millicores: 300, cpu_limit_millicores: null, memory_request_bytes: 1_000_000_000, memory_limit_bytes: null, cpu_usage_millicores: 150, memory_usage_bytes: 500_000_000, restart_count: 0, last_termination_reason: null }],
    labels: {},
    node_selector: {},
    tolerations: [],
    do_not_disrupt: false,
    ...overrides,
  };
}

/** A report whose totals are computed from its nodes and pods (so it passes the contract's cross-field rules). */
export function clusterMetrics(clusterId: string, timestamp: Date, nodes: NodeMetric[], pods: PodMetric[] = []): ClusterMetrics {
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const scheduled = pods.filter((p) => p.node_name !== null);
  return {
    cluster_id: clusterId,
    timestamp: timestamp.toISOString(),
    total_nodes: nodes.length,
    spot_nodes: nodes.filter((n) => n.node_type === 'spot').length,
    on_demand_nodes: nodes.filter((n) => n.node_type === 'on-demand').length,
    total_cpu_cores: sum(nodes.map((n) => n.cpu_allocatable_millicores)) / 1000,
    total_memory_gb: sum(nodes.map((n) => n.memory_allocatable_bytes)) / 1e9,
    allocated_cpu_cores: sum(scheduled.flatMap((p) => p.containers.map((c) => c.cpu_request_millicores))) / 1000,
    allocated_memory_gb: sum(scheduled.flatMap((p) => p.containers.map((c) => c.memory_request_bytes))) / 1e9,
    total_pods: pods.length,
    running_pods: pods.filter((p) => p.phase === 'Running').length,
    pending_pods: pods.filter((p) => p.phase === 'Pending').length,
    nodes,
    pods,
    pending_pod_details: [],
    estimated_cost_per_hour: 0.1,
  };
}

export function heartbeat(clusterId: string, timestamp: Date, overrides: Partial<Heartbeat> = {}): Heartbeat {
  return {
    cluster_id: clusterId,
    agent_id: 'agent-0',
    agent_version: '0.1.0',
    timestamp: timestamp.toISOString(),
    status: 'healthy',
    uptime_seconds: 60,
    kubernetes_version: 'v1.31.0',
    running_task_ids: [],
    buffered_messages: 0,
    last_metrics_at: null,
    problems: [],
    supported_task_types: [],
    ...overrides,
  };
}

export function clusterEvent(clusterId: string, eventId: string, occurredAt: Date, overrides: Partial<ClusterEvent> = {}): ClusterEvent {
  return {
    event_id: eventId,
    cluster_id: clusterId,
    kind: 'pod_evicted',
    occurred_at: occurredAt.toISOString(),
    node_name: 'node-a',
    instance_id: null,
    namespace: 'shop',
    pod_name: 'web-1',
    reason: 'Evicted',
    message: null,
    ...overrides,
  };
}

export function taskResult(taskId: string, overrides: Partial<TaskResult> = {}): TaskResult {
  return { task_id: taskId, status: 'success', executed_at: '2026-01-01T00:00:01Z', duration_seconds: 2, logs: ['ok'], error: null, metadata: {}, ...overrides };
}

/** Collects the admin events published for a customer (operator scope when `customerId` is undefined). */
export function recordAdminEvents(realtime: RealtimeHub, customerId?: string): { events: AdminStreamEvent[]; stop: () => void; waitFor: (test: (e: AdminStreamEvent) => boolean) => Promise<AdminStreamEvent> } {
  const events: AdminStreamEvent[] = [];
  const stop = realtime.subscribeAdmin({ customerId, send: (event) => events.push(event) });
  const waitFor = async (test: (e: AdminStreamEvent) => boolean) => {
    // Delivery goes through NOTIFY/LISTEN: a few turns of the event loop, never long.
    for (let i = 0; i < 200; i++) {
      const found = events.find(test);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no matching admin event among ${events.map((e) => e.type).join(', ') || 'none'}`);
  };
  return { events, stop, waitFor };
}
