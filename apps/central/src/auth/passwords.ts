/**
 * Password hashing with argon2id (@node-rs/argon2 defaults: 19 MiB, 2 passes; the parameters are in each PHC
 * string, so they can be raised later without invalidating stored hashes).
 */
import { hash, verify, type Algorithm } from '@node-rs/argon2';

// Algorithm is an ambient const enum, which isolatedModules cannot inline: its Argon2id member is 2.
const ARGON2ID = 2 as Algorithm.Argon2id;

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: ARGON2ID });
}

/** True when `password` matches the PHC string; false for a mismatch or a malformed hash. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends about the time of a real check, for logins with an unknown e-mail, so the answer's timing does not
 * tell which addresses have accounts.
 */
export async function verifyAgainstNothing(password: string): Promise<false> {
  dummyHash ??= hashPassword('cloudoptim-timing-equalizer');
  await verifyPassword(await dummyHash, password);
  return false;
}
