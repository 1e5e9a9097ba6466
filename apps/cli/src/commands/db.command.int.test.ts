import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, testDatabaseTargets, type ScratchDatabase } from '@cloudoptim/db/testing';
import { main } from '../main.ts';
import { bufferIo } from '../testing/buffer-io.ts';

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('cloudoptim db on $name', (target) => {
  let scratch: ScratchDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    scratch = await createScratchDatabase(target);
    env = scratch.databaseUrl ? { DATABASE_URL: scratch.databaseUrl } : { CLOUDOPTIM_DATA_DIR: scratch.dataDir as string };
  });
  afterAll(() => scratch.dispose());

  it('migrates an empty database, then finds it up to date', async () => {
    const first = bufferIo(env);
    expect(await main(['db', 'migrate', '--json'], first)).toBe(0);
    const applied = JSON.parse(first.out());
    expect(applied.applied_now.map((m: { version: number }) => m.version)).toContain(1);
    expect(applied.pending).toEqual([]);

    const again = bufferIo(env);
    expect(await main(['db', 'migrate'], again)).toBe(0);
    expect(again.out()).toContain('already up to date');

    const status = bufferIo(env);
    expect(await main(['db', 'status', '--json'], status)).toBe(0);
    expect(JSON.parse(status.out()).applied[0]).toMatchObject({ version: 1, checksumMismatch: false });
  });

  it.runIf(target.name === 'postgres')('never prints the database password', async () => {
    const url = new URL(scratch.databaseUrl as string);
    url.password = 'sekret-pw';
    const io = bufferIo({ DATABASE_URL: url.toString() });
    await main(['db', 'status'], io);
    expect(io.out() + io.err()).not.toContain('sekret-pw');
  });
});
