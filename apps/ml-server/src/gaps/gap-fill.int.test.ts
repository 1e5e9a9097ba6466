/**
 * The gap filler against the simulator's EC2 endpoint (the real SDK over a socket, replayed real prices): a
 * series missing its last 15 days is analysed, filled with DescribeSpotPriceHistory (paged) and stored as
 * observed changes plus carried-forward day starts; progress is on the stream; the analysis then finds no
 * gap. PGlite always, PostgreSQL with TEST_DATABASE_URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type WebSocket from 'ws';
import { AwsCloudProvider } from '@cloudoptim/cloud';
import { ErrorEnvelopeSchema, GapFillProgressEventSchema } from '@cloudoptim/contracts';
import type { Database } from '@cloudoptim/db';
import { createScratchDatabase, type ScratchDatabase, testDatabaseTargets } from '@cloudoptim/db/testing';
import { ManualClock } from '@cloudoptim/runtime';
import { aws } from '@cloudoptim/simulator';
import { DEFAULT_ML_SCHEMA, ML_MIGRATIONS_DIR } from '../store/ml-store.ts';
import { DAY_MS, SpotPricesRepository } from '../store/spot-prices.repository.ts';
import { AUTH, sharedMarket, testApp } from '../testing/test-app.ts';
import { binaryRiskXgboost } from '../testing/xgboost-fixtures.ts';

const NOW = Date.UTC(2026, 0, 1, 12);
const TODAY = Math.floor(NOW / DAY_MS);
const SCOPE = { region: 'us-east-1', instance_types: ['m5.large', 'c5.xlarge'], availability_zones: ['us-east-1a', 'us-east-1b'] };

const envelope = (body: string) => ErrorEnvelopeSchema.parse(JSON.parse(body)).error;

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('gap filler against the simulator on $name', (target) => {
  let scratch: ScratchDatabase;
  let db: Database;
  let app: FastifyInstance;
  let close: () => Promise<void>;
  let endpoint: ReturnType<typeof aws.createAwsEndpoint>;
  let provider: AwsCloudProvider;
  let stream: WebSocket;
  const frames: unknown[] = [];

  beforeAll(async () => {
    const { market, priceHistory } = await sharedMarket();
    const clock = new ManualClock(NOW);
    endpoint = aws.createAwsEndpoint({ clock, market, priceHistory, seed: 1, shortages: null, interruptions: { sample: false } });
    const { url } = await endpoint.start();
    provider = new AwsCloudProvider({ region: 'us-east-1', endpoint: url, credentials: endpoint.credentials, maxAttempts: 1 });
    scratch = await createScratchDatabase(target);
    db = await scratch.open({ schema: DEFAULT_ML_SCHEMA, migrationsDir: ML_MIGRATIONS_DIR });
    const cloud = (region: string) => {
      const p = new AwsCloudProvider({ region, endpoint: url, credentials: endpoint.credentials, maxAttempts: 1 });
      return { provider: p, close: () => p.close() };
    };
    ({ app, close } = await testApp({ db, clock, cloud }));
    // m5.large in us-east-1a is known up to 16 days ago; c5.xlarge in us-east-1b has one point 3 days ago.
    const repo = new SpotPricesRepository(db);
    const seeded = [];
    for (let d = TODAY - 30; d <= TODAY - 16; d++) seeded.push({ region: 'us-east-1', availabilityZone: 'us-east-1a', instanceType: 'm5.large', product: 'Linux/UNIX', timestampMs: d * DAY_MS + 3_600_000, priceUsdPerHour: 0.04, provenance: 'observed' as const });
    seeded.push({ region: 'us-east-1', availabilityZone: 'us-east-1b', instanceType: 'c5.xlarge', product: 'Linux/UNIX', timestampMs: (TODAY - 3) * DAY_MS + 60_000, priceUsdPerHour: 0.08, provenance: 'observed' as const });
    expect(await repo.insert(seeded, null)).toBe(16);
    stream = await app.injectWS('/api/v1/ml/stream', { headers: AUTH });
    stream.on('message', (data) => frames.push(JSON.parse(String(data))));
  });
  afterAll(async () => {
    stream?.terminate();
    await close?.();
    await db?.close();
    await scratch?.dispose();
    provider?.close();
    await endpoint?.stop();
  });

  const analyse = async (scope: object = SCOPE) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/ml/data/gap-analysis', headers: AUTH, payload: scope });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const finished = async (id: string) => {
    for (let i = 0; i < 500; i++) {
      const job = (await app.inject({ method: 'GET', url: `/api/v1/ml/data/jobs/${id}`, headers: AUTH })).json();
      if (job.status === 'completed' || job.status === 'failed') return job;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('the gap-fill job did not finish');
  };

  it('finds the last 15 days (and today) missing in every series of the scope', async () => {
    const a = await analyse();
    expect(a.window).toMatchObject({ from: new Date((TODAY - 15) * DAY_MS).toISOString(), to: new Date(NOW).toISOString(), lookback_days: 15, model_version: null });
    expect(a.series_total).toBe(4);
    expect(a.series_with_gaps).toBe(4);
    const m5a = a.series.find((s: { availability_zone: string; instance_type: string }) => s.availability_zone === 'us-east-1a' && s.instance_type === 'm5.large');
    expect(m5a).toMatchObject({ covered_days: 0, missing_days: 16, ranges: [{ from: new Date((TODAY - 15) * DAY_MS).toISOString(), to: new Date(NOW).toISOString(), days: 16, fetchable: true }] });
    const c5b = a.series.find((s: { availability_zone: string; instance_type: string }) => s.availability_zone === 'us-east-1b' && s.instance_type === 'c5.xlarge');
    expect(c5b.covered_days).toBe(1);
    expect(c5b.ranges.map((r: { days: number }) => r.days)).toEqual([12, 3]);
  });

  it('fills them from DescribeSpotPriceHistory: observed changes and carried-forward day starts, with progress on the stream', async () => {
    const started = await app.inject({ method: 'POST', url: '/api/v1/ml/data/fill-gaps', headers: AUTH, payload: SCOPE });
    expect(started.statusCode, started.body).toBe(202);
    expect(started.json()).toMatchObject({ status: 'queued', records_filled: 0 });
    // One job at a time, across replicas.
    const second = await app.inject({ method: 'POST', url: '/api/v1/ml/data/fill-gaps', headers: AUTH, payload: SCOPE });
    expect(second.statusCode).toBe(409);
    expect(envelope(second.body).code).toBe('CONFLICT');

    const job = await finished(started.json().job_id);
    expect(job).toMatchObject({ status: 'completed', progress: 1, series_total: 4, series_done: 4, error: null });
    expect(job.records_filled).toBeGreaterThan(4 * 16);

    const after = await analyse();
    expect(after.series_with_gaps).toBe(0);

    // What is stored for m5.large in us-east-1a is what EC2 reports for those days.
    const from = (TODAY - 15) * DAY_MS;
    const stored = await new SpotPricesRepository(db).points('us-east-1', { availabilityZone: 'us-east-1a', instanceType: 'm5.large' }, from, NOW);
    const truth = (await provider.spotPriceHistory({ instanceTypes: ['m5.large'], availabilityZone: 'us-east-1a', fromMs: from, toMs: NOW })).sort((x, y) => x.timestampMs - y.timestampMs);
    const observed = stored.filter((p) => p.provenance === 'observed');
    expect(observed.map((p) => [p.timestampMs, p.priceUsdPerHour])).toEqual(truth.filter((p) => p.timestampMs >= from).map((p) => [p.timestampMs, p.priceUsdPerHour]));
    expect(observed.length).toBeGreaterThan(0);
    expect(stored.filter((p) => p.provenance === 'carried_forward').length).toBeGreaterThan(0);
    const days = new Set(stored.map((p) => Math.floor(p.timestampMs / DAY_MS)));
    expect(days.size).toBe(16);
    for (const p of stored.filter((q) => q.provenance === 'carried_forward')) {
      expect(p.timestampMs % DAY_MS).toBe(0);
      const inForce = truth.filter((q) => q.timestampMs <= p.timestampMs).at(-1);
      expect(p.priceUsdPerHour).toBe(inForce?.priceUsdPerHour);
      expect(observed.some((q) => Math.floor(q.timestampMs / DAY_MS) === Math.floor(p.timestampMs / DAY_MS))).toBe(false);
    }

    const progress = frames.map((f) => GapFillProgressEventSchema.parse(f)).filter((f) => f.job_id === job.job_id);
    expect(progress[0]?.status).toBe('running');
    expect(progress.at(-1)).toMatchObject({ status: 'completed', progress: 1, records_filled: job.records_filled, series_done: 4, series_total: 4 });
    expect(progress.map((f) => f.series_done)).toEqual([...progress.map((f) => f.series_done)].sort((x, y) => x - y));
  });

  it('fills nothing twice: a second run finds no gap and adds no record', async () => {
    const started = await app.inject({ method: 'POST', url: '/api/v1/ml/data/fill-gaps', headers: AUTH, payload: SCOPE });
    const job = await finished(started.json().job_id);
    expect(job).toMatchObject({ status: 'completed', series_total: 0, records_filled: 0 });
    const listed = (await app.inject({ method: 'GET', url: '/api/v1/ml/data/jobs?limit=5', headers: AUTH })).json();
    expect(listed.jobs.map((j: { job_id: string }) => j.job_id)).toContain(job.job_id);
  });

  it("reaches back to the active model's training end; what EC2 no longer keeps is not fetchable", async () => {
    const up = await app.inject({ method: 'POST', url: '/api/v1/ml/models', headers: AUTH, payload: { format: 'xgboost-json', version: 'xgb-gaps', trained_until: '2025-09-01', artifact_base64: Buffer.from(JSON.stringify(binaryRiskXgboost())).toString('base64') } });
    expect(up.statusCode, up.body).toBe(201);
    await app.inject({ method: 'POST', url: '/api/v1/ml/models/xgb-gaps/activate', headers: AUTH });
    const a = await analyse({ ...SCOPE, instance_types: ['m5.large'], availability_zones: ['us-east-1a'] });
    expect(a.window).toMatchObject({ from: '2025-09-01T00:00:00.000Z', model_version: 'xgb-gaps', trained_until: '2025-09-01' });
    const ranges = a.series[0].ranges as { from: string; days: number; fetchable: boolean }[];
    expect(ranges.every((r) => Date.parse(r.from) < (TODAY - 15) * DAY_MS)).toBe(true);
    const cutoff = Math.ceil((NOW - 90 * DAY_MS) / DAY_MS) * DAY_MS;
    expect(ranges.filter((r) => !r.fetchable).every((r) => Date.parse(r.from) + r.days * DAY_MS <= cutoff)).toBe(true);
    expect(ranges.some((r) => !r.fetchable)).toBe(true);
    expect(ranges.some((r) => r.fetchable)).toBe(true);
  });

  it('refuses bad scopes and unknown jobs with the envelope, and wants the key', async () => {
    const bad = await app.inject({ method: 'POST', url: '/api/v1/ml/data/gap-analysis', headers: AUTH, payload: { region: 'us-east-1', availability_zones: ['eu-west-1a'], lookback_days: 0, extra: true } });
    expect(bad.statusCode).toBe(400);
    const paths = (envelope(bad.body).details?.issues as { path: string }[]).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['availability_zones.0', 'lookback_days', '']));
    const fill = await app.inject({ method: 'POST', url: '/api/v1/ml/data/fill-gaps', headers: AUTH, payload: { region: 'mars-north-1' } });
    expect(envelope(fill.body).code).toBe('VALIDATION_FAILED');
    expect((await app.inject({ method: 'GET', url: '/api/v1/ml/data/jobs/not-a-job', headers: AUTH })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/v1/ml/data/jobs/00000000-0000-4000-8000-000000000000', headers: AUTH })).statusCode).toBe(404);
    expect(envelope((await app.inject({ method: 'GET', url: '/api/v1/ml/data/jobs?limit=0', headers: AUTH })).body).code).toBe('VALIDATION_FAILED');
    for (const [method, url] of [['POST', '/api/v1/ml/data/gap-analysis'], ['POST', '/api/v1/ml/data/fill-gaps'], ['GET', '/api/v1/ml/data/jobs'], ['GET', '/api/v1/ml/data/jobs/x']] as const) {
      const res = await app.inject({ method, url, payload: method === 'POST' ? SCOPE : undefined });
      expect(res.statusCode, url).toBe(401);
    }
  });
});
