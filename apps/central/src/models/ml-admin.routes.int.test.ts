/**
 * The admin model registry and gap filler, proxied to the real ML server (its own PGlite store): operators
 * change, everyone signed in reads, every change is audited; the ML server's errors reach the caller as
 * central's envelope; an unreachable ML server is 503.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlClient } from '@cloudoptim/api-client';
import { FEATURE_NAMES } from '@cloudoptim/engines';
import type { MlGateway } from '../ml/ml-gateway.ts';
import { startMlTestServer, type MlTestServer } from '../ml/ml-test-server.ts';
import { expectError } from '../testing/http-assertions.ts';
import { bearer, createTestCentral, type TestCentral, type TestCustomer } from '../testing/test-central.ts';

/** A one-tree XGBoost binary:logistic model over the risk features (P(next bucket ≥ 2) from the bucket). */
function xgboostModel(featureCount: number = FEATURE_NAMES.length) {
  const tree = { left_children: [1, -1, -1], right_children: [2, -1, -1], split_indices: [0, 0, 0], split_conditions: [2, -0.5, 0.5], default_left: [1, 0, 0], split_type: [0, 0, 0], tree_param: { num_nodes: '3', size_leaf_vector: '1' } };
  const model = {
    learner: {
      feature_names: [],
      gradient_booster: { name: 'gbtree', model: { trees: [tree], tree_info: [0] } },
      learner_model_param: { base_score: '5E-1', num_class: '0', num_feature: String(featureCount) },
      objective: { name: 'binary:logistic' },
    },
  };
  return Buffer.from(JSON.stringify(model)).toString('base64');
}

describe('admin ML routes (proxied to the ML server)', () => {
  let ml: MlTestServer;
  let central: TestCentral;
  let customer: TestCustomer;
  let op: { authorization: string };
  /** What central's gateway talks to (swapped to simulate an ML server that is down or has another key). */
  let target: MlGateway;

  beforeAll(async () => {
    ml = await startMlTestServer();
    target = ml.client;
    const proxy: MlGateway = { decide: (request) => target.decide(request), forward: (method, path, body) => target.forward(method, path, body) };
    central = await createTestCentral({ overrides: { ml: proxy } });
    customer = await central.createCustomer();
    op = bearer(central.operator.token);
  }, 120_000);
  afterAll(async () => {
    await central?.close();
    await ml?.close();
  });

  it('an operator uploads and activates a model; everyone signed in sees it; the changes are audited', async () => {
    const up = await central.app.inject({ method: 'POST', url: '/api/v1/admin/ml/models', headers: op, payload: { format: 'xgboost-json', version: 'xgb-central-1', trained_until: '2024-02-28', artifact_base64: xgboostModel() } });
    expect(up.statusCode, up.body).toBe(201);
    expect(up.json()).toMatchObject({ version: 'xgb-central-1', format: 'xgboost-json', status: 'uploaded' });
    const activated = await central.app.inject({ method: 'POST', url: '/api/v1/admin/ml/models/xgb-central-1/activate', headers: op });
    expect(activated.statusCode, activated.body).toBe(200);
    expect(activated.json()).toMatchObject({ model: { version: 'xgb-central-1', status: 'active' }, previous_version: null });
    const listed = await central.app.inject({ method: 'GET', url: '/api/v1/admin/ml/models', headers: bearer(customer.viewer.token) });
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toMatchObject({ active_version: 'xgb-central-1', serving_version: 'xgb-central-1' });
    const auditLog = await central.app.inject({ method: 'GET', url: '/api/v1/admin/audit', headers: op });
    expect(auditLog.json().entries.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['ml_model.upload', 'ml_model.activate']));
  });

  it('only operators change models or start fills', async () => {
    const admin = bearer(customer.admin.token);
    expectError(await central.app.inject({ method: 'POST', url: '/api/v1/admin/ml/models', headers: admin, payload: { format: 'native', artifact_base64: 'e30=' } }), 403, 'FORBIDDEN');
    expectError(await central.app.inject({ method: 'POST', url: '/api/v1/admin/ml/models/rollback', headers: admin }), 403, 'FORBIDDEN');
    expectError(await central.app.inject({ method: 'DELETE', url: '/api/v1/admin/ml/models/xgb-central-1', headers: admin }), 403, 'FORBIDDEN');
    expectError(await central.app.inject({ method: 'POST', url: '/api/v1/admin/ml/data/fill-gaps', headers: admin, payload: { region: 'us-east-1' } }), 403, 'FORBIDDEN');
    expectError(await central.app.inject({ method: 'GET', url: '/api/v1/admin/ml/models' }), 401, 'UNAUTHENTICATED');
  });

  it("relays the ML server's refusals as central's envelope", async () => {
    const bad = expectError(await central.app.inject({ method: 'POST', url: '/api/v1/admin/ml/models', headers: op, payload: { format: 'xgboost-json', version: 'xgb-bad', artifact_base64: xgboostModel(3) } }), 400, 'VALIDATION_FAILED');
    expect(bad.message).toContain('num_feature');
    expectError(await central.app.inject({ method: 'POST', url: '/api/v1/admin/ml/models', headers: op, payload: { format: 'onnx', version: 'onnx-1', artifact_base64: 'CAE=' } }), 422, 'UNPROCESSABLE');
    expectError(await central.app.inject({ method: 'DELETE', url: '/api/v1/admin/ml/models/xgb-central-1', headers: op }), 409, 'CONFLICT');
    expectError(await central.app.inject({ method: 'POST', url: '/api/v1/admin/ml/models/nope-9/activate', headers: op }), 404, 'NOT_FOUND');
    expectError(await central.app.inject({ method: 'POST', url: '/api/v1/admin/ml/models/rollback', headers: op }), 409, 'CONFLICT');
    // Refused by central before anything is forwarded.
    expectError(await central.app.inject({ method: 'POST', url: '/api/v1/admin/ml/models', headers: op, payload: { format: 'pickle', artifact_base64: 'e30=' } }), 400, 'VALIDATION_FAILED');
    expectError(await central.app.inject({ method: 'GET', url: '/api/v1/admin/ml/data/jobs/not-a-uuid', headers: op }), 400, 'VALIDATION_FAILED');
    expectError(await central.app.inject({ method: 'GET', url: '/api/v1/admin/ml/data/jobs/00000000-0000-4000-8000-000000000000', headers: op }), 404, 'NOT_FOUND');
  });

  it('any signed-in user tests a prediction, scored by the active model; a bad pool is refused before it leaves central', async () => {
    const pool = { region: 'us-east-1', availability_zone: 'us-east-1a', instance_type: 'm5.large', spot_price: 0.04, launch_time: '2024-03-01T00:00:00Z' };
    const res = await central.app.inject({ method: 'POST', url: '/api/v1/admin/ml/predict/spot-interruption', headers: bearer(customer.viewer.token), payload: pool });
    expect(res.statusCode, res.body).toBe(200);
    const answer = res.json();
    expect(answer).toMatchObject({ model_version: 'xgb-central-1', instance_type: 'm5.large', availability_zone: 'us-east-1a', horizon_hours: 730 });
    expect(answer.interruption_probability).toBeGreaterThanOrEqual(0);
    expect(answer.interruption_probability).toBeLessThanOrEqual(1);
    expect(['SAFE_TO_USE', 'USE_WITH_CAUTION', 'AVOID']).toContain(answer.recommendation);
    const bad = expectError(await central.app.inject({ method: 'POST', url: '/api/v1/admin/ml/predict/spot-interruption', headers: op, payload: { ...pool, availability_zone: 'eu-west-1a' } }), 400, 'VALIDATION_FAILED');
    expect(bad.message).toContain('availability_zone');
    expectError(await central.app.inject({ method: 'POST', url: '/api/v1/admin/ml/predict/spot-interruption', payload: pool }), 401, 'UNAUTHENTICATED');
  });

  it('analyses gaps and lists jobs for any signed-in user', async () => {
    const res = await central.app.inject({ method: 'POST', url: '/api/v1/admin/ml/data/gap-analysis', headers: bearer(customer.viewer.token), payload: { region: 'us-east-1', instance_types: ['m5.large'], availability_zones: ['us-east-1a'] } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ region: 'us-east-1', series_total: 1, window: { model_version: 'xgb-central-1', trained_until: '2024-02-28' } });
    expectError(await central.app.inject({ method: 'POST', url: '/api/v1/admin/ml/data/gap-analysis', headers: op, payload: { region: 'us-east-1', lookback_days: 0 } }), 400, 'VALIDATION_FAILED');
    const jobs = await central.app.inject({ method: 'GET', url: '/api/v1/admin/ml/data/jobs?limit=5', headers: op });
    expect(jobs.statusCode, jobs.body).toBe(200);
    expect(jobs.json()).toEqual({ jobs: [] });
  });

  it('answers 503 when the ML server cannot be reached or refuses central\'s key', async () => {
    try {
      target = new MlClient({ baseUrl: 'http://127.0.0.1:1', serviceKey: 'k'.repeat(32) });
      expectError(await central.app.inject({ method: 'GET', url: '/api/v1/admin/ml/models', headers: op }), 503, 'UNAVAILABLE');
      target = new MlClient({ baseUrl: ml.url, serviceKey: 'wrong-key-wrong-key-wrong-key' });
      expectError(await central.app.inject({ method: 'GET', url: '/api/v1/admin/ml/models', headers: op }), 503, 'UNAVAILABLE');
    } finally {
      target = ml.client;
    }
  });
});
