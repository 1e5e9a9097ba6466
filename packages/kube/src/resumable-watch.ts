/**
 * A list-then-watch loop over one Kubernetes collection (the core of an informer): start from a SYNC of the
 * current list (or resume after a given resourceVersion), deliver ADDED/MODIFIED/DELETED in order, follow
 * BOOKMARKs, reconnect from the last resourceVersion after the connection drops (after `reconnectDelayMs` of
 * clock time), and re-list (a new SYNC) when the server says 410 Gone (the resourceVersion is too old).
 */
import type { Clock, Logger } from '@cloudoptim/runtime';
import { httpStatusOf } from './kube-errors.ts';
import { MalformedObject } from './kube-objects.ts';
import type { KubeWatch, KubeWatchEvent } from './kube-types.ts';

/** Opens one watch connection; `done` is called once when it ends (null = closed by the server). */
export type OpenWatch = (
  resourceVersion: string,
  onLine: (type: string, object: unknown) => void,
  done: (err: unknown) => void,
) => Promise<{ abort(): void }>;

export interface ResumableWatchOptions<T> {
  /** Lists the collection: raw objects and the list's resourceVersion (give this or `listMapped`). */
  list?(): Promise<{ items: unknown[]; resourceVersion: string }>;
  /**
   * Lists the collection already mapped (malformed objects skipped), page by page, so a large collection never
   * holds every raw object at once; preferred over `list`.
   */
  listMapped?(): Promise<{ objects: T[]; resourceVersion: string }>;
  open: OpenWatch;
  /** Raw object → domain object. @throws MalformedObject to skip it */
  map(raw: unknown): T;
  onEvent(event: KubeWatchEvent<T>): void;
  clock: Clock;
  log: Logger;
  reconnectDelayMs: number;
  resourceVersion?: string;
}

function rvOf(obj: unknown): string | undefined {
  const rv = (obj as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion;
  return typeof rv === 'string' && rv !== '' ? rv : undefined;
}

/** Starts the loop; resolves once the first SYNC (if any) was delivered and the first connection is opening. */
export async function startResumableWatch<T>(o: ResumableWatchOptions<T>): Promise<KubeWatch> {
  const stopper = new AbortController();
  let rv = o.resourceVersion;
  let connection: { abort(): void } | undefined;
  let generation = 0;
  let loop: Promise<void> = Promise.resolve();

  const listObjects = async (): Promise<{ objects: T[]; resourceVersion: string }> => {
    if (o.listMapped) return o.listMapped();
    if (!o.list) throw new Error('a resumable watch needs list or listMapped');
    const { items, resourceVersion } = await o.list();
    const objects: T[] = [];
    for (const raw of items) {
      try {
        objects.push(o.map(raw));
      } catch (err) {
        if (!(err instanceof MalformedObject)) throw err;
        o.log.warn({ object: err.objectName, reason: err.message }, 'watch: skipping a malformed object');
      }
    }
    return { objects, resourceVersion };
  };

  const resync = async (): Promise<void> => {
    const { objects, resourceVersion } = await listObjects();
    if (stopper.signal.aborted) return;
    rv = resourceVersion;
    o.onEvent({ type: 'SYNC', objects, resourceVersion });
  };

  const connect = async (): Promise<void> => {
    if (stopper.signal.aborted) return;
    const gen = ++generation;
    let gone = false;
    const ended = (err: unknown) => {
      if (gen !== generation || stopper.signal.aborted) return;
      generation++; // ignore anything this connection still delivers
      if (gone || httpStatusOf(err) === 410) {
        o.log.info({ resourceVersion: rv }, 'watch: resourceVersion too old (410 Gone), re-listing');
        loop = loop.then(() => relistAndConnect(true));
      } else {
        if (err) o.log.warn({ err: String(err), resourceVersion: rv }, 'watch: connection ended, resuming');
        loop = loop.then(() => relistAndConnect(false));
      }
    };
    connection = await o.open(
      rv ?? '0',
      (type, obj) => {
        if (gen !== generation || stopper.signal.aborted) return;
        if (type === 'ERROR') {
          const code = (obj as { code?: unknown } | null)?.code;
          if (code === 410) gone = true;
          else o.log.warn({ status: obj }, 'watch: error event');
          return;
        }
        const objectRv = rvOf(obj);
        if (type === 'BOOKMARK') {
          if (objectRv) rv = objectRv;
          return;
        }
        if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') return;
        if (objectRv) rv = objectRv;
        try {
          o.onEvent({ type, object: o.map(obj), resourceVersion: objectRv ?? rv ?? '' });
        } catch (err) {
          if (!(err instanceof MalformedObject)) throw err;
          o.log.warn({ object: err.objectName, reason: err.message }, 'watch: skipping a malformed object');
        }
      },
      ended,
    );
    if (stopper.signal.aborted) connection.abort();
  };

  /** After a connection ended: wait (unless re-listing after a 410), re-list if needed, reconnect; retry on failure. */
  const relistAndConnect = async (relist: boolean): Promise<void> => {
    let wait = !relist;
    for (;;) {
      if (stopper.signal.aborted) return;
      try {
        if (wait) await o.clock.sleep(o.reconnectDelayMs, stopper.signal);
        wait = true;
        if (relist || rv === undefined) {
          await resync();
          relist = false;
        }
        await connect();
        return;
      } catch (err) {
        if (stopper.signal.aborted) return;
        o.log.warn({ err: String(err) }, 'watch: re-list or reconnect failed, retrying');
      }
    }
  };

  if (rv === undefined) await resync();
  await connect();

  return {
    get resourceVersion() {
      return rv;
    },
    async stop() {
      stopper.abort(new Error('watch stopped'));
      generation++;
      connection?.abort();
      await loop.catch(() => {});
    },
  };
}
