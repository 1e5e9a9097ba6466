/**
 * The audit trail for people: newest first, in pages (`next_cursor` continues where a page ended). Customer
 * users see their own customer's entries; operators see every entry, or one customer's with `customer_id`.
 */
import { z } from 'zod';
import { AppError, IsoDateTimeSchema } from '@cloudoptim/contracts';
import { AuditLogRepository, type AuditCursor, type AuditRecord } from '@cloudoptim/db';
import { customerScope } from '../auth/principal.ts';
import type { Feature } from '../features.ts';

const AuditEntryViewSchema = z.object({
  id: z.uuid(),
  customer_id: z.uuid().nullable(),
  cluster_id: z.uuid().nullable(),
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  request_id: z.string().nullable(),
  created_at: IsoDateTimeSchema,
});

const AuditQuerySchema = z.object({
  customer_id: z.uuid().optional(),
  cluster_id: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** `next_cursor` of the previous page. */
  cursor: z.string().max(200).optional(),
});

function encodeCursor(record: AuditRecord): string {
  return Buffer.from(`${record.createdAt.toISOString()}|${record.id}`).toString('base64url');
}

function decodeCursor(cursor: string): AuditCursor {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at ?? '');
  if (!id || !z.uuid().safeParse(id).success || Number.isNaN(createdAt.getTime())) {
    throw new AppError('VALIDATION_FAILED', 'cursor is not one this server handed out', { issues: [{ path: 'cursor', message: 'invalid cursor' }] });
  }
  return { createdAt, id };
}

function toView(record: AuditRecord): z.input<typeof AuditEntryViewSchema> {
  return {
    id: record.id,
    customer_id: record.customerId,
    cluster_id: record.clusterId,
    actor: record.actor,
    action: record.action,
    target: record.target,
    details: record.details,
    request_id: record.requestId,
    created_at: record.createdAt.toISOString(),
  };
}

export const auditFeature: Feature = (routes, _app, ctx) => {
  const audit = new AuditLogRepository(ctx.db.db);

  routes.define({
    method: 'GET',
    path: '/api/v1/admin/audit',
    summary: 'The audit log, newest first, paged',
    tag: 'audit',
    auth: 'user',
    query: AuditQuerySchema,
    response: z.object({ entries: z.array(AuditEntryViewSchema), next_cursor: z.string().nullable() }),
    async handler({ principal, query }) {
      const scope = customerScope(principal);
      if (scope !== undefined && query.customer_id !== undefined && query.customer_id !== scope) return { entries: [], next_cursor: null };
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const records = await audit.list(scope ?? query.customer_id, { clusterId: query.cluster_id, limit: query.limit, after });
      const last = records.at(-1);
      return { entries: records.map(toView), next_cursor: records.length === query.limit && last ? encodeCursor(last) : null };
    },
  });
};
