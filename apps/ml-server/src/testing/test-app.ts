/** Builds the app over the real market data and HiGHS for tests (load once per test file). */
import type { FastifyInstance } from 'fastify';
import type { RiskModel } from '@cloudoptim/engines';
import { loadMarket, type Market } from '@cloudoptim/market';
import { ManualClock, silentLogger } from '@cloudoptim/runtime';
import { buildApp, type MlServerDeps } from '../app.ts';

export const TEST_KEY = 'test-service-key-0123456789';
export const AUTH = { authorization: `Bearer ${TEST_KEY}` };

export async function testApp(overrides: Partial<MlServerDeps> & { riskModel?: RiskModel } = {}): Promise<{ app: FastifyInstance; market: Market }> {
  const market = overrides.market ?? loadMarket();
  const [priceHistory, highs] = await Promise.all([overrides.priceHistory ?? market.spotPriceHistory(), overrides.highs ?? (await import('highs')).default()]);
  const app = await buildApp({ market, priceHistory, highs, clock: new ManualClock(Date.parse('2025-11-26T09:00:01Z')), log: silentLogger, config: { ML_SERVER_API_KEY: TEST_KEY }, ...overrides });
  return { app, market };
}
