/**
 * Auth housekeeping: deletes sessions that ended (expired, or revoked at logout) and failed sign-in counts whose
 * window is over. Neither still works or counts — the authenticator checks expiry and revocation on every
 * request, the throttle ignores ended windows — so this only keeps the tables (and their token hashes) from
 * growing without bound. Safe to run again after a crash: each step is a bounded DELETE.
 */
import { LoginFailuresRepository, SessionsRepository, type Database } from '@cloudoptim/db';
import type { Clock, Logger } from '@cloudoptim/runtime';
import type { CentralConfig } from '../config.ts';
import type { WorkerSpec } from '../context.ts';

export const AUTH_HOUSEKEEPING_WORKER = 'auth-housekeeping';
/** Sessions deleted per statement; a pass repeats until fewer than this are left or `maxBatches` is reached. */
const SESSION_BATCH = 1000;

export interface AuthHousekeepingOptions {
  /** Pass interval, ms (default 10 minutes). */
  intervalMs?: number;
  /** Most session batches per pass (default 20); what is left waits for the next pass. */
  maxBatches?: number;
}

export class AuthHousekeeping {
  private readonly sessions: SessionsRepository;
  private readonly failures: LoginFailuresRepository;

  constructor(
    private readonly deps: { db: Database; clock: Clock; log: Logger; config: Pick<CentralConfig, 'LOGIN_FAILURE_WINDOW_SECONDS'> },
    private readonly options: AuthHousekeepingOptions = {},
  ) {
    this.sessions = new SessionsRepository(deps.db.db);
    this.failures = new LoginFailuresRepository(deps.db.db);
  }

  /** One pass; returns what it deleted. */
  async purge(): Promise<{ sessions: number; loginFailures: number }> {
    const now = this.deps.clock.now();
    let sessions = 0;
    for (let batch = 0; batch < (this.options.maxBatches ?? 20); batch++) {
      const deleted = await this.sessions.deleteEnded(new Date(now), SESSION_BATCH);
      sessions += deleted;
      if (deleted < SESSION_BATCH) break;
    }
    const loginFailures = await this.failures.deleteStartedBefore(new Date(now - this.deps.config.LOGIN_FAILURE_WINDOW_SECONDS * 1000));
    if (sessions + loginFailures > 0) this.deps.log.info({ sessions, loginFailures }, 'auth housekeeping: ended sessions and sign-in counts deleted');
    return { sessions, loginFailures };
  }
}

export function createAuthHousekeepingWorker(deps: { db: Database; clock: Clock; log: Logger; config: CentralConfig }, options: AuthHousekeepingOptions = {}): WorkerSpec {
  const housekeeping = new AuthHousekeeping(deps, options);
  return {
    name: AUTH_HOUSEKEEPING_WORKER,
    intervalMs: options.intervalMs ?? 10 * 60_000,
    tick: async () => {
      await housekeeping.purge();
    },
  };
}
