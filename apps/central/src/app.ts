/**
 * `buildApp(ctx)`: central as a Fastify instance that never listens (server.ts does; tests use `inject` or a
 * port). Every non-2xx answer is the spec's error envelope; routes are declared with `defineRoute` (validation,
 * auth, OpenAPI in one place) by the feature modules listed in features.ts.
 */
import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { AppError } from '@cloudoptim/contracts';
import { Counter, Histogram, httpErrorReply, type Logger } from '@cloudoptim/runtime';
import type { CentralContext } from './context.ts';
import { FEATURES } from './features.ts';
import { buildOpenApiDocument } from './http/openapi.ts';
import { createRouteRegistrar } from './http/route.ts';
import { registerSecurity } from './http/security.ts';

export const CENTRAL_VERSION = '0.1.0';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

declare module 'fastify' {
  interface FastifyRequest {
    ctxLog: Logger;
  }
}

export async function buildApp(ctx: CentralContext): Promise<FastifyInstance> {
  const { clock, log } = ctx;
  const requests = new Counter({ name: 'cloudoptim_central_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers: [ctx.metrics] });
  const latency = new Histogram({ name: 'cloudoptim_central_http_request_duration_seconds', help: 'HTTP request latency by route', labelNames: ['method', 'route', 'status'], buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [ctx.metrics] });

  const app = Fastify({
    logger: false,
    bodyLimit: ctx.config.BODY_LIMIT_BYTES,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    return503OnClosing: false,
    trustProxy: ctx.config.TRUST_PROXY,
    // Errors Fastify answers before routing (a path with a malformed %-escape) get the envelope too.
    frameworkErrors: (error, req, reply) => {
      const out = httpErrorReply(error, req.id, clock.now());
      void (reply as unknown as FastifyReply).status(out.status).header('x-request-id', req.id).send(out.body);
    },
  });
  app.decorateRequest('ctxLog', null as unknown as Logger);
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (req, reply) => {
    req.ctxLog = log.child({ request_id: req.id });
    reply.header('x-request-id', req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    const labels = { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    requests.inc(labels);
    latency.observe(labels, reply.elapsedTime / 1000);
  });
  app.setErrorHandler((error, req, reply) => {
    const out = httpErrorReply(error, req.id, clock.now());
    const logger = req.ctxLog ?? log.child({ request_id: req.id });
    if (out.unexpected) logger.error({ err: error, method: req.method, url: req.url }, 'request failed');
    else logger.info({ code: out.body.error.code, status: out.status, method: req.method, url: req.url }, 'request rejected');
    if (out.body.error.code === 'RATE_LIMITED' && typeof out.body.error.details?.retry_after_seconds === 'number') void reply.header('retry-after', String(out.body.error.details.retry_after_seconds));
    void reply.status(out.status).header('x-request-id', req.id).send(out.body);
  });
  app.setNotFoundHandler((req, reply) => {
    const out = httpErrorReply(new AppError('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`), req.id, clock.now());
    void reply.status(out.status).send(out.body);
  });

  await app.register(cookie);
  await app.register(websocket, { options: { maxPayload: 1024 * 1024 } });
  await registerSecurity(app, ctx);

  const routes = createRouteRegistrar(app, ctx.auth);
  for (const feature of FEATURES) await feature(routes, app, ctx);

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    if (!ctx.isReady()) throw new AppError('UNAVAILABLE', 'not ready');
    await ctx.db.query('SELECT 1');
    return reply.send({ status: 'ready' });
  });
  app.get('/metrics', async (_req, reply) => reply.header('content-type', ctx.metrics.contentType).send(await ctx.metrics.metrics()));
  let openApi: Record<string, unknown> | undefined;
  app.get('/api/v1/openapi.json', async () => (openApi ??= buildOpenApiDocument(routes.docs, CENTRAL_VERSION)));

  await app.ready();
  return app;
}
