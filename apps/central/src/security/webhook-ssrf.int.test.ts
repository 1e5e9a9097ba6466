/**
 * Webhook SSRF through the routes and the delivery worker: a channel cannot be saved with a private, loopback,
 * link-local or internal target, and a name that resolves to one when a delivery is due is refused (nothing is
 * sent, the delivery fails for good, saying why). WEBHOOK_ALLOW_PRIVATE_TARGETS lifts both (notifications.int.test.ts
 * runs that way against its local receiver).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { expectError } from '../testing/http-assertions.ts';
import { bearer, createTestCentral, type TestCentral, type TestCustomer } from '../testing/test-central.ts';
import { createNotificationDeliveryWorker } from '../notifications/notification-delivery.worker.ts';
import type { HostLookup } from './webhook-targets.ts';

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('webhook targets on $name', (target) => {
  let central: TestCentral;
  let acme: TestCustomer;
  let server: Server;
  let port: number;
  const received: string[] = [];
  // The name a customer saved, re-pointed at the server's own loopback by the time the delivery is due.
  const lookup: HostLookup = async (host) => (host === 'hooks.rebound.example' ? [{ address: '127.0.0.1', family: 4 }] : []);
  const resolvingFetch: typeof fetch = (url, init) => fetch(String(url).replace('hooks.rebound.example', '127.0.0.1'), init);

  beforeAll(async () => {
    server = createServer((req, res) => {
      received.push(req.url ?? '');
      res.statusCode = 204;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    central = await createTestCentral({ target });
    acme = await central.createCustomer('Acme');
  });
  afterAll(async () => {
    await central?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  const channels = (method: 'GET' | 'POST' | 'PATCH', url = '', payload?: Record<string, unknown>) =>
    central.app.inject({ method, url: `/api/v1/admin/notifications/channels${url}`, headers: bearer(acme.admin.token), ...(payload && { payload }) });

  it.each([
    'http://127.0.0.1:8000/api/v1/admin/customers',
    'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
    'http://[::1]:5432/',
    'http://[::ffff:10.0.0.5]/hook',
    'http://localhost:8001/api/v1/ml/models',
    'https://ip-10-0-1-5.ec2.internal/hook',
    'http://2130706433/',
  ])('refuses to save a channel aimed at %s', async (target) => {
    const before = (await channels('GET')).json().items.length;
    for (const kind of ['webhook', 'slack']) {
      const error = expectError(await channels('POST', '', { name: 'internal', kind, target }), 400, 'VALIDATION_FAILED');
      expect(error.details?.issues).toEqual([{ path: 'target', message: expect.stringContaining('public address') }]);
    }
    expect((await channels('GET')).json().items).toHaveLength(before);
  });

  it('refuses to re-point a saved channel at a private address', async () => {
    const channel = (await channels('POST', '', { name: 'ok', kind: 'webhook', target: 'https://hooks.example.com/x' })).json();
    expectError(await channels('PATCH', `/${channel.id}`, { target: 'http://10.0.0.1/x' }), 400, 'VALIDATION_FAILED');
    const [{ target } = { target: '' }] = await central.db.query<{ target: string }>('SELECT target FROM notification_channels WHERE id = $1', [channel.id]);
    expect(target).toBe('https://hooks.example.com/x');
  });

  it('sends nothing to a name that resolves to a private address when the delivery is due', async () => {
    const channel = (await channels('POST', '', { name: 'rebound', kind: 'webhook', target: `http://hooks.rebound.example:${port}/hook` })).json();
    expect(channel.id).toEqual(expect.any(String));
    const delivery = (await channels('POST', `/${channel.id}/test`)).json();
    await createNotificationDeliveryWorker(central.ctx, { lookup, fetch: resolvingFetch }).tick();

    const [row] = await central.db.query<{ status: string; last_error: string; attempts: number }>('SELECT status, last_error, attempts FROM notification_deliveries WHERE id = $1', [delivery.id]);
    expect(row).toMatchObject({ status: 'failed', attempts: 1, last_error: expect.stringMatching(/^refused: hooks\.rebound\.example resolves to 127\.0\.0\.1/) });
    expect(received).toEqual([]);

    // The same receiver is reachable when private targets are allowed: the refusal above was the check's.
    const allowed = (await channels('POST', `/${channel.id}/test`)).json();
    await createNotificationDeliveryWorker(central.ctx, { lookup, fetch: resolvingFetch, allowPrivateTargets: true }).tick();
    expect(received).toEqual(['/hook']);
    const [done] = await central.db.query<{ status: string }>('SELECT status FROM notification_deliveries WHERE id = $1', [allowed.id]);
    expect(done?.status).toBe('delivered');
  });
});
