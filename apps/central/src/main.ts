/**
 * Central's process entry: reads the environment (the only place that does), starts the server and shuts it
 * down gracefully on SIGINT/SIGTERM. `node --import tsx apps/central/src/main.ts`.
 */
import { createLogger, describeError, Lifecycle } from '@cloudoptim/runtime';
import { loadCentralConfig } from './config.ts';
import { startCentral } from './server.ts';

async function main(): Promise<void> {
  const config = loadCentralConfig(process.env);
  const log = createLogger({ name: 'central', level: config.LOG_LEVEL });
  const lifecycle = new Lifecycle(log);
  lifecycle.handleSignals(process, (code) => process.exit(code));
  await startCentral(config, { log, lifecycle });
}

main().catch((error: unknown) => {
  process.stderr.write(`${describeError(error)}\n`);
  process.exit(1);
});
