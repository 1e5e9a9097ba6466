/** GET /api/v1/admin/spot-events through the test kit: scoping, filters, paging, validation, auth, tenancy. */
import { SpotEventsRepository } from '@cloudoptim/db';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../testing/http-assertions.ts';
import { bearer, createTestCentral, type TestCentral, type TestCluster, type TestCustomer } from '../testing/test-central.ts';

const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 10, minutes));

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('spot events route on $name', (target) => {
  let central: TestCentral;
  let acme: TestCustomer;
  let globex: TestCustomer;
  let acmeProd: TestCluster;
  let acmeDev: TestCluster;
  let globexProd: TestCluster;

  beforeAll(async () => {
    central = await createTestCentral({ target });
    acme = await central.createCustomer('Acme');
    globex = await central.createCustomer('Globex');
    acmeProd = await central.registerCluster(acme.customerId, 'prod');
    acmeDev = await central.registerCluster(acme.customerId, 'dev');
    globexProd = await central.registerCluster(globex.customerId, 'prod');
    const events = new SpotEventsRepository(central.db.db);
    const base = { instanceId: 'i-0aaaaaaaaaaaaaaa1', region: 'us-east-1', availabilityZone: 'us-east-1a' };
    await events.record(acme.customerId, { ...base, eventId: 'a-1', eventType: 'interruption_warning', receivedAt: at(0), interruptionTime: at(2), clusterId: acmeProd.clusterId, nodeName: 'ip-10-0-1-5.ec2.internal', actionTaken: 'replaced_spot', replacementInstanceId: 'i-0bbbbbbbbbbbbbbb1' });
    await events.record(acme.customerId, { ...base, eventId: 'a-2', eventType: 'rebalance_recommendation', receivedAt: at(5), clusterId: acmeDev.clusterId, actionTaken: 'cordoned' });
    await events.record(acme.customerId, { ...base, eventId: 'a-3', eventType: 'instance_terminated', receivedAt: at(10), clusterId: acmeProd.clusterId, actionTaken: 'none', availabilityZone: null });
    await events.record(globex.customerId, { ...base, eventId: 'g-1', eventType: 'interruption_warning', receivedAt: at(7), interruptionTime: at(9), clusterId: globexProd.clusterId, actionTaken: 'replaced_on_demand' });
  });
  afterAll(() => central?.close());

  const get = (query: string, token?: string) => central.app.inject({ method: 'GET', url: `/api/v1/admin/spot-events${query}`, headers: token ? bearer(token) : {} });
  const ids = (res: { json(): { items: { event_id: string }[] } }) => res.json().items.map((e) => e.event_id);

  it('lists the customer’s events newest first with the action taken, for admins and viewers', async () => {
    const res = await get('', acme.viewer.token);
    expect(res.statusCode).toBe(200);
    expect(ids(res)).toEqual(['a-3', 'a-2', 'a-1']);
    expect(res.json().items[2]).toEqual({
      id: expect.any(String),
      customer_id: acme.customerId,
      event_id: 'a-1',
      event_type: 'interruption_warning',
      instance_id: 'i-0aaaaaaaaaaaaaaa1',
      region: 'us-east-1',
      availability_zone: 'us-east-1a',
      received_at: at(0).toISOString(),
      interruption_time: at(2).toISOString(),
      cluster_id: acmeProd.clusterId,
      node_name: 'ip-10-0-1-5.ec2.internal',
      action_taken: 'replaced_spot',
      replacement_instance_id: 'i-0bbbbbbbbbbbbbbb1',
    });
    expect(res.json().items[0].availability_zone).toBeNull();
    expect(ids(await get('', acme.admin.token))).toEqual(['a-3', 'a-2', 'a-1']);
  });

  it('filters by cluster, type and since, and pages', async () => {
    expect(ids(await get(`?cluster_id=${acmeProd.clusterId}`, acme.admin.token))).toEqual(['a-3', 'a-1']);
    expect(ids(await get('?type=rebalance_recommendation', acme.admin.token))).toEqual(['a-2']);
    expect(ids(await get(`?since=${encodeURIComponent(at(5).toISOString())}`, acme.admin.token))).toEqual(['a-3', 'a-2']);
    const first = await get('?limit=2', acme.admin.token);
    expect(first.json()).toMatchObject({ limit: 2, offset: 0, next_offset: 2 });
    expect(ids(first)).toEqual(['a-3', 'a-2']);
    const last = await get('?limit=2&offset=2', acme.admin.token);
    expect(ids(last)).toEqual(['a-1']);
    expect(last.json().next_offset).toBeNull();
  });

  it('shows operators every customer’s events', async () => {
    expect(ids(await get('', central.operator.token))).toEqual(['a-3', 'g-1', 'a-2', 'a-1']);
    expect(ids(await get(`?cluster_id=${globexProd.clusterId}`, central.operator.token))).toEqual(['g-1']);
  });

  it('keeps tenants apart: another customer’s cluster is 404, their events never listed', async () => {
    expect(ids(await get('', globex.admin.token))).toEqual(['g-1']);
    expectError(await get(`?cluster_id=${acmeProd.clusterId}`, globex.admin.token), 404, 'NOT_FOUND');
    expectError(await get('?cluster_id=00000000-0000-4000-8000-000000000000', acme.admin.token), 404, 'NOT_FOUND');
  });

  it('rejects bad filters with the envelope and needs a session', async () => {
    expectError(await get('?type=meteor_strike', acme.admin.token), 400, 'VALIDATION_FAILED');
    expectError(await get('?since=yesterday', acme.admin.token), 400, 'VALIDATION_FAILED');
    expectError(await get('?limit=0', acme.admin.token), 400, 'VALIDATION_FAILED');
    expectError(await get(''), 401, 'UNAUTHENTICATED');
    expectError(await get('', 'cos_not-a-session'), 401, 'UNAUTHENTICATED');
  });
});
