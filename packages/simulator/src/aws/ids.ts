/**
 * Identifier generators for the local AWS region. Every id comes from a seeded `Rng` stream (one stream per
 * kind, forked by label) so a seed reproduces the same instance ids, message ids and event ids, and the
 * number of request ids drawn never shifts the instance ids.
 */
import type { Rng } from '@cloudoptim/market';

const HEX = '0123456789abcdef';

/** `n` lowercase hex digits drawn from `rng`. */
export function randomHex(rng: Rng, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += HEX[rng.int(16)];
  return out;
}

/** A UUID-shaped id (8-4-4-4-12 hex; version nibble 4 like most AWS ids, not validated as RFC 4122 by clients). */
export function randomUuid(rng: Rng): string {
  const h = randomHex(rng, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[rng.int(4)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The id streams of one region. */
export interface IdSource {
  instanceId(): string;
  reservationId(): string;
  spotRequestId(): string;
  fleetId(): string;
  requestId(): string;
  messageId(): string;
  receiptNonce(): string;
  eventId(): string;
}

/** Builds the id streams from a root RNG (forks are independent of each other). */
export function createIdSource(rng: Rng): IdSource {
  const instances = rng.fork('ids:instance');
  const reservations = rng.fork('ids:reservation');
  const spot = rng.fork('ids:spot-request');
  const fleets = rng.fork('ids:fleet');
  const requests = rng.fork('ids:request');
  const messages = rng.fork('ids:message');
  const receipts = rng.fork('ids:receipt');
  const events = rng.fork('ids:event');
  return {
    instanceId: () => `i-0${randomHex(instances, 16)}`,
    reservationId: () => `r-0${randomHex(reservations, 16)}`,
    spotRequestId: () => `sir-${randomHex(spot, 8)}`,
    fleetId: () => `fleet-${randomUuid(fleets)}`,
    requestId: () => randomUuid(requests),
    messageId: () => randomUuid(messages),
    receiptNonce: () => randomHex(receipts, 24),
    eventId: () => randomUuid(events),
  };
}
