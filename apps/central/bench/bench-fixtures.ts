/**
 * What the central benchmarks share: the database they run on (PostgreSQL when reachable, as production runs,
 * else PGlite — the result names which) and agent payloads at the seed's scale (from the agent fleet).
 */
import type { TestDatabaseTarget } from '@cloudoptim/db/testing';
import pg from 'pg';

export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** PostgreSQL if it answers, else embedded PGlite. */
export async function benchTarget(): Promise<TestDatabaseTarget & { label: string }> {
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return { name: 'postgres', serverUrl: BENCH_DATABASE_URL, label: 'PostgreSQL (127.0.0.1)' };
  } catch {
    return { name: 'pglite', label: 'PGlite (in memory)' };
  }
}

export { heartbeatFor, metricsFor } from '../src/testing/agent-fleet.ts';
