import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentServerEvent } from '@cloudoptim/contracts';
import { ClusterSettingsRepository } from '@cloudoptim/db';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { silentLogger } from '@cloudoptim/runtime';
import { ConfiguredCloudAccess, type AssumeRoleInput } from '../cloud/configured-cloud-access.ts';
import { expectError } from '../testing/http-assertions.ts';
import { bearer, createTestCentral, type TestCentral, type TestCluster, type TestCustomer } from '../testing/test-central.ts';

async function waitFor<T>(read: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('cluster settings routes on $name', (target) => {
  let central: TestCentral;
  let acme: TestCustomer;
  let globex: TestCustomer;
  let cluster: TestCluster;

  beforeAll(async () => {
    central = await createTestCentral({ target });
    acme = await central.createCustomer('Acme');
    globex = await central.createCustomer('Globex');
    cluster = await central.registerCluster(acme.customerId, 'prod');
  });
  afterAll(() => central?.close());

  const url = () => `/api/v1/admin/clusters/${cluster.clusterId}/settings`;
  const get = (token?: string) => central.app.inject({ method: 'GET', url: url(), headers: token ? bearer(token) : {} });
  const patch = (token: string | undefined, payload: Record<string, unknown>) => central.app.inject({ method: 'PATCH', url: url(), headers: token ? bearer(token) : {}, payload });

  it('shows the defaults at version 1 to the cluster’s customer', async () => {
    const res = await get(acme.viewer.token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ cluster_id: cluster.clusterId, version: 1, settings: { automation_mode: 'recommend', max_spot_share: 0.8, excluded_namespaces: ['kube-system'], rebalance_policy: 'cordon' } });
  });

  it('shows the external id CloudOptim issued to the customer, beside the settings (read-only)', async () => {
    const view = (await get(acme.viewer.token)).json();
    expect(view.aws_external_id).toBe(`cloudoptim-${acme.customerId}`);
    expect(view.settings).not.toHaveProperty('aws_external_id');
    const globexCluster = await central.registerCluster(globex.customerId, 'prod');
    const globexView = (await central.app.inject({ method: 'GET', url: `/api/v1/admin/clusters/${globexCluster.clusterId}/settings`, headers: bearer(globex.viewer.token) })).json();
    expect(globexView.aws_external_id).toBe(`cloudoptim-${globex.customerId}`);
  });

  it('refuses aws_external_id in a patch (whatever its value, with other keys or alone), naming the issued id, changing nothing', async () => {
    const before = (await get(acme.admin.token)).json();
    const issued = `cloudoptim-${acme.customerId}`;
    for (const body of [{ aws_external_id: 'chosen' }, { aws_external_id: `cloudoptim-${globex.customerId}`, max_spot_share: 0.3 }, { aws_external_id: issued }, { aws_external_id: null }]) {
      const error = expectError(await patch(acme.admin.token, body), 400, 'VALIDATION_FAILED');
      expect(error.message).toBe(`aws_external_id is issued by CloudOptim; put ${issued} in your role's trust policy`);
      expect(error.details).toMatchObject({ issues: [{ path: 'aws_external_id' }] });
    }
    // Other customers learn nothing: their answer is the cluster's 404, not the id.
    const foreign = expectError(await patch(globex.admin.token, { aws_external_id: 'x' }), 404, 'NOT_FOUND');
    expect(JSON.stringify(foreign)).not.toContain(acme.customerId);
    expect((await get(acme.admin.token)).json()).toEqual(before);
  });

  it('ignores an external id stored before it was issued: neither shown as a setting nor used to assume the role', async () => {
    const other = await central.createCustomer('Initech');
    const old = await central.registerCluster(other.customerId, 'legacy');
    // A row written before: the customer named a role and chose an external id (here: Acme's issued one).
    await new ClusterSettingsRepository(central.db.db).merge(other.customerId, old.clusterId, { aws_role_arn: 'arn:aws:iam::123456789012:role/acme-cloudoptim', aws_external_id: `cloudoptim-${acme.customerId}` }, new Date(central.clock.now()));
    const view = (await central.app.inject({ method: 'GET', url: `/api/v1/admin/clusters/${old.clusterId}/settings`, headers: bearer(other.viewer.token) })).json();
    expect(view).toMatchObject({ aws_external_id: `cloudoptim-${other.customerId}`, settings: { aws_role_arn: 'arn:aws:iam::123456789012:role/acme-cloudoptim' } });
    expect(view.settings).not.toHaveProperty('aws_external_id');

    const asked: AssumeRoleInput[] = [];
    const cloud = new ConfiguredCloudAccess({
      config: { AWS_ENDPOINT_URL: 'http://127.0.0.1:1' },
      settings: central.ctx.settings,
      clock: central.clock,
      log: silentLogger,
      assumeRole: (input) => {
        asked.push(input);
        return { accessKeyId: 'ASIATEMP', secretAccessKey: 'temp' };
      },
    });
    try {
      await cloud.forCluster({ customerId: other.customerId, clusterId: old.clusterId, region: 'us-east-1' });
    } finally {
      await cloud.close();
    }
    expect(asked.map((input) => [input.roleArn, input.externalId])).toEqual([['arn:aws:iam::123456789012:role/acme-cloudoptim', `cloudoptim-${other.customerId}`]]);
  });

  it('changes only the keys given, bumps the version and tells the agent', async () => {
    const events: AgentServerEvent[] = [];
    const unsubscribe = central.ctx.realtime.subscribeAgent(cluster.clusterId, (event) => events.push(event));
    try {
      const res = await patch(acme.admin.token, { max_spot_share: 0.5, automation_mode: 'automate' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ version: 2, settings: { max_spot_share: 0.5, automation_mode: 'automate', min_pool_diversity: 3, excluded_namespaces: ['kube-system'] } });
      const second = await patch(central.operator.token, { excluded_namespaces: ['kube-system', 'monitoring'] });
      expect(second.json()).toMatchObject({ version: 3, settings: { max_spot_share: 0.5, automation_mode: 'automate', excluded_namespaces: ['kube-system', 'monitoring'] } });
      expect((await get(acme.viewer.token)).json()).toEqual(second.json());

      const changed = await waitFor(() => (events.length >= 2 ? events : undefined), 'two config_changed events');
      expect(changed.map((event) => event.type === 'config_changed' && [event.config_version, event.changed_keys])).toEqual([
        [2, ['automation_mode', 'max_spot_share']],
        [3, ['excluded_namespaces']],
      ]);
    } finally {
      unsubscribe();
    }
    const audit = await central.db.query<{ details: unknown }>("SELECT details FROM audit_log WHERE action = 'cluster.settings.update' AND cluster_id = $1 ORDER BY created_at", [cluster.clusterId]);
    expect(audit.map((row) => row.details)).toEqual(expect.arrayContaining([{ changed_keys: ['automation_mode', 'max_spot_share'], version: 2 }]));
  });

  it('rejects unknown keys, bad values and empty patches, changing nothing', async () => {
    const before = (await get(acme.admin.token)).json();
    expectError(await patch(acme.admin.token, { max_spot_share: 1.5 }), 400, 'VALIDATION_FAILED');
    expectError(await patch(acme.admin.token, { no_such_setting: true }), 400, 'VALIDATION_FAILED');
    expectError(await patch(acme.admin.token, { rebalance_policy: 'panic' }), 400, 'VALIDATION_FAILED');
    expectError(await patch(acme.admin.token, {}), 400, 'VALIDATION_FAILED');
    expect((await get(acme.admin.token)).json()).toEqual(before);
  });

  it('refuses viewers (403), other customers (404) and anonymous callers (401)', async () => {
    const before = (await get(acme.admin.token)).json();
    expectError(await patch(acme.viewer.token, { max_spot_share: 0.1 }), 403, 'FORBIDDEN');
    expectError(await patch(globex.admin.token, { max_spot_share: 0.1 }), 404, 'NOT_FOUND');
    expectError(await get(globex.viewer.token), 404, 'NOT_FOUND');
    expectError(await patch(undefined, { max_spot_share: 0.1 }), 401, 'UNAUTHENTICATED');
    expectError(await get(), 401, 'UNAUTHENTICATED');
    expect((await get(acme.admin.token)).json()).toEqual(before);
  });

  it('feeds ctx.settings, the reader the services use', async () => {
    expect((await central.ctx.settings.get(acme.customerId, cluster.clusterId)).settings.max_spot_share).toBe(0.5);
    await expect(central.ctx.settings.get(globex.customerId, cluster.clusterId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
