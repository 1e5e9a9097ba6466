/** Notification channels and the deliveries outbox on PGlite and PostgreSQL. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '@cloudoptim/contracts';
import { ClustersRepository, CustomersRepository, NotificationChannelsRepository, NotificationDeliveriesRepository, type Cluster, type Customer, type Database } from '../index.ts';
import { createScratchDatabase, testDatabaseTargets, type ScratchDatabase } from '../testing/test-databases.ts';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isAppError(error)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error.code;
}

const T0 = new Date('2026-01-01T00:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('notification repositories on $name', (target) => {
  let scratch: ScratchDatabase;
  let database: Database;
  let channels: NotificationChannelsRepository;
  let deliveries: NotificationDeliveriesRepository;
  let alice: Customer;
  let bob: Customer;
  let aliceCluster: Cluster;

  beforeAll(async () => {
    scratch = await createScratchDatabase(target);
    database = await scratch.open();
    channels = new NotificationChannelsRepository(database.db);
    deliveries = new NotificationDeliveriesRepository(database.db);
    const customers = new CustomersRepository(database.db);
    alice = await customers.create({ name: 'Alice Corp' });
    bob = await customers.create({ name: 'Bob Ltd' });
    aliceCluster = await new ClustersRepository(database.db).create(alice.id, { name: 'prod', region: 'us-east-1' });
  });
  afterAll(async () => {
    await database?.close();
    await scratch?.dispose();
  });

  it('creates, finds, lists, updates and deletes channels within their customer; the secret stays inside', async () => {
    const hook = await channels.create(alice.id, { name: 'ops hook', kind: 'webhook', target: 'https://hooks.example/ops', secret: 's3cr3t', events: [] });
    expect(hook).toMatchObject({ customerId: alice.id, kind: 'webhook', enabled: true, hasSecret: true, events: [] });
    expect(JSON.stringify(hook)).not.toContain('s3cr3t');
    expect(await codeOf(channels.create(alice.id, { name: 'ops hook', kind: 'slack', target: 'https://x', secret: null, events: [] }))).toBe('CONFLICT');
    expect(await codeOf(channels.create(alice.id, { name: 'bad', kind: 'pigeon' as 'slack', target: 'https://x', secret: null, events: [] }))).toBe('VALIDATION_FAILED');
    expect(await channels.find(bob.id, hook.id)).toBeNull();
    expect(await channels.find(null, hook.id)).toEqual(hook);
    expect(await channels.update(bob.id, hook.id, { enabled: false })).toBeNull();
    expect(await channels.update(alice.id, hook.id, { events: ['plan_failed'] })).toMatchObject({ events: ['plan_failed'] });
    const bobs = await channels.create(bob.id, { name: 'bob mail', kind: 'email', target: 'ops@bob.example', secret: null, events: [] });
    expect((await channels.list(alice.id)).map((c) => c.id)).toEqual([hook.id]);
    expect(await channels.list(null)).toHaveLength(2);
    expect(await channels.delete(alice.id, bobs.id)).toBe(false);
    expect(await channels.delete(bob.id, bobs.id)).toBe(true);
    expect(await channels.list(bob.id)).toEqual([]);
  });

  it('picks the enabled channels that take an event (an empty list takes all)', async () => {
    const all = await channels.create(alice.id, { name: 'all', kind: 'slack', target: 'https://hooks.slack.example/a', secret: null, events: [] });
    const red = await channels.create(alice.id, { name: 'red only', kind: 'slack', target: 'https://hooks.slack.example/b', secret: null, events: ['cluster_red'] });
    await channels.create(alice.id, { name: 'off', kind: 'slack', target: 'https://hooks.slack.example/c', secret: null, events: [], enabled: false });
    expect((await channels.forEvent(alice.id, 'cluster_red')).map((c) => c.id).sort()).toEqual([all.id, red.id].sort());
    expect((await channels.forEvent(alice.id, 'interruption_handled')).map((c) => c.id)).toEqual([all.id]);
    expect(await channels.forEvent(bob.id, 'cluster_red')).toEqual([]);
  });

  it('queues once per channel and key, hands out what is due, and records attempts', async () => {
    const channel = await channels.create(alice.id, { name: 'outbox', kind: 'webhook', target: 'https://hooks.example/outbox', secret: 'k', events: [] });
    const input = { eventType: 'interruption_handled' as const, eventKey: 'spot:e-1', clusterId: aliceCluster.id, payload: { title: 'x' }, nextAttemptAt: at(0), maxAttempts: 3 };
    const [queued] = await deliveries.enqueue(alice.id, [channel.id], input);
    expect(queued).toMatchObject({ channelId: channel.id, status: 'pending', attempts: 0, maxAttempts: 3, clusterId: aliceCluster.id });
    expect(await deliveries.enqueue(alice.id, [channel.id], input)).toEqual([]);
    expect(await codeOf(deliveries.enqueue(bob.id, [channel.id], { ...input, eventKey: 'spot:e-2' }))).toBe('NOT_FOUND');

    const due = (await deliveries.due(at(0))).filter((d) => d.channelId === channel.id);
    expect(due).toMatchObject([{ id: queued!.id, channel: { kind: 'webhook', target: 'https://hooks.example/outbox', secret: 'k' } }]);
    await deliveries.markAttemptFailed(queued!.id, { at: at(0), error: 'HTTP 500', statusCode: 500, nextAttemptAt: at(30) });
    expect((await deliveries.due(at(29))).some((d) => d.id === queued!.id)).toBe(false);
    expect((await deliveries.due(at(30))).some((d) => d.id === queued!.id)).toBe(true);
    await deliveries.markDelivered(queued!.id, at(30), 204);
    expect((await deliveries.list(alice.id, { channelId: channel.id }))[0]).toMatchObject({ status: 'delivered', attempts: 2, lastStatusCode: 204, lastError: null, deliveredAt: at(30) });
    expect(await deliveries.list(bob.id)).toEqual([]);

    const [other] = await deliveries.enqueue(alice.id, [channel.id], { ...input, eventKey: 'spot:e-3' });
    await deliveries.markAttemptFailed(other!.id, { at: at(40), error: 'gave up', statusCode: null, nextAttemptAt: null });
    expect((await deliveries.list(alice.id, { status: 'failed' })).map((d) => d.id)).toEqual([other!.id]);
  });
});
