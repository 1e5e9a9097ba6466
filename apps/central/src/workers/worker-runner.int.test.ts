import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerLeasesRepository, type Database } from '@cloudoptim/db';
import { createScratchDatabase, testDatabaseTargets, type ScratchDatabase } from '@cloudoptim/db/testing';
import { ManualClock, silentLogger } from '@cloudoptim/runtime';
import type { WorkerSpec } from '../context.ts';
import { leaseStoreOf, WorkerRunner } from './worker-runner.ts';

const leaseStore = (db: Database) => leaseStoreOf(new WorkerLeasesRepository(db.db));

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('singleton workers across replicas on $name', (target) => {
  let scratch: ScratchDatabase;
  let db: Database;
  beforeAll(async () => {
    scratch = await createScratchDatabase(target);
    db = await scratch.open();
  });
  afterAll(async () => {
    await db?.close();
    await scratch?.dispose();
  });

  it('runs a worker on one replica at a time and hands it over when that replica stops renewing', async () => {
    const clock = new ManualClock(Date.parse('2026-11-26T10:00:00Z'));
    const ran: string[] = [];
    const spec = (replica: string): WorkerSpec[] => [{ name: 'optimizer-test', intervalMs: 10_000, tick: async () => void ran.push(replica) }];
    const one = new WorkerRunner(spec('one'), { leases: leaseStore(db), clock, log: silentLogger, owner: 'one' });
    const two = new WorkerRunner(spec('two'), { leases: leaseStore(db), clock, log: silentLogger, owner: 'two' });

    expect(await one.runOnce('optimizer-test')).toBe('ran');
    expect(await two.runOnce('optimizer-test')).toBe('skipped');
    await clock.advance(10_000);
    expect(await one.runOnce('optimizer-test')).toBe('ran'); // renews its own lease
    expect(await two.runOnce('optimizer-test')).toBe('skipped');
    // Replica one dies (no release): its lease lasts three intervals from its last pass.
    await clock.advance(29_000);
    expect(await two.runOnce('optimizer-test')).toBe('skipped');
    await clock.advance(2_000);
    expect(await two.runOnce('optimizer-test')).toBe('ran');
    expect(ran).toEqual(['one', 'one', 'two']);
  });

  it('a failing pass is reported and does not stop the worker', async () => {
    const clock = new ManualClock(Date.parse('2026-11-26T10:00:00Z'));
    let calls = 0;
    const runner = new WorkerRunner([{ name: 'flaky', intervalMs: 1000, tick: async () => { calls++; if (calls === 1) throw new Error('boom'); } }], { leases: leaseStore(db), clock, log: silentLogger, owner: 'x' });
    expect(await runner.runOnce('flaky')).toBe('failed');
    expect(await runner.runOnce('flaky')).toBe('ran');
    await runner.stop();
  });

  it('start() runs a pass per interval of the clock; stop() ends the loop and frees the lease', async () => {
    const clock = new ManualClock(Date.parse('2026-11-26T10:00:00Z'));
    let passes = 0;
    const runner = new WorkerRunner([{ name: 'looping', intervalMs: 5000, tick: async () => void passes++ }], { leases: leaseStore(db), clock, log: silentLogger, owner: 'loop-a' });
    runner.start();
    for (let i = 0; i < 100 && passes < 1; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(passes).toBe(1);
    await clock.advance(5000);
    for (let i = 0; i < 100 && passes < 2; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(passes).toBe(2);
    await runner.stop();
    const other = new WorkerRunner([{ name: 'looping', intervalMs: 5000, tick: async () => {} }], { leases: leaseStore(db), clock, log: silentLogger, owner: 'loop-b' });
    expect(await other.runOnce('looping')).toBe('ran');
  });
});
