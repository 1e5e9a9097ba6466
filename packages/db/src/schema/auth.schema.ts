/**
 * Tables of migrations/0002_auth.sql (users, sessions, agent keys, audit log, cluster settings, worker leases) and
 * 0008_auth_hardening.sql (login failures).
 */
import { sql } from 'drizzle-orm';
import { foreignKey, index, integer, jsonb, pgTable, text, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { at, createdAt } from './columns.ts';
import { clusterRef, customerRef } from './refs.ts';

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ['operator', 'customer_admin', 'customer_viewer'] }).notNull(),
    customerId: uuid('customer_id'),
    createdAt: createdAt(),
    lastLoginAt: at('last_login_at'),
    disabledAt: at('disabled_at'),
  },
  (table) => [
    customerRef('users', table.customerId),
    uniqueIndex('users_email_key').on(sql`lower(${table.email})`),
    index('users_customer_idx').on(table.customerId, table.email).where(sql`${table.customerId} IS NOT NULL`),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdAt: createdAt(),
    expiresAt: at('expires_at').notNull(),
    revokedAt: at('revoked_at'),
    lastSeenAt: at('last_seen_at'),
  },
  (table) => [
    foreignKey({ name: 'sessions_user_id_fkey', columns: [table.userId], foreignColumns: [users.id] }).onDelete('cascade'),
    unique('sessions_token_hash_key').on(table.tokenHash),
    index('sessions_user_idx').on(table.userId),
  ],
);

export const agentKeys = pgTable(
  'agent_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    customerId: uuid('customer_id').notNull(),
    clusterId: uuid('cluster_id').notNull(),
    keyHash: text('key_hash').notNull(),
    prefix: text('prefix').notNull(),
    createdAt: createdAt(),
    revokedAt: at('revoked_at'),
    lastUsedAt: at('last_used_at'),
  },
  (table) => [
    clusterRef('agent_keys', table),
    unique('agent_keys_key_hash_key').on(table.keyHash),
    index('agent_keys_customer_cluster_idx').on(table.customerId, table.clusterId, table.createdAt.desc()),
  ],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    customerId: uuid('customer_id'),
    clusterId: uuid('cluster_id'),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    target: text('target'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    requestId: text('request_id'),
    createdAt: createdAt(),
  },
  (table) => [
    index('audit_log_customer_created_idx').on(table.customerId, table.createdAt.desc(), table.id.desc()),
    index('audit_log_created_idx').on(table.createdAt.desc(), table.id.desc()),
  ],
);

export const clusterSettings = pgTable(
  'cluster_settings',
  {
    clusterId: uuid('cluster_id').primaryKey(),
    customerId: uuid('customer_id').notNull(),
    settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
    version: integer('version').notNull().default(1),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (table) => [clusterRef('cluster_settings', table)],
);

export const workerLeases = pgTable('worker_leases', {
  name: text('name').primaryKey(),
  owner: text('owner').notNull(),
  expiresAt: at('expires_at').notNull(),
  acquiredAt: at('acquired_at').notNull(),
});

/** Failed sign-ins per bucket (a hashed e-mail or client IP) in the current window (0008_auth_hardening). */
export const loginFailures = pgTable(
  'login_failures',
  {
    bucket: text('bucket').primaryKey(),
    failures: integer('failures').notNull(),
    windowStartedAt: at('window_started_at').notNull(),
    lastFailureAt: at('last_failure_at').notNull(),
  },
  (table) => [index('login_failures_window_idx').on(table.windowStartedAt)],
);
