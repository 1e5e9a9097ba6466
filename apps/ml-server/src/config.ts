/**
 * The ML server's configuration: one zod schema over the environment, parsed once at boot by main.ts
 * (`loadConfig` reports every problem at once as CONFIG_INVALID).
 */
import { z } from 'zod';
import { envSchemas, loadConfig, type Env } from '@cloudoptim/runtime';

export const MlServerConfigSchema = z.object({
  ML_SERVER_API_KEY: z
    .string({ message: 'required: the service key callers send as "Authorization: Bearer <key>"' })
    .min(16, 'must be at least 16 characters')
    .describe('The service key every /api call and the stream upgrade must present as `Authorization: Bearer <key>` (at least 16 characters; central sends it).'),
  PORT: envSchemas.port(8001).describe('Port to listen on (`--port`).'),
  HOST: z.string().min(1).default('0.0.0.0').describe('Interface to listen on.'),
  LOG_LEVEL: envSchemas.logLevel().describe('Level of the JSON log on stdout.'),
  CLOUDOPTIM_MARKET_DATA_DIR: z.string().min(1).optional().describe('Market data directory (`--market-data-dir`); unset: the data shipped in packages/market/data.'),
  ML_SERVER_RISK_MODEL_FILE: z
    .string()
    .min(1)
    .optional()
    .describe('A trained native interruption-risk model (JSON) that serves while the registry has no active model; unset: the day-zero score.'),
  ML_SERVER_BODY_LIMIT_BYTES: envSchemas.positiveInt(16 * 1024 * 1024).describe('Largest JSON request body accepted, bytes (usage histories can be large).'),
  ML_SERVER_MODEL_MAX_BYTES: envSchemas.positiveInt(32 * 1024 * 1024).describe('Largest model file accepted on upload, bytes.'),
  ML_SERVER_DATA_DIR: z
    .string()
    .min(1)
    .default('./.cloudoptim/ml')
    .describe("Directory of the ML server's embedded store (PGlite) when DATABASE_URL is unset; one process at a time (`--data-dir`)."),
  DATABASE_URL: envSchemas
    .postgresUrl()
    .optional()
    .describe("PostgreSQL shared by the replicas (models, gap-fill jobs, fetched prices); may be central's database (the tables live in ML_SERVER_DB_SCHEMA)."),
  ML_SERVER_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
    .default('ml')
    .describe("The PostgreSQL schema of the ML server's tables and its own schema_migrations on DATABASE_URL."),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/.+/, 'expected redis://host:port')
    .optional()
    .describe('Redis shared by the replicas as a cache of predictions and market coverage (`redis://host:6379/0`); unset: an in-process cache.'),
  AWS_ENDPOINT_URL: envSchemas.url().optional().describe("EC2 endpoint override for the gap filler (the simulator's, LocalStack); unset: the regional AWS endpoint."),
  AWS_ACCESS_KEY_ID: z
    .string()
    .min(1)
    .optional()
    .describe('Static AWS key for DescribeSpotPriceHistory (both or neither of the pair); unset: the SDK default chain (IRSA, instance profile, AWS_PROFILE).'),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional().describe('Secret of AWS_ACCESS_KEY_ID.'),
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
