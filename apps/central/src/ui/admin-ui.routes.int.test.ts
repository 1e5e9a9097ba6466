import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestCentral, type TestCentral } from '../testing/test-central.ts';

const INDEX = '<!doctype html><title>CloudOptim</title><div id="root"></div>';

describe('the admin UI at /', () => {
  let dir: string;
  let central: TestCentral;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cloudoptim-ui-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
    central = await createTestCentral({ config: { CLOUDOPTIM_UI_DIR: dir } });
  });
  afterAll(async () => {
    await central?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (url: string, headers: Record<string, string> = {}) => central.app.inject({ method: 'GET', url, headers });

  it('serves index.html at / and for the UI’s own routes (deep links survive a reload)', async () => {
    for (const url of ['/', '/clusters/5f0c6f1e-3d0a-4f43-9a0e-2a7c1d2b3c4d?tab=nodes', '/optimizations']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.body).toBe(INDEX);
    }
  });

  it('serves built files, hashed assets cached for a year, under the security headers', async () => {
    const asset = await get('/assets/index-abc123.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect(asset.headers['content-security-policy']).toContain("default-src 'self'");
    expect((await get('/favicon.svg')).body).toBe('<svg/>');
  });

  it('answers a missing asset and an unknown API path with the JSON 404 envelope', async () => {
    const asset = await get('/assets/gone-999.js');
    expect(asset.statusCode).toBe(404);
    expect(asset.json().error.code).toBe('NOT_FOUND');
    const api = await get('/api/v1/admin/no-such-thing');
    expect(api.statusCode).toBe(404);
    expect(api.json().error).toMatchObject({ code: 'NOT_FOUND', message: 'no route GET /api/v1/admin/no-such-thing' });
  });

  it('does not escape its directory', async () => {
    const res = await get('/..%2f..%2fpackage.json');
    expect(res.body).toBe(INDEX);
  });

  it('leaves the API as it was', async () => {
    const me = await get('/api/v1/auth/me', bearer(central.operator.token));
    expect(me.statusCode).toBe(200);
    expect(me.json().user.email).toBe('operator@example.test');
    expect((await get('/healthz')).json()).toEqual({ status: 'ok' });
  });
});

describe('without a UI build', () => {
  it('serves nothing at / (every path is an API 404)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'cloudoptim-no-ui-'));
    const central = await createTestCentral({ config: { CLOUDOPTIM_UI_DIR: empty } });
    try {
      const res = await central.app.inject({ method: 'GET', url: '/' });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('NOT_FOUND');
    } finally {
      await central.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
