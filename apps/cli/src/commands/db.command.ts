import type { Command } from 'commander';
import { z } from 'zod';
import { parseOrThrow } from '@cloudoptim/contracts';
import type { Database } from '@cloudoptim/db';
import { loadCliConfig } from '../cli-config.ts';
import { printJson, printTable, type CliIo } from '../io.ts';

const OptionsSchema = z.object({ json: z.boolean().optional() });

/** Opens the configured database (DATABASE_URL, else PGlite in CLOUDOPTIM_DATA_DIR) without migrating. */
async function withDatabase<T>(io: CliIo, work: (database: Database, where: string) => Promise<T>): Promise<T> {
  const config = loadCliConfig(io.env, io.cwd);
  // Loaded on use: PGlite and pg are heavy, and most commands never touch the database.
  const { openDatabase } = await import('@cloudoptim/db');
  const database = await openDatabase(config.databaseUrl ? { databaseUrl: config.databaseUrl, migrate: false } : { dataDir: config.dataDir, migrate: false });
  const where = config.databaseUrl ? `PostgreSQL at ${redactUrl(config.databaseUrl)}` : `PGlite in ${config.dataDir}`;
  try {
    return await work(database, where);
  } finally {
    await database.close();
  }
}

/** Keeps host, port and database of a connection string; drops the password. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

export function registerDbCommands(program: Command, io: CliIo): void {
  const db = program.command('db').description('the CloudOptim database (PGlite by default, PostgreSQL with DATABASE_URL)');

  db.command('migrate')
    .description('apply pending migrations (under a lock; safe to run from several places at once)')
    .option('--json', 'print JSON')
    .action(async (raw: unknown) => {
      const o = parseOrThrow(OptionsSchema, raw, 'db migrate options');
      await withDatabase(io, async (database, where) => {
        const { migrate, migrationStatus } = await import('@cloudoptim/db');
        const applied = await migrate(database);
        const status = await migrationStatus(database);
        if (o.json) {
          return printJson(io, {
            database: where,
            applied_now: applied.map((m) => ({ version: m.version, name: m.name })),
            current_version: status.applied.at(-1)?.version ?? 0,
            pending: status.pending.map((m) => ({ version: m.version, name: m.name })),
          });
        }
        io.stdout(`${where}\n`);
        io.stdout(applied.length ? applied.map((m) => `applied ${String(m.version).padStart(4, '0')} ${m.name}\n`).join('') : 'already up to date\n');
        io.stdout(`schema version ${status.applied.at(-1)?.version ?? 0}\n`);
      });
    });

  db.command('status')
    .description('list applied and pending migrations without changing anything')
    .option('--json', 'print JSON')
    .action(async (raw: unknown) => {
      const o = parseOrThrow(OptionsSchema, raw, 'db status options');
      await withDatabase(io, async (database, where) => {
        const { migrationStatus } = await import('@cloudoptim/db');
        const status = await migrationStatus(database);
        if (o.json) return printJson(io, { database: where, ...status });
        io.stdout(`${where}\n`);
        printTable(io, ['VERSION', 'NAME', 'STATE'], [
          ...status.applied.map((m) => [m.version, m.name, m.checksumMismatch ? 'applied, FILE CHANGED' : `applied ${m.appliedAt}`]),
          ...status.pending.map((m) => [m.version, m.name, 'pending']),
        ]);
      });
    });
}
