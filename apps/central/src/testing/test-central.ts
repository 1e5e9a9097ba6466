/**
 * The test kit of central: a context and app over a scratch database (in-memory PGlite by default, or a scratch
 * PostgreSQL database), a ManualClock, an operator with a session, and builders for customers (an admin and a
 * viewer, each signed in) and clusters (with their agent API key). Fixtures are written through the same
 * services the routes use, without HTTP, so suites stay fast; requests go through `app.inject`.
 *
 * ```ts
 * const central = await createTestCentral();
 * const { customerId, admin } = await central.createCustomer();
 * const { clusterId, apiKey } = await central.registerCluster(customerId);
 * const res = await central.app.inject({ method: 'GET', url: '/api/v1/admin/clusters', headers: bearer(admin.token) });
 * await central.close();
 * ```
 */
import type { FastifyInstance } from 'fastify';
import { CustomersRepository, UsersRepository, openDatabase, type Database, type UserRole } from '@cloudoptim/db';
import { createScratchDatabase, type ScratchDatabase, type TestDatabaseTarget } from '@cloudoptim/db/testing';
import { loadMarket } from '@cloudoptim/market';
import { ManualClock, silentLogger } from '@cloudoptim/runtime';
import { buildApp } from '../app.ts';
import { AgentKeysService } from '../auth/agent-keys.service.ts';
import { hashPassword } from '../auth/passwords.ts';
import { SessionsService } from '../auth/sessions.service.ts';
import { registerCluster } from '../clusters/cluster-registration.service.ts';
import { defaultCentralConfig, type CentralConfig } from '../config.ts';
import type { CentralContext } from '../context.ts';
import { createCentralContext } from '../services.ts';

/** The password of every user the kit creates. */
export const TEST_PASSWORD = 'correct horse battery staple';

export interface TestCentralOptions {
  /** Default: in-memory PGlite. */
  target?: TestDatabaseTarget;
  overrides?: Partial<CentralContext>;
  config?: Partial<CentralConfig>;
  clock?: ManualClock;
}

/** A signed-in user: `token` is a session bearer token. */
export interface TestUser {
  userId: string;
  email: string;
  token: string;
}

export interface TestCustomer {
  customerId: string;
  admin: TestUser;
  viewer: TestUser;
}

export interface TestCluster {
  clusterId: string;
  /** The agent API key (`coa_…`). */
  apiKey: string;
  keyId: string;
}

export interface TestCentral {
  app: FastifyInstance;
  ctx: CentralContext;
  db: Database;
  clock: ManualClock;
  operator: TestUser;
  /** A customer with a signed-in customer_admin and customer_viewer. Names are unique per kit unless given. */
  createCustomer(name?: string): Promise<TestCustomer>;
  /** A signed-in user with that role (customerId null for operators) and TEST_PASSWORD. */
  createUser(role: UserRole, customerId: string | null, email?: string): Promise<TestUser>;
  /** Registers a cluster as POST /admin/clusters does (cluster + agent key). */
  registerCluster(customerId: string, name?: string, region?: string): Promise<TestCluster>;
  /** Closes the app, the realtime hub (unless overridden) and the database, and drops the scratch database. */
  close(): Promise<void>;
}

/** `Authorization: Bearer <token>` as inject headers. */
export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

let testPasswordHash: Promise<string> | undefined;

export async function createTestCentral(options: TestCentralOptions = {}): Promise<TestCentral> {
  const clock = options.clock ?? new ManualClock();
  let scratch: ScratchDatabase | undefined;
  let db: Database;
  if (options.target && options.target.name !== 'pglite') {
    scratch = await createScratchDatabase(options.target);
    db = await scratch.open();
  } else {
    db = await openDatabase();
  }
  const config = defaultCentralConfig({ CLOUDOPTIM_WORKERS: 'off', ...options.config });
  const ctx = await createCentralContext({ db, clock, log: silentLogger, config, market: loadMarket() }, options.overrides);
  const app = await buildApp(ctx);

  const users = new UsersRepository(db.db);
  const customers = new CustomersRepository(db.db);
  const sessions = new SessionsService(db, clock, ctx.auth, config.SESSION_TTL_SECONDS);
  const keys = new AgentKeysService(db, clock, ctx.auth);
  let sequence = 0;
  const next = () => ++sequence;

  const createUser = async (role: UserRole, customerId: string | null, email?: string): Promise<TestUser> => {
    testPasswordHash ??= hashPassword(TEST_PASSWORD);
    const user = await users.create({ email: email ?? `${role.replace('_', '-')}-${next()}@example.test`, passwordHash: await testPasswordHash, role, customerId, createdAt: new Date(clock.now()) });
    const { token } = await sessions.start(user.id);
    return { userId: user.id, email: user.email, token };
  };

  const operator = await createUser('operator', null, 'operator@example.test');

  return {
    app,
    ctx,
    db,
    clock,
    operator,
    async createCustomer(name) {
      const n = next();
      const customer = await customers.create({ name: name ?? `Customer ${n}`, contactEmail: `billing-${n}@example.test` });
      return { customerId: customer.id, admin: await createUser('customer_admin', customer.id), viewer: await createUser('customer_viewer', customer.id) };
    },
    createUser,
    async registerCluster(customerId, name, region = 'us-east-1') {
      const { cluster, apiKey, key } = await registerCluster(db, keys, customerId, { name: name ?? `cluster-${next()}`, region });
      return { clusterId: cluster.id, apiKey, keyId: key.id };
    },
    async close() {
      await app.close();
      if (!options.overrides?.realtime) await ctx.realtime.close();
      await db.close();
      await scratch?.dispose();
    },
  };
}
