/**
 * Tables of migrations/0005_spot_savings.sql: spot replacements (swap-back), cost samples (savings), the
 * notifications outbox (channels, deliveries) and the office-hours workloads scaled down.
 */
import { sql } from 'drizzle-orm';
import { boolean, foreignKey, index, integer, jsonb, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core';
import { at, createdAt, money, updatedAt } from './columns.ts';
import { clusterRef, customerRef } from './refs.ts';
import { clusters, spotEvents } from './seed.schema.ts';

export const spotReplacements = pgTable(
  'spot_replacements',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    customerId: uuid('customer_id').notNull(),
    clusterId: uuid('cluster_id').notNull(),
    spotEventId: uuid('spot_event_id').notNull(),
    instanceId: text('instance_id').notNull(),
    instanceType: text('instance_type').notNull(),
    availabilityZone: text('availability_zone').notNull(),
    capacityType: text('capacity_type', { enum: ['spot', 'on-demand'] }).notNull(),
    launchedAt: at('launched_at').notNull(),
    status: text('status', { enum: ['active', 'swap_planned', 'swapped', 'gone'] }).notNull().default('active'),
    swapPlanId: text('swap_plan_id'),
    swapRequestedAt: at('swap_requested_at'),
    swapNote: text('swap_note'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    clusterRef('spot_replacements', table),
    foreignKey({ name: 'spot_replacements_spot_event_id_fkey', columns: [table.spotEventId], foreignColumns: [spotEvents.id] }).onDelete('cascade'),
    unique('spot_replacements_cluster_instance_key').on(table.clusterId, table.instanceId),
    index('spot_replacements_status_launched_idx').on(table.status, table.launchedAt),
  ],
);

export const costSamples = pgTable(
  'cost_samples',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    customerId: uuid('customer_id').notNull(),
    clusterId: uuid('cluster_id').notNull(),
    at: at('at').notNull(),
    costPerHour: money('cost_per_hour').notNull(),
    baselinePerHour: money('baseline_per_hour').notNull(),
    spotNodes: integer('spot_nodes').notNull().default(0),
    onDemandNodes: integer('on_demand_nodes').notNull().default(0),
    unpricedNodes: integer('unpriced_nodes').notNull().default(0),
    createdAt: createdAt(),
  },
  (table) => [
    clusterRef('cost_samples', table),
    unique('cost_samples_cluster_at_key').on(table.clusterId, table.at),
    index('cost_samples_customer_at_idx').on(table.customerId, table.at),
  ],
);

export const notificationChannels = pgTable(
  'notification_channels',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    customerId: uuid('customer_id').notNull(),
    name: text('name').notNull(),
    kind: text('kind', { enum: ['slack', 'webhook', 'email'] }).notNull(),
    target: text('target').notNull(),
    secret: text('secret'),
    events: text('events').array().notNull().default(sql`'{}'`),
    enabled: boolean('enabled').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    customerRef('notification_channels', table.customerId).onDelete('cascade'),
    unique('notification_channels_customer_name_key').on(table.customerId, table.name),
    unique('notification_channels_customer_id_id_key').on(table.customerId, table.id),
  ],
);

export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    customerId: uuid('customer_id').notNull(),
    channelId: uuid('channel_id').notNull(),
    clusterId: uuid('cluster_id'),
    eventType: text('event_type', { enum: ['interruption_handled', 'plan_awaiting_approval', 'plan_failed', 'cluster_red', 'test'] }).notNull(),
    eventKey: text('event_key').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(8),
    nextAttemptAt: at('next_attempt_at').notNull(),
    lastError: text('last_error'),
    lastStatusCode: integer('last_status_code'),
    deliveredAt: at('delivered_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    foreignKey({ name: 'notification_deliveries_channel_fkey', columns: [table.customerId, table.channelId], foreignColumns: [notificationChannels.customerId, notificationChannels.id] }).onDelete('cascade'),
    foreignKey({ name: 'notification_deliveries_cluster_fkey', columns: [table.customerId, table.clusterId], foreignColumns: [clusters.customerId, clusters.id] }).onDelete('cascade'),
    unique('notification_deliveries_channel_event_key').on(table.channelId, table.eventKey),
    index('notification_deliveries_due_idx').on(table.status, table.nextAttemptAt),
    index('notification_deliveries_customer_created_idx').on(table.customerId, table.createdAt.desc()),
  ],
);

export const officeHoursWorkloads = pgTable(
  'office_hours_workloads',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    customerId: uuid('customer_id').notNull(),
    clusterId: uuid('cluster_id').notNull(),
    namespace: text('namespace').notNull(),
    kind: text('kind', { enum: ['Deployment', 'StatefulSet', 'ReplicaSet'] }).notNull(),
    name: text('name').notNull(),
    originalReplicas: integer('original_replicas').notNull(),
    state: text('state', { enum: ['scaling_down', 'down', 'restoring'] }).notNull().default('scaling_down'),
    windowKey: text('window_key').notNull(),
    taskId: text('task_id'),
    scaledDownAt: at('scaled_down_at').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    clusterRef('office_hours_workloads', table),
    unique('office_hours_workloads_workload_key').on(table.clusterId, table.namespace, table.kind, table.name),
  ],
);
