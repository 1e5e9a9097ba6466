import pg from 'pg';
import type { DbLogger } from '../logger.ts';
import type { RawConnection, RawDriver, RawRow } from './driver.ts';

function clientConnection(client: pg.PoolClient, inTransaction: boolean): RawConnection {
  const conn: RawConnection = {
    query: async <R = RawRow>(text: string, params: readonly unknown[] = []) => (await client.query(text, [...params])).rows as R[],
    exec: async (text) => {
      await client.query(text);
    },
    transaction: async (fn) => {
      if (inTransaction) return fn(conn);
      await client.query('BEGIN');
      try {
        const result = await fn(clientConnection(client, true));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    },
  };
  return conn;
}

/** Options of the node-postgres pool. */
export interface PostgresDriverOptions {
  connectionString: string;
  /** Pool size (default 10). */
  maxConnections?: number;
  /** The session search_path of every pooled connection (a validated identifier). */
  searchPath?: string;
  log: DbLogger;
}

/** Opens a node-postgres Pool on `connectionString`. Connections are made lazily; the caller pings. */
export function openPostgresDriver(options: PostgresDriverOptions): { driver: RawDriver; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 10, ...(options.searchPath !== undefined && { options: `-c search_path=${options.searchPath}` }) });
  // An idle client losing its connection emits 'error' on the pool; unhandled it would crash the process.
  pool.on('error', (error) => options.log.warn({ err: error.message }, 'idle PostgreSQL connection failed'));
  const listeners = new Set<() => Promise<void>>();
  const listenOn = async (opts: PostgresDriverOptions, channel: string, onPayload: (payload: string) => void, onReconnect?: () => void) => {
    const stop = await openListener(opts, channel, onPayload, onReconnect);
    const tracked = async () => {
      listeners.delete(tracked);
      await stop();
    };
    listeners.add(tracked);
    return tracked;
  };
  const driver: RawDriver = {
    kind: 'postgres',
    query: async <R = RawRow>(text: string, params: readonly unknown[] = []) => (await pool.query(text, [...params])).rows as R[],
    withConnection: async (fn) => {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        return await fn(clientConnection(client, false));
      } catch (error) {
        broken = error instanceof Error ? error : undefined;
        throw error;
      } finally {
        // A connection that failed mid-way may still hold a session lock or an open transaction: destroy it.
        client.release(broken);
      }
    },
    listen: (channel, onPayload, onReconnect) => listenOn(options, channel, onPayload, onReconnect),
    close: async () => {
      await Promise.all([...listeners].map((stop) => stop()));
      await pool.end();
    },
  };
  return { driver, pool };
}

/**
 * A LISTEN needs its own session for as long as it lasts, so it gets a dedicated client outside the pool. When
 * that connection drops it is reopened, with backoff (1 s doubling to 30 s), until it is back or the listener is
 * stopped: a server restart can take longer than one attempt. Notifications sent meanwhile are lost: listeners
 * treat a NOTIFY as a hint to re-read, never as the data itself.
 */
async function openListener(options: PostgresDriverOptions, channel: string, onPayload: (payload: string) => void, onReconnect?: () => void): Promise<() => Promise<void>> {
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const quoted = `"${channel.replace(/"/g, '""')}"`;
  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: options.connectionString });
    next.on('notification', (message) => {
      if (message.channel === channel) onPayload(message.payload ?? '');
    });
    let lost = false;
    next.on('error', (error) => {
      if (lost) return;
      lost = true;
      options.log.warn({ err: error.message, channel }, 'LISTEN connection failed; reconnecting');
      void next.end().catch(() => {});
      reconnect(1000);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${quoted}`);
    } catch (error) {
      lost = true;
      void next.end().catch(() => {});
      throw error;
    }
    client = next;
    if (stopped) await next.end().catch(() => {});
  };
  const reconnect = (delayMs: number): void => {
    if (stopped) return;
    retry = setTimeout(() => {
      connect().then(
        () => {
          options.log.info({ channel }, 'LISTEN connection restored');
          onReconnect?.();
        },
        (error: unknown) => {
          options.log.warn({ err: error instanceof Error ? error.message : String(error), channel, retry_in_ms: Math.min(delayMs * 2, 30_000) }, 'LISTEN reconnect failed');
          reconnect(Math.min(delayMs * 2, 30_000));
        },
      );
    }, delayMs);
    retry.unref();
  };
  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => {});
  };
}
