/**
 * The Kubernetes API server's opt-in outage: while on, every request gets the injected 500 or 429 Status (429
 * with Retry-After); before and after, the same request is served.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, silentLogger } from '@cloudoptim/runtime';
import { KubeApiFaults } from './faults.ts';
import { ObjectStore } from './object-store.ts';
import { createKubeApiServer, type KubeApiServer } from './server.ts';

describe('kube-api injected outage', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  const faults = new KubeApiFaults(clock);
  let server: KubeApiServer;
  let url = '';
  beforeAll(async () => {
    server = createKubeApiServer({ store: new ObjectStore({ clock, log: silentLogger }), clock, log: silentLogger, faults });
    url = (await server.start(0)).url;
  });
  afterAll(() => server?.stop());

  const get = () => fetch(`${url}/api/v1/namespaces/default/pods`);

  it('serves normally when no outage is on', async () => {
    expect((await get()).status).toBe(200);
  });

  it('answers 500 during a 500 outage and serves again after it', async () => {
    faults.outage(500, 60_000);
    const res = await get();
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'InternalError', code: 500 });
    await clock.advance(60_000);
    expect((await get()).status).toBe(200);
  });

  it('answers 429 with Retry-After during a 429 outage', async () => {
    faults.outage(429, 10_000);
    const res = await get();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    faults.clear();
    expect((await get()).status).toBe(200);
    expect(faults.refused).toBe(2);
  });
});
