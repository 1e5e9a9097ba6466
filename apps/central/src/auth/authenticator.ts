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
 */
export interface Authenticator {
  user(credentials: RequestCredentials): Promise<UserPrincipal | undefined>;
  agent(credentials: RequestCredentials): Promise<AgentPrincipal | undefined>;
}
