/**
 * Notification channel credentials at rest, through the routes, the delivery worker and the start-up pass
 * against a real local webhook receiver: with CLOUDOPTIM_SECRETS_KEY the stored row holds neither the signing
 * secret nor the URL's token and deliveries still arrive correctly signed; rows from before the key are
 * delivered and then sealed at the next start (once, also with two replicas at once); a rotation re-seals with
 * the new key; a key this server does not have fails the delivery with a clear error, crashes nothing and logs
 * no secret; without a key, one warning and plain text as before.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NotificationChannelsRepository } from '@cloudoptim/db';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { ManualClock } from '@cloudoptim/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CentralConfig } from '../config.ts';
import { bearer, createTestCentral, type TestCentral, type TestCustomer } from '../testing/test-central.ts';
import { sealStoredChannelSecrets, secretBoxOf } from './channel-secrets.ts';
import { createNotificationDeliveryWorker } from './notification-delivery.worker.ts';
import { recordingLogger } from './recording-logger.test-support.ts';
import { secretKeyId, secretsKeyOf } from './secret-box.ts';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const KEY_A = randomBytes(32).toString('base64');
const KEY_B = randomBytes(32).toString('base64');
const KEY_C = randomBytes(32).toString('base64');
const idOf = (key: string) => secretKeyId(secretsKeyOf(key));

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A local webhook receiver answering 204. */
async function receiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const signature = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('notification channel secrets at rest on $name', (target) => {
  let central: TestCentral;
  let acme: TestCustomer;
  let hooks: Awaited<ReturnType<typeof receiver>>;

  beforeAll(async () => {
    hooks = await receiver();
    central = await createTestCentral({
      target,
      clock: new ManualClock(T0),
      config: { WEBHOOK_ALLOW_PRIVATE_TARGETS: true, SMTP_URL: 'smtp://mail.example.test:25', SMTP_FROM: 'cloudoptim@example.test', CLOUDOPTIM_SECRETS_KEY: KEY_A },
    });
    acme = await central.createCustomer('Acme');
  });
  afterAll(async () => {
    await central?.close();
    await hooks?.close();
  });

  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: Record<string, unknown>) =>
    central.app.inject({ method, url: `/api/v1/admin/notifications${url}`, headers: bearer(acme.admin.token), ...(payload && { payload }) });
  /** Central's context with other keys (another replica, a restart with a new config), logging into `lines`. */
  const replica = (keys: Partial<Pick<CentralConfig, 'CLOUDOPTIM_SECRETS_KEY' | 'CLOUDOPTIM_SECRETS_KEY_PREVIOUS'>>, lines: string[] = []) => ({
    ...central.ctx,
    config: { ...central.ctx.config, CLOUDOPTIM_SECRETS_KEY: undefined, CLOUDOPTIM_SECRETS_KEY_PREVIOUS: undefined, ...keys },
    log: recordingLogger(lines),
  });
  const stored = async (id: string) => (await central.db.query<{ target: string; secret: string | null; updated_at: unknown }>('SELECT target, secret, updated_at FROM notification_channels WHERE id = $1', [id]))[0]!;
  const allStored = () => central.db.query<{ id: string; target: string; secret: string | null }>('SELECT id, target, secret FROM notification_channels ORDER BY id');
  const latestDelivery = async (channelId: string) => (await call('GET', `/deliveries?channel_id=${channelId}`)).json().items[0];
  const queueTest = async (channelId: string) => expect((await call('POST', `/channels/${channelId}/test`)).statusCode).toBe(202);
  const legacyChannel = (name: string, token: string, secret: string) =>
    new NotificationChannelsRepository(central.db.db).create(acme.customerId, { name, kind: 'webhook', target: `${hooks.url}/legacy/${token}`, secret, events: [] });

  it('stores targets and secrets sealed, shows them masked, and a webhook still arrives correctly signed', async () => {
    const created = (await call('POST', '/channels', { name: 'signed', kind: 'webhook', target: `${hooks.url}/hooks/T0KEN-abcdef-1234` })).json();
    expect(created).toMatchObject({ target: `${hooks.url}/…1234`, has_secret: true });
    const row = await stored(created.id);
    expect(row.target.startsWith(`enc:v1:${idOf(KEY_A)}:`)).toBe(true);
    expect(row.secret?.startsWith(`enc:v1:${idOf(KEY_A)}:`)).toBe(true);
    expect(JSON.stringify(row)).not.toContain('T0KEN-abcdef');
    expect(JSON.stringify(row)).not.toContain(created.secret);
    expect(JSON.stringify(row)).not.toContain(created.secret.slice('whsec_'.length, 20));
    expect((await call('GET', `/channels/${created.id}`)).json()).toMatchObject({ target: `${hooks.url}/…1234` });

    await queueTest(created.id);
    hooks.received.length = 0;
    await createNotificationDeliveryWorker(central.ctx).tick();
    expect(hooks.received).toHaveLength(1);
    expect(hooks.received[0]!.path).toBe('/hooks/T0KEN-abcdef-1234');
    expect(hooks.received[0]!.headers['x-cloudoptim-signature']).toBe(signature(created.secret, hooks.received[0]!.body));
    expect(await latestDelivery(created.id)).toMatchObject({ status: 'delivered', attempts: 1 });

    // A new target and a new secret are sealed too, and used from the next delivery on.
    const patched = (await call('PATCH', `/channels/${created.id}`, { target: `${hooks.url}/hooks/N3W-T0KEN-5678`, rotate_secret: true })).json();
    expect(patched.target).toBe(`${hooks.url}/…5678`);
    const after = await stored(created.id);
    expect(JSON.stringify(after)).not.toContain('N3W-T0KEN');
    expect(JSON.stringify(after)).not.toContain(patched.secret);
    await queueTest(created.id);
    hooks.received.length = 0;
    await createNotificationDeliveryWorker(central.ctx).tick();
    expect(hooks.received[0]!.path).toBe('/hooks/N3W-T0KEN-5678');
    expect(hooks.received[0]!.headers['x-cloudoptim-signature']).toBe(signature(patched.secret, hooks.received[0]!.body));

    // Slack URLs and e-mail addresses are sealed as well; the API shows what it showed before.
    const slack = (await call('POST', '/channels', { name: 'slack', kind: 'slack', target: 'https://hooks.slack.example/services/T1/B2/SLACKTOKEN9' })).json();
    const mail = (await call('POST', '/channels', { name: 'mail', kind: 'email', target: 'ops@acme.example' })).json();
    expect(slack.target).toBe('https://hooks.slack.example/…KEN9');
    expect(mail.target).toBe('ops@acme.example');
    expect(JSON.stringify(await stored(slack.id))).not.toContain('SLACKTOKEN');
    expect(JSON.stringify(await stored(mail.id))).not.toContain('ops@acme.example');
    const audit = await central.db.query('SELECT details FROM audit_log WHERE target = $1', [`notification_channel/${slack.id}`]);
    expect(JSON.stringify(audit)).toContain('https://hooks.slack.example/…KEN9');
    expect(JSON.stringify(audit)).not.toContain('SLACKTOKEN');
  });

  it('delivers a channel stored in plain text before the key, then seals it at the next start, once', async () => {
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const legacy = await legacyChannel('legacy', 'PLAINTOKEN-42', secret);
    const before = await stored(legacy.id);
    expect(before.target).toBe(`${hooks.url}/legacy/PLAINTOKEN-42`);

    await queueTest(legacy.id);
    hooks.received.length = 0;
    await createNotificationDeliveryWorker(central.ctx).tick();
    expect(hooks.received[0]!.path).toBe('/legacy/PLAINTOKEN-42');
    expect(hooks.received[0]!.headers['x-cloudoptim-signature']).toBe(signature(secret, hooks.received[0]!.body));

    const lines: string[] = [];
    expect(await sealStoredChannelSecrets(replica({ CLOUDOPTIM_SECRETS_KEY: KEY_A }, lines))).toEqual({ mode: 'sealed', sealed: 1, resealed: 0, unreadable: 0 });
    const after = await stored(legacy.id);
    expect(after.target.startsWith(`enc:v1:${idOf(KEY_A)}:`)).toBe(true);
    expect(after.secret?.startsWith(`enc:v1:${idOf(KEY_A)}:`)).toBe(true);
    expect(JSON.stringify(after)).not.toContain('PLAINTOKEN');
    expect(JSON.stringify(after)).not.toContain(secret);
    expect(String(after.updated_at)).toBe(String(before.updated_at));
    const box = secretBoxOf({ CLOUDOPTIM_SECRETS_KEY: KEY_A });
    expect([box.open(after.target), box.open(after.secret!)]).toEqual([`${hooks.url}/legacy/PLAINTOKEN-42`, secret]);
    expect(lines.join('\n')).not.toContain('PLAINTOKEN');
    expect(lines.join('\n')).not.toContain(secret);

    // The next start finds nothing to do, and the sealed channel is delivered as before.
    const rows = await allStored();
    expect(await sealStoredChannelSecrets(replica({ CLOUDOPTIM_SECRETS_KEY: KEY_A }))).toEqual({ mode: 'sealed', sealed: 0, resealed: 0, unreadable: 0 });
    expect(await allStored()).toEqual(rows);
    await queueTest(legacy.id);
    hooks.received.length = 0;
    await createNotificationDeliveryWorker(central.ctx).tick();
    expect(hooks.received[0]!.headers['x-cloudoptim-signature']).toBe(signature(secret, hooks.received[0]!.body));
  });

  it('two replicas starting at once seal each plain-text channel once', async () => {
    const secrets = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        const secret = `whsec_${randomBytes(32).toString('base64url')}`;
        return { id: (await legacyChannel(`race-${i}`, `RACE-${i}`, secret)).id, secret, target: `${hooks.url}/legacy/RACE-${i}` };
      }),
    );
    const [one, two] = await Promise.all([sealStoredChannelSecrets(replica({ CLOUDOPTIM_SECRETS_KEY: KEY_A })), sealStoredChannelSecrets(replica({ CLOUDOPTIM_SECRETS_KEY: KEY_A }))]);
    expect(one.sealed + two.sealed).toBe(6);
    expect(one.resealed + two.resealed + one.unreadable + two.unreadable).toBe(0);
    const box = secretBoxOf({ CLOUDOPTIM_SECRETS_KEY: KEY_A });
    for (const s of secrets) {
      const row = await stored(s.id);
      expect(row.target.startsWith('enc:v1:')).toBe(true);
      expect([box.open(row.target), box.open(row.secret!)]).toEqual([s.target, s.secret]);
    }
  });

  it('a key this server does not have fails the delivery with a clear error, crashes nothing and logs no secret', async () => {
    const created = (await call('POST', '/channels', { name: 'wrong-key', kind: 'webhook', target: `${hooks.url}/hooks/WR0NG-KEY-TOKEN` })).json();
    const row = await stored(created.id);
    await queueTest(created.id);
    hooks.received.length = 0;
    const lines: string[] = [];
    await createNotificationDeliveryWorker(replica({ CLOUDOPTIM_SECRETS_KEY: KEY_C }, lines)).tick();
    expect(hooks.received).toEqual([]);
    const failed = await latestDelivery(created.id);
    expect(failed).toMatchObject({ status: 'pending', attempts: 1, last_status_code: null });
    expect(failed.last_error).toContain(`sealed with key ${idOf(KEY_A)}, which is not configured`);
    expect(failed.last_error).toContain('CLOUDOPTIM_SECRETS_KEY_PREVIOUS');

    // The start-up pass under that key leaves every channel it cannot open as it is, and says so.
    const rows = await allStored();
    const outcome = await sealStoredChannelSecrets(replica({ CLOUDOPTIM_SECRETS_KEY: KEY_C }, lines));
    expect(outcome).toMatchObject({ mode: 'sealed', sealed: 0, resealed: 0, unreadable: rows.length });
    expect(await allStored()).toEqual(rows);
    expect(lines.some((l) => l.includes('"level":"warn"') && l.includes(idOf(KEY_A)) && l.includes('CLOUDOPTIM_SECRETS_KEY_PREVIOUS'))).toBe(true);

    const logged = lines.join('\n');
    for (const leak of ['WR0NG-KEY-TOKEN', created.secret, created.secret.slice('whsec_'.length, 20), row.target.split(':')[4]!.slice(0, 16), row.secret!.split(':')[4]!.slice(0, 16), KEY_A, KEY_C]) {
      expect(logged).not.toContain(leak);
      expect(failed.last_error).not.toContain(leak);
    }

    // Back on the right key, the retry goes through.
    await central.clock.advance(30_000);
    await createNotificationDeliveryWorker(central.ctx).tick();
    expect(hooks.received[0]!.headers['x-cloudoptim-signature']).toBe(signature(created.secret, hooks.received[0]!.body));
    expect(await latestDelivery(created.id)).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('a rotation re-seals every channel with the new key at start; the old key alone no longer opens them', async () => {
    const created = (await call('POST', '/channels', { name: 'rotated', kind: 'webhook', target: `${hooks.url}/hooks/R0TATE-1` })).json();
    const count = (await allStored()).length;
    const rotated = replica({ CLOUDOPTIM_SECRETS_KEY: KEY_B, CLOUDOPTIM_SECRETS_KEY_PREVIOUS: KEY_A });
    expect(await sealStoredChannelSecrets(rotated)).toEqual({ mode: 'sealed', sealed: 0, resealed: count, unreadable: 0 });
    for (const row of await allStored()) {
      expect(row.target.startsWith(`enc:v1:${idOf(KEY_B)}:`)).toBe(true);
      if (row.secret !== null) expect(row.secret.startsWith(`enc:v1:${idOf(KEY_B)}:`)).toBe(true);
    }
    expect(await sealStoredChannelSecrets(rotated)).toMatchObject({ resealed: 0, sealed: 0 });

    // The new key alone delivers (the previous one can be removed).
    await queueTest(created.id);
    hooks.received.length = 0;
    await createNotificationDeliveryWorker(replica({ CLOUDOPTIM_SECRETS_KEY: KEY_B })).tick();
    expect(hooks.received[0]!.path).toBe('/hooks/R0TATE-1');
    expect(hooks.received[0]!.headers['x-cloudoptim-signature']).toBe(signature(created.secret, hooks.received[0]!.body));

    // These routes still hold only the old key: the list answers, without the targets it cannot open.
    const list = await call('GET', '/channels');
    expect(list.statusCode).toBe(200);
    expect(list.json().items.find((c: { id: string }) => c.id === created.id).target).toBe('(sealed with a key this server does not have)');
  });

  it('without a key: one warning at start, plain text as before', async () => {
    const lines: string[] = [];
    const rows = await allStored();
    expect(await sealStoredChannelSecrets(replica({}, lines))).toEqual({ mode: 'plain-text', sealed: 0, resealed: 0, unreadable: 0 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/"level":"warn".*CLOUDOPTIM_SECRETS_KEY is not set: notification channel secrets and webhook URLs are stored unencrypted/);
    expect(await allStored()).toEqual(rows);
    expect(secretBoxOf({}).seal('https://hooks.example/x')).toBe('https://hooks.example/x');
  });
});
