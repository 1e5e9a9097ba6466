import { and, eq, lte, or, sql } from 'drizzle-orm';
import type { DrizzleDb } from '../database.ts';
import { withDbErrors } from '../db-errors.ts';
import { workerLeases } from '../schema.ts';

/** A held lease on a singleton worker. */
export interface WorkerLease {
  name: string;
  owner: string;
  expiresAt: Date;
  /** When `owner` took the lease (kept across renewals). */
  acquiredAt: Date;
}

/**
 * Leases for singleton background workers across replicas. Times come from the caller's clock, so every replica
 * must use the same time source (wall clock in production). Not customer data: no customer scope.
 */
export class WorkerLeasesRepository {
  constructor(private readonly db: DrizzleDb) {}

  /**
   * Takes the lease on `name` for `owner` until `now + ttlMs`, or renews it when `owner` holds it already. One
   * atomic statement: of replicas racing for a free or expired lease exactly one gets it. Returns the lease, or
   * null when another owner holds an unexpired one.
   */
  async tryAcquire(name: string, owner: string, ttlMs: number, now: Date): Promise<WorkerLease | null> {
    const expiresAt = new Date(now.getTime() + ttlMs);
    return withDbErrors('acquire worker lease', async () => {
      const [row] = await this.db
        .insert(workerLeases)
        .values({ name, owner, expiresAt, acquiredAt: now })
        .onConflictDoUpdate({
          target: workerLeases.name,
          set: {
            owner,
            expiresAt,
            acquiredAt: sql`CASE WHEN ${workerLeases.owner} = excluded.owner THEN ${workerLeases.acquiredAt} ELSE excluded.acquired_at END`,
          },
          setWhere: or(lte(workerLeases.expiresAt, now), eq(workerLeases.owner, owner)),
        })
        .returning();
      return row ? { name: row.name, owner: row.owner, expiresAt: row.expiresAt, acquiredAt: row.acquiredAt } : null;
    });
  }

  /** Gives the lease up if `owner` holds it (another replica may take it at once); returns whether it did. */
  async release(name: string, owner: string): Promise<boolean> {
    return withDbErrors('release worker lease', async () => {
      const rows = await this.db
        .delete(workerLeases)
        .where(and(eq(workerLeases.name, name), eq(workerLeases.owner, owner)))
        .returning({ name: workerLeases.name });
      return rows.length > 0;
    });
  }
}
