/**
 * Sends one notification through one channel: a Slack-compatible webhook (`{text, blocks}`), a generic webhook
 * (the payload as JSON, signed `X-CloudOptim-Signature: sha256=<hex HMAC-SHA256 of the body with the channel's
 * secret>`), or an e-mail through SMTP (nodemailer). Redirects are not followed and each request times out, so
 * a customer's URL cannot hold the sender or bounce it elsewhere; a URL whose host resolves to a private,
 * loopback or link-local address is refused (security/webhook-targets.ts) unless private targets are allowed.
 */
import { createHmac } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import type { NotificationChannelKind } from '@cloudoptim/db';
import { resolvedTargetProblem, type HostLookup } from '../security/webhook-targets.ts';
import type { NotificationPayload } from './outbox-notifier.ts';

export const SIGNATURE_HEADER = 'x-cloudoptim-signature';
const TIMEOUT_MS = 10_000;

/** How one attempt went. `permanent`: retrying cannot help (a 4xx, no SMTP). */
export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  permanent: boolean;
}

export interface ChannelTarget {
  kind: NotificationChannelKind;
  target: string;
  secret: string | null;
}

export interface SenderOptions {
  /** SMTP transport for e-mail channels (built from SMTP_URL); absent: e-mail fails permanently. */
  mailer?: Transporter;
  mailFrom?: string;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  /** Let webhooks reach non-public addresses (WEBHOOK_ALLOW_PRIVATE_TARGETS); default false. */
  allowPrivateTargets?: boolean;
  /** Host resolution for the target check (default node:dns). */
  lookup?: HostLookup;
}

/** `sha256=<hex>` of `body` under `secret`: what a receiver recomputes to check the signature. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The Slack message of a notification. */
export function slackMessage(payload: NotificationPayload): { text: string; blocks: unknown[] } {
  const facts = Object.entries(payload.facts).filter(([, v]) => v !== null && v !== undefined);
  return {
    text: `${payload.title}\n${payload.text}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${payload.title}*\n${payload.text}` } },
      ...(facts.length > 0 ? [{ type: 'context', elements: facts.slice(0, 10).map(([k, v]) => ({ type: 'mrkdwn', text: `*${k}*: ${String(v)}` })) }] : []),
    ],
  };
}

export class ChannelSender {
  constructor(private readonly options: SenderOptions = {}) {}

  async send(channel: ChannelTarget, payload: NotificationPayload, deliveryId: string): Promise<SendResult> {
    if (channel.kind === 'email') return this.email(channel.target, payload);
    const body = JSON.stringify(channel.kind === 'slack' ? slackMessage(payload) : { delivery_id: deliveryId, ...payload });
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'CloudOptim-Notifications/1', 'x-cloudoptim-event': payload.type, 'x-cloudoptim-delivery': deliveryId };
    if (channel.kind === 'webhook' && channel.secret !== null) headers[SIGNATURE_HEADER] = signBody(channel.secret, body);
    if (!this.options.allowPrivateTargets) {
      const problem = await resolvedTargetProblem(channel.target, this.options.lookup);
      if (problem !== null) return { ok: false, statusCode: null, error: `refused: ${problem}`, permanent: true };
    }
    try {
      const res = await (this.options.fetch ?? fetch)(channel.target, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
      await res.body?.cancel();
      if (res.status >= 200 && res.status < 300) return { ok: true, statusCode: res.status, error: null, permanent: false };
      const permanent = res.status >= 300 && res.status < 500 && res.status !== 408 && res.status !== 429;
      return { ok: false, statusCode: res.status, error: `HTTP ${res.status}`, permanent };
    } catch (error) {
      return { ok: false, statusCode: null, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error), permanent: false };
    }
  }

  private async email(to: string, payload: NotificationPayload): Promise<SendResult> {
    const { mailer, mailFrom } = this.options;
    if (!mailer || !mailFrom) return { ok: false, statusCode: null, error: 'SMTP is not configured on this server (SMTP_URL, SMTP_FROM)', permanent: true };
    const facts = Object.entries(payload.facts).map(([k, v]) => `${k}: ${String(v)}`);
    try {
      await mailer.sendMail({ from: mailFrom, to, subject: `[CloudOptim] ${payload.title}`, text: [payload.text, '', ...facts].join('\n') });
      return { ok: true, statusCode: null, error: null, permanent: false };
    } catch (error) {
      return { ok: false, statusCode: null, error: error instanceof Error ? error.message : String(error), permanent: false };
    }
  }
}
