import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterMetricsRepository, type MetricsValues } from '@cloudoptim/db';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { createTestCentral, type TestCentral, type TestCluster, type TestCustomer } from '../testing/test-central.ts';
import { createMetricsRetentionWorker, MetricsRetention } from './metrics-retention.worker.ts';

const DAY = 24 * 3600 * 1000;

function values(cpuUsedCores: number): MetricsValues {
  return { nodeCount: 1, spotNodeCount: 1, podCount: 3, pendingPods: 0, cpuAllocatableCores: 2, cpuAllocatedCores: 1, cpuUsedCores, memoryAllocatableGb: 8, memoryAllocatedGb: 4, memoryUsedGb: null, costPerHour: 0.05, baselineCostPerHour: 0.1 };
}

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('metrics retention on $name', (target) => {
  let central: TestCentral;
  let acme: TestCustomer;
  let a: TestCluster;

  beforeAll(async () => {
    central = await createTestCentral({ target });
    acme = await central.createCustomer('Acme');
    a = await central.registerCluster(acme.customerId, 'prod');
  });
  afterAll(() => central?.close());

  it('rolls raw samples older than the raw retention into hours, then deletes hours past theirs', async () => {
    const repo = new ClusterMetricsRepository(central.db.db);
    const start = central.clock.now();
    for (const [minute, cpu] of [[0, 1], [1, 3], [2, 5]] as const) {
      await repo.appendSample(acme.customerId, a.clusterId, { sampledAt: new Date(start + minute * 60_000), cluster: values(cpu), nodes: [{ nodeName: 'node-a', ...values(cpu) }] });
    }
    const retention = new MetricsRetention(central.ctx, { rawDays: 7, hourlyDays: 30 });
    expect(await retention.step()).toEqual({ clusters: 0, rolledUp: 0, deleted: 0 });

    await central.clock.set(start + 8 * DAY);
    expect(await retention.step()).toEqual({ clusters: 1, rolledUp: 6, deleted: 0 });
    const history = await repo.history(acme.customerId, a.clusterId, { from: new Date(start - DAY), to: new Date(start + DAY) });
    expect(history.map((p) => [p.resolutionSeconds, p.sampleCount, p.cpuUsedCores, p.memoryUsedGb])).toEqual([[3600, 3, 3, null]]);

    await central.clock.set(start + 31 * DAY);
    await createMetricsRetentionWorker(central.ctx, { hourlyDays: 30 }).tick();
    expect(await repo.history(acme.customerId, a.clusterId, { from: new Date(start - DAY), to: new Date(start + DAY), nodeName: 'node-a' })).toEqual([]);
  });
});
