import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { fillPath, servedRoutes } from './route-inventory.test-support.ts';

describe('servedRoutes', () => {
  it('lists every route Fastify serves, however it was added, nested and catch-all ones included', async () => {
    const app = Fastify();
    const ok = async () => ({ ok: true });
    app.get('/api/v1/things', ok);
    app.post('/api/v1/things', ok);
    app.get('/api/v1/things/:thing_id', ok);
    app.delete('/api/v1/things/:thing_id', ok);
    app.post('/api/v1/things/:thing_id/parts/:part_id/fix', ok);
    app.patch('/api/v1/other', ok);
    app.put('/api/v1/other', ok);
    app.route({ method: 'OPTIONS', url: '*', handler: ok });
    app.get('/*', ok);
    await app.register(async (child) => {
      child.get('/inner', ok);
    }, { prefix: '/plugin' });
    await app.ready();

    expect(servedRoutes(app).map((r) => r.key).sort()).toEqual(
      [
        'GET /api/v1/things',
        'POST /api/v1/things',
        'GET /api/v1/things/:thing_id',
        'DELETE /api/v1/things/:thing_id',
        'POST /api/v1/things/:thing_id/parts/:part_id/fix',
        'PATCH /api/v1/other',
        'PUT /api/v1/other',
        'OPTIONS *',
        'GET *',
        'GET /plugin/inner',
      ].sort(),
    );
    await app.close();
  });
});

describe('fillPath', () => {
  it('fills and encodes every parameter, and insists on each', () => {
    expect(fillPath('/a/:x/b/:y', { x: '1', y: 'a b/c' })).toBe('/a/1/b/a%20b%2Fc');
    expect(() => fillPath('/a/:x', {})).toThrow(/no value for :x/);
  });
});
