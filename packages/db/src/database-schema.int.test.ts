import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '@cloudoptim/contracts';
import { migrationStatus, openDatabase, type Database } from './index.ts';
import { createScratchDatabase, testDatabaseTargets, type ScratchDatabase } from './testing/test-databases.ts';

/** A migrations directory holding one file that creates `table`. */
function migrationsWith(table: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudoptim-migrations-'));
  fs.writeFileSync(path.join(dir, '0001_one.sql'), `CREATE TABLE ${table} (id integer PRIMARY KEY);\n`);
  return dir;
}

async function tablesIn(database: Database, schema: string): Promise<string[]> {
  const rows = await database.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name', [schema]);
  return rows.map((r) => r.table_name);
}

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('openDatabase({ schema }) on $name', (target) => {
  let scratch: ScratchDatabase;
  const dirs: string[] = [];
  beforeAll(async () => {
    scratch = await createScratchDatabase(target);
  });
  afterAll(async () => {
    await scratch?.dispose();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the tables and the migration bookkeeping of each schema apart', async () => {
    const centralDir = migrationsWith('central_things');
    const mlDir = migrationsWith('ml_things');
    dirs.push(centralDir, mlDir);
    const central = await scratch.open({ migrationsDir: centralDir });
    // PGlite holds its directory: the second "app" shares the session by reopening after the first closes.
    if (target.name === 'pglite') await central.close();
    const ml = await scratch.open({ migrationsDir: mlDir, schema: 'ml_app' });
    try {
      expect(await tablesIn(ml, 'ml_app')).toEqual(['ml_things', 'schema_migrations']);
      expect(await tablesIn(ml, 'public')).toEqual(['central_things', 'schema_migrations']);
      // Unqualified names resolve in the schema alone.
      await ml.query('INSERT INTO ml_things (id) VALUES (1)');
      await expect(ml.query('SELECT * FROM central_things')).rejects.toThrow();
      expect((await migrationStatus(ml)).applied.map((m) => m.name)).toEqual(['one']);
    } finally {
      await ml.close();
      if (target.name === 'postgres') await central.close();
    }
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    const error = await openDatabase({ schema: 'ml; DROP TABLE x' }).catch((caught: unknown) => caught);
    expect(isAppError(error) && error.code).toBe('CONFIG_INVALID');
  });
});
