import type { Command } from 'commander';
import { z } from 'zod';
import { parseOrThrow } from '@cloudoptim/contracts';
import { createLogger, Lifecycle } from '@cloudoptim/runtime';
import type { CliIo } from '../io.ts';

const MlOptionsSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).optional(),
  dataDir: z.string().min(1).optional(),
  marketDataDir: z.string().min(1).optional(),
});

/**
 * `cloudoptim ml [--port] [--data-dir] [--market-data-dir]`: starts the ML server (config from the
 * environment; the options override PORT, ML_SERVER_DATA_DIR — its own embedded store when DATABASE_URL is
 * unset — and CLOUDOPTIM_MARKET_DATA_DIR) and runs until SIGINT/SIGTERM.
 */
export function registerMlCommand(program: Command, io: CliIo): void {
  program
    .command('ml')
    .description('start the ML server (decision engines, risk predictions, model registry, gap filler); needs ML_SERVER_API_KEY')
    .option('--port <port>', 'port to listen on (default: PORT or 8001)')
    .option('--data-dir <dir>', 'the ML server\'s embedded store (models, gap-fill jobs, price points) when DATABASE_URL is unset (default ./.cloudoptim/ml)')
    .option('--market-data-dir <dir>', 'market data directory (default: CLOUDOPTIM_MARKET_DATA_DIR or the shipped data)')
    .action(async (raw: unknown) => {
      const o = parseOrThrow(MlOptionsSchema, raw, 'ml options');
      const { loadMlServerConfig, startMlServer } = await import('@cloudoptim/ml-server');
      const config = loadMlServerConfig({
        ...io.env,
        ...(o.port !== undefined && { PORT: String(o.port) }),
        ...(o.dataDir !== undefined && { ML_SERVER_DATA_DIR: o.dataDir }),
        ...(o.marketDataDir !== undefined && { CLOUDOPTIM_MARKET_DATA_DIR: o.marketDataDir }),
      });
      const log = createLogger({ name: 'ml-server', level: config.LOG_LEVEL });
      const lifecycle = new Lifecycle(log);
      const stopped = new Promise<void>((resolve) => lifecycle.handleSignals(process, () => resolve()));
      const server = await startMlServer(config, { log, lifecycle, ...(config.ML_SERVER_RISK_MODEL_FILE && { riskModelFile: config.ML_SERVER_RISK_MODEL_FILE }) });
      io.stderr(`ML server listening on ${server.url}\n`);
      await stopped;
    });
}
