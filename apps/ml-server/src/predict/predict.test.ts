import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { DecisionResponseSchema, exampleDecisionRequest } from '@cloudoptim/contracts';
import { advisorSnapshots, buildTransitions, catalogShapes, createRng, loadRiskModel, regionLevels, trainRiskModel } from '@cloudoptim/engines';
import { ManualClock } from '@cloudoptim/runtime';
import { type Cache, MemoryCache } from '../cache/cache.ts';
import { AUTH, testApp } from '../testing/test-app.ts';

/** A cache that records what was stored and how often a lookup hit. */
class RecordingCache implements Cache {
  readonly kind = 'memory' as const;
  readonly sets: string[] = [];
  hits = 0;
  constructor(private readonly inner: Cache) {}
  async get(key: string) {
    const v = await this.inner.get(key);
    if (v !== undefined) this.hits++;
    return v;
  }
  async set(key: string, value: string, ttl: number) {
    this.sets.push(key);
    await this.inner.set(key, value, ttl);
  }
  deletePrefix(prefix: string) {
    return this.inner.deletePrefix(prefix);
  }
  close() {
    return this.inner.close();
  }
}
import { SpotInterruptionBatchResponseSchema, SpotInterruptionPredictionSchema } from './spot-interruption.ts';

const URL = '/api/v1/ml/predict/spot-interruption';
const POOL = { instance_type: 'm5.large', region: 'us-east-1', availability_zone: 'us-east-1a', spot_price: 0.035, launch_time: '2021-04-10T12:00:00Z' };

let app: FastifyInstance;
let modelApp: FastifyInstance;
const closers: (() => Promise<void>)[] = [];
beforeAll(async () => {
  const built = await testApp();
  app = built.app;
  closers.push(built.close);
  // A small real model (few trees) trained on the shipped Spot Advisor history.
  const snapshots = advisorSnapshots(built.market);
  const transitions = buildTransitions(snapshots, catalogShapes(built.market));
  const artifact = trainRiskModel(transitions.filter((_, i) => i % 20 === 0), regionLevels(snapshots), createRng(7), { version: 'test-gbt-1', createdAt: '2025-07-01T00:00:00Z', gbt: { trees: 5 } });
  const withModel = await testApp({ market: built.market, riskModel: loadRiskModel(artifact) });
  modelApp = withModel.app;
  closers.push(withModel.close);
});
afterAll(async () => {
  for (const close of closers) await close();
});

describe('POST /api/v1/ml/predict/spot-interruption', () => {
  it('scores one pool with the day-zero formula', async () => {
    const res = await app.inject({ method: 'POST', url: URL, headers: AUTH, payload: POOL });
    expect(res.statusCode, res.body).toBe(200);
    const p = SpotInterruptionPredictionSchema.parse(res.json());
    expect(p.model_version).toBe('day-zero');
    expect(['SAFE_TO_USE', 'USE_WITH_CAUTION', 'AVOID']).toContain(p.recommendation);
    expect(p.interruption_probability).toBeGreaterThan(0);
    expect(p.interruption_probability).toBeLessThan(0.3);
    // The default horizon is a month: the probability is the advisor bucket's monthly rate.
    expect(p.interruption_probability).toBeCloseTo(p.monthly_interruption_rate, 6);
    expect(p.factors.map((f) => f.name)).toEqual(['public_interruption_rate', 'price_volatility', 'spot_on_demand_gap', 'time_of_day']);
  });

  it('scores a batch in order, and a shorter horizon gives a smaller probability', async () => {
    const pools = [POOL, { ...POOL, instance_type: 'c5.xlarge', availability_zone: 'us-east-1b', spot_price: 0.07 }, { ...POOL, horizon_hours: 24 }];
    const res = await app.inject({ method: 'POST', url: URL, headers: AUTH, payload: { pools } });
    expect(res.statusCode, res.body).toBe(200);
    const { predictions } = SpotInterruptionBatchResponseSchema.parse(res.json());
    expect(predictions.map((p) => p.instance_type)).toEqual(['m5.large', 'c5.xlarge', 'm5.large']);
    expect(predictions[2]?.interruption_probability).toBeLessThan(predictions[0]?.interruption_probability ?? 0);
  });

  it('rejects bad pools with paths, oversized batches, and unknown types with their index', async () => {
    const bad = await app.inject({ method: 'POST', url: URL, headers: AUTH, payload: { ...POOL, availability_zone: 'eu-west-1a', spot_price: -1 } });
    expect(bad.statusCode).toBe(400);
    const paths = (bad.json().error.details.issues as { path: string }[]).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['spot_price', 'availability_zone']));
    const tooMany = await app.inject({ method: 'POST', url: URL, headers: AUTH, payload: { pools: Array.from({ length: 10_001 }, () => POOL) } });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.details.issues[0].path).toBe('pools');
    const unknown = await app.inject({ method: 'POST', url: URL, headers: AUTH, payload: { pools: [POOL, { ...POOL, instance_type: 'zz9.huge' }] } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({ code: 'UNKNOWN_INSTANCE_TYPE', details: { path: 'pools.1' } });
  });

  it('uses the risk model when one is given, and names its version', async () => {
    const res = await modelApp.inject({ method: 'POST', url: URL, headers: AUTH, payload: POOL });
    expect(res.statusCode, res.body).toBe(200);
    const p = SpotInterruptionPredictionSchema.parse(res.json());
    expect(p.model_version).toBe('test-gbt-1');
    expect(p.confidence).toBeGreaterThan(0);
    const health = await modelApp.inject({ method: 'GET', url: '/api/v1/ml/health', headers: AUTH });
    expect(health.json().model_version).toBe('test-gbt-1');
  });

  it('serves a repeated request from the cache, keyed by the model version; large batches are not cached', async () => {
    const cache = new RecordingCache(new MemoryCache(new ManualClock()));
    const cached = await testApp({ cache });
    closers.push(cached.close);
    const first = await cached.app.inject({ method: 'POST', url: URL, headers: AUTH, payload: POOL });
    const second = await cached.app.inject({ method: 'POST', url: URL, headers: AUTH, payload: POOL });
    expect(second.json()).toEqual(first.json());
    expect(cache.sets.map((k) => k.split(':').slice(0, 2).join(':'))).toEqual(['pred:day-zero']);
    expect(cache.hits).toBe(1);
    const big = await cached.app.inject({ method: 'POST', url: URL, headers: AUTH, payload: { pools: Array.from({ length: 101 }, () => POOL) } });
    expect(big.statusCode).toBe(200);
    expect(cache.sets).toHaveLength(1);
  });

  it('spot-optimize names the model version when the model scored the pools', async () => {
    const res = await modelApp.inject({ method: 'POST', url: '/api/v1/ml/decision/spot-optimize', headers: AUTH, payload: exampleDecisionRequest() });
    expect(res.statusCode, res.body).toBe(200);
    const out = DecisionResponseSchema.parse(res.json());
    expect(out.metadata.model_version).toBe('test-gbt-1');
  });
});
