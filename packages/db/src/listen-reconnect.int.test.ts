/**
 * A LISTEN outlives a PostgreSQL crash that lasts longer than its first reconnect attempt (regression: the
 * listener tried once, and when the server was still down it stayed deaf for good — central's admin stream and
 * cross-replica logout went silent after a database restart). Runs on a PostgreSQL server of its own, in the
 * PostgreSQL suite (`npm run test:pg`), since it crashes the server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@cloudoptim/runtime';
import { openDatabase, type Database } from './index.ts';
import { hasPostgresBinaries, startPrivatePostgres, type PrivatePostgres } from './testing/test-databases.ts';

const run = process.env.TEST_DATABASE_URL && hasPostgresBinaries();

describe.runIf(run)('LISTEN across a PostgreSQL crash and restart', () => {
  let server: PrivatePostgres;
  let database: Database;
  beforeAll(async () => {
    server = await startPrivatePostgres(await freePort());
    database = await openDatabase({ databaseUrl: server.url });
  }, 60_000);
  afterAll(async () => {
    await database?.close();
    await server?.dispose();
  });

  it('delivers notifications again once the server is back, however long it was down', async () => {
    const got: string[] = [];
    let reconnects = 0;
    await database.listen('cloudoptim_restart', (payload) => got.push(payload), () => reconnects++);
    await database.notify('cloudoptim_restart', 'before');
    await expect.poll(() => got, { timeout: 5000 }).toEqual(['before']);

    await server.crash();
    // Longer than the first reconnect delay (1 s), so at least one attempt finds the server down.
    await new Promise((r) => setTimeout(r, 2500));
    await server.start();

    // The pool's own connections died too: the first query after the restart may fail once.
    await expect.poll(async () => database.notify('cloudoptim_restart', 'after').then(() => got.includes('after'), () => false), { timeout: 20_000, interval: 500 }).toBe(true);
    // The listener is told, so one that caches what notifications invalidate can forget it.
    expect(reconnects).toBe(1);
  }, 60_000);
});
