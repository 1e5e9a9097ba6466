/**
 * The ML server's configuration: one zod schema over the environment, parsed once at boot by main.ts
 * (`loadConfig` reports every problem at once as CONFIG_INVALID).
 */
import { z } from 'zod';
import { envSchemas, loadConfig, type Env } from '@cloudoptim/runtime';

export const MlServerConfigSchema = z.object({
  /** The service key every /api call must present as `Authorization: Bearer <key>`. */
  ML_SERVER_API_KEY: z.string({ message: 'required: the service key callers send as "Authorization: Bearer <key>"' }).min(16, 'must be at least 16 characters'),
  PORT: envSchemas.port(8001),
  /** Interface to listen on. */
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: envSchemas.logLevel(),
  /** Market data directory; default: the data shipped in packages/market. */
  CLOUDOPTIM_MARKET_DATA_DIR: z.string().min(1).optional(),
  /** A trained interruption-risk model artifact (JSON); without it the day-zero score is used. */
  ML_SERVER_RISK_MODEL_FILE: z.string().min(1).optional(),
  /** Largest request body accepted, bytes (usage histories can be large). */
  ML_SERVER_BODY_LIMIT_BYTES: envSchemas.positiveInt(16 * 1024 * 1024),
});

export type MlServerConfig = z.output<typeof MlServerConfigSchema>;

/** Parses the environment. @throws AppError CONFIG_INVALID listing every bad variable (values never echoed). */
export function loadMlServerConfig(env: Env): MlServerConfig {
  return loadConfig(MlServerConfigSchema, env, 'ml-server');
}
