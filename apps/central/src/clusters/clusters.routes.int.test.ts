import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '@cloudoptim/contracts';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { expectError } from '../testing/http-assertions.ts';
import { bearer, createTestCentral, type TestCentral, type TestCluster, type TestCustomer } from '../testing/test-central.ts';

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('cluster routes on $name', (target) => {
  let central: TestCentral;
  let acme: TestCustomer;
  let globex: TestCustomer;
  let globexCluster: TestCluster;

  beforeAll(async () => {
    central = await createTestCentral({ target });
    acme = await central.createCustomer('Acme');
    globex = await central.createCustomer('Globex');
    globexCluster = await central.registerCluster(globex.customerId, 'globex-prod');
  });
  afterAll(() => central?.close());

  const inject = (method: 'GET' | 'POST' | 'DELETE', url: string, token?: string, payload?: Record<string, unknown>) =>
    central.app.inject({ method, url, headers: token ? bearer(token) : {}, ...(payload && { payload }) });
  const count = async (table: string) => (await central.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;
  /** Whether the agent key authenticates (as its own cluster). */
  const agentOf = async (apiKey: string) =>
    central.ctx.auth.agent({ authorization: `Bearer ${apiKey}`, sessionCookie: undefined }).then(
      (principal) => principal?.clusterId,
      (error: unknown) => (isAppError(error) ? error.code : 'unexpected'),
    );
  const register = (token: string, payload: Record<string, unknown>) => inject('POST', '/api/v1/admin/clusters', token, payload);

  describe('POST /api/v1/admin/clusters', () => {
    it('registers a cluster for a customer admin: key and install commands once, the key works for that cluster', async () => {
      const res = await register(acme.admin.token, { cluster_name: 'prod', region: 'us-east-1' });
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body).toMatchObject({ customer_id: acme.customerId, cluster_name: 'prod', region: 'us-east-1', health_status: null, total_nodes: 0 });
      expect(body.api_key).toMatch(/^coa_[A-Za-z0-9_-]{43}$/);
      expect(body.key).toMatchObject({ prefix: body.api_key.slice(0, 12), active: true, revoked_at: null });
      expect(body.install_command).toBe(`scripts/install-agent.sh --central-url 'http://localhost:8000' --cluster-id '${body.cluster_id}' --api-key '${body.api_key}'`);
      expect(body.install_commands.kubectl).toContain(body.api_key);
      expect(body.install_commands.kubectl).toContain('kubectl apply -k deploy/agent');
      expect(await agentOf(body.api_key)).toBe(body.cluster_id);

      const audit = await central.db.query("SELECT * FROM audit_log WHERE action = 'cluster.register' AND cluster_id = $1", [body.cluster_id]);
      expect(audit).toHaveLength(1);
      expect(JSON.stringify(audit)).not.toContain(body.api_key);
    });

    it('needs customer_id from operators and takes any customer', async () => {
      const before = await count('clusters');
      expectError(await register(central.operator.token, { cluster_name: 'ops', region: 'eu-west-1' }), 400, 'VALIDATION_FAILED');
      expect(await count('clusters')).toBe(before);
      const res = await register(central.operator.token, { cluster_name: 'ops', region: 'eu-west-1', customer_id: globex.customerId });
      expect(res.statusCode).toBe(201);
      expect(res.json().customer_id).toBe(globex.customerId);
    });

    it('answers 404 when a customer admin names another customer, and creates nothing', async () => {
      const before = await count('clusters');
      expectError(await register(acme.admin.token, { cluster_name: 'mole', region: 'us-east-1', customer_id: globex.customerId }), 404, 'NOT_FOUND');
      expect(await count('clusters')).toBe(before);
    });

    it('rejects invalid input, a duplicate name, viewers and anonymous callers without creating anything', async () => {
      const before = [await count('clusters'), await count('agent_keys')];
      expectError(await register(acme.admin.token, { cluster_name: '', region: 'mars-1' }), 400, 'VALIDATION_FAILED');
      expectError(await register(acme.admin.token, { cluster_name: 'x', region: 'us-east-1', aws_account_id: '12' }), 400, 'VALIDATION_FAILED');
      expectError(await register(acme.admin.token, { cluster_name: 'prod', region: 'us-east-1' }), 409, 'CONFLICT');
      expectError(await register(acme.viewer.token, { cluster_name: 'viewer', region: 'us-east-1' }), 403, 'FORBIDDEN');
      expectError(await inject('POST', '/api/v1/admin/clusters', undefined, { cluster_name: 'anon', region: 'us-east-1' }), 401, 'UNAUTHENTICATED');
      expect([await count('clusters'), await count('agent_keys')]).toEqual(before);
    });
  });

  describe('GET /api/v1/admin/clusters and /:cluster_id', () => {
    it('lists only the caller’s customer’s clusters; operators see all or filter by customer', async () => {
      const names = async (token: string, query = '') => (await inject('GET', `/api/v1/admin/clusters${query}`, token)).json().clusters.map((c: { cluster_name: string }) => c.cluster_name).sort();
      expect(await names(acme.viewer.token)).toEqual(['prod']);
      expect(await names(globex.admin.token)).toEqual(['globex-prod', 'ops']);
      expect(await names(central.operator.token)).toEqual(['globex-prod', 'ops', 'prod']);
      expect(await names(central.operator.token, `?customer_id=${acme.customerId}`)).toEqual(['prod']);
      expect(await names(acme.admin.token, `?customer_id=${globex.customerId}`)).toEqual([]);
      expectError(await inject('GET', '/api/v1/admin/clusters'), 401, 'UNAUTHENTICATED');
    });

    it('shows one cluster to its customer and operators, never the key, and 404 to others', async () => {
      const res = await inject('GET', `/api/v1/admin/clusters/${globexCluster.clusterId}`, globex.viewer.token);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ cluster_id: globexCluster.clusterId, cluster_name: 'globex-prod' });
      expect(res.body).not.toContain('api_key');
      expect(res.body).not.toContain(globexCluster.apiKey);
      expect((await inject('GET', `/api/v1/admin/clusters/${globexCluster.clusterId}`, central.operator.token)).statusCode).toBe(200);
      expectError(await inject('GET', `/api/v1/admin/clusters/${globexCluster.clusterId}`, acme.admin.token), 404, 'NOT_FOUND');
      expectError(await inject('GET', '/api/v1/admin/clusters/00000000-0000-4000-8000-000000000000', central.operator.token), 404, 'NOT_FOUND');
      expectError(await inject('GET', `/api/v1/admin/clusters/${globexCluster.clusterId}`), 401, 'UNAUTHENTICATED');
    });
  });

  describe('agent keys', () => {
    it('lists prefixes and dates only, to the cluster’s customer', async () => {
      const res = await inject('GET', `/api/v1/admin/clusters/${globexCluster.clusterId}/agent-keys`, globex.viewer.token);
      expect(res.statusCode).toBe(200);
      expect(res.json().agent_keys).toEqual([{ key_id: globexCluster.keyId, prefix: globexCluster.apiKey.slice(0, 12), created_at: expect.any(String), revoked_at: null, last_used_at: null, active: true }]);
      expect(res.body).not.toContain(globexCluster.apiKey);
      expectError(await inject('GET', `/api/v1/admin/clusters/${globexCluster.clusterId}/agent-keys`, acme.admin.token), 404, 'NOT_FOUND');
      expectError(await inject('GET', `/api/v1/admin/clusters/${globexCluster.clusterId}/agent-keys`), 401, 'UNAUTHENTICATED');
    });

    it('rotates: the new key works at once, the old one stops', async () => {
      const cluster = await central.registerCluster(acme.customerId, 'rotate-now');
      const res = await inject('POST', `/api/v1/admin/clusters/${cluster.clusterId}/agent-keys/rotate`, acme.admin.token);
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body.revoked_keys.map((k: { key_id: string }) => k.key_id)).toEqual([cluster.keyId]);
      expect(body.install_command).toContain(body.api_key);
      expect(await agentOf(body.api_key)).toBe(cluster.clusterId);
      expect(await agentOf(cluster.apiKey)).toBe('UNAUTHENTICATED');
      const audit = await central.db.query("SELECT details FROM audit_log WHERE action = 'agent_key.rotate' AND cluster_id = $1", [cluster.clusterId]);
      expect(JSON.stringify(audit)).not.toContain(body.api_key);
    });

    it('rotates with a grace period: the old key works until it ends', async () => {
      const cluster = await central.registerCluster(acme.customerId, 'rotate-grace');
      expect(await agentOf(cluster.apiKey)).toBe(cluster.clusterId);
      const res = await inject('POST', `/api/v1/admin/clusters/${cluster.clusterId}/agent-keys/rotate`, acme.admin.token, { grace_seconds: 600 });
      expect(res.statusCode).toBe(201);
      expect(await agentOf(cluster.apiKey)).toBe(cluster.clusterId);
      await central.clock.advance(600_000);
      expect(await agentOf(cluster.apiKey)).toBe('UNAUTHENTICATED');
      expect(await agentOf(res.json().api_key)).toBe(cluster.clusterId);
    });

    it('refuses rotation to viewers and other customers, and bad grace periods', async () => {
      const url = `/api/v1/admin/clusters/${globexCluster.clusterId}/agent-keys/rotate`;
      const before = await count('agent_keys');
      expectError(await inject('POST', url, globex.viewer.token), 403, 'FORBIDDEN');
      expectError(await inject('POST', url, acme.admin.token), 404, 'NOT_FOUND');
      expectError(await inject('POST', url, globex.admin.token, { grace_seconds: -1 }), 400, 'VALIDATION_FAILED');
      expectError(await inject('POST', url), 401, 'UNAUTHENTICATED');
      expect(await count('agent_keys')).toBe(before);
      expect(await agentOf(globexCluster.apiKey)).toBe(globexCluster.clusterId);
    });

    it('revokes one key; its agent is refused at once', async () => {
      const cluster = await central.registerCluster(acme.customerId, 'revoke');
      const url = `/api/v1/admin/clusters/${cluster.clusterId}/agent-keys/${cluster.keyId}/revoke`;
      expectError(await inject('POST', url, acme.viewer.token), 403, 'FORBIDDEN');
      expectError(await inject('POST', url, globex.admin.token), 404, 'NOT_FOUND');
      expect(await agentOf(cluster.apiKey)).toBe(cluster.clusterId);
      const res = await inject('POST', url, acme.admin.token);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ key_id: cluster.keyId, active: false });
      expect(await agentOf(cluster.apiKey)).toBe('UNAUTHENTICATED');
    });

    it('answers 404 for another cluster’s key id under one’s own cluster', async () => {
      const mine = await central.registerCluster(acme.customerId, 'mine');
      expectError(await inject('POST', `/api/v1/admin/clusters/${mine.clusterId}/agent-keys/${globexCluster.keyId}/revoke`, acme.admin.token), 404, 'NOT_FOUND');
      expect(await agentOf(globexCluster.apiKey)).toBe(globexCluster.clusterId);
    });
  });

  describe('DELETE /api/v1/admin/clusters/:cluster_id', () => {
    it('deletes the cluster and its keys for its customer admin', async () => {
      const cluster = await central.registerCluster(acme.customerId, 'doomed');
      expectError(await inject('DELETE', `/api/v1/admin/clusters/${cluster.clusterId}`, acme.viewer.token), 403, 'FORBIDDEN');
      expectError(await inject('DELETE', `/api/v1/admin/clusters/${cluster.clusterId}`, globex.admin.token), 404, 'NOT_FOUND');
      expectError(await inject('DELETE', `/api/v1/admin/clusters/${cluster.clusterId}`), 401, 'UNAUTHENTICATED');
      expect(await agentOf(cluster.apiKey)).toBe(cluster.clusterId);

      expect((await inject('DELETE', `/api/v1/admin/clusters/${cluster.clusterId}`, acme.admin.token)).statusCode).toBe(204);
      expectError(await inject('GET', `/api/v1/admin/clusters/${cluster.clusterId}`, acme.admin.token), 404, 'NOT_FOUND');
      expect(await agentOf(cluster.apiKey)).toBe('UNAUTHENTICATED');
      expect(await central.db.query("SELECT action FROM audit_log WHERE action = 'cluster.delete' AND cluster_id = $1", [cluster.clusterId])).toHaveLength(1);
      expectError(await inject('DELETE', `/api/v1/admin/clusters/${cluster.clusterId}`, acme.admin.token), 404, 'NOT_FOUND');
    });
  });
});
