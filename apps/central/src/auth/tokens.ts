/**
 * Bearer secrets: session tokens (`cos_…`) and agent API keys (`coa_…`), each 32 random bytes in base64url after
 * its prefix. Only the SHA-256 of a secret is stored; with 256 bits of entropy a fast hash cannot be brute-forced,
 * and lookups stay one equality on a unique index (no timing-sensitive comparison in application code).
 */
import { createHash, randomBytes } from 'node:crypto';

export const SESSION_TOKEN_PREFIX = 'cos_';
export const AGENT_KEY_PREFIX = 'coa_';
/** Characters of an agent key kept for display ("coa_" + 8). */
const DISPLAY_PREFIX_LENGTH = 12;
const TOKEN = /^co[sa]_[A-Za-z0-9_-]{43}$/;

export type TokenKind = 'session' | 'agent';

/** A new secret of that kind, with its hash (to store) and display prefix. */
export function newToken(kind: TokenKind): { token: string; hash: string; prefix: string } {
  const token = `${kind === 'session' ? SESSION_TOKEN_PREFIX : AGENT_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token), prefix: token.slice(0, DISPLAY_PREFIX_LENGTH) };
}

/** Hex SHA-256 of the token, as stored. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The kind of a well-formed token, or undefined for anything else (a wrong prefix, length or alphabet). */
export function tokenKind(token: string): TokenKind | undefined {
  if (!TOKEN.test(token)) return undefined;
  return token.startsWith(SESSION_TOKEN_PREFIX) ? 'session' : 'agent';
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1];
}
