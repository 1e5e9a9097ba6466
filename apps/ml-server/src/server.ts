/**
 * Composition: loads what the app needs once (market data, spot price history, HiGHS, an optional risk
 * model file) and listens. main.ts and the CLI's `cloudoptim ml` call it with a parsed config.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { AppError } from '@cloudoptim/contracts';
import { loadRiskModel, type RiskModel } from '@cloudoptim/engines';
import { loadMarket } from '@cloudoptim/market';
import { type Clock, type Lifecycle, type Logger, SystemClock } from '@cloudoptim/runtime';
import { buildApp } from './app.ts';
import type { MlServerConfig } from './config.ts';

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
  const [priceHistory, highs] = await Promise.all([market.spotPriceHistory(), (await import('highs')).default()]);
  const riskModel = options.riskModelFile ? readRiskModelFile(options.riskModelFile) : undefined;
  const app = await buildApp({
    market,
    priceHistory,
    highs,
    clock,
    log,
    config,
    ...(riskModel && { riskModel }),
    isReady: () => !(options.lifecycle?.isStopping ?? false),
  });
  const url = await app.listen({ port: config.PORT, host: config.HOST });
  log.info({ url, data_dir: market.dataDir, model_version: riskModel?.version ?? 'day-zero' }, 'ml server listening');
  const close = () => app.close();
  options.lifecycle?.onStop('ml-server', close);
  return { app, url, close };
}
