/** Builds the app over the real market data, HiGHS and an in-memory store for tests. */
import type { FastifyInstance } from 'fastify';
import type { Database } from '@cloudoptim/db';
import type { RiskModel } from '@cloudoptim/engines';
import { loadMarket, type Market } from '@cloudoptim/market';
import { ManualClock, silentLogger } from '@cloudoptim/runtime';
import { buildApp, type MlServerDeps } from '../app.ts';
import { openMlStore } from '../store/ml-store.ts';

export const TEST_KEY = 'test-service-key-0123456789';
export const AUTH = { authorization: `Bearer ${TEST_KEY}` };
export const TEST_NOW = Date.parse('2025-11-26T09:00:01Z');

let shared: Promise<{ market: Market; priceHistory: Awaited<ReturnType<Market['spotPriceHistory']>>; highs: MlServerDeps['highs'] }> | undefined;
/** Market data, its price history and HiGHS, loaded once per test file. */
export function sharedMarket() {
  shared ??= (async () => {
    const market = loadMarket();
    const [priceHistory, highs] = await Promise.all([market.spotPriceHistory(), (await import('highs')).default()]);
    return { market, priceHistory, highs };
  })();
  return shared;
}

/**
 * The app and what it was built on. `close()` closes the app, then the store when the kit opened it (an
 * in-memory PGlite unless `db` is given).
 */
export async function testApp(overrides: Partial<MlServerDeps> & { riskModel?: RiskModel } = {}): Promise<{ app: FastifyInstance; market: Market; db: Database; close(): Promise<void> }> {
  const base = await sharedMarket();
  const market = overrides.market ?? base.market;
  const priceHistory = overrides.priceHistory ?? (overrides.market && overrides.market !== base.market ? await overrides.market.spotPriceHistory() : base.priceHistory);
  const db = overrides.db ?? (await openMlStore());
  const app = await buildApp({ db, market, priceHistory, highs: base.highs, clock: new ManualClock(TEST_NOW), log: silentLogger, config: { ML_SERVER_API_KEY: TEST_KEY }, ...overrides });
  return {
    app,
    market,
    db,
    close: async () => {
      await app.close();
      if (!overrides.db) await db.close();
    },
  };
}
