/**
 * Sign-in brute force and the life of a session, through the routes: attempts counted per e-mail and per IP
 * (in the database, and in Redis when TEST_REDIS_URL is set, e.g. redis://127.0.0.1:6379/15), 429 with
 * Retry-After beyond the limit even with the right password and alike for addresses with and without an
 * account, a success resets its address; sessions refused once expired, logout ending a session on every
 * replica at once, and the housekeeping worker deleting what ended.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError, type ErrorEnvelope } from '@cloudoptim/contracts';
import { testDatabaseTargets, type TestDatabaseTarget } from '@cloudoptim/db/testing';
import { DbAuthenticator } from '../auth/db-authenticator.ts';
import { expectError } from '../testing/http-assertions.ts';
import { TEST_PASSWORD, bearer, createTestCentral, type TestCentral } from '../testing/test-central.ts';
import { centralWorkers } from '../workers/central-workers.ts';
import { AUTH_HOUSEKEEPING_WORKER, AuthHousekeeping, createAuthHousekeepingWorker } from './auth-housekeeping.worker.ts';

const PER_EMAIL = 3;
const PER_IP = 6;
const WINDOW_SECONDS = 900;

type Store = { name: string; target: TestDatabaseTarget; redisUrl?: string };
const stores: Store[] = testDatabaseTargets(process.env.TEST_DATABASE_URL).map((target) => ({ name: `the database (${target.name})`, target }));
if (process.env.TEST_REDIS_URL) stores.push({ name: 'Redis', target: { name: 'pglite' }, redisUrl: process.env.TEST_REDIS_URL });

describe.each(stores)('sign-in throttle counting in $name', ({ target, redisUrl }) => {
  let central: TestCentral;
  // Redis is shared between runs: every address and IP of this run is its own.
  const run = randomBytes(4).toString('hex');
  let n = 0;
  const ip = () => `2001:db8:${run.slice(0, 4)}:${run.slice(4)}::${(++n).toString(16)}`;
  const email = (what: string) => `${what}-${run}-${++n}@throttle.example`;

  beforeAll(async () => {
    central = await createTestCentral({ target, config: { LOGIN_MAX_FAILURES_PER_EMAIL: PER_EMAIL, LOGIN_MAX_FAILURES_PER_IP: PER_IP, LOGIN_FAILURE_WINDOW_SECONDS: WINDOW_SECONDS, RATE_LIMIT_PER_MINUTE: 100_000, ...(redisUrl && { REDIS_URL: redisUrl }) } });
  });
  afterAll(() => central?.close());

  const login = (address: string, password: string, from: string) => central.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: address, password }, remoteAddress: from });
  const user = async () => central.createUser('customer_admin', (await central.createCustomer()).customerId, email('user'));
  const sessionsOf = async (userId: string) => (await central.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions WHERE user_id = $1', [userId]))[0]?.n;
  const limited = (res: Awaited<ReturnType<typeof login>>) => {
    const error = expectError(res, 429, 'RATE_LIMITED');
    expect(Number(res.headers['retry-after'])).toBe(error.details?.retry_after_seconds);
    expect(res.headers['set-cookie']).toBeUndefined();
    return error;
  };

  it(`refuses even the right password after ${PER_EMAIL} failures, with Retry-After, until the window ends`, async () => {
    const victim = await user();
    const from = ip();
    for (let i = 0; i < PER_EMAIL; i++) expectError(await login(victim.email, `wrong guess ${i}`, from), 401, 'UNAUTHENTICATED');
    const sessionsBefore = await sessionsOf(victim.userId);
    const refused = await login(victim.email, TEST_PASSWORD, ip());
    const error = limited(refused);
    expect(error.details?.retry_after_seconds).toBeGreaterThan(WINDOW_SECONDS - 5);
    expect(error.details?.retry_after_seconds).toBeLessThanOrEqual(WINDOW_SECONDS);
    expect(await sessionsOf(victim.userId)).toBe(sessionsBefore);
    if (redisUrl) return; // Redis expires keys on its own clock: the ManualClock cannot end its window.

    await central.clock.advance((WINDOW_SECONDS - 300) * 1000);
    expect(Number(limited(await login(victim.email, TEST_PASSWORD, from)).details?.retry_after_seconds)).toBe(300);
    await central.clock.advance(300 * 1000);
    expect((await login(victim.email, TEST_PASSWORD, from)).statusCode).toBe(200);
  });

  it('answers for an address without an account exactly as for one with an account', async () => {
    const known = await user();
    const unknown = email('nobody');
    const answers: ErrorEnvelope['error'][] = [];
    for (const address of [known.email, unknown]) {
      for (let i = 0; i < PER_EMAIL; i++) expectError(await login(address, 'not it at all', ip()), 401, 'UNAUTHENTICATED');
      answers.push(limited(await login(address, address === known.email ? TEST_PASSWORD : 'not it at all', ip())));
    }
    const [a, b] = answers.map(({ code, message, details }) => ({ code, message, details }));
    expect(a).toEqual(b);
  });

  it('starts an address over after a successful sign-in', async () => {
    const person = await user();
    const from = ip();
    for (let i = 0; i < PER_EMAIL - 1; i++) expectError(await login(person.email, 'typo', from), 401, 'UNAUTHENTICATED');
    expect((await login(person.email, TEST_PASSWORD, from)).statusCode).toBe(200);
    for (let i = 0; i < PER_EMAIL; i++) expectError(await login(person.email, 'typo', from), 401, 'UNAUTHENTICATED');
    limited(await login(person.email, TEST_PASSWORD, from));
  });

  it(`limits one IP to ${PER_IP} failures whatever the addresses, and not the accounts elsewhere`, async () => {
    const person = await user();
    const from = ip();
    for (let i = 0; i < PER_IP; i++) expectError(await login(email('spray'), 'Winter2026!', from), 401, 'UNAUTHENTICATED');
    limited(await login(person.email, TEST_PASSWORD, from));
    expect((await login(person.email, TEST_PASSWORD, ip())).statusCode).toBe(200);
  });

  it('counts a burst of parallel guesses one by one', async () => {
    const victim = await user();
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => login(victim.email, `parallel guess ${i}`, ip())));
    expect(answers.map((r) => r.statusCode).sort()).toEqual([...Array(PER_EMAIL).fill(401), ...Array(10 - PER_EMAIL).fill(429)]);
  });

  it.skipIf(redisUrl !== undefined)('keeps no address in clear, and the housekeeping worker drops ended windows', async () => {
    const address = email('stored');
    await login(address, 'whatever it is', ip());
    const rows = await central.db.query<{ bucket: string }>('SELECT bucket FROM login_failures');
    expect(rows.length).toBeGreaterThan(0);
    for (const { bucket } of rows) expect(bucket).toMatch(/^(email|ip):[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(run);

    await central.clock.advance(WINDOW_SECONDS * 1000 - 1);
    const fresh = email('fresh');
    await login(fresh, 'whatever it is', ip());
    await central.clock.advance(1);
    const housekeeping = new AuthHousekeeping(central.ctx);
    const { loginFailures } = await housekeeping.purge();
    expect(loginFailures).toBe(rows.length);
    expect(await central.db.query('SELECT bucket FROM login_failures')).toHaveLength(2);
  });
});

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('sessions on $name', (target) => {
  let central: TestCentral;
  let customerId: string;

  beforeAll(async () => {
    central = await createTestCentral({ target });
    customerId = (await central.createCustomer()).customerId;
  });
  afterAll(() => central?.close());

  const me = (headers: Record<string, string>) => central.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers });
  const ttlMs = () => central.ctx.config.SESSION_TTL_SECONDS * 1000;

  it('refuses an expired session by bearer and by cookie, even one this replica just cached', async () => {
    const user = await central.createUser('customer_viewer', customerId);
    await central.clock.advance(ttlMs() - 1);
    expect((await me(bearer(user.token))).statusCode).toBe(200);
    expect((await me({ cookie: `cloudoptim_session=${user.token}` })).statusCode).toBe(200);
    await central.clock.advance(1);
    expectError(await me(bearer(user.token)), 401, 'UNAUTHENTICATED');
    expectError(await me({ cookie: `cloudoptim_session=${user.token}` }), 401, 'UNAUTHENTICATED');
    expectError(await central.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(user.token) }), 401, 'UNAUTHENTICATED');
  });

  it('ends a session at logout on every replica at once, and only that session', async () => {
    const user = await central.createUser('customer_admin', customerId);
    const other = (await central.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: user.email, password: TEST_PASSWORD } })).json().token as string;
    const replica = await DbAuthenticator.start(central.db, central.clock, { cacheTtlMs: 60_000 });
    const onReplica = (token: string) =>
      replica.user({ authorization: `Bearer ${token}`, sessionCookie: undefined }).then(
        (principal) => (principal ? 'accepted' : 'none'),
        (error: unknown) => (isAppError(error) ? error.code : 'failed'),
      );
    expect(await onReplica(user.token)).toBe('accepted'); // now cached there for a minute

    expect((await central.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(user.token) })).statusCode).toBe(204);
    expectError(await me(bearer(user.token)), 401, 'UNAUTHENTICATED');
    // No clock advance: the replica hears the logout (NOTIFY), not its cache running out.
    await expect.poll(() => onReplica(user.token), { timeout: 5_000, interval: 20 }).toBe('UNAUTHENTICATED');
    expect((await me(bearer(other))).statusCode).toBe(200);
    expect(await onReplica(other)).toBe('accepted');
  });

  it('deletes ended sessions in the housekeeping worker, which central runs', async () => {
    expect(centralWorkers(central.ctx).map((w) => w.name)).toContain(AUTH_HOUSEKEEPING_WORKER);
    const expired = await central.createUser('customer_viewer', customerId);
    await central.clock.advance(ttlMs());
    const live = await central.createUser('customer_viewer', customerId);
    const loggedOut = await central.createUser('customer_viewer', customerId);
    await central.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(loggedOut.token) });
    const sessionsOf = async (userId: string) => (await central.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions WHERE user_id = $1', [userId]))[0]?.n;

    await createAuthHousekeepingWorker(central.ctx).tick();
    expect([await sessionsOf(expired.userId), await sessionsOf(live.userId), await sessionsOf(loggedOut.userId)]).toEqual([0, 1, 0]);
    expect((await me(bearer(live.token))).statusCode).toBe(200);
    const [{ n } = { n: -1 }] = await central.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions WHERE expires_at <= $1 OR revoked_at <= $1', [new Date(central.clock.now()).toISOString()]);
    expect(n).toBe(0);
  });
});
