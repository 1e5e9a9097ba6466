/** Tables of the plans migration (migrations/0004_plans.sql): plans, plan_steps, savings_ledger. */
import { sql } from 'drizzle-orm';
import { boolean, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, unique, uuid } from 'drizzle-orm/pg-core';
import { at, createdAt, money, updatedAt } from './columns.ts';
import { clusterRef } from './refs.ts';

export const PLAN_STATUSES = ['proposed', 'approved', 'rejected', 'running', 'succeeded', 'failed', 'rolled_back', 'cancelled'] as const;
export const PLAN_TRIGGERS = ['user', 'schedule', 'pending_pods', 'consolidator', 'spot_handler'] as const;
export const PLAN_OUTCOMES = ['planned', 'nothing_to_do', 'infeasible'] as const;
export const PLAN_STEP_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'skipped', 'rolled_back'] as const;

/** An optimization plan: the DecisionRequest/Response and its life. Savings are USD per month. */
export const plans = pgTable(
  'plans',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    customerId: uuid('customer_id').notNull(),
    clusterId: uuid('cluster_id').notNull(),
    decisionType: text('decision_type', { enum: ['spot_optimize', 'bin_pack', 'rightsize', 'schedule'] }).notNull(),
    status: text('status', { enum: PLAN_STATUSES }).notNull().default('proposed'),
    trigger: text('trigger', { enum: PLAN_TRIGGERS }).notNull(),
    dryRun: boolean('dry_run').notNull().default(false),
    outcome: text('outcome', { enum: PLAN_OUTCOMES }).notNull().default('planned'),
    request: jsonb('request').$type<Record<string, unknown>>().notNull(),
    response: jsonb('response').$type<Record<string, unknown>>().notNull(),
    estimatedSavingsMonthly: money('estimated_savings_monthly').notNull().default(0),
    actualSavingsMonthly: money('actual_savings_monthly'),
    createdBy: text('created_by').notNull(),
    approvedBy: text('approved_by'),
    createdAt: createdAt(),
    approvedAt: at('approved_at'),
    startedAt: at('started_at'),
    finishedAt: at('finished_at'),
    error: text('error'),
    updatedAt: updatedAt(),
  },
  (table) => [
    clusterRef('plans', table),
    unique('plans_customer_id_id_key').on(table.customerId, table.id),
    index('plans_customer_created_idx').on(table.customerId, table.createdAt.desc()),
    index('plans_cluster_created_idx').on(table.clusterId, table.createdAt.desc()),
    index('plans_active_idx').on(table.status, table.createdAt).where(sql`${table.status} IN ('approved', 'running')`),
  ],
);

/** One step of a plan as the executor runs it; keyed (plan_id, step). */
export const planSteps = pgTable(
  'plan_steps',
  {
    customerId: uuid('customer_id').notNull(),
    planId: uuid('plan_id').notNull(),
    step: integer('step').notNull(),
    action: text('action').notNull(),
    description: text('description'),
    dependsOn: jsonb('depends_on').$type<number[]>().notNull().default([]),
    notBefore: at('not_before'),
    parameters: jsonb('parameters').$type<Record<string, unknown>>().notNull().default({}),
    status: text('status', { enum: PLAN_STEP_STATUSES }).notNull().default('pending'),
    attempt: integer('attempt').notNull().default(0),
    startedAt: at('started_at'),
    finishedAt: at('finished_at'),
    outcome: jsonb('outcome').$type<Record<string, unknown>>(),
    error: text('error'),
    updatedAt: updatedAt(),
  },
  (table) => [
    primaryKey({ name: 'plan_steps_pkey', columns: [table.planId, table.step] }),
    foreignKey({ name: 'plan_steps_plan_fkey', columns: [table.customerId, table.planId], foreignColumns: [plans.customerId, plans.id] }).onDelete('cascade'),
  ],
);

/** Predicted vs measured savings of a plan (USD per month), one row per measurement. */
export const savingsLedger = pgTable(
  'savings_ledger',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    planId: uuid('plan_id').notNull(),
    customerId: uuid('customer_id').notNull(),
    clusterId: uuid('cluster_id').notNull(),
    predictedMonthly: money('predicted_monthly').notNull(),
    actualMonthly: money('actual_monthly').notNull(),
    measuredAt: at('measured_at').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (table) => [
    foreignKey({ name: 'savings_ledger_plan_fkey', columns: [table.customerId, table.planId], foreignColumns: [plans.customerId, plans.id] }).onDelete('cascade'),
    clusterRef('savings_ledger', table),
    index('savings_ledger_plan_measured_idx').on(table.planId, table.measuredAt.desc()),
    index('savings_ledger_customer_measured_idx').on(table.customerId, table.clusterId, table.measuredAt.desc()),
  ],
);
