import { and, eq, gt, lte, sql } from 'drizzle-orm';
import type { DrizzleDb } from '../database.ts';
import { withDbErrors } from '../db-errors.ts';
import { loginFailures } from '../schema.ts';

/** The failures of one bucket in its current window. */
export interface LoginFailureCount {
  bucket: string;
  failures: number;
  windowStartedAt: Date;
}

/**
 * Failed sign-ins per bucket (`email:<sha256 hex>` or `ip:<sha256 hex>`), in fixed windows that start at a
 * bucket's first failure. Times come from the caller's clock. Not customer data: no customer scope (a sign-in
 * happens before anyone is known).
 */
export class LoginFailuresRepository {
  constructor(private readonly db: DrizzleDb) {}

  /**
   * Counts one failure in each bucket (one statement per bucket, atomic under concurrent replicas): a bucket
   * whose window ended at `now` starts a new one. Returns the counts after the increment. Callers that count an
   * attempt before knowing its outcome take it back with {@link forgive}.
   */
  async record(buckets: readonly string[], now: Date, windowMs: number): Promise<LoginFailureCount[]> {
    const windowStart = new Date(now.getTime() - windowMs);
    return withDbErrors('record login failure', async () => {
      const out: LoginFailureCount[] = [];
      for (const bucket of buckets) {
        const ended = sql`${loginFailures.windowStartedAt} <= ${windowStart}`;
        const [row] = await this.db
          .insert(loginFailures)
          .values({ bucket, failures: 1, windowStartedAt: now, lastFailureAt: now })
          .onConflictDoUpdate({
            target: loginFailures.bucket,
            set: {
              failures: sql`CASE WHEN ${ended} THEN 1 ELSE ${loginFailures.failures} + 1 END`,
              windowStartedAt: sql`CASE WHEN ${ended} THEN excluded.window_started_at ELSE ${loginFailures.windowStartedAt} END`,
              lastFailureAt: now,
            },
          })
          .returning();
        out.push({ bucket: row!.bucket, failures: row!.failures, windowStartedAt: row!.windowStartedAt });
      }
      return out;
    });
  }

  /** Takes one back off the bucket (a sign-in counted before its check that then succeeded), never below zero. */
  async forgive(bucket: string): Promise<void> {
    await withDbErrors('forgive login failure', async () => {
      await this.db.delete(loginFailures).where(and(eq(loginFailures.bucket, bucket), lte(loginFailures.failures, 1)));
      await this.db
        .update(loginFailures)
        .set({ failures: sql`${loginFailures.failures} - 1` })
        .where(and(eq(loginFailures.bucket, bucket), gt(loginFailures.failures, 1)));
    });
  }

  /** Forgets a bucket (a successful sign-in clears its account's count). */
  async clear(bucket: string): Promise<void> {
    await withDbErrors('clear login failures', () => this.db.delete(loginFailures).where(eq(loginFailures.bucket, bucket)));
  }

  /** Deletes the buckets whose window started at or before `cutoff` (ended ones); returns how many. */
  async deleteStartedBefore(cutoff: Date): Promise<number> {
    return withDbErrors('purge login failures', async () => {
      const rows = await this.db.delete(loginFailures).where(lte(loginFailures.windowStartedAt, cutoff)).returning({ bucket: loginFailures.bucket });
      return rows.length;
    });
  }
}
