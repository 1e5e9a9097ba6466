/**
 * `GET /api/v1/admin/spot-events`: the Spot events central recorded (interruption warnings, rebalance
 * recommendations, terminations) with what the spot handler did, newest first. Scoped: a customer's users see
 * their customer's events, operators every customer's; filtering on another customer's cluster answers 404.
 */
import { IsoDateTimeSchema, SpotEventTypeSchema } from '@cloudoptim/contracts';
import { SpotEventsRepository } from '@cloudoptim/db';
import { z } from 'zod';
import { customerScope } from '../auth/principal.ts';
import { visibleCluster } from '../clusters/cluster-access.ts';
import type { Feature } from '../features.ts';
import { StoredSpotEventSchema, toStoredSpotEventWire } from './spot-event-wire.ts';

export const SpotEventsQuerySchema = z.object({
  cluster_id: z.string().min(1).max(128).optional(),
  type: SpotEventTypeSchema.optional(),
  /** Only events received at or after this instant. */
  since: IsoDateTimeSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const SpotEventPageSchema = z.object({
  items: z.array(StoredSpotEventSchema),
  limit: z.number().int(),
  offset: z.number().int(),
  /** The offset of the next page; null on the last page. */
  next_offset: z.number().int().nullable(),
});

export const spotEventsFeature: Feature = (routes, _app, ctx) => {
  const events = new SpotEventsRepository(ctx.db.db);

  routes.define({
    method: 'GET',
    path: '/api/v1/admin/spot-events',
    summary: 'Spot events and the action taken on each, newest first (filters: cluster_id, type, since; paged)',
    tag: 'spot-events',
    auth: 'user',
    query: SpotEventsQuerySchema,
    response: SpotEventPageSchema,
    handler: async ({ principal, query }) => {
      if (query.cluster_id !== undefined) await visibleCluster(ctx.db, principal, query.cluster_id);
      const options = {
        ...(query.cluster_id !== undefined && { clusterId: query.cluster_id }),
        ...(query.type !== undefined && { eventType: query.type }),
        ...(query.since !== undefined && { since: new Date(query.since) }),
        limit: query.limit + 1,
        offset: query.offset,
      };
      const scope = customerScope(principal);
      const rows = scope === undefined ? await events.listAll(options) : await events.list(scope, options);
      const more = rows.length > query.limit;
      return { items: rows.slice(0, query.limit).map(toStoredSpotEventWire), limit: query.limit, offset: query.offset, next_offset: more ? query.offset + query.limit : null };
    },
  });
};
