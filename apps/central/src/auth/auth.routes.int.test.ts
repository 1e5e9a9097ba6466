import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { expectError } from '../testing/http-assertions.ts';
import { TEST_PASSWORD, bearer, createTestCentral, type TestCentral, type TestCustomer } from '../testing/test-central.ts';

const cookieOf = (setCookie: string | string[] | undefined): string => (Array.isArray(setCookie) ? setCookie.join('\n') : (setCookie ?? ''));

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('auth routes on $name', (target) => {
  let central: TestCentral;
  let acme: TestCustomer;

  beforeAll(async () => {
    central = await createTestCentral({ target });
    acme = await central.createCustomer('Acme');
  });
  afterAll(() => central?.close());

  const login = (payload: unknown) => central.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: payload as Record<string, unknown> });
  const me = (headers: Record<string, string>) => central.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers });

  describe('POST /api/v1/auth/login', () => {
    it('answers a session token and the user, and sets an HTTP-only SameSite=Lax cookie', async () => {
      const admin = await central.createUser('customer_admin', acme.customerId, 'Pat@Acme.example');
      const res = await login({ email: 'PAT@acme.example', password: TEST_PASSWORD });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toEqual({
        token: expect.stringMatching(/^cos_[A-Za-z0-9_-]{43}$/),
        user: { id: admin.userId, email: 'pat@acme.example', role: 'customer_admin', customer_id: acme.customerId, created_at: expect.any(String), last_login_at: new Date(central.clock.now()).toISOString(), disabled: false },
        expires_at: new Date(central.clock.now() + central.ctx.config.SESSION_TTL_SECONDS * 1000).toISOString(),
      });
      const cookie = cookieOf(res.headers['set-cookie']);
      expect(cookie).toContain(`cloudoptim_session=${body.token}`);
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/SameSite=Lax/);
      expect(cookie).not.toMatch(/Secure/);
      expect(res.headers['cache-control']).toBe('no-store');

      expect((await me(bearer(body.token))).json().user.id).toBe(admin.userId);
      expect((await me({ cookie: `cloudoptim_session=${body.token}` })).json().user.id).toBe(admin.userId);
    });

    it('fails the same way for an unknown e-mail, a wrong password and a disabled account', async () => {
      const disabled = await central.createUser('customer_viewer', acme.customerId);
      await central.db.query('UPDATE users SET disabled_at = now() WHERE id = $1', [disabled.userId]);
      const answers = [
        await login({ email: 'nobody@acme.example', password: TEST_PASSWORD }),
        await login({ email: 'pat@acme.example', password: 'not the password' }),
        await login({ email: disabled.email, password: TEST_PASSWORD }),
      ];
      const messages = answers.map((res) => expectError(res, 401, 'UNAUTHENTICATED').message);
      expect(new Set(messages)).toEqual(new Set(['wrong e-mail or password']));
      for (const res of answers) expect(res.headers['set-cookie']).toBeUndefined();
    });

    it('rejects malformed input with the validation envelope and starts no session', async () => {
      const before = await central.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions');
      const error = expectError(await login({ email: 'not-an-email', password: '' }), 400, 'VALIDATION_FAILED');
      expect((error.details?.issues as { path: string }[]).map((issue) => issue.path).sort()).toEqual(['email', 'password']);
      expectError(await login({}), 400, 'VALIDATION_FAILED');
      expect(await central.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions')).toEqual(before);
    });

    it('is recorded in the audit log without the password or token', async () => {
      const res = await login({ email: acme.admin.email, password: TEST_PASSWORD });
      const rows = await central.db.query<{ details: unknown; action: string; customer_id: string }>("SELECT * FROM audit_log WHERE action = 'user.login' AND target = $1", [`user/${acme.admin.userId}`]);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ customer_id: acme.customerId });
      expect(JSON.stringify(rows)).not.toContain(TEST_PASSWORD);
      expect(JSON.stringify(rows)).not.toContain(res.json().token);
    });
  });

  describe('GET /api/v1/auth/me', () => {
    it('says who is signed in', async () => {
      const res = await me(bearer(central.operator.token));
      expect(res.statusCode).toBe(200);
      expect(res.json().user).toMatchObject({ id: central.operator.userId, role: 'operator', customer_id: null });
    });

    it('answers 401 without credentials, with a bad token, an agent key or another scheme', async () => {
      const { apiKey } = await central.registerCluster(acme.customerId);
      expectError(await me({}), 401, 'UNAUTHENTICATED');
      expectError(await me(bearer('cos_' + 'A'.repeat(43))), 401, 'UNAUTHENTICATED');
      expectError(await me(bearer('garbage')), 401, 'UNAUTHENTICATED');
      expectError(await me(bearer(apiKey)), 401, 'UNAUTHENTICATED');
      expectError(await me({ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }), 401, 'UNAUTHENTICATED');
      expectError(await me({ cookie: 'cloudoptim_session=cos_nonsense' }), 401, 'UNAUTHENTICATED');
    });
  });

  describe('POST /api/v1/auth/logout', () => {
    it('revokes the session at once and clears the cookie', async () => {
      const token = (await login({ email: acme.viewer.email, password: TEST_PASSWORD })).json().token as string;
      expect((await me(bearer(token))).statusCode).toBe(200);
      const res = await central.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(token) });
      expect(res.statusCode).toBe(204);
      expect(cookieOf(res.headers['set-cookie'])).toMatch(/cloudoptim_session=;.*Expires=Thu, 01 Jan 1970/);
      expectError(await me(bearer(token)), 401, 'UNAUTHENTICATED');
      expectError(await central.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(token) }), 401, 'UNAUTHENTICATED');
    });

    it('works with the cookie alone', async () => {
      const token = (await login({ email: acme.viewer.email, password: TEST_PASSWORD })).json().token as string;
      const cookie = { cookie: `cloudoptim_session=${token}` };
      expect((await central.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: cookie })).statusCode).toBe(204);
      expectError(await me(cookie), 401, 'UNAUTHENTICATED');
    });
  });

  describe('session expiry', () => {
    it('refuses a session once SESSION_TTL_SECONDS have passed', async () => {
      const user = await central.createUser('customer_viewer', acme.customerId);
      expect((await me(bearer(user.token))).statusCode).toBe(200);
      await central.clock.advance(central.ctx.config.SESSION_TTL_SECONDS * 1000 - 1);
      expect((await me(bearer(user.token))).statusCode).toBe(200);
      await central.clock.advance(1);
      expectError(await me(bearer(user.token)), 401, 'UNAUTHENTICATED');
    });
  });
});

describe('transport security', () => {
  let central: TestCentral;

  beforeAll(async () => {
    central = await createTestCentral({
      config: { CLOUDOPTIM_PUBLIC_URL: 'https://optim.example.com', RATE_LIMIT_PER_MINUTE: 5, CORS_ORIGINS: 'https://ui.example.com' },
    });
  });
  afterAll(() => central?.close());

  it('marks the session cookie Secure when the public URL is https', async () => {
    const res = await central.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'operator@example.test', password: TEST_PASSWORD } });
    expect(res.statusCode).toBe(200);
    expect(cookieOf(res.headers['set-cookie'])).toMatch(/; Secure/);
  });

  it('sends the security headers', async () => {
    const res = await central.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(central.operator.token) });
    expect(res.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'SAMEORIGIN', 'strict-transport-security': expect.any(String) });
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('allows CORS with credentials for the configured origin only', async () => {
    const preflight = (origin: string) =>
      central.app.inject({ method: 'OPTIONS', url: '/api/v1/auth/me', headers: { origin, 'access-control-request-method': 'GET' } });
    const allowed = await preflight('https://ui.example.com');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://ui.example.com');
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
    const other = await preflight('https://evil.example.com');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('rate-limits per credential with the 429 envelope and retry-after', async () => {
    const user = await central.createUser('operator', null);
    const call = () => central.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(user.token) });
    for (let i = 0; i < 5; i++) expect((await call()).statusCode).toBe(200);
    const limited = await call();
    const error = expectError(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(error.details?.retry_after_seconds).toBe(Number(limited.headers['retry-after']));
    // another credential has its own budget
    expect((await central.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(central.operator.token) })).statusCode).toBe(200);
  });
});
