/**
 * The central server's configuration: one zod schema over the environment, parsed once at boot by main.ts / the
 * CLI (`loadConfig` reports every problem at once as CONFIG_INVALID, values never echoed).
 */
import { z } from 'zod';
import { envSchemas, loadConfig, type Env } from '@cloudoptim/runtime';

export const CentralConfigSchema = z.object({
  PORT: envSchemas.port(8000),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: envSchemas.logLevel(),
  /** PostgreSQL; unset → embedded PGlite in CLOUDOPTIM_DATA_DIR. */
  DATABASE_URL: z.string().min(1).optional(),
  CLOUDOPTIM_DATA_DIR: z.string().min(1).default('./.cloudoptim/db'),
  /** The URL agents and browsers reach this server on (install commands print it). */
  CLOUDOPTIM_PUBLIC_URL: z.string().url().default('http://localhost:8000'),
  /** First start with no users: the operator account created from these two. */
  CLOUDOPTIM_BOOTSTRAP_ADMIN_EMAIL: z.string().email().optional(),
  CLOUDOPTIM_BOOTSTRAP_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  SESSION_TTL_SECONDS: envSchemas.positiveInt(12 * 3600),
  /** Browser origins allowed to call the API with credentials (comma-separated); empty: same origin only. */
  CORS_ORIGINS: z.string().default(''),
  // An agent's metrics report of a 10,000-pod cluster is ~7 MB.
  BODY_LIMIT_BYTES: envSchemas.positiveInt(16 * 1024 * 1024),
  /** Requests per minute per credential (or per IP without one). */
  RATE_LIMIT_PER_MINUTE: envSchemas.positiveInt(1200),
  /** Optional shared rate-limit store across replicas. */
  REDIS_URL: z.string().min(1).optional(),
  ML_SERVER_URL: z.string().url().default('http://localhost:8001'),
  ML_SERVER_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  /** AWS endpoint override (the simulator's); unset → the real regional endpoints. */
  AWS_ENDPOINT_URL: z.string().url().optional(),
  AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Heartbeat interval agents use; health turns YELLOW after 2 missed, RED after 4. */
  AGENT_HEARTBEAT_SECONDS: envSchemas.positiveInt(30),
  /** How long a polled task stays leased to the agent without a result or a heartbeat naming it running. */
  TASK_LEASE_SECONDS: envSchemas.positiveInt(60),
  /** Run the background workers (optimizer, executor, spot handler …) in this process. */
  CLOUDOPTIM_WORKERS: z.enum(['on', 'off']).default('on'),
  /** Directory of the admin UI's static build, served at / when present. */
  CLOUDOPTIM_UI_DIR: z.string().min(1).optional(),
  SMTP_URL: z.string().min(1).optional(),
  SMTP_FROM: z.string().email().optional(),
});

export type CentralConfig = z.output<typeof CentralConfigSchema>;

/** Parses the environment. @throws AppError CONFIG_INVALID listing every bad variable. */
export function loadCentralConfig(env: Env): CentralConfig {
  return loadConfig(CentralConfigSchema, env, 'central');
}

/** The config tests and embedded runs start from: every default, no secrets. */
export function defaultCentralConfig(overrides: Partial<CentralConfig> = {}): CentralConfig {
  return { ...CentralConfigSchema.parse({}), ...overrides };
}
