import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '@cloudoptim/contracts';
import { AgentKeysRepository } from '@cloudoptim/db';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import { createTestCentral, type TestCentral, type TestCustomer } from '../testing/test-central.ts';
import { AgentKeysService } from './agent-keys.service.ts';
import type { RequestCredentials } from './authenticator.ts';
import { DbAuthenticator } from './db-authenticator.ts';
import { SessionsService } from './sessions.service.ts';

const bearerCredentials = (token: string): RequestCredentials => ({ authorization: `Bearer ${token}`, sessionCookie: undefined });

async function rejectionCode(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isAppError(error)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error.code;
}

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('DbAuthenticator on $name', (target) => {
  let central: TestCentral;
  let acme: TestCustomer;
  let globex: TestCustomer;

  beforeAll(async () => {
    central = await createTestCentral({ target });
    acme = await central.createCustomer('Acme');
    globex = await central.createCustomer('Globex');
  });
  afterAll(() => central?.close());

  it('resolves an agent key to its own cluster and customer only', async () => {
    const mine = await central.registerCluster(acme.customerId, 'prod');
    const theirs = await central.registerCluster(globex.customerId, 'prod');
    expect(await central.ctx.auth.agent(bearerCredentials(mine.apiKey))).toEqual({ kind: 'agent', clusterId: mine.clusterId, customerId: acme.customerId, keyId: mine.keyId });
    expect(await central.ctx.auth.agent(bearerCredentials(theirs.apiKey))).toMatchObject({ clusterId: theirs.clusterId, customerId: globex.customerId });
  });

  it('answers undefined without credentials and UNAUTHENTICATED for a session token, unknown or malformed keys', async () => {
    const auth = central.ctx.auth;
    expect(await auth.agent({ authorization: undefined, sessionCookie: acme.admin.token })).toBeUndefined();
    expect(await rejectionCode(auth.agent(bearerCredentials(acme.admin.token)))).toBe('UNAUTHENTICATED');
    expect(await rejectionCode(auth.agent(bearerCredentials(`coa_${'x'.repeat(43)}`)))).toBe('UNAUTHENTICATED');
    expect(await rejectionCode(auth.agent(bearerCredentials('coa_short')))).toBe('UNAUTHENTICATED');
  });

  it('stops a revoked key at once on this replica, and on another within the cache time', async () => {
    const cluster = await central.registerCluster(acme.customerId);
    const otherReplica = new DbAuthenticator(central.db, central.clock, { cacheTtlMs: 5_000 });
    expect((await otherReplica.agent(bearerCredentials(cluster.apiKey)))?.clusterId).toBe(cluster.clusterId);
    expect((await central.ctx.auth.agent(bearerCredentials(cluster.apiKey)))?.clusterId).toBe(cluster.clusterId);

    await new AgentKeysService(central.db, central.clock, central.ctx.auth).revoke(acme.customerId, cluster.clusterId, cluster.keyId);
    expect(await rejectionCode(central.ctx.auth.agent(bearerCredentials(cluster.apiKey)))).toBe('UNAUTHENTICATED');
    await central.clock.advance(5_000);
    expect(await rejectionCode(otherReplica.agent(bearerCredentials(cluster.apiKey)))).toBe('UNAUTHENTICATED');
  });

  it('keeps an agent key for a minute, and a started replica hears another’s revocation at once', async () => {
    const cluster = await central.registerCluster(acme.customerId);
    const started = await DbAuthenticator.start(central.db, central.clock);
    expect((await started.agent(bearerCredentials(cluster.apiKey)))?.clusterId).toBe(cluster.clusterId);
    await central.db.query('UPDATE agent_keys SET revoked_at = $1 WHERE id = $2', [new Date(central.clock.now()).toISOString(), cluster.keyId]);
    await central.clock.advance(30_000);
    // Revoked behind its back: still cached.
    expect((await started.agent(bearerCredentials(cluster.apiKey)))?.clusterId).toBe(cluster.clusterId);
    central.ctx.auth.forgetClusterKeys(cluster.clusterId);
    const outcome = () => started.agent(bearerCredentials(cluster.apiKey)).then(
      () => 'accepted',
      (error: unknown) => (isAppError(error) ? error.code : 'other'),
    );
    await expect.poll(outcome, { timeout: 5_000, interval: 20 }).toBe('UNAUTHENTICATED');
  });

  it('writes last_used_at at most once a minute', async () => {
    const cluster = await central.registerCluster(acme.customerId);
    const auth = new DbAuthenticator(central.db, central.clock, { cacheTtlMs: 0 });
    const lastUsed = async () => (await new AgentKeysRepository(central.db.db).list(acme.customerId, cluster.clusterId))[0]?.lastUsedAt?.getTime();
    const first = central.clock.now();
    await auth.agent(bearerCredentials(cluster.apiKey));
    expect(await lastUsed()).toBe(first);
    await central.clock.advance(30_000);
    await auth.agent(bearerCredentials(cluster.apiKey));
    expect(await lastUsed()).toBe(first);
    await central.clock.advance(31_000);
    await auth.agent(bearerCredentials(cluster.apiKey));
    expect(await lastUsed()).toBe(central.clock.now());
  });

  it('refuses a session of a disabled user and a revoked session', async () => {
    const auth = new DbAuthenticator(central.db, central.clock, { cacheTtlMs: 0 });
    const user = await central.createUser('customer_viewer', acme.customerId);
    expect((await auth.user(bearerCredentials(user.token)))?.userId).toBe(user.userId);
    await central.db.query('UPDATE users SET disabled_at = now() WHERE id = $1', [user.userId]);
    expect(await rejectionCode(auth.user(bearerCredentials(user.token)))).toBe('UNAUTHENTICATED');

    const sessions = new SessionsService(central.db, central.clock, auth, 3600);
    const { token, session } = await sessions.start(acme.admin.userId);
    expect((await auth.user({ authorization: undefined, sessionCookie: token }))?.sessionId).toBe(session.id);
    await sessions.logout(session.id);
    expect(await rejectionCode(auth.user({ authorization: undefined, sessionCookie: token }))).toBe('UNAUTHENTICATED');
  });

  it('prefers the bearer token over the cookie', async () => {
    const principal = await central.ctx.auth.user({ authorization: `Bearer ${acme.viewer.token}`, sessionCookie: acme.admin.token });
    expect(principal?.userId).toBe(acme.viewer.userId);
  });
});
