/**
 * The Drizzle schema: a typed mirror of `packages/db/migrations/*.sql` (the SQL is the source of truth; the files
 * under schema/ are written by hand to match it, one per migration, and schema.int.test.ts checks every table and
 * column against the migrated database). Row types stay inside the package: repositories map them to domain objects.
 */
export * from './schema/seed.schema.ts';
export * from './schema/auth.schema.ts';
export * from './schema/agent-link.schema.ts';
export * from './schema/plans.schema.ts';
export * from './schema/spot-savings.schema.ts';
export * from './schema/models.schema.ts';
