/**
 * The swap-back worker through the test kit (real optimizer, plans and settings; a scripted ML server): an
 * on-demand replacement old enough goes back to Spot through a spot_optimize plan, with hysteresis.
 */
import { exampleClusterMetrics, exampleDecisionResponse, exampleNodeMetric, exampleOnDemandNodeMetric, exampleRecommendation, type DecisionRequest, type DecisionResponse } from '@cloudoptim/contracts';
import { ClusterMetricsRepository, PlansRepository, SpotEventsRepository, SpotReplacementsRepository } from '@cloudoptim/db';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { ManualClock } from '@cloudoptim/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCentral, type TestCentral } from '../testing/test-central.ts';
import { ScriptedMl } from './spot-handler.test-support.ts';
import { createSpotSwapBackWorker, swapBackOnly } from './swap-back.worker.ts';

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const REPLACEMENT = 'i-0cccccccccccccccc';
const MINUTE = 60_000;

/** A plan that launches a Spot node and drains + terminates the on-demand replacement. */
function swapPlan(request: DecisionRequest, risk = 0.2): DecisionResponse {
  const target = { node_name: 'ip-10-0-3-3.ec2.internal', instance_id: REPLACEMENT };
  return exampleDecisionResponse({
    request_id: request.request_id,
    cluster_id: request.cluster_id,
    recommendations: [exampleRecommendation({ instance_type: 'm5a.large', availability_zone: 'us-east-1b', node_count: 1, risk_score: risk })],
    execution_plan: [
      { step: 1, action: 'launch_instances', depends_on: [], not_before: null, parameters: { instance_type: 'm5a.large', availability_zone: 'us-east-1b', capacity_type: 'spot', count: 1, on_demand_fallback: true, labels: {}, taints: [] } },
      { step: 2, action: 'wait_for_nodes_ready', depends_on: [1], not_before: null, parameters: { count: 1, node_names: [], timeout_seconds: 900 } },
      { step: 3, action: 'drain_node', depends_on: [2], not_before: null, parameters: { ...target, grace_period_seconds: null, timeout_seconds: 900, respect_pdb: true, ignore_daemonsets: true, delete_emptydir_data: true, include_do_not_disrupt: false } },
      { step: 4, action: 'terminate_instances', depends_on: [3], not_before: null, parameters: { instance_ids: [REPLACEMENT] } },
    ],
  });
}

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('spot swap-back on $name', (target) => {
  let central: TestCentral;
  let risk = 0.2;
  const ml = new ScriptedMl((req) => swapPlan(req, risk));

  beforeAll(async () => {
    central = await createTestCentral({ target, clock: new ManualClock(T0), overrides: { ml } });
  });
  afterAll(() => central?.close());

  async function replacementCluster() {
    const { customerId } = await central.createCustomer();
    const { clusterId } = await central.registerCluster(customerId);
    const metrics = exampleClusterMetrics({ cluster_id: clusterId, timestamp: new Date(T0).toISOString(), nodes: [exampleNodeMetric(), exampleOnDemandNodeMetric({ node_name: 'ip-10-0-3-3.ec2.internal', instance_id: REPLACEMENT, instance_type: 'm5.large', architecture: 'x86_64' })] });
    await new ClusterMetricsRepository(central.db.db).storeLatest(customerId, clusterId, metrics, new Date(T0));
    const { event } = await new SpotEventsRepository(central.db.db).record(customerId, { eventId: `ev-${clusterId}`, eventType: 'interruption_warning', instanceId: 'i-0aaaaaaaaaaaaaaa1', region: 'us-east-1', receivedAt: new Date(T0), interruptionTime: new Date(T0 + 2 * MINUTE), clusterId, actionTaken: 'replaced_on_demand', replacementInstanceId: REPLACEMENT });
    const replacement = await new SpotReplacementsRepository(central.db.db).record(customerId, clusterId, { spotEventId: event.id, instanceId: REPLACEMENT, instanceType: 'm5.large', availabilityZone: 'us-east-1a', capacityType: 'on-demand', launchedAt: new Date(central.clock.now()) });
    return { customerId, clusterId, replacement };
  }
  const status = async (customerId: string) => (await new SpotReplacementsRepository(central.db.db).list(customerId))[0];

  it('waits for the minimum age on on-demand, then plans the swap back as a spot_optimize plan', async () => {
    const { customerId, clusterId } = await replacementCluster();
    const worker = createSpotSwapBackWorker(central.ctx, { minOnDemandAgeMs: 30 * MINUTE });
    const before = ml.requests.length;
    await central.clock.advance(10 * MINUTE);
    await worker.tick();
    expect(ml.requests.length).toBe(before);
    expect((await status(customerId))?.status).toBe('active');

    await central.clock.advance(21 * MINUTE);
    await worker.tick();
    const replacement = await status(customerId);
    expect(replacement).toMatchObject({ status: 'swap_planned', swapPlanId: expect.any(String) });
    const plan = await new PlansRepository(central.db.db).find(customerId, replacement!.swapPlanId!);
    expect(plan).toMatchObject({ clusterId, decisionType: 'spot_optimize', trigger: 'spot_handler', status: 'proposed', createdBy: 'system:spot-swap-back' });
    expect(plan?.steps.map((s) => s.action)).toEqual(['launch_instances', 'wait_for_nodes_ready', 'drain_node', 'terminate_instances']);

    await worker.tick(); // a plan is pending: nothing more
    expect((await new PlansRepository(central.db.db).list(customerId)).items).toHaveLength(1);
  });

  it('keeps the replacement on on-demand while the Spot pool is above the risk limit, and retries a rejected swap only after the cool-down', async () => {
    const { customerId } = await replacementCluster();
    const worker = createSpotSwapBackWorker(central.ctx, { minOnDemandAgeMs: 30 * MINUTE, maxRiskScore: 0.5, retryCooldownMs: 6 * 60 * MINUTE });
    await central.clock.advance(31 * MINUTE);
    risk = 0.6;
    await worker.tick();
    expect((await status(customerId))?.status).toBe('active');
    expect((await new PlansRepository(central.db.db).list(customerId)).items).toHaveLength(0);

    risk = 0.2;
    await worker.tick();
    const planned = await status(customerId);
    expect(planned?.status).toBe('swap_planned');
    await new PlansRepository(central.db.db).transition(customerId, planned!.swapPlanId!, ['proposed'], 'rejected', { finishedAt: new Date(central.clock.now()) });
    await worker.tick();
    expect(await status(customerId)).toMatchObject({ status: 'active', swapNote: expect.stringContaining('rejected') });
    expect((await new PlansRepository(central.db.db).list(customerId)).items).toHaveLength(1);

    await central.clock.advance(6 * 60 * MINUTE);
    await worker.tick();
    expect((await status(customerId))?.status).toBe('swap_planned');
    expect((await new PlansRepository(central.db.db).list(customerId)).items).toHaveLength(2);
  });

  it('keeps only decisions that are safe swaps of a replacement', () => {
    const request = { request_id: 'r-1', cluster_id: 'c-1' } as DecisionRequest;
    const keep = swapBackOnly([REPLACEMENT], 0.5);
    expect(keep(swapPlan(request)).execution_plan).toHaveLength(4);
    expect(keep(swapPlan(request, 0.7))).toMatchObject({ outcome: 'nothing_to_do', execution_plan: [] });
    expect(swapBackOnly(['i-0dddddddddddddddd'], 0.5)(swapPlan(request))).toMatchObject({ outcome: 'nothing_to_do', outcome_reason: 'the plan would not replace the on-demand replacements' });
  });
});
