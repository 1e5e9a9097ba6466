import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { ErrorEnvelopeSchema, exampleDecisionRequest } from '@cloudoptim/contracts';
import { loadMarket } from '@cloudoptim/market';
import { ManualClock, silentLogger } from '@cloudoptim/runtime';
import { buildApp } from './app.ts';
import { openMlStore } from './store/ml-store.ts';
import { AUTH, TEST_KEY, testApp } from './testing/test-app.ts';

let app: FastifyInstance;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ app, close } = await testApp());
});
afterAll(() => close());

function envelope(body: string) {
  return ErrorEnvelopeSchema.parse(JSON.parse(body)).error;
}

describe('auth', () => {
  it('answers 401 without a key, with a wrong key and with a malformed header, on every /api route', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-key-wrong-key-000' }, { authorization: TEST_KEY }]) {
      for (const url of ['/api/v1/ml/health', '/api/v1/ml/openapi.json', '/api/v1/ml/does-not-exist']) {
        const res = await app.inject({ method: 'GET', url, headers });
        expect(res.statusCode).toBe(401);
        expect(envelope(res.body).code).toBe('UNAUTHENTICATED');
      }
      const post = await app.inject({ method: 'POST', url: '/api/v1/ml/decision/spot-optimize', headers, payload: exampleDecisionRequest() });
      expect(post.statusCode).toBe(401);
    }
  });

  it('leaves the probes and /metrics open', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready' });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('cloudoptim_ml_server_http_requests_total');
    expect(metrics.body).toContain('cloudoptim_ml_server_http_request_duration_seconds_bucket');
  });
});

describe('request ids and errors', () => {
  it('echoes a valid x-request-id and puts it in error envelopes; replaces an invalid one', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/ml/nope', headers: { ...AUTH, 'x-request-id': 'abc-123' } });
    expect(res.statusCode).toBe(404);
    expect(res.headers['x-request-id']).toBe('abc-123');
    expect(envelope(res.body)).toMatchObject({ code: 'NOT_FOUND', request_id: 'abc-123' });
    const bad = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'bad id\nwith newline' } });
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an unknown route outside /api with a 404 envelope', async () => {
    const res = await app.inject({ method: 'GET', url: '/nowhere' });
    expect(res.statusCode).toBe(404);
    expect(envelope(res.body).code).toBe('NOT_FOUND');
  });

  it('answers malformed JSON, an empty body and a non-JSON body with a 400 envelope', async () => {
    const malformed = await app.inject({ method: 'POST', url: '/api/v1/ml/decision/spot-optimize', headers: { ...AUTH, 'content-type': 'application/json' }, payload: '{"request_id": ' });
    expect(malformed.statusCode).toBe(400);
    expect(envelope(malformed.body).code).toBe('BAD_REQUEST');
    const text = await app.inject({ method: 'POST', url: '/api/v1/ml/predict/spot-interruption', headers: { ...AUTH, 'content-type': 'text/plain' }, payload: 'hello' });
    expect(text.statusCode).toBe(400);
    expect(envelope(text.body).code).toBe('BAD_REQUEST');
  });

  it('answers a bad DecisionRequest with VALIDATION_FAILED naming every bad path', async () => {
    const body = { ...exampleDecisionRequest(), cluster_id: 'other-cluster', requirements: { ...exampleDecisionRequest().requirements, gpu_count: -1 } };
    const res = await app.inject({ method: 'POST', url: '/api/v1/ml/decision/spot-optimize', headers: AUTH, payload: body });
    expect(res.statusCode).toBe(400);
    const error = envelope(res.body);
    expect(error.code).toBe('VALIDATION_FAILED');
    const paths = (error.details?.issues as { path: string }[]).map((i) => i.path);
    expect(paths).toContain('requirements.gpu_count');
    const wrongType = await app.inject({ method: 'POST', url: '/api/v1/ml/decision/bin-pack', headers: AUTH, payload: exampleDecisionRequest() });
    expect(wrongType.statusCode).toBe(400);
    expect((envelope(wrongType.body).details?.issues as { path: string }[])[0]?.path).toBe('decision_type');
    const badMeta = await app.inject({ method: 'POST', url: '/api/v1/ml/decision/spot-optimize', headers: AUTH, payload: exampleDecisionRequest({ metadata: { node_vcpu: -4 } }) });
    expect(badMeta.statusCode).toBe(400);
    expect((envelope(badMeta.body).details?.issues as { path: string }[])[0]?.path).toBe('metadata.node_vcpu');
  });

  it('rejects a body over the size limit with a 400 envelope', async () => {
    const small = await testApp({ config: { ML_SERVER_API_KEY: TEST_KEY, ML_SERVER_BODY_LIMIT_BYTES: 1024 } });
    const res = await small.app.inject({ method: 'POST', url: '/api/v1/ml/predict/spot-interruption', headers: AUTH, payload: { pools: 'x'.repeat(4096) } });
    expect(res.statusCode).toBe(400);
    expect(envelope(res.body)).toMatchObject({ code: 'BAD_REQUEST', details: { reason: 'body_too_large' } });
    await small.close();
  });

  it('hides the cause of a 5xx: the body says only "internal error"', async () => {
    const market = loadMarket();
    const broken = Object.create(market) as typeof market;
    broken.spotPriceHistory = () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.7:5432 password=hunter2'));
    const db = await openMlStore();
    const failing = await buildApp({ db, market: broken, highs: await (await import('highs')).default(), clock: new ManualClock(), log: silentLogger, config: { ML_SERVER_API_KEY: TEST_KEY } });
    const res = await failing.inject({ method: 'POST', url: '/api/v1/ml/predict/spot-interruption', headers: AUTH, payload: { instance_type: 'm5.large', region: 'us-east-1', availability_zone: 'us-east-1a', spot_price: 0.04, launch_time: '2021-04-10T12:00:00Z' } });
    expect(res.statusCode).toBe(500);
    const error = envelope(res.body);
    expect(error).toMatchObject({ code: 'INTERNAL', message: 'internal error', details: null });
    expect(res.body).not.toContain('hunter2');
    expect(res.body).not.toContain('10.0.0.7');
    await failing.close();
    await db.close();
  });

  it('answers 503 on /readyz when not ready', async () => {
    const stopping = await testApp({ isReady: () => false });
    const res = await stopping.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(envelope(res.body).code).toBe('UNAVAILABLE');
    await stopping.close();
  });
});

describe('health and OpenAPI', () => {
  it('reports health with the model version and data dates', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/ml/health', headers: AUTH });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', model_version: 'day-zero', price_history_loaded: true });
  });

  it('lists every route in the OpenAPI document, with schemas from the contracts', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/ml/openapi.json', headers: AUTH });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };
    expect(doc.openapi).toBe('3.1.0');
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const served = app
      .printRoutes({ commonPrefix: false })
      .split('\n')
      .filter((l) => /\(GET|POST/.test(l));
    expect(served.length).toBeGreaterThan(0);
    expect(listed.sort()).toEqual(
      [
        'POST /api/v1/ml/decision/spot-optimize',
        'POST /api/v1/ml/decision/bin-pack',
        'POST /api/v1/ml/decision/rightsize',
        'POST /api/v1/ml/decision/schedule',
        'POST /api/v1/ml/predict/spot-interruption',
        'GET /api/v1/ml/health',
        'GET /api/v1/ml/openapi.json',
        'POST /api/v1/ml/models',
        'GET /api/v1/ml/models',
        'POST /api/v1/ml/models/rollback',
        'POST /api/v1/ml/models/{version}/activate',
        'POST /api/v1/ml/models/{version}/evaluate',
        'DELETE /api/v1/ml/models/{version}',
        'POST /api/v1/ml/data/gap-analysis',
        'POST /api/v1/ml/data/fill-gaps',
        'GET /api/v1/ml/data/jobs',
        'GET /api/v1/ml/data/jobs/{id}',
        'GET /api/v1/ml/stream',
        'GET /healthz',
        'GET /readyz',
        'GET /metrics',
      ].sort(),
    );
    for (const name of ['DecisionRequest', 'DecisionResponse', 'ErrorEnvelope', 'SpotInterruptionRequest', 'SpotInterruptionResponse', 'ModelUploadMultipart', 'ModelList', 'GapAnalysis', 'GapFillJob', 'MlStreamEvent']) expect(doc.components.schemas[name]).toBeTruthy();
    // Every $ref resolves.
    for (const m of JSON.stringify(doc).matchAll(/"#\/components\/schemas\/([A-Za-z]+)"/g)) expect(doc.components.schemas[m[1] as string], m[1]).toBeTruthy();
  });
});
