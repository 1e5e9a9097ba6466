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
  /** Largest model file accepted on upload, bytes. */
  ML_SERVER_MODEL_MAX_BYTES: envSchemas.positiveInt(32 * 1024 * 1024),
  /** The ML server's own store: PGlite in this directory unless DATABASE_URL is set. */
  ML_SERVER_DATA_DIR: z.string().min(1).default('./.cloudoptim/ml'),
  /** PostgreSQL shared by the replicas (models, jobs, price points); may be central's database too. */
  DATABASE_URL: envSchemas.postgresUrl().optional(),
  /** The schema the ML server's tables and migration record live in on DATABASE_URL. */
  ML_SERVER_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
    .default('ml'),
  /** Optional shared cache for predictions and market coverage; in-process without it. */
  REDIS_URL: z.string().regex(/^rediss?:\/\/.+/, 'expected redis://host:port').optional(),
  /** EC2 endpoint override for the gap filler (the simulator's); unset → the regional AWS endpoint. */
  AWS_ENDPOINT_URL: envSchemas.url().optional(),
  /** Static AWS credentials for DescribeSpotPriceHistory; unset → the SDK's default chain (IRSA, profile …). */
  AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
}).superRefine((c, ctx) => {
  if ((c.AWS_ACCESS_KEY_ID === undefined) !== (c.AWS_SECRET_ACCESS_KEY === undefined)) {
    ctx.addIssue({ code: 'custom', path: [c.AWS_ACCESS_KEY_ID === undefined ? 'AWS_ACCESS_KEY_ID' : 'AWS_SECRET_ACCESS_KEY'], message: 'set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither' });
  }
});

export type MlServerConfig = z.output<typeof MlServerConfigSchema>;

/** Parses the environment. @throws AppError CONFIG_INVALID listing every bad variable (values never echoed). */
export function loadMlServerConfig(env: Env): MlServerConfig {
  return loadConfig(MlServerConfigSchema, env, 'ml-server');
}
