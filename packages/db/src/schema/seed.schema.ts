/** The seed tables (migrations/0001_init.sql) and the migrator's bookkeeping table. */
import { sql } from 'drizzle-orm';
import {
  boolean,
  doublePrecision,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
  type PgColumn,
} from 'drizzle-orm/pg-core';
import { createdAt, money } from './columns.ts';

/** A foreign key to customers (id), named as PostgreSQL names an inline REFERENCES (`<table>_customer_id_fkey`). */
const customerRef = (table: string, customerId: PgColumn) =>
  foreignKey({ name: `${table}_customer_id_fkey`, columns: [customerId], foreignColumns: [customers.id] });

/** Migration bookkeeping, created by the migrator itself (not by a migration file). */
export const schemaMigrations = pgTable('schema_migrations', {
  version: integer('version').primaryKey(),
  name: text('name').notNull(),
  checksum: text('checksum').notNull(),
  appliedAt: timestamp('applied_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Tenants of the control plane. */
export const customers = pgTable(
  'customers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    contactEmail: text('contact_email'),
    status: text('status', { enum: ['active', 'suspended'] }).notNull().default('active'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [uniqueIndex('customers_name_key').on(sql`lower(${table.name})`)],
);

/** Per-customer settings and AWS access. */
export const customerConfig = pgTable(
  'customer_config',
  {
  customerId: uuid('customer_id').primaryKey(),
  automationMode: text('automation_mode', { enum: ['off', 'recommend', 'automate'] }).notNull().default('recommend'),
  maxSpotShare: doublePrecision('max_spot_share').notNull().default(0.8),
  maxInstanceFamilyShare: doublePrecision('max_instance_family_share').notNull().default(0.4),
  maxDisruptedNodes: integer('max_disrupted_nodes').notNull().default(1),
  excludedNamespaces: text('excluded_namespaces').array().notNull().default(sql`'{kube-system}'`),
  awsRoleArn: text('aws_role_arn'),
  /**
   * Legacy, never read or written: the external id is issued by CloudOptim (`cloudoptim-<customer id>`, central's
   * cloud/external-id.ts), not stored. Kept only because migration 0001 created it; a value here is ignored.
   */
  awsExternalId: text('aws_external_id'),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [customerRef('customer_config', table.customerId).onDelete('cascade')],
);

/** Clusters with their latest reported ClusterState. */
export const clusters = pgTable(
  'clusters',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    customerId: uuid('customer_id').notNull(),
    name: text('name').notNull(),
    region: text('region').notNull(),
    awsAccountId: text('aws_account_id'),
    healthStatus: text('health_status', { enum: ['GREEN', 'YELLOW', 'RED'] }),
    totalNodes: integer('total_nodes').notNull().default(0),
    spotNodes: integer('spot_nodes').notNull().default(0),
    onDemandNodes: integer('on_demand_nodes').notNull().default(0),
    totalCpuCores: doublePrecision('total_cpu_cores').notNull().default(0),
    totalMemoryGb: doublePrecision('total_memory_gb').notNull().default(0),
    allocatedCpuCores: doublePrecision('allocated_cpu_cores').notNull().default(0),
    allocatedMemoryGb: doublePrecision('allocated_memory_gb').notNull().default(0),
    totalPods: integer('total_pods').notNull().default(0),
    runningPods: integer('running_pods').notNull().default(0),
    pendingPods: integer('pending_pods').notNull().default(0),
    currentCostPerHour: money('current_cost_per_hour').notNull().default(0),
    baselineCostPerHour: money('baseline_cost_per_hour').notNull().default(0),
    lastUpdated: timestamp('last_updated', { withTimezone: true }),
    lastHeartbeatAt: timestamp('last_heartbeat_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    customerRef('clusters', table.customerId),
    unique('clusters_customer_name_key').on(table.customerId, table.name),
    unique('clusters_customer_id_id_key').on(table.customerId, table.id),
  ],
);

/** The tenant-safe reference to a cluster: (customer_id, cluster_id) → clusters (customer_id, id). */
const clusterRef = (name: string, columns: { customerId: PgColumn; clusterId: PgColumn }) =>
  foreignKey({ name, columns: [columns.customerId, columns.clusterId], foreignColumns: [clusters.customerId, clusters.id] }).onDelete('cascade');

/** Nodes (one per EC2 instance in a cluster), as last reported. */
export const nodes = pgTable(
  'nodes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    customerId: uuid('customer_id').notNull(),
    clusterId: uuid('cluster_id').notNull(),
    nodeName: text('node_name').notNull(),
    instanceId: text('instance_id').notNull(),
    instanceType: text('instance_type').notNull(),
    availabilityZone: text('availability_zone').notNull(),
    capacityType: text('capacity_type', { enum: ['spot', 'on-demand'] }).notNull(),
    cpuAllocatableCores: doublePrecision('cpu_allocatable_cores').notNull().default(0),
    memoryAllocatableGb: doublePrecision('memory_allocatable_gb').notNull().default(0),
    cpuAllocatedCores: doublePrecision('cpu_allocated_cores').notNull().default(0),
    memoryAllocatedGb: doublePrecision('memory_allocated_gb').notNull().default(0),
    cpuUsedCores: doublePrecision('cpu_used_cores').notNull().default(0),
    memoryUsedGb: doublePrecision('memory_used_gb').notNull().default(0),
    podCount: integer('pod_count').notNull().default(0),
    unschedulable: boolean('unschedulable').notNull().default(false),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    clusterRef('nodes_cluster_fkey', table),
    unique('nodes_cluster_instance_key').on(table.clusterId, table.instanceId),
    index('nodes_customer_cluster_idx').on(table.customerId, table.clusterId),
    index('nodes_customer_instance_idx').on(table.customerId, table.instanceId),
    index('nodes_cluster_node_name_idx').on(table.clusterId, table.nodeName),
  ],
);

/** Spot interruption warnings, rebalance recommendations and terminations; unique per customer on event_id. */
export const spotEvents = pgTable(
  'spot_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    customerId: uuid('customer_id').notNull(),
    clusterId: uuid('cluster_id'),
    eventId: text('event_id').notNull(),
    eventType: text('event_type', { enum: ['interruption_warning', 'rebalance_recommendation', 'instance_terminated'] }).notNull(),
    instanceId: text('instance_id').notNull(),
    region: text('region').notNull(),
    availabilityZone: text('availability_zone'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    interruptionTime: timestamp('interruption_time', { withTimezone: true }),
    nodeName: text('node_name'),
    actionTaken: text('action_taken'),
    replacementInstanceId: text('replacement_instance_id'),
    createdAt: createdAt(),
  },
  (table) => [
    customerRef('spot_events', table.customerId),
    clusterRef('spot_events_cluster_fkey', { customerId: table.customerId, clusterId: table.clusterId }),
    unique('spot_events_customer_event_key').on(table.customerId, table.eventId),
    index('spot_events_customer_received_idx').on(table.customerId, table.receivedAt.desc()),
    index('spot_events_cluster_received_idx').on(table.clusterId, table.receivedAt.desc()).where(sql`${table.clusterId} IS NOT NULL`),
    index('spot_events_customer_instance_idx').on(table.customerId, table.instanceId),
  ],
);

/** Optimizations: the plan, its estimate and what became of it. Savings are USD per month. */
export const optimizationHistory = pgTable(
  'optimization_history',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    customerId: uuid('customer_id').notNull(),
    clusterId: uuid('cluster_id').notNull(),
    requestId: text('request_id'),
    decisionType: text('decision_type', { enum: ['spot_optimize', 'bin_pack', 'rightsize', 'schedule'] }).notNull(),
    status: text('status', { enum: ['proposed', 'approved', 'rejected', 'executing', 'succeeded', 'failed', 'rolled_back', 'cancelled'] })
      .notNull()
      .default('proposed'),
    triggeredBy: text('triggered_by'),
    recommendations: jsonb('recommendations').$type<unknown[]>().notNull().default([]),
    executionPlan: jsonb('execution_plan').$type<unknown[]>().notNull().default([]),
    riskAssessment: jsonb('risk_assessment').$type<Record<string, unknown>>(),
    confidenceScore: doublePrecision('confidence_score'),
    estimatedSavings: money('estimated_savings'),
    actualSavings: money('actual_savings'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    error: text('error'),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (table) => [
    clusterRef('optimization_history_cluster_fkey', table),
    index('optimization_history_customer_cluster_created_idx').on(table.customerId, table.clusterId, table.createdAt.desc()),
    uniqueIndex('optimization_history_cluster_request_key').on(table.clusterId, table.requestId).where(sql`${table.requestId} IS NOT NULL`),
  ],
);

/** Cluster metrics rolled up per time bucket. Costs are USD over the bucket. */
export const metricsSummary = pgTable(
  'metrics_summary',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    customerId: uuid('customer_id').notNull(),
    clusterId: uuid('cluster_id').notNull(),
    bucketStart: timestamp('bucket_start', { withTimezone: true }).notNull(),
    bucketSeconds: integer('bucket_seconds').notNull(),
    sampleCount: integer('sample_count').notNull().default(0),
    avgTotalNodes: doublePrecision('avg_total_nodes').notNull().default(0),
    avgSpotNodes: doublePrecision('avg_spot_nodes').notNull().default(0),
    avgTotalCpuCores: doublePrecision('avg_total_cpu_cores').notNull().default(0),
    avgAllocatedCpuCores: doublePrecision('avg_allocated_cpu_cores').notNull().default(0),
    avgUsedCpuCores: doublePrecision('avg_used_cpu_cores').notNull().default(0),
    avgTotalMemoryGb: doublePrecision('avg_total_memory_gb').notNull().default(0),
    avgAllocatedMemoryGb: doublePrecision('avg_allocated_memory_gb').notNull().default(0),
    avgUsedMemoryGb: doublePrecision('avg_used_memory_gb').notNull().default(0),
    maxPendingPods: integer('max_pending_pods').notNull().default(0),
    cost: money('cost').notNull().default(0),
    baselineCost: money('baseline_cost').notNull().default(0),
    createdAt: createdAt(),
  },
  (table) => [
    clusterRef('metrics_summary_cluster_fkey', table),
    unique('metrics_summary_bucket_key').on(table.clusterId, table.bucketSeconds, table.bucketStart),
    index('metrics_summary_customer_bucket_idx').on(table.customerId, table.bucketStart.desc()),
  ],
);
