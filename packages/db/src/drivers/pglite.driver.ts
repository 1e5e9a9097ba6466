import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { RawConnection, RawDriver, RawRow } from './driver.ts';

function transactionConnection(tx: Transaction): RawConnection {
  const conn: RawConnection = {
    query: async <R = RawRow>(text: string, params: readonly unknown[] = []) => (await tx.query(text, [...params])).rows as R[],
    exec: async (text) => {
      await tx.exec(text);
    },
    // Already inside a transaction: run in it (PGlite has no nested BEGIN).
    transaction: (fn) => fn(conn),
  };
  return conn;
}

/**
 * Opens PGlite in `dataDir` (created by PGlite when missing), or in memory when `dataDir` is undefined.
 * The caller must hold the data directory lock first (see `acquireDataDirLock`). `searchPath` (a validated
 * identifier) is set on its single session.
 */
export async function openPgliteDriver(dataDir: string | undefined, searchPath?: string): Promise<{ driver: RawDriver; client: PGlite }> {
  const client = dataDir === undefined ? await PGlite.create() : await PGlite.create({ dataDir });
  if (searchPath !== undefined) await client.exec(`SET search_path TO ${searchPath}`);
  const conn: RawConnection = {
    query: async <R = RawRow>(text: string, params: readonly unknown[] = []) => (await client.query(text, [...params])).rows as R[],
    exec: async (text) => {
      await client.exec(text);
    },
    transaction: (fn) => client.transaction((tx) => fn(transactionConnection(tx))),
  };
  const driver: RawDriver = {
    kind: 'pglite',
    query: conn.query,
    // PGlite is a single session: every caller shares it (its own mutex serialises queries and transactions).
    withConnection: (fn) => fn(conn),
    // In-process: the LISTEN cannot drop, so there is no reconnect to report.
    listen: (channel, onPayload) => client.listen(channel, onPayload),
    close: () => client.close(),
  };
  return { driver, client };
}
