/**
 * Agent API keys: one working key per cluster, 32 random bytes (`coa_…`), shown once when issued and stored only
 * as a hash. Rotation issues a new key and revokes the old ones, at once or after a grace period so an agent
 * can be switched over without a gap.
 */
import { AppError } from '@cloudoptim/contracts';
import { AgentKeysRepository, type AgentKey, type Database, type DbScope } from '@cloudoptim/db';
import type { Clock } from '@cloudoptim/runtime';
import type { Authenticator } from './authenticator.ts';
import { newToken } from './tokens.ts';

export interface IssuedAgentKey {
  /** The key itself: returned once, never again. */
  apiKey: string;
  key: AgentKey;
}

/** Longest grace period of a rotated key. */
export const MAX_ROTATION_GRACE_SECONDS = 24 * 3600;

export class AgentKeysService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly auth: Authenticator,
  ) {}

  /** Issues a key for the cluster, inside `scope` when given (cluster registration's transaction). */
  async issue(customerId: string, clusterId: string, scope: DbScope = this.db): Promise<IssuedAgentKey> {
    const { token, hash, prefix } = newToken('agent');
    const key = await new AgentKeysRepository(scope.db).create(customerId, { clusterId, keyHash: hash, prefix, createdAt: new Date(this.clock.now()) });
    return { apiKey: token, key };
  }

  /** A new key; the cluster's other keys stop working after `graceSeconds` (0: now). Returns them as revoked. */
  async rotate(customerId: string, clusterId: string, graceSeconds = 0): Promise<IssuedAgentKey & { revoked: AgentKey[] }> {
    const until = new Date(this.clock.now() + Math.min(graceSeconds, MAX_ROTATION_GRACE_SECONDS) * 1000);
    const result = await this.db.transaction(async (scope) => {
      const revoked = await new AgentKeysRepository(scope.db).revokeAll(customerId, clusterId, until);
      return { ...(await this.issue(customerId, clusterId, scope)), revoked };
    });
    this.auth.forgetClusterKeys(clusterId);
    return result;
  }

  /** Revokes one key now. @throws NOT_FOUND when it is not one of the cluster's keys. */
  async revoke(customerId: string, clusterId: string, keyId: string): Promise<AgentKey> {
    const key = await new AgentKeysRepository(this.db.db).revoke(customerId, clusterId, keyId, new Date(this.clock.now()));
    if (!key) throw new AppError('NOT_FOUND', `agent key ${keyId} not found`, { id: keyId });
    this.auth.forgetClusterKeys(clusterId);
    return key;
  }

  list(customerId: string, clusterId: string): Promise<AgentKey[]> {
    return new AgentKeysRepository(this.db.db).list(customerId, clusterId);
  }
}
