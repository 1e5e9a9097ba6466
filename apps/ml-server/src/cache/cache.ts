/**
 * A small string cache for answers worth keeping a few minutes (predictions, store coverage): Redis when
 * REDIS_URL is set (shared by the replicas), in-process otherwise. A cache is an optimisation: a failing Redis
 * turns gets into misses and sets into no-ops (logged), never into failed requests.
 */
import type { Clock } from '@cloudoptim/runtime';

export interface Cache {
  readonly kind: 'memory' | 'redis';
  /** The value, or undefined when absent, expired or the cache is unreachable. */
  get(key: string): Promise<string | undefined>;
  /** Stores `value` for `ttlSeconds`. */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Removes every key starting with `prefix`. */
  deletePrefix(prefix: string): Promise<void>;
  close(): Promise<void>;
}

/** Values larger than this are not cached (a 10,000-pool batch answer is a few MB: recomputing is cheaper). */
export const MAX_CACHED_VALUE_BYTES = 1024 * 1024;

/** An in-process LRU with expiry on the clock. */
export class MemoryCache implements Cache {
  readonly kind = 'memory' as const;
  private readonly entries = new Map<string, { value: string; expiresMs: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly maxEntries = 10_000,
  ) {}

  async get(key: string): Promise<string | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresMs <= this.clock.now()) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    if (value.length > MAX_CACHED_VALUE_BYTES) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresMs: this.clock.now() + ttlSeconds * 1000 });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  async deletePrefix(prefix: string): Promise<void> {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.entries.delete(key);
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}
