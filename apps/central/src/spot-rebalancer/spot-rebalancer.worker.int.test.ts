/**
 * The Spot rebalancer over the test kit with a recording ML gateway: a scheduled spot-optimize decision stored
 * per the mode, not while a consolidation changes the cluster's nodes, and at most once per period.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleDecisionResponse } from '@cloudoptim/contracts';
import { PlansRepository } from '@cloudoptim/db';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { Consolidator } from '../consolidator/consolidator.worker.ts';
import { greenCluster } from '../optimizations/green-cluster.test-support.ts';
import { RecordingMl } from '../optimizations/recording-ml.test-support.ts';
import { DbClusterSettings } from '../settings/db-cluster-settings.ts';
import { createTestCentral, type TestCentral } from '../testing/test-central.ts';
import { SpotRebalancer } from './spot-rebalancer.worker.ts';

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('spot rebalancer on $name', (target) => {
  let central: TestCentral;
  const ml = new RecordingMl((r) => exampleDecisionResponse({ request_id: r.request_id, decision_type: r.decision_type, cluster_id: r.cluster_id }));

  beforeAll(async () => {
    central = await createTestCentral({ target, overrides: { ml } });
  }, 60_000);
  afterAll(() => central?.close());

  it('in automate mode a scheduled spot-optimize plan is approved for the executor, once per period', async () => {
    const cluster = await greenCluster(central);
    await new DbClusterSettings(central.db, central.clock).update(cluster.customerId, cluster.id, { automation_mode: 'automate' });
    const rebalancer = new SpotRebalancer(central.ctx, { periodMs: 30 * 60_000 });
    const planId = await rebalancer.check(cluster);
    expect(ml.requests.at(-1)).toMatchObject({ decision_type: 'spot_optimize', metadata: { requested_by: 'system:spot-rebalancer' } });
    const plans = new PlansRepository(central.db.db);
    expect(await plans.find(cluster.customerId, planId!)).toMatchObject({ trigger: 'schedule', status: 'approved', decisionType: 'spot_optimize' });

    await plans.transition(cluster.customerId, planId!, ['approved'], 'succeeded');
    const calls = ml.requests.length;
    expect(await rebalancer.check(cluster)).toBeNull(); // within the period
    await central.clock.advance(30 * 60_000 + 1);
    expect(await rebalancer.check(cluster)).toBeNull(); // past it, but the metrics are stale now
    expect(ml.requests.length).toBe(calls);
  });

  it('in recommend mode the plan waits for a person, and a running consolidation holds it back', async () => {
    const cluster = await greenCluster(central);
    const consolidation = await new Consolidator(central.ctx).check(cluster);
    const plans = new PlansRepository(central.db.db);
    await plans.transition(cluster.customerId, consolidation!, ['proposed'], 'running');
    const rebalancer = new SpotRebalancer(central.ctx);
    expect(await rebalancer.check(cluster)).toBeNull();

    await plans.transition(cluster.customerId, consolidation!, ['running'], 'succeeded');
    const planId = await rebalancer.check(cluster);
    expect(await plans.find(cluster.customerId, planId!)).toMatchObject({ trigger: 'schedule', status: 'proposed', decisionType: 'spot_optimize' });
  });
});
