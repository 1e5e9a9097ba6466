/**
 * MlClient against the real ML server app on a local port: contract-validated answers and the error mapping
 * (4xx → the envelope's code, a wrong key or an unreachable server → UNAVAILABLE).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlClient } from '@cloudoptim/api-client';
import { exampleDecisionRequest, isAppError, type AppError } from '@cloudoptim/contracts';
import { startMlTestServer, type MlTestServer } from './ml-test-server.ts';

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isAppError(error)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe('MlClient against the ML server', () => {
  let ml: MlTestServer;
  beforeAll(async () => {
    ml = await startMlTestServer();
  }, 120_000);
  afterAll(() => ml?.close());

  it('decides: a spot_optimize request gets a validated DecisionResponse with a plan', async () => {
    const response = await ml.client.decide(exampleDecisionRequest(), { requestId: 'central-test-1' });
    expect(response.request_id).toBe(exampleDecisionRequest().request_id);
    expect(response.decision_type).toBe('spot_optimize');
    expect(response.outcome).toBe('planned');
    expect(response.execution_plan[0]?.action).toBe('launch_instances');
  });

  it('maps a 4xx to the envelope code (a bad region → UNKNOWN_REGION or VALIDATION_FAILED)', async () => {
    const request = exampleDecisionRequest();
    const bad = { ...request, current_state: { ...request.current_state, region: 'xx-nowhere-9' } };
    const error = await rejection(ml.client.decide(bad));
    expect(['UNKNOWN_REGION', 'VALIDATION_FAILED']).toContain(error.code);
    expect(error.status).toBeLessThan(500);
  });

  it('predicts one pool and a batch', async () => {
    const pool = { instance_type: 'm5.large', region: 'us-east-1', availability_zone: 'us-east-1a', spot_price: 0.04, launch_time: '2025-11-20T00:00:00Z' };
    const one = await ml.client.predictSpotInterruption(pool);
    expect(one.interruption_probability).toBeGreaterThanOrEqual(0);
    expect(one.instance_type).toBe('m5.large');
    const batch = await ml.client.predictSpotInterruption({ pools: [pool, { ...pool, availability_zone: 'us-east-1b' }] });
    expect(batch.map((p) => p.availability_zone)).toEqual(['us-east-1a', 'us-east-1b']);
  });

  it('reports health', async () => {
    const health = await ml.client.health();
    expect(health.status).toBe('ok');
    expect(health.market.regions).toBeGreaterThan(0);
  });

  it('forwards a call as is, whatever its status, and refuses paths outside /api/v1/ml/', async () => {
    const ok = await ml.client.forward('GET', '/api/v1/ml/health');
    expect(ok.status).toBe(200);
    const missing = await ml.client.forward('GET', '/api/v1/ml/no-such-thing');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await rejection(ml.client.forward('GET', '/metrics'))).code).toBe('VALIDATION_FAILED');
    expect((await rejection(ml.client.forward('GET', '/api/v1/ml/../../metrics'))).code).toBe('VALIDATION_FAILED');
  });

  it('a wrong service key is UNAVAILABLE (a configuration problem, not the caller’s sign-in)', async () => {
    const wrong = new MlClient({ baseUrl: ml.url, serviceKey: 'not-the-right-key-0000000' });
    const error = await rejection(wrong.health());
    expect(error.code).toBe('UNAVAILABLE');
  });
});

describe('MlClient failures without a working server', () => {
  it('an unreachable server is UNAVAILABLE', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const client = new MlClient({ baseUrl: `http://127.0.0.1:${port}`, serviceKey: 'k'.repeat(20) });
    expect((await rejection(client.health())).code).toBe('UNAVAILABLE');
  });

  it('a 5xx is UNAVAILABLE, a timeout is UNAVAILABLE, a body breaking the contract is INTERNAL', async () => {
    let mode: 'error' | 'slow' | 'garbage' = 'error';
    const server = createServer((_req, res) => {
      if (mode === 'error') return void res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{}}');
      if (mode === 'garbage') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      setTimeout(() => res.writeHead(200).end('{}'), 500);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const client = new MlClient({ baseUrl: `http://127.0.0.1:${port}`, serviceKey: 'k'.repeat(20), timeoutMs: 50 });
      expect((await rejection(client.health())).code).toBe('UNAVAILABLE');
      mode = 'slow';
      expect((await rejection(client.health())).message).toContain('within 50 ms');
      mode = 'garbage';
      expect((await rejection(client.health())).code).toBe('INTERNAL');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
