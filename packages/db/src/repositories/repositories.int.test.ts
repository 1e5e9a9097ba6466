import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError, type AppError } from '@cloudoptim/contracts';
import {
  ClustersRepository,
  CustomersRepository,
  NodesRepository,
  SpotEventsRepository,
  type Cluster,
  type Customer,
  type Database,
  type NewSpotEvent,
  type NodeReport,
  type SpotEventType,
} from '../index.ts';
import { createScratchDatabase, testDatabaseTargets, type ScratchDatabase } from '../testing/test-databases.ts';

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isAppError(error)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

function nodeReport(overrides: Partial<NodeReport> = {}): NodeReport {
  return {
    nodeName: 'ip-10-0-1-5.ec2.internal',
    instanceId: 'i-0aaaaaaaaaaaaaaa1',
    instanceType: 'm5.large',
    availabilityZone: 'us-east-1a',
    capacityType: 'spot',
    cpuAllocatableCores: 1.93,
    memoryAllocatableGb: 7.1,
    cpuAllocatedCores: 1.2,
    memoryAllocatedGb: 3.5,
    cpuUsedCores: 0.6,
    memoryUsedGb: 2.25,
    podCount: 11,
    ...overrides,
  };
}

function spotEvent(overrides: Partial<NewSpotEvent> = {}): NewSpotEvent {
  return {
    eventId: 'a1b2c3d4-0000-4000-8000-000000000001',
    eventType: 'interruption_warning',
    instanceId: 'i-0aaaaaaaaaaaaaaa1',
    region: 'us-east-1',
    availabilityZone: 'us-east-1a',
    receivedAt: new Date('2025-03-01T10:00:00.000Z'),
    interruptionTime: new Date('2025-03-01T10:02:00.000Z'),
    ...overrides,
  };
}

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('repositories on $name', (target) => {
  let scratch: ScratchDatabase;
  let database: Database;
  let customersRepo: CustomersRepository;
  let clustersRepo: ClustersRepository;
  let nodesRepo: NodesRepository;
  let eventsRepo: SpotEventsRepository;
  let alice: Customer;
  let bob: Customer;
  let aliceCluster: Cluster;
  let bobCluster: Cluster;

  beforeAll(async () => {
    scratch = await createScratchDatabase(target);
    database = await scratch.open();
    customersRepo = new CustomersRepository(database.db);
    clustersRepo = new ClustersRepository(database.db);
    nodesRepo = new NodesRepository(database.db);
    eventsRepo = new SpotEventsRepository(database.db);
    alice = await customersRepo.create({ name: 'Alice Corp', contactEmail: 'ops@alice.example' });
    bob = await customersRepo.create({ name: 'Bob Ltd' });
    aliceCluster = await clustersRepo.create(alice.id, { name: 'prod', region: 'us-east-1', awsAccountId: '123456789012' });
    bobCluster = await clustersRepo.create(bob.id, { name: 'prod', region: 'eu-west-1' });
  });
  afterAll(async () => {
    await database?.close();
    await scratch?.dispose();
  });

  describe('customers', () => {
    it('creates, gets and lists customers as camelCase domain objects', async () => {
      expect(alice).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'Alice Corp',
        contactEmail: 'ops@alice.example',
        status: 'active',
        createdAt: expect.any(Date),
        updatedAt: expect.any(Date),
      });
      expect(await customersRepo.get(alice.id)).toEqual(alice);
      expect((await customersRepo.list()).map((customer) => customer.name)).toEqual(['Alice Corp', 'Bob Ltd']);
    });

    it('answers null / NOT_FOUND for unknown and malformed ids', async () => {
      expect(await customersRepo.find('00000000-0000-4000-8000-000000000000')).toBeNull();
      expect(await customersRepo.find('not-a-uuid')).toBeNull();
      expect((await rejection(customersRepo.get('not-a-uuid'))).code).toBe('NOT_FOUND');
    });

    it('rejects a duplicate name (case-insensitive) with CONFLICT', async () => {
      const error = await rejection(customersRepo.create({ name: 'alice corp' }));
      expect(error.code).toBe('CONFLICT');
      expect(error.details).toMatchObject({ constraint: 'customers_name_key' });
    });

    it('rejects a blank name with VALIDATION_FAILED', async () => {
      expect((await rejection(customersRepo.create({ name: '  ' }))).code).toBe('VALIDATION_FAILED');
    });
  });

  describe('clusters', () => {
    it('creates clusters with an empty state and lists them per customer', async () => {
      expect(aliceCluster).toMatchObject({ customerId: alice.id, name: 'prod', region: 'us-east-1', healthStatus: null, totalNodes: 0, currentCostPerHour: 0, lastUpdated: null });
      expect((await clustersRepo.list(alice.id)).map((cluster) => cluster.id)).toEqual([aliceCluster.id]);
      expect((await clustersRepo.list(bob.id)).map((cluster) => cluster.id)).toEqual([bobCluster.id]);
    });

    it('never shows a customer another customer’s cluster', async () => {
      expect(await clustersRepo.find(bob.id, aliceCluster.id)).toBeNull();
      expect((await rejection(clustersRepo.get(bob.id, aliceCluster.id))).code).toBe('NOT_FOUND');
      expect(await clustersRepo.get(alice.id, aliceCluster.id)).toEqual(aliceCluster);
    });

    it('stores the reported state, only for the owner', async () => {
      const state = {
        healthStatus: 'GREEN' as const,
        totalNodes: 3,
        spotNodes: 2,
        onDemandNodes: 1,
        totalCpuCores: 12,
        totalMemoryGb: 48,
        allocatedCpuCores: 7.5,
        allocatedMemoryGb: 20.25,
        totalPods: 40,
        runningPods: 38,
        pendingPods: 2,
        currentCostPerHour: 0.123456,
        baselineCostPerHour: 0.384,
        lastUpdated: new Date('2025-03-01T10:00:00.000Z'),
      };
      const updated = await clustersRepo.updateState(alice.id, aliceCluster.id, state);
      expect(updated).toMatchObject(state);
      expect((await rejection(clustersRepo.updateState(bob.id, aliceCluster.id, state))).code).toBe('NOT_FOUND');
      expect((await rejection(clustersRepo.updateState(alice.id, aliceCluster.id, { ...state, healthStatus: 'PURPLE' as 'RED' }))).code).toBe('VALIDATION_FAILED');
    });

    it('maps constraint violations to AppErrors', async () => {
      expect((await rejection(clustersRepo.create(alice.id, { name: 'prod', region: 'us-west-2' }))).code).toBe('CONFLICT');
      expect((await rejection(clustersRepo.create('00000000-0000-4000-8000-000000000000', { name: 'x', region: 'us-east-1' }))).code).toBe('NOT_FOUND');
      expect((await rejection(clustersRepo.create(alice.id, { name: 'bad-account', region: 'us-east-1', awsAccountId: '12' }))).code).toBe('VALIDATION_FAILED');
      expect((await rejection(clustersRepo.create('nope', { name: 'x', region: 'us-east-1' }))).code).toBe('VALIDATION_FAILED');
    });
  });

  describe('nodes', () => {
    it('upserts by (cluster, instance_id): a second report updates the same row', async () => {
      const first = await nodesRepo.upsert(alice.id, aliceCluster.id, nodeReport());
      expect(first).toMatchObject({ customerId: alice.id, clusterId: aliceCluster.id, instanceId: 'i-0aaaaaaaaaaaaaaa1', cpuUsedCores: 0.6, unschedulable: false });
      const second = await nodesRepo.upsert(alice.id, aliceCluster.id, nodeReport({ cpuUsedCores: 1.5, podCount: 14, unschedulable: true }));
      expect(second.id).toBe(first.id);
      expect(second).toMatchObject({ cpuUsedCores: 1.5, podCount: 14, unschedulable: true });
      expect(second.createdAt).toEqual(first.createdAt);
      expect(await nodesRepo.list(alice.id, aliceCluster.id)).toEqual([second]);
    });

    it('upserts many in one statement, the last duplicate winning', async () => {
      const stored = await nodesRepo.upsertMany(alice.id, aliceCluster.id, [
        nodeReport({ instanceId: 'i-0bbbbbbbbbbbbbbb2', nodeName: 'b', capacityType: 'on-demand' }),
        nodeReport({ instanceId: 'i-0ccccccccccccccc3', nodeName: 'c', podCount: 1 }),
        nodeReport({ instanceId: 'i-0ccccccccccccccc3', nodeName: 'c', podCount: 2 }),
      ]);
      expect(stored.map((node) => [node.instanceId, node.podCount])).toEqual([
        ['i-0bbbbbbbbbbbbbbb2', 11],
        ['i-0ccccccccccccccc3', 2],
        ['i-0ccccccccccccccc3', 2],
      ]);
      expect(await nodesRepo.list(alice.id, aliceCluster.id)).toHaveLength(3);
    });

    it('keeps nodes inside their tenant', async () => {
      const error = await rejection(nodesRepo.upsert(bob.id, aliceCluster.id, nodeReport({ instanceId: 'i-0ddddddddddddddd4' })));
      expect(error.code).toBe('NOT_FOUND');
      expect(await nodesRepo.list(bob.id, aliceCluster.id)).toEqual([]);
      expect(await nodesRepo.findByInstanceId(bob.id, 'i-0aaaaaaaaaaaaaaa1')).toBeNull();
      expect((await nodesRepo.findByInstanceId(alice.id, 'i-0aaaaaaaaaaaaaaa1'))?.clusterId).toBe(aliceCluster.id);
      // The same instance id in another customer's cluster is a different node.
      const bobs = await nodesRepo.upsert(bob.id, bobCluster.id, nodeReport());
      expect(bobs.customerId).toBe(bob.id);
      expect(await nodesRepo.list(alice.id, aliceCluster.id)).toHaveLength(3);
    });

    it('reports CHECK violations as VALIDATION_FAILED', async () => {
      expect((await rejection(nodesRepo.upsert(alice.id, aliceCluster.id, nodeReport({ cpuUsedCores: -1 })))).code).toBe('VALIDATION_FAILED');
      expect((await rejection(nodesRepo.upsert(alice.id, aliceCluster.id, nodeReport({ capacityType: 'reserved' as 'spot' })))).code).toBe('VALIDATION_FAILED');
    });
  });

  describe('spot events', () => {
    it('records an event once: the same event id again is not inserted', async () => {
      const first = await eventsRepo.record(alice.id, spotEvent({ clusterId: aliceCluster.id, nodeName: 'ip-10-0-1-5.ec2.internal' }));
      expect(first.inserted).toBe(true);
      expect(first.event).toMatchObject({ customerId: alice.id, clusterId: aliceCluster.id, eventType: 'interruption_warning', receivedAt: new Date('2025-03-01T10:00:00.000Z') });
      const again = await eventsRepo.record(alice.id, spotEvent({ clusterId: aliceCluster.id, actionTaken: 'different' }));
      expect(again).toEqual({ inserted: false, event: first.event });
      expect(await eventsRepo.list(alice.id)).toEqual([first.event]);
    });

    it('stores concurrent duplicates once', async () => {
      const results = await Promise.all(Array.from({ length: 5 }, () => eventsRepo.record(alice.id, spotEvent({ eventId: 'concurrent-1', eventType: 'rebalance_recommendation' }))));
      expect(results.filter((result) => result.inserted)).toHaveLength(1);
      expect(new Set(results.map((result) => result.event.id)).size).toBe(1);
    });

    it('keeps events inside their tenant (event ids are unique per customer)', async () => {
      const bobs = await eventsRepo.record(bob.id, spotEvent());
      expect(bobs.inserted).toBe(true);
      expect((await eventsRepo.list(bob.id)).map((event) => event.id)).toEqual([bobs.event.id]);
      expect((await eventsRepo.list(alice.id)).some((event) => event.customerId !== alice.id)).toBe(false);
      const alicesEvent = (await eventsRepo.list(alice.id, { clusterId: aliceCluster.id }))[0]!;
      expect(await eventsRepo.find(bob.id, alicesEvent.id)).toBeNull();
      expect(await eventsRepo.find(alice.id, alicesEvent.id)).toEqual(alicesEvent);
      expect(await eventsRepo.list(bob.id, { clusterId: aliceCluster.id })).toEqual([]);
      // Bob cannot attach an event to Alice's cluster.
      expect((await rejection(eventsRepo.record(bob.id, spotEvent({ eventId: 'x-1', clusterId: aliceCluster.id })))).code).toBe('NOT_FOUND');
    });

    it('reports a bad event type as VALIDATION_FAILED', async () => {
      const error = await rejection(eventsRepo.record(alice.id, spotEvent({ eventId: 'bad-type', eventType: 'meteor_strike' as SpotEventType })));
      expect(error.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('database handle', () => {
    it('rolls a transaction back when it throws, and raw SQL runs inside it', async () => {
      const failure = new Error('abort');
      const caught = await database
        .transaction(async (tx) => {
          const created = await new CustomersRepository(tx.db).create({ name: 'Rolled Back Inc' });
          const seen = await tx.query<{ name: string }>('SELECT name FROM customers WHERE id = $1', [created.id]);
          expect(seen).toEqual([{ name: 'Rolled Back Inc' }]);
          throw failure;
        })
        .catch((error: unknown) => error);
      expect(caught).toBe(failure);
      expect(await database.query('SELECT 1 FROM customers WHERE name = $1', ['Rolled Back Inc'])).toEqual([]);
    });

    it('returns raw values the same way on both drivers', async () => {
      const [row] = await database.query('SELECT 1.5::numeric AS n, 7::integer AS i, true AS b, $1::timestamptz AS t, $2::jsonb AS j', ['2025-01-01T00:00:00Z', '{"a":1}']);
      expect(row).toMatchObject({ n: '1.5', i: 7, b: true, j: { a: 1 } });
      expect(typeof row?.t).toBe('string');
      expect(Date.parse(String(row?.t))).toBe(Date.parse('2025-01-01T00:00:00Z'));
    });

    it('commits a transaction and translates raw SQL errors', async () => {
      const id = await database.transaction(async (tx) => (await new CustomersRepository(tx.db).create({ name: 'Committed Inc' })).id);
      expect((await customersRepo.get(id)).name).toBe('Committed Inc');
      const error = await rejection(database.query('INSERT INTO clusters (customer_id, name, region) VALUES ($1, $2, $3)', [id, 'c', 'r']).then(() => database.query('INSERT INTO clusters (customer_id, name, region) VALUES ($1, $2, $2)', [id, 'c'])));
      expect(error.code).toBe('CONFLICT');
      expect((await rejection(database.query('DELETE FROM customers WHERE id = $1', [id]))).code).toBe('CONFLICT');
    });
  });
});
