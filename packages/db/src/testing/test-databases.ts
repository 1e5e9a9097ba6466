/**
 * Helpers for integration tests (this package's and other packages'): run one suite on PGlite always and on
 * PostgreSQL when a server URL is given, each test file in its own scratch database.
 *
 * ```ts
 * describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('$name', (target) => {
 *   let scratch: ScratchDatabase;
 *   beforeAll(async () => { scratch = await createScratchDatabase(target); });
 *   afterAll(() => scratch.dispose());
 * });
 * ```
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database, type OpenDatabaseOptions } from '../database.ts';

/** Where a suite runs: embedded PGlite, or the PostgreSQL server at `serverUrl`. */
export type TestDatabaseTarget = { name: 'pglite' } | { name: 'postgres'; serverUrl: string };

/**
 * PostgreSQL when `serverUrl` (the test's `TEST_DATABASE_URL`) is set, else PGlite: `npm test` runs every
 * suite on PGlite and `npm run test:pg` the database suites again on PostgreSQL, without repeating PGlite.
 */
export function testDatabaseTargets(serverUrl: string | undefined): TestDatabaseTarget[] {
  return serverUrl ? [{ name: 'postgres', serverUrl }] : [{ name: 'pglite' }];
}

/** A database of its own for one test file; `open()` may be called again after closing (reopen tests). */
export interface ScratchDatabase {
  readonly target: TestDatabaseTarget;
  /** The PostgreSQL URL of the scratch database (postgres target). */
  readonly databaseUrl?: string;
  /** PGlite's data directory (pglite target). */
  readonly dataDir?: string;
  /** Opens it (migrating by default). PGlite holds the directory lock: close before opening it again. */
  open(options?: Omit<OpenDatabaseOptions, 'databaseUrl' | 'dataDir'>): Promise<Database>;
  /** Drops the database (postgres) or deletes the directory (pglite). Close what you opened first. */
  dispose(): Promise<void>;
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function onServer(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Creates an empty scratch database: `CREATE DATABASE cloudoptim_test_<random>` on the server (needs CREATEDB), or
 * a fresh PGlite data directory under the OS temp dir.
 */
export async function createScratchDatabase(target: TestDatabaseTarget): Promise<ScratchDatabase> {
  if (target.name === 'pglite') {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudoptim-test-'));
    return {
      target,
      dataDir,
      open: (options) => openDatabase({ ...options, dataDir }),
      dispose: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `cloudoptim_test_${randomBytes(6).toString('hex')}`;
  await onServer(target.serverUrl, `CREATE DATABASE ${name}`);
  const databaseUrl = withDatabase(target.serverUrl, name);
  return {
    target,
    databaseUrl,
    open: (options) => openDatabase({ ...options, databaseUrl }),
    dispose: () => onServer(target.serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

export { hasPostgresBinaries, startPrivatePostgres, type PrivatePostgres } from './private-postgres.ts';
