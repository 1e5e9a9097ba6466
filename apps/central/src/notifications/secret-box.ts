/**
 * Application-level encryption of the credentials central keeps in its database (notification channels' signing
 * secrets and target URLs), with a key that never enters the database (CLOUDOPTIM_SECRETS_KEY). A sealed value is
 *
 *   enc:v1:<key id>:<iv, base64url>:<ciphertext + 16-byte GCM tag, base64url>
 *
 * AES-256-GCM with a random 12-byte IV per value; the key id is the first 8 hex digits of SHA-256(key), so a
 * value names the key that sealed it (for rotation) without revealing anything about it. Values without the
 * prefix are plain text written before a key was set, and are opened as they are. This protects against reading
 * the database (a dump, a backup, a replica); anyone who can write it can still store a plain-text value.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { AppError } from '@cloudoptim/contracts';

export const SEALED_PREFIX = 'enc:v1:';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** 32 bytes in standard base64: 43 characters and one `=` (what `openssl rand -base64 32` prints). */
const KEY_BASE64 = /^[A-Za-z0-9+/]{43}=$/;
const SEALED = /^enc:v1:([0-9a-f]{8}):([A-Za-z0-9_-]{16}):([A-Za-z0-9_-]+)$/;

/** True when `text` is 32 bytes in standard base64 (surrounding whitespace is the caller's to trim). */
export function isSecretsKeyBase64(text: string): boolean {
  return KEY_BASE64.test(text) && Buffer.from(text, 'base64').length === KEY_BYTES;
}

/** The 32-byte key of its base64 text. @throws AppError CONFIG_INVALID (without the value) when it is not one. */
export function secretsKeyOf(base64: string, variable = 'CLOUDOPTIM_SECRETS_KEY'): Buffer {
  const text = base64.trim();
  if (!isSecretsKeyBase64(text)) throw new AppError('CONFIG_INVALID', `${variable} must be 32 random bytes in base64 (openssl rand -base64 32)`, { issues: [{ variable, problem: 'not 32 bytes of base64' }] });
  return Buffer.from(text, 'base64');
}

/** First 8 hex digits of SHA-256(key): names a key in sealed values and logs without revealing it. */
export function secretKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** True when `stored` is a sealed value (of any key). */
export function isSealed(stored: string): boolean {
  return stored.startsWith(SEALED_PREFIX);
}

/** The id of the key that sealed `stored`, or null for plain text (or a value that is not well-formed). */
export function sealedKeyId(stored: string): string | null {
  return SEALED.exec(stored)?.[1] ?? null;
}

export interface SecretBoxKeys {
  /** Seals and opens; absent: `seal` leaves values in plain text (no key configured). */
  current?: Buffer;
  /** Opens only (values sealed before a rotation). */
  previous?: Buffer;
}

export interface SecretBox {
  /** Id of the current key; null when values are stored in plain text. */
  readonly keyId: string | null;
  /** The value to store: sealed with the current key, or `plain` itself without one. */
  seal(plain: string): string;
  /**
   * The plain value of a stored one (plain text passes through).
   * @throws AppError CONFIG_INVALID when no configured key has its key id; DATA_CORRUPT when it is malformed or
   * fails authentication. Messages name key ids only, never the value.
   */
  open(stored: string): string;
  /** True when `seal(open(stored))` would store something else: plain text while a key is set, or an older key. */
  needsReseal(stored: string): boolean;
}

function checkKey(key: Buffer, role: string): Buffer {
  if (key.length !== KEY_BYTES) throw new AppError('CONFIG_INVALID', `the ${role} secrets key must be ${KEY_BYTES} bytes`);
  return key;
}

export function createSecretBox(keys: SecretBoxKeys = {}): SecretBox {
  const current = keys.current && checkKey(keys.current, 'current');
  const byId = new Map<string, Buffer>();
  // The current key wins when both have the same id (the same key set twice).
  if (keys.previous) byId.set(secretKeyId(checkKey(keys.previous, 'previous')), keys.previous);
  const keyId = current ? secretKeyId(current) : null;
  if (current && keyId) byId.set(keyId, current);

  return {
    keyId,
    seal(plain) {
      if (!current || !keyId) return plain;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${SEALED_PREFIX}${keyId}:${iv.toString('base64url')}:${body.toString('base64url')}`;
    },
    open(stored) {
      if (!isSealed(stored)) return stored;
      const parts = SEALED.exec(stored);
      if (!parts) throw new AppError('DATA_CORRUPT', 'a sealed secret is malformed (not enc:v1:<key id>:<iv>:<ciphertext>)');
      const [, id, ivText, bodyText] = parts as unknown as [string, string, string, string];
      const key = byId.get(id);
      if (!key) {
        const configured = [...byId.keys()];
        const known = configured.length > 0 ? `the configured keys are ${configured.join(', ')}` : 'no CLOUDOPTIM_SECRETS_KEY is set';
        throw new AppError('CONFIG_INVALID', `a secret is sealed with key ${id}, which is not configured (${known}); set that key as CLOUDOPTIM_SECRETS_KEY or CLOUDOPTIM_SECRETS_KEY_PREVIOUS`, { key_id: id });
      }
      const iv = Buffer.from(ivText, 'base64url');
      const body = Buffer.from(bodyText, 'base64url');
      if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new AppError('DATA_CORRUPT', `a secret sealed with key ${id} is malformed`, { key_id: id });
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv);
        decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
        return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        // Node's message ("Unsupported state or unable to authenticate data") says nothing useful; the value is not repeated.
        throw new AppError('DATA_CORRUPT', `a secret sealed with key ${id} fails authentication (altered or truncated in the database)`, { key_id: id });
      }
    },
    needsReseal(stored) {
      if (keyId === null) return false;
      return sealedKeyId(stored) !== keyId;
    },
  };
}
