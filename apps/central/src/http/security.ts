/**
 * Transport hardening: security headers (helmet), CORS for the admin UI's origins (credentials allowed only for
 * listed origins), rate limits per credential — per agent key or session — or per IP without one (with
 * REDIS_URL the counters are shared by every replica; without it each replica counts alone), and the bearer
 * token /metrics requires when METRICS_TOKEN is set.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { AppError } from '@cloudoptim/contracts';
import { bearerToken } from '../auth/tokens.ts';
import type { CentralContext } from '../context.ts';
import { credentialsOf } from './route.ts';

/** The rate-limit bucket of a request: a digest of its credential (never the credential itself), else its IP. */
export function rateLimitKey(req: FastifyRequest): string {
  const { authorization, sessionCookie } = credentialsOf(req);
  const credential = authorization ?? sessionCookie;
  if (!credential) return `ip:${req.ip}`;
  return `cred:${createHash('sha256').update(credential).digest('base64url').slice(0, 22)}`;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** With METRICS_TOKEN, /metrics answers only a scrape that presents it (compared in constant time). */
function guardMetrics(app: FastifyInstance, token: string | undefined): void {
  if (token === undefined) return;
  const expected = sha256(token);
  app.addHook('onRequest', async (req) => {
    if (req.url.split('?')[0] !== '/metrics') return;
    const given = bearerToken(req.headers.authorization);
    // Digests have one length, so timingSafeEqual compares them without revealing where they differ.
    if (given === undefined || !timingSafeEqual(sha256(given), expected)) throw new AppError('UNAUTHENTICATED', '/metrics needs "Authorization: Bearer <METRICS_TOKEN>"');
  });
}

export async function registerSecurity(app: FastifyInstance, ctx: CentralContext): Promise<void> {
  guardMetrics(app, ctx.config.METRICS_TOKEN);
  await app.register(helmet, {
    // The admin UI is served from this origin; its bundle needs no inline scripts.
    contentSecurityPolicy: { directives: { 'default-src': ["'self'"], 'connect-src': ["'self'", 'ws:', 'wss:'], 'img-src': ["'self'", 'data:'], 'style-src': ["'self'", "'unsafe-inline'"] } },
    crossOriginEmbedderPolicy: false,
  });
  const origins = ctx.config.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean);
  await app.register(cors, { origin: origins.length > 0 ? origins : false, credentials: true, methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], exposedHeaders: ['x-request-id', 'retry-after'] });
  const redis = ctx.config.REDIS_URL ? new Redis(ctx.config.REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false }) : undefined;
  if (redis) app.addHook('onClose', async () => void redis.disconnect());
  await app.register(rateLimit, {
    global: true,
    max: ctx.config.RATE_LIMIT_PER_MINUTE,
    timeWindow: 60_000,
    keyGenerator: rateLimitKey,
    ...(redis && { redis, skipOnError: true }),
    allowList: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics',
    errorResponseBuilder: (_req, context) => new AppError('RATE_LIMITED', `too many requests: at most ${context.max} per minute`, { retry_after_seconds: Math.max(1, Math.ceil(context.ttl / 1000)) }),
  });
}
