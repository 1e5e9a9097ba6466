import { and, eq, sql } from 'drizzle-orm';
import type { DrizzleDb } from '../database.ts';
import { withDbErrors } from '../db-errors.ts';
import { clusterSettings, clusters } from '../schema.ts';
import { found, isUuid, requireUuid } from './repository-helpers.ts';

/**
 * A cluster's stored settings: only the keys changed from the defaults (the application owns the defaults and
 * the schema). A cluster without a row has version 1 and no changes.
 */
export interface ClusterSettingsRecord {
  clusterId: string;
  customerId: string;
  settings: Record<string, unknown>;
  version: number;
  updatedAt: Date;
}

function toRecord(row: typeof clusterSettings.$inferSelect): ClusterSettingsRecord {
  return { clusterId: row.clusterId, customerId: row.customerId, settings: row.settings, version: row.version, updatedAt: row.updatedAt };
}

/**
 * Cluster settings, scoped by customer. Errors are AppErrors: NOT_FOUND (the cluster is not the customer's),
 * VALIDATION_FAILED (bad ids).
 */
export class ClusterSettingsRepository {
  constructor(private readonly db: DrizzleDb) {}

  /**
   * The cluster's stored settings (no row yet: no changes, version 1, as of the cluster's creation), or null when
   * the cluster is not the customer's. One query.
   */
  async find(customerId: string, clusterId: string): Promise<ClusterSettingsRecord | null> {
    if (!isUuid(customerId) || !isUuid(clusterId)) return null;
    return withDbErrors('find cluster settings', async () => {
      const [row] = await this.db
        .select({ createdAt: clusters.createdAt, stored: clusterSettings })
        .from(clusters)
        .leftJoin(clusterSettings, eq(clusterSettings.clusterId, clusters.id))
        .where(and(eq(clusters.customerId, customerId), eq(clusters.id, clusterId)));
      if (!row) return null;
      return row.stored ? toRecord(row.stored) : { clusterId, customerId, settings: {}, version: 1, updatedAt: row.createdAt };
    });
  }

  /**
   * Merges `changes` over the stored keys (top level: a key in `changes` replaces the stored value) and bumps the
   * version by one, atomically, so concurrent patches of different keys both survive and each gets its own version.
   */
  async merge(customerId: string, clusterId: string, changes: Record<string, unknown>, at: Date): Promise<ClusterSettingsRecord> {
    requireUuid(customerId, 'customer_id');
    requireUuid(clusterId, 'cluster_id');
    return withDbErrors('update cluster settings', async () => {
      const [row] = await this.db
        .insert(clusterSettings)
        .values({ clusterId, customerId, settings: changes, version: 2, updatedAt: at })
        .onConflictDoUpdate({
          target: clusterSettings.clusterId,
          set: { settings: sql`${clusterSettings.settings} || excluded.settings`, version: sql`${clusterSettings.version} + 1`, updatedAt: at },
          setWhere: eq(clusterSettings.customerId, customerId),
        })
        .returning();
      return toRecord(found(row ?? null, 'cluster', clusterId));
    });
  }
}
