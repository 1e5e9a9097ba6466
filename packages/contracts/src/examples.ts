/*
 * Realistic example messages, one builder per message with shallow overrides, for tests in every package.
 * Every builder returns a value that its schema parses unchanged (the parsed output type, defaults filled in),
 * and the examples agree with each other (the cluster state's totals match its nodes and pods).
 */
import type { ClusterEvent } from './cluster-events.ts';
import type { ClusterState } from './cluster-state.ts';
import type { ClusterStateDetail, DecisionRequest, DecisionResponse, ExecutionStep, Recommendation } from './decisions.ts';
import type { ErrorEnvelope } from './errors.ts';
import type { Heartbeat, HeartbeatResponse } from './heartbeat.ts';
import type { MessageName } from './messages.ts';
import type { ClusterMetrics, NodeMetric, PendingPod, PodMetric } from './metrics.ts';
import type { SpotEvent } from './spot-events.ts';
import type { Task, TaskOf, TaskParameters, TaskResult, TaskType } from './tasks.ts';
import type { AdminStreamEvent, AgentStreamEvent } from './ws-events.ts';

/** The instant every example is anchored to. */
export const EXAMPLE_NOW = '2025-11-26T09:00:00.000Z';
export const EXAMPLE_CLUSTER_ID = 'cl-prod-use1';
export const EXAMPLE_REGION = 'us-east-1';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

function at(offsetSeconds: number): string {
  return new Date(Date.parse(EXAMPLE_NOW) + offsetSeconds * 1000).toISOString();
}

/** A Ready m5.xlarge Spot node in us-east-1a with two pods' worth of requests. */
export function exampleNodeMetric(overrides: Partial<NodeMetric> = {}): NodeMetric {
  return {
    node_name: 'ip-10-0-1-23.ec2.internal',
    instance_type: 'm5.xlarge',
    instance_id: 'i-0a1b2c3d4e5f60718',
    availability_zone: 'us-east-1a',
    node_type: 'spot',
    cpu_allocatable_millicores: 3920,
    cpu_allocated_millicores: 1500,
    cpu_used_millicores: 870,
    memory_allocatable_bytes: 15 * GIB,
    memory_allocated_bytes: 3 * GIB,
    memory_used_bytes: 2 * GIB + 512 * MIB,
    pod_count: 2,
    pods_allocatable: 58,
    gpu_allocatable: 0,
    architecture: 'x86_64',
    ready: true,
    unschedulable: false,
    labels: {
      'node.kubernetes.io/instance-type': 'm5.xlarge',
      'topology.kubernetes.io/zone': 'us-east-1a',
      'karpenter.sh/capacity-type': 'spot',
    },
    taints: [],
    created_at: at(-86_400),
    hourly_price: 0.0712,
    ...overrides,
  };
}

/** A second node: an on-demand c6g.large (arm64) in us-east-1b, tainted for batch work. */
export function exampleOnDemandNodeMetric(overrides: Partial<NodeMetric> = {}): NodeMetric {
  return exampleNodeMetric({
    node_name: 'ip-10-0-2-41.ec2.internal',
    instance_type: 'c6g.large',
    instance_id: 'i-0fedcba9876543210',
    availability_zone: 'us-east-1b',
    node_type: 'on-demand',
    cpu_allocatable_millicores: 1930,
    cpu_allocated_millicores: 500,
    cpu_used_millicores: 120,
    memory_allocatable_bytes: 3 * GIB,
    memory_allocated_bytes: 512 * MIB,
    memory_used_bytes: 300 * MIB,
    pod_count: 1,
    pods_allocatable: 29,
    architecture: 'arm64',
    labels: {
      'node.kubernetes.io/instance-type': 'c6g.large',
      'topology.kubernetes.io/zone': 'us-east-1b',
      'karpenter.sh/capacity-type': 'on-demand',
      'workload-class': 'batch',
    },
    taints: [{ key: 'workload-class', value: 'batch', effect: 'NoSchedule' }],
    hourly_price: 0.068,
    ...overrides,
  });
}

/** A running web pod (Deployment `checkout`) with an app container and a sidecar. */
export function examplePodMetric(overrides: Partial<PodMetric> = {}): PodMetric {
  return {
    namespace: 'shop',
    pod_name: 'checkout-7d9f8b6c5-x2k4p',
    node_name: 'ip-10-0-1-23.ec2.internal',
    phase: 'Running',
    owner: { kind: 'Deployment', name: 'checkout' },
    containers: [
      {
        container_name: 'app',
        cpu_request_millicores: 500,
        cpu_limit_millicores: 1000,
        memory_request_bytes: 1 * GIB,
        memory_limit_bytes: 1 * GIB,
        cpu_usage_millicores: 310,
        memory_usage_bytes: 700 * MIB,
        restart_count: 0,
        last_termination_reason: null,
      },
      {
        container_name: 'envoy',
        cpu_request_millicores: 100,
        cpu_limit_millicores: null,
        memory_request_bytes: 128 * MIB,
        memory_limit_bytes: 256 * MIB,
        cpu_usage_millicores: 25,
        memory_usage_bytes: 60 * MIB,
        restart_count: 1,
        last_termination_reason: 'OOMKilled',
      },
    ],
    priority: 0,
    qos_class: 'Burstable',
    labels: { app: 'checkout', 'pod-template-hash': '7d9f8b6c5' },
    node_selector: {},
    tolerations: [],
    do_not_disrupt: false,
    started_at: at(-7_200),
    ...overrides,
  };
}

/** A pending pod that needs 2 vCPU / 4 GiB on Spot in us-east-1a or 1b, tolerating the batch taint. */
export function examplePendingPod(overrides: Partial<PendingPod> = {}): PendingPod {
  return {
    namespace: 'batch',
    pod_name: 'report-builder-5c6d7f-9zq8m',
    owner: { kind: 'Deployment', name: 'report-builder' },
    pending_since: at(-90),
    reason: 'Unschedulable',
    message: '0/3 nodes are available: 3 Insufficient cpu.',
    requirements: {
      cpu_request_millicores: 2000,
      memory_request_bytes: 4 * GIB,
      gpu_count: 0,
      node_selector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ key: 'workload-class', operator: 'Equal', value: 'batch', effect: 'NoSchedule' }],
      zones: ['us-east-1a', 'us-east-1b'],
      instance_types: [],
      capacity_type: 'spot',
      architecture: null,
      node_affinity: [
        {
          match_expressions: [
            { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['us-east-1a', 'us-east-1b'] },
            { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
          ],
        },
      ],
    },
    ...overrides,
  };
}

/** The summary of the example cluster: 2 nodes (1 Spot, 1 on-demand), 4 pods (3 running, 1 pending). */
export function exampleClusterState(overrides: Partial<ClusterState> = {}): ClusterState {
  return {
    cluster_id: EXAMPLE_CLUSTER_ID,
    cluster_name: 'prod-us-east-1',
    region: EXAMPLE_REGION,
    total_nodes: 2,
    spot_nodes: 1,
    on_demand_nodes: 1,
    total_cpu_cores: 5.85,
    total_memory_gb: 19.33,
    allocated_cpu_cores: 2,
    allocated_memory_gb: 3.76,
    total_pods: 4,
    running_pods: 3,
    pending_pods: 1,
    current_cost_per_hour: 0.1392,
    baseline_cost_per_hour: 0.26,
    last_updated: EXAMPLE_NOW,
    health_status: 'GREEN',
    ...overrides,
  };
}

/** The example cluster with node and pod detail, as a DecisionRequest carries it. */
export function exampleClusterStateDetail(overrides: Partial<ClusterStateDetail> = {}): ClusterStateDetail {
  return {
    ...exampleClusterState(),
    nodes: [exampleNodeMetric(), exampleOnDemandNodeMetric()],
    pods: [examplePodMetric()],
    pending_pod_details: [examplePendingPod()],
    ...overrides,
  };
}

/** What the agent posts for the example cluster. */
export function exampleClusterMetrics(overrides: Partial<ClusterMetrics> = {}): ClusterMetrics {
  const { cluster_name: _n, region: _r, current_cost_per_hour: _c, baseline_cost_per_hour: _b, last_updated: _l, health_status: _h, ...totals } =
    exampleClusterState();
  return {
    ...totals,
    timestamp: EXAMPLE_NOW,
    nodes: [exampleNodeMetric(), exampleOnDemandNodeMetric()],
    pods: [examplePodMetric()],
    pending_pod_details: [examplePendingPod()],
    estimated_cost_per_hour: 0.1392,
    agent_version: '0.1.0',
    usage_available: true,
    ...overrides,
  };
}

/** A spot_optimize request for the example cluster. */
export function exampleDecisionRequest(overrides: Partial<DecisionRequest> = {}): DecisionRequest {
  return {
    request_id: 'req-01JDX4Y8Q2ZC7M3N5P6R8S9T0V',
    cluster_id: EXAMPLE_CLUSTER_ID,
    timestamp: EXAMPLE_NOW,
    decision_type: 'spot_optimize',
    current_state: exampleClusterStateDetail(),
    requirements: {
      cpu_cores: 2,
      memory_gb: 4,
      node_count: null,
      gpu_count: 0,
      architectures: ['x86_64'],
      instance_types: [],
      excluded_instance_families: ['t2', 't3'],
      availability_zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      schedules: [],
    },
    constraints: {
      max_risk_score: 0.65,
      max_spot_share: 0.8,
      max_family_share: 0.4,
      min_pools: 2,
      max_nodes_disrupted: 1,
      max_hourly_cost: null,
      allow_on_demand_fallback: true,
      excluded_namespaces: ['kube-system'],
      excluded_workloads: [{ namespace: 'shop', kind: 'StatefulSet', name: 'postgres' }],
      automation_mode: 'recommend',
    },
    metadata: { trigger: 'pending_pods', requested_by: 'autoscaler', dry_run: false },
    usage_history: [],
    ...overrides,
  };
}

/** A Spot pool recommendation: 2 × m6i.xlarge in us-east-1b. */
export function exampleRecommendation(overrides: Partial<Recommendation> = {}): Recommendation {
  return {
    instance_type: 'm6i.xlarge',
    node_count: 2,
    risk_score: 0.18,
    hourly_price: 0.0768,
    monthly_savings: 168.19,
    availability_zone: 'us-east-1b',
    capacity_type: 'spot',
    interruption_probability: 0.04,
    rationale: {
      summary: 'Low interruption frequency (<5%) and 60% below on-demand; spreads the family share under 40%.',
      factors: [
        { name: 'spot_advisor_bucket', value: '<5%', weight: 0.6, contribution: 0.03 },
        { name: 'price_volatility_30d', value: 0.07, weight: 0.25, contribution: 0.0175 },
      ],
      data_sources: [{ name: 'spot_price_history', as_of: at(-600), age_seconds: 600 }],
    },
    ...overrides,
  };
}

/** Replace the on-demand node: launch Spot capacity, wait for it, cordon + drain the old node, terminate it. */
export function exampleExecutionPlan(): ExecutionStep[] {
  const old = { node_name: 'ip-10-0-2-41.ec2.internal', instance_id: 'i-0fedcba9876543210' };
  return [
    {
      step: 1,
      action: 'launch_instances',
      description: 'Launch 2 × m6i.xlarge Spot in us-east-1b',
      depends_on: [],
      not_before: null,
      parameters: { instance_type: 'm6i.xlarge', availability_zone: 'us-east-1b', capacity_type: 'spot', count: 2, on_demand_fallback: true, labels: {}, taints: [] },
    },
    { step: 2, action: 'wait_for_nodes_ready', depends_on: [1], not_before: null, parameters: { count: 2, node_names: [], timeout_seconds: 600 } },
    { step: 3, action: 'cordon_node', depends_on: [2], not_before: null, parameters: { ...old, reason: 'replaced by Spot capacity' } },
    {
      step: 4,
      action: 'drain_node',
      description: 'Drain the on-demand node, one node at a time, honouring PDBs',
      depends_on: [3],
      not_before: null,
      parameters: { ...old, grace_period_seconds: null, timeout_seconds: 900, respect_pdb: true, ignore_daemonsets: true, delete_emptydir_data: true, include_do_not_disrupt: false },
    },
    { step: 5, action: 'terminate_instances', depends_on: [4], not_before: null, parameters: { instance_ids: ['i-0fedcba9876543210'] } },
    { step: 6, action: 'delete_node', depends_on: [5], not_before: null, parameters: { ...old, only_if_empty: true } },
  ];
}

/** The ML server's answer to {@link exampleDecisionRequest}. */
export function exampleDecisionResponse(overrides: Partial<DecisionResponse> = {}): DecisionResponse {
  return {
    request_id: 'req-01JDX4Y8Q2ZC7M3N5P6R8S9T0V',
    timestamp: at(1),
    decision_type: 'spot_optimize',
    recommendations: [exampleRecommendation(), exampleRecommendation({ instance_type: 'm5a.xlarge', availability_zone: 'us-east-1a', node_count: 1, risk_score: 0.22, hourly_price: 0.0691, monthly_savings: 90.3, interruption_probability: 0.05 })],
    confidence_score: 0.82,
    estimated_savings: 258.49,
    risk_assessment: {
      risk_score: 0.2,
      risk_level: 'low',
      summary: 'Three pools in two AZs, all in the <5% interruption bucket.',
      factors: ['pool diversity 3', 'max family share 0.33'],
      expected_interruptions_per_month: 0.6,
    },
    execution_plan: exampleExecutionPlan(),
    metadata: { engine_version: '0.1.0', model_version: '2025.11.20-1', data_age_seconds: 600, data_as_of: at(-600), computation_ms: 42.5 },
    cluster_id: EXAMPLE_CLUSTER_ID,
    outcome: 'planned',
    outcome_reason: null,
    container_recommendations: [],
    ...overrides,
  };
}

/** Example parameters of every task type (each one what a real plan would send). */
export const EXAMPLE_TASK_PARAMETERS: { [T in TaskType]: TaskParameters<T> } = {
  cordon_node: { node_name: 'ip-10-0-2-41.ec2.internal', instance_id: 'i-0fedcba9876543210', reason: 'consolidation' },
  uncordon_node: { node_name: 'ip-10-0-2-41.ec2.internal', instance_id: 'i-0fedcba9876543210' },
  drain_node: {
    node_name: 'ip-10-0-1-23.ec2.internal',
    instance_id: 'i-0a1b2c3d4e5f60718',
    grace_period_seconds: 30,
    timeout_seconds: 100,
    respect_pdb: true,
    ignore_daemonsets: true,
    delete_emptydir_data: true,
    include_do_not_disrupt: true,
  },
  label_node: { node_name: 'ip-10-0-1-23.ec2.internal', instance_id: null, labels: { 'cloudoptim.io/managed': 'true', 'cloudoptim.io/draining': null } },
  taint_node: {
    node_name: 'ip-10-0-1-23.ec2.internal',
    add: [{ key: 'cloudoptim.io/interruption', value: 'imminent', effect: 'NoSchedule' }],
    remove: [{ key: 'cloudoptim.io/rebalance', effect: null }],
  },
  evict_pod: { namespace: 'shop', pod_name: 'checkout-7d9f8b6c5-x2k4p', grace_period_seconds: null, respect_pdb: true },
  scale_workload: { namespace: 'staging', kind: 'Deployment', name: 'api', replicas: 0, expected_replicas: 3 },
  patch_workload_resources: {
    namespace: 'shop',
    kind: 'Deployment',
    name: 'checkout',
    containers: [{ container_name: 'app', cpu_request_millicores: 350, memory_request_bytes: 800 * MIB, memory_limit_bytes: 1 * GIB }],
  },
  delete_node: { node_name: 'ip-10-0-2-41.ec2.internal', instance_id: 'i-0fedcba9876543210', only_if_empty: true },
  collect_metrics: { reason: 'verify optimization opt-42' },
};

/** A task of the given type for the example cluster (priority 1 for drains, 5 otherwise). */
export function exampleTask<T extends TaskType>(type: T, overrides: Partial<TaskOf<T>> = {}): TaskOf<T> {
  return {
    task_id: `task-${type.replaceAll('_', '-')}-0001`,
    cluster_id: EXAMPLE_CLUSTER_ID,
    task_type: type,
    parameters: EXAMPLE_TASK_PARAMETERS[type],
    priority: type === 'drain_node' ? 1 : 5,
    deadline: at(type === 'drain_node' ? 110 : 3_600),
    created_at: EXAMPLE_NOW,
    created_by: type === 'drain_node' ? 'spot-handler' : 'optimizer',
    attempt: 1,
    lease_expires_at: at(300),
    plan_id: null,
    plan_step: null,
    ...overrides,
  } as TaskOf<T>;
}

/** One example task of every task type. */
export function exampleTasks(): Task[] {
  return (Object.keys(EXAMPLE_TASK_PARAMETERS) as TaskType[]).map((type) => exampleTask(type));
}

/** A successful drain result. */
export function exampleTaskResult(overrides: Partial<TaskResult> = {}): TaskResult {
  return {
    task_id: 'task-drain-node-0001',
    status: 'success',
    executed_at: at(2),
    duration_seconds: 41.7,
    logs: ['cordoned ip-10-0-1-23.ec2.internal', 'evicted shop/checkout-7d9f8b6c5-x2k4p', 'node empty'],
    error: null,
    metadata: { pods_evicted: 1, pdb_retries: 0 },
    cluster_id: EXAMPLE_CLUSTER_ID,
    attempt: 1,
    error_code: null,
    ...overrides,
  };
}

/** A failed eviction blocked by a PodDisruptionBudget. */
export function exampleFailedTaskResult(overrides: Partial<TaskResult> = {}): TaskResult {
  return exampleTaskResult({
    task_id: 'task-evict-pod-0001',
    status: 'failed',
    duration_seconds: 0.4,
    logs: ['eviction of shop/checkout-7d9f8b6c5-x2k4p refused: 429'],
    error: 'Cannot evict pod as it would violate the pod disruption budget.',
    metadata: {},
    error_code: 'PDB_BLOCKED',
    ...overrides,
  });
}

/** An interruption warning for the example Spot node, handled with a Spot replacement. */
export function exampleSpotEvent(overrides: Partial<SpotEvent> = {}): SpotEvent {
  return {
    event_id: 'spe-0001',
    event_type: 'interruption_warning',
    instance_id: 'i-0a1b2c3d4e5f60718',
    region: EXAMPLE_REGION,
    availability_zone: 'us-east-1a',
    received_at: EXAMPLE_NOW,
    interruption_time: at(120),
    cluster_id: EXAMPLE_CLUSTER_ID,
    node_name: 'ip-10-0-1-23.ec2.internal',
    action_taken: 'replaced_spot',
    replacement_instance_id: 'i-01234567890abcdef',
    instance_type: 'm5.xlarge',
    source_event_id: '7a5e1c3b-2f4d-4e6a-9b8c-1d2e3f4a5b6c',
    handled_at: at(75),
    ...overrides,
  };
}

/** An OOM kill the agent saw. */
export function exampleClusterEvent(overrides: Partial<ClusterEvent> = {}): ClusterEvent {
  return {
    event_id: 'ev-agent-0001',
    cluster_id: EXAMPLE_CLUSTER_ID,
    kind: 'pod_oom_killed',
    occurred_at: at(-30),
    node_name: 'ip-10-0-1-23.ec2.internal',
    instance_id: null,
    namespace: 'shop',
    pod_name: 'checkout-7d9f8b6c5-x2k4p',
    reason: 'OOMKilled',
    message: 'container envoy exceeded its memory limit (256Mi)',
    ...overrides,
  };
}

/** A healthy agent's heartbeat. */
export function exampleHeartbeat(overrides: Partial<Heartbeat> = {}): Heartbeat {
  return {
    cluster_id: EXAMPLE_CLUSTER_ID,
    agent_id: 'cloudoptim-agent-6b7c9d-tx4lm',
    agent_version: '0.1.0',
    timestamp: EXAMPLE_NOW,
    status: 'healthy',
    uptime_seconds: 86_400,
    kubernetes_version: 'v1.31.2-eks-7f9249a',
    running_task_ids: ['task-drain-node-0001'],
    buffered_messages: 0,
    last_metrics_at: at(-42),
    problems: [],
    supported_task_types: [],
    ...overrides,
  };
}

/** Central's answer to a heartbeat. */
export function exampleHeartbeatResponse(overrides: Partial<HeartbeatResponse> = {}): HeartbeatResponse {
  return { server_time: at(0.2), pending_tasks: 2, config_version: 7, poll_interval_seconds: 10, ...overrides };
}

/** A 404 envelope. */
export function exampleErrorEnvelope(overrides: Partial<ErrorEnvelope['error']> = {}): ErrorEnvelope {
  return {
    error: {
      code: 'NOT_FOUND',
      message: 'cluster cl-missing not found',
      details: { cluster_id: 'cl-missing' },
      request_id: 'req-7f3a9c',
      timestamp: EXAMPLE_NOW,
      ...overrides,
    },
  };
}

const frame = (n: number) => ({ v: 1 as const, id: `evt-${String(n).padStart(4, '0')}`, sent_at: at(n) });

/** One frame of every type of the agent stream (both directions). */
export function exampleAgentStreamEvents(): AgentStreamEvent[] {
  return [
    { ...frame(1), type: 'task_available', cluster_id: EXAMPLE_CLUSTER_ID, task_id: 'task-cordon-node-0001', task_type: 'cordon_node', priority: 5 },
    { ...frame(2), type: 'urgent_drain', task: exampleTask('drain_node'), interruption_time: at(120) },
    { ...frame(3), type: 'task_cancelled', task_id: 'task-scale-workload-0001', reason: 'optimization rolled back' },
    { ...frame(4), type: 'config_changed', cluster_id: EXAMPLE_CLUSTER_ID, config_version: 8, changed_keys: ['excluded_namespaces'] },
    { ...frame(5), type: 'agent_hello', cluster_id: EXAMPLE_CLUSTER_ID, agent_id: 'cloudoptim-agent-6b7c9d-tx4lm', agent_version: '0.1.0', last_event_id: 'evt-0001' },
    { ...frame(6), type: 'ack', ack_id: 'evt-0002', task_id: 'task-drain-node-0001' },
  ];
}

/** One frame of every type of the admin stream. */
export function exampleAdminStreamEvents(): AdminStreamEvent[] {
  return [
    { ...frame(1), type: 'cluster_state_changed', cluster_id: EXAMPLE_CLUSTER_ID, state: exampleClusterState({ health_status: 'YELLOW' }) },
    { ...frame(2), type: 'node_added', cluster_id: EXAMPLE_CLUSTER_ID, node: exampleNodeMetric({ node_name: 'ip-10-0-3-7.ec2.internal', instance_type: 'm6i.xlarge', instance_id: 'i-01234567890abcdef', availability_zone: 'us-east-1b' }) },
    { ...frame(3), type: 'node_removed', cluster_id: EXAMPLE_CLUSTER_ID, node_name: 'ip-10-0-1-23.ec2.internal', instance_id: 'i-0a1b2c3d4e5f60718', reason: 'spot interruption' },
    { ...frame(4), type: 'task_updated', cluster_id: EXAMPLE_CLUSTER_ID, task_id: 'task-drain-node-0001', task_type: 'drain_node', status: 'success', result: exampleTaskResult() },
    { ...frame(5), type: 'spot_event', event: exampleSpotEvent() },
    { ...frame(6), type: 'optimization_updated', cluster_id: EXAMPLE_CLUSTER_ID, optimization_id: 'opt-42', decision_type: 'spot_optimize', status: 'executing', current_step: 4, total_steps: 6, estimated_savings: 258.49 },
    { ...frame(7), type: 'savings_updated', cluster_id: EXAMPLE_CLUSTER_ID, as_of: EXAMPLE_NOW, current_cost_per_hour: 0.1392, baseline_cost_per_hour: 0.26, savings_per_hour: 0.1208, savings_per_month: 88.18, cumulative_savings: 1204.5 },
    { ...frame(8), type: 'gap_fill_progress', job_id: 'gap-2025-11-26-01', status: 'running', progress: 0.35, series_total: 120, series_done: 42, records_filled: 18_311, message: null },
    { ...frame(9), type: 'model_activated', model_version: '2025.11.20-1', previous_version: '2025.11.01-3' },
  ];
}

/** Valid examples of every message in MESSAGE_SCHEMAS (several for unions: every member appears). */
export function exampleMessages(): Record<MessageName, unknown[]> {
  const agentEvents = exampleAgentStreamEvents();
  return {
    ClusterState: [exampleClusterState(), exampleClusterState({ health_status: 'RED', total_nodes: 0, spot_nodes: 0, on_demand_nodes: 0, total_pods: 0, running_pods: 0, pending_pods: 0 })],
    ClusterStateDetail: [exampleClusterStateDetail()],
    NodeMetric: [exampleNodeMetric(), exampleOnDemandNodeMetric({ cpu_used_millicores: null, memory_used_bytes: null, instance_id: null })],
    PodMetric: [examplePodMetric(), examplePodMetric({ node_name: null, phase: 'Pending', owner: null })],
    PendingPod: [examplePendingPod()],
    ClusterMetrics: [exampleClusterMetrics()],
    DecisionRequest: [
      exampleDecisionRequest(),
      exampleDecisionRequest({
        request_id: 'req-rightsize-1',
        decision_type: 'rightsize',
        usage_history: [
          {
            namespace: 'shop',
            owner: { kind: 'Deployment', name: 'checkout' },
            container_name: 'app',
            samples: [
              { timestamp: at(-120), cpu_usage_millicores: 300, memory_usage_bytes: 690 * MIB },
              { timestamp: at(-60), cpu_usage_millicores: 320, memory_usage_bytes: 702 * MIB },
            ],
            oom_kill_count: 0,
          },
        ],
      }),
      exampleDecisionRequest({
        request_id: 'req-schedule-1',
        decision_type: 'schedule',
        requirements: {
          ...exampleDecisionRequest().requirements,
          schedules: [{ name: 'staging office hours', timezone: 'Europe/Paris', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '19:00', namespaces: ['staging'], workloads: [] }],
        },
      }),
    ],
    Recommendation: [exampleRecommendation()],
    ExecutionStep: exampleExecutionPlan(),
    DecisionResponse: [
      exampleDecisionResponse(),
      exampleDecisionResponse({ recommendations: [], execution_plan: [], estimated_savings: 0, outcome: 'nothing_to_do', outcome_reason: 'every node is more than 70% allocated', metadata: { engine_version: '0.1.0', model_version: null, data_age_seconds: 0 } }),
    ],
    Task: exampleTasks(),
    TaskResult: [exampleTaskResult(), exampleFailedTaskResult()],
    SpotEvent: [
      exampleSpotEvent(),
      exampleSpotEvent({ event_id: 'spe-0002', event_type: 'rebalance_recommendation', interruption_time: null, action_taken: 'pending', replacement_instance_id: null, handled_at: null }),
      exampleSpotEvent({ event_id: 'spe-0003', event_type: 'instance_terminated', cluster_id: null, node_name: null, action_taken: 'none', replacement_instance_id: null }),
    ],
    ClusterEvent: [exampleClusterEvent()],
    ClusterEventBatch: [{ events: [exampleClusterEvent(), exampleClusterEvent({ event_id: 'ev-agent-0002', kind: 'node_added', namespace: null, pod_name: null, reason: null, message: null })] }],
    Heartbeat: [exampleHeartbeat(), exampleHeartbeat({ status: 'degraded', problems: ['metrics.k8s.io not available'], last_metrics_at: null, kubernetes_version: null })],
    HeartbeatResponse: [exampleHeartbeatResponse()],
    AgentServerEvent: agentEvents.filter((e) => e.type !== 'agent_hello' && e.type !== 'ack'),
    AgentClientEvent: agentEvents.filter((e) => e.type === 'agent_hello' || e.type === 'ack'),
    AgentStreamEvent: agentEvents,
    AdminStreamEvent: exampleAdminStreamEvents(),
    ErrorEnvelope: [exampleErrorEnvelope(), exampleErrorEnvelope({ code: 'INTERNAL', message: 'internal error', details: null })],
  };
}
