/**
 * One behaviour for both caches: the in-process LRU always; Redis when TEST_REDIS_URL is set
 * (e.g. redis://127.0.0.1:6379/15), each run under its own namespace.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { ManualClock, silentLogger } from '@cloudoptim/runtime';
import type { Cache } from './cache.ts';
import { MemoryCache } from './cache.ts';
import { RedisCache } from './redis-cache.ts';

interface Target {
  name: string;
  make(clock: ManualClock): Promise<Cache>;
  /** Checks that `key` (set with a TTL of `ttlSeconds`) expires then. */
  expectExpiry(cache: Cache, clock: ManualClock, key: string, ttlSeconds: number): Promise<void>;
}

const targets: Target[] = [
  {
    name: 'memory',
    make: async (clock) => new MemoryCache(clock, 3),
    expectExpiry: async (cache, clock, key, ttlSeconds) => {
      await clock.advance(ttlSeconds * 1000 - 1);
      expect(await cache.get(key)).toBeDefined();
      await clock.advance(1);
      expect(await cache.get(key)).toBeUndefined();
    },
  },
];
if (process.env.TEST_REDIS_URL) {
  const url = process.env.TEST_REDIS_URL;
  const namespace = `cloudoptim:test:${randomBytes(4).toString('hex')}:`;
  targets.push({
    name: 'redis',
    make: () => RedisCache.open(url, silentLogger, namespace),
    // Redis expires keys on its own clock: check the TTL it holds instead of waiting it out.
    expectExpiry: async (_cache, _clock, key, ttlSeconds) => {
      const raw = new Redis(url);
      try {
        const ttl = await raw.pttl(namespace + key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(ttlSeconds * 1000);
      } finally {
        raw.disconnect();
      }
    },
  });
}

describe.each(targets)('$name cache', (target) => {
  const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
  let cache: Cache;
  beforeAll(async () => {
    cache = await target.make(clock);
  });
  afterAll(() => cache.close());

  it('returns what was set until it expires', async () => {
    await cache.set('pred:a', 'one', 30);
    expect(await cache.get('pred:a')).toBe('one');
    expect(await cache.get('pred:missing')).toBeUndefined();
    await target.expectExpiry(cache, clock, 'pred:a', 30);
  });

  it('deletes by prefix only', async () => {
    await cache.set('market:us-east-1:x', '1', 60);
    await cache.set('market:us-east-1:y', '2', 60);
    await cache.set('pred:b', '3', 60);
    await cache.deletePrefix('market:us-east-1:');
    expect(await cache.get('market:us-east-1:x')).toBeUndefined();
    expect(await cache.get('market:us-east-1:y')).toBeUndefined();
    expect(await cache.get('pred:b')).toBe('3');
  });
});

describe('MemoryCache', () => {
  it('evicts the least recently used entry beyond its size', async () => {
    const cache = new MemoryCache(new ManualClock(0), 2);
    await cache.set('a', '1', 60);
    await cache.set('b', '2', 60);
    await cache.get('a');
    await cache.set('c', '3', 60);
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBe('1');
  });
});

describe('RedisCache when Redis is down', () => {
  it('misses and skips instead of failing', async () => {
    const cache = await RedisCache.open('redis://127.0.0.1:1', silentLogger, undefined, 500);
    await cache.set('k', 'v', 60);
    expect(await cache.get('k')).toBeUndefined();
    await cache.deletePrefix('k');
    await cache.close();
  });
});
