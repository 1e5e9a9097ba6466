/**
 * The central server's configuration: one zod schema over the environment, parsed once at boot by main.ts / the
 * CLI (`loadConfig` reports every problem at once as CONFIG_INVALID, values never echoed).
 */
import { z } from 'zod';
import { envSchemas, loadConfig, type Env } from '@cloudoptim/runtime';
import { isSecretsKeyBase64 } from './notifications/secret-box.ts';

// A refinement's message never includes the value (it is a key).
const secretsKey = () => z.string().trim().refine(isSecretsKeyBase64, 'must be 32 random bytes in base64 (generate one with openssl rand -base64 32)');

export const CentralConfigSchema = z.object({
  PORT: envSchemas.port(8000).describe('Port of the HTTP server: API, admin UI, agent WebSocket, /metrics (`--port`).'),
  HOST: z.string().min(1).default('0.0.0.0').describe('Interface to listen on.'),
  LOG_LEVEL: envSchemas.logLevel().describe('Level of the JSON log on stdout.'),
  DATABASE_URL: z
    .string()
    .min(1)
    .optional()
    .describe('PostgreSQL, `postgres://user:password@host:5432/db` (required for several replicas); unset: embedded PGlite in CLOUDOPTIM_DATA_DIR.'),
  CLOUDOPTIM_DATA_DIR: z.string().min(1).default('./.cloudoptim/db').describe('Directory of the embedded PGlite database when DATABASE_URL is unset (one process at a time; `--data-dir`).'),
  CLOUDOPTIM_PUBLIC_URL: z
    .string()
    .url()
    .default('http://localhost:8000')
    .describe('The URL agents and browsers reach this server on: printed in install commands; `https://` makes session cookies Secure.'),
  CLOUDOPTIM_BOOTSTRAP_ADMIN_EMAIL: z.string().email().optional().describe('E-mail of the first operator, created at start when there are no users yet.'),
  CLOUDOPTIM_BOOTSTRAP_ADMIN_PASSWORD: z
    .string()
    .min(12, 'must be at least 12 characters')
    .optional()
    .describe('Password of that first operator (at least 12 characters); read only while there are no users.'),
  SESSION_TTL_SECONDS: envSchemas.positiveInt(12 * 3600).describe('Lifetime of a sign-in session, seconds.'),
  CORS_ORIGINS: z.string().default('').describe('Browser origins allowed to call the API with credentials, comma-separated; empty: same origin only.'),
  // An agent's metrics report of a 10,000-pod cluster is ~7 MB.
  BODY_LIMIT_BYTES: envSchemas.positiveInt(16 * 1024 * 1024).describe('Largest request body accepted, bytes (a 10,000-pod metrics report is ~7 MB).'),
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((raw, ctx) => parseTrustProxy(raw, ctx))
    .describe(
      'Which peers may set X-Forwarded-For (the client IP the per-IP sign-in and rate limits count): `false` (default: the TCP peer is the client), or the load balancers/proxies in front of central as comma-separated addresses/CIDRs (on EKS behind an ALB: the VPC CIDR). `true` trusts any peer — only when nothing can reach central except through a proxy that overwrites the header.',
    ),
  RATE_LIMIT_PER_MINUTE: envSchemas.positiveInt(1200).describe('Requests per minute per credential (agent key or session), per IP without one; above it 429 RATE_LIMITED.'),
  REDIS_URL: z
    .string()
    .min(1)
    .optional()
    .describe('Redis holding the rate-limit and failed sign-in counters, shared by the replicas; unset: each replica counts requests alone, and failed sign-ins are counted in the database.'),
  METRICS_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .describe('Bearer token /metrics requires (`Authorization: Bearer <token>` in the Prometheus scrape config); unset: /metrics is open to anyone who reaches the port, and it names clusters and their cost per hour.'),
  LOGIN_MAX_FAILURES_PER_EMAIL: envSchemas
    .positiveInt(10)
    .describe('Sign-in attempts for one e-mail address (known or not) that may fail within LOGIN_FAILURE_WINDOW_SECONDS; beyond it every sign-in to that address answers 429 RATE_LIMITED, even with the right password, until the window ends. A successful sign-in resets the count.'),
  LOGIN_MAX_FAILURES_PER_IP: envSchemas
    .positiveInt(100)
    .describe('Sign-in attempts from one client IP that may fail within LOGIN_FAILURE_WINDOW_SECONDS, whatever the e-mail; beyond it that IP gets 429 RATE_LIMITED until the window ends.'),
  LOGIN_FAILURE_WINDOW_SECONDS: envSchemas
    .positiveInt(900)
    .describe('Window of the failed sign-in counts, seconds from the first failure (counted in the database, or in Redis with REDIS_URL, so every replica shares them).'),
  ML_SERVER_URL: z.string().url().default('http://localhost:8001').describe('Base URL of the ML server.'),
  ML_SERVER_API_KEY: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .describe("The ML server's service key (its ML_SERVER_API_KEY); unset: optimizations and Spot replacements fail until it is set."),
  AWS_ENDPOINT_URL: z.string().url().optional().describe('Endpoint override for EC2, SQS and STS (the simulator, LocalStack); unset: the regional AWS endpoints.'),
  AWS_ACCESS_KEY_ID: z
    .string()
    .min(1)
    .optional()
    .describe("Static key of the server's own AWS identity (used with AWS_SECRET_ACCESS_KEY); unset: the SDK default chain (IRSA, instance profile, AWS_PROFILE). Clusters with a role are reached through STS AssumeRole from this identity."),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional().describe('Secret of AWS_ACCESS_KEY_ID.'),
  AGENT_HEARTBEAT_SECONDS: envSchemas
    .positiveInt(30)
    .describe('Heartbeat interval agents keep, seconds: a cluster turns YELLOW after 2 missed heartbeats, RED after 4.'),
  TASK_LEASE_SECONDS: envSchemas
    .positiveInt(60)
    .describe('How long a polled task stays leased to the agent without a result or a heartbeat naming it running, seconds; then it is offered again.'),
  CLOUDOPTIM_WORKERS: z
    .enum(['on', 'off'])
    .default('on')
    .describe('Run the background workers (optimizer, executor, spot handler …) in this process; `off`: API only.'),
  CLOUDOPTIM_UI_DIR: z.string().min(1).optional().describe("Directory of the admin UI's static build, served at /; unset: apps/admin-ui/dist when it was built."),
  SMTP_URL: z.string().min(1).optional().describe('SMTP transport for e-mail notification channels (`smtps://user:password@host:465`); e-mail channels need it and SMTP_FROM.'),
  SMTP_FROM: z.string().email().optional().describe('Sender address of notification e-mails.'),
  WEBHOOK_ALLOW_PRIVATE_TARGETS: envSchemas
    .boolean(false)
    .describe("Let notification webhooks reach private, loopback, link-local and other non-public addresses (a receiver inside your own network); by default they are refused, so a customer's webhook URL cannot make the server call its own network or the cloud metadata endpoint."),
  CLOUDOPTIM_SECRETS_KEY: secretsKey()
    .optional()
    .describe(
      'Key sealing the credentials central stores (notification channels’ webhook URLs, signing secrets and e-mail targets) with AES-256-GCM: 32 random bytes in base64 (`openssl rand -base64 32`); keep it outside the database (a Kubernetes Secret). Unset: they are stored in plain text and a warning is logged at start. Set: plain-text rows are sealed at start.',
    ),
  CLOUDOPTIM_SECRETS_KEY_PREVIOUS: secretsKey()
    .optional()
    .describe('The key CLOUDOPTIM_SECRETS_KEY replaced, during a rotation: it only opens values, and values sealed with it are re-sealed with the current key at start. Needs CLOUDOPTIM_SECRETS_KEY.'),
}).superRefine((config, ctx) => {
  // A previous key alone would open old values while new ones are written in plain text: surely a mistake.
  if (config.CLOUDOPTIM_SECRETS_KEY_PREVIOUS !== undefined && config.CLOUDOPTIM_SECRETS_KEY === undefined) {
    ctx.addIssue({ code: 'custom', path: ['CLOUDOPTIM_SECRETS_KEY_PREVIOUS'], message: 'is set without CLOUDOPTIM_SECRETS_KEY: set the new key too (the previous one only opens values)' });
  }
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

const CIDR_OR_IP = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f:]+)(?:\/\d{1,3})?$/i;

/**
 * TRUST_PROXY as Fastify's `trustProxy` takes it: a boolean or a list of addresses/CIDRs. Not a hop count:
 * Fastify ignores the header for one (a count cannot tell a proxy from a client that sends enough hops).
 */
function parseTrustProxy(raw: string, ctx: z.RefinementCtx): boolean | string[] {
  const value = raw.trim().toLowerCase();
  if (value === 'false' || value === '') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) {
    ctx.addIssue({ code: 'custom', message: 'a hop count cannot tell a proxy from a client: list the proxies\' addresses or CIDRs (e.g. the VPC CIDR)' });
    return false;
  }
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.some((s) => !CIDR_OR_IP.test(s))) ctx.addIssue({ code: 'custom', message: 'must be true, false or comma-separated IP addresses/CIDRs' });
  return list;
}
