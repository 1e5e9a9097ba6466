/**
 * The ML server's process entry: reads the environment (the only place that does), starts the server, and
 * shuts it down gracefully on SIGINT/SIGTERM. `node --import tsx apps/ml-server/src/main.ts`.
 */
import { describeError, createLogger, Lifecycle } from '@cloudoptim/runtime';
import { loadMlServerConfig } from './config.ts';
import { startMlServer } from './server.ts';

async function main(): Promise<void> {
  const config = loadMlServerConfig(process.env);
  const log = createLogger({ name: 'ml-server', level: config.LOG_LEVEL });
  const lifecycle = new Lifecycle(log);
  lifecycle.handleSignals(process, (code) => process.exit(code));
  await startMlServer(config, { log, lifecycle, ...(config.ML_SERVER_RISK_MODEL_FILE && { riskModelFile: config.ML_SERVER_RISK_MODEL_FILE }) });
}

main().catch((error: unknown) => {
  process.stderr.write(`${describeError(error)}\n`);
  process.exit(1);
});
