/**
 * The savings verifier over the executor harness: a replacement plan run by the real executor (which samples the
 * cluster's cost when the plan starts), the agent's next report showing the new Spot node in place of the
 * on-demand one, and half an hour later the plan's actual savings recorded once, next to its estimate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeCloudProvider } from '@cloudoptim/cloud';
import { NodesRepository, SavingsLedgerRepository } from '@cloudoptim/db';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { approvedPlan, createExecutorHarness, replacementSteps, runToEnd, type ExecutorHarness } from '../executor/executor.test-support.ts';
import { PlanExecutor } from '../executor/plan-executor.ts';
import { CostSampler } from './cost-sampler.ts';
import { SavingsVerifier } from './savings-verifier.ts';

const MINUTE = 60_000;

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('savings verifier on $name', (target) => {
  let harness: ExecutorHarness;
  beforeAll(async () => {
    harness = await createExecutorHarness(target);
  });
  afterAll(() => harness?.close());

  it('records a succeeded plan\'s actual savings once it has settled, once', async () => {
    const s = await harness.cluster(new FakeCloudProvider());
    const fake = s.provider as FakeCloudProvider;
    const ctx = s.central.ctx;
    const [old] = await s.oldNodes(2);
    fake.settle();
    const plan = await approvedPlan(s, replacementSteps([old!], { zone: 'us-east-1b', launchCount: 1 }));
    const sampler = new CostSampler(ctx);
    const executor = new PlanExecutor(ctx, { readiness: s.readiness, onStart: (_p, cluster) => sampler.sample(cluster) });
    const done = await runToEnd(s, executor, plan.id, { between: async () => fake.settle() });
    expect(done.status).toBe('succeeded');

    // The agent's next report: the old on-demand node gone, the launched Spot node in its place.
    const nodes = new NodesRepository(s.central.db.db);
    await nodes.removeByInstanceId(s.customerId, s.clusterId, old!.instanceId);
    const launched = (done.steps[0]!.outcome?.instance_ids as string[])[0]!;
    await nodes.upsert(s.customerId, s.clusterId, { nodeName: 'new-spot-node', instanceId: launched, instanceType: 'm5.large', availabilityZone: 'us-east-1b', capacityType: 'spot', cpuAllocatableCores: 1.9, memoryAllocatableGb: 7, cpuAllocatedCores: 1, memoryAllocatedGb: 3, cpuUsedCores: 0.5, memoryUsedGb: 2, podCount: 5 });

    const verifier = new SavingsVerifier(ctx);
    await verifier.tick();
    expect((await s.plans.find(s.customerId, plan.id))?.actualSavingsMonthly).toBeNull(); // not settled yet

    await s.central.clock.advance(31 * MINUTE);
    await verifier.tick();
    await verifier.tick();
    const onDemand = ctx.market.onDemandPrice('us-east-1', 'm5.large')!.usdPerHour;
    const spot = (await ctx.market.spotPriceHistory()).priceAt('us-east-1b', 'm5.large', new Date(s.central.clock.now()))!;
    const ledger = await new SavingsLedgerRepository(s.central.db.db).listForPlan(s.customerId, plan.id);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]!.predictedMonthly).toBe(plan.estimatedSavingsMonthly);
    expect(ledger[0]!.actualMonthly).toBeCloseTo((onDemand - spot) * 730, 0);
    expect(ledger[0]!.details).toMatchObject({ before_cost_per_hour: expect.closeTo(2 * onDemand, 4), after_cost_per_hour: expect.closeTo(onDemand + spot, 4) });
    expect((await s.plans.find(s.customerId, plan.id))?.actualSavingsMonthly).toBe(ledger[0]!.actualMonthly);
  });

  it('measures nothing for a plan without a cost sample from its start', async () => {
    const s = await harness.cluster(new FakeCloudProvider());
    const fake = s.provider as FakeCloudProvider;
    const [old] = await s.oldNodes(1);
    fake.settle();
    const plan = await approvedPlan(s, replacementSteps([old!], { zone: 'us-east-1b', launchCount: 1 }));
    await runToEnd(s, s.executor(), plan.id, { between: async () => fake.settle() });
    await s.central.clock.advance(31 * MINUTE);
    await new SavingsVerifier(s.central.ctx).tick();
    expect(await new SavingsLedgerRepository(s.central.db.db).listForPlan(s.customerId, plan.id)).toEqual([]);
  });

  it('does not measure the autoscaler\'s launch-only plans (capacity for pending pods, not a saving)', async () => {
    const s = await harness.cluster(new FakeCloudProvider());
    const fake = s.provider as FakeCloudProvider;
    const [old] = await s.oldNodes(1);
    fake.settle();
    const plan = await approvedPlan(s, replacementSteps([old!], { zone: 'us-east-1b', launchCount: 1 }));
    await s.central.db.query("UPDATE plans SET trigger = 'pending_pods' WHERE id = $1", [plan.id]);
    const sampler = new CostSampler(s.central.ctx);
    await runToEnd(s, new PlanExecutor(s.central.ctx, { readiness: s.readiness, onStart: (_p, cluster) => sampler.sample(cluster) }), plan.id, { between: async () => fake.settle() });
    await s.central.clock.advance(31 * MINUTE);
    await new SavingsVerifier(s.central.ctx).tick();
    expect(await new SavingsLedgerRepository(s.central.db.db).listForPlan(s.customerId, plan.id)).toEqual([]);
  });
});
