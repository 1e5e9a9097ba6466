/**
 * Tenant isolation, generated from the route table: every route central serves (Fastify's own table, so a route
 * added outside `routes.define` counts too) must be in ISOLATION below — with probes that call it as customer B
 * (its admin, or its agent key) against customer A's objects, or as an exemption with its reason. A new route
 * that is in neither fails this suite, and so does a route whose path names a customer-owned object without a
 * probe. Each probe asserts the designed answer (404 for another tenant's object, 403 where an agent names
 * another cluster or a role is missing, or an answer that holds nothing of A), that no id or secret of A appears
 * in the answer, and that none of A's rows changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorEnvelopeSchema } from '@cloudoptim/contracts';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { clusterEvent, clusterMetrics, heartbeat, taskResult } from '../client/agent-messages.test-support.ts';
import { RecordingMl } from '../optimizations/recording-ml.test-support.ts';
import { bearer, createTestCentral, type TestCentral } from '../testing/test-central.ts';
import { documentedRoutes, servedRoutes, type DocumentedRoute, type RouteKey, type ServedRoute } from './route-inventory.test-support.ts';
import { customerFingerprint, seedTenant, type SeededTenant } from './tenant-fixtures.test-support.ts';

type Tenants = { a: SeededTenant; b: SeededTenant; now: Date };

interface Probe {
  /** What the probe tries (shown in the test name). */
  what: string;
  /** Default: B's customer_admin. */
  as?: 'adminB' | 'agentB';
  url(t: Tenants): string;
  body?(t: Tenants): unknown;
  /** The designed answer: an error status, or `answer` (2xx holding nothing of A). */
  expect: 403 | 404 | 'answer';
}

type Exemption = 'public' | 'operator-only' | 'self-scoped' | 'global' | 'websocket';
type Entry = { probes: Probe[] } | { exempt: Exemption; reason: string; /** Served only in some setups (the admin UI build). */ conditional?: boolean };

/** Path parameters that name a customer's objects: a route with one needs probes. */
const OWNED_PARAMS = new Set(['customer_id', 'cluster_id', 'plan_id', 'task_id', 'channel_id', 'key_id', 'user_id', 'delivery_id']);
/** Path parameters that name shared objects (the ML server's model versions and gap-fill jobs). */
const SHARED_PARAMS = new Set(['version', 'id']);

const A_CLUSTER = '/api/v1/admin/clusters/:cluster_id';
const clusterUrl = (t: Tenants, rest = '') => `/api/v1/admin/clusters/${t.a.cluster.clusterId}${rest}`;
const opOnly = (reason = 'operators only (roles [operator]): a customer admin gets 403 before any object is looked up'): Entry => ({ exempt: 'operator-only', reason });

const ISOLATION: Record<RouteKey, Entry> = {
  'POST /api/v1/auth/login': { exempt: 'public', reason: 'signs in by e-mail and password; names no object (throttled, see login-throttle.int.test.ts)' },
  'POST /api/v1/auth/logout': { exempt: 'self-scoped', reason: 'ends the caller’s own session' },
  'GET /api/v1/auth/me': { exempt: 'self-scoped', reason: 'the caller’s own user' },
  'POST /api/v1/admin/customers': opOnly(),
  'GET /api/v1/admin/customers': opOnly(),
  'GET /api/v1/admin/customers/:customer_id': { probes: [{ what: 'A’s customer', url: (t) => `/api/v1/admin/customers/${t.a.customerId}`, expect: 404 }] },
  'POST /api/v1/admin/customers/:customer_id/users': {
    probes: [{ what: 'a user in A', url: (t) => `/api/v1/admin/customers/${t.a.customerId}/users`, body: () => ({ email: 'intruder@b.example', password: 'a long enough password', role: 'customer_admin' }), expect: 404 }],
  },
  'GET /api/v1/admin/customers/:customer_id/users': { probes: [{ what: 'A’s users', url: (t) => `/api/v1/admin/customers/${t.a.customerId}/users`, expect: 404 }] },
  'POST /api/v1/admin/clusters': {
    probes: [{ what: 'a cluster for A', url: () => '/api/v1/admin/clusters', body: (t) => ({ cluster_name: 'planted', region: 'us-east-1', customer_id: t.a.customerId }), expect: 404 }],
  },
  'GET /api/v1/admin/clusters': {
    probes: [
      { what: 'the list', url: () => '/api/v1/admin/clusters', expect: 'answer' },
      { what: 'A’s clusters by customer_id', url: (t) => `/api/v1/admin/clusters?customer_id=${t.a.customerId}`, expect: 'answer' },
    ],
  },
  [`GET ${A_CLUSTER}`]: { probes: [{ what: 'A’s cluster', url: (t) => clusterUrl(t), expect: 404 }] },
  [`DELETE ${A_CLUSTER}`]: { probes: [{ what: 'A’s cluster', url: (t) => clusterUrl(t), expect: 404 }] },
  [`GET ${A_CLUSTER}/agent-keys`]: { probes: [{ what: 'A’s agent keys', url: (t) => clusterUrl(t, '/agent-keys'), expect: 404 }] },
  [`POST ${A_CLUSTER}/agent-keys/rotate`]: { probes: [{ what: 'A’s agent key', url: (t) => clusterUrl(t, '/agent-keys/rotate'), body: () => ({}), expect: 404 }] },
  [`POST ${A_CLUSTER}/agent-keys/:key_id/revoke`]: {
    probes: [
      { what: 'A’s key on A’s cluster', url: (t) => clusterUrl(t, `/agent-keys/${t.a.cluster.keyId}/revoke`), expect: 404 },
      { what: 'A’s key through B’s cluster', url: (t) => `/api/v1/admin/clusters/${t.b.cluster.clusterId}/agent-keys/${t.a.cluster.keyId}/revoke`, expect: 404 },
    ],
  },
  [`GET ${A_CLUSTER}/settings`]: { probes: [{ what: 'A’s settings', url: (t) => clusterUrl(t, '/settings'), expect: 404 }] },
  [`PATCH ${A_CLUSTER}/settings`]: { probes: [{ what: 'A’s settings', url: (t) => clusterUrl(t, '/settings'), body: () => ({ automation_mode: 'automate' }), expect: 404 }] },
  'GET /api/v1/admin/audit': {
    probes: [
      { what: 'the trail', url: () => '/api/v1/admin/audit', expect: 'answer' },
      { what: 'A’s trail by customer_id', url: (t) => `/api/v1/admin/audit?customer_id=${t.a.customerId}`, expect: 'answer' },
      { what: 'A’s cluster’s trail', url: (t) => `/api/v1/admin/audit?cluster_id=${t.a.cluster.clusterId}`, expect: 'answer' },
    ],
  },
  'POST /api/v1/admin/optimization/trigger': {
    probes: [{ what: 'a plan for A’s cluster', url: () => '/api/v1/admin/optimization/trigger', body: (t) => ({ cluster_id: t.a.cluster.clusterId, optimization_type: 'spot_optimize' }), expect: 404 }],
  },
  'GET /api/v1/admin/optimizations': {
    probes: [
      { what: 'the history', url: () => '/api/v1/admin/optimizations', expect: 'answer' },
      { what: 'A’s cluster’s history', url: (t) => `/api/v1/admin/optimizations?cluster_id=${t.a.cluster.clusterId}`, expect: 'answer' },
    ],
  },
  'GET /api/v1/admin/optimizations/:plan_id': { probes: [{ what: 'A’s plan', url: (t) => `/api/v1/admin/optimizations/${t.a.planId}`, expect: 404 }] },
  'POST /api/v1/admin/optimizations/:plan_id/approve': { probes: [{ what: 'A’s plan', url: (t) => `/api/v1/admin/optimizations/${t.a.planId}/approve`, expect: 404 }] },
  'POST /api/v1/admin/optimizations/:plan_id/reject': { probes: [{ what: 'A’s plan', url: (t) => `/api/v1/admin/optimizations/${t.a.planId}/reject`, body: () => ({ reason: 'mine now' }), expect: 404 }] },
  'GET /api/v1/client/tasks': { probes: [{ what: 'a poll (A’s tasks must not be leased)', as: 'agentB', url: () => '/api/v1/client/tasks', expect: 'answer' }] },
  'POST /api/v1/client/tasks/:task_id/result': {
    probes: [
      { what: 'a result for A’s task', as: 'agentB', url: (t) => `/api/v1/client/tasks/${t.a.taskId}/result`, body: (t) => taskResult(t.a.taskId, { attempt: 1 }), expect: 404 },
      { what: 'a result naming A’s cluster', as: 'agentB', url: (t) => `/api/v1/client/tasks/${t.a.taskId}/result`, body: (t) => ({ ...taskResult(t.a.taskId, { attempt: 1 }), cluster_id: t.a.cluster.clusterId }), expect: 403 },
    ],
  },
  'POST /api/v1/client/metrics': { probes: [{ what: 'metrics for A’s cluster', as: 'agentB', url: () => '/api/v1/client/metrics', body: (t) => clusterMetrics(t.a.cluster.clusterId, t.now, []), expect: 403 }] },
  'POST /api/v1/client/events': { probes: [{ what: 'events for A’s cluster', as: 'agentB', url: () => '/api/v1/client/events', body: (t) => ({ events: [clusterEvent(t.a.cluster.clusterId, 'planted-1', t.now)] }), expect: 403 }] },
  'POST /api/v1/client/heartbeat': {
    probes: [
      { what: 'a heartbeat for A’s cluster', as: 'agentB', url: () => '/api/v1/client/heartbeat', body: (t) => heartbeat(t.a.cluster.clusterId, t.now), expect: 403 },
      { what: 'A’s task reported running', as: 'agentB', url: () => '/api/v1/client/heartbeat', body: (t) => heartbeat(t.b.cluster.clusterId, t.now, { running_task_ids: [t.a.taskId] }), expect: 'answer' },
    ],
  },
  'GET /api/v1/client/stream': { exempt: 'websocket', reason: 'carries the key’s own cluster only (subscribeAgent(principal.clusterId)); agent_hello naming another cluster closes it (client-stream.int.test.ts)' },
  [`GET ${A_CLUSTER}/state`]: { probes: [{ what: 'A’s state', url: (t) => clusterUrl(t, '/state'), expect: 404 }] },
  [`GET ${A_CLUSTER}/nodes`]: { probes: [{ what: 'A’s nodes', url: (t) => clusterUrl(t, '/nodes'), expect: 404 }] },
  [`GET ${A_CLUSTER}/pods`]: { probes: [{ what: 'A’s pods', url: (t) => clusterUrl(t, '/pods'), expect: 404 }] },
  [`GET ${A_CLUSTER}/events`]: { probes: [{ what: 'A’s events', url: (t) => clusterUrl(t, '/events'), expect: 404 }] },
  [`GET ${A_CLUSTER}/tasks`]: { probes: [{ what: 'A’s tasks', url: (t) => clusterUrl(t, '/tasks'), expect: 404 }] },
  [`GET ${A_CLUSTER}/tasks/:task_id`]: {
    probes: [
      { what: 'A’s task', url: (t) => clusterUrl(t, `/tasks/${t.a.taskId}`), expect: 404 },
      { what: 'A’s task through B’s cluster', url: (t) => `/api/v1/admin/clusters/${t.b.cluster.clusterId}/tasks/${t.a.taskId}`, expect: 404 },
    ],
  },
  [`POST ${A_CLUSTER}/tasks/:task_id/cancel`]: {
    probes: [
      { what: 'A’s task', url: (t) => clusterUrl(t, `/tasks/${t.a.taskId}/cancel`), body: () => ({}), expect: 404 },
      { what: 'A’s task through B’s cluster', url: (t) => `/api/v1/admin/clusters/${t.b.cluster.clusterId}/tasks/${t.a.taskId}/cancel`, body: () => ({}), expect: 404 },
    ],
  },
  'GET /api/v1/admin/spot-events': {
    probes: [
      { what: 'the list', url: () => '/api/v1/admin/spot-events', expect: 'answer' },
      { what: 'A’s cluster’s events', url: (t) => `/api/v1/admin/spot-events?cluster_id=${t.a.cluster.clusterId}`, expect: 404 },
    ],
  },
  'GET /api/v1/admin/savings': {
    probes: [
      { what: 'the overview', url: () => '/api/v1/admin/savings', expect: 'answer' },
      { what: 'A’s cluster’s savings', url: (t) => `/api/v1/admin/savings?cluster_id=${t.a.cluster.clusterId}`, expect: 404 },
    ],
  },
  [`GET ${A_CLUSTER}/cost-allocation`]: { probes: [{ what: 'A’s cost allocation', url: (t) => clusterUrl(t, '/cost-allocation'), expect: 404 }] },
  [`POST ${A_CLUSTER}/cost-samples`]: { probes: [{ what: 'a cost sample of A’s cluster', url: (t) => clusterUrl(t, '/cost-samples'), expect: 404 }] },
  'POST /api/v1/admin/notifications/channels': {
    probes: [{ what: 'a channel for A', url: () => '/api/v1/admin/notifications/channels', body: (t) => ({ customer_id: t.a.customerId, name: 'planted', kind: 'slack', target: 'https://hooks.example.com/planted' }), expect: 404 }],
  },
  'GET /api/v1/admin/notifications/channels': {
    probes: [
      { what: 'the list', url: () => '/api/v1/admin/notifications/channels', expect: 'answer' },
      { what: 'A’s channels by customer_id', url: (t) => `/api/v1/admin/notifications/channels?customer_id=${t.a.customerId}`, expect: 404 },
    ],
  },
  'GET /api/v1/admin/notifications/channels/:channel_id': { probes: [{ what: 'A’s channel', url: (t) => `/api/v1/admin/notifications/channels/${t.a.channelId}`, expect: 404 }] },
  'PATCH /api/v1/admin/notifications/channels/:channel_id': {
    probes: [{ what: 'A’s channel', url: (t) => `/api/v1/admin/notifications/channels/${t.a.channelId}`, body: () => ({ target: 'https://hooks.example.com/stolen', rotate_secret: true }), expect: 404 }],
  },
  'DELETE /api/v1/admin/notifications/channels/:channel_id': { probes: [{ what: 'A’s channel', url: (t) => `/api/v1/admin/notifications/channels/${t.a.channelId}`, expect: 404 }] },
  'POST /api/v1/admin/notifications/channels/:channel_id/test': { probes: [{ what: 'A’s channel', url: (t) => `/api/v1/admin/notifications/channels/${t.a.channelId}/test`, expect: 404 }] },
  'GET /api/v1/admin/notifications/deliveries': {
    probes: [
      { what: 'the outbox', url: () => '/api/v1/admin/notifications/deliveries', expect: 'answer' },
      { what: 'A’s channel’s deliveries', url: (t) => `/api/v1/admin/notifications/deliveries?channel_id=${t.a.channelId}`, expect: 404 },
    ],
  },
  'GET /api/v1/admin/stream': { exempt: 'websocket', reason: 'subscribes with the session’s customer scope (customerScope(user)); another customer’s events are never delivered (admin-stream.int.test.ts)' },
  'GET /api/v1/admin/ml/models': { exempt: 'global', reason: 'the model registry serves every customer; no customer data' },
  'POST /api/v1/admin/ml/models': opOnly(),
  'POST /api/v1/admin/ml/models/rollback': opOnly(),
  'POST /api/v1/admin/ml/models/:version/activate': opOnly(),
  'POST /api/v1/admin/ml/models/:version/evaluate': opOnly(),
  'DELETE /api/v1/admin/ml/models/:version': opOnly(),
  'POST /api/v1/admin/ml/predict/spot-interruption': { exempt: 'global', reason: 'a prediction from public market data; no customer data in or out' },
  'POST /api/v1/admin/ml/data/gap-analysis': { exempt: 'global', reason: 'gaps of the shared Spot price history; no customer data' },
  'POST /api/v1/admin/ml/data/fill-gaps': opOnly(),
  'GET /api/v1/admin/ml/data/jobs': { exempt: 'global', reason: 'gap-fill jobs of the shared price history (started by operators)' },
  'GET /api/v1/admin/ml/data/jobs/:id': { exempt: 'global', reason: 'one shared gap-fill job' },
  'GET /api/v1/admin/backtest/coverage': { exempt: 'global', reason: 'what the shared price history covers' },
  'POST /api/v1/admin/backtest': {
    probes: [{ what: 'a backtest of A’s cluster', url: () => '/api/v1/admin/backtest', body: (t) => ({ cluster_id: t.a.cluster.clusterId, region: 'us-east-1', from: '2024-01-01', to: '2024-01-08' }), expect: 404 }],
  },
  'GET /api/v1/openapi.json': { exempt: 'public', reason: 'the API description, built from the route schemas' },
  'GET /healthz': { exempt: 'public', reason: 'liveness' },
  'GET /readyz': { exempt: 'public', reason: 'readiness' },
  'GET /metrics': { exempt: 'public', reason: 'Prometheus metrics, for the scraper: open unless METRICS_TOKEN is set (then it needs the token, tested below); names clusters and their cost, never customers, users or secrets' },
  'OPTIONS *': { exempt: 'public', reason: 'CORS preflight (@fastify/cors)' },
  'GET *': { exempt: 'public', reason: 'the admin UI’s static files (`/*`, index.html for other paths) when a build is there; /api paths keep the JSON 404', conditional: true },
};

const isProbed = (entry: Entry | undefined): entry is { probes: Probe[] } => entry !== undefined && 'probes' in entry;

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('tenant isolation, route by route, on $name', (target) => {
  let central: TestCentral;
  let tenants: Tenants;
  let served: ServedRoute[];
  let documented: Map<RouteKey, DocumentedRoute>;

  beforeAll(async () => {
    central = await createTestCentral({ target, overrides: { ml: new RecordingMl() }, config: { RATE_LIMIT_PER_MINUTE: 100_000 } });
    const a = await seedTenant(central, 'Acme');
    const b = await seedTenant(central, 'Bravo');
    tenants = { a, b, now: new Date(central.clock.now()) };
    served = servedRoutes(central.app);
    documented = new Map((await documentedRoutes(central.app)).map((r) => [r.key, r]));
  }, 60_000);
  afterAll(() => central?.close());

  it('has an isolation probe or a stated exemption for every route central serves', () => {
    expect(served.length).toBeGreaterThan(50);
    const unclassified = served.map((r) => r.key).filter((key) => ISOLATION[key] === undefined);
    expect(unclassified, 'routes without an entry in ISOLATION (add probes as another tenant, or an exemption with its reason)').toEqual([]);
    const servedKeys = new Set(served.map((r) => r.key));
    const stale = Object.entries(ISOLATION).filter(([key, entry]) => !servedKeys.has(key) && !('conditional' in entry && entry.conditional)).map(([key]) => key);
    expect(stale, 'entries of ISOLATION for routes central no longer serves').toEqual([]);
  });

  it('probes every route whose path names a customer’s object, and knows every path parameter', () => {
    const unknown = [...documented.values()].flatMap((r) => r.pathParams.filter((p) => !OWNED_PARAMS.has(p) && !SHARED_PARAMS.has(p)).map((p) => `${r.key}: :${p}`));
    expect(unknown, 'path parameters not classified as customer-owned or shared').toEqual([]);
    const unprobed = [...documented.values()].filter((r) => r.pathParams.some((p) => OWNED_PARAMS.has(p)) && !isProbed(ISOLATION[r.key])).map((r) => r.key);
    expect(unprobed).toEqual([]);
  });

  it('states exemptions that hold: public routes take no credentials, operator-only routes answer 403 to a customer admin', async () => {
    for (const [key, entry] of Object.entries(ISOLATION)) {
      if (isProbed(entry)) continue;
      const doc = documented.get(key);
      if (entry.exempt === 'public') expect(doc === undefined || doc.auth === 'public', key).toBe(true);
      if (entry.exempt === 'websocket') expect(doc?.websocket, key).toBe(true);
      if (entry.exempt === 'self-scoped' || entry.exempt === 'global') expect(doc?.auth, key).toBe('user');
      if (entry.exempt !== 'operator-only') continue;
      expect(doc?.roles, key).toEqual(['operator']);
      const [method, path] = key.split(' ') as [string, string];
      const url = path.replace(/:[a-z_]+/g, '1.0.0');
      const res = await central.app.inject({ method: method as 'GET', url, headers: bearer(tenants.b.admin.token), ...(method !== 'GET' && method !== 'DELETE' && { payload: {} }) });
      expect({ key, status: res.statusCode }).toEqual({ key, status: 403 });
    }
  });

  it('names no customer, user or secret on /metrics', async () => {
    const res = await central.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    for (const t of [tenants.a, tenants.b]) for (const m of [t.customerId, t.name, t.admin.email, t.admin.userId, ...t.secrets]) expect(res.body).not.toContain(m);
  });

  const probes = Object.entries(ISOLATION).flatMap(([key, entry]) => (isProbed(entry) ? entry.probes.map((probe) => ({ key, probe })) : []));

  it.each(probes.map(({ key, probe }) => [`${key} as B: ${probe.what}`, key, probe] as const))('%s', async (_name, key, probe) => {
    const { a, b } = tenants;
    const before = await customerFingerprint(central.db, a.customerId);
    const [method] = key.split(' ') as ['GET' | 'POST' | 'PATCH' | 'DELETE'];
    const url = probe.url(tenants);
    const body = probe.body?.(tenants);
    const token = probe.as === 'agentB' ? b.cluster.apiKey : b.admin.token;
    const res = await central.app.inject({ method, url, headers: bearer(token), ...(body !== undefined && { payload: body as Record<string, unknown> }) });

    if (probe.expect === 'answer') {
      expect({ status: res.statusCode, body: res.body.slice(0, 300) }).toMatchObject({ status: expect.any(Number) });
      expect(res.statusCode, res.body.slice(0, 300)).toBeLessThan(300);
    } else {
      expect({ status: res.statusCode, body: res.body.slice(0, 300) }).toMatchObject({ status: probe.expect });
      ErrorEnvelopeSchema.parse(res.json());
    }
    // Nothing of A in the answer, beyond what the request itself named.
    const asked = `${url} ${JSON.stringify(body ?? '')}`;
    const markers = [a.customerId, a.cluster.clusterId, a.cluster.keyId, a.planId, a.taskId, a.channelId, a.deliveryId, a.spotEventId, a.admin.userId, a.viewer.userId, a.admin.email, a.viewer.email, a.name, ...a.secrets];
    const leaked = markers.filter((m) => !asked.includes(m) && res.body.includes(m));
    expect(leaked, `${key} leaks A's data to B`).toEqual([]);
    expect(await customerFingerprint(central.db, a.customerId)).toEqual(before);
  });
});
