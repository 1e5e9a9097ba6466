/**
 * `createCentralContext(deps)`: the one place central's shared services are built from its inputs. Pieces can be
 * replaced through `overrides` (tests, and the composition root for what it builds itself); pieces nobody has
 * provided yet answer every call with AppError UNAVAILABLE "<piece> is not configured" instead of failing at boot.
 */
import { AppError } from '@cloudoptim/contracts';
import { createMetricsRegistry } from '@cloudoptim/runtime';
import { DbAuditLog } from './audit/db-audit-log.ts';
import { DbAuthenticator } from './auth/db-authenticator.ts';
import type { CloudAccess } from './cloud/cloud-access.ts';
import type { CentralContext, CentralDeps } from './context.ts';
import type { MlGateway } from './ml/ml-gateway.ts';
import { PgRealtimeHub } from './realtime/realtime-hub.ts';
import { DbClusterSettings } from './settings/db-cluster-settings.ts';
import { DbTaskQueue } from './tasks/db-task-queue.ts';

const notConfigured = (piece: string) => (): Promise<never> => Promise.reject(new AppError('UNAVAILABLE', `${piece} is not configured`));

/** AWS access that refuses every call. */
export const unconfiguredCloud: CloudAccess = { forCluster: notConfigured('AWS access'), close: async () => {} };
/** An ML gateway that refuses every call. */
export const unconfiguredMl: MlGateway = { decide: notConfigured('the ML server'), forward: notConfigured('the ML server') };

/**
 * Builds the context. Starts the realtime hub's and the authenticator's LISTEN (unless overridden; the latter ends
 * with the database); whoever creates the context closes `ctx.realtime` and `ctx.cloud` (and the database it
 * passed in) when done.
 */
export async function createCentralContext(deps: CentralDeps, overrides: Partial<CentralContext> = {}): Promise<CentralContext> {
  const { db, clock, log, config, market } = deps;
  const metrics = overrides.metrics ?? deps.metrics ?? createMetricsRegistry('central');
  const realtime = overrides.realtime ?? (await PgRealtimeHub.start(db, log));
  return {
    db,
    clock,
    log,
    config,
    market,
    metrics,
    auth: overrides.auth ?? (await DbAuthenticator.start(db, clock, { log })),
    audit: overrides.audit ?? new DbAuditLog(db, clock),
    settings: overrides.settings ?? new DbClusterSettings(db, clock),
    realtime,
    tasks: overrides.tasks ?? new DbTaskQueue({ db, clock, log, realtime, metrics }),
    cloud: overrides.cloud ?? deps.cloud ?? unconfiguredCloud,
    ml: overrides.ml ?? deps.ml ?? unconfiguredMl,
    isReady: overrides.isReady ?? deps.isReady ?? (() => true),
    workers: overrides.workers ?? [],
  };
}
