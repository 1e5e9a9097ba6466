import path from 'node:path';
import { z } from 'zod';
import { envSchemas, loadConfig, type Env } from '@cloudoptim/runtime';

/** The environment the CLI reads; every problem is reported at once (exit code 2). */
export const CliConfigSchema = z.object({
  DATABASE_URL: envSchemas.postgresUrl().optional().describe('PostgreSQL (`postgres://user:password@host:port/db`) that `cloudoptim db status|migrate` works on; unset: the embedded PGlite in CLOUDOPTIM_DATA_DIR.'),
  CLOUDOPTIM_DATA_DIR: z.string().default('.cloudoptim/db').describe("The embedded database's directory (relative to the working directory) when DATABASE_URL is unset."),
  CLOUDOPTIM_MARKET_DATA_DIR: z.string().optional().describe('Market data files (same names and formats; see PROVENANCE.md there); unset: the copy in packages/market/data.'),
  LOG_LEVEL: envSchemas.logLevel().describe('Log level of the commands that log (`sim --json`).'),
});

export interface CliConfig {
  databaseUrl: string | undefined;
  /** Embedded database directory (PGlite) when no DATABASE_URL is set; absolute. */
  dataDir: string;
  /** Market data directory override; undefined means the copy shipped in packages/market/data. */
  marketDataDir: string | undefined;
  logLevel: z.infer<typeof CliConfigSchema>['LOG_LEVEL'];
}

export function loadCliConfig(env: Env, cwd: string): CliConfig {
  const raw = loadConfig(CliConfigSchema, env, 'cloudoptim');
  return {
    databaseUrl: raw.DATABASE_URL,
    dataDir: path.resolve(cwd, raw.CLOUDOPTIM_DATA_DIR),
    marketDataDir: raw.CLOUDOPTIM_MARKET_DATA_DIR ? path.resolve(cwd, raw.CLOUDOPTIM_MARKET_DATA_DIR) : undefined,
    logLevel: raw.LOG_LEVEL,
  };
}
