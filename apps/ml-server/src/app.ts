/**
 * `buildApp(deps)`: the ML server as a Fastify instance that never listens (main.ts/server.ts do; tests use
 * `app.inject`). Every /api route needs the service key (the WebSocket stream's upgrade too); every non-2xx
 * answer is the spec's error envelope; bodies are parsed with zod schemas at the edge; responses are checked
 * against theirs. Over its store (`deps.db`, see store/ml-store.ts) it runs the model registry with hot reload
 * on every replica, the gap filler and the event stream; closing the app stops its jobs and listeners (the
 * caller closes the database).
 */
import { randomUUID } from 'node:crypto';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Highs } from 'highs';
import type { z } from 'zod';
import { AppError, type DecisionRequest, DecisionRequestSchema, type DecisionResponse, DecisionResponseSchema, type DecisionType, parseOrThrow } from '@cloudoptim/contracts';
import type { Database } from '@cloudoptim/db';
import { binPacking, type RiskModel } from '@cloudoptim/engines';
import type { Market, SpotPriceHistory } from '@cloudoptim/market';
import { type Clock, Counter, createMetricsRegistry, Histogram, httpErrorReply, type Logger, type Registry } from '@cloudoptim/runtime';
import { type Cache, MemoryCache } from './cache/cache.ts';
import type { MlServerConfig } from './config.ts';
import { binPack } from './decisions/bin-pack.ts';
import type { EngineContext } from './decisions/context.ts';
import { rightsize } from './decisions/rightsize.ts';
import { schedule } from './decisions/schedule.ts';
import { spotOptimize } from './decisions/spot-optimize.ts';
import { awsCloudFactory } from './gaps/aws-cloud.ts';
import { type CloudFactory, GapFiller } from './gaps/gap-filler.ts';
import { registerGapRoutes } from './gaps/gaps.routes.ts';
import { createServiceKeyCheck } from './http/auth.ts';
import { ModelRegistry } from './models/model-registry.ts';
import { registerModelRoutes } from './models/models.routes.ts';
import { nativeScoringModel } from './models/scoring-model.ts';
import { buildOpenApiDocument, type RouteDoc } from './openapi.ts';
import { registerPredictRoute } from './predict/predict.routes.ts';
import { MlEventBus } from './stream/ml-event-bus.ts';
import { registerStreamRoute } from './stream/stream.routes.ts';

export const ML_SERVER_VERSION = '0.1.0';

export interface MlServerDeps {
  /** The ML server's own store, opened and migrated (`openMlStore`); shared by replicas on PostgreSQL. */
  db: Database;
  market: Market;
  /** Spot price history; when absent it is loaded from `market` on first use (and kept). */
  priceHistory?: SpotPriceHistory;
  /** A loaded HiGHS runtime (`await (await import('highs')).default()`), loaded once per process. */
  highs: Highs;
  clock: Clock;
  log: Logger;
  config: Pick<MlServerConfig, 'ML_SERVER_API_KEY'> & Partial<Pick<MlServerConfig, 'ML_SERVER_BODY_LIMIT_BYTES' | 'ML_SERVER_MODEL_MAX_BYTES' | 'AWS_ENDPOINT_URL' | 'AWS_ACCESS_KEY_ID' | 'AWS_SECRET_ACCESS_KEY'>>;
  /**
   * A loaded interruption-risk model (`loadRiskModel(artifact)`) that serves while the registry has no active
   * model; without either the day-zero score is used.
   */
  riskModel?: RiskModel;
  /** Cache of predictions and store coverage; default in-process. The app does not close a given cache. */
  cache?: Cache;
  /** EC2 access for the gap filler, per region; default from the config's AWS_* settings. */
  cloud?: CloudFactory;
  /** Prometheus registry; default: a new one for this app. */
  metrics?: Registry;
  /** Readiness beyond "built" (e.g. false while shutting down); default always ready. */
  isReady?: () => boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    ctxLog: Logger;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const API_PREFIX = '/api/';


const DECISION_ROUTES: { path: string; type: DecisionType; summary: string }[] = [
  { path: '/api/v1/ml/decision/spot-optimize', type: 'spot_optimize', summary: 'Choose Spot pools for new and replaced nodes (day-zero score or the risk model)' },
  { path: '/api/v1/ml/decision/bin-pack', type: 'bin_pack', summary: 'Consolidate the cluster: nodes to remove or replace, pod moves' },
  { path: '/api/v1/ml/decision/rightsize', type: 'rightsize', summary: 'Per-container requests from usage history' },
  { path: '/api/v1/ml/decision/schedule', type: 'schedule', summary: 'Office-hours scale-down/up plan from schedules' },
];

export async function buildApp(deps: MlServerDeps): Promise<FastifyInstance> {
  const { clock, log } = deps;
  const checkKey = createServiceKeyCheck(deps.config.ML_SERVER_API_KEY);
  const registry = deps.metrics ?? createMetricsRegistry('ml-server');
  const requests = new Counter({ name: 'cloudoptim_ml_server_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers: [registry] });
  const latency = new Histogram({ name: 'cloudoptim_ml_server_http_request_duration_seconds', help: 'HTTP request latency by route', labelNames: ['method', 'route', 'status'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] });

  let priceHistory: Promise<SpotPriceHistory> | undefined = deps.priceHistory ? Promise.resolve(deps.priceHistory) : undefined;
  const prices = () => (priceHistory ??= deps.market.spotPriceHistory());
  const engine: Omit<EngineContext, 'risk'> = { market: deps.market, prices, lpSolver: binPacking.createHighsLpSolver(deps.highs), clock };
  const cache = deps.cache ?? new MemoryCache(clock);
  const events = await MlEventBus.start(deps.db, clock, log);
  const models = new ModelRegistry({ db: deps.db, market: deps.market, clock, log, events, ...(deps.riskModel && { fallback: nativeScoringModel(deps.riskModel, deps.riskModel.version) }) });
  const filler = new GapFiller({ db: deps.db, clock, log, events, cache, cloud: deps.cloud ?? awsCloudFactory(deps.config, log), shipped: prices, activeModel: async () => {
    const active = await models.active();
    return active ? { version: active.version, trainedUntil: active.trainedUntil } : null;
  } });
  try {
    await models.reload();
    await filler.failStaleJobs();
  } catch (error) {
    await events.close();
    throw error;
  }

  const app = Fastify({
    logger: false,
    bodyLimit: deps.config.ML_SERVER_BODY_LIMIT_BYTES ?? 16 * 1024 * 1024,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    return503OnClosing: false,
    // Errors Fastify answers before routing (a path with a malformed %-escape) get the envelope too.
    frameworkErrors: (error, req, reply) => {
      const out = httpErrorReply(error, req.id, clock.now());
      void (reply as unknown as FastifyReply).status(out.status).header('x-request-id', req.id).send(out.body);
    },
  });
  app.decorateRequest('ctxLog', null as unknown as Logger);
  app.addHook('onClose', async () => {
    await filler.stop();
    await events.close();
    if (!deps.cache) await cache.close();
  });
  // JSON only: a text/plain body is a client error, not a string to validate.
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (req, reply) => {
    req.ctxLog = log.child({ request_id: req.id });
    reply.header('x-request-id', req.id);
    const path = req.url.split('?')[0] ?? '';
    // Unknown /api paths need the key too (401 before 404: no route discovery without it).
    if (path.startsWith(API_PREFIX)) checkKey(req.headers.authorization);
  });
  app.addHook('onResponse', async (req, reply) => {
    const labels = { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    requests.inc(labels);
    latency.observe(labels, reply.elapsedTime / 1000);
    req.ctxLog.debug({ method: req.method, url: req.url, status: reply.statusCode, duration_ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
  });

  app.setErrorHandler((error, req, reply) => {
    const out = httpErrorReply(error, req.id, clock.now());
    const logger = req.ctxLog ?? log.child({ request_id: req.id });
    if (out.unexpected) logger.error({ err: error, method: req.method, url: req.url }, 'request failed');
    else logger.info({ code: out.body.error.code, status: out.status, method: req.method, url: req.url }, 'request rejected');
    void reply.status(out.status).header('x-request-id', req.id).send(out.body);
  });
  app.setNotFoundHandler((req, reply) => {
    const out = httpErrorReply(new AppError('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`), req.id, clock.now());
    void reply.status(out.status).send(out.body);
  });

  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });

  const routes: RouteDoc[] = [];
  const checked = <S extends z.ZodType>(schema: S, value: z.input<S>): z.output<S> => {
    // The response is checked against its schema: a bug here is a 500, never a malformed answer.
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new Error(`response does not match its schema: ${parsed.error.message.slice(0, 2000)}`);
    return parsed.data;
  };
  const sendChecked = <S extends z.ZodType>(reply: FastifyReply, schema: S, value: z.input<S>) => reply.send(checked(schema, value));

  for (const r of DECISION_ROUTES) {
    routes.push({ method: 'post', path: r.path, summary: r.summary, request: 'DecisionRequest', response: 'DecisionResponse', auth: true });
    app.post(r.path, async (req: FastifyRequest, reply) => {
      const body = parseOrThrow(DecisionRequestSchema, req.body, 'DecisionRequest body');
      if (body.decision_type !== r.type) {
        throw new AppError('VALIDATION_FAILED', `DecisionRequest body is invalid: decision_type must be ${r.type} on this endpoint`, { issues: [{ path: 'decision_type', message: `must be ${r.type} on ${r.path}` }] });
      }
      const started = clock.now();
      // One scorer for the whole decision, even if a new model is activated meanwhile.
      const response = await decide(body, { ...engine, risk: models.scorer() }, started);
      req.ctxLog.info({ cluster_id: body.cluster_id, decision_request_id: body.request_id, decision_type: body.decision_type, outcome: response.outcome, steps: response.execution_plan.length, computation_ms: response.metadata.computation_ms }, 'decision');
      return sendChecked(reply, DecisionResponseSchema, response);
    });
  }

  registerPredictRoute(app, routes, { scorer: () => models.scorer(), prices, cache, checked });
  await registerModelRoutes(app, routes, models, { maxModelBytes: deps.config.ML_SERVER_MODEL_MAX_BYTES ?? 32 * 1024 * 1024, send: sendChecked });
  registerGapRoutes(app, routes, filler, sendChecked);
  registerStreamRoute(app, routes, events);

  routes.push({ method: 'get', path: '/api/v1/ml/health', summary: 'Health of the ML server: data dates, model, uptime', response: 'MlHealth', auth: true });
  const startedAt = clock.now();
  app.get('/api/v1/ml/health', async () => ({
    status: 'ok',
    version: ML_SERVER_VERSION,
    uptime_seconds: Math.round((clock.now() - startedAt) / 1000),
    model_version: models.scorer().modelVersion,
    price_history_loaded: priceHistory !== undefined,
    market: { regions: deps.market.regions().length, ...deps.market.dataDates() },
  }));

  routes.push({ method: 'get', path: '/api/v1/ml/openapi.json', summary: 'This OpenAPI document', auth: true });
  let openApi: Record<string, unknown> | undefined;
  app.get('/api/v1/ml/openapi.json', async () => (openApi ??= buildOpenApiDocument(routes, ML_SERVER_VERSION)));

  routes.push({ method: 'get', path: '/healthz', summary: 'Liveness probe', auth: false });
  app.get('/healthz', async () => ({ status: 'ok' }));
  routes.push({ method: 'get', path: '/readyz', summary: 'Readiness probe (503 while shutting down)', auth: false });
  app.get('/readyz', async (_req, reply) => {
    if (deps.isReady && !deps.isReady()) throw new AppError('UNAVAILABLE', 'not ready');
    return reply.send({ status: 'ready' });
  });
  routes.push({ method: 'get', path: '/metrics', summary: 'Prometheus metrics', auth: false });
  app.get('/metrics', async (_req, reply) => reply.header('content-type', registry.contentType).send(await registry.metrics()));

  await app.ready();
  return app;
}

function decide(req: DecisionRequest, ctx: EngineContext, started: number): Promise<DecisionResponse> | DecisionResponse {
  switch (req.decision_type) {
    case 'spot_optimize':
      return spotOptimize(req, ctx, started);
    case 'bin_pack':
      return binPack(req, ctx, started);
    case 'rightsize':
      return rightsize(req, ctx, started);
    case 'schedule':
      return schedule(req, ctx, started);
  }
}

