/**
 * Notification channels and deliveries (admins only: operators for any customer, customer admins for their own;
 * another customer's channel answers 404):
 * - `POST /api/v1/admin/notifications/channels` — a Slack-compatible webhook, a generic webhook (its signing
 *   secret is in this answer only) or e-mail recipients;
 * - `GET …/channels`, `GET/PATCH/DELETE …/channels/:channel_id` (`rotate_secret: true` shows a new secret once);
 * - `POST …/channels/:channel_id/test` — queues a test notification;
 * - `GET /api/v1/admin/notifications/deliveries` — the outbox, newest first (filters, paged).
 * Webhook URLs are credentials (a Slack URL is enough to post): after creation they are shown masked, and with
 * CLOUDOPTIM_SECRETS_KEY targets and secrets are stored sealed (channel-secrets.ts).
 * The feature also starts the bridge from the admin stream (plans, cluster health) to notifications.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { AppError, IsoDateTimeSchema } from '@cloudoptim/contracts';
import { NotificationChannelsRepository, NotificationDeliveriesRepository, type NotificationChannel, type NotificationChannelKind, type NotificationDelivery } from '@cloudoptim/db';
import { z } from 'zod';
import { customerScope, type UserPrincipal } from '../auth/principal.ts';
import { targetCustomer, visibleCustomer } from '../clusters/cluster-access.ts';
import type { Feature } from '../features.ts';
import { literalTargetProblem } from '../security/webhook-targets.ts';
import { openedTarget, secretBoxOf } from './channel-secrets.ts';
import { startNotificationBridge } from './notification-bridge.ts';
import { NOTIFICATION_EVENT_TYPES } from './notifier.ts';
import { OutboxNotifier, payloadOf } from './outbox-notifier.ts';
import type { SecretBox } from './secret-box.ts';

const TAG = 'notifications';
const BASE = '/api/v1/admin/notifications';
const ADMINS = ['operator', 'customer_admin'] as const;
const SUBSCRIBABLE = NOTIFICATION_EVENT_TYPES.filter((t) => t !== 'test') as [string, ...string[]];

const KindSchema = z.enum(['slack', 'webhook', 'email']);
const EventsSchema = z.array(z.enum(SUBSCRIBABLE)).max(10);
const UrlTargetSchema = z.url({ protocol: /^https?$/ }).max(2000);
const EmailTargetSchema = z
  .string()
  .max(2000)
  .refine((s) => {
    const parts = s.split(',').map((p) => p.trim());
    return parts.length >= 1 && parts.length <= 20 && parts.every((p) => z.email().safeParse(p).success);
  }, 'must be 1 to 20 comma-separated e-mail addresses');

export const CreateChannelBodySchema = z.object({
  /** Operators: the customer (required); customer admins: their own (default). */
  customer_id: z.string().min(1).max(128).optional(),
  name: z.string().trim().min(1).max(100),
  kind: KindSchema,
  /** A webhook URL (slack, webhook) or comma-separated e-mail addresses (email). */
  target: z.string().min(1).max(2000),
  /** Events it receives; empty or absent: every event. */
  events: EventsSchema.default([]),
  enabled: z.boolean().default(true),
});

export const PatchChannelBodySchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    target: z.string().min(1).max(2000),
    events: EventsSchema,
    enabled: z.boolean(),
    /** Webhooks: a new signing secret (in this answer only). */
    rotate_secret: z.literal(true),
  })
  .partial()
  .strict();

export const ChannelSchema = z.object({
  id: z.string(),
  customer_id: z.string(),
  name: z.string(),
  kind: KindSchema,
  /** Masked for URLs (they are credentials). */
  target: z.string(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  has_secret: z.boolean(),
  created_at: IsoDateTimeSchema,
  updated_at: IsoDateTimeSchema,
});
/** A channel with its new signing secret: only in the answer that created it (or rotated it). */
export const ChannelWithSecretSchema = ChannelSchema.extend({ secret: z.string().nullable() });

export const DeliverySchema = z.object({
  id: z.string(),
  customer_id: z.string(),
  channel_id: z.string(),
  cluster_id: z.string().nullable(),
  event_type: z.string(),
  event_key: z.string(),
  title: z.string().nullable(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  max_attempts: z.number().int(),
  next_attempt_at: IsoDateTimeSchema,
  last_error: z.string().nullable(),
  last_status_code: z.number().int().nullable(),
  delivered_at: IsoDateTimeSchema.nullable(),
  created_at: IsoDateTimeSchema,
});

const ChannelParamsSchema = z.object({ channel_id: z.string().min(1).max(128) });
const ChannelsQuerySchema = z.object({ customer_id: z.string().min(1).max(128).optional() });
const DeliveriesQuerySchema = z.object({
  channel_id: z.string().min(1).max(128).optional(),
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

/** `https://hooks.slack.com/…ab12`: enough to recognise a URL, not to use it. */
export function maskTarget(kind: NotificationChannelKind, target: string): string {
  if (kind === 'email') return target;
  try {
    const url = new URL(target);
    const rest = `${url.pathname}${url.search}`;
    return rest.length > 1 ? `${url.origin}/…${rest.slice(-4)}` : url.origin;
  } catch {
    return '…';
  }
}

/** What the API shows of a stored (maybe sealed) target: opened and masked, or a note when it cannot be opened. */
function shownTarget(box: SecretBox, c: Pick<NotificationChannel, 'kind' | 'target'>): string {
  const target = openedTarget(box, c.target);
  return target === null ? '(sealed with a key this server does not have)' : maskTarget(c.kind, target);
}

const newSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

function channelWire(c: NotificationChannel, box: SecretBox) {
  return { id: c.id, customer_id: c.customerId, name: c.name, kind: c.kind, target: shownTarget(box, c), events: c.events, enabled: c.enabled, has_secret: c.hasSecret, created_at: c.createdAt.toISOString(), updated_at: c.updatedAt.toISOString() };
}

function deliveryWire(d: NotificationDelivery) {
  return {
    id: d.id,
    customer_id: d.customerId,
    channel_id: d.channelId,
    cluster_id: d.clusterId,
    event_type: d.eventType,
    event_key: d.eventKey,
    title: typeof d.payload.title === 'string' ? d.payload.title : null,
    status: d.status,
    attempts: d.attempts,
    max_attempts: d.maxAttempts,
    next_attempt_at: d.nextAttemptAt.toISOString(),
    last_error: d.lastError,
    last_status_code: d.lastStatusCode,
    delivered_at: d.deliveredAt?.toISOString() ?? null,
    created_at: d.createdAt.toISOString(),
  };
}

export const notificationsFeature: Feature = (routes, app, ctx) => {
  const channels = new NotificationChannelsRepository(ctx.db.db);
  const deliveries = new NotificationDeliveriesRepository(ctx.db.db);
  // Targets and secrets are sealed on the way in (when CLOUDOPTIM_SECRETS_KEY is set) and opened only to mask them.
  const box = secretBoxOf(ctx.config);
  const wire = (c: NotificationChannel) => channelWire(c, box);
  const stop = startNotificationBridge(ctx, new OutboxNotifier(ctx.db, ctx.clock));
  app.addHook('onClose', async () => stop());

  const scopeOf = (user: UserPrincipal) => customerScope(user) ?? null;
  const visibleChannel = async (user: UserPrincipal, id: string) => {
    const channel = await channels.find(scopeOf(user), id);
    if (!channel) throw new AppError('NOT_FOUND', `notification channel ${id} not found`, { id });
    return channel;
  };
  const checkTarget = (kind: NotificationChannelKind, target: string, path: string) => {
    const ok = kind === 'email' ? EmailTargetSchema.safeParse(target).success : UrlTargetSchema.safeParse(target).success;
    if (!ok) throw new AppError('VALIDATION_FAILED', `${path} is not a valid ${kind === 'email' ? 'list of e-mail addresses' : 'http(s) URL'}`, { issues: [{ path, message: kind === 'email' ? 'must be 1 to 20 comma-separated e-mail addresses' : 'must be an http or https URL' }] });
    if (kind === 'email' && !(ctx.config.SMTP_URL && ctx.config.SMTP_FROM)) throw new AppError('UNPROCESSABLE', 'e-mail channels need SMTP on this server (SMTP_URL and SMTP_FROM)');
    // SSRF: a webhook is called from central's network (security/webhook-targets.ts; re-checked at each delivery).
    const problem = kind === 'email' || ctx.config.WEBHOOK_ALLOW_PRIVATE_TARGETS ? null : literalTargetProblem(target);
    if (problem !== null) throw new AppError('VALIDATION_FAILED', `${path} must be a public address: ${problem}`, { issues: [{ path, message: `must reach a public address (${problem}); WEBHOOK_ALLOW_PRIVATE_TARGETS allows private ones` }] });
  };
  const audit = (user: UserPrincipal, channel: NotificationChannel, action: string, details: Record<string, unknown>, requestId: string) =>
    ctx.audit.record({ customerId: channel.customerId, actor: `user:${user.email}`, action, target: `notification_channel/${channel.id}`, details: { name: channel.name, kind: channel.kind, target: shownTarget(box, channel), ...details }, requestId });

  routes.define({
    method: 'POST',
    path: `${BASE}/channels`,
    summary: 'Creates a notification channel (a generic webhook’s signing secret is shown in this answer only)',
    tag: TAG,
    auth: 'user',
    roles: ADMINS,
    body: CreateChannelBodySchema,
    response: ChannelWithSecretSchema,
    status: 201,
    handler: async ({ principal, body, req }) => {
      const customer = await targetCustomer(ctx.db, principal, body.customer_id);
      checkTarget(body.kind, body.target, 'target');
      const secret = body.kind === 'webhook' ? newSecret() : null;
      const channel = await channels.create(customer.id, { name: body.name, kind: body.kind, target: box.seal(body.target), secret: secret === null ? null : box.seal(secret), events: body.events as NotificationChannel['events'], enabled: body.enabled });
      await audit(principal, channel, 'notification_channel.create', { events: channel.events }, req.id);
      return { ...wire(channel), secret };
    },
  });

  routes.define({
    method: 'GET',
    path: `${BASE}/channels`,
    summary: 'The notification channels of the customer (operators: of every customer, or of customer_id)',
    tag: TAG,
    auth: 'user',
    roles: ADMINS,
    query: ChannelsQuerySchema,
    response: z.object({ items: z.array(ChannelSchema) }),
    handler: async ({ principal, query }) => {
      const customerId = query.customer_id !== undefined ? (await visibleCustomer(ctx.db, principal, query.customer_id)).id : scopeOf(principal);
      return { items: (await channels.list(customerId)).map(wire) };
    },
  });

  routes.define({
    method: 'GET',
    path: `${BASE}/channels/:channel_id`,
    summary: 'One notification channel',
    tag: TAG,
    auth: 'user',
    roles: ADMINS,
    params: ChannelParamsSchema,
    response: ChannelSchema,
    handler: async ({ principal, params }) => wire(await visibleChannel(principal, params.channel_id)),
  });

  routes.define({
    method: 'PATCH',
    path: `${BASE}/channels/:channel_id`,
    summary: 'Changes a channel (name, target, events, enabled; rotate_secret gives a webhook a new secret, shown once)',
    tag: TAG,
    auth: 'user',
    roles: ADMINS,
    params: ChannelParamsSchema,
    body: PatchChannelBodySchema,
    response: ChannelWithSecretSchema,
    handler: async ({ principal, params, body, req }) => {
      const channel = await visibleChannel(principal, params.channel_id);
      if (body.target !== undefined) checkTarget(channel.kind, body.target, 'target');
      if (body.rotate_secret && channel.kind !== 'webhook') throw new AppError('VALIDATION_FAILED', 'only generic webhooks have a signing secret', { issues: [{ path: 'rotate_secret', message: `a ${channel.kind} channel has no secret` }] });
      const secret = body.rotate_secret ? newSecret() : null;
      const { rotate_secret: _rotate, events, target, ...rest } = body;
      const updated = await channels.update(channel.customerId, channel.id, {
        ...rest,
        ...(target !== undefined && { target: box.seal(target) }),
        ...(events !== undefined && { events: events as NotificationChannel['events'] }),
        ...(secret !== null && { secret: box.seal(secret) }),
      });
      if (!updated) throw new AppError('NOT_FOUND', `notification channel ${channel.id} not found`, { id: channel.id });
      await audit(principal, updated, 'notification_channel.update', { changed: Object.keys(body) }, req.id);
      return { ...wire(updated), secret };
    },
  });

  routes.define({
    method: 'DELETE',
    path: `${BASE}/channels/:channel_id`,
    summary: 'Deletes a channel and its deliveries',
    tag: TAG,
    auth: 'user',
    roles: ADMINS,
    params: ChannelParamsSchema,
    handler: async ({ principal, params, req }) => {
      const channel = await visibleChannel(principal, params.channel_id);
      await channels.delete(channel.customerId, channel.id);
      await audit(principal, channel, 'notification_channel.delete', {}, req.id);
    },
  });

  routes.define({
    method: 'POST',
    path: `${BASE}/channels/:channel_id/test`,
    summary: 'Queues a test notification on the channel (see the deliveries for how it went)',
    tag: TAG,
    auth: 'user',
    roles: ADMINS,
    params: ChannelParamsSchema,
    response: DeliverySchema,
    status: 202,
    handler: async ({ principal, params, req }) => {
      const channel = await visibleChannel(principal, params.channel_id);
      const now = new Date(ctx.clock.now());
      const event = { type: 'test' as const, key: `test:${randomUUID()}`, clusterId: null, title: `Test notification for ${channel.name}`, text: `Sent by ${principal.email} from CloudOptim to check this channel.`, facts: { channel: channel.name }, occurredAt: now };
      const [delivery] = await deliveries.enqueue(channel.customerId, [channel.id], { eventType: 'test', eventKey: event.key, clusterId: null, payload: payloadOf(channel.customerId, event), nextAttemptAt: now });
      await audit(principal, channel, 'notification_channel.test', {}, req.id);
      return deliveryWire(delivery as NotificationDelivery);
    },
  });

  routes.define({
    method: 'GET',
    path: `${BASE}/deliveries`,
    summary: 'Notification deliveries, newest first (filters: channel_id, status; paged)',
    tag: TAG,
    auth: 'user',
    roles: ADMINS,
    query: DeliveriesQuerySchema,
    response: z.object({ items: z.array(DeliverySchema), next_offset: z.number().int().nullable() }),
    handler: async ({ principal, query }) => {
      if (query.channel_id !== undefined) await visibleChannel(principal, query.channel_id);
      const rows = await deliveries.list(scopeOf(principal), { ...(query.channel_id !== undefined && { channelId: query.channel_id }), ...(query.status !== undefined && { status: query.status }), limit: query.limit + 1, offset: query.offset });
      return { items: rows.slice(0, query.limit).map(deliveryWire), next_offset: rows.length > query.limit ? query.offset + query.limit : null };
    },
  });
};
