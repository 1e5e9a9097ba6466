/**
 * The backtest route through the test kit, on the real market data: a cluster's workload (from its latest
 * metrics) replayed over two days of us-east-1 history; an explicit workload; the data windows; validation
 * (400, before any simulation), sign-in (401) and tenancy (another customer's cluster 404).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleClusterMetrics } from '@cloudoptim/contracts';
import { ClusterMetricsRepository } from '@cloudoptim/db';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { STRATEGY_NAMES } from '@cloudoptim/engines';
import { expectError } from '../testing/http-assertions.ts';
import { bearer, createTestCentral, type TestCentral, type TestCustomer } from '../testing/test-central.ts';

const URL = '/api/v1/admin/backtest';
const WINDOW = { from: '2021-05-01', to: '2021-05-03T00:00:00Z' };
const WORKLOAD = { name: 'api', node: { vcpu: 2, memoryGib: 8 }, nodeCount: 3, podsPerNode: 5 };

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('backtest routes on $name', (target) => {
  let central: TestCentral;
  let alice: TestCustomer;
  let bob: TestCustomer;
  let aliceCluster: string;
  let silentCluster: string;

  beforeAll(async () => {
    central = await createTestCentral({ target });
    alice = await central.createCustomer();
    bob = await central.createCustomer();
    aliceCluster = (await central.registerCluster(alice.customerId, 'prod')).clusterId;
    silentCluster = (await central.registerCluster(alice.customerId, 'no-agent-yet')).clusterId;
    await new ClusterMetricsRepository(central.db.db).storeLatest(alice.customerId, aliceCluster, exampleClusterMetrics({ cluster_id: aliceCluster }), new Date(central.clock.now()));
  }, 60_000);
  afterAll(() => central?.close());

  const run = (token: string | null, body: Record<string, unknown>) => central.app.inject({ method: 'POST', url: URL, headers: token ? bearer(token) : {}, payload: body });

  it("replays a cluster's workload from its latest metrics: every strategy, savings against on-demand, a daily cost series", async () => {
    const res = await run(alice.viewer.token, { cluster_id: aliceCluster, ...WINDOW });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r).toMatchObject({ region: 'us-east-1', days: 2, seeds: [1], workload_source: { kind: 'cluster', cluster_id: aliceCluster }, workload: { name: 'prod', nodeCount: 2, podsPerNode: 2, zones: ['us-east-1a', 'us-east-1b'] } });
    expect(r.zones).toEqual(['us-east-1a', 'us-east-1b']);
    expect(r.strategies.map((s: { name: string }) => s.name)).toEqual([...STRATEGY_NAMES]);
    const byName = Object.fromEntries(r.strategies.map((s: { name: string }) => [s.name, s]));
    expect(byName['on-demand'].savings_pct.mean).toBe(0);
    expect(byName['on-demand'].cost_usd.mean).toBeGreaterThan(0);
    expect(byName['cheapest-spot'].savings_pct.mean).toBeGreaterThan(20);
    expect(byName['cloudoptim'].cost_usd.mean).toBeLessThan(byName['on-demand'].cost_usd.mean);
    for (const s of r.strategies) expect(s.daily_cost_usd).toHaveLength(2);
    expect(r.rationale.summary).toContain('most savings');
  });

  it('replays an explicit workload with the strategies and seeds asked for', async () => {
    const res = await run(central.operator.token, { workload: WORKLOAD, region: 'us-east-1', ...WINDOW, strategies: ['cloudoptim'], seed: 7, seed_count: 2 });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json();
    expect(r.workload_source).toEqual({ kind: 'request', cluster_id: null, metrics_at: null });
    expect(r.seeds).toEqual([7, 8]);
    // On-demand always runs: it is the savings baseline.
    expect(r.strategies.map((s: { name: string }) => s.name)).toEqual(['on-demand', 'cloudoptim']);
  });

  it('names the windows the price history covers', async () => {
    const res = await central.app.inject({ method: 'GET', url: `${URL}/coverage`, headers: bearer(bob.viewer.token) });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().max_days).toBe(31);
    expect(res.json().regions.map((c: { region: string }) => c.region)).toEqual(['sa-east-1', 'us-east-1']);
  });

  it('refuses bad requests with the 400 envelope naming the field', async () => {
    const bad = async (body: Record<string, unknown>, path: string) => {
      const error = expectError(await run(alice.admin.token, body), 400, 'VALIDATION_FAILED');
      expect((error.details?.issues as { path: string }[]).map((i) => i.path)).toContain(path);
    };
    await bad({ cluster_id: aliceCluster, from: '2021-04-01', to: '2021-05-15' }, 'to');
    await bad({ cluster_id: aliceCluster, from: '2021-05-03', to: '2021-05-01' }, 'to');
    await bad({ cluster_id: aliceCluster, from: 'yesterday', to: '2021-05-01' }, 'from');
    await bad({ ...WINDOW }, 'cluster_id');
    await bad({ cluster_id: aliceCluster, workload: WORKLOAD, region: 'us-east-1', ...WINDOW }, 'cluster_id');
    await bad({ workload: WORKLOAD, ...WINDOW }, 'region');
    await bad({ workload: { ...WORKLOAD, nodeCount: 5000 }, region: 'us-east-1', ...WINDOW }, 'workload');
    await bad({ workload: { ...WORKLOAD, node: { vcpu: 0, memoryGib: 8 } }, region: 'us-east-1', ...WINDOW }, 'workload.node.vcpu');
    await bad({ cluster_id: aliceCluster, ...WINDOW, strategies: ['yolo'] }, 'strategies.0');
    await bad({ cluster_id: aliceCluster, ...WINDOW, seed_count: 50 }, 'seed_count');
  });

  it('answers NO_DATA for a window outside the price history or a cluster without metrics', async () => {
    const outside = expectError(await run(alice.admin.token, { cluster_id: aliceCluster, from: '2024-01-01', to: '2024-01-08' }), 404, 'NO_DATA');
    expect(outside.message).toContain('us-east-1 2021-03-02');
    expectError(await run(alice.admin.token, { cluster_id: silentCluster, ...WINDOW }), 404, 'NO_DATA');
  });

  it('needs a session, and hides other customers\' clusters', async () => {
    expectError(await run(null, { cluster_id: aliceCluster, ...WINDOW }), 401, 'UNAUTHENTICATED');
    expectError(await run(bob.admin.token, { cluster_id: aliceCluster, ...WINDOW }), 404, 'NOT_FOUND');
    expectError(await run(bob.viewer.token, { cluster_id: '00000000-0000-4000-8000-000000000000', ...WINDOW }), 404, 'NOT_FOUND');
  });
});
