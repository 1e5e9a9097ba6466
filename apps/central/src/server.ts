/**
 * Composition root: opens the database (PostgreSQL via DATABASE_URL, else PGlite in CLOUDOPTIM_DATA_DIR), loads
 * the market data, builds the context with the real adapters (EC2/SQS through the AWS SDK, the ML server over
 * HTTP), creates the bootstrap operator, listens, and runs the background workers under leases. main.ts and the
 * CLI's `cloudoptim central` call it with a parsed config.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { MlClient } from '@cloudoptim/api-client';
import { openDatabase, WorkerLeasesRepository, type Database } from '@cloudoptim/db';
import { loadMarket } from '@cloudoptim/market';
import { type Clock, type Lifecycle, type Logger, SystemClock } from '@cloudoptim/runtime';
import { buildApp } from './app.ts';
import { ensureBootstrapAdmin } from './bootstrap.ts';
import { ConfiguredCloudAccess } from './cloud/configured-cloud-access.ts';
import { sealStoredChannelSecrets } from './notifications/channel-secrets.ts';
import { stsAssumeRole } from './cloud/sts-assume-role.ts';
import type { CentralConfig } from './config.ts';
import type { CentralContext, CentralDeps } from './context.ts';
import { createCentralContext, unconfiguredMl } from './services.ts';
import { DbClusterSettings } from './settings/db-cluster-settings.ts';
import { centralWorkers } from './workers/central-workers.ts';
import { leaseStoreOf, WorkerRunner } from './workers/worker-runner.ts';

export interface StartedCentral {
  app: FastifyInstance;
  ctx: CentralContext;
  /** `http://host:port` actually bound. */
  url: string;
  workers: WorkerRunner;
  close(): Promise<void>;
}

export interface StartCentralOptions {
  log: Logger;
  clock?: Clock;
  lifecycle?: Lifecycle;
  /** Replace adapters (tests, the demo). */
  deps?: Partial<Pick<CentralDeps, 'cloud' | 'ml' | 'market'>>;
}

export async function startCentral(config: CentralConfig, options: StartCentralOptions): Promise<StartedCentral> {
  const { log } = options;
  const clock = options.clock ?? new SystemClock();
  const db: Database = await openDatabase({ ...(config.DATABASE_URL ? { databaseUrl: config.DATABASE_URL } : { dataDir: config.CLOUDOPTIM_DATA_DIR }), log: log.child({ component: 'db' }) });
  let stopping = false;
  try {
    const market = options.deps?.market ?? loadMarket();
    const ml = options.deps?.ml ?? (config.ML_SERVER_API_KEY ? new MlClient({ baseUrl: config.ML_SERVER_URL, serviceKey: config.ML_SERVER_API_KEY }) : unconfiguredMl);
    if (ml === unconfiguredMl) log.warn({}, 'ML_SERVER_API_KEY is not set: optimizations and replacements will fail until it is');
    const cloud = options.deps?.cloud ?? new ConfiguredCloudAccess({ config, settings: new DbClusterSettings(db, clock), clock, log: log.child({ component: 'cloud' }), assumeRole: stsAssumeRole(config) });
    const ctx = await createCentralContext({ db, clock, log, config, market, cloud, ml, isReady: () => !stopping && !(options.lifecycle?.isStopping ?? false) });
    ctx.workers.push(...centralWorkers(ctx));
    await ensureBootstrapAdmin(ctx);
    // Before any worker runs: seals channel credentials stored in plain text (or warns that there is no key).
    await sealStoredChannelSecrets(ctx);
    const app = await buildApp(ctx);
    const url = await app.listen({ port: config.PORT, host: config.HOST });
    const workers = new WorkerRunner(ctx.workers, {
      leases: leaseStoreOf(new WorkerLeasesRepository(db.db)),
      clock,
      log: log.child({ component: 'workers' }),
      owner: `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    });
    if (config.CLOUDOPTIM_WORKERS === 'on') workers.start();
    log.info({ url, driver: db.driver, workers: config.CLOUDOPTIM_WORKERS === 'on' ? ctx.workers.map((w) => w.name) : [] }, 'central listening');
    let closed: Promise<void> | undefined;
    const close = () =>
      (closed ??= (async () => {
        stopping = true;
        await workers.stop();
        await app.close();
        await ctx.realtime.close();
        await ctx.cloud.close();
        await db.close();
      })());
    options.lifecycle?.onStop('central', close);
    return { app, ctx, url, workers, close };
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
}
