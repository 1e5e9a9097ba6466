/** A row returned by a raw query: column name → value as the driver parsed it. */
export type RawRow = Record<string, unknown>;

/** One connection (or the single PGlite session) that raw SQL can run on. */
export interface RawConnection {
  /** One statement with `$1…$n` placeholders. */
  query<R = RawRow>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /** Several statements, no parameters (a migration file). */
  exec(text: string): Promise<void>;
  /** Runs `fn` inside BEGIN … COMMIT on this connection; ROLLBACK when it throws. */
  transaction<T>(fn: (conn: RawConnection) => Promise<T>): Promise<T>;
}

/**
 * The low-level driver behind a `Database`: raw SQL, a pinned connection for session-level work
 * (advisory locks), and close. Internal to the package.
 */
export interface RawDriver extends Pick<RawConnection, 'query'> {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` with one connection held for its whole duration (same session for lock and unlock). */
  withConnection<T>(fn: (conn: RawConnection) => Promise<T>): Promise<T>;
  /**
   * LISTEN on `channel`; `onPayload` gets each NOTIFY payload; `onReconnect` is called when the LISTEN is back
   * after its connection dropped (notifications sent in between are lost). Resolves to the UNLISTEN function.
   */
  listen(channel: string, onPayload: (payload: string) => void, onReconnect?: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
