import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UsersRepository, type Database } from '@cloudoptim/db';
import { createScratchDatabase, testDatabaseTargets, type ScratchDatabase } from '@cloudoptim/db/testing';
import { ManualClock, silentLogger } from '@cloudoptim/runtime';
import { DbAuditLog } from './audit/db-audit-log.ts';
import { verifyPassword } from './auth/passwords.ts';
import { ensureBootstrapAdmin } from './bootstrap.ts';
import { defaultCentralConfig } from './config.ts';

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('ensureBootstrapAdmin on $name', (target) => {
  let scratch: ScratchDatabase;
  let db: Database;
  const clock = new ManualClock();

  beforeAll(async () => {
    scratch = await createScratchDatabase(target);
    db = await scratch.open();
  });
  // every test starts from a database without users
  beforeEach(async () => {
    await db.query('DELETE FROM users');
    await db.query('DELETE FROM audit_log');
  });
  afterAll(async () => {
    await db?.close();
    await scratch?.dispose();
  });

  const deps = (config: Parameters<typeof defaultCentralConfig>[0]) => ({ db, clock, log: silentLogger, config: defaultCentralConfig(config), audit: new DbAuditLog(db, clock) });
  const configured = { CLOUDOPTIM_BOOTSTRAP_ADMIN_EMAIL: 'Root@Example.com', CLOUDOPTIM_BOOTSTRAP_ADMIN_PASSWORD: 'a very long password' };

  it('creates the operator once on an empty database, then stands down', async () => {
    expect(await ensureBootstrapAdmin(deps(configured))).toBe('created');
    const credentials = await new UsersRepository(db.db).findCredentials('root@example.com');
    expect(credentials?.user).toMatchObject({ email: 'root@example.com', role: 'operator', customerId: null });
    expect(await verifyPassword(credentials!.passwordHash, 'a very long password')).toBe(true);
    expect(await ensureBootstrapAdmin(deps({ ...configured, CLOUDOPTIM_BOOTSTRAP_ADMIN_EMAIL: 'other@example.com' }))).toBe('users-exist');
    expect(await db.query("SELECT action FROM audit_log WHERE action = 'user.bootstrap_operator'")).toHaveLength(1);
  });

  it('does nothing without both variables', async () => {
    expect(await ensureBootstrapAdmin(deps({ CLOUDOPTIM_BOOTSTRAP_ADMIN_EMAIL: 'root@example.com' }))).toBe('not-configured');
    expect(await new UsersRepository(db.db).any()).toBe(false);
  });

  it('creates exactly one operator when replicas race', async () => {
    const outcomes = await Promise.all([ensureBootstrapAdmin(deps(configured)), ensureBootstrapAdmin(deps(configured)), ensureBootstrapAdmin(deps(configured))]);
    expect(outcomes.filter((outcome) => outcome === 'created')).toHaveLength(1);
    expect(await db.query('SELECT id FROM users')).toHaveLength(1);
  });
});
