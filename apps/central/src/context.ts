/**
 * What every feature of central gets: the database, the clock, the adapters and the shared services. Built once
 * by `createCentralContext` (services.ts) from `CentralDeps`; features never construct their own.
 */
import type { Database } from '@cloudoptim/db';
import type { Market } from '@cloudoptim/market';
import type { Clock, Logger, Registry } from '@cloudoptim/runtime';
import type { AuditLog } from './audit/audit-log.ts';
import type { Authenticator } from './auth/authenticator.ts';
import type { CloudAccess } from './cloud/cloud-access.ts';
import type { CentralConfig } from './config.ts';
import type { MlGateway } from './ml/ml-gateway.ts';
import type { RealtimeHub } from './realtime/realtime-hub.ts';
import type { ClusterSettingsReader } from './settings/cluster-settings.ts';
import type { TaskQueue } from './tasks/task-queue.ts';

/** The inputs of central: what the composition root (server.ts, tests) opens and passes in. */
export interface CentralDeps {
  db: Database;
  clock: Clock;
  log: Logger;
  config: CentralConfig;
  market: Market;
  /** AWS access; default: built from config (AWS_ENDPOINT_URL, static keys or the default chain, role per cluster). */
  cloud?: CloudAccess;
  /** The ML server; default: an HTTP client on ML_SERVER_URL. */
  ml?: MlGateway;
  metrics?: Registry;
  /** Readiness beyond "built" (false while shutting down). */
  isReady?: () => boolean;
}

/** A periodic background job. server.ts runs each under a lease, so one replica runs it at a time. */
export interface WorkerSpec {
  name: string;
  intervalMs: number;
  /** One pass. Must be safe to run again after a crash half-way (state is in the database). */
  tick(): Promise<void>;
  /** Releases what passes keep open between ticks (long polls); called once on shutdown. */
  stop?(): Promise<void>;
}

export interface CentralContext {
  db: Database;
  clock: Clock;
  log: Logger;
  config: CentralConfig;
  market: Market;
  metrics: Registry;
  auth: Authenticator;
  audit: AuditLog;
  realtime: RealtimeHub;
  tasks: TaskQueue;
  settings: ClusterSettingsReader;
  cloud: CloudAccess;
  ml: MlGateway;
  isReady: () => boolean;
  /** Background workers the features contribute (optimizer, executor, spot handler, savings, health …). */
  workers: WorkerSpec[];
}
