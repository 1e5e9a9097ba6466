import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './index.ts';
import { createScratchDatabase, testDatabaseTargets, type ScratchDatabase } from './testing/test-databases.ts';

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('LISTEN/NOTIFY on $name', (target) => {
  let scratch: ScratchDatabase;
  let database: Database;
  beforeAll(async () => {
    scratch = await createScratchDatabase(target);
    database = await scratch.open();
  });
  afterAll(async () => {
    await database?.close();
    await scratch?.dispose();
  });

  it('delivers payloads to listeners of the channel only, until they stop', async () => {
    const got: string[] = [];
    const other: string[] = [];
    const stop = await database.listen('cloudoptim_test', (payload) => got.push(payload));
    const stopOther = await database.listen('cloudoptim_other', (payload) => other.push(payload));
    await database.notify('cloudoptim_test', 'one');
    await database.transaction(async (tx) => {
      await tx.query('SELECT pg_notify($1, $2)', ['cloudoptim_test', 'two']);
    });
    await until(() => got.length === 2);
    expect(got).toEqual(['one', 'two']);
    expect(other).toEqual([]);
    await stop();
    await database.notify('cloudoptim_test', 'three');
    await database.notify('cloudoptim_other', 'x');
    await until(() => other.length === 1);
    expect(got).toEqual(['one', 'two']);
    await stopOther();
  });
});
