import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError, type AppError } from '@cloudoptim/contracts';
import { DEFAULT_MIGRATIONS_DIR, loadMigrationFiles, migrate, migrationStatus, type DbLogger } from '../index.ts';
import { createScratchDatabase, testDatabaseTargets, type ScratchDatabase } from '../testing/test-databases.ts';

const files = loadMigrationFiles();

function recordingLog(): DbLogger & { infos: string[]; warnings: string[] } {
  const infos: string[] = [];
  const warnings: string[] = [];
  return { infos, warnings, info: (_obj, msg) => infos.push(msg), warn: (_obj, msg) => warnings.push(msg) };
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isAppError(error)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

/** A migrations directory with the package's files plus `extra` (file name → SQL). */
function migrationsDirWith(root: string, extra: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(root, 'migrations-'));
  for (const file of files) fs.copyFileSync(path.join(DEFAULT_MIGRATIONS_DIR, file.fileName), path.join(dir, file.fileName));
  for (const [name, text] of Object.entries(extra)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('migrations on $name', (target) => {
  let scratch: ScratchDatabase;
  let tmp: string;

  beforeAll(async () => {
    scratch = await createScratchDatabase(target);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudoptim-migrations-'));
  });
  afterAll(async () => {
    await scratch?.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('applies every migration at open and nothing again on reopen', async () => {
    const log = recordingLog();
    const first = await scratch.open({ log });
    const status = await migrationStatus(first);
    await first.close();
    expect(status.pending).toEqual([]);
    expect(status.applied.map((row) => [row.version, row.fileName, row.checksumMismatch])).toEqual(files.map((file) => [file.version, file.fileName, false]));
    expect(log.infos.filter((msg) => msg === 'applied database migration')).toHaveLength(files.length);

    const again = await scratch.open();
    try {
      expect(await migrate(again)).toEqual([]);
      const rows = await again.query<{ count: string | number }>('SELECT count(*) AS count FROM schema_migrations');
      expect(Number(rows[0]?.count)).toBe(files.length);
    } finally {
      await again.close();
    }
  });

  it('with migrate: false reports pending migrations and applies them on migrate()', async () => {
    const dir = migrationsDirWith(tmp, { '0900_extra.sql': 'CREATE TABLE extra_things (id uuid PRIMARY KEY DEFAULT gen_random_uuid());' });
    const database = await scratch.open({ migrate: false, migrationsDir: dir });
    try {
      expect((await migrationStatus(database)).pending.map((row) => row.fileName)).toEqual(['0900_extra.sql']);
      expect((await migrate(database)).map((row) => row.version)).toEqual([900]);
      expect((await migrationStatus(database)).pending).toEqual([]);
    } finally {
      await database.close();
    }
    // A build that does not know 0900 still starts, with a warning.
    const log = recordingLog();
    const older = await scratch.open({ log });
    await older.close();
    expect(log.warnings.join('\n')).toContain('does not know');
  });

  it('refuses to start when an applied migration changed (checksum drift)', async () => {
    const changed = migrationsDirWith(tmp, {});
    fs.appendFileSync(path.join(changed, '0001_init.sql'), '\n-- an edit after release\n');
    const error = await rejection(scratch.open({ migrationsDir: changed }));
    expect(error.code).toBe('MIGRATION_FAILED');
    expect(error.message).toContain('0001_init.sql');
    expect(error.message).toContain('changed');

    const database = await scratch.open({ migrate: false, migrationsDir: changed });
    try {
      expect((await migrationStatus(database)).applied.find((row) => row.version === 1)?.checksumMismatch).toBe(true);
      expect((await rejection(migrate(database))).code).toBe('MIGRATION_FAILED');
    } finally {
      await database.close();
    }
  });

  it('rolls a failing migration back and names its file', async () => {
    const dir = migrationsDirWith(tmp, {
      '0901_broken.sql': 'CREATE TABLE half_done (id integer);\nINSERT INTO half_done VALUES (1);\nSELECT * FROM no_such_table;\n',
    });
    const error = await rejection(scratch.open({ migrationsDir: dir }));
    expect(error.code).toBe('MIGRATION_FAILED');
    expect(error.message).toContain('0901_broken.sql');
    expect(error.message).toContain('no_such_table');

    const database = await scratch.open({ migrate: false, migrationsDir: dir });
    try {
      const table = await database.query<{ present: boolean }>(`SELECT to_regclass('half_done') IS NOT NULL AS present`);
      expect(table[0]?.present).toBe(false);
      expect((await migrationStatus(database)).pending.map((row) => row.fileName)).toEqual(['0901_broken.sql']);
    } finally {
      await database.close();
    }
  });

  it.runIf(target.name === 'postgres')('concurrent opens apply each migration exactly once', async () => {
    const fresh = await createScratchDatabase(target);
    // Several slow migrations widen the window in which the openers interleave.
    const extra = Object.fromEntries(
      [902, 903, 904, 905].map((version) => [`0${version}_slow.sql`, `SELECT pg_sleep(0.05);\nCREATE TABLE slow_${version} (id integer);`]),
    );
    const dir = migrationsDirWith(tmp, extra);
    const expected = loadMigrationFiles(dir);
    try {
      const logs = Array.from({ length: 4 }, () => recordingLog());
      const opened = await Promise.all(logs.map((log) => fresh.open({ log, migrationsDir: dir })));
      await Promise.all(opened.map((database) => database.close()));
      const applied = logs.flatMap((log) => log.infos.filter((msg) => msg === 'applied database migration'));
      expect(applied).toHaveLength(expected.length);

      const check = await fresh.open({ migrate: false });
      try {
        const rows = await check.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
        expect(rows.map((row) => Number(row.version))).toEqual(expected.map((file) => file.version));
      } finally {
        await check.close();
      }
    } finally {
      await fresh.dispose();
    }
  });
});
