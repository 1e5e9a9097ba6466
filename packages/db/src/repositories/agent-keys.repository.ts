import { and, desc, eq, gt, isNull, lt, or } from 'drizzle-orm';
import type { DrizzleDb } from '../database.ts';
import { withDbErrors } from '../db-errors.ts';
import { agentKeys } from '../schema.ts';
import { isUuid, requireUuid } from './repository-helpers.ts';

/** A cluster's agent API key as stored: never the key, only its display prefix. */
export interface AgentKey {
  id: string;
  customerId: string;
  clusterId: string;
  /** The key's first characters ("coa_Ab12Cd34"). */
  prefix: string;
  createdAt: Date;
  /** When the key stops (or stopped) working; null = until revoked. */
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

export interface NewAgentKey {
  clusterId: string;
  /** Hex SHA-256 of the key. */
  keyHash: string;
  prefix: string;
  createdAt: Date;
}

/** True when the key works at `now` (not revoked, or its revocation is scheduled later). */
export function isAgentKeyActive(key: Pick<AgentKey, 'revokedAt'>, now: Date): boolean {
  return key.revokedAt === null || key.revokedAt.getTime() > now.getTime();
}

function toAgentKey(row: typeof agentKeys.$inferSelect): AgentKey {
  return { id: row.id, customerId: row.customerId, clusterId: row.clusterId, prefix: row.prefix, createdAt: row.createdAt, revokedAt: row.revokedAt, lastUsedAt: row.lastUsedAt };
}

/**
 * Agent API keys, scoped by customer and cluster; only `findByHash` (authentication) is global.
 * Errors are AppErrors: NOT_FOUND (the cluster is not the customer's), CONFLICT (hash collision), VALIDATION_FAILED.
 */
export class AgentKeysRepository {
  constructor(private readonly db: DrizzleDb) {}

  async create(customerId: string, input: NewAgentKey): Promise<AgentKey> {
    requireUuid(customerId, 'customer_id');
    requireUuid(input.clusterId, 'cluster_id');
    return withDbErrors('create agent key', async () => {
      const [row] = await this.db.insert(agentKeys).values({ customerId, ...input }).returning();
      return toAgentKey(row!);
    });
  }

  /** The key with that hash (active or not), or null. One lookup on a unique index. */
  async findByHash(keyHash: string): Promise<AgentKey | null> {
    return withDbErrors('find agent key', async () => {
      const [row] = await this.db.select().from(agentKeys).where(eq(agentKeys.keyHash, keyHash));
      return row ? toAgentKey(row) : null;
    });
  }

  /** The cluster's keys, newest first. */
  async list(customerId: string, clusterId: string): Promise<AgentKey[]> {
    if (!isUuid(customerId) || !isUuid(clusterId)) return [];
    return withDbErrors('list agent keys', async () => {
      const rows = await this.db
        .select()
        .from(agentKeys)
        .where(and(eq(agentKeys.customerId, customerId), eq(agentKeys.clusterId, clusterId)))
        .orderBy(desc(agentKeys.createdAt), desc(agentKeys.id));
      return rows.map(toAgentKey);
    });
  }

  /**
   * Makes the key stop working at `at` (a later scheduled revocation is brought forward, an earlier one kept).
   * Returns the key, or null when it is not one of the cluster's.
   */
  async revoke(customerId: string, clusterId: string, keyId: string, at: Date): Promise<AgentKey | null> {
    if (!isUuid(customerId) || !isUuid(clusterId) || !isUuid(keyId)) return null;
    return withDbErrors('revoke agent key', async () => {
      const scope = and(eq(agentKeys.customerId, customerId), eq(agentKeys.clusterId, clusterId), eq(agentKeys.id, keyId));
      const [row] = await this.db
        .update(agentKeys)
        .set({ revokedAt: at })
        .where(and(scope, or(isNull(agentKeys.revokedAt), gt(agentKeys.revokedAt, at))))
        .returning();
      if (row) return toAgentKey(row);
      const [unchanged] = await this.db.select().from(agentKeys).where(scope);
      return unchanged ? toAgentKey(unchanged) : null;
    });
  }

  /** Schedules every key of the cluster still working after `until` to stop at `until` (rotation); returns them. */
  async revokeAll(customerId: string, clusterId: string, until: Date): Promise<AgentKey[]> {
    if (!isUuid(customerId) || !isUuid(clusterId)) return [];
    return withDbErrors('revoke agent keys', async () => {
      const rows = await this.db
        .update(agentKeys)
        .set({ revokedAt: until })
        .where(and(eq(agentKeys.customerId, customerId), eq(agentKeys.clusterId, clusterId), or(isNull(agentKeys.revokedAt), gt(agentKeys.revokedAt, until))))
        .returning();
      return rows.map(toAgentKey);
    });
  }

  /** Records use of the key unless it was recorded after `notAfter` (at most one write per interval). */
  async touch(keyId: string, at: Date, notAfter: Date): Promise<void> {
    if (!isUuid(keyId)) return;
    await withDbErrors('touch agent key', () =>
      this.db
        .update(agentKeys)
        .set({ lastUsedAt: at })
        .where(and(eq(agentKeys.id, keyId), or(isNull(agentKeys.lastUsedAt), lt(agentKeys.lastUsedAt, notAfter)))),
    );
  }
}
