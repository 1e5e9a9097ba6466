/**
 * Notification channels' credentials at rest: the target (a webhook URL carries its token in the path; e-mail
 * addresses are personal data) and a generic webhook's signing secret are sealed with CLOUDOPTIM_SECRETS_KEY
 * (secret-box.ts) when it is set. Routes seal on write and open to mask; the delivery worker opens to send; the
 * start-up pass below seals what was stored before the key existed and re-seals what an older key sealed.
 */
import { isAppError } from '@cloudoptim/contracts';
import { NotificationChannelsRepository, type Database } from '@cloudoptim/db';
import type { Logger } from '@cloudoptim/runtime';
import type { CentralConfig } from '../config.ts';
import { createSecretBox, sealedKeyId, secretsKeyOf, SEALED_PREFIX, type SecretBox } from './secret-box.ts';

/** The box of central's configuration (plain text passes through both ways without CLOUDOPTIM_SECRETS_KEY). */
export function secretBoxOf(config: Pick<CentralConfig, 'CLOUDOPTIM_SECRETS_KEY' | 'CLOUDOPTIM_SECRETS_KEY_PREVIOUS'>): SecretBox {
  return createSecretBox({
    ...(config.CLOUDOPTIM_SECRETS_KEY !== undefined && { current: secretsKeyOf(config.CLOUDOPTIM_SECRETS_KEY) }),
    ...(config.CLOUDOPTIM_SECRETS_KEY_PREVIOUS !== undefined && { previous: secretsKeyOf(config.CLOUDOPTIM_SECRETS_KEY_PREVIOUS, 'CLOUDOPTIM_SECRETS_KEY_PREVIOUS') }),
  });
}

/** The stored target opened for display (masked by the caller), or null when this server cannot open it. */
export function openedTarget(box: SecretBox, stored: string): string | null {
  try {
    return box.open(stored);
  } catch {
    return null;
  }
}

/** What the start-up pass did, in channels. */
export interface SealOutcome {
  /** 'plain-text': no key, nothing done. */
  mode: 'plain-text' | 'sealed';
  /** Channels with a plain-text target or secret now sealed. */
  sealed: number;
  /** Channels whose values an older key sealed, now sealed with the current one. */
  resealed: number;
  /** Channels left as they are: sealed with a key that is not configured, or not authentic. */
  unreadable: number;
}

/**
 * Run at every start of every replica. Without a key: one warning that channels' credentials are stored in plain
 * text. With one: in one transaction, locks every channel whose target or secret is not sealed with the current
 * key (plain text, or CLOUDOPTIM_SECRETS_KEY_PREVIOUS) and stores it sealed with the current key. Idempotent, and
 * two replicas starting at once serialize on the row locks (the second finds the rows done and skips them).
 * A value this server cannot open is left untouched and counted (its deliveries fail with the reason), so a
 * forgotten previous key never stops central from starting.
 */
export async function sealStoredChannelSecrets(deps: { db: Database; log: Logger; config: CentralConfig }): Promise<SealOutcome> {
  const box = secretBoxOf(deps.config);
  if (box.keyId === null) {
    deps.log.warn({}, 'CLOUDOPTIM_SECRETS_KEY is not set: notification channel secrets and webhook URLs are stored unencrypted in the database');
    return { mode: 'plain-text', sealed: 0, resealed: 0, unreadable: 0 };
  }
  const prefix = `${SEALED_PREFIX}${box.keyId}:`;
  const outcome = await deps.db.transaction(async (scope) => {
    const channels = new NotificationChannelsRepository(scope.db);
    const counts = { sealed: 0, resealed: 0, unreadable: 0 };
    const unknownKeys = new Set<string>();
    for (const row of await channels.lockCredentialsWithout(prefix)) {
      const values = [row.target, row.secret].filter((v): v is string => v !== null);
      try {
        const reseal = (stored: string) => (box.needsReseal(stored) ? box.seal(box.open(stored)) : stored);
        await channels.rewriteCredentials({ id: row.id, target: reseal(row.target), secret: row.secret === null ? null : reseal(row.secret) });
        // A channel with one plain value counts as sealed even when its other value was re-sealed.
        if (values.some((v) => sealedKeyId(v) === null)) counts.sealed += 1;
        else counts.resealed += 1;
      } catch (error) {
        if (!isAppError(error) || (error.code !== 'CONFIG_INVALID' && error.code !== 'DATA_CORRUPT')) throw error;
        counts.unreadable += 1;
        for (const v of values) {
          const id = sealedKeyId(v);
          if (id !== null && id !== box.keyId) unknownKeys.add(id);
        }
      }
    }
    return { ...counts, unknownKeys: [...unknownKeys].sort() };
  });
  const { unknownKeys, ...counts } = outcome;
  deps.log.info({ keyId: box.keyId, ...counts }, 'notification channel credentials are sealed');
  if (counts.unreadable > 0) {
    deps.log.warn({ keyId: box.keyId, unreadable: counts.unreadable, unknownKeyIds: unknownKeys }, 'some notification channels are sealed with a key this server does not have (or were altered): their deliveries fail until that key is set as CLOUDOPTIM_SECRETS_KEY_PREVIOUS');
  }
  return { mode: 'sealed', ...counts };
}
