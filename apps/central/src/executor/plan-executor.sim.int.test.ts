/**
 * The executor against the simulator's AWS endpoint through ConfiguredCloudAccess (the real SDK, real sockets:
 * the launch template comes from the cluster settings, AWS_ENDPOINT_URL and static keys from the config;
 * ManualClock time shared with the simulator): a plan runs to the end; a process killed while CreateFleet's
 * answer was in flight is resumed without launching again (DescribeInstances by tag); a failed plan leaves no
 * instance of its own running.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsCloudProvider, type CloudProvider, type LaunchCapacityInput, type LaunchCapacityResult } from '@cloudoptim/cloud';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { loadMarket } from '@cloudoptim/market';
import { silentLogger } from '@cloudoptim/runtime';
import { aws } from '@cloudoptim/simulator';
import { ConfiguredCloudAccess } from '../cloud/configured-cloud-access.ts';
import { PLAN_TAG } from './executor-types.ts';
import { approvedPlan, createExecutorHarness, replacementSteps, runToEnd, type ExecutorHarness, type ExecutorSetup } from './executor.test-support.ts';

const ZONE = 'us-east-1b';
const TEMPLATE = 'lt-0123456789abcdef0';

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('plan executor against the simulator on $name', (target) => {
  let harness: ExecutorHarness;
  let endpoint: aws.AwsEndpoint;
  let access: ConfiguredCloudAccess;
  let observer: AwsCloudProvider;

  beforeAll(async () => {
    harness = await createExecutorHarness(target);
    const market = loadMarket();
    endpoint = aws.createAwsEndpoint({ clock: harness.central.clock, market, priceHistory: await market.spotPriceHistory(), seed: 11, shortages: null, interruptions: { sample: false } });
    const { url } = await endpoint.start();
    const { accessKeyId, secretAccessKey } = endpoint.credentials;
    access = new ConfiguredCloudAccess({ config: { AWS_ENDPOINT_URL: url, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey }, settings: harness.central.ctx.settings, clock: harness.central.clock, log: silentLogger, maxAttempts: 1 });
    observer = new AwsCloudProvider({ region: 'us-east-1', endpoint: url, credentials: endpoint.credentials, maxAttempts: 1, clock: harness.central.clock });
  }, 120_000);
  afterAll(async () => {
    observer?.close();
    await access?.close();
    await endpoint?.stop();
    await harness?.close();
  });

  /** A cluster whose cloud is what ConfiguredCloudAccess builds for it (optionally wrapped). */
  async function simCluster(wrap: (p: CloudProvider) => CloudProvider = (p) => p): Promise<ExecutorSetup> {
    // Built once the cluster and its settings exist; the harness asks for it only when the executor runs.
    const built: { provider?: CloudProvider } = {};
    const s = await harness.cluster(observer, () => built.provider as CloudProvider);
    await s.settings({ launch_template_id: TEMPLATE });
    built.provider = wrap((await access.forCluster({ customerId: s.customerId, clusterId: s.clusterId, region: 'us-east-1' })).provider);
    return s;
  }
  const boot = () => harness.central.clock.advance(120_000);
  const planInstances = (planId: string) => observer.describeInstances({ tags: { [PLAN_TAG]: planId } });
  const alive = async (planId: string) => (await planInstances(planId)).filter((i) => i.state !== 'terminated' && i.state !== 'shutting-down');

  it('replaces an on-demand node with Spot capacity launched through CreateFleet', async () => {
    const s = await simCluster();
    const [old] = await s.oldNodes(1);
    await boot();
    const plan = await approvedPlan(s, replacementSteps([old!], { zone: ZONE, launchCount: 2 }));
    const done = await runToEnd(s, s.executor(), plan.id, { between: boot });

    expect(done.status).toBe('succeeded');
    const launched = await alive(plan.id);
    expect(launched).toHaveLength(2);
    expect(launched.every((i) => i.availabilityZone === ZONE && i.tags['cloudoptim:cluster-id'] === s.clusterId && i.tags['cloudoptim:plan-step'] === '1')).toBe(true);
    const [oldNow] = await observer.describeInstances({ ids: [old!.instanceId] });
    expect(['shutting-down', 'terminated']).toContain(oldNow?.state);
  });

  it('resumes a plan whose process died during CreateFleet, without a second launch', async () => {
    let hang = true;
    let fleets = 0;
    const s = await simCluster((p) => ({
      region: p.region,
      launchCapacity: async (input: LaunchCapacityInput): Promise<LaunchCapacityResult> => {
        fleets++;
        // Whether this call is the one that "dies" is decided when it is made: the test lifts `hang` as soon as the
        // instances exist, which can be before this call's answer arrives.
        const dies = hang;
        const result = await p.launchCapacity(input);
        return dies ? new Promise<never>(() => {}) : result;
      },
      terminateInstances: (ids) => p.terminateInstances(ids),
      describeInstances: (input) => p.describeInstances(input),
      tagInstances: (ids, tags) => p.tagInstances(ids, tags),
      spotPriceHistory: (input) => p.spotPriceHistory(input),
      availabilityZones: () => p.availabilityZones(),
    }));
    const [old] = await s.oldNodes(1);
    await boot();
    const plan = await approvedPlan(s, replacementSteps([old!], { zone: ZONE, launchCount: 2 }));

    void s.executor().tick(); // killed while CreateFleet's answer is in flight
    await expect.poll(async () => (await planInstances(plan.id)).length, { timeout: 10_000 }).toBe(2);
    hang = false;
    const done = await runToEnd(s, s.executor(), plan.id, { between: boot });

    expect(done.status).toBe('succeeded');
    expect(done.steps[0]).toMatchObject({ attempt: 2, outcome: expect.objectContaining({ reconciled: true }) });
    expect(fleets).toBe(1);
    expect(await alive(plan.id)).toHaveLength(2);
  });

  it('a failed drain rolls the plan back: nothing it launched is left running', async () => {
    const s = await simCluster();
    const [old] = await s.oldNodes(1);
    await boot();
    const plan = await approvedPlan(s, replacementSteps([old!], { zone: ZONE, launchCount: 2 }));
    const executor = s.executor();
    let status = 'approved';
    for (let i = 0; i < 40 && (status === 'approved' || status === 'running'); i++) {
      await executor.tick();
      await s.agent.work((task) => (task.taskType === 'drain_node' ? 'failed' : 'success'));
      await boot();
      status = (await s.plans.find(null, plan.id))!.status;
    }
    expect(status).toBe('rolled_back');
    expect(await planInstances(plan.id)).toHaveLength(2);
    expect(await alive(plan.id)).toEqual([]);
    const [oldNow] = await observer.describeInstances({ ids: [old!.instanceId] });
    expect(oldNow?.state).toBe('running');
  });
});
