import { getTableConfig, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';
import { isTable } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema, type Database } from './index.ts';
import { createScratchDatabase, testDatabaseTargets, type ScratchDatabase } from './testing/test-databases.ts';

type ColumnInfo = {
  table_name: string;
  column_name: string;
  data_type: string;
  udt_name: string;
  is_nullable: 'YES' | 'NO';
  column_default: string | null;
  numeric_precision: number | null;
  numeric_scale: number | null;
};

const tables = (Object.values(schema) as unknown[]).filter((value): value is PgTable => isTable(value)).map((table) => getTableConfig(table));

/** The information_schema description of a Drizzle column's SQL type. */
function expectedType(column: PgColumn): { data_type: string; udt_name?: string; precision?: number; scale?: number } {
  const type = column.getSQLType();
  const numeric = /^numeric\((\d+), ?(\d+)\)$/.exec(type);
  if (numeric) return { data_type: 'numeric', precision: Number(numeric[1]), scale: Number(numeric[2]) };
  if (type.endsWith('[]')) return { data_type: 'ARRAY', udt_name: `_${type.slice(0, -2)}` };
  return { data_type: type };
}

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('Drizzle schema matches the migrated database on $name', (target) => {
  let scratch: ScratchDatabase;
  let database: Database;
  let columns: ColumnInfo[];

  beforeAll(async () => {
    scratch = await createScratchDatabase(target);
    database = await scratch.open();
    columns = await database.query<ColumnInfo>(
      `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default, numeric_precision, numeric_scale
         FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
    );
  });
  afterAll(async () => {
    await database?.close();
    await scratch?.dispose();
  });

  it('has the same tables', () => {
    expect(tables.map((table) => table.name).sort()).toEqual([...new Set(columns.map((column) => column.table_name))].sort());
  });

  it.each(tables.map((table) => [table.name, table] as const))('%s: same columns, types, nullability and defaults', (_name, table) => {
    const actual = columns.filter((column) => column.table_name === table.name);
    expect(table.columns.map((column) => column.name).sort()).toEqual(actual.map((column) => column.column_name).sort());
    for (const column of table.columns) {
      const info = actual.find((candidate) => candidate.column_name === column.name)!;
      const type = expectedType(column);
      const where = `${table.name}.${column.name}`;
      expect(info.data_type, where).toBe(type.data_type);
      if (type.udt_name) expect(info.udt_name, where).toBe(type.udt_name);
      if (type.precision !== undefined) expect([Number(info.numeric_precision), Number(info.numeric_scale)], where).toEqual([type.precision, type.scale]);
      expect(info.is_nullable === 'NO', `${where} NOT NULL`).toBe(column.notNull);
      expect(info.column_default !== null, `${where} has a default`).toBe(column.hasDefault);
    }
  });

  it('has the same indexes and unique constraints', async () => {
    const rows = await database.query<{ tablename: string; indexname: string }>(
      `SELECT tablename, indexname FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1, 2`,
    );
    const expected = tables.flatMap((table) => [
      `${table.name}.${table.name}_pkey`,
      ...table.indexes.map((index) => `${table.name}.${index.config.name}`),
      ...table.uniqueConstraints.map((constraint) => `${table.name}.${constraint.name}`),
    ]);
    expect(rows.map((row) => `${row.tablename}.${row.indexname}`).sort()).toEqual(expected.sort());
  });

  it('has the same foreign keys (columns, referenced table and ON DELETE)', async () => {
    const rows = await database.query<{ fk: string }>(
      `SELECT conrelid::regclass::text || '.' || conname || ' (' ||
              (SELECT string_agg(attname, ',' ORDER BY k.ord) FROM unnest(conkey) WITH ORDINALITY AS k(attnum, ord)
                 JOIN pg_attribute ON attrelid = conrelid AND pg_attribute.attnum = k.attnum) ||
              ') -> ' || confrelid::regclass::text || ' ' || confdeltype::text AS fk
         FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace`,
    );
    const deleteAction: Record<string, string> = { cascade: 'c', 'no action': 'a', restrict: 'r', 'set null': 'n', 'set default': 'd' };
    const expected = tables.flatMap((table) =>
      table.foreignKeys.map((fk) => {
        const ref = fk.reference();
        const columns = ref.columns.map((column) => column.name).join(',');
        return `${table.name}.${fk.getName()} (${columns}) -> ${getTableConfig(ref.foreignTable).name} ${deleteAction[fk.onDelete ?? 'no action']}`;
      }),
    );
    expect(rows.map((row) => row.fk).sort()).toEqual(expected.sort());
  });
});
