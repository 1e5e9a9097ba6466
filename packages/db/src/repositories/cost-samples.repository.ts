import { and, asc, desc, eq, gte, lte } from 'drizzle-orm';
import type { DrizzleDb } from '../database.ts';
import { withDbErrors } from '../db-errors.ts';
import { costSamples } from '../schema.ts';
import { isUuid, requireUuid } from './repository-helpers.ts';

/** A cluster's cost at an instant. Costs are USD per hour. */
export interface NewCostSample {
  at: Date;
  /** What the nodes cost: each node's real price (its pool's Spot price, on-demand otherwise). */
  costPerHour: number;
  /** The same capacity on on-demand. */
  baselinePerHour: number;
  spotNodes: number;
  onDemandNodes: number;
  /** Nodes whose instance type has no known price (in neither sum). */
  unpricedNodes: number;
}

/** A stored cost sample. */
export interface CostSample extends NewCostSample {
  id: string;
  customerId: string;
  clusterId: string;
}

/** Which samples {@link CostSamplesRepository.range} reads. */
export interface CostSampleRange {
  clusterId?: string;
  from: Date;
  to: Date;
}

/** Most samples one range read returns (about 11 years of hourly samples of one cluster). */
const MAX_RANGE_ROWS = 100_000;

function toSample(row: typeof costSamples.$inferSelect): CostSample {
  return {
    id: row.id,
    customerId: row.customerId,
    clusterId: row.clusterId,
    at: row.at,
    costPerHour: row.costPerHour,
    baselinePerHour: row.baselinePerHour,
    spotNodes: row.spotNodes,
    onDemandNodes: row.onDemandNodes,
    unpricedNodes: row.unpricedNodes,
  };
}

/**
 * Cost samples of clusters (the savings sampler writes, the savings routes read), scoped by customer. Recording is
 * idempotent per (cluster, at). Errors are AppErrors: NOT_FOUND (the cluster is not the customer's),
 * VALIDATION_FAILED (negative costs or counts, bad ids).
 */
export class CostSamplesRepository {
  constructor(private readonly db: DrizzleDb) {}

  /** Stores the sample unless the cluster already has one at that instant (then returns that one). */
  async record(customerId: string, clusterId: string, sample: NewCostSample): Promise<CostSample> {
    requireUuid(customerId, 'customer_id');
    requireUuid(clusterId, 'cluster_id');
    return withDbErrors('record cost sample', async () => {
      const [row] = await this.db
        .insert(costSamples)
        .values({ customerId, clusterId, ...sample })
        .onConflictDoNothing({ target: [costSamples.clusterId, costSamples.at] })
        .returning();
      if (row) return toSample(row);
      const [existing] = await this.db
        .select()
        .from(costSamples)
        .where(and(eq(costSamples.customerId, customerId), eq(costSamples.clusterId, clusterId), eq(costSamples.at, sample.at)));
      return toSample(existing!);
    });
  }

  /** The cluster's newest sample, or null. */
  async latest(customerId: string, clusterId: string): Promise<CostSample | null> {
    if (!isUuid(customerId) || !isUuid(clusterId)) return null;
    return withDbErrors('latest cost sample', async () => {
      const [row] = await this.db
        .select()
        .from(costSamples)
        .where(and(eq(costSamples.customerId, customerId), eq(costSamples.clusterId, clusterId)))
        .orderBy(desc(costSamples.at))
        .limit(1);
      return row ? toSample(row) : null;
    });
  }

  /** The customer's samples in [from, to] (of one cluster when given), by cluster then time. */
  async range(customerId: string, range: CostSampleRange): Promise<CostSample[]> {
    if (!isUuid(customerId)) return [];
    return this.select(customerId, range);
  }

  /** Every customer's samples in [from, to] (operators), by cluster then time. */
  async rangeAll(range: CostSampleRange): Promise<CostSample[]> {
    return this.select(undefined, range);
  }

  private async select(customerId: string | undefined, range: CostSampleRange): Promise<CostSample[]> {
    if (range.clusterId !== undefined && !isUuid(range.clusterId)) return [];
    return withDbErrors('list cost samples', async () => {
      const rows = await this.db
        .select()
        .from(costSamples)
        .where(
          and(
            customerId !== undefined ? eq(costSamples.customerId, customerId) : undefined,
            range.clusterId !== undefined ? eq(costSamples.clusterId, range.clusterId) : undefined,
            gte(costSamples.at, range.from),
            lte(costSamples.at, range.to),
          ),
        )
        .orderBy(asc(costSamples.clusterId), asc(costSamples.at))
        .limit(MAX_RANGE_ROWS);
      return rows.map(toSample);
    });
  }
}
