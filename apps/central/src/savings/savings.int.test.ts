/**
 * Savings through the test kit: the hourly sampler prices nodes from the real market data, and the savings,
 * cost-allocation and sample-now routes answer from what it stored (scoping, tenancy, validation, auth).
 */
import { examplePodMetric, type AdminStreamEvent } from '@cloudoptim/contracts';
import { CostSamplesRepository, NodesRepository, PodsRepository, type NodeReport } from '@cloudoptim/db';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { ManualClock } from '@cloudoptim/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../testing/http-assertions.ts';
import { bearer, createTestCentral, type TestCentral, type TestCluster, type TestCustomer } from '../testing/test-central.ts';
import { createSavingsSamplerWorker } from './cost-sampler.ts';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const H = 3600_000;
const ON_DEMAND = 'i-0aaaaaaaaaaaaaaa1';
const SPOT = 'i-0aaaaaaaaaaaaaaa2';

function node(overrides: Partial<NodeReport>): NodeReport {
  return { nodeName: 'ip-10-0-1-5.ec2.internal', instanceId: ON_DEMAND, instanceType: 'm5.large', availabilityZone: 'us-east-1a', capacityType: 'on-demand', cpuAllocatableCores: 2, memoryAllocatableGb: 8, cpuAllocatedCores: 1, memoryAllocatedGb: 2, cpuUsedCores: 0.5, memoryUsedGb: 1, podCount: 2, ...overrides };
}

const r6 = (usd: number) => Math.round(usd * 1e6) / 1e6;

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('savings on $name', (target) => {
  let central: TestCentral;
  let acme: TestCustomer;
  let globex: TestCustomer;
  let prod: TestCluster;
  let dev: TestCluster;
  let globexProd: TestCluster;
  let onDemand: number;
  let spot: number;
  const published: AdminStreamEvent[] = [];

  beforeAll(async () => {
    central = await createTestCentral({ target, clock: new ManualClock(T0) });
    central.ctx.realtime.subscribeAdmin({ customerId: undefined, send: (e) => published.push(e) });
    acme = await central.createCustomer('Acme');
    globex = await central.createCustomer('Globex');
    prod = await central.registerCluster(acme.customerId, 'prod');
    dev = await central.registerCluster(acme.customerId, 'dev');
    globexProd = await central.registerCluster(globex.customerId, 'prod');
    const nodes = new NodesRepository(central.db.db);
    await nodes.upsert(acme.customerId, prod.clusterId, node({}));
    await nodes.upsert(acme.customerId, prod.clusterId, node({ nodeName: 'ip-10-0-2-6.ec2.internal', instanceId: SPOT, availabilityZone: 'us-east-1b', capacityType: 'spot' }));
    await nodes.upsert(globex.customerId, globexProd.clusterId, node({ capacityType: 'on-demand' }));
    onDemand = central.ctx.market.onDemandPrice('us-east-1', 'm5.large')!.usdPerHour;
    spot = (await central.ctx.market.spotPriceHistory()).priceAt('us-east-1b', 'm5.large', new Date(T0)) ?? onDemand;

    // Samples at T0 and T0+1h with both nodes, at T0+2h after the Spot node left.
    const worker = createSavingsSamplerWorker(central.ctx);
    await worker.tick();
    await central.clock.advance(H / 2);
    await worker.tick(); // too soon: no second sample
    await central.clock.advance(H / 2);
    await worker.tick();
    await nodes.removeByInstanceId(acme.customerId, prod.clusterId, SPOT);
    await central.clock.advance(H);
    await worker.tick();
  });
  afterAll(() => central?.close());

  const get = (url: string, token?: string) => central.app.inject({ method: 'GET', url, headers: token ? bearer(token) : {} });
  const iso = (ms: number) => encodeURIComponent(new Date(ms).toISOString());
  const window = `from=${iso(T0)}&to=${iso(T0 + 3 * H)}&step_seconds=3600`;

  it('samples every cluster hourly from its nodes’ real prices (Spot price of the pool, on-demand otherwise)', async () => {
    const samples = await new CostSamplesRepository(central.db.db).range(acme.customerId, { clusterId: prod.clusterId, from: new Date(0), to: new Date(T0 + 3 * H) });
    expect(samples.map((s) => [s.at.getTime() - T0, s.costPerHour, s.baselinePerHour, s.spotNodes, s.onDemandNodes])).toEqual([
      [0, r6(onDemand + spot), r6(2 * onDemand), 1, 1],
      [H, r6(onDemand + spot), r6(2 * onDemand), 1, 1],
      [2 * H, r6(onDemand), r6(onDemand), 0, 1],
    ]);
    expect(spot).toBeLessThan(onDemand);
    const event = published.find((e) => e.type === 'savings_updated' && e.cluster_id === prod.clusterId && e.as_of === new Date(T0 + H).toISOString());
    expect(event).toMatchObject({ savings_per_hour: r6(onDemand - spot), cumulative_savings: r6(onDemand - spot) });
    const gauges = await central.ctx.metrics.getSingleMetricAsString('cloudoptim_central_cluster_cumulative_savings_usd');
    expect(gauges).toContain(`cluster_id="${prod.clusterId}"`);
    expect(gauges).toMatch(new RegExp(`cluster_id="${prod.clusterId}"[^}]*\\} ${r6(2 * (onDemand - spot))}`));
  });

  it('answers savings per cluster and in total: now, per month, cumulative and over time', async () => {
    const res = await get(`/api/v1/admin/savings?${window}`, acme.viewer.token);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const saved = r6(onDemand - spot);
    const byName = Object.fromEntries(body.clusters.map((c: { cluster_name: string }) => [c.cluster_name, c]));
    expect(Object.keys(byName).sort()).toEqual(['dev', 'prod']);
    expect(byName.prod).toMatchObject({
      cluster_id: prod.clusterId,
      as_of: new Date(T0 + 2 * H).toISOString(),
      current_cost_per_hour: r6(onDemand),
      baseline_cost_per_hour: r6(onDemand),
      savings_per_hour: 0,
      savings_per_month: 0,
      cumulative_savings: r6(2 * saved),
      period: { cost: r6(2 * (onDemand + spot) + onDemand), baseline: r6(5 * onDemand), savings: r6(2 * saved), covered_hours: 3 },
    });
    expect(byName.prod.series.map((p: { savings: number }) => p.savings)).toEqual([saved, saved, 0]);
    expect(byName.dev).toMatchObject({ current_cost_per_hour: 0, cumulative_savings: 0, savings_percent: null });
    expect(body.total).toMatchObject({ current_cost_per_hour: r6(onDemand), cumulative_savings: r6(2 * saved) });
    expect(body.total.series).toHaveLength(3);
    expect(body.plans).toEqual([]);

    // While both nodes ran: the rate now, per month (×730) and as a percentage of the baseline.
    const earlier = (await get(`/api/v1/admin/savings?cluster_id=${prod.clusterId}&from=${iso(T0)}&to=${iso(T0 + 1.5 * H)}&step_seconds=3600`, acme.admin.token)).json();
    expect(earlier.clusters[0]).toMatchObject({ savings_per_hour: saved, savings_per_month: r6(saved * 730), savings_percent: Math.round((saved / (2 * onDemand)) * 10_000) / 100 });
  });

  it('scopes savings by customer and shows operators every cluster', async () => {
    const globexView = (await get(`/api/v1/admin/savings?${window}`, globex.admin.token)).json();
    expect(globexView.clusters.map((c: { cluster_id: string }) => c.cluster_id)).toEqual([globexProd.clusterId]);
    expectError(await get(`/api/v1/admin/savings?cluster_id=${prod.clusterId}&${window}`, globex.admin.token), 404, 'NOT_FOUND');
    const all = (await get(`/api/v1/admin/savings?${window}`, central.operator.token)).json();
    expect(all.clusters.map((c: { cluster_id: string }) => c.cluster_id).sort()).toEqual([prod.clusterId, dev.clusterId, globexProd.clusterId].sort());
  });

  it('rejects bad windows with the envelope and needs a session', async () => {
    expectError(await get(`/api/v1/admin/savings?from=${iso(T0 + H)}&to=${iso(T0)}`, acme.admin.token), 400, 'VALIDATION_FAILED');
    expectError(await get(`/api/v1/admin/savings?from=${iso(T0 - 365 * 24 * H)}&to=${iso(T0)}&step_seconds=60`, acme.admin.token), 400, 'VALIDATION_FAILED');
    expectError(await get('/api/v1/admin/savings?step_seconds=1', acme.admin.token), 400, 'VALIDATION_FAILED');
    expectError(await get('/api/v1/admin/savings'), 401, 'UNAUTHENTICATED');
  });

  it('allocates the cluster’s cost to namespaces and workloads by requests, idle apart', async () => {
    const pods = new PodsRepository(central.db.db);
    const base = examplePodMetric();
    const container = { ...base.containers[0]!, cpu_request_millicores: 500, memory_request_bytes: 2e9 };
    await pods.replace(
      acme.customerId,
      prod.clusterId,
      [
        { ...base, namespace: 'shop', pod_name: 'web-1', node_name: 'ip-10-0-1-5.ec2.internal', phase: 'Running', owner: { kind: 'Deployment', name: 'web' }, containers: [container] },
        { ...base, namespace: 'shop', pod_name: 'web-2', node_name: 'ip-10-0-1-5.ec2.internal', phase: 'Running', owner: { kind: 'Deployment', name: 'web' }, containers: [container] },
        { ...base, namespace: 'ops', pod_name: 'debug', node_name: 'ip-10-0-1-5.ec2.internal', phase: 'Running', owner: null, containers: [{ ...container, cpu_request_millicores: 0, memory_request_bytes: 0 }] },
      ],
      new Date(central.clock.now()),
      new Date(central.clock.now()),
    );
    const res = await get(`/api/v1/admin/clusters/${prod.clusterId}/cost-allocation`, acme.viewer.token);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.total.cost_per_hour).toBeCloseTo(onDemand, 6);
    expect(body.idle.cost_per_hour).toBeCloseTo(onDemand / 2, 5);
    expect(body.namespaces.map((g: { namespace: string; pods: number }) => [g.namespace, g.pods])).toEqual([
      ['shop', 2],
      ['ops', 1],
    ]);
    expect(body.namespaces[0].cost_per_hour).toBeCloseTo(onDemand / 2, 5);
    expect(body.workloads.map((g: { kind: string; name: string }) => `${g.kind}/${g.name}`)).toEqual(['Deployment/web', 'Pod/debug']);
    expect(body.method.cpu_weight_usd_per_core_hour).toBe(0.031611);
    expectError(await get(`/api/v1/admin/clusters/${prod.clusterId}/cost-allocation`, globex.admin.token), 404, 'NOT_FOUND');
    expectError(await get(`/api/v1/admin/clusters/${prod.clusterId}/cost-allocation`), 401, 'UNAUTHENTICATED');
  });

  it('samples a cluster on demand for admins only, and only their own', async () => {
    const post = (clusterId: string, token?: string) => central.app.inject({ method: 'POST', url: `/api/v1/admin/clusters/${clusterId}/cost-samples`, headers: token ? bearer(token) : {} });
    await central.clock.advance(60_000);
    const res = await post(prod.clusterId, acme.admin.token);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ cluster_id: prod.clusterId, at: new Date(central.clock.now()).toISOString(), cost_per_hour: r6(onDemand), on_demand_nodes: 1, spot_nodes: 0 });
    expectError(await post(prod.clusterId, acme.viewer.token), 403, 'FORBIDDEN');
    expectError(await post(prod.clusterId, globex.admin.token), 404, 'NOT_FOUND');
    expectError(await post(prod.clusterId), 401, 'UNAUTHENTICATED');
  });
});
