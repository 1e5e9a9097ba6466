/**
 * Authentication against the database: session tokens (bearer `cos_…` or the session cookie) for people, agent
 * keys (bearer `coa_…`) for agents. It runs on every request, so a hit costs one indexed lookup by token hash,
 * and answers are cached per token hash (failed lookups are not cached). Sessions are cached for a few seconds.
 * Agent keys, which every agent presents every few seconds, are cached for a minute: a revocation applies at once
 * on the replica that made it (`forgetClusterKeys`) and, when the authenticator was started with `start()`, on
 * every other replica as soon as the NOTIFY on {@link AUTH_CHANNEL} arrives — the cache time only bounds how long
 * a lost notification (a dropped LISTEN connection) can leave a revoked key working there. A logout
 * (`forgetSession`) travels the same way.
 */
import { AppError } from '@cloudoptim/contracts';
import { AgentKeysRepository, SessionsRepository, isAgentKeyActive, type Database } from '@cloudoptim/db';
import type { Clock, Logger } from '@cloudoptim/runtime';
import type { Authenticator, RequestCredentials } from './authenticator.ts';
import type { AgentPrincipal, UserPrincipal } from './principal.ts';
import { bearerToken, hashToken, tokenKind } from './tokens.ts';

/**
 * The channel on which replicas tell each other what to forget: a cluster's agent keys (payload: the cluster id)
 * or a session (payload: `session:<session id>`).
 */
export const AUTH_CHANNEL = 'cloudoptim_auth_forget';
const SESSION_PAYLOAD = 'session:';

export interface DbAuthenticatorOptions {
  /** How long a successful session lookup is reused — and an agent key's, unless `agentCacheTtlMs` is set (default 5 s). */
  cacheTtlMs?: number;
  /** How long a successful agent key lookup is reused (default: `cacheTtlMs` when set, else 60 s). */
  agentCacheTtlMs?: number;
  /** Least time between two writes of last_seen_at / last_used_at for one credential (default 60 s). */
  touchIntervalMs?: number;
  /** Where a failed cross-replica notification is reported. */
  log?: Logger;
}

interface Cached<P> {
  principal: P;
  /** When the credential itself stops working (session expiry, scheduled key revocation); null: never. */
  validUntil: number | null;
  cachedUntil: number;
}

/** Beyond this many entries the cache starts over (bounds memory against floods of distinct valid tokens). */
const MAX_CACHE_ENTRIES = 20_000;

const invalid = (what: string) => new AppError('UNAUTHENTICATED', `${what} is not valid (unknown, expired or revoked)`);

export class DbAuthenticator implements Authenticator {
  private readonly sessionsRepo: SessionsRepository;
  private readonly keysRepo: AgentKeysRepository;
  private readonly users = new Map<string, Cached<UserPrincipal>>();
  private readonly agents = new Map<string, Cached<AgentPrincipal>>();
  private readonly cacheTtlMs: number;
  private readonly agentCacheTtlMs: number;
  private readonly touchIntervalMs: number;
  private listening = false;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly options: DbAuthenticatorOptions = {},
  ) {
    this.sessionsRepo = new SessionsRepository(db.db);
    this.keysRepo = new AgentKeysRepository(db.db);
    this.cacheTtlMs = options.cacheTtlMs ?? 5_000;
    this.agentCacheTtlMs = options.agentCacheTtlMs ?? options.cacheTtlMs ?? 60_000;
    this.touchIntervalMs = options.touchIntervalMs ?? 60_000;
  }

  /**
   * An authenticator that also hears the other replicas' `forgetClusterKeys` (LISTEN on {@link AUTH_CHANNEL}) and
   * tells them its own. The LISTEN ends when the database closes.
   */
  static async start(db: Database, clock: Clock, options: DbAuthenticatorOptions = {}): Promise<DbAuthenticator> {
    const auth = new DbAuthenticator(db, clock, options);
    await db.listen(
      AUTH_CHANNEL,
      (payload) => {
        if (payload.startsWith(SESSION_PAYLOAD)) auth.dropSession(payload.slice(SESSION_PAYLOAD.length));
        else auth.dropClusterKeys(payload);
      },
      // A revocation sent while the LISTEN was down is lost: forget every cached credential instead.
      () => {
        auth.users.clear();
        auth.agents.clear();
      },
    );
    auth.listening = true;
    return auth;
  }

  async user(credentials: RequestCredentials): Promise<UserPrincipal | undefined> {
    const bearer = this.bearer(credentials);
    const token = bearer ?? credentials.sessionCookie;
    if (token === undefined) return undefined;
    const kind = tokenKind(token);
    // An agent key is a credential, just not a person's: the route then answers "sign in first".
    if (bearer !== undefined && kind === 'agent') return undefined;
    if (kind !== 'session') throw invalid('the session token');
    const hash = hashToken(token);
    const now = this.clock.now();
    const hit = fresh(this.users.get(hash), now);
    if (hit) return hit;
    const found = await this.sessionsRepo.findByTokenHash(hash);
    if (!found || found.session.revokedAt !== null || found.session.expiresAt.getTime() <= now || found.user.disabledAt !== null) {
      this.users.delete(hash);
      throw invalid('the session token');
    }
    const { session, user } = found;
    const principal: UserPrincipal = { kind: 'user', userId: user.id, email: user.email, role: user.role, customerId: user.customerId, sessionId: session.id };
    if (this.due(session.lastSeenAt, now)) await this.sessionsRepo.touch(session.id, new Date(now), new Date(now - this.touchIntervalMs));
    remember(this.users, hash, { principal, validUntil: session.expiresAt.getTime(), cachedUntil: now + this.cacheTtlMs });
    return principal;
  }

  async agent(credentials: RequestCredentials): Promise<AgentPrincipal | undefined> {
    const token = this.bearer(credentials);
    if (token === undefined) return undefined;
    if (tokenKind(token) !== 'agent') throw invalid('the agent API key');
    const hash = hashToken(token);
    const now = this.clock.now();
    const hit = fresh(this.agents.get(hash), now);
    if (hit) return hit;
    const key = await this.keysRepo.findByHash(hash);
    if (!key || !isAgentKeyActive(key, new Date(now))) {
      this.agents.delete(hash);
      throw invalid('the agent API key');
    }
    const principal: AgentPrincipal = { kind: 'agent', clusterId: key.clusterId, customerId: key.customerId, keyId: key.id };
    if (this.due(key.lastUsedAt, now)) await this.keysRepo.touch(key.id, new Date(now), new Date(now - this.touchIntervalMs));
    remember(this.agents, hash, { principal, validUntil: key.revokedAt?.getTime() ?? null, cachedUntil: now + this.agentCacheTtlMs });
    return principal;
  }

  forgetSession(sessionId: string): void {
    this.dropSession(sessionId);
    // A logout must end the session on every replica, not after their cache time.
    this.tellOthers(`${SESSION_PAYLOAD}${sessionId}`, { sessionId }, 'could not tell other replicas to forget a session');
  }

  forgetClusterKeys(clusterId: string): void {
    this.dropClusterKeys(clusterId);
    this.tellOthers(clusterId, { clusterId }, 'could not tell other replicas to forget agent keys');
  }

  /** A hint: should it be lost, the other replicas' cache time bounds how long they accept what was revoked. */
  private tellOthers(payload: string, context: Record<string, string>, failure: string): void {
    if (!this.listening) return;
    this.db.notify(AUTH_CHANNEL, payload).catch((error: unknown) => {
      this.options.log?.warn({ ...context, err: error instanceof Error ? error.message : String(error) }, failure);
    });
  }

  private dropSession(sessionId: string): void {
    for (const [hash, entry] of this.users) if (entry.principal.sessionId === sessionId) this.users.delete(hash);
  }

  /** The bearer token, undefined without an Authorization header; any other scheme is rejected. */
  private bearer(credentials: RequestCredentials): string | undefined {
    if (credentials.authorization === undefined) return undefined;
    const token = bearerToken(credentials.authorization);
    if (token === undefined) throw new AppError('UNAUTHENTICATED', 'the Authorization header must be "Bearer <token>"');
    return token;
  }

  private dropClusterKeys(clusterId: string): void {
    for (const [hash, entry] of this.agents) if (entry.principal.clusterId === clusterId) this.agents.delete(hash);
  }

  private due(lastAt: Date | null, now: number): boolean {
    return lastAt === null || lastAt.getTime() < now - this.touchIntervalMs;
  }
}

function fresh<P>(entry: Cached<P> | undefined, now: number): P | undefined {
  if (!entry || entry.cachedUntil <= now || (entry.validUntil !== null && entry.validUntil <= now)) return undefined;
  return entry.principal;
}

function remember<P>(cache: Map<string, Cached<P>>, hash: string, entry: Cached<P>): void {
  if (cache.size >= MAX_CACHE_ENTRIES) cache.clear();
  cache.set(hash, entry);
}
