/**
 * The audit log in the database (table audit_log). Recording is part of the action: a failure to record is the
 * action's failure (callers record after the change, so the change stands and the caller sees the error).
 */
import { AuditLogRepository, type Database } from '@cloudoptim/db';
import type { Clock } from '@cloudoptim/runtime';
import type { AuditEntry, AuditLog } from './audit-log.ts';

export class DbAuditLog implements AuditLog {
  private readonly repo: AuditLogRepository;

  constructor(
    db: Database,
    private readonly clock: Clock,
  ) {
    this.repo = new AuditLogRepository(db.db);
  }

  async record(entry: AuditEntry): Promise<void> {
    await this.repo.append({
      customerId: entry.customerId,
      clusterId: entry.clusterId ?? null,
      actor: entry.actor,
      action: entry.action,
      target: entry.target ?? null,
      details: entry.details ?? {},
      requestId: entry.requestId ?? null,
      createdAt: new Date(this.clock.now()),
    });
  }
}
