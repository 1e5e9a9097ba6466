/**
 * Whose X-Forwarded-For central believes (TRUST_PROXY): the per-IP sign-in limit counts the client IP, so a client
 * that may set the header itself could make every guess come from a new address. By default the TCP peer is the
 * client; behind listed load balancers (`TRUST_PROXY=<CIDR>`) the address the balancer appended is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '@cloudoptim/runtime';
import { buildApp } from '../app.ts';
import { loadCentralConfig } from '../config.ts';
import { createTestCentral, type TestCentral } from '../testing/test-central.ts';

const PER_IP = 3;

describe('TRUST_PROXY and the per-IP sign-in limit', () => {
  let central: TestCentral;
  beforeAll(async () => {
    central = await createTestCentral({ config: { LOGIN_MAX_FAILURES_PER_IP: PER_IP, LOGIN_MAX_FAILURES_PER_EMAIL: 1000, RATE_LIMIT_PER_MINUTE: 100_000 } });
  });
  afterAll(async () => central?.close());

  // One database; an app per TRUST_PROXY value over it (the setting is read when the app is built).
  const guesses = async (trustProxy: string, peer: string) => {
    const app = await buildApp({ ...central.ctx, metrics: createMetricsRegistry('central-test'), config: { ...central.ctx.config, TRUST_PROXY: loadCentralConfig({ TRUST_PROXY: trustProxy }).TRUST_PROXY } });
    const statuses: number[] = [];
    try {
      for (let i = 0; i < PER_IP + 2; i++) {
        // A new forged address on every attempt, appended to by the proxy (when there is one) as the last hop.
        const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: `guess-${peer}-${i}@proxy.example`, password: 'wrong guess' }, remoteAddress: peer, headers: { 'x-forwarded-for': `198.51.100.${i}, 203.0.113.${i}` } });
        statuses.push(res.statusCode);
      }
    } finally {
      await app.close();
    }
    return statuses;
  };

  it('by default ignores X-Forwarded-For: forged addresses do not escape the limit', async () => {
    expect(await guesses('false', '192.0.2.10')).toEqual([401, 401, 401, 429, 429]);
  });

  it('trusts only the listed proxies: behind one, each client has its own bucket; a peer not listed is the client', async () => {
    expect(await guesses('10.0.0.0/8', '192.0.2.11')).toEqual([401, 401, 401, 429, 429]);
    expect(await guesses('10.0.0.0/8', '10.1.2.3')).toEqual([401, 401, 401, 401, 401]);
  });

  it('refuses a hop count (Fastify would silently ignore the header) and anything else that is none of the forms, without echoing it', () => {
    expect(() => loadCentralConfig({ TRUST_PROXY: '1' })).toThrow();
    const error = (() => {
      try {
        loadCentralConfig({ TRUST_PROXY: 'everyone-secret-ish' });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error?.message ?? '').not.toContain('everyone-secret-ish');
    expect(JSON.stringify(error)).toMatch(/TRUST_PROXY/);
  });

  it('parses the forms', () => {
    expect(loadCentralConfig({}).TRUST_PROXY).toBe(false);
    expect(loadCentralConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadCentralConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.1' }).TRUST_PROXY).toEqual(['10.0.0.0/8', '192.168.1.1']);
  });
});
