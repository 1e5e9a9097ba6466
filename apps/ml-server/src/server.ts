/**
 * Composition: opens the ML server's store (PGlite in ML_SERVER_DATA_DIR, or DATABASE_URL in its own schema),
 * the cache (Redis with REDIS_URL), loads what the app needs once (market data, spot price history, HiGHS, an
 * optional fallback risk model file) and listens. main.ts and the CLI's `cloudoptim ml` call it with a parsed
 * config. Closing stops the app, then the cache and the store.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { AppError } from '@cloudoptim/contracts';
import { loadRiskModel, type RiskModel } from '@cloudoptim/engines';
import { loadMarket } from '@cloudoptim/market';
import { type Clock, type Lifecycle, type Logger, SystemClock } from '@cloudoptim/runtime';
import { buildApp } from './app.ts';
import { type Cache, MemoryCache } from './cache/cache.ts';
import { RedisCache } from './cache/redis-cache.ts';
import type { MlServerConfig } from './config.ts';
import { openMlStore } from './store/ml-store.ts';

export interface StartedMlServer {
  app: FastifyInstance;
  /** `http://host:port` actually bound (port 0 → the chosen port). */
  url: string;
  close(): Promise<void>;
}

/** Reads and validates a risk model artifact (JSON). @throws AppError VALIDATION_FAILED / DATA_CORRUPT. */
export function readRiskModelFile(file: string): RiskModel {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new AppError('CONFIG_INVALID', `cannot read the risk model file ${file}`, { file }, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new AppError('DATA_CORRUPT', `the risk model file ${file} is not JSON`, { file }, { cause });
  }
  return loadRiskModel(json);
}

export async function startMlServer(config: MlServerConfig, options: { log: Logger; clock?: Clock; lifecycle?: Lifecycle; riskModelFile?: string }): Promise<StartedMlServer> {
  const { log } = options;
  const clock = options.clock ?? new SystemClock();
  const market = loadMarket(config.CLOUDOPTIM_MARKET_DATA_DIR ? { dataDir: config.CLOUDOPTIM_MARKET_DATA_DIR } : {});
  const riskModel = options.riskModelFile ? readRiskModelFile(options.riskModelFile) : undefined;
  const db = await openMlStore({ ...(config.DATABASE_URL ? { databaseUrl: config.DATABASE_URL } : { dataDir: config.ML_SERVER_DATA_DIR }), schema: config.ML_SERVER_DB_SCHEMA, log });
  let cache: Cache | undefined;
  let app: FastifyInstance | undefined;
  try {
    const [priceHistory, highs] = await Promise.all([market.spotPriceHistory(), (await import('highs')).default()]);
    cache = config.REDIS_URL ? await RedisCache.open(config.REDIS_URL, log) : new MemoryCache(clock);
    app = await buildApp({
      db,
      market,
      priceHistory,
      highs,
      clock,
      log,
      config,
      cache,
      ...(riskModel && { riskModel }),
      isReady: () => !(options.lifecycle?.isStopping ?? false),
    });
    const url = await app.listen({ port: config.PORT, host: config.HOST });
    log.info({ url, store: config.DATABASE_URL ? `postgres schema ${config.ML_SERVER_DB_SCHEMA}` : config.ML_SERVER_DATA_DIR, cache: cache.kind, market_data_dir: market.dataDir }, 'ml server listening');
    const started = app;
    const openCache = cache;
    const close = async () => {
      try {
        await started.close();
      } finally {
        await openCache.close();
        await db.close();
      }
    };
    options.lifecycle?.onStop('ml-server', close);
    return { app: started, url, close };
  } catch (error) {
    await app?.close().catch(() => {});
    await cache?.close().catch(() => {});
    await db.close().catch(() => {});
    throw error;
  }
}
