import { and, asc, desc, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { DrizzleDb } from '../database.ts';
import { withDbErrors } from '../db-errors.ts';
import { spotReplacements } from '../schema.ts';
import { isUuid, listLimit, requireUuid } from './repository-helpers.ts';

/** Where a replacement is in its life: running, swap back to Spot requested, swapped back, or gone otherwise. */
export type SpotReplacementStatus = 'active' | 'swap_planned' | 'swapped' | 'gone';

/** A replacement the spot handler launched for an interrupted Spot node. */
export interface NewSpotReplacement {
  /** The stored spot_events row id (not the EventBridge id). */
  spotEventId: string;
  instanceId: string;
  instanceType: string;
  availabilityZone: string;
  capacityType: 'spot' | 'on-demand';
  launchedAt: Date;
}

/** A stored replacement. */
export interface SpotReplacement extends NewSpotReplacement {
  id: string;
  customerId: string;
  clusterId: string;
  status: SpotReplacementStatus;
  /** The plan that swaps it back to Spot (or the recorded intent's id). */
  swapPlanId: string | null;
  swapRequestedAt: Date | null;
  swapNote: string | null;
  createdAt: Date;
  updatedAt: Date;
}

function toReplacement(row: typeof spotReplacements.$inferSelect): SpotReplacement {
  return {
    id: row.id,
    customerId: row.customerId,
    clusterId: row.clusterId,
    spotEventId: row.spotEventId,
    instanceId: row.instanceId,
    instanceType: row.instanceType,
    availabilityZone: row.availabilityZone,
    capacityType: row.capacityType,
    launchedAt: row.launchedAt,
    status: row.status,
    swapPlanId: row.swapPlanId,
    swapRequestedAt: row.swapRequestedAt,
    swapNote: row.swapNote,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/**
 * Replacements launched by the spot handler, scoped by customer (the swap-back worker's scan is the one
 * cross-customer read). Recording is idempotent per (cluster, instance). Errors are AppErrors: NOT_FOUND (the
 * cluster or the spot event does not exist for the customer), VALIDATION_FAILED (bad ids, capacity type).
 */
export class SpotReplacementsRepository {
  constructor(private readonly db: DrizzleDb) {}

  /** Stores the replacement unless the cluster already has a row for that instance (then returns that row). */
  async record(customerId: string, clusterId: string, input: NewSpotReplacement): Promise<SpotReplacement> {
    requireUuid(customerId, 'customer_id');
    requireUuid(clusterId, 'cluster_id');
    requireUuid(input.spotEventId, 'spot_event_id');
    return withDbErrors('record spot replacement', async () => {
      const [row] = await this.db
        .insert(spotReplacements)
        .values({ customerId, clusterId, ...input })
        .onConflictDoNothing({ target: [spotReplacements.clusterId, spotReplacements.instanceId] })
        .returning();
      if (row) return toReplacement(row);
      const [existing] = await this.db
        .select()
        .from(spotReplacements)
        .where(and(eq(spotReplacements.customerId, customerId), eq(spotReplacements.clusterId, clusterId), eq(spotReplacements.instanceId, input.instanceId)));
      return toReplacement(existing!);
    });
  }

  /** The customer's replacements, newest first, optionally of one cluster. */
  async list(customerId: string, options: { clusterId?: string; limit?: number } = {}): Promise<SpotReplacement[]> {
    if (!isUuid(customerId) || (options.clusterId !== undefined && !isUuid(options.clusterId))) return [];
    return withDbErrors('list spot replacements', async () => {
      const rows = await this.db
        .select()
        .from(spotReplacements)
        .where(and(eq(spotReplacements.customerId, customerId), options.clusterId ? eq(spotReplacements.clusterId, options.clusterId) : undefined))
        .orderBy(desc(spotReplacements.launchedAt), desc(spotReplacements.id))
        .limit(listLimit(options.limit));
      return rows.map(toReplacement);
    });
  }

  /**
   * On-demand replacements of every customer still running (status active) launched at or before
   * `launchedBefore` and, when `requestedBefore` is given, never swapped or last tried at or before it, oldest
   * first: the swap-back worker's candidates.
   */
  async swapCandidates(launchedBefore: Date, options: { requestedBefore?: Date; limit?: number } = {}): Promise<SpotReplacement[]> {
    return withDbErrors('list swap-back candidates', async () => {
      const rows = await this.db
        .select()
        .from(spotReplacements)
        .where(
          and(
            eq(spotReplacements.status, 'active'),
            eq(spotReplacements.capacityType, 'on-demand'),
            lte(spotReplacements.launchedAt, launchedBefore),
            options.requestedBefore ? or(isNull(spotReplacements.swapRequestedAt), lte(spotReplacements.swapRequestedAt, options.requestedBefore)) : undefined,
          ),
        )
        .orderBy(asc(spotReplacements.launchedAt), asc(spotReplacements.id))
        .limit(listLimit(options.limit));
      return rows.map(toReplacement);
    });
  }

  /** Replacements of every customer being swapped back (status swap_planned), oldest request first. */
  async swapsInProgress(limit?: number): Promise<SpotReplacement[]> {
    return withDbErrors('list swap-backs in progress', async () => {
      const rows = await this.db
        .select()
        .from(spotReplacements)
        .where(eq(spotReplacements.status, 'swap_planned'))
        .orderBy(asc(spotReplacements.swapRequestedAt), asc(spotReplacements.id))
        .limit(listLimit(limit));
      return rows.map(toReplacement);
    });
  }

  /** A swap-back that did not happen (its plan was rejected or failed): active again, `note` says why. */
  async reopen(customerId: string, id: string, note: string): Promise<SpotReplacement | null> {
    if (!isUuid(customerId) || !isUuid(id)) return null;
    return withDbErrors('reopen swap-back', async () => {
      const [row] = await this.db
        .update(spotReplacements)
        .set({ status: 'active', swapNote: note, updatedAt: sql`now()` })
        .where(and(eq(spotReplacements.customerId, customerId), eq(spotReplacements.id, id), eq(spotReplacements.status, 'swap_planned')))
        .returning();
      return row ? toReplacement(row) : null;
    });
  }

  /** Marks an active replacement as being swapped back (the plan or intent that does it); null when not active. */
  async markSwapPlanned(customerId: string, id: string, swap: { planId: string; note: string; at: Date }): Promise<SpotReplacement | null> {
    if (!isUuid(customerId) || !isUuid(id)) return null;
    return withDbErrors('mark swap-back planned', async () => {
      const [row] = await this.db
        .update(spotReplacements)
        .set({ status: 'swap_planned', swapPlanId: swap.planId, swapNote: swap.note, swapRequestedAt: swap.at, updatedAt: sql`now()` })
        .where(and(eq(spotReplacements.customerId, customerId), eq(spotReplacements.id, id), eq(spotReplacements.status, 'active')))
        .returning();
      return row ? toReplacement(row) : null;
    });
  }

  /**
   * The instance went away: a replacement being swapped back becomes `swapped`, an active one `gone`. Returns the
   * updated row, or null when the instance is no live replacement of the cluster.
   */
  async markTerminated(customerId: string, clusterId: string, instanceId: string): Promise<SpotReplacement | null> {
    if (!isUuid(customerId) || !isUuid(clusterId)) return null;
    return withDbErrors('mark replacement terminated', async () => {
      const [row] = await this.db
        .update(spotReplacements)
        .set({ status: sql`CASE WHEN ${spotReplacements.status} = 'swap_planned' THEN 'swapped' ELSE 'gone' END`, updatedAt: sql`now()` })
        .where(
          and(
            eq(spotReplacements.customerId, customerId),
            eq(spotReplacements.clusterId, clusterId),
            eq(spotReplacements.instanceId, instanceId),
            inArray(spotReplacements.status, ['active', 'swap_planned']),
          ),
        )
        .returning();
      return row ? toReplacement(row) : null;
    });
  }
}
