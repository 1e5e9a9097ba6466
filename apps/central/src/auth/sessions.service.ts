/**
 * Sign-in and sessions: a login checks the password (argon2id) and starts a session whose token is returned once;
 * the database keeps only the token's hash. Sessions end at their expiry (SESSION_TTL_SECONDS after login) or
 * at logout.
 */
import { AppError } from '@cloudoptim/contracts';
import { SessionsRepository, UsersRepository, type Database, type Session, type User } from '@cloudoptim/db';
import type { Clock } from '@cloudoptim/runtime';
import type { Authenticator } from './authenticator.ts';
import { verifyAgainstNothing, verifyPassword } from './passwords.ts';
import { newToken } from './tokens.ts';

export interface StartedSession {
  /** The bearer token (`cos_…`): shown to the client once, never stored. */
  token: string;
  session: Session;
}

export class SessionsService {
  private readonly users: UsersRepository;
  private readonly sessions: SessionsRepository;

  constructor(
    db: Database,
    private readonly clock: Clock,
    private readonly auth: Authenticator,
    private readonly ttlSeconds: number,
  ) {
    this.users = new UsersRepository(db.db);
    this.sessions = new SessionsRepository(db.db);
  }

  /** A new session for the user (no password check: for login and for test fixtures). */
  async start(userId: string): Promise<StartedSession> {
    const now = this.clock.now();
    const { token, hash } = newToken('session');
    const session = await this.sessions.create({ userId, tokenHash: hash, createdAt: new Date(now), expiresAt: new Date(now + this.ttlSeconds * 1000) });
    return { token, session };
  }

  /**
   * Checks e-mail and password and starts a session. Unknown e-mail, wrong password and disabled account all fail
   * the same way (UNAUTHENTICATED, same message, about the same time), so the answer reveals no accounts.
   */
  async login(email: string, password: string): Promise<StartedSession & { user: User }> {
    const found = await this.users.findCredentials(email);
    const ok = found ? await verifyPassword(found.passwordHash, password) : await verifyAgainstNothing(password);
    if (!found || !ok || found.user.disabledAt !== null) throw new AppError('UNAUTHENTICATED', 'wrong e-mail or password');
    const started = await this.start(found.user.id);
    await this.users.recordLogin(found.user.id, started.session.createdAt);
    return { ...started, user: { ...found.user, lastLoginAt: started.session.createdAt } };
  }

  /** Ends the session at once (idempotent). */
  async logout(sessionId: string): Promise<void> {
    await this.sessions.revoke(sessionId, new Date(this.clock.now()));
    this.auth.forgetSession(sessionId);
  }
}
