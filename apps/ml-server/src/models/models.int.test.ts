/**
 * The model registry through the API on the ML server's own store (PGlite always; PostgreSQL with
 * TEST_DATABASE_URL, in the `ml` schema): upload → validate → activate → predictions name the version → roll
 * back; bad files are refused and change nothing; evaluation; every endpoint wants the key and valid input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { type Database } from '@cloudoptim/db';
import { createScratchDatabase, type ScratchDatabase, testDatabaseTargets } from '@cloudoptim/db/testing';
import type { RiskModelArtifact } from '@cloudoptim/engines';
import { ErrorEnvelopeSchema } from '@cloudoptim/contracts';
import { DEFAULT_ML_SCHEMA, ML_MIGRATIONS_DIR } from '../store/ml-store.ts';
import { multipartBody } from '../testing/multipart-body.ts';
import { TRAIN_END, trainArtifacts } from '../testing/risk-artifacts.ts';
import { AUTH, sharedMarket, TEST_KEY, testApp } from '../testing/test-app.ts';
import { binaryRiskXgboost, bucketXgboost, xgbTree } from '../testing/xgboost-fixtures.ts';

const POOL = { instance_type: 'm5.large', region: 'us-east-1', availability_zone: 'us-east-1a', spot_price: 0.035, launch_time: '2025-07-10T12:00:00Z' };
const MAX_MODEL_BYTES = 256 * 1024;

function error(body: string) {
  return ErrorEnvelopeSchema.parse(JSON.parse(body)).error;
}

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('model registry on $name', (target) => {
  let scratch: ScratchDatabase;
  let db: Database;
  let app: FastifyInstance;
  let close: () => Promise<void>;
  let artifacts: RiskModelArtifact[];

  beforeAll(async () => {
    scratch = await createScratchDatabase(target);
    db = await scratch.open({ schema: DEFAULT_ML_SCHEMA, migrationsDir: ML_MIGRATIONS_DIR });
    ({ app, close } = await testApp({ db, config: { ML_SERVER_API_KEY: TEST_KEY, ML_SERVER_MODEL_MAX_BYTES: MAX_MODEL_BYTES } }));
    artifacts = trainArtifacts((await sharedMarket()).market, ['gbt-a', 'gbt-b']);
  });
  afterAll(async () => {
    await close?.();
    await db?.close();
    await scratch?.dispose();
  });

  const upload = (fields: Record<string, string>, file: Buffer | string) => {
    const { body, contentType } = multipartBody(fields, { field: 'file', filename: 'model.json', contentType: 'application/json', data: Buffer.isBuffer(file) ? file : Buffer.from(file) });
    return app.inject({ method: 'POST', url: '/api/v1/ml/models', headers: { ...AUTH, 'content-type': contentType }, payload: body });
  };
  const predictVersion = async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/ml/predict/spot-interruption', headers: AUTH, payload: POOL });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().model_version as string;
  };
  const list = async () => (await app.inject({ method: 'GET', url: '/api/v1/ml/models', headers: AUTH })).json() as { models: { version: string; status: string; metrics: Record<string, unknown> | null; trained_until: string | null }[]; active_version: string | null; serving_version: string };

  it('uploads a native artifact (multipart), validated and stored, not yet serving', async () => {
    const res = await upload({ format: 'native' }, JSON.stringify(artifacts[0]));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ version: 'gbt-a', format: 'native', status: 'uploaded', trained_until: TRAIN_END, activated_at: null });
    expect(res.json().sha256).toMatch(/^[0-9a-f]{64}$/);
    // Validated on the held-out transition after its training end.
    expect(res.json().metrics).toMatchObject({ held_out: { test_from: TRAIN_END, test_to: '2025-06-28', model: { auc: expect.any(Number) } } });
    expect(await list()).toMatchObject({ active_version: null, serving_version: 'day-zero' });
    expect(await predictVersion()).toBe('day-zero');
  });

  it('activates it: predictions and decisions name the version', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/ml/models/gbt-a/activate', headers: AUTH });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ model: { version: 'gbt-a', status: 'active' }, previous_version: null });
    expect(await predictVersion()).toBe('gbt-a');
    expect((await app.inject({ method: 'GET', url: '/api/v1/ml/health', headers: AUTH })).json().model_version).toBe('gbt-a');
  });

  it('uploads a second version as JSON (base64), activates it, then rolls back to the first', async () => {
    const json = await app.inject({ method: 'POST', url: '/api/v1/ml/models', headers: AUTH, payload: { format: 'native', version: 'gbt-b', artifact_base64: Buffer.from(JSON.stringify(artifacts[1])).toString('base64') } });
    expect(json.statusCode, json.body).toBe(201);
    const activated = await app.inject({ method: 'POST', url: '/api/v1/ml/models/gbt-b/activate', headers: AUTH });
    expect(activated.json()).toMatchObject({ model: { version: 'gbt-b' }, previous_version: 'gbt-a' });
    expect(await predictVersion()).toBe('gbt-b');
    const statuses = Object.fromEntries((await list()).models.map((m) => [m.version, m.status]));
    expect(statuses).toEqual({ 'gbt-a': 'retired', 'gbt-b': 'active' });

    const back = await app.inject({ method: 'POST', url: '/api/v1/ml/models/rollback', headers: AUTH });
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json()).toMatchObject({ model: { version: 'gbt-a', status: 'active' }, previous_version: 'gbt-b' });
    expect(await predictVersion()).toBe('gbt-a');
    // gbt-a was the first model activated: nothing earlier to go back to.
    const again = await app.inject({ method: 'POST', url: '/api/v1/ml/models/rollback', headers: AUTH });
    expect(again.statusCode).toBe(409);
    expect(error(again.body).code).toBe('CONFLICT');
  });

  it('serves an XGBoost model (save_model JSON, scored natively) and names it', async () => {
    const res = await upload({ format: 'xgboost-json', version: 'xgb-1', trained_until: '2024-02-28' }, JSON.stringify(binaryRiskXgboost()));
    expect(res.statusCode, res.body).toBe(201);
    await app.inject({ method: 'POST', url: '/api/v1/ml/models/xgb-1/activate', headers: AUTH });
    expect(await predictVersion()).toBe('xgb-1');
    const back = await app.inject({ method: 'POST', url: '/api/v1/ml/models/rollback', headers: AUTH });
    expect(back.json().model.version).toBe('gbt-a');
  });

  it('refuses bad files with a clear error, stores nothing, and the active model keeps serving', async () => {
    const before = (await list()).models.length;
    const cases: { fields: Record<string, string>; file: Buffer | string; status: number; code: string; text: RegExp }[] = [
      { fields: { format: 'native', version: 'bad-1' }, file: '{"format": "cloudoptim-risk-gbt/1", ', status: 400, code: 'VALIDATION_FAILED', text: /not valid JSON/ },
      { fields: { format: 'native', version: 'bad-2' }, file: JSON.stringify({ ...artifacts[0], version: 'bad-2', models: [] }), status: 400, code: 'VALIDATION_FAILED', text: /models/ },
      { fields: { format: 'native', version: 'other' }, file: JSON.stringify(artifacts[0]), status: 400, code: 'VALIDATION_FAILED', text: /must match/ },
      { fields: { format: 'native' }, file: Buffer.alloc(MAX_MODEL_BYTES + 1, 32), status: 400, code: 'BAD_REQUEST', text: /limit/ },
      { fields: { format: 'onnx', version: 'onnx-1' }, file: Buffer.from([8, 1, 18, 4]), status: 422, code: 'UNPROCESSABLE', text: /onnxruntime-node/ },
      { fields: { format: 'xgboost-json' }, file: JSON.stringify(binaryRiskXgboost()), status: 400, code: 'VALIDATION_FAILED', text: /needs a version/ },
      { fields: { format: 'native' }, file: JSON.stringify(artifacts[0]), status: 409, code: 'CONFLICT', text: /already exists/ },
      { fields: { format: 'pickle', version: 'p-1' }, file: '{}', status: 400, code: 'VALIDATION_FAILED', text: /format/ },
    ];
    // A bucket classifier whose class-0 margin overflows: the smoke prediction sees NaN probabilities.
    const overflowing = bucketXgboost();
    overflowing.learner.gradient_booster.model.trees.push(xgbTree(5, [{ leaf: 1e308 }]), xgbTree(6, [{ leaf: 1e308 }]));
    overflowing.learner.gradient_booster.model.tree_info.push(0, 0);
    cases.push({ fields: { format: 'xgboost-json', version: 'xgb-nan' }, file: JSON.stringify(overflowing), status: 422, code: 'UNPROCESSABLE', text: /smoke prediction/ });
    for (const c of cases) {
      const res = await upload(c.fields, c.file);
      expect(res.statusCode, `${c.fields.version ?? c.fields.format}: ${res.body}`).toBe(c.status);
      expect(error(res.body).code).toBe(c.code);
      expect(error(res.body).message).toMatch(c.text);
    }
    const noFile = multipartBody({ format: 'native', version: 'x-1' });
    expect((await app.inject({ method: 'POST', url: '/api/v1/ml/models', headers: { ...AUTH, 'content-type': noFile.contentType }, payload: noFile.body })).statusCode).toBe(400);
    const tooBigJson = await app.inject({ method: 'POST', url: '/api/v1/ml/models', headers: AUTH, payload: { format: 'native', artifact_base64: Buffer.alloc(MAX_MODEL_BYTES + 3).toString('base64') } });
    expect(error(tooBigJson.body)).toMatchObject({ code: 'BAD_REQUEST', details: { reason: 'file_too_large' } });
    const now = await list();
    expect(now.models.length).toBe(before);
    expect(now.active_version).toBe('gbt-a');
    expect(await predictVersion()).toBe('gbt-a');
  });

  it('evaluates a model on the held-out transition after its training end and stores the metrics', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/ml/models/gbt-b/evaluate', headers: AUTH });
    expect(res.statusCode, res.body).toBe(200);
    const e = res.json();
    expect(e).toMatchObject({ version: 'gbt-b', test_from: TRAIN_END, test_to: '2025-06-28', best_baseline: expect.any(String) });
    expect(e.test_transitions).toBeGreaterThan(1000);
    expect(e.model.auc).toBeGreaterThan(0.5);
    expect(Object.keys(e.baselines).sort()).toEqual(['band_frequency', 'base_rate', 'persistence']);
    expect(e.calibration).toHaveLength(10);
    expect(e.calibration.reduce((n: number, b: { count: number }) => n + b.count, 0)).toBe(e.test_transitions);
    const stored = (await list()).models.find((m) => m.version === 'gbt-b');
    expect(stored?.metrics).toMatchObject({ held_out: { test_from: TRAIN_END, model: { auc: e.model.auc } } });
    const early = await app.inject({ method: 'POST', url: '/api/v1/ml/models/gbt-b/evaluate', headers: AUTH, payload: { test_from: '2022-07-16' } });
    expect(early.statusCode).toBe(400);
    expect(error(early.body).details).toMatchObject({ issues: [{ path: 'test_from' }] });
    const late = await app.inject({ method: 'POST', url: '/api/v1/ml/models/gbt-b/evaluate', headers: AUTH, payload: { test_from: '2025-06-28' } });
    expect(error(late.body).code).toBe('UNPROCESSABLE');
  });

  it('deletes versions that are not active; never the active one', async () => {
    const active = await app.inject({ method: 'DELETE', url: '/api/v1/ml/models/gbt-a', headers: AUTH });
    expect(active.statusCode).toBe(409);
    expect(error(active.body).message).toMatch(/active/);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/ml/models/gbt-b', headers: AUTH })).statusCode).toBe(204);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/ml/models/gbt-b', headers: AUTH })).statusCode).toBe(404);
    expect((await list()).models.map((m) => m.version).sort()).toEqual(['gbt-a', 'xgb-1']);
  });

  it('answers bad paths, unknown versions and missing keys with the envelope', async () => {
    const routes = [
      { method: 'GET' as const, url: '/api/v1/ml/models' },
      { method: 'POST' as const, url: '/api/v1/ml/models' },
      { method: 'POST' as const, url: '/api/v1/ml/models/rollback' },
      { method: 'POST' as const, url: '/api/v1/ml/models/gbt-a/activate' },
      { method: 'POST' as const, url: '/api/v1/ml/models/gbt-a/evaluate' },
      { method: 'DELETE' as const, url: '/api/v1/ml/models/gbt-a' },
    ];
    for (const r of routes) {
      const res = await app.inject({ ...r, headers: { authorization: 'Bearer nope-nope-nope-nope' } });
      expect(res.statusCode, r.url).toBe(401);
      expect(error(res.body).code).toBe('UNAUTHENTICATED');
    }
    const badVersion = await app.inject({ method: 'POST', url: '/api/v1/ml/models/bad%20version!/activate', headers: AUTH });
    expect(error(badVersion.body)).toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [{ path: 'version' }] } });
    expect((await app.inject({ method: 'POST', url: '/api/v1/ml/models/nope-1/activate', headers: AUTH })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/api/v1/ml/models/nope-1/evaluate', headers: AUTH })).statusCode).toBe(404);
    const extra = await app.inject({ method: 'POST', url: '/api/v1/ml/models/gbt-a/evaluate', headers: AUTH, payload: { test_from: '2024-02-28', trees: 5 } });
    expect(error(extra.body).code).toBe('VALIDATION_FAILED');
    const badJson = await app.inject({ method: 'POST', url: '/api/v1/ml/models', headers: AUTH, payload: { format: 'native', artifact_base64: '***' } });
    expect(error(badJson.body).details).toMatchObject({ issues: [{ path: 'artifact_base64' }] });
    const badMultipart = await app.inject({ method: 'POST', url: '/api/v1/ml/models', headers: { ...AUTH, 'content-type': 'multipart/form-data; boundary=zzz' }, payload: 'not multipart at all' });
    expect(error(badMultipart.body)).toMatchObject({ code: 'BAD_REQUEST', details: { reason: 'malformed_multipart' } });
  });
});
