import { describe, expect, it } from 'vitest';
import { isAppError } from '@cloudoptim/contracts';
import { migrationStatus, openDatabase } from './index.ts';

describe('openDatabase', () => {
  it('opens an in-memory PGlite, migrated, when given neither databaseUrl nor dataDir', async () => {
    const database = await openDatabase();
    try {
      expect(database.driver).toBe('pglite');
      expect((await migrationStatus(database)).pending).toEqual([]);
      const [row] = await database.query<{ n: unknown; t: unknown; i: unknown }>('SELECT 1.5::numeric AS n, $1::timestamptz AS t, 7::integer AS i', ['2025-01-01T00:00:00Z']);
      expect(row).toMatchObject({ n: '1.5', i: 7 });
      expect(Date.parse(String(row?.t))).toBe(Date.parse('2025-01-01T00:00:00Z'));
    } finally {
      await database.close();
      await database.close(); // idempotent
    }
  });

  it('answers UNAVAILABLE when PostgreSQL cannot be reached', async () => {
    const error = await openDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:1/nothing' }).catch((caught: unknown) => caught);
    expect(isAppError(error) && error.code).toBe('UNAVAILABLE');
  });
});
