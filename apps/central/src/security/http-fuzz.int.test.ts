/**
 * Every HTTP route, fuzzed from the route table (the generators and the rules for answers:
 * http-route-fuzzer.test-support.ts), in two parts.
 *
 * Bad requests: bodies shaped by the route's schema but broken for sure, malformed and shapeless bodies under
 * lying content types, hostile query strings and path parameters, bad credentials — and, once per route, JSON
 * nested 10,000 levels, an array of 100,000 items and megabyte strings. Every answer must be a 4xx with the error
 * envelope (a 2xx only for a read), never a 5xx; afterwards no table gained or lost a row and the seeded
 * tenant's rows are unchanged.
 *
 * Hostile requests: bodies of the right shape with hostile content sent as a second tenant's admin and agent
 * against its real objects. They may succeed; they must never get a 5xx, and the first tenant's rows must stay
 * as they were.
 *
 * Runs on PGlite (the PostgreSQL engine compiled to WebAssembly) only: the answers are decided by central, and
 * the database errors it maps are the engine's own. FUZZ_RUNS sets the generated requests per route and kind (default 6: the short version `npm test` runs;
 * `npm run bench -- reliability` runs the long one); FUZZ_SEED replays a run (a failure's message has its seed).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabaseTarget } from '@cloudoptim/db/testing';
import { startHttpRouteFuzzer, type FuzzPart, type FuzzRequest, type HttpRouteFuzzer } from './http-route-fuzzer.test-support.ts';
import type { DocumentedRoute } from './route-inventory.test-support.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 6);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

// On PGlite only — the same PostgreSQL engine, so the PostgreSQL suite (`npm run test:pg`) does not repeat it.
const TARGETS: TestDatabaseTarget[] = [{ name: 'pglite' }];

describe.each(TARGETS)('HTTP routes under fuzzing on $name', (target) => {
  let fuzzer: HttpRouteFuzzer;

  beforeAll(async () => {
    fuzzer = await startHttpRouteFuzzer(target);
  }, 60_000);
  afterAll(() => fuzzer?.close());

  /** Answers by route, kind and code, printed with FUZZ_STATS=1 (to see how deep the requests got). */
  afterAll(() => {
    if (process.env.FUZZ_STATS && fuzzer) console.log([...fuzzer.stats].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${n}\t${k}`).join('\n'));
  });

  async function check(route: DocumentedRoute, r: FuzzRequest, part: FuzzPart): Promise<void> {
    const problem = await fuzzer.probe(route, r, part);
    if (problem !== undefined) throw new Error(problem);
  }

  it('covers the route table', () => {
    expect(fuzzer.routes.length).toBeGreaterThan(50);
  });

  it('answers every bad request to every route with a 4xx envelope (a read may answer), never a 5xx', async () => {
    for (const route of fuzzer.routes) {
      for (const monster of fuzzer.monsters(route)) await check(route, monster, 'bad');
      await fc.assert(
        fc.asyncProperty(fuzzer.badRequests(route), (r) => check(route, r, 'bad')),
        { numRuns: RUNS * 5, endOnFailure: true, ...(SEED !== undefined && { seed: SEED }) },
      );
    }
  }, 600_000);

  it('stored and changed nothing for them', async () => {
    expect(await fuzzer.stateChanges()).toEqual({ tables: [], tenant: [] });
  });

  it('answers hostile content a tenant sends to its own objects without a 5xx', async () => {
    for (const route of fuzzer.hostileRoutes) {
      await fc.assert(
        fc.asyncProperty(fuzzer.hostileRequests(route), (r) => check(route, r, 'hostile')),
        { numRuns: RUNS * 3, endOnFailure: true, ...(SEED !== undefined && { seed: SEED }) },
      );
    }
  }, 600_000);

  it('still serves, and the other tenant is untouched', async () => {
    expect(await fuzzer.stillServes()).toEqual([]);
    expect(await fuzzer.tenantChanges()).toEqual([]);
  });
});
