/**
 * Notifications through the test kit: channel routes (secret shown once, masked targets, validation, roles,
 * tenancy), the delivery worker against a real local HTTP server (signature checked, retries with backoff on a
 * ManualClock, permanent failures), e-mail through nodemailer, and the bridge from the admin stream.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import { exampleClusterState } from '@cloudoptim/contracts';
import { NotificationDeliveriesRepository } from '@cloudoptim/db';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { ManualClock } from '@cloudoptim/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../testing/http-assertions.ts';
import { bearer, createTestCentral, type TestCentral, type TestCluster, type TestCustomer } from '../testing/test-central.ts';
import { createNotificationDeliveryWorker } from './notification-delivery.worker.ts';
import { OutboxNotifier } from './outbox-notifier.ts';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A local webhook receiver answering each request with the next scripted status (then 204). */
async function receiver(): Promise<{ url: string; received: Received[]; answers: number[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const answers: number[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      res.statusCode = answers.shift() ?? 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, answers, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('notifications on $name', (target) => {
  let central: TestCentral;
  let acme: TestCustomer;
  let globex: TestCustomer;
  let acmeProd: TestCluster;
  let hooks: Awaited<ReturnType<typeof receiver>>;
  const mails: { envelope: unknown; message: string }[] = [];
  const jsonMailer = nodemailer.createTransport({ jsonTransport: true });
  /** The real nodemailer JSON transport, remembering each composed message. */
  const mailer = {
    sendMail: async (m: SendMailOptions) => {
      const info = await jsonMailer.sendMail(m);
      mails.push(info as unknown as { envelope: unknown; message: string });
      return info;
    },
  } as unknown as Transporter;

  beforeAll(async () => {
    hooks = await receiver();
    central = await createTestCentral({ target, clock: new ManualClock(T0), config: { SMTP_URL: 'smtp://mail.example.test:25', SMTP_FROM: 'cloudoptim@example.test', WEBHOOK_ALLOW_PRIVATE_TARGETS: true } });
    acme = await central.createCustomer('Acme');
    globex = await central.createCustomer('Globex');
    acmeProd = await central.registerCluster(acme.customerId, 'prod');
  });
  afterAll(async () => {
    await central?.close();
    await hooks?.close();
  });

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, token?: string, payload?: Record<string, unknown>) =>
    central.app.inject({ method, url: `/api/v1/admin/notifications${url}`, headers: token ? bearer(token) : {}, ...(payload && { payload }) });
  const worker = () => createNotificationDeliveryWorker(central.ctx, { mailer, mailFrom: 'cloudoptim@example.test' });
  const deliveriesOf = async (channelId: string) => (await call('GET', `/deliveries?channel_id=${channelId}`, acme.admin.token)).json().items;

  describe('channel routes', () => {
    it('creates a signed webhook whose secret is shown once and whose URL is masked afterwards', async () => {
      const res = await call('POST', '/channels', acme.admin.token, { name: 'ops', kind: 'webhook', target: `${hooks.url}/hook/secret-path-1234`, events: ['plan_failed'] });
      expect(res.statusCode).toBe(201);
      const created = res.json();
      expect(created).toMatchObject({ customer_id: acme.customerId, kind: 'webhook', events: ['plan_failed'], enabled: true, has_secret: true, target: `${hooks.url}/…1234` });
      expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      const read = await call('GET', `/channels/${created.id}`, acme.admin.token);
      expect(read.json()).not.toHaveProperty('secret');
      expect(read.body).not.toContain(created.secret);
      expect((await call('GET', '/channels', acme.admin.token)).body).not.toContain('secret-path');

      const rotated = (await call('PATCH', `/channels/${created.id}`, acme.admin.token, { rotate_secret: true, enabled: false })).json();
      expect(rotated).toMatchObject({ enabled: false });
      expect(rotated.secret).toMatch(/^whsec_/);
      expect(rotated.secret).not.toBe(created.secret);
      const audit = await central.db.query<{ action: string; details: unknown }>("SELECT action, details FROM audit_log WHERE target = $1 ORDER BY created_at", [`notification_channel/${created.id}`]);
      expect(audit.map((a) => a.action)).toEqual(['notification_channel.create', 'notification_channel.update']);
      expect(JSON.stringify(audit)).not.toContain(created.secret);
      expect(JSON.stringify(audit)).not.toContain('secret-path');
    });

    it('validates the kind, the target and the events, and changes nothing on a bad request', async () => {
      const before = (await call('GET', '/channels', acme.admin.token)).json().items.length;
      expectError(await call('POST', '/channels', acme.admin.token, { name: 'x', kind: 'pigeon', target: 'https://a.example' }), 400, 'VALIDATION_FAILED');
      expectError(await call('POST', '/channels', acme.admin.token, { name: 'x', kind: 'slack', target: 'ftp://a.example/x' }), 400, 'VALIDATION_FAILED');
      expectError(await call('POST', '/channels', acme.admin.token, { name: 'x', kind: 'email', target: 'not-an-address' }), 400, 'VALIDATION_FAILED');
      expectError(await call('POST', '/channels', acme.admin.token, { name: 'x', kind: 'slack', target: 'https://a.example', events: ['test'] }), 400, 'VALIDATION_FAILED');
      expectError(await call('POST', '/channels', central.operator.token, { name: 'x', kind: 'slack', target: 'https://a.example' }), 400, 'VALIDATION_FAILED');
      expect((await call('GET', '/channels', acme.admin.token)).json().items).toHaveLength(before);
    });

    it('is for admins of the customer: viewers 403, other customers 404, anonymous 401', async () => {
      const mine = (await call('POST', '/channels', acme.admin.token, { name: 'slack', kind: 'slack', target: 'https://hooks.slack.example/services/T1/B2/abcd' })).json();
      expectError(await call('GET', '/channels', acme.viewer.token), 403, 'FORBIDDEN');
      expectError(await call('POST', '/channels', acme.viewer.token, { name: 'v', kind: 'slack', target: 'https://a.example' }), 403, 'FORBIDDEN');
      for (const [method, url] of [['GET', `/channels/${mine.id}`], ['PATCH', `/channels/${mine.id}`], ['DELETE', `/channels/${mine.id}`], ['POST', `/channels/${mine.id}/test`], ['GET', `/deliveries?channel_id=${mine.id}`]] as const) {
        expectError(await call(method, url, globex.admin.token, method === 'PATCH' ? { enabled: false } : undefined), 404, 'NOT_FOUND');
      }
      expect((await call('GET', '/channels', globex.admin.token)).json().items).toEqual([]);
      expectError(await call('GET', `/channels?customer_id=${acme.customerId}`, globex.admin.token), 404, 'NOT_FOUND');
      expect((await call('GET', `/channels?customer_id=${acme.customerId}`, central.operator.token)).json().items.map((c: { id: string }) => c.id)).toContain(mine.id);
      expectError(await call('GET', '/channels'), 401, 'UNAUTHENTICATED');
      expect((await call('DELETE', `/channels/${mine.id}`, acme.admin.token)).statusCode).toBe(204);
      expectError(await call('GET', `/channels/${mine.id}`, acme.admin.token), 404, 'NOT_FOUND');
    });
  });

  describe('delivery', () => {
    it('posts a signed JSON body to a generic webhook, the receiver can verify it', async () => {
      const channel = (await call('POST', '/channels', acme.admin.token, { name: 'signed', kind: 'webhook', target: `${hooks.url}/signed` })).json();
      const queued = await call('POST', `/channels/${channel.id}/test`, acme.admin.token);
      expect(queued.statusCode).toBe(202);
      expect(queued.json()).toMatchObject({ channel_id: channel.id, event_type: 'test', status: 'pending' });
      hooks.received.length = 0;
      await worker().tick();
      const [request] = hooks.received;
      expect(request?.path).toBe('/signed');
      const expected = `sha256=${createHmac('sha256', channel.secret).update(request!.body).digest('hex')}`;
      expect(request?.headers['x-cloudoptim-signature']).toBe(expected);
      expect(request?.headers['x-cloudoptim-event']).toBe('test');
      expect(JSON.parse(request!.body)).toMatchObject({ delivery_id: queued.json().id, type: 'test', customer_id: acme.customerId, title: 'Test notification for signed' });
      expect((await deliveriesOf(channel.id))[0]).toMatchObject({ status: 'delivered', attempts: 1, last_status_code: 204 });
    });

    it('retries a failing webhook with exponential backoff, then delivers', async () => {
      const channel = (await call('POST', '/channels', acme.admin.token, { name: 'flaky', kind: 'slack', target: `${hooks.url}/flaky` })).json();
      await call('POST', `/channels/${channel.id}/test`, acme.admin.token);
      hooks.received.length = 0;
      hooks.answers.push(500, 503);
      const w = worker();
      const start = central.clock.now();
      await w.tick();
      expect((await deliveriesOf(channel.id))[0]).toMatchObject({ status: 'pending', attempts: 1, last_status_code: 500, last_error: 'HTTP 500', next_attempt_at: new Date(start + 30_000).toISOString() });
      await central.clock.advance(29_000);
      await w.tick();
      expect(hooks.received).toHaveLength(1);
      await central.clock.advance(1000);
      await w.tick();
      expect((await deliveriesOf(channel.id))[0]).toMatchObject({ status: 'pending', attempts: 2, next_attempt_at: new Date(start + 30_000 + 60_000).toISOString() });
      await central.clock.advance(60_000);
      await w.tick();
      expect(hooks.received).toHaveLength(3);
      expect(JSON.parse(hooks.received[2]!.body)).toMatchObject({ text: expect.stringContaining('Test notification for flaky'), blocks: [{ type: 'section' }, { type: 'context' }] });
      expect((await deliveriesOf(channel.id))[0]).toMatchObject({ status: 'delivered', attempts: 3 });
    });

    it('gives up at once when the receiver refuses (4xx), and after max attempts otherwise', async () => {
      const channel = (await call('POST', '/channels', acme.admin.token, { name: 'gone', kind: 'slack', target: `${hooks.url}/gone` })).json();
      await call('POST', `/channels/${channel.id}/test`, acme.admin.token);
      hooks.answers.push(404);
      await worker().tick();
      expect((await deliveriesOf(channel.id))[0]).toMatchObject({ status: 'failed', attempts: 1, last_status_code: 404 });

      const down = (await call('POST', '/channels', acme.admin.token, { name: 'down', kind: 'webhook', target: 'http://127.0.0.1:1/down' })).json();
      await new NotificationDeliveriesRepository(central.db.db).enqueue(acme.customerId, [down.id], { eventType: 'test', eventKey: 'down-1', clusterId: null, payload: { type: 'test', title: 't', text: 't', facts: {} }, nextAttemptAt: new Date(central.clock.now()), maxAttempts: 2 });
      const w = worker();
      await w.tick();
      await central.clock.advance(30_000);
      await w.tick();
      expect((await deliveriesOf(down.id))[0]).toMatchObject({ status: 'failed', attempts: 2, last_status_code: null, last_error: expect.any(String) });
    });

    it('sends e-mail through SMTP (nodemailer)', async () => {
      const channel = (await call('POST', '/channels', acme.admin.token, { name: 'mail', kind: 'email', target: 'ops@acme.example, oncall@acme.example' })).json();
      await call('POST', `/channels/${channel.id}/test`, acme.admin.token);
      await worker().tick();
      const message = JSON.parse(mails.at(-1)!.message);
      expect(message).toMatchObject({ subject: '[CloudOptim] Test notification for mail', from: { address: 'cloudoptim@example.test' } });
      expect(message.to.map((t: { address: string }) => t.address)).toEqual(['ops@acme.example', 'oncall@acme.example']);
      expect((await deliveriesOf(channel.id))[0]).toMatchObject({ status: 'delivered' });
    });
  });

  describe('what is notified', () => {
    it('queues plan awaiting approval, plan failed and cluster RED from the admin stream, once per event', async () => {
      const channel = (await call('POST', '/channels', acme.admin.token, { name: 'everything', kind: 'slack', target: `${hooks.url}/all` })).json();
      const frame = { v: 1 as const, sent_at: new Date(T0).toISOString() };
      const plan = { type: 'optimization_updated' as const, cluster_id: acmeProd.clusterId, optimization_id: '11111111-1111-4111-8111-111111111111', decision_type: 'spot_optimize' as const, current_step: null, total_steps: 4, estimated_savings: 120.5 };
      const red = { type: 'cluster_state_changed' as const, cluster_id: acmeProd.clusterId, state: exampleClusterState({ cluster_id: acmeProd.clusterId, health_status: 'RED', last_updated: new Date(T0 - 600_000).toISOString() }) };
      for (const id of ['f1', 'f2']) {
        await central.ctx.realtime.publishToAdmins(acme.customerId, { ...frame, ...plan, id: `${id}-a`, status: 'awaiting_approval' });
        await central.ctx.realtime.publishToAdmins(acme.customerId, { ...frame, ...plan, id: `${id}-b`, status: 'rolled_back', current_step: 3 });
        await central.ctx.realtime.publishToAdmins(acme.customerId, { ...frame, ...red, id: `${id}-c` });
      }
      await central.ctx.realtime.publishToAdmins(acme.customerId, { ...frame, ...plan, id: 'f3', status: 'executing' });
      let kinds: string[] = [];
      for (let i = 0; i < 200 && kinds.length < 3; i++) {
        kinds = (await deliveriesOf(channel.id)).map((d: { event_type: string }) => d.event_type).sort();
        await new Promise((r) => setTimeout(r, 10));
      }
      await new Promise((r) => setTimeout(r, 50));
      expect((await deliveriesOf(channel.id)).map((d: { event_type: string }) => d.event_type).sort()).toEqual(['cluster_red', 'plan_awaiting_approval', 'plan_failed']);
    });

    it('queues one delivery per matching channel through the outbox notifier', async () => {
      const only = (await call('POST', '/channels', globex.admin.token, { name: 'interruptions', kind: 'slack', target: `${hooks.url}/g`, events: ['interruption_handled'] })).json();
      const notifier = new OutboxNotifier(central.db, central.clock);
      const event = { type: 'interruption_handled' as const, key: 'spot:ev-1', title: 'Spot interruption', text: 'replaced', occurredAt: new Date(T0) };
      await notifier.notify(globex.customerId, event);
      await notifier.notify(globex.customerId, event);
      await notifier.notify(globex.customerId, { ...event, type: 'plan_failed', key: 'plan:x:failed' });
      const items = (await call('GET', `/deliveries?channel_id=${only.id}`, globex.admin.token)).json().items;
      expect(items.map((d: { event_key: string }) => d.event_key)).toEqual(['spot:ev-1']);
    });
  });
});
