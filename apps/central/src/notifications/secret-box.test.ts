/**
 * The secret box: the stored format, round trips, a fresh IV per value, tampering and wrong keys refused with
 * messages that carry neither the value nor the ciphertext, rotation (a previous key opens, its values need
 * re-sealing), plain text passing through, and how CLOUDOPTIM_SECRETS_KEY is validated in central's config.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '@cloudoptim/contracts';
import { describe, expect, it } from 'vitest';
import { loadCentralConfig } from '../config.ts';
import { createSecretBox, isSecretsKeyBase64, sealedKeyId, secretKeyId, secretsKeyOf } from './secret-box.ts';

const KEY = Buffer.alloc(32, 7);
const OTHER = Buffer.alloc(32, 9);
const SECRET = 'whsec_Zm9vYmFyYmF6cXV4LXRoaXMtaXMtdGhlLXNlY3JldA';
const URL_WITH_TOKEN = 'https://hooks.slack.com/services/T000/B000/XXXXXXXXtoken1234';

/** The AppError `fn` throws (fails the test when it throws something else or nothing). */
function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected an AppError');
}

describe('createSecretBox', () => {
  const box = createSecretBox({ current: KEY });

  it('seals as enc:v1:<key id>:<iv>:<ciphertext+tag> and opens it back', () => {
    const sealed = box.seal(SECRET);
    const id = createHash('sha256').update(KEY).digest('hex').slice(0, 8);
    expect(box.keyId).toBe(id);
    expect(secretKeyId(KEY)).toBe(id);
    const match = /^enc:v1:([0-9a-f]{8}):([A-Za-z0-9_-]+):([A-Za-z0-9_-]+)$/.exec(sealed);
    expect(match?.[1]).toBe(id);
    expect(Buffer.from(match![2]!, 'base64url')).toHaveLength(12);
    // AES-GCM is a stream cipher: ciphertext as long as the text, plus the 16-byte tag.
    expect(Buffer.from(match![3]!, 'base64url')).toHaveLength(Buffer.byteLength(SECRET) + 16);
    expect(sealed).not.toContain(SECRET);
    expect(sealedKeyId(sealed)).toBe(id);
    expect(box.open(sealed)).toBe(SECRET);
    expect(box.open(box.seal(URL_WITH_TOKEN))).toBe(URL_WITH_TOKEN);
    expect(box.open(box.seal(''))).toBe('');
    expect(box.open(box.seal('ünïcødé ✓'))).toBe('ünïcødé ✓');
  });

  it('uses a fresh IV for every value (the same text seals differently each time)', () => {
    const sealed = Array.from({ length: 50 }, () => box.seal(SECRET));
    expect(new Set(sealed).size).toBe(50);
    expect(new Set(sealed.map((s) => s.split(':')[3])).size).toBe(50);
    for (const s of sealed) expect(box.open(s)).toBe(SECRET);
  });

  it('refuses a value altered in the database, without repeating it', () => {
    const sealed = box.seal(SECRET);
    const [prefix, version, id, iv, body] = sealed.split(':') as [string, string, string, string, string];
    const bytes = Buffer.from(body, 'base64url');
    const flips = [
      // a ciphertext byte, the tag, the IV
      () => { const b = Buffer.from(bytes); b[0]! ^= 1; return [prefix, version, id, iv, b.toString('base64url')].join(':'); },
      () => { const b = Buffer.from(bytes); b[b.length - 1]! ^= 1; return [prefix, version, id, iv, b.toString('base64url')].join(':'); },
      () => { const v = Buffer.from(iv, 'base64url'); v[0]! ^= 1; return [prefix, version, id, v.toString('base64url'), body].join(':'); },
      () => [prefix, version, id, iv, bytes.subarray(0, 10).toString('base64url')].join(':'),
    ];
    for (const flip of flips) {
      const tampered = flip();
      const error = thrown(() => box.open(tampered));
      expect(error.code).toBe('DATA_CORRUPT');
      expect(error.message).toContain(id);
      expect(error.message).not.toContain(body.slice(0, 12));
      expect(JSON.stringify(error.details)).not.toContain(body.slice(0, 12));
    }
    expect(thrown(() => box.open('enc:v1:not-a-sealed-value')).code).toBe('DATA_CORRUPT');
  });

  it('refuses a value sealed with a key it does not have, naming key ids only', () => {
    const other = createSecretBox({ current: OTHER });
    const sealed = other.seal(SECRET);
    const error = thrown(() => box.open(sealed));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(secretKeyId(OTHER));
    expect(error.message).toContain(secretKeyId(KEY));
    expect(error.message).not.toContain(sealed.split(':')[4]!.slice(0, 12));
    expect(error.message).not.toContain(OTHER.toString('base64'));
    // Relabelling the value with the right key id does not get it past authentication.
    expect(thrown(() => box.open(sealed.replace(secretKeyId(OTHER), secretKeyId(KEY)))).code).toBe('DATA_CORRUPT');
  });

  it('opens values of the previous key during a rotation, and says they need re-sealing', () => {
    const before = createSecretBox({ current: OTHER }).seal(SECRET);
    const rotated = createSecretBox({ current: KEY, previous: OTHER });
    expect(rotated.keyId).toBe(secretKeyId(KEY));
    expect(rotated.open(before)).toBe(SECRET);
    expect(rotated.needsReseal(before)).toBe(true);
    const resealed = rotated.seal(rotated.open(before));
    expect(sealedKeyId(resealed)).toBe(secretKeyId(KEY));
    expect(rotated.needsReseal(resealed)).toBe(false);
    // Once the previous key is dropped, only the current one opens.
    expect(box.open(resealed)).toBe(SECRET);
    expect(thrown(() => box.open(before)).code).toBe('CONFIG_INVALID');
  });

  it('passes plain text (rows from before encryption) through, and marks it for sealing when a key is set', () => {
    expect(box.open(URL_WITH_TOKEN)).toBe(URL_WITH_TOKEN);
    expect(box.open('ops@example.com')).toBe('ops@example.com');
    expect(box.needsReseal(URL_WITH_TOKEN)).toBe(true);
    expect(sealedKeyId(URL_WITH_TOKEN)).toBeNull();
  });

  it('without a key stores plain text, and says which key a sealed value needs', () => {
    const none = createSecretBox();
    expect(none.keyId).toBeNull();
    expect(none.seal(SECRET)).toBe(SECRET);
    expect(none.open(SECRET)).toBe(SECRET);
    expect(none.needsReseal(SECRET)).toBe(false);
    const error = thrown(() => none.open(box.seal(SECRET)));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/no CLOUDOPTIM_SECRETS_KEY is set/);
  });

  it('takes 32-byte keys only', () => {
    expect(thrown(() => createSecretBox({ current: Buffer.alloc(16) })).code).toBe('CONFIG_INVALID');
    expect(thrown(() => createSecretBox({ current: KEY, previous: Buffer.alloc(31) })).code).toBe('CONFIG_INVALID');
  });
});

describe('the key as configured', () => {
  const good = randomBytes(32).toString('base64');

  it('is 32 bytes of standard base64 (what openssl rand -base64 32 prints)', () => {
    expect(isSecretsKeyBase64(good)).toBe(true);
    expect(secretsKeyOf(`${good}\n`).equals(Buffer.from(good, 'base64'))).toBe(true);
    for (const bad of [randomBytes(31).toString('base64'), randomBytes(33).toString('base64'), randomBytes(32).toString('hex'), good.slice(0, -1), `${good.slice(0, -2)}*=`, 'correct horse battery staple correct horse b']) {
      expect(isSecretsKeyBase64(bad), bad).toBe(false);
    }
    const error = thrown(() => secretsKeyOf('not-a-key-but-a-password'));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).not.toContain('not-a-key-but-a-password');
  });

  it('is refused by the config with a clear error that does not echo it', () => {
    const badValue = randomBytes(24).toString('base64');
    const error = thrown(() => loadCentralConfig({ CLOUDOPTIM_SECRETS_KEY: badValue, CLOUDOPTIM_SECRETS_KEY_PREVIOUS: 'hunter2-hunter2' }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/CLOUDOPTIM_SECRETS_KEY: must be 32 random bytes in base64/);
    expect(error.message).toMatch(/CLOUDOPTIM_SECRETS_KEY_PREVIOUS: must be 32 random bytes in base64/);
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(badValue);
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain('hunter2');
  });

  it('accepts a key (trimmed), a previous key with it, and no key at all; not a previous key alone', () => {
    expect(loadCentralConfig({ CLOUDOPTIM_SECRETS_KEY: ` ${good}\n` }).CLOUDOPTIM_SECRETS_KEY).toBe(good);
    const previous = randomBytes(32).toString('base64');
    expect(loadCentralConfig({ CLOUDOPTIM_SECRETS_KEY: good, CLOUDOPTIM_SECRETS_KEY_PREVIOUS: previous })).toMatchObject({ CLOUDOPTIM_SECRETS_KEY: good, CLOUDOPTIM_SECRETS_KEY_PREVIOUS: previous });
    expect(loadCentralConfig({}).CLOUDOPTIM_SECRETS_KEY).toBeUndefined();
    const error = thrown(() => loadCentralConfig({ CLOUDOPTIM_SECRETS_KEY_PREVIOUS: previous }));
    expect(error.message).toMatch(/CLOUDOPTIM_SECRETS_KEY_PREVIOUS: is set without CLOUDOPTIM_SECRETS_KEY/);
    expect(error.message).not.toContain(previous);
  });
});
