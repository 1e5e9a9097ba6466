/**
 * A tenant with something in every customer-owned table a route can reach — a cluster with its agent key,
 * metrics (nodes, pods), events, a heartbeat, settings with AWS access, a task, a plan, a webhook channel with a
 * delivery, a cost sample and a Spot event — written through the routes as its admin and agent would (a few
 * rows that only workers write go through their repositories). For the suites that probe tenancy, fuzz the
 * routes and look for leaked secrets. Also: a fingerprint of one customer's rows, and row counts of every table.
 */
import { SpotEventsRepository, type Database } from '@cloudoptim/db';
import { externalIdFor } from '../cloud/external-id.ts';
import { clusterEvent, clusterMetrics, heartbeat, nodeMetric, podMetric } from '../client/agent-messages.test-support.ts';
import { bearer, type TestCentral, type TestCluster, type TestCustomer } from '../testing/test-central.ts';

export interface SeededTenant extends TestCustomer {
  name: string;
  cluster: TestCluster;
  planId: string;
  taskId: string;
  channelId: string;
  /** The webhook channel's signing secret (shown once at creation). */
  channelSecret: string;
  deliveryId: string;
  spotEventId: string;
  /** The AWS external id CloudOptim issued to this customer (shown in its cluster settings, never settable). */
  externalId: string;
  /** Values that must never appear in an answer to anyone outside this tenant. */
  secrets: string[];
}

async function ok<T = Record<string, unknown>>(central: TestCentral, method: 'GET' | 'POST' | 'PATCH', url: string, token: string, payload?: unknown): Promise<T> {
  const res = await central.app.inject({ method, url, headers: bearer(token), ...(payload !== undefined && { payload: payload as Record<string, unknown> }) });
  if (res.statusCode >= 300) throw new Error(`seeding: ${method} ${url} answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
  return res.json() as T;
}

/**
 * Seeds a tenant. The central must have been built with an ML gateway that answers decisions (e.g. RecordingMl)
 * and, for the webhook channel, may keep the default (public targets only): the channel points at a public name.
 */
export async function seedTenant(central: TestCentral, name: string): Promise<SeededTenant> {
  const customer = await central.createCustomer(name);
  const cluster = await central.registerCluster(customer.customerId, `${name.toLowerCase()}-prod`);
  const now = new Date(central.clock.now());
  const { clusterId, apiKey } = cluster;
  const slug = name.toLowerCase();

  await ok(central, 'POST', '/api/v1/client/metrics', apiKey, clusterMetrics(clusterId, now, [nodeMetric(`${slug}-node-a`), nodeMetric(`${slug}-node-b`, { node_type: 'on-demand' })], [podMetric(`${slug}-web-1`, { node_name: `${slug}-node-a` })]));
  await ok(central, 'POST', '/api/v1/client/events', apiKey, { events: [clusterEvent(clusterId, `${slug}-ev-1`, now)] });
  await ok(central, 'POST', '/api/v1/client/heartbeat', apiKey, heartbeat(clusterId, now));
  const externalId = externalIdFor(customer.customerId);
  await ok(central, 'PATCH', `/api/v1/admin/clusters/${clusterId}/settings`, customer.admin.token, { rebalance_policy: 'cordon', aws_role_arn: 'arn:aws:iam::123456789012:role/cloudoptim' });

  const task = await central.ctx.tasks.enqueue({
    customerId: customer.customerId,
    clusterId,
    taskType: 'cordon_node',
    parameters: { node_name: `${slug}-node-a`, instance_id: null, reason: 'fixture' },
    deadline: new Date(central.clock.now() + 3600_000),
    createdBy: `user:${customer.admin.email}`,
    idempotencyKey: `fixture-${slug}`,
  });
  const plan = await ok<{ plan_id: string }>(central, 'POST', '/api/v1/admin/optimization/trigger', customer.admin.token, { cluster_id: clusterId, optimization_type: 'spot_optimize' });
  const channel = await ok<{ id: string; secret: string }>(central, 'POST', '/api/v1/admin/notifications/channels', customer.admin.token, { name: `${slug}-ops`, kind: 'webhook', target: `https://hooks.example.com/${slug}/secret-path` });
  const delivery = await ok<{ id: string }>(central, 'POST', `/api/v1/admin/notifications/channels/${channel.id}/test`, customer.admin.token);
  await ok(central, 'POST', `/api/v1/admin/clusters/${clusterId}/cost-samples`, customer.admin.token);
  const spot = await new SpotEventsRepository(central.db.db).record(customer.customerId, { eventId: `${slug}-spot-1`, eventType: 'interruption_warning', instanceId: 'i-0aaaaaaaaaaaaaaa1', region: 'us-east-1', receivedAt: now, clusterId, nodeName: `${slug}-node-a`, actionTaken: 'none' });

  return {
    ...customer,
    name,
    cluster,
    planId: plan.plan_id,
    taskId: task.task.task_id,
    channelId: channel.id,
    channelSecret: channel.secret,
    deliveryId: delivery.id,
    spotEventId: spot.event.id,
    externalId,
    secrets: [apiKey, customer.admin.token, customer.viewer.token, channel.secret, externalId, `https://hooks.example.com/${slug}/secret-path`],
  };
}

/** Tables with a customer_id column (every customer-owned table). */
async function customerTables(db: Database): Promise<string[]> {
  const rows = await db.query<{ table_name: string }>(`SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'customer_id' ORDER BY table_name`);
  return rows.map((r) => r.table_name);
}

const fingerprintSql = new WeakMap<Database, string>();

/**
 * A digest per table of every row of one customer (customer-owned tables, the customer row, its users'
 * sessions), in one statement: equal fingerprints mean nothing of the customer's changed.
 */
export async function customerFingerprint(db: Database, customerId: string): Promise<Record<string, string>> {
  let sql = fingerprintSql.get(db);
  if (sql === undefined) {
    const digest = (name: string, from: string, where: string) => `SELECT '${name}' AS name, count(*)::int AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS d FROM ${from} WHERE ${where}`;
    sql = [
      ...(await customerTables(db)).map((table) => digest(table, `${table} t`, 't.customer_id = $1')),
      digest('customers', 'customers t', 't.id = $1'),
      digest('sessions', 'sessions t JOIN users u ON u.id = t.user_id', 'u.customer_id = $1'),
    ].join('\nUNION ALL\n');
    fingerprintSql.set(db, sql);
  }
  const rows = await db.query<{ name: string; n: number; d: string | null }>(sql, [customerId]);
  return Object.fromEntries(rows.map((r) => [r.name, `${r.n}:${r.d ?? ''}`]));
}

/** Row counts of every table of the schema (but the migrations' own). */
export async function tableCounts(db: Database, except: readonly string[] = []): Promise<Record<string, number>> {
  const tables = await db.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations' ORDER BY table_name`);
  const out: Record<string, number> = {};
  for (const { table_name: table } of tables) {
    if (except.includes(table)) continue;
    const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    out[table] = row?.n ?? 0;
  }
  return out;
}
