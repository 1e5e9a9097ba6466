/**
 * The autoscaler over the test kit with a recording ML gateway: unschedulable pods in fresh metrics lead to one
 * launch-only plan (proposed in recommend mode, approved in automate mode); pods that fit, stale metrics and a
 * plan already on its way lead to nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleClusterMetrics, exampleDecisionResponse, examplePendingPod, type ClusterMetrics } from '@cloudoptim/contracts';
import { ClusterMetricsRepository, ClustersRepository, PlansRepository, type Cluster } from '@cloudoptim/db';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { RecordingMl } from '../optimizations/recording-ml.test-support.ts';
import { DbClusterSettings } from '../settings/db-cluster-settings.ts';
import { createTestCentral, type TestCentral } from '../testing/test-central.ts';
import { Autoscaler } from './autoscaler.worker.ts';

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('autoscaler on $name', (target) => {
  let central: TestCentral;
  const ml = new RecordingMl((r) => exampleDecisionResponse({ request_id: r.request_id, cluster_id: r.cluster_id, metadata: { ...exampleDecisionResponse().metadata, nodes_added: 1, nodes_replaced: 1 } }));
  let autoscaler: Autoscaler;

  beforeAll(async () => {
    central = await createTestCentral({ target, overrides: { ml } });
    autoscaler = new Autoscaler(central.ctx);
  }, 60_000);
  afterAll(() => central?.close());

  async function clusterWith(metrics: (now: string) => Partial<ClusterMetrics>): Promise<Cluster> {
    const { customerId } = await central.createCustomer();
    const { clusterId } = await central.registerCluster(customerId);
    const now = new Date(central.clock.now()).toISOString();
    await new ClusterMetricsRepository(central.db.db).storeLatest(customerId, clusterId, exampleClusterMetrics({ cluster_id: clusterId, timestamp: now, ...metrics(now) }), new Date(now));
    return new ClustersRepository(central.db.db).get(customerId, clusterId);
  }
  const stuckPod = (now: string) => ({ pending_pod_details: [examplePendingPod({ pending_since: new Date(Date.parse(now) - 120_000).toISOString() })] });

  it('plans launch-only capacity for pods that fit no node, once', async () => {
    const cluster = await clusterWith(stuckPod);
    const calls = ml.requests.length;
    const planId = await autoscaler.check(cluster);
    expect(planId).not.toBeNull();
    const request = ml.requests.at(-1)!;
    expect(request).toMatchObject({ cluster_id: cluster.id, decision_type: 'spot_optimize', metadata: { trigger: 'pending_pods', requested_by: 'system:autoscaler' } });
    expect(request.requirements).toMatchObject({ cpu_cores: 2, availability_zones: ['us-east-1a', 'us-east-1b'] });
    const plan = (await new PlansRepository(central.db.db).find(cluster.customerId, planId!))!;
    expect(plan).toMatchObject({ trigger: 'pending_pods', status: 'proposed', createdBy: 'system:autoscaler' });
    expect(plan.steps.map((s) => s.action)).toEqual(['launch_instances', 'wait_for_nodes_ready']);
    expect(plan.steps[0]?.parameters).toMatchObject({ count: 1 });

    expect(await autoscaler.check(cluster)).toBeNull();
    expect(ml.requests.length).toBe(calls + 1);
  });

  it('in automate mode the plan is approved for the executor', async () => {
    const cluster = await clusterWith(stuckPod);
    await new DbClusterSettings(central.db, central.clock).update(cluster.customerId, cluster.id, { automation_mode: 'automate' });
    const planId = await autoscaler.check(cluster);
    expect((await new PlansRepository(central.db.db).find(cluster.customerId, planId!))?.status).toBe('approved');
  });

  it('does nothing when the pods fit, the metrics are stale, or the pods wait in an excluded namespace', async () => {
    const calls = ml.requests.length;
    const fits = await clusterWith((now) => ({ pending_pod_details: [examplePendingPod({ pending_since: new Date(Date.parse(now) - 120_000).toISOString(), requirements: { ...examplePendingPod().requirements, node_selector: {}, cpu_request_millicores: 100 } })] }));
    expect(await autoscaler.check(fits)).toBeNull();
    const stale = await clusterWith((now) => ({ ...stuckPod(now), timestamp: new Date(Date.parse(now) - 600_000).toISOString() }));
    expect(await autoscaler.check(stale)).toBeNull();
    const excluded = await clusterWith(stuckPod);
    await new DbClusterSettings(central.db, central.clock).update(excluded.customerId, excluded.id, { excluded_namespaces: ['batch'] });
    expect(await autoscaler.check(excluded)).toBeNull();
    expect(ml.requests.length).toBe(calls);
  });

  it('a tick covers every cluster and survives one that fails', async () => {
    const ok = await clusterWith(stuckPod);
    const before = ml.requests.length;
    const answer = ml.answer;
    ml.answer = (r) => {
      if (r.cluster_id !== ok.id) throw new Error('the ML server is having a bad day');
      return answer(r);
    };
    try {
      await autoscaler.tick();
    } finally {
      ml.answer = answer;
    }
    expect(ml.requests.slice(before).map((r) => r.cluster_id)).toContain(ok.id);
    expect((await new PlansRepository(central.db.db).listForCluster(ok.customerId, ok.id, ['proposed'])).length).toBe(1);
  });
});
