/**
 * Two replicas (two apps) over one store: an activation on one reaches the other through NOTIFY without a
 * restart — its stream announces `model_activated` only once its predictions already name the new version.
 * PostgreSQL: two connections to the scratch database, as two processes would have. PGlite: one shared
 * in-process database (its data directory admits one process).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type WebSocket from 'ws';
import type { Database } from '@cloudoptim/db';
import { createScratchDatabase, type ScratchDatabase, testDatabaseTargets } from '@cloudoptim/db/testing';
import { ModelActivatedEventSchema } from '@cloudoptim/contracts';
import { DEFAULT_ML_SCHEMA, ML_MIGRATIONS_DIR } from '../store/ml-store.ts';
import { trainArtifacts } from '../testing/risk-artifacts.ts';
import { AUTH, sharedMarket, testApp } from '../testing/test-app.ts';

const POOL = { instance_type: 'c5.xlarge', region: 'us-east-1', availability_zone: 'us-east-1b', spot_price: 0.07, launch_time: '2025-07-10T12:00:00Z' };

async function until<T>(read: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = read();
    if (v !== undefined) return v;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('hot reload across replicas on $name', (target) => {
  let scratch: ScratchDatabase;
  const dbs: Database[] = [];
  let a: FastifyInstance;
  let b: FastifyInstance;
  const closers: (() => Promise<void>)[] = [];
  let stream: WebSocket;
  const frames: unknown[] = [];
  /** What replica B predicted at the moment each frame arrived. */
  const servedAtFrame: Promise<string>[] = [];

  beforeAll(async () => {
    scratch = await createScratchDatabase(target);
    const open = () => scratch.open({ schema: DEFAULT_ML_SCHEMA, migrationsDir: ML_MIGRATIONS_DIR });
    dbs.push(await open());
    if (target.name === 'postgres') dbs.push(await open());
    const first = await testApp({ db: dbs[0] as Database });
    const second = await testApp({ db: dbs.at(-1) as Database });
    a = first.app;
    b = second.app;
    closers.push(first.close, second.close);
    stream = await b.injectWS('/api/v1/ml/stream', { headers: AUTH });
    stream.on('message', (data) => {
      frames.push(JSON.parse(String(data)));
      servedAtFrame.push(b.inject({ method: 'POST', url: '/api/v1/ml/predict/spot-interruption', headers: AUTH, payload: POOL }).then((r) => r.json().model_version as string));
    });
    const [art1, art2] = trainArtifacts((await sharedMarket()).market, ['r-1', 'r-2']);
    for (const artifact of [art1, art2]) {
      const res = await a.inject({ method: 'POST', url: '/api/v1/ml/models', headers: AUTH, payload: { format: 'native', artifact_base64: Buffer.from(JSON.stringify(artifact)).toString('base64') } });
      expect(res.statusCode, res.body).toBe(201);
    }
  });
  afterAll(async () => {
    stream?.terminate();
    for (const close of closers) await close();
    for (const db of dbs) await db.close();
    await scratch?.dispose();
  });

  const servedBy = async (app: FastifyInstance) => (await app.inject({ method: 'POST', url: '/api/v1/ml/predict/spot-interruption', headers: AUTH, payload: POOL })).json().model_version as string;

  it('an activation on replica A makes replica B serve the version, announced on B\'s stream', async () => {
    expect(await servedBy(b)).toBe('day-zero');
    const res = await a.inject({ method: 'POST', url: '/api/v1/ml/models/r-1/activate', headers: AUTH });
    expect(res.statusCode, res.body).toBe(200);
    expect(await servedBy(a)).toBe('r-1');
    const frame = ModelActivatedEventSchema.parse(await until(() => frames[0], 'model_activated on B'));
    expect(frame).toMatchObject({ type: 'model_activated', model_version: 'r-1', previous_version: null });
    expect(await servedAtFrame[0]).toBe('r-1');
    expect(await servedBy(b)).toBe('r-1');
  });

  it('a second activation and a roll-back on A reach B the same way', async () => {
    await a.inject({ method: 'POST', url: '/api/v1/ml/models/r-2/activate', headers: AUTH });
    expect(ModelActivatedEventSchema.parse(await until(() => frames[1], 'second frame'))).toMatchObject({ model_version: 'r-2', previous_version: 'r-1' });
    expect(await servedAtFrame[1]).toBe('r-2');
    await a.inject({ method: 'POST', url: '/api/v1/ml/models/rollback', headers: AUTH });
    expect(ModelActivatedEventSchema.parse(await until(() => frames[2], 'roll-back frame'))).toMatchObject({ model_version: 'r-1', previous_version: 'r-2' });
    expect(await servedAtFrame[2]).toBe('r-1');
    expect(await servedBy(b)).toBe('r-1');
  });

  it('refuses a stream without the service key', async () => {
    await expect(b.injectWS('/api/v1/ml/stream', { headers: { authorization: 'Bearer wrong-wrong-wrong-wrong' } })).rejects.toThrow();
    await expect(b.injectWS('/api/v1/ml/stream')).rejects.toThrow();
  });
});
