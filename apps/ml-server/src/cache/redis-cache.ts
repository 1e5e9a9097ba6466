/**
 * The {@link Cache} over Redis (ioredis): keys under a namespace prefix, TTL per key, prefix deletion with
 * SCAN (never KEYS). Commands fail fast while Redis is down (no offline queue), and failures are misses.
 */
import { Redis } from 'ioredis';
import type { Logger } from '@cloudoptim/runtime';
import { type Cache, MAX_CACHED_VALUE_BYTES } from './cache.ts';

export class RedisCache implements Cache {
  readonly kind = 'redis' as const;
  private readonly redis: Redis;

  /**
   * Connects (waiting up to `waitMs` for the first connection; an unreachable Redis is logged and the cache
   * starts as all misses, reconnecting in the background).
   */
  static async open(url: string, log: Logger, namespace?: string, waitMs = 2000): Promise<RedisCache> {
    const cache = new RedisCache(url, log, namespace);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, waitMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      cache.redis.once('ready', done);
      cache.redis.once('error', done);
    });
    return cache;
  }

  /** `url`: `redis://host:port/db`; `namespace` prefixes every key (default `cloudoptim:ml:`). */
  private constructor(
    url: string,
    private readonly log: Logger,
    private readonly namespace = 'cloudoptim:ml:',
  ) {
    this.redis = new Redis(url, { lazyConnect: false, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 });
    // Without a listener ioredis reports connection errors as unhandled; they are logged and retried instead.
    this.redis.on('error', (error: Error) => this.log.warn({ err: error.message }, 'Redis cache connection failed'));
  }

  async get(key: string): Promise<string | undefined> {
    try {
      return (await this.redis.get(this.namespace + key)) ?? undefined;
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, 'Redis cache get failed; treated as a miss');
      return undefined;
    }
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    if (value.length > MAX_CACHED_VALUE_BYTES) return;
    try {
      await this.redis.set(this.namespace + key, value, 'EX', Math.max(1, Math.round(ttlSeconds)));
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, 'Redis cache set failed; not cached');
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    try {
      let cursor = '0';
      do {
        const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${escapeGlob(this.namespace + prefix)}*`, 'COUNT', 500);
        if (keys.length > 0) await this.redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, 'Redis cache invalidation failed');
    }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
