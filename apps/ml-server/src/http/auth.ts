import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from '@cloudoptim/contracts';

/**
 * Checks `Authorization: Bearer <key>` against the service key in constant time (both sides hashed to 32
 * bytes first, so neither the content nor the length of the key leaks through timing).
 * @throws AppError UNAUTHENTICATED when the header is missing, malformed or holds another key.
 */
export function createServiceKeyCheck(serviceKey: string): (authorization: string | undefined) => void {
  const expected = digest(serviceKey);
  return (authorization) => {
    const match = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
    if (!match) throw new AppError('UNAUTHENTICATED', 'a service key is required: send "Authorization: Bearer <ML_SERVER_API_KEY>"');
    if (!timingSafeEqual(digest(match[1] as string), expected)) throw new AppError('UNAUTHENTICATED', 'the service key is not valid');
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
