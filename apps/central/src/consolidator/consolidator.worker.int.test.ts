/**
 * The consolidator over the test kit with a recording ML gateway: a bin-pack decision within the disruption
 * budget, stored per the mode; at most once per period; skipped while a plan runs, while its proposal waits,
 * and when there is nothing to consolidate (nothing stored).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleDecisionResponse } from '@cloudoptim/contracts';
import { PlansRepository } from '@cloudoptim/db';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { freshMetrics as freshMetricsOf, greenCluster as greenClusterOf, setHealth as setHealthOf } from '../optimizations/green-cluster.test-support.ts';
import { RecordingMl } from '../optimizations/recording-ml.test-support.ts';
import { DbClusterSettings } from '../settings/db-cluster-settings.ts';
import { createTestCentral, type TestCentral } from '../testing/test-central.ts';
import { Consolidator } from './consolidator.worker.ts';

const HOUR = 3_600_000;

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('consolidator on $name', (target) => {
  let central: TestCentral;
  const ml = new RecordingMl((r) => exampleDecisionResponse({ request_id: r.request_id, decision_type: 'bin_pack', cluster_id: r.cluster_id }));

  beforeAll(async () => {
    central = await createTestCentral({ target, overrides: { ml } });
  }, 60_000);
  afterAll(() => central?.close());

  const greenCluster = () => greenClusterOf(central);
  const freshMetrics = (customerId: string, clusterId: string) => freshMetricsOf(central, customerId, clusterId);
  const setHealth = (customerId: string, clusterId: string, health: 'GREEN' | 'RED') => setHealthOf(central, customerId, clusterId, health);

  it('asks for a bin-pack within the disruption budget, at most once per period, not while its proposal waits', async () => {
    const consolidator = new Consolidator(central.ctx, { periodMs: HOUR });
    const cluster = await greenCluster();
    await new DbClusterSettings(central.db, central.clock).update(cluster.customerId, cluster.id, { max_nodes_in_flight: 3, max_disruption_percent: 20 });
    const planId = await consolidator.check(cluster);
    const request = ml.requests.at(-1)!;
    expect(request).toMatchObject({ decision_type: 'bin_pack', metadata: { trigger: 'consolidation', requested_by: 'system:consolidator' } });
    // The metrics report 2 nodes: 20 % of 2 is under one node, so the budget is its floor of 1.
    expect(request.constraints.max_nodes_disrupted).toBe(1);
    const plans = new PlansRepository(central.db.db);
    expect((await plans.find(cluster.customerId, planId!))).toMatchObject({ trigger: 'consolidator', status: 'proposed', decisionType: 'bin_pack' });

    const calls = ml.requests.length;
    expect(await consolidator.check(cluster)).toBeNull();
    await central.clock.advance(HOUR + 1);
    await freshMetrics(cluster.customerId, cluster.id);
    expect(await consolidator.check(cluster)).toBeNull();
    expect(ml.requests.length).toBe(calls);

    await plans.transition(cluster.customerId, planId!, ['proposed'], 'rejected');
    expect(await consolidator.check(cluster)).not.toBeNull();
  });

  it('skips a cluster with a plan running, one that is not GREEN, and stores nothing when there is nothing to do', async () => {
    const consolidator = new Consolidator(central.ctx, { periodMs: HOUR });
    const busy = await greenCluster();
    const plans = new PlansRepository(central.db.db);
    const running = await new Consolidator(central.ctx).check(busy);
    await plans.transition(busy.customerId, running!, ['proposed'], 'running');
    const calls = ml.requests.length;
    expect(await consolidator.check(busy)).toBeNull();

    const red = await greenCluster();
    expect(await consolidator.check(await setHealth(red.customerId, red.id, 'RED'))).toBeNull();
    expect(ml.requests.length).toBe(calls);

    const idle = await greenCluster();
    const answer = ml.answer;
    ml.answer = (r) => ({ ...answer(r), outcome: 'nothing_to_do', outcome_reason: 'nothing to consolidate', execution_plan: [], recommendations: [], estimated_savings: 0 });
    try {
      expect(await consolidator.check(idle)).toBeNull();
    } finally {
      ml.answer = answer;
    }
    expect((await plans.list(idle.customerId)).total).toBe(0);
  });

  it('in automate mode the consolidation is approved for the executor', async () => {
    const cluster = await greenCluster();
    await new DbClusterSettings(central.db, central.clock).update(cluster.customerId, cluster.id, { automation_mode: 'automate' });
    const planId = await new Consolidator(central.ctx).check(cluster);
    expect((await new PlansRepository(central.db.db).find(cluster.customerId, planId!))?.status).toBe('approved');
  });
});
