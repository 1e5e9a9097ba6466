/**
 * Agent keys (and session tokens) as secrets, with central's real JSON logger captured at trace level: the key
 * appears in the registration and rotation answers and nowhere else — not in any GET answer of any route (the
 * route table is walked with real ids), not in the audit trail, not on /metrics, not in a single log line, even
 * when a client puts it where it does not belong (a query string, a cookie, a body field) — and the database
 * keeps only its SHA-256. Also /metrics behind METRICS_TOKEN (compared in constant time).
 */
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STREAM_EVENT_VERSION } from '@cloudoptim/contracts';
import { CustomersRepository, UsersRepository, type Database } from '@cloudoptim/db';
import { createScratchDatabase, testDatabaseTargets, type ScratchDatabase } from '@cloudoptim/db/testing';
import { loadMarket } from '@cloudoptim/market';
import { createLogger, ManualClock } from '@cloudoptim/runtime';
import { buildApp } from '../app.ts';
import { hashPassword } from '../auth/passwords.ts';
import { clusterEvent, clusterMetrics, heartbeat, nodeMetric, taskResult } from '../client/agent-messages.test-support.ts';
import { defaultCentralConfig } from '../config.ts';
import type { CentralContext } from '../context.ts';
import { RecordingMl } from '../optimizations/recording-ml.test-support.ts';
import { createCentralContext } from '../services.ts';
import { bearer } from '../testing/test-central.ts';
import { documentedRoutes, fillPath } from './route-inventory.test-support.ts';

const PASSWORD = 'a passphrase long enough';
const METRICS_TOKEN = 'scrape-token-0123456789';
const TOKEN = /co[as]_[A-Za-z0-9_-]{43}/;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('agent keys and session tokens stay secret on $name', (target) => {
  const lines: string[] = [];
  let scratch: ScratchDatabase;
  let db: Database;
  let ctx: CentralContext;
  let app: FastifyInstance;
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 12));
  let operatorToken: string;
  let adminToken: string;
  let customerId: string;
  /** Every secret handed out: keys, session tokens. */
  const secrets: string[] = [];
  const issued: { clusterId: string; first: string; keyId: string; rotated: string; rotatedKeyId: string } = { clusterId: '', first: '', keyId: '', rotated: '', rotatedKeyId: '' };

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, headers: Record<string, string> = {}, payload?: unknown) =>
    app.inject({ method, url, headers, ...(payload !== undefined && { payload: payload as Record<string, unknown> }) });
  const login = async (email: string) => {
    const res = await call('POST', '/api/v1/auth/login', {}, { email, password: PASSWORD });
    expect(res.statusCode).toBe(200);
    return res.json().token as string;
  };

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const log = createLogger({ name: 'central', level: 'trace', destination });
    scratch = await createScratchDatabase(target);
    db = await scratch.open({ log });
    ctx = await createCentralContext({ db, clock, log, market: loadMarket(), config: defaultCentralConfig({ CLOUDOPTIM_WORKERS: 'off', RATE_LIMIT_PER_MINUTE: 100_000, METRICS_TOKEN }) }, { ml: new RecordingMl() });
    app = await buildApp(ctx);

    const users = new UsersRepository(db.db);
    const passwordHash = await hashPassword(PASSWORD);
    customerId = (await new CustomersRepository(db.db).create({ name: 'Acme' })).id;
    await users.create({ email: 'ops@example.test', passwordHash, role: 'operator', customerId: null, createdAt: new Date(clock.now()) });
    await users.create({ email: 'admin@acme.example', passwordHash, role: 'customer_admin', customerId, createdAt: new Date(clock.now()) });
    operatorToken = await login('ops@example.test');
    adminToken = await login('admin@acme.example');
    secrets.push(operatorToken, adminToken);

    // Registration and rotation: the only two answers that hold a key.
    const registered = await call('POST', '/api/v1/admin/clusters', bearer(adminToken), { cluster_name: 'prod', region: 'us-east-1' });
    expect(registered.statusCode).toBe(201);
    issued.clusterId = registered.json().cluster_id;
    issued.first = registered.json().api_key;
    issued.keyId = registered.json().key.key_id;
    expect(issued.first).toMatch(TOKEN);
    expect(registered.json().install_command).toContain(issued.first);
    const rotated = await call('POST', `/api/v1/admin/clusters/${issued.clusterId}/agent-keys/rotate`, bearer(adminToken), { grace_seconds: 60 });
    expect(rotated.statusCode).toBe(201);
    issued.rotated = rotated.json().api_key;
    issued.rotatedKeyId = rotated.json().key.key_id;
    secrets.push(issued.first, issued.rotated);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await ctx?.realtime.close();
    await db?.close();
    await scratch?.dispose();
  });

  it('lets the agent work with its key, old and new, while the grace period lasts — and logs none of it', async () => {
    const { clusterId, first, rotated } = issued;
    const now = () => new Date(clock.now());
    for (const key of [first, rotated]) {
      expect((await call('POST', '/api/v1/client/heartbeat', bearer(key), heartbeat(clusterId, now()))).statusCode).toBe(200);
      expect((await call('GET', '/api/v1/client/tasks', bearer(key))).statusCode).toBe(200);
    }
    expect((await call('POST', '/api/v1/client/metrics', bearer(rotated), clusterMetrics(clusterId, now(), [nodeMetric('node-a')]))).statusCode).toBe(200);
    expect((await call('POST', '/api/v1/client/events', bearer(rotated), { events: [clusterEvent(clusterId, 'ev-1', now())] })).statusCode).toBe(200);
    expect((await call('POST', '/api/v1/client/tasks/00000000-0000-4000-8000-000000000000/result', bearer(rotated), taskResult('00000000-0000-4000-8000-000000000000', { attempt: 1 }))).statusCode).toBe(404);

    // The stream: connect, hello (with the key as a bogus agent id), a bad frame; and a refused upgrade.
    const socket = await app.injectWS('/api/v1/client/stream', { headers: bearer(rotated) });
    const answered = new Promise((resolve) => socket.once('message', resolve));
    socket.send(JSON.stringify({ type: 'agent_hello', v: STREAM_EVENT_VERSION, id: 'hello-1', sent_at: now().toISOString(), cluster_id: clusterId, agent_id: rotated, agent_version: '0.1.0', last_event_id: null }));
    socket.send(`not json ${rotated}`);
    await answered;
    socket.terminate();
    await app.injectWS('/api/v1/client/stream', { headers: bearer(`coa_${'x'.repeat(43)}`) }).then(
      (ws) => ws.terminate(),
      () => undefined,
    );

    // After the grace period the old key is refused, wherever a confused client puts it.
    await clock.advance(61_000);
    expect((await call('POST', '/api/v1/client/heartbeat', bearer(first), heartbeat(clusterId, now()))).statusCode).toBe(401);
    for (const [url, headers] of [
      [`/api/v1/client/tasks?api_key=${rotated}`, {}],
      [`/api/v1/client/tasks?token=${first}`, { authorization: `Token ${first}` }],
      [`/api/v1/client/tasks/${rotated}/result`, bearer(rotated)],
      ['/api/v1/client/tasks', { cookie: `cloudoptim_session=${rotated}` }],
      [`/api/v1/admin/clusters/${rotated}`, bearer(adminToken)],
      [`/api/v1/admin/clusters?customer_id=${adminToken}`, bearer(adminToken)],
      [`/no/such/route/${rotated}?key=${adminToken}`, bearer(rotated)],
    ] as const) {
      expect((await call('GET', url, headers)).statusCode).toBeLessThan(500);
    }
    expect((await call('POST', '/api/v1/client/heartbeat', bearer(rotated), { ...heartbeat(clusterId, now()), status: rotated })).statusCode).toBe(400);
    expect((await call('POST', '/api/v1/auth/login', {}, { email: 'admin@acme.example', password: rotated })).statusCode).toBe(401);
    expect((await call('POST', `/api/v1/admin/clusters/${clusterId}/agent-keys/${issued.keyId}/revoke`, bearer(adminToken))).statusCode).toBe(200);

    expect(lines.length).toBeGreaterThan(10);
    const leaks = lines.filter((line) => secrets.some((s) => line.includes(s) || line.includes(sha256(s))) || TOKEN.test(line));
    expect(leaks.map((l) => l.slice(0, 400))).toEqual([]);
  });

  it('never shows a key again: no GET of any route, no audit entry, no metric holds it', async () => {
    const values: Record<string, string> = { customer_id: customerId, cluster_id: issued.clusterId, key_id: issued.keyId, plan_id: issued.keyId, task_id: issued.keyId, channel_id: issued.keyId, version: '1.0.0', id: issued.keyId };
    const gets = (await documentedRoutes(app)).filter((r) => r.method === 'GET' && !r.websocket);
    expect(gets.length).toBeGreaterThan(20);
    const answers: string[] = [];
    for (const route of gets) {
      for (const token of [adminToken, operatorToken]) {
        const res = await call('GET', fillPath(route.path, values), route.auth === 'agent' ? {} : bearer(token));
        answers.push(`${route.key} ${res.statusCode} ${res.body}`);
      }
    }
    const keyOwned = [issued.first, issued.rotated];
    const showing = answers.filter((a) => keyOwned.some((k) => a.includes(k) || a.includes(sha256(k))));
    expect(showing.map((a) => a.slice(0, 200))).toEqual([]);
    // It does list the keys, by prefix only.
    const listed = answers.find((a) => a.startsWith('GET /api/v1/admin/clusters/:cluster_id/agent-keys 200'))!;
    expect(listed).toContain(issued.rotated.slice(0, 12));

    const audit = JSON.stringify(await db.query('SELECT * FROM audit_log'));
    expect(audit).toContain('agent_key.rotate');
    for (const s of secrets) expect(audit).not.toContain(s);
    const metrics = await call('GET', '/metrics', bearer(METRICS_TOKEN));
    expect(metrics.statusCode).toBe(200);
    for (const s of secrets) expect(metrics.body).not.toContain(s);
  });

  it('stores only the SHA-256 of each key and session token', async () => {
    const keys = await db.query<Record<string, unknown>>('SELECT * FROM agent_keys WHERE cluster_id = $1 ORDER BY created_at', [issued.clusterId]);
    expect(keys.map((k) => k.key_hash)).toEqual([sha256(issued.first), sha256(issued.rotated)]);
    const sessions = await db.query<Record<string, unknown>>('SELECT * FROM sessions');
    expect(sessions.map((s) => s.token_hash)).toEqual(expect.arrayContaining([sha256(operatorToken), sha256(adminToken)]));
    const stored = JSON.stringify([keys, sessions]);
    for (const s of secrets) expect(stored).not.toContain(s);
  });

  it('answers /metrics only to a scrape that presents METRICS_TOKEN', async () => {
    for (const headers of [{}, bearer('scrape-token-012345678'), bearer(operatorToken), { authorization: `Basic ${Buffer.from('scrape:').toString('base64')}` }]) {
      const res = await call('GET', '/metrics', headers);
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHENTICATED');
    }
    expect((await call('GET', '/metrics', bearer(METRICS_TOKEN))).statusCode).toBe(200);
    expect((await call('GET', '/healthz')).statusCode).toBe(200);
  });
});
