import { and, desc, eq, sql } from 'drizzle-orm';
import type { DrizzleDb } from '../database.ts';
import { withDbErrors } from '../db-errors.ts';
import { optimizationHistory, plans, savingsLedger } from '../schema.ts';
import { found, isUuid, listLimit, requireUuid } from './repository-helpers.ts';

/** One measurement of a plan's savings, USD per month. */
export interface SavingsMeasurement {
  id: string;
  planId: string;
  customerId: string;
  clusterId: string;
  /** The plan's estimate at the time of the measurement. */
  predictedMonthly: number;
  actualMonthly: number;
  measuredAt: Date;
  /** How it was measured (window, cost before/after …). */
  details: Record<string, unknown>;
  createdAt: Date;
}

/** Input of {@link SavingsLedgerRepository.record}. */
export interface NewSavingsMeasurement {
  planId: string;
  actualMonthly: number;
  measuredAt: Date;
  details?: Record<string, unknown>;
}

function toMeasurement(row: typeof savingsLedger.$inferSelect): SavingsMeasurement {
  return {
    id: row.id,
    planId: row.planId,
    customerId: row.customerId,
    clusterId: row.clusterId,
    predictedMonthly: row.predictedMonthly,
    actualMonthly: row.actualMonthly,
    measuredAt: row.measuredAt,
    details: row.details,
    createdAt: row.createdAt,
  };
}

/**
 * The ledger of predicted vs actual savings per plan, scoped by customer. Recording a measurement also sets the
 * plan's `actual_savings_monthly` (and the optimization_history row's `actual_savings`) to it, in one
 * transaction. Errors: NOT_FOUND (the plan is not the customer's), VALIDATION_FAILED (bad ids or amounts).
 */
export class SavingsLedgerRepository {
  constructor(private readonly db: DrizzleDb) {}

  /** Stores a measurement of the customer's plan, copying the plan's estimate as `predictedMonthly`. */
  async record(customerId: string, input: NewSavingsMeasurement): Promise<SavingsMeasurement> {
    requireUuid(customerId, 'customer_id');
    requireUuid(input.planId, 'plan_id');
    return withDbErrors('record savings measurement', () =>
      this.db.transaction(async (tx) => {
        const [plan] = await tx
          .update(plans)
          .set({ actualSavingsMonthly: input.actualMonthly, updatedAt: sql`now()` })
          .where(and(eq(plans.customerId, customerId), eq(plans.id, input.planId)))
          .returning({ clusterId: plans.clusterId, predicted: plans.estimatedSavingsMonthly });
        const { clusterId, predicted } = found(plan ?? null, 'plan', input.planId);
        await tx.update(optimizationHistory).set({ actualSavings: input.actualMonthly }).where(and(eq(optimizationHistory.customerId, customerId), eq(optimizationHistory.id, input.planId)));
        const [row] = await tx
          .insert(savingsLedger)
          .values({ planId: input.planId, customerId, clusterId, predictedMonthly: predicted, actualMonthly: input.actualMonthly, measuredAt: input.measuredAt, details: input.details ?? {} })
          .returning();
        return toMeasurement(row!);
      }),
    );
  }

  /** The measurements of the customer's plan, newest first ([] when it is not the customer's). */
  async listForPlan(customerId: string, planId: string): Promise<SavingsMeasurement[]> {
    if (!isUuid(customerId) || !isUuid(planId)) return [];
    return withDbErrors('list savings measurements', async () => {
      const rows = await this.db
        .select()
        .from(savingsLedger)
        .where(and(eq(savingsLedger.customerId, customerId), eq(savingsLedger.planId, planId)))
        .orderBy(desc(savingsLedger.measuredAt), desc(savingsLedger.id));
      return rows.map(toMeasurement);
    });
  }

  /** The customer's measurements newest first, optionally of one cluster. */
  async list(customerId: string, options: { clusterId?: string; limit?: number } = {}): Promise<SavingsMeasurement[]> {
    if (!isUuid(customerId) || (options.clusterId !== undefined && !isUuid(options.clusterId))) return [];
    return withDbErrors('list savings measurements', async () => {
      const rows = await this.db
        .select()
        .from(savingsLedger)
        .where(and(eq(savingsLedger.customerId, customerId), options.clusterId !== undefined ? eq(savingsLedger.clusterId, options.clusterId) : undefined))
        .orderBy(desc(savingsLedger.measuredAt), desc(savingsLedger.id))
        .limit(listLimit(options.limit));
      return rows.map(toMeasurement);
    });
  }
}
