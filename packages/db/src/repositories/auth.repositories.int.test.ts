import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError, type AppError } from '@cloudoptim/contracts';
import {
  AgentKeysRepository,
  AuditLogRepository,
  ClusterSettingsRepository,
  ClustersRepository,
  CustomersRepository,
  SessionsRepository,
  UsersRepository,
  isAgentKeyActive,
  type Cluster,
  type Customer,
  type Database,
  type User,
} from '../index.ts';
import { createScratchDatabase, testDatabaseTargets, type ScratchDatabase } from '../testing/test-databases.ts';

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isAppError(error)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

const T0 = new Date('2026-01-01T00:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const hash = (n: number) => n.toString(16).padStart(64, '0');

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('auth repositories on $name', (target) => {
  let scratch: ScratchDatabase;
  let database: Database;
  let users: UsersRepository;
  let sessions: SessionsRepository;
  let keys: AgentKeysRepository;
  let audit: AuditLogRepository;
  let settings: ClusterSettingsRepository;
  let alice: Customer;
  let bob: Customer;
  let aliceCluster: Cluster;
  let bobCluster: Cluster;
  let aliceAdmin: User;

  beforeAll(async () => {
    scratch = await createScratchDatabase(target);
    database = await scratch.open();
    users = new UsersRepository(database.db);
    sessions = new SessionsRepository(database.db);
    keys = new AgentKeysRepository(database.db);
    audit = new AuditLogRepository(database.db);
    settings = new ClusterSettingsRepository(database.db);
    const customers = new CustomersRepository(database.db);
    const clusters = new ClustersRepository(database.db);
    alice = await customers.create({ name: 'Alice Corp' });
    bob = await customers.create({ name: 'Bob Ltd' });
    aliceCluster = await clusters.create(alice.id, { name: 'prod', region: 'us-east-1' });
    bobCluster = await clusters.create(bob.id, { name: 'prod', region: 'eu-west-1' });
    aliceAdmin = await users.create({ email: 'Admin@Alice.example', passwordHash: '$argon2id$x', role: 'customer_admin', customerId: alice.id, createdAt: T0 });
  });
  afterAll(async () => {
    await database?.close();
    await scratch?.dispose();
  });

  describe('users', () => {
    it('stores e-mails lower-cased and finds credentials in any case', async () => {
      expect(aliceAdmin).toEqual({ id: expect.any(String), email: 'admin@alice.example', role: 'customer_admin', customerId: alice.id, createdAt: T0, lastLoginAt: null, disabledAt: null });
      expect(await users.findCredentials('ADMIN@alice.EXAMPLE ')).toEqual({ user: aliceAdmin, passwordHash: '$argon2id$x' });
      expect(await users.findCredentials('nobody@alice.example')).toBeNull();
    });

    it('refuses a second account with the same e-mail in another case (CONFLICT)', async () => {
      const error = await rejection(users.create({ email: 'ADMIN@alice.example', passwordHash: 'h', role: 'customer_viewer', customerId: bob.id, createdAt: T0 }));
      expect(error.code).toBe('CONFLICT');
    });

    it('ties operators to no customer and customer roles to one', async () => {
      expect((await rejection(users.create({ email: 'op@x.example', passwordHash: 'h', role: 'operator', customerId: alice.id, createdAt: T0 }))).code).toBe('VALIDATION_FAILED');
      expect((await rejection(users.create({ email: 'v@x.example', passwordHash: 'h', role: 'customer_viewer', customerId: null, createdAt: T0 }))).code).toBe('VALIDATION_FAILED');
      expect((await rejection(users.create({ email: 'v@x.example', passwordHash: 'h', role: 'customer_viewer', customerId: '00000000-0000-4000-8000-000000000000', createdAt: T0 }))).code).toBe('NOT_FOUND');
      expect((await rejection(users.create({ email: 'no-at-sign', passwordHash: 'h', role: 'customer_viewer', customerId: alice.id, createdAt: T0 }))).code).toBe('VALIDATION_FAILED');
    });

    it('lists only the customer’s users and gets a user only within its customer', async () => {
      const viewer = await users.create({ email: 'viewer@bob.example', passwordHash: 'h', role: 'customer_viewer', customerId: bob.id, createdAt: T0 });
      expect((await users.list(alice.id)).map((user) => user.email)).toEqual(['admin@alice.example']);
      expect((await users.list(bob.id)).map((user) => user.id)).toEqual([viewer.id]);
      expect(await users.get(bob.id, viewer.id)).toEqual(viewer);
      expect((await rejection(users.get(alice.id, viewer.id))).code).toBe('NOT_FOUND');
      expect(await users.find('not-a-uuid')).toBeNull();
    });

    it('reports whether any user exists and records logins', async () => {
      expect(await users.any()).toBe(true);
      await users.recordLogin(aliceAdmin.id, at(5));
      expect((await users.find(aliceAdmin.id))?.lastLoginAt).toEqual(at(5));
    });
  });

  describe('sessions', () => {
    it('finds a session and its user by token hash, and revokes it once', async () => {
      const session = await sessions.create({ userId: aliceAdmin.id, tokenHash: hash(1), createdAt: T0, expiresAt: at(3600) });
      const found = await sessions.findByTokenHash(hash(1));
      expect(found?.session).toEqual(session);
      expect(found?.user.id).toBe(aliceAdmin.id);
      expect(await sessions.findByTokenHash(hash(2))).toBeNull();
      expect(await sessions.revoke(session.id, at(10))).toBe(true);
      expect(await sessions.revoke(session.id, at(20))).toBe(false);
      expect((await sessions.findByTokenHash(hash(1)))?.session.revokedAt).toEqual(at(10));
    });

    it('writes last_seen_at at most once per interval', async () => {
      const session = await sessions.create({ userId: aliceAdmin.id, tokenHash: hash(3), createdAt: T0, expiresAt: at(3600) });
      await sessions.touch(session.id, at(1), at(-59));
      await sessions.touch(session.id, at(30), at(-30));
      expect((await sessions.findByTokenHash(hash(3)))?.session.lastSeenAt).toEqual(at(1));
      await sessions.touch(session.id, at(70), at(10));
      expect((await sessions.findByTokenHash(hash(3)))?.session.lastSeenAt).toEqual(at(70));
    });

    it('refuses a duplicate token hash and an unknown user', async () => {
      expect((await rejection(sessions.create({ userId: aliceAdmin.id, tokenHash: hash(1), createdAt: T0, expiresAt: at(1) }))).code).toBe('CONFLICT');
      expect((await rejection(sessions.create({ userId: '00000000-0000-4000-8000-000000000000', tokenHash: hash(9), createdAt: T0, expiresAt: at(1) }))).code).toBe('NOT_FOUND');
    });
  });

  describe('agent keys', () => {
    it('creates keys only for the customer’s own cluster', async () => {
      const error = await rejection(keys.create(alice.id, { clusterId: bobCluster.id, keyHash: hash(100), prefix: 'coa_x', createdAt: T0 }));
      expect(error.code).toBe('NOT_FOUND');
    });

    it('finds a key by hash, lists per cluster and never crosses customers', async () => {
      const key = await keys.create(alice.id, { clusterId: aliceCluster.id, keyHash: hash(101), prefix: 'coa_AAAA', createdAt: T0 });
      expect(key).toEqual({ id: expect.any(String), customerId: alice.id, clusterId: aliceCluster.id, prefix: 'coa_AAAA', createdAt: T0, revokedAt: null, lastUsedAt: null });
      expect(await keys.findByHash(hash(101))).toEqual(key);
      expect((await keys.list(alice.id, aliceCluster.id)).map((k) => k.id)).toContain(key.id);
      expect(await keys.list(bob.id, aliceCluster.id)).toEqual([]);
      expect(await keys.revoke(bob.id, aliceCluster.id, key.id, at(1))).toBeNull();
      expect(isAgentKeyActive((await keys.findByHash(hash(101)))!, at(1))).toBe(true);
    });

    it('rotation schedules the old keys’ end; revoke brings it forward but never extends it', async () => {
      const cluster = await new ClustersRepository(database.db).create(alice.id, { name: 'rotation', region: 'us-east-1' });
      const old = await keys.create(alice.id, { clusterId: cluster.id, keyHash: hash(200), prefix: 'coa_OLD', createdAt: T0 });
      const revoked = await keys.revokeAll(alice.id, cluster.id, at(300));
      expect(revoked.map((k) => k.id)).toEqual([old.id]);
      expect(isAgentKeyActive(revoked[0]!, at(299))).toBe(true);
      expect(isAgentKeyActive(revoked[0]!, at(300))).toBe(false);
      expect((await keys.revoke(alice.id, cluster.id, old.id, at(10)))?.revokedAt).toEqual(at(10));
      expect((await keys.revoke(alice.id, cluster.id, old.id, at(50)))?.revokedAt).toEqual(at(10));
      expect(await keys.revokeAll(alice.id, cluster.id, at(400))).toEqual([]);
    });

    it('writes last_used_at at most once per interval', async () => {
      const key = await keys.create(alice.id, { clusterId: aliceCluster.id, keyHash: hash(300), prefix: 'coa_T', createdAt: T0 });
      await keys.touch(key.id, at(1), at(-59));
      await keys.touch(key.id, at(2), at(-58));
      expect((await keys.findByHash(hash(300)))?.lastUsedAt).toEqual(at(1));
    });

    it('goes with its cluster when the cluster is deleted', async () => {
      const clusters = new ClustersRepository(database.db);
      const cluster = await clusters.create(alice.id, { name: 'short-lived', region: 'us-east-1' });
      await keys.create(alice.id, { clusterId: cluster.id, keyHash: hash(400), prefix: 'coa_D', createdAt: T0 });
      expect(await clusters.delete(bob.id, cluster.id)).toBe(false);
      expect(await clusters.delete(alice.id, cluster.id)).toBe(true);
      expect(await keys.findByHash(hash(400))).toBeNull();
    });
  });

  describe('audit log', () => {
    it('appends and pages newest first, scoped by customer and cluster', async () => {
      const entry = (customerId: string | null, seconds: number, clusterId: string | null = null) =>
        audit.append({ customerId, clusterId, actor: 'user:a@b.c', action: 'test.action', target: null, details: { n: seconds }, requestId: 'req-1', createdAt: at(seconds) });
      await entry(alice.id, 1, aliceCluster.id);
      await entry(alice.id, 2);
      await entry(bob.id, 3, bobCluster.id);
      await entry(null, 4);
      await entry(alice.id, 5, aliceCluster.id);

      const aliceAll = await audit.list(alice.id);
      expect(aliceAll.map((record) => record.details.n)).toEqual([5, 2, 1]);
      expect(aliceAll[0]).toMatchObject({ customerId: alice.id, clusterId: aliceCluster.id, actor: 'user:a@b.c', action: 'test.action', requestId: 'req-1', createdAt: at(5) });
      expect((await audit.list(alice.id, { clusterId: aliceCluster.id })).map((record) => record.details.n)).toEqual([5, 1]);
      expect((await audit.list(undefined)).map((record) => record.details.n)).toEqual([5, 4, 3, 2, 1]);

      const first = await audit.list(undefined, { limit: 2 });
      const second = await audit.list(undefined, { limit: 2, after: first.at(-1)! });
      const third = await audit.list(undefined, { limit: 2, after: second.at(-1)! });
      expect([...first, ...second, ...third].map((record) => record.details.n)).toEqual([5, 4, 3, 2, 1]);
      expect(await audit.list('not-a-uuid')).toEqual([]);
    });

    it('refuses an entry without actor or action', async () => {
      const error = await rejection(audit.append({ customerId: null, clusterId: null, actor: '', action: 'x', target: null, details: {}, requestId: null, createdAt: T0 }));
      expect(error.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('cluster settings', () => {
    it('reads version 1 with no changes for a cluster never configured, nothing for another customer', async () => {
      expect(await settings.find(alice.id, aliceCluster.id)).toEqual({ clusterId: aliceCluster.id, customerId: alice.id, settings: {}, version: 1, updatedAt: aliceCluster.createdAt });
      expect(await settings.find(bob.id, aliceCluster.id)).toBeNull();
    });

    it('merges changes key by key and bumps the version each time', async () => {
      const first = await settings.merge(alice.id, aliceCluster.id, { max_spot_share: 0.5 }, at(1));
      expect(first).toMatchObject({ settings: { max_spot_share: 0.5 }, version: 2, updatedAt: at(1) });
      const second = await settings.merge(alice.id, aliceCluster.id, { automation_mode: 'automate', max_spot_share: 0.6 }, at(2));
      expect(second).toMatchObject({ settings: { max_spot_share: 0.6, automation_mode: 'automate' }, version: 3, updatedAt: at(2) });
      expect(await settings.find(alice.id, aliceCluster.id)).toEqual(second);
    });

    it('keeps concurrent changes of different keys, each with its own version', async () => {
      const results = await Promise.all([
        settings.merge(bob.id, bobCluster.id, { a: 1 }, at(1)),
        settings.merge(bob.id, bobCluster.id, { b: 2 }, at(1)),
        settings.merge(bob.id, bobCluster.id, { c: 3 }, at(1)),
      ]);
      expect(results.map((result) => result.version).sort()).toEqual([2, 3, 4]);
      expect((await settings.find(bob.id, bobCluster.id))?.settings).toEqual({ a: 1, b: 2, c: 3 });
    });

    it('never changes another customer’s cluster', async () => {
      expect((await rejection(settings.merge(bob.id, aliceCluster.id, { max_spot_share: 0 }, at(3)))).code).toBe('NOT_FOUND');
      expect((await settings.find(alice.id, aliceCluster.id))?.settings).toEqual({ max_spot_share: 0.6, automation_mode: 'automate' });
    });
  });
});
