/**
 * The optimization routes through the test kit, with the real ML server behind an MlClient: trigger → a stored
 * plan with rationale, steps and savings; history; approve and reject; dry runs; automate mode; roles (viewer
 * 403, no session 401), validation (400, nothing stored) and tenancy (another customer's plan or cluster 404).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleClusterMetrics } from '@cloudoptim/contracts';
import { AuditLogRepository, ClusterMetricsRepository, PlansRepository } from '@cloudoptim/db';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { startMlTestServer, type MlTestServer } from '../ml/ml-test-server.ts';
import { NodePricing } from '../pricing/node-pricing.ts';
import { DbClusterSettings } from '../settings/db-cluster-settings.ts';
import { expectError } from '../testing/http-assertions.ts';
import { bearer, createTestCentral, type TestCentral, type TestCustomer } from '../testing/test-central.ts';

let ml: MlTestServer;
beforeAll(async () => {
  ml = await startMlTestServer();
}, 120_000);
afterAll(() => ml?.close());

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('optimization routes on $name', (target) => {
  let central: TestCentral;
  let alice: TestCustomer;
  let bob: TestCustomer;
  let aliceCluster: string;
  let bareCluster: string;

  beforeAll(async () => {
    central = await createTestCentral({ target, overrides: { ml: ml.client } });
    alice = await central.createCustomer();
    bob = await central.createCustomer();
    aliceCluster = (await central.registerCluster(alice.customerId, 'prod')).clusterId;
    bareCluster = (await central.registerCluster(alice.customerId, 'no-agent-yet')).clusterId;
    await new ClusterMetricsRepository(central.db.db).storeLatest(alice.customerId, aliceCluster, exampleClusterMetrics({ cluster_id: aliceCluster }), new Date(central.clock.now()));
  }, 60_000);
  afterAll(() => central?.close());

  const trigger = (token: string, body: Record<string, unknown>) => central.app.inject({ method: 'POST', url: '/api/v1/admin/optimization/trigger', headers: bearer(token), payload: body });
  const planCount = async () => (await new PlansRepository(central.db.db).list(null)).total;

  it('trigger: the ML decision stored as a proposed plan with rationale, steps and estimated savings', async () => {
    const res = await trigger(alice.admin.token, { cluster_id: aliceCluster, optimization_type: 'spot_optimize' });
    expect(res.statusCode).toBe(201);
    const plan = res.json();
    expect(plan).toMatchObject({ cluster_id: aliceCluster, customer_id: alice.customerId, decision_type: 'spot_optimize', status: 'proposed', trigger: 'user', dry_run: false, outcome: 'planned', created_by: `user:${alice.admin.email}` });
    expect(plan.rationale.summary.length).toBeGreaterThan(0);
    expect(plan.recommendations.length).toBeGreaterThan(0);
    expect(plan.steps[0]).toMatchObject({ step: 1, action: 'launch_instances', status: 'pending', attempt: 0 });
    expect(typeof plan.estimated_savings_monthly).toBe('number');
    expect(plan.actual_savings_monthly).toBeNull();

    const one = await central.app.inject({ method: 'GET', url: `/api/v1/admin/optimizations/${plan.plan_id}`, headers: bearer(alice.viewer.token) });
    expect(one.statusCode).toBe(200);
    expect(one.json().steps).toEqual(plan.steps);
    const audit = await new AuditLogRepository(central.db.db).list(alice.customerId, { clusterId: aliceCluster });
    expect(audit.find((a) => a.target === `plan/${plan.plan_id}`)).toMatchObject({ action: 'plan.create', actor: `user:${alice.admin.email}` });
  });

  it('the decision request prices each node as central bills it (a Spot node at its pool\'s Spot price)', async () => {
    const plan = (await trigger(alice.admin.token, { cluster_id: aliceCluster, optimization_type: 'bin_pack', dry_run: true })).json();
    const stored = await new PlansRepository(central.db.db).find(alice.customerId, plan.plan_id);
    const pricing = new NodePricing(central.ctx.market);
    const at = new Date(central.clock.now());
    const nodes = stored!.request.current_state.nodes;
    expect(nodes.some((n) => n.node_type === 'spot')).toBe(true);
    for (const n of nodes) {
      const expected = await pricing.priceOf('us-east-1', { instanceType: n.instance_type, availabilityZone: n.availability_zone, capacityType: n.node_type }, at);
      expect(n.hourly_price).toBeCloseTo(expected.usdPerHour, 6);
    }
  });

  it('approve, then a second approve is 409; reject of a proposed plan; history lists both with filters', async () => {
    const a = (await trigger(alice.admin.token, { cluster_id: aliceCluster, optimization_type: 'spot_optimize' })).json();
    const b = (await trigger(alice.admin.token, { cluster_id: aliceCluster, optimization_type: 'spot_optimize' })).json();
    const approved = await central.app.inject({ method: 'POST', url: `/api/v1/admin/optimizations/${a.plan_id}/approve`, headers: bearer(alice.admin.token) });
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'approved', approved_by: `user:${alice.admin.email}` });
    expectError(await central.app.inject({ method: 'POST', url: `/api/v1/admin/optimizations/${a.plan_id}/approve`, headers: bearer(alice.admin.token) }), 409, 'CONFLICT');

    const rejected = await central.app.inject({ method: 'POST', url: `/api/v1/admin/optimizations/${b.plan_id}/reject`, headers: bearer(alice.admin.token), payload: { reason: 'not during the sale' } });
    expect(rejected.json()).toMatchObject({ status: 'rejected', error: 'rejected: not during the sale' });
    expect(rejected.json().finished_at).not.toBeNull();

    const list = await central.app.inject({ method: 'GET', url: `/api/v1/admin/optimizations?cluster_id=${aliceCluster}&status=rejected`, headers: bearer(alice.viewer.token) });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((p: { plan_id: string }) => p.plan_id)).toContain(b.plan_id);
    expect(list.json().items.every((p: { status: string }) => p.status === 'rejected')).toBe(true);
    const audit = await new AuditLogRepository(central.db.db).list(alice.customerId);
    expect(audit.filter((x) => x.target === `plan/${a.plan_id}` || x.target === `plan/${b.plan_id}`).map((x) => x.action)).toEqual(expect.arrayContaining(['plan.approve', 'plan.reject']));
  });

  it('a dry run is stored as a preview that cannot be approved', async () => {
    const res = await trigger(alice.admin.token, { cluster_id: aliceCluster, optimization_type: 'spot_optimize', dry_run: true });
    expect(res.json()).toMatchObject({ status: 'proposed', dry_run: true });
    expectError(await central.app.inject({ method: 'POST', url: `/api/v1/admin/optimizations/${res.json().plan_id}/approve`, headers: bearer(alice.admin.token) }), 409, 'CONFLICT');
  });

  it('automate mode: the plan is approved at once for the executor', async () => {
    const { clusterId } = await central.registerCluster(alice.customerId, 'automated');
    await new ClusterMetricsRepository(central.db.db).storeLatest(alice.customerId, clusterId, exampleClusterMetrics({ cluster_id: clusterId }), new Date(central.clock.now()));
    await new DbClusterSettings(central.db, central.clock).update(alice.customerId, clusterId, { automation_mode: 'automate' });
    const res = await trigger(alice.admin.token, { cluster_id: clusterId, optimization_type: 'spot_optimize' });
    expect(res.json()).toMatchObject({ status: 'approved', approved_by: 'system:automate' });
  });

  it('a cluster without metrics is 422 and stores nothing', async () => {
    const before = await planCount();
    expectError(await trigger(alice.admin.token, { cluster_id: bareCluster, optimization_type: 'bin_pack' }), 422, 'UNPROCESSABLE');
    expect(await planCount()).toBe(before);
  });

  it('validation: a bad body is 400 and stores nothing', async () => {
    const before = await planCount();
    expectError(await trigger(alice.admin.token, { cluster_id: aliceCluster, optimization_type: 'make_it_cheap' }), 400, 'VALIDATION_FAILED');
    expectError(await trigger(alice.admin.token, { optimization_type: 'bin_pack' }), 400, 'VALIDATION_FAILED');
    expectError(await central.app.inject({ method: 'GET', url: '/api/v1/admin/optimizations?limit=0', headers: bearer(alice.admin.token) }), 400, 'VALIDATION_FAILED');
    expect(await planCount()).toBe(before);
  });

  it('roles: viewers read but cannot trigger, approve or reject (403); no session is 401', async () => {
    const plan = (await trigger(alice.admin.token, { cluster_id: aliceCluster, optimization_type: 'spot_optimize' })).json();
    expectError(await trigger(alice.viewer.token, { cluster_id: aliceCluster, optimization_type: 'spot_optimize' }), 403, 'FORBIDDEN');
    expectError(await central.app.inject({ method: 'POST', url: `/api/v1/admin/optimizations/${plan.plan_id}/approve`, headers: bearer(alice.viewer.token) }), 403, 'FORBIDDEN');
    expectError(await central.app.inject({ method: 'POST', url: `/api/v1/admin/optimizations/${plan.plan_id}/reject`, headers: bearer(alice.viewer.token) }), 403, 'FORBIDDEN');
    expectError(await central.app.inject({ method: 'GET', url: '/api/v1/admin/optimizations' }), 401, 'UNAUTHENTICATED');
    expectError(await central.app.inject({ method: 'POST', url: '/api/v1/admin/optimization/trigger', payload: { cluster_id: aliceCluster, optimization_type: 'bin_pack' } }), 401, 'UNAUTHENTICATED');
    expect((await central.app.inject({ method: 'GET', url: `/api/v1/admin/optimizations/${plan.plan_id}`, headers: bearer(alice.viewer.token) })).json().status).toBe('proposed');
  });

  it("tenancy: another customer's cluster and plans are 404 and absent from its history; operators see all", async () => {
    const plan = (await trigger(alice.admin.token, { cluster_id: aliceCluster, optimization_type: 'spot_optimize' })).json();
    expectError(await trigger(bob.admin.token, { cluster_id: aliceCluster, optimization_type: 'spot_optimize' }), 404, 'NOT_FOUND');
    expectError(await central.app.inject({ method: 'GET', url: `/api/v1/admin/optimizations/${plan.plan_id}`, headers: bearer(bob.admin.token) }), 404, 'NOT_FOUND');
    expectError(await central.app.inject({ method: 'POST', url: `/api/v1/admin/optimizations/${plan.plan_id}/approve`, headers: bearer(bob.admin.token) }), 404, 'NOT_FOUND');
    expectError(await central.app.inject({ method: 'POST', url: `/api/v1/admin/optimizations/${plan.plan_id}/reject`, headers: bearer(bob.admin.token) }), 404, 'NOT_FOUND');
    const bobs = await central.app.inject({ method: 'GET', url: `/api/v1/admin/optimizations?cluster_id=${aliceCluster}`, headers: bearer(bob.admin.token) });
    expect(bobs.json()).toMatchObject({ items: [], total: 0 });
    expect((await new PlansRepository(central.db.db).find(null, plan.plan_id))?.status).toBe('proposed');

    const all = await central.app.inject({ method: 'GET', url: '/api/v1/admin/optimizations?limit=1000', headers: bearer(central.operator.token) });
    expect(all.json().items.map((p: { plan_id: string }) => p.plan_id)).toContain(plan.plan_id);
    const approved = await central.app.inject({ method: 'POST', url: `/api/v1/admin/optimizations/${plan.plan_id}/approve`, headers: bearer(central.operator.token) });
    expect(approved.json()).toMatchObject({ status: 'approved', approved_by: 'user:operator@example.test' });
  });

  it('an unknown plan id is 404', async () => {
    expectError(await central.app.inject({ method: 'GET', url: '/api/v1/admin/optimizations/00000000-0000-4000-8000-000000000000', headers: bearer(alice.admin.token) }), 404, 'NOT_FOUND');
    expectError(await central.app.inject({ method: 'GET', url: '/api/v1/admin/optimizations/not-a-uuid', headers: bearer(alice.admin.token) }), 404, 'NOT_FOUND');
  });

  it('the routes are in the OpenAPI document', async () => {
    const doc = (await central.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/admin/optimization/trigger', '/api/v1/admin/optimizations', '/api/v1/admin/optimizations/{plan_id}', '/api/v1/admin/optimizations/{plan_id}/approve', '/api/v1/admin/optimizations/{plan_id}/reject']));
  });
});
