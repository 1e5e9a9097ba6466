import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { expectError } from '../testing/http-assertions.ts';
import { bearer, createTestCentral, type TestCentral, type TestCluster, type TestCustomer } from '../testing/test-central.ts';

interface Entry {
  customer_id: string | null;
  cluster_id: string | null;
  action: string;
  actor: string;
}

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('audit route on $name', (target) => {
  let central: TestCentral;
  let acme: TestCustomer;
  let globex: TestCustomer;
  let acmeCluster: TestCluster;

  beforeAll(async () => {
    central = await createTestCentral({ target });
    acme = await central.createCustomer('Acme');
    globex = await central.createCustomer('Globex');
    acmeCluster = await central.registerCluster(acme.customerId, 'prod');
    for (const [token, clusterId] of [
      [acme.admin.token, acmeCluster.clusterId],
      [globex.admin.token, (await central.registerCluster(globex.customerId, 'prod')).clusterId],
    ] as const) {
      for (const share of [0.1, 0.2, 0.3]) {
        await central.clock.advance(1_000);
        const res = await central.app.inject({ method: 'PATCH', url: `/api/v1/admin/clusters/${clusterId}/settings`, headers: bearer(token), payload: { max_spot_share: share } });
        expect(res.statusCode).toBe(200);
      }
    }
  });
  afterAll(() => central?.close());

  const list = async (token: string | undefined, query = '') => central.app.inject({ method: 'GET', url: `/api/v1/admin/audit${query}`, headers: token ? bearer(token) : {} });
  const entries = async (token: string, query = '') => (await list(token, query)).json().entries as Entry[];

  it('shows customer users their own customer’s entries only, newest first', async () => {
    const mine = await entries(acme.viewer.token);
    expect(mine).toHaveLength(3);
    expect(mine.every((entry) => entry.customer_id === acme.customerId && entry.action === 'cluster.settings.update')).toBe(true);
    const details = (await list(acme.viewer.token)).json().entries.map((entry: { details: { version: number } }) => entry.details.version);
    expect(details).toEqual([4, 3, 2]);
    expect(await entries(acme.admin.token, `?customer_id=${globex.customerId}`)).toEqual([]);
  });

  it('shows operators everything, or one customer or cluster', async () => {
    expect((await entries(central.operator.token)).map((entry) => entry.customer_id)).toEqual(expect.arrayContaining([acme.customerId, globex.customerId]));
    expect((await entries(central.operator.token, `?customer_id=${globex.customerId}`)).every((entry) => entry.customer_id === globex.customerId)).toBe(true);
    expect(await entries(central.operator.token, `?cluster_id=${acmeCluster.clusterId}`)).toHaveLength(3);
  });

  it('pages with next_cursor until the end', async () => {
    const seen: Entry[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const body: { entries: Entry[]; next_cursor: string | null } = (await list(acme.admin.token, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json();
      seen.push(...body.entries);
      cursor = body.next_cursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(await entries(acme.admin.token));
  });

  it('rejects a bad cursor or limit (400) and anonymous callers (401)', async () => {
    expectError(await list(acme.admin.token, '?cursor=bm9wZQ'), 400, 'VALIDATION_FAILED');
    expectError(await list(acme.admin.token, '?limit=0'), 400, 'VALIDATION_FAILED');
    expectError(await list(undefined), 401, 'UNAUTHENTICATED');
  });
});
