import type { AgentPrincipal, UserPrincipal } from './principal.ts';

/** The credentials of a request, as the HTTP layer sees them. */
export interface RequestCredentials {
  /** The `Authorization` header, if any. */
  authorization: string | undefined;
  /** The session cookie's value, if any. */
  sessionCookie: string | undefined;
}

/**
 * Resolves credentials to a principal. Implementations throw AppError UNAUTHENTICATED for credentials that are
 * present but invalid (expired, revoked, unknown) and return undefined when there are none of their kind.
 * They may cache answers briefly; the `forget…` calls make a revocation take effect at once on this replica.
 */
export interface Authenticator {
  user(credentials: RequestCredentials): Promise<UserPrincipal | undefined>;
  agent(credentials: RequestCredentials): Promise<AgentPrincipal | undefined>;
  /** Drops what is cached for the session (after logout or revocation). */
  forgetSession(sessionId: string): void;
  /** Drops what is cached for the cluster's agent keys (after a revocation, a rotation or deleting the cluster). */
  forgetClusterKeys(clusterId: string): void;
}
