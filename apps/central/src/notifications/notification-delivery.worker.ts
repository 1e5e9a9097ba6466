/**
 * The delivery worker of the notifications outbox: sends every due delivery and records the attempt. A failed
 * attempt is retried with exponential backoff (30 s, 1 min, 2 min … capped at 1 h) until the delivery's
 * max_attempts (8 by default), unless retrying cannot help (a 4xx answer, no SMTP): then it fails at once.
 * The channel's target and secret are opened (CLOUDOPTIM_SECRETS_KEY) just before sending; a value this server
 * cannot open fails that attempt with the reason (key ids only), and is retried like any failure: setting the
 * missing key and restarting lets the delivery through.
 */
import nodemailer from 'nodemailer';
import { isAppError } from '@cloudoptim/contracts';
import { NotificationDeliveriesRepository, type DueDelivery } from '@cloudoptim/db';
import type { CentralContext, WorkerSpec } from '../context.ts';
import { secretBoxOf } from './channel-secrets.ts';
import { ChannelSender, type ChannelTarget, type SendResult, type SenderOptions } from './channel-senders.ts';
import type { NotificationPayload } from './outbox-notifier.ts';
import type { SecretBox } from './secret-box.ts';

export const NOTIFICATION_WORKER = 'notification-delivery';
export const RETRY_BASE_MS = 30_000;
export const RETRY_MAX_MS = 3600_000;
const BATCH = 100;

/** Delay before attempt `attempt + 1` after `attempt` failed attempts (1-based). */
export function retryDelayMs(attempt: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1));
}

export interface NotificationWorkerOptions extends SenderOptions {
  /** Pass interval, ms (default 5 s). */
  intervalMs?: number;
}

/** The SMTP transport of central's config (SMTP_URL, SMTP_FROM), when configured. */
export function smtpOptions(config: CentralContext['config']): SenderOptions {
  return config.SMTP_URL && config.SMTP_FROM ? { mailer: nodemailer.createTransport(config.SMTP_URL), mailFrom: config.SMTP_FROM } : {};
}

/** The channel of a delivery with its target and secret opened, or the failed attempt saying why it cannot be. */
export function openChannel(box: SecretBox, channel: DueDelivery['channel']): ChannelTarget | SendResult {
  try {
    return { kind: channel.kind, target: box.open(channel.target), secret: channel.secret === null ? null : box.open(channel.secret) };
  } catch (error) {
    if (!isAppError(error)) throw error;
    return { ok: false, statusCode: null, error: `cannot open the channel's stored credentials: ${error.message}`, permanent: false };
  }
}

export function createNotificationDeliveryWorker(deps: Pick<CentralContext, 'db' | 'clock' | 'log' | 'config'>, options: NotificationWorkerOptions = {}): WorkerSpec {
  const deliveries = new NotificationDeliveriesRepository(deps.db.db);
  const sender = new ChannelSender({ ...smtpOptions(deps.config), allowPrivateTargets: deps.config.WEBHOOK_ALLOW_PRIVATE_TARGETS, ...options });
  const box = secretBoxOf(deps.config);
  return {
    name: NOTIFICATION_WORKER,
    intervalMs: options.intervalMs ?? 5000,
    async tick() {
      for (const delivery of await deliveries.due(new Date(deps.clock.now()), BATCH)) {
        const channel = openChannel(box, delivery.channel);
        const result = 'kind' in channel ? await sender.send(channel, delivery.payload as NotificationPayload, delivery.id) : channel;
        const at = new Date(deps.clock.now());
        if (result.ok) {
          await deliveries.markDelivered(delivery.id, at, result.statusCode);
          continue;
        }
        const attempts = delivery.attempts + 1;
        const giveUp = result.permanent || attempts >= delivery.maxAttempts;
        await deliveries.markAttemptFailed(delivery.id, { at, error: result.error ?? 'failed', statusCode: result.statusCode, nextAttemptAt: giveUp ? null : new Date(at.getTime() + retryDelayMs(attempts)) });
        deps.log.warn({ deliveryId: delivery.id, customerId: delivery.customerId, channel: delivery.channel.name, attempts, giveUp, error: result.error }, 'notification not delivered');
      }
    },
  };
}
