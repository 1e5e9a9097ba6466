import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerLeasesRepository, type Database } from '../index.ts';
import { createScratchDatabase, testDatabaseTargets, type ScratchDatabase } from '../testing/test-databases.ts';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms);

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('worker leases on $name', (target) => {
  let scratch: ScratchDatabase;
  let database: Database;
  let leases: WorkerLeasesRepository;

  beforeAll(async () => {
    scratch = await createScratchDatabase(target);
    database = await scratch.open();
    leases = new WorkerLeasesRepository(database.db);
  });
  afterAll(async () => {
    await database?.close();
    await scratch?.dispose();
  });

  it('gives a free lease, refuses it to others until it expires, then hands it over', async () => {
    expect(await leases.tryAcquire('optimizer', 'replica-a', 30_000, at(0))).toEqual({ name: 'optimizer', owner: 'replica-a', expiresAt: at(30_000), acquiredAt: at(0) });
    expect(await leases.tryAcquire('optimizer', 'replica-b', 30_000, at(29_999))).toBeNull();
    expect(await leases.tryAcquire('optimizer', 'replica-b', 30_000, at(30_000))).toEqual({ name: 'optimizer', owner: 'replica-b', expiresAt: at(60_000), acquiredAt: at(30_000) });
  });

  it('renews for the holder, keeping when it was acquired', async () => {
    await leases.tryAcquire('savings', 'replica-a', 10_000, at(0));
    expect(await leases.tryAcquire('savings', 'replica-a', 10_000, at(5_000))).toEqual({ name: 'savings', owner: 'replica-a', expiresAt: at(15_000), acquiredAt: at(0) });
  });

  it('lets exactly one of many racing replicas take a free lease', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => leases.tryAcquire('spot-handler', `replica-${i}`, 30_000, at(0))));
    expect(results.filter((lease) => lease !== null)).toHaveLength(1);
  });

  it('releases only for the holder', async () => {
    await leases.tryAcquire('executor', 'replica-a', 30_000, at(0));
    expect(await leases.release('executor', 'replica-b')).toBe(false);
    expect(await leases.tryAcquire('executor', 'replica-b', 30_000, at(1))).toBeNull();
    expect(await leases.release('executor', 'replica-a')).toBe(true);
    expect((await leases.tryAcquire('executor', 'replica-b', 30_000, at(2)))?.owner).toBe('replica-b');
  });
});
