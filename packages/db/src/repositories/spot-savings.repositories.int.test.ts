/** SpotEvents (update, filtered lists), SpotReplacements, node removal, CostSamples and office hours on PGlite and PostgreSQL. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '@cloudoptim/contracts';
import {
  ClustersRepository,
  CostSamplesRepository,
  CustomersRepository,
  NodesRepository,
  OfficeHoursRepository,
  SpotEventsRepository,
  SpotReplacementsRepository,
  type Cluster,
  type Customer,
  type Database,
  type SpotEvent,
} from '../index.ts';
import { createScratchDatabase, testDatabaseTargets, type ScratchDatabase } from '../testing/test-databases.ts';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isAppError(error)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error.code;
}

const T0 = new Date('2026-01-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('spot and savings repositories on $name', (target) => {
  let scratch: ScratchDatabase;
  let database: Database;
  let events: SpotEventsRepository;
  let replacements: SpotReplacementsRepository;
  let samples: CostSamplesRepository;
  let alice: Customer;
  let bob: Customer;
  let aliceProd: Cluster;
  let aliceDev: Cluster;
  let bobProd: Cluster;

  beforeAll(async () => {
    scratch = await createScratchDatabase(target);
    database = await scratch.open();
    const customers = new CustomersRepository(database.db);
    const clusters = new ClustersRepository(database.db);
    events = new SpotEventsRepository(database.db);
    replacements = new SpotReplacementsRepository(database.db);
    samples = new CostSamplesRepository(database.db);
    alice = await customers.create({ name: 'Alice Corp' });
    bob = await customers.create({ name: 'Bob Ltd' });
    aliceProd = await clusters.create(alice.id, { name: 'prod', region: 'us-east-1' });
    aliceDev = await clusters.create(alice.id, { name: 'dev', region: 'us-east-1' });
    bobProd = await clusters.create(bob.id, { name: 'prod', region: 'eu-west-1' });
  });
  afterAll(async () => {
    await database?.close();
    await scratch?.dispose();
  });

  describe('spot events', () => {
    let warning: SpotEvent;
    beforeAll(async () => {
      ({ event: warning } = await events.record(alice.id, { eventId: 'ev-1', eventType: 'interruption_warning', instanceId: 'i-0aaaaaaaaaaaaaaa1', region: 'us-east-1', receivedAt: at(0), interruptionTime: at(2), clusterId: aliceProd.id, actionTaken: 'pending' }));
      await events.record(alice.id, { eventId: 'ev-2', eventType: 'rebalance_recommendation', instanceId: 'i-0aaaaaaaaaaaaaaa2', region: 'us-east-1', receivedAt: at(10), clusterId: aliceDev.id });
      await events.record(alice.id, { eventId: 'ev-3', eventType: 'instance_terminated', instanceId: 'i-0aaaaaaaaaaaaaaa1', region: 'us-east-1', receivedAt: at(20), clusterId: aliceProd.id });
      await events.record(bob.id, { eventId: 'ev-1', eventType: 'interruption_warning', instanceId: 'i-0bbbbbbbbbbbbbbb1', region: 'eu-west-1', receivedAt: at(5), interruptionTime: at(7), clusterId: bobProd.id });
    });

    it('updates what handling did, only for the owner', async () => {
      const updated = await events.update(alice.id, warning.id, { actionTaken: 'replaced_spot', replacementInstanceId: 'i-0ccccccccccccccc1', nodeName: 'ip-10-0-0-1.ec2.internal', availabilityZone: 'us-east-1a' });
      expect(updated).toMatchObject({ id: warning.id, actionTaken: 'replaced_spot', replacementInstanceId: 'i-0ccccccccccccccc1', nodeName: 'ip-10-0-0-1.ec2.internal', availabilityZone: 'us-east-1a', eventType: 'interruption_warning' });
      expect(await events.update(bob.id, warning.id, { actionTaken: 'none' })).toBeNull();
      expect((await events.find(alice.id, warning.id))?.actionTaken).toBe('replaced_spot');
      expect(await events.update(alice.id, warning.id, {})).toMatchObject({ actionTaken: 'replaced_spot' });
    });

    it('filters by cluster, type and time, pages newest first, and stays in its tenant', async () => {
      expect((await events.list(alice.id)).map((e) => e.eventId)).toEqual(['ev-3', 'ev-2', 'ev-1']);
      expect((await events.list(alice.id, { clusterId: aliceProd.id })).map((e) => e.eventId)).toEqual(['ev-3', 'ev-1']);
      expect((await events.list(alice.id, { eventType: 'rebalance_recommendation' })).map((e) => e.eventId)).toEqual(['ev-2']);
      expect((await events.list(alice.id, { since: at(10) })).map((e) => e.eventId)).toEqual(['ev-3', 'ev-2']);
      expect((await events.list(alice.id, { limit: 1, offset: 1 })).map((e) => e.eventId)).toEqual(['ev-2']);
      expect(await events.list(alice.id, { clusterId: bobProd.id })).toEqual([]);
      expect((await events.listAll()).map((e) => `${e.customerId === alice.id ? 'a' : 'b'}:${e.eventId}`)).toEqual(['a:ev-3', 'a:ev-2', 'b:ev-1', 'a:ev-1']);
    });

    it('records a replacement once per instance and swaps it through its states', async () => {
      const input = { spotEventId: warning.id, instanceId: 'i-0ddddddddddddddd1', instanceType: 'm5.large', availabilityZone: 'us-east-1b', capacityType: 'on-demand' as const, launchedAt: at(1) };
      const first = await replacements.record(alice.id, aliceProd.id, input);
      expect(first).toMatchObject({ ...input, customerId: alice.id, clusterId: aliceProd.id, status: 'active', swapPlanId: null });
      expect((await replacements.record(alice.id, aliceProd.id, { ...input, launchedAt: at(3) })).id).toBe(first.id);
      expect(await codeOf(replacements.record(bob.id, aliceProd.id, { ...input, instanceId: 'i-0ddddddddddddddd2' }))).toBe('NOT_FOUND');

      expect((await replacements.swapCandidates(at(0))).map((r) => r.id)).toEqual([]);
      expect((await replacements.swapCandidates(at(1))).map((r) => r.id)).toEqual([first.id]);
      expect(await replacements.markSwapPlanned(bob.id, first.id, { planId: 'p-1', note: 'x', at: at(40) })).toBeNull();
      const planned = await replacements.markSwapPlanned(alice.id, first.id, { planId: 'p-1', note: 'safe pool m5.large/us-east-1a', at: at(40) });
      expect(planned).toMatchObject({ status: 'swap_planned', swapPlanId: 'p-1', swapRequestedAt: at(40) });
      expect(await replacements.markSwapPlanned(alice.id, first.id, { planId: 'p-2', note: 'again', at: at(41) })).toBeNull();
      expect(await replacements.swapCandidates(at(100))).toEqual([]);
      expect((await replacements.swapsInProgress()).map((r) => r.id)).toEqual([first.id]);
      // The plan did not happen: active again, but not a candidate before the cool-down.
      expect((await replacements.reopen(alice.id, first.id, 'plan rejected'))?.status).toBe('active');
      expect(await replacements.reopen(alice.id, first.id, 'again')).toBeNull();
      expect(await replacements.swapCandidates(at(100), { requestedBefore: at(39) })).toEqual([]);
      expect((await replacements.swapCandidates(at(100), { requestedBefore: at(40) })).map((r) => r.swapNote)).toEqual(['plan rejected']);
      await replacements.markSwapPlanned(alice.id, first.id, { planId: 'p-3', note: 'retry', at: at(50) });
      expect((await replacements.markTerminated(alice.id, aliceProd.id, input.instanceId))?.status).toBe('swapped');
      expect(await replacements.markTerminated(alice.id, aliceProd.id, input.instanceId)).toBeNull();

      const other = await replacements.record(alice.id, aliceProd.id, { ...input, instanceId: 'i-0ddddddddddddddd3' });
      expect(await replacements.markTerminated(bob.id, aliceProd.id, other.instanceId)).toBeNull();
      expect((await replacements.markTerminated(alice.id, aliceProd.id, other.instanceId))?.status).toBe('gone');
      expect((await replacements.list(alice.id, { clusterId: aliceProd.id })).map((r) => r.status).sort()).toEqual(['gone', 'swapped']);
      expect(await replacements.list(bob.id)).toEqual([]);
    });
  });

  describe('nodes of terminated instances', () => {
    it('removes the node of an instance, only in its own cluster', async () => {
      const nodes = new NodesRepository(database.db);
      const report = { nodeName: 'ip-10-0-0-9.ec2.internal', instanceId: 'i-0eeeeeeeeeeeeeee1', instanceType: 'm5.large', availabilityZone: 'us-east-1a', capacityType: 'spot' as const, cpuAllocatableCores: 2, memoryAllocatableGb: 8, cpuAllocatedCores: 1, memoryAllocatedGb: 2, cpuUsedCores: 0.5, memoryUsedGb: 1, podCount: 3 };
      await nodes.upsert(alice.id, aliceProd.id, report);
      expect(await nodes.removeByInstanceId(bob.id, aliceProd.id, report.instanceId)).toBeNull();
      expect(await nodes.removeByInstanceId(alice.id, aliceDev.id, report.instanceId)).toBeNull();
      expect(await nodes.removeByInstanceId(alice.id, aliceProd.id, report.instanceId)).toMatchObject({ nodeName: report.nodeName, clusterId: aliceProd.id });
      expect(await nodes.list(alice.id, aliceProd.id)).toEqual([]);
    });
  });

  describe('cost samples', () => {
    const sample = (minutes: number, cost: number) => ({ at: at(minutes), costPerHour: cost, baselinePerHour: 1.5, spotNodes: 2, onDemandNodes: 1, unpricedNodes: 0 });

    it('records one sample per cluster and instant, and reads ranges in tenant', async () => {
      const first = await samples.record(alice.id, aliceProd.id, sample(0, 0.5));
      expect(first).toMatchObject({ customerId: alice.id, clusterId: aliceProd.id, costPerHour: 0.5, baselinePerHour: 1.5, spotNodes: 2 });
      expect((await samples.record(alice.id, aliceProd.id, sample(0, 0.9))).id).toBe(first.id);
      await samples.record(alice.id, aliceProd.id, sample(60, 0.123456));
      await samples.record(alice.id, aliceDev.id, sample(30, 0.25));
      await samples.record(bob.id, bobProd.id, sample(30, 1));
      expect((await samples.range(alice.id, { from: at(0), to: at(60) })).map((s) => [s.clusterId === aliceProd.id ? 'prod' : 'dev', s.costPerHour]).sort()).toEqual([
        ['dev', 0.25],
        ['prod', 0.123456],
        ['prod', 0.5],
      ]);
      expect((await samples.range(alice.id, { clusterId: aliceProd.id, from: at(1), to: at(90) })).map((s) => s.costPerHour)).toEqual([0.123456]);
      expect(await samples.range(alice.id, { clusterId: bobProd.id, from: at(0), to: at(90) })).toEqual([]);
      expect(await samples.rangeAll({ from: at(0), to: at(90) })).toHaveLength(4);
      expect((await samples.latest(alice.id, aliceProd.id))?.at).toEqual(at(60));
      expect(await samples.latest(bob.id, aliceProd.id)).toBeNull();
    });

    it('rejects another customer’s cluster and negative costs', async () => {
      expect(await codeOf(samples.record(bob.id, aliceProd.id, sample(90, 1)))).toBe('NOT_FOUND');
      expect(await codeOf(samples.record(alice.id, aliceProd.id, sample(90, -1)))).toBe('VALIDATION_FAILED');
    });
  });

  describe('office hours', () => {
    it('remembers a scaled-down workload once, moves it through its states and forgets it, in its tenant', async () => {
      const repo = new OfficeHoursRepository(database.db);
      const input = { namespace: 'staging', kind: 'Deployment' as const, name: 'api', originalReplicas: 3, windowKey: 'w-1', scaledDownAt: at(0) };
      const row = await repo.remember(alice.id, aliceDev.id, input);
      expect(row).toMatchObject({ ...input, customerId: alice.id, clusterId: aliceDev.id, state: 'scaling_down', taskId: null });
      expect(await repo.remember(alice.id, aliceDev.id, { ...input, originalReplicas: 0, windowKey: 'w-2' })).toBeNull();
      expect(await codeOf(repo.remember(bob.id, aliceDev.id, { ...input, name: 'web' }))).toBe('NOT_FOUND');
      expect(await codeOf(repo.remember(alice.id, aliceDev.id, { ...input, name: 'ds', kind: 'DaemonSet' as 'Deployment' }))).toBe('VALIDATION_FAILED');
      expect(await repo.setState(bob.id, row!.id, 'down', 't-1')).toBeNull();
      expect(await repo.setState(alice.id, row!.id, 'down', 't-1')).toMatchObject({ state: 'down', taskId: 't-1', originalReplicas: 3 });
      expect(await repo.list(bob.id, aliceDev.id)).toEqual([]);
      expect((await repo.list(alice.id, aliceDev.id)).map((w) => w.name)).toEqual(['api']);
      expect(await repo.forget(bob.id, row!.id)).toBe(false);
      expect(await repo.forget(alice.id, row!.id)).toBe(true);
      expect(await repo.list(alice.id, aliceDev.id)).toEqual([]);
    });
  });
});
