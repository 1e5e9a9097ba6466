import { and, eq, inArray, isNull, lt, lte, or } from 'drizzle-orm';
import type { DrizzleDb } from '../database.ts';
import { withDbErrors } from '../db-errors.ts';
import { sessions, users } from '../schema.ts';
import { isUuid, requireUuid } from './repository-helpers.ts';
import { toUser, type User } from './users.repository.ts';

/** A login session (the token itself is never stored, only its hash). */
export interface Session {
  id: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  lastSeenAt: Date | null;
}

export interface NewSession {
  userId: string;
  /** Hex SHA-256 of the session token. */
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
}

/** A session with its user, as one lookup by token hash returns them. */
export interface SessionWithUser {
  session: Session;
  user: User;
}

function toSession(row: typeof sessions.$inferSelect): Session {
  return { id: row.id, userId: row.userId, createdAt: row.createdAt, expiresAt: row.expiresAt, revokedAt: row.revokedAt, lastSeenAt: row.lastSeenAt };
}

/**
 * Sessions. Lookups are by token hash (the caller decides validity against its clock: expiry, revocation,
 * a disabled user). Errors are AppErrors: NOT_FOUND (unknown user), CONFLICT (hash collision), VALIDATION_FAILED.
 */
export class SessionsRepository {
  constructor(private readonly db: DrizzleDb) {}

  async create(input: NewSession): Promise<Session> {
    requireUuid(input.userId, 'user_id');
    return withDbErrors('create session', async () => {
      const [row] = await this.db.insert(sessions).values(input).returning();
      return toSession(row!);
    });
  }

  /** The session with that token hash and its user in one indexed query, or null (valid or not). */
  async findByTokenHash(tokenHash: string): Promise<SessionWithUser | null> {
    return withDbErrors('find session', async () => {
      const [row] = await this.db.select().from(sessions).innerJoin(users, eq(users.id, sessions.userId)).where(eq(sessions.tokenHash, tokenHash));
      return row ? { session: toSession(row.sessions), user: toUser(row.users) } : null;
    });
  }

  /** Revokes the session (no-op when already revoked); returns whether it was active. */
  async revoke(sessionId: string, at: Date): Promise<boolean> {
    if (!isUuid(sessionId)) return false;
    return withDbErrors('revoke session', async () => {
      const rows = await this.db
        .update(sessions)
        .set({ revokedAt: at })
        .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
        .returning({ id: sessions.id });
      return rows.length > 0;
    });
  }

  /** Records use of the session unless it was recorded after `notAfter` (so at most one write per interval). */
  async touch(sessionId: string, at: Date, notAfter: Date): Promise<void> {
    if (!isUuid(sessionId)) return;
    await withDbErrors('touch session', () =>
      this.db
        .update(sessions)
        .set({ lastSeenAt: at })
        .where(and(eq(sessions.id, sessionId), or(isNull(sessions.lastSeenAt), lt(sessions.lastSeenAt, notAfter)))),
    );
  }

  /**
   * Deletes up to `limit` sessions that ended at or before `now` (expired or revoked); returns how many. Their
   * tokens no longer work either way: this only keeps the table (and its token hashes) from growing forever.
   */
  async deleteEnded(now: Date, limit: number): Promise<number> {
    return withDbErrors('purge sessions', async () => {
      const ended = this.db
        .select({ id: sessions.id })
        .from(sessions)
        .where(or(lte(sessions.expiresAt, now), lte(sessions.revokedAt, now)))
        .limit(limit);
      const rows = await this.db.delete(sessions).where(inArray(sessions.id, ended)).returning({ id: sessions.id });
      return rows.length;
    });
  }
}
