import { and, desc, eq, lt, or, type SQL } from 'drizzle-orm';
import type { DrizzleDb } from '../database.ts';
import { withDbErrors } from '../db-errors.ts';
import { auditLog } from '../schema.ts';
import { isUuid, listLimit } from './repository-helpers.ts';

/** One recorded action (see apps/central audit-log.ts for the vocabulary). */
export interface AuditRecord {
  id: string;
  customerId: string | null;
  clusterId: string | null;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  requestId: string | null;
  createdAt: Date;
}

export type NewAuditRecord = Omit<AuditRecord, 'id'>;

/** Where a page ends: the last record's time and id; the next page starts after it. */
export interface AuditCursor {
  createdAt: Date;
  id: string;
}

export interface AuditListOptions {
  clusterId?: string;
  limit?: number;
  /** Records strictly older than this position (newest first). */
  after?: AuditCursor;
}

function toRecord(row: typeof auditLog.$inferSelect): AuditRecord {
  return {
    id: row.id,
    customerId: row.customerId,
    clusterId: row.clusterId,
    actor: row.actor,
    action: row.action,
    target: row.target,
    details: row.details,
    requestId: row.requestId,
    createdAt: row.createdAt,
  };
}

/**
 * The audit trail: append-only. `list` is scoped by customer; `undefined` as the customer is the operator's view
 * of every entry. Errors are AppErrors: VALIDATION_FAILED (empty actor or action, bad ids).
 */
export class AuditLogRepository {
  constructor(private readonly db: DrizzleDb) {}

  async append(record: NewAuditRecord): Promise<AuditRecord> {
    return withDbErrors('append audit record', async () => {
      const [row] = await this.db.insert(auditLog).values(record).returning();
      return toRecord(row!);
    });
  }

  /** Newest first, `limit` (1…1000, default 100) at a time, continuing after `options.after`. */
  async list(customerId: string | undefined, options: AuditListOptions = {}): Promise<AuditRecord[]> {
    if ((customerId !== undefined && !isUuid(customerId)) || (options.clusterId !== undefined && !isUuid(options.clusterId))) return [];
    const conditions: (SQL | undefined)[] = [];
    if (customerId !== undefined) conditions.push(eq(auditLog.customerId, customerId));
    if (options.clusterId !== undefined) conditions.push(eq(auditLog.clusterId, options.clusterId));
    const after = options.after;
    if (after) conditions.push(or(lt(auditLog.createdAt, after.createdAt), and(eq(auditLog.createdAt, after.createdAt), lt(auditLog.id, after.id))));
    return withDbErrors('list audit records', async () => {
      const rows = await this.db
        .select()
        .from(auditLog)
        .where(and(...conditions))
        .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
        .limit(listLimit(options.limit));
      return rows.map(toRecord);
    });
  }
}
