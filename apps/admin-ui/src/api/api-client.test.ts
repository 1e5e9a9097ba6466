import { describe, expect, it } from 'vitest';
import { envelope, FakeServer } from '../testing/fake-server.ts';
import { ApiClient, withQuery } from './api-client.ts';
import { ApiError, toApiError } from './api-error.ts';

describe('ApiClient', () => {
  it('returns the JSON answer and sends the body and query it was given', async () => {
    const server = new FakeServer().on('POST /api/v1/x', (r: { body: unknown }) => ({ echoed: r.body }));
    const api = new ApiClient({ fetch: server.fetch });
    expect(await api.post('/api/v1/x', { a: 1 })).toEqual({ echoed: { a: 1 } });
    await api.get('/api/v1/x', { limit: 5, customer_id: null, q: undefined }).catch(() => {});
    expect(server.requests[1]!.query.toString()).toBe('limit=5');
  });

  it('throws the envelope as an ApiError with its code, message, issues and request id', async () => {
    const server = new FakeServer().on('POST /api/v1/clusters', envelope(400, 'VALIDATION_FAILED', 'request body is invalid: region: bad', { issues: [{ path: 'region', message: 'bad' }] }));
    const error = await new ApiClient({ fetch: server.fetch }).post('/api/v1/clusters', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', requestId: 'req-test' });
    expect((error as ApiError).issues).toEqual([{ path: 'region', message: 'bad' }]);
    expect((error as ApiError).missingRoute).toBe(false);
  });

  it('tells a missing endpoint ("no route") from a missing object', async () => {
    const server = new FakeServer().on('GET /api/v1/admin/clusters/x', envelope(404, 'NOT_FOUND', 'cluster x not found'));
    const api = new ApiClient({ fetch: server.fetch });
    const missingObject = (await api.get('/api/v1/admin/clusters/x').catch((e: unknown) => e)) as ApiError;
    const missingRoute = (await api.get('/api/v1/admin/backtest').catch((e: unknown) => e)) as ApiError;
    expect(missingObject.missingRoute).toBe(false);
    expect(missingRoute.missingRoute).toBe(true);
  });

  it('turns a network failure and a non-envelope answer into ApiErrors', async () => {
    const down = new ApiClient({ fetch: () => Promise.reject(new TypeError('fetch failed')) });
    expect(await down.get('/x').catch((e: unknown) => e)).toMatchObject({ status: 0, code: 'UNAVAILABLE' });
    const proxy = new ApiClient({ fetch: async () => new Response('<html>Bad gateway</html>', { status: 502 }) });
    expect(await proxy.get('/x').catch((e: unknown) => e)).toMatchObject({ status: 502, code: 'INTERNAL' });
    expect(toApiError(new Error('boom'))).toMatchObject({ code: 'INTERNAL', message: 'boom' });
  });

  it('builds query strings without empty values', () => {
    expect(withQuery('/p', { a: 'x y', b: '', c: null, d: 0 })).toBe('/p?a=x+y&d=0');
    expect(withQuery('/p')).toBe('/p');
  });
});
