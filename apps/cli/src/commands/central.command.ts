import type { Command } from 'commander';
import { z } from 'zod';
import { parseOrThrow } from '@cloudoptim/contracts';
import { createLogger, Lifecycle } from '@cloudoptim/runtime';
import type { CliIo } from '../io.ts';

const CentralOptionsSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).optional(),
  dataDir: z.string().min(1).optional(),
});

/**
 * `cloudoptim central [--port] [--data-dir]`: starts the control plane (config from the environment; the options
 * override PORT and CLOUDOPTIM_DATA_DIR) and runs until SIGINT/SIGTERM.
 */
export function registerCentralCommand(program: Command, io: CliIo): void {
  program
    .command('central')
    .description('start the central server (API, admin UI, workers); PostgreSQL via DATABASE_URL, else embedded in --data-dir')
    .option('--port <port>', 'port to listen on (default: PORT or 8000)')
    .option('--data-dir <dir>', 'embedded database directory when DATABASE_URL is unset (default ./.cloudoptim/db)')
    .action(async (raw: unknown) => {
      const o = parseOrThrow(CentralOptionsSchema, raw, 'central options');
      const { loadCentralConfig, startCentral } = await import('@cloudoptim/central');
      const config = loadCentralConfig({
        ...io.env,
        ...(o.port !== undefined && { PORT: String(o.port) }),
        ...(o.dataDir !== undefined && { CLOUDOPTIM_DATA_DIR: o.dataDir }),
      });
      const log = createLogger({ name: 'central', level: config.LOG_LEVEL });
      const lifecycle = new Lifecycle(log);
      const stopped = new Promise<void>((resolve) => lifecycle.handleSignals(process, () => resolve()));
      const server = await startCentral(config, { log, lifecycle });
      io.stderr(`central listening on ${server.url}\n`);
      await stopped;
    });
}
