/**
 * The Drizzle schema: a typed mirror of `packages/db/migrations/*.sql` (the SQL is the source of truth; the files
 * under schema/ are written by hand to match it, one per migration, and schema.int.test.ts checks every table and
 * column against the migrated database). Row types stay inside the package: repositories map them to domain objects.
 */
export * from './schema/seed.schema.ts';
