/**
 * Tables of the agent-link migration (migrations/0003_agent_link.sql): tasks, heartbeats, events, pods, metrics;
 * with the indexes 0007_client_perf.sql adds.
 */
import { sql } from 'drizzle-orm';
import { bigint, boolean, doublePrecision, index, integer, json, jsonb, pgTable, smallint, text, unique, uuid } from 'drizzle-orm/pg-core';
import { at, createdAt, money, updatedAt } from './columns.ts';
import { clusterRef } from './refs.ts';

const TASK_TYPES = ['cordon_node', 'uncordon_node', 'drain_node', 'label_node', 'taint_node', 'evict_pod', 'scale_workload', 'patch_workload_resources', 'delete_node', 'collect_metrics'] as const;
const TASK_STATUSES = ['pending', 'leased', 'running', 'success', 'failed', 'timeout', 'cancelled'] as const;
const EVENT_KINDS = ['node_added', 'node_removed', 'node_not_ready', 'node_ready', 'pod_evicted', 'pod_oom_killed', 'pod_unschedulable', 'spot_interruption_notice', 'agent_started'] as const;

/** Kubernetes work for an agent, with its lease, attempts and result. */
export const tasks = pgTable(
  'tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    customerId: uuid('customer_id').notNull(),
    clusterId: uuid('cluster_id').notNull(),
    taskType: text('task_type', { enum: TASK_TYPES }).notNull(),
    parameters: jsonb('parameters').$type<Record<string, unknown>>().notNull().default({}),
    priority: smallint('priority').notNull().default(5),
    status: text('status', { enum: TASK_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(3),
    leaseOwner: text('lease_owner'),
    leaseExpiresAt: at('lease_expires_at'),
    deadline: at('deadline').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    createdBy: text('created_by').notNull(),
    planId: uuid('plan_id'),
    planStep: integer('plan_step'),
    urgent: boolean('urgent').notNull().default(false),
    interruptionTime: at('interruption_time'),
    result: jsonb('result').$type<Record<string, unknown>>(),
    resultAttempt: integer('result_attempt'),
    cancelReason: text('cancel_reason'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    finishedAt: at('finished_at'),
  },
  (table) => [
    clusterRef('tasks', table),
    unique('tasks_cluster_idempotency_key').on(table.clusterId, table.idempotencyKey),
    index('tasks_lease_idx').on(table.clusterId, table.status, table.priority, table.createdAt),
    index('tasks_customer_cluster_created_idx').on(table.customerId, table.clusterId, table.createdAt.desc()),
    index('tasks_plan_idx').on(table.planId, table.planStep).where(sql`${table.planId} IS NOT NULL`),
    // 0007_client_perf
    index('tasks_open_idx').on(table.clusterId, table.priority, table.createdAt).where(sql`${table.status} IN ('pending', 'leased', 'running')`),
  ],
);

/** The last heartbeat of each cluster's agent. */
export const agentHeartbeats = pgTable(
  'agent_heartbeats',
  {
    clusterId: uuid('cluster_id').primaryKey(),
    customerId: uuid('customer_id').notNull(),
    agentId: text('agent_id').notNull(),
    agentVersion: text('agent_version').notNull(),
    kubernetesVersion: text('kubernetes_version'),
    agentStatus: text('agent_status', { enum: ['healthy', 'degraded'] }).notNull(),
    problems: jsonb('problems').$type<string[]>().notNull().default([]),
    bufferedMessages: integer('buffered_messages').notNull().default(0),
    agentTime: at('agent_time').notNull(),
    receivedAt: at('received_at').notNull(),
  },
  (table) => [clusterRef('agent_heartbeats', table)],
);

/** Kubernetes events reported by agents, unique per cluster on the agent's event_id. */
export const clusterEvents = pgTable(
  'cluster_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    customerId: uuid('customer_id').notNull(),
    clusterId: uuid('cluster_id').notNull(),
    eventId: text('event_id').notNull(),
    kind: text('kind', { enum: EVENT_KINDS }).notNull(),
    occurredAt: at('occurred_at').notNull(),
    nodeName: text('node_name'),
    instanceId: text('instance_id'),
    namespace: text('namespace'),
    podName: text('pod_name'),
    reason: text('reason'),
    message: text('message'),
    receivedAt: at('received_at').notNull(),
  },
  (table) => [
    clusterRef('cluster_events', table),
    unique('cluster_events_cluster_event_key').on(table.clusterId, table.eventId),
    index('cluster_events_cluster_occurred_idx').on(table.clusterId, table.occurredAt.desc()),
  ],
);

/** The latest pods of each cluster. CPU in millicores, memory in bytes. Stored with fillfactor 50 (0007_client_perf). */
export const podSnapshots = pgTable(
  'pod_snapshots',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    customerId: uuid('customer_id').notNull(),
    clusterId: uuid('cluster_id').notNull(),
    namespace: text('namespace').notNull(),
    podName: text('pod_name').notNull(),
    nodeName: text('node_name'),
    ownerKind: text('owner_kind'),
    ownerName: text('owner_name'),
    phase: text('phase', { enum: ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] }).notNull(),
    containers: jsonb('containers').$type<unknown[]>().notNull().default([]),
    cpuRequestMillicores: bigint('cpu_request_millicores', { mode: 'number' }).notNull().default(0),
    memoryRequestBytes: bigint('memory_request_bytes', { mode: 'number' }).notNull().default(0),
    cpuUsageMillicores: bigint('cpu_usage_millicores', { mode: 'number' }),
    memoryUsageBytes: bigint('memory_usage_bytes', { mode: 'number' }),
    restarts: integer('restarts').notNull().default(0),
    oomKills: integer('oom_kills').notNull().default(0),
    observedAt: at('observed_at').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    clusterRef('pod_snapshots', table),
    unique('pod_snapshots_cluster_pod_key').on(table.clusterId, table.namespace, table.podName),
    index('pod_snapshots_cluster_node_idx').on(table.clusterId, table.nodeName),
  ],
);

/** Cluster (node_name '') and node metrics over time: raw (60 s) and hourly (3600 s) rows. */
export const metricsHistory = pgTable(
  'metrics_history',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    customerId: uuid('customer_id').notNull(),
    clusterId: uuid('cluster_id').notNull(),
    nodeName: text('node_name').notNull().default(''),
    resolutionSeconds: integer('resolution_seconds').notNull(),
    sampledAt: at('sampled_at').notNull(),
    sampleCount: integer('sample_count').notNull().default(1),
    nodeCount: doublePrecision('node_count').notNull().default(0),
    spotNodeCount: doublePrecision('spot_node_count').notNull().default(0),
    podCount: doublePrecision('pod_count').notNull().default(0),
    pendingPods: doublePrecision('pending_pods').notNull().default(0),
    cpuAllocatableCores: doublePrecision('cpu_allocatable_cores').notNull().default(0),
    cpuAllocatedCores: doublePrecision('cpu_allocated_cores').notNull().default(0),
    cpuUsedCores: doublePrecision('cpu_used_cores'),
    memoryAllocatableGb: doublePrecision('memory_allocatable_gb').notNull().default(0),
    memoryAllocatedGb: doublePrecision('memory_allocated_gb').notNull().default(0),
    memoryUsedGb: doublePrecision('memory_used_gb'),
    costPerHour: money('cost_per_hour').notNull().default(0),
    baselineCostPerHour: money('baseline_cost_per_hour').notNull().default(0),
  },
  (table) => [
    clusterRef('metrics_history', table),
    unique('metrics_history_sample_key').on(table.clusterId, table.nodeName, table.resolutionSeconds, table.sampledAt),
    index('metrics_history_resolution_sampled_idx').on(table.resolutionSeconds, table.sampledAt),
  ],
);

/** The latest ClusterMetrics of each cluster, as sent. */
export const clusterMetricsLatest = pgTable(
  'cluster_metrics_latest',
  {
    clusterId: uuid('cluster_id').primaryKey(),
    customerId: uuid('customer_id').notNull(),
    // json, not jsonb, since 0007_client_perf: stored and read whole, never queried inside
    metrics: json('metrics').$type<Record<string, unknown>>().notNull(),
    sampledAt: at('sampled_at').notNull(),
    receivedAt: at('received_at').notNull(),
  },
  (table) => [clusterRef('cluster_metrics_latest', table)],
);
