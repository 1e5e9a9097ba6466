/**
 * Brute-force limit on sign-in: attempts are counted per e-mail address and per client IP in fixed windows that
 * start at a bucket's first attempt (LOGIN_FAILURE_WINDOW_SECONDS). An attempt is counted *before* the password
 * is checked, in one atomic increment, so a burst of parallel guesses cannot all slip in under the limit; a
 * successful sign-in then clears its address's count and takes its own attempt back off its IP's. Beyond
 * LOGIN_MAX_FAILURES_PER_EMAIL (or _PER_IP) every attempt answers 429 RATE_LIMITED with Retry-After — even with
 * the right password, and the same for addresses with and without an account, so the answer tells nothing.
 *
 * The counts live in the database (every replica shares it), or in Redis when REDIS_URL is set. Buckets are
 * SHA-256 digests (`email:<hex>`, `ip:<hex>`): addresses tried against accounts that do not exist are not kept.
 * A store that fails does not block sign-in (it is logged): the per-request rate limit still applies.
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { AppError } from '@cloudoptim/contracts';
import { LoginFailuresRepository, type Database } from '@cloudoptim/db';
import type { Clock, Logger } from '@cloudoptim/runtime';
import type { CentralConfig } from '../config.ts';

/** A bucket's count after an attempt, and how long until its window ends. */
export interface BucketCount {
  bucket: string;
  attempts: number;
  retryAfterMs: number;
}

/** Where attempts are counted. */
export interface AttemptStore {
  /** Counts one attempt in each bucket (atomically per bucket); returns the counts after it. */
  hit(buckets: readonly string[], windowMs: number): Promise<BucketCount[]>;
  /** Takes one attempt back (a sign-in that succeeded), never below zero. */
  forgive(bucket: string): Promise<void>;
  /** Forgets the bucket. */
  clear(bucket: string): Promise<void>;
  close(): Promise<void>;
}

export interface LoginLimits {
  maxPerEmail: number;
  maxPerIp: number;
  windowMs: number;
}

export function loginLimitsOf(config: Pick<CentralConfig, 'LOGIN_MAX_FAILURES_PER_EMAIL' | 'LOGIN_MAX_FAILURES_PER_IP' | 'LOGIN_FAILURE_WINDOW_SECONDS'>): LoginLimits {
  return { maxPerEmail: config.LOGIN_MAX_FAILURES_PER_EMAIL, maxPerIp: config.LOGIN_MAX_FAILURES_PER_IP, windowMs: config.LOGIN_FAILURE_WINDOW_SECONDS * 1000 };
}

const digest = (kind: 'email' | 'ip', value: string) => `${kind}:${createHash('sha256').update(value).digest('hex')}`;

export class LoginThrottle {
  constructor(
    private readonly store: AttemptStore,
    private readonly limits: LoginLimits,
    private readonly log: Logger,
  ) {}

  /**
   * Counts a sign-in attempt for `email` (already normalised) from `ip`. @throws RATE_LIMITED (details
   * `retry_after_seconds`) when either count is over its limit: the password must not be checked then.
   */
  async attempt(email: string, ip: string): Promise<void> {
    let counts: BucketCount[];
    try {
      counts = await this.store.hit([digest('email', email), digest('ip', ip)], this.limits.windowMs);
    } catch (error) {
      this.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'sign-in attempts could not be counted; the attempt is let through');
      return;
    }
    const [byEmail, byIp] = counts;
    const over = [byEmail && byEmail.attempts > this.limits.maxPerEmail ? byEmail : undefined, byIp && byIp.attempts > this.limits.maxPerIp ? byIp : undefined].filter((c) => c !== undefined);
    if (over.length === 0) return;
    // The first refusal of a window is worth a line (who is being guessed at is in the audit log of successes only).
    if (over.some((c) => c.attempts === (c === byEmail ? this.limits.maxPerEmail : this.limits.maxPerIp) + 1)) {
      this.log.warn({ ip, by: over.map((c) => (c === byEmail ? 'email' : 'ip')) }, 'sign-in throttled: too many failed attempts');
    }
    const retryAfterSeconds = Math.max(1, Math.ceil(Math.max(...over.map((c) => c.retryAfterMs)) / 1000));
    throw new AppError('RATE_LIMITED', 'too many failed sign-in attempts: try again later', { retry_after_seconds: retryAfterSeconds });
  }

  /** After a successful sign-in: the address starts over and its IP gets the attempt back. */
  async succeeded(email: string, ip: string): Promise<void> {
    try {
      await this.store.clear(digest('email', email));
      await this.store.forgive(digest('ip', ip));
    } catch (error) {
      this.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'sign-in attempts could not be reset');
    }
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

/** Counts in the `login_failures` table, on the server's clock. */
export class DbAttemptStore implements AttemptStore {
  private readonly repo: LoginFailuresRepository;

  constructor(
    db: Database,
    private readonly clock: Clock,
  ) {
    this.repo = new LoginFailuresRepository(db.db);
  }

  async hit(buckets: readonly string[], windowMs: number): Promise<BucketCount[]> {
    const now = this.clock.now();
    const rows = await this.repo.record(buckets, new Date(now), windowMs);
    return rows.map((row) => ({ bucket: row.bucket, attempts: row.failures, retryAfterMs: row.windowStartedAt.getTime() + windowMs - now }));
  }

  forgive(bucket: string): Promise<void> {
    return this.repo.forgive(bucket);
  }

  clear(bucket: string): Promise<void> {
    return this.repo.clear(bucket);
  }

  async close(): Promise<void> {}
}

const FORGIVE = "local v = tonumber(redis.call('GET', KEYS[1]) or '0') if v > 0 then return redis.call('DECR', KEYS[1]) end return 0";

/** Counts in Redis keys that expire with their window (Redis's clock). */
export class RedisAttemptStore implements AttemptStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'cloudoptim:login:',
  ) {}

  static open(url: string, prefix?: string): RedisAttemptStore {
    // A Redis that does not answer must not hold sign-ins: commands time out and the throttle lets them through.
    return new RedisAttemptStore(new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 2000 }), prefix);
  }

  async hit(buckets: readonly string[], windowMs: number): Promise<BucketCount[]> {
    const tx = this.redis.multi();
    for (const bucket of buckets) {
      const key = this.prefix + bucket;
      tx.set(key, '0', 'PX', windowMs, 'NX').incr(key).pttl(key);
    }
    const results = (await tx.exec()) ?? [];
    return buckets.map((bucket, i) => {
      const [incrError, attempts] = results[i * 3 + 1] ?? [];
      const [, pttl] = results[i * 3 + 2] ?? [];
      if (incrError) throw incrError;
      return { bucket, attempts: Number(attempts), retryAfterMs: Math.max(0, Number(pttl)) };
    });
  }

  async forgive(bucket: string): Promise<void> {
    await this.redis.eval(FORGIVE, 1, this.prefix + bucket);
  }

  async clear(bucket: string): Promise<void> {
    await this.redis.del(this.prefix + bucket);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

/** The throttle of central's config: Redis with REDIS_URL, else the database. */
export function createLoginThrottle(deps: { db: Database; clock: Clock; log: Logger; config: CentralConfig }): LoginThrottle {
  const store = deps.config.REDIS_URL ? RedisAttemptStore.open(deps.config.REDIS_URL) : new DbAttemptStore(deps.db, deps.clock);
  return new LoginThrottle(store, loginLimitsOf(deps.config), deps.log);
}
