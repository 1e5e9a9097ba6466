/**
 * The simulator's in-memory Kubernetes object store: what etcd plus the apiserver's registry do, usable
 * directly in-process by controllers (no HTTP) and served over HTTP by `createKubeApiServer`.
 *
 * Semantics (matching the apiserver where clients can tell):
 * - Objects are keyed by (resource, namespace, name); a resource is a {@link ResourceId} (`"pods"`,
 *   `"apps/deployments"`). One global, monotonically increasing resourceVersion counter covers every write.
 * - The store sets `uid`, `creationTimestamp`, `resourceVersion` and `generation` (incremented when anything
 *   outside metadata and status changes); clients cannot change them, nor `deletionTimestamp`.
 * - Stored objects are **deeply frozen** and handed out as is (no copy per read, which matters at 10,000
 *   pods): clone before editing (`structuredClone`) or use {@link ObjectStore.mutate}, which does it for you.
 * - `update` with a `metadata.resourceVersion` that is not the current one throws 409 Conflict; without one,
 *   it is unconditional (as the apiserver allows for built-in resources).
 * - For resources with a `status` subresource, a main-resource update keeps the stored status and a status
 *   update keeps the stored spec (`{subresource: 'status'}`).
 * - Deletion: an object with finalizers gets a `deletionTimestamp` and stays until an update removes the last
 *   finalizer. A **pod bound to a node** deleted with a grace period > 0 gets `deletionTimestamp` =
 *   now + grace and `deletionGracePeriodSeconds`, and stays until the node side finishes it with
 *   {@link ObjectStore.finishPodTermination} (or `delete(..., {gracePeriodSeconds: 0})`). The node side is
 *   whoever registered {@link ObjectStore.onPodGracefulDelete}; **with no handler registered, pods are removed
 *   at once** (there is no kubelet to wait for). Unbound or finished (Succeeded/Failed) pods go at once.
 * - On removal, dependents (objects whose `ownerReferences` name the removed uid) are deleted in the
 *   background, or orphaned with `propagationPolicy: 'Orphan'`. `Foreground` is treated as `Background`.
 *   Deleting a namespace deletes everything in it.
 * - Creating a namespaced object in a namespace that does not exist is a 404, as with the NamespaceLifecycle
 *   admission plugin. `default`, `kube-system`, `kube-public` and `kube-node-lease` exist from the start.
 * - Watches: events are delivered synchronously, in resourceVersion order, right after the write; a listener
 *   that writes to the store has its events queued behind the current one (never re-entrant). Each resource
 *   keeps a bounded history (`historyLimit` events) so a watch can resume from a resourceVersion; resuming from
 *   one older than the history throws 410 Gone (`reason: 'Expired'`). Selector transitions are reported as the
 *   apiserver does: an object that stops matching is a DELETED event, one that starts matching an ADDED one.
 *
 * Errors are {@link KubeApiError}s (NotFound, AlreadyExists, Conflict, Invalid, BadRequest, Gone) carrying
 * the wire `Status` the HTTP layer answers with.
 */
import type { Clock, Logger } from '@cloudoptim/runtime';
import { alreadyExists, badRequest, conflict, KubeApiError, notFound } from './errors.ts';
import { applyPatch, type PatchType } from './patch.ts';
import { apiVersionOf, resourceInfo, type ResourceId, type ResourceInfo } from './resources.ts';
import {
  fieldValue,
  parseFieldSelector,
  parseLabelSelector,
  type FieldSelector,
  type LabelSelector,
} from './selectors.ts';
import type { KubeObject, NewObject, Node, ObjectMeta, Pod } from './types.ts';
import { applyDefaults, validateObject } from './validation.ts';

/** A change delivered to watchers. `resourceVersion` is the numeric form of `object.metadata.resourceVersion`. */
export interface StoreEvent<T extends KubeObject = KubeObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: T;
  resourceVersion: number;
}

export interface ListOptions {
  /** Only this namespace; all namespaces when absent. */
  namespace?: string;
  /** A selector string (`app=web,tier!=db`) or a parsed one. */
  labelSelector?: string | LabelSelector;
  /** A selector string (`spec.nodeName=n1`) or a parsed one. */
  fieldSelector?: string | FieldSelector;
  /** Page size; 0 or absent = everything. */
  limit?: number;
  /** The `continue` token of the previous page. */
  continue?: string;
}

export interface ListResult<T extends KubeObject = KubeObject> {
  items: T[];
  /** The store's resourceVersion when the list was taken: start a watch from it. */
  resourceVersion: string;
  /** Set when more items remain. */
  continue?: string;
  remainingItemCount?: number;
}

export interface WatchOptions extends Omit<ListOptions, 'limit' | 'continue'> {
  /**
   * Start point. Absent or `"0"`: synthetic ADDED events for every current object, then changes.
   * Otherwise: every change after this version (from history).
   * @throws KubeApiError 410 Gone (reason `Expired`) when the history no longer reaches back that far.
   */
  resourceVersion?: string;
}

/** A running watch. */
export interface StoreWatch {
  stop(): void;
}

export interface DeleteOptions {
  /** Seconds; pods default to `spec.terminationGracePeriodSeconds` (30). 0 = now. */
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
}

export interface DeleteResult<T extends KubeObject = KubeObject> {
  /** The object as deleted (removed) or as it now stands (deletion pending). */
  object: T;
  /** true if the object is gone; false if it waits for finalizers or for its grace period. */
  removed: boolean;
}

export interface WriteOptions {
  /** `'status'`: write only the status (a `/status` subresource call). */
  subresource?: 'status';
  /** Skip validation and defaulting (controllers writing objects they built themselves may want speed). */
  skipValidation?: boolean;
  /**
   * In-process only: write spec and status together in one write (one resourceVersion, one event), as the
   * apiserver's own subresources such as `pods/binding` do. The HTTP layer never sets it.
   */
  allFields?: boolean;
}

/** Called when a bound pod starts graceful termination. The handler must later call `finishPodTermination`. */
export type PodGracefulDeleteHandler = (pod: Pod, gracePeriodSeconds: number) => void;

export interface ObjectStoreOptions {
  clock: Clock;
  /** Uniform [0,1) source for uids and generateName suffixes: pass a seeded one for reproducible runs. */
  random?: () => number;
  /** Events kept per resource for watch resume. Default 10,000. */
  historyLimit?: number;
  log?: Logger;
  /** Create the usual namespaces at start (default true). */
  bootstrapNamespaces?: boolean;
}

interface Watcher {
  namespace: string | undefined;
  label: LabelSelector | undefined;
  field: FieldSelector | undefined;
  listener: (event: StoreEvent) => void;
  stopped: boolean;
}

interface HistoryEntry {
  type: StoreEvent['type'];
  object: KubeObject;
  previous: KubeObject | undefined;
  rv: number;
}

interface Bucket {
  info: ResourceInfo;
  id: ResourceId;
  objects: Map<string, KubeObject>;
  watchers: Set<Watcher>;
  history: HistoryEntry[];
  /** Index of the first live entry in `history` (entries before it were dropped; compacted lazily). */
  historyStart: number;
  /** Highest resourceVersion dropped from the history: a resume from below it is 410 Gone. */
  compactedThrough: number;
  /** Keys in sorted order; rebuilt lazily after an insert or removal. */
  sortedKeys: string[] | undefined;
  /** Pods only: `spec.nodeName` ('' when unbound) → keys, for the field selectors kubelets and schedulers use. */
  byNode: Map<string, Set<string>> | undefined;
}

const DNS_SUFFIX_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

/** The in-memory object store. See the file header for its semantics. */
export class ObjectStore {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly historyLimit: number;
  private readonly log: Logger | undefined;
  private readonly buckets = new Map<ResourceId, Bucket>();
  /** owner uid → set of `resourceId\u0000key` of dependents. */
  private readonly dependents = new Map<string, Set<string>>();
  private rv = 0;
  private readonly queue: Array<() => void> = [];
  private dispatching = false;
  private gracefulHandler: PodGracefulDeleteHandler | undefined;

  /** Typed helpers for pods (namespaced). */
  readonly pods: PodClient;
  /** Typed helpers for nodes (cluster-scoped). */
  readonly nodes: ResourceClient<Node>;

  constructor(options: ObjectStoreOptions) {
    this.clock = options.clock;
    this.random = options.random ?? mulberry32(0x5eed);
    this.historyLimit = Math.max(1, options.historyLimit ?? 10_000);
    this.log = options.log;
    this.pods = new PodClient(this);
    this.nodes = new ResourceClient<Node>(this, 'nodes');
    if (options.bootstrapNamespaces !== false) {
      for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
        this.create('namespaces', { metadata: { name } });
      }
    }
  }

  /** The current (latest) resourceVersion, as a string. */
  get resourceVersion(): string {
    return String(this.rv);
  }

  /** The current time from the injected clock, formatted as the apiserver writes timestamps. */
  timestamp(offsetMs = 0): string {
    return formatTime(this.clock.now() + offsetMs);
  }

  /** A typed view of any resource. */
  resource<T extends KubeObject = KubeObject>(id: ResourceId): ResourceClient<T> {
    this.bucket(id);
    return new ResourceClient<T>(this, id);
  }

  /** Reads one object (frozen), or undefined. `namespace` is ignored for cluster-scoped resources. */
  get<T extends KubeObject = KubeObject>(id: ResourceId, namespace: string | undefined, name: string): T | undefined {
    const b = this.bucket(id);
    return b.objects.get(keyOf(b.info, namespace, name)) as T | undefined;
  }

  /** Reads one object or throws 404 NotFound. */
  getOrThrow<T extends KubeObject = KubeObject>(id: ResourceId, namespace: string | undefined, name: string): T {
    const obj = this.get<T>(id, namespace, name);
    if (!obj) {
      const b = this.bucket(id);
      throw notFound(b.info.resource, name, b.info.group);
    }
    return obj;
  }

  /** Lists objects (frozen), sorted by namespace then name, filtered and paged. */
  list<T extends KubeObject = KubeObject>(id: ResourceId, options: ListOptions = {}): ListResult<T> {
    const b = this.bucket(id);
    const label = this.labelSelector(options.labelSelector);
    const field = this.fieldSelector(b, options.fieldSelector);
    const ns = b.info.namespaced ? options.namespace || undefined : undefined;
    let after: string | undefined;
    let listRv = this.rv;
    if (options.continue) {
      const token = decodeContinue(options.continue);
      after = token.start;
      listRv = token.rv;
    }
    const keys = this.candidateKeys(b, ns, field);
    const items: T[] = [];
    const limit = options.limit && options.limit > 0 ? options.limit : Infinity;
    let lastKey: string | undefined;
    let remaining = 0;
    for (const key of keys) {
      if (after !== undefined && key <= after) continue;
      const obj = b.objects.get(key)!;
      if (!this.matches(b, obj, ns, label, field)) continue;
      if (items.length < limit) {
        items.push(obj as T);
        lastKey = key;
      } else remaining++;
    }
    const result: ListResult<T> = { items, resourceVersion: String(listRv) };
    if (remaining > 0 && lastKey !== undefined) {
      result.continue = encodeContinue(listRv, lastKey);
      result.remainingItemCount = remaining;
    }
    return result;
  }

  /**
   * Creates an object. Server-managed metadata is assigned; `generateName` is honoured; `apiVersion`/`kind`
   * are filled in. Status is kept as given (controllers create nodes with status; the HTTP layer strips
   * status where the apiserver would).
   * @throws KubeApiError 409 AlreadyExists, 404 if the namespace does not exist, 422 Invalid.
   */
  create<T extends KubeObject = KubeObject>(id: ResourceId, input: NewObject<T> | T, options: WriteOptions = {}): T {
    const b = this.bucket(id);
    this.assertWritable(b);
    const obj = cloneJson(input) as KubeObject;
    obj.apiVersion = apiVersionOf(b.info);
    obj.kind = b.info.kind;
    const meta = (obj.metadata ?? {}) as ObjectMeta;
    obj.metadata = meta;
    if (!meta.name && meta.generateName) meta.name = meta.generateName + this.suffix();
    if (b.info.namespaced) {
      meta.namespace = meta.namespace || 'default';
      if (!this.get('namespaces', undefined, meta.namespace)) throw notFound('namespaces', meta.namespace);
    } else {
      delete meta.namespace;
    }
    if (!options.skipValidation) {
      applyDefaults(b.info, obj);
      validateObject(b.info, obj);
    }
    const key = keyOf(b.info, meta.namespace, meta.name);
    if (b.objects.has(key)) throw alreadyExists(b.info.resource, meta.name, b.info.group);
    meta.uid = this.uid();
    meta.creationTimestamp = this.timestamp();
    meta.generation = 1;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    meta.resourceVersion = String(++this.rv);
    deepFreeze(obj);
    b.objects.set(key, obj);
    b.sortedKeys = undefined;
    this.indexOwners(b, key, undefined, obj);
    this.indexNode(b, key, undefined, obj);
    this.record(b, 'ADDED', obj, undefined);
    if (id === 'namespaces') this.bootstrapNamespace(meta.name);
    return obj as T;
  }

  /**
   * Replaces an object (PUT). `metadata.resourceVersion`, when set, must be current (409 Conflict otherwise).
   * Removing the last finalizer of an object being deleted removes it.
   * @throws KubeApiError 404, 409 Conflict, 422 Invalid.
   */
  update<T extends KubeObject = KubeObject>(id: ResourceId, input: T, options: WriteOptions = {}): T {
    return this.write<T>(id, cloneJson(input) as KubeObject, options);
  }

  /** `update` for an object the store may take ownership of (already a private, mutable copy). */
  private write<T extends KubeObject>(id: ResourceId, incoming: KubeObject, options: WriteOptions): T {
    const b = this.bucket(id);
    this.assertWritable(b);
    const name = incoming.metadata?.name;
    if (!name) throw badRequest('name is required');
    const key = keyOf(b.info, incoming.metadata.namespace ?? 'default', name);
    const old = b.objects.get(key);
    if (!old) throw notFound(b.info.resource, name, b.info.group);
    const wanted = incoming.metadata.resourceVersion;
    if (wanted && wanted !== old.metadata.resourceVersion) {
      throw conflict(b.info.resource, name, 'the object has been modified; please apply your changes to the latest version and try again', b.info.group);
    }
    if (incoming.metadata.uid && incoming.metadata.uid !== old.metadata.uid) {
      throw conflict(b.info.resource, name, `Precondition failed: UID in precondition: ${incoming.metadata.uid}, UID in object meta: ${old.metadata.uid}`, b.info.group);
    }
    let next: KubeObject;
    const statusWrite = options.subresource === 'status';
    // Stored objects are frozen, so unchanged parts are shared between versions instead of copied.
    const keepStatus = !statusWrite && b.info.subresources.includes('status') && b.info.resource !== 'namespaces' && !options.allFields;
    if (statusWrite) {
      // A status write changes only status (and, as the apiserver allows, nothing in spec or metadata).
      next = { ...old, metadata: { ...old.metadata } };
      if (incoming.status === undefined) delete next.status;
      else next.status = incoming.status;
    } else {
      next = incoming;
      next.apiVersion = old.apiVersion;
      next.kind = old.kind;
      if (!options.skipValidation) {
        applyDefaults(b.info, next);
        validateObject(b.info, next);
      }
      // After defaulting, which must not touch the (frozen, shared) stored status.
      if (keepStatus) {
        if (old.status === undefined) delete next.status;
        else next.status = old.status;
      }
    }
    const meta = next.metadata;
    // Server-managed metadata is immutable from the client's side.
    meta.name = old.metadata.name;
    if (b.info.namespaced) meta.namespace = old.metadata.namespace!;
    else delete meta.namespace;
    meta.uid = old.metadata.uid;
    meta.creationTimestamp = old.metadata.creationTimestamp;
    if (old.metadata.deletionTimestamp) meta.deletionTimestamp = old.metadata.deletionTimestamp;
    else delete meta.deletionTimestamp;
    if (old.metadata.deletionGracePeriodSeconds !== undefined)
      meta.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
    else delete meta.deletionGracePeriodSeconds;
    meta.generation = old.metadata.generation ?? 1;
    const specSame = statusWrite || specText(old) === specText(next);
    if (!specSame) meta.generation += 1;
    if (old.metadata.deletionTimestamp && (meta.finalizers?.length ?? 0) > (old.metadata.finalizers?.length ?? 0)) {
      const added = (meta.finalizers ?? []).filter((f) => !(old.metadata.finalizers ?? []).includes(f));
      if (added.length > 0) {
        throw new KubeApiError('Forbidden', `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`);
      }
    }
    const statusSame = keepStatus || JSON.stringify(old.status) === JSON.stringify(next.status);
    if (specSame && statusSame && (statusWrite || metaText(old) === metaText(next))) return old as T;
    meta.resourceVersion = String(++this.rv);
    deepFreeze(next);
    b.objects.set(key, next);
    this.indexOwners(b, key, old, next);
    this.indexNode(b, key, old, next);
    this.record(b, 'MODIFIED', next, old);
    if (meta.deletionTimestamp && (meta.finalizers?.length ?? 0) === 0 && (meta.deletionGracePeriodSeconds ?? 0) === 0) {
      this.remove(b, key, 'Background');
      return this.lastRemoved as T;
    }
    return next as T;
  }

  /**
   * Read-modify-write in-process: `fn` receives a mutable copy (edit it in place or return a new object).
   * Returns the stored result.
   * @throws KubeApiError 404, 422.
   */
  mutate<T extends KubeObject = KubeObject>(
    id: ResourceId,
    namespace: string | undefined,
    name: string,
    fn: (draft: T) => T | void,
    options: WriteOptions = {},
  ): T {
    const current = this.getOrThrow<T>(id, namespace, name);
    const draft = cloneJson(current) as T;
    const result = fn(draft) ?? draft;
    result.metadata.resourceVersion = current.metadata.resourceVersion;
    return this.write<T>(id, result, options);
  }

  /**
   * Applies a patch (`merge`, `strategic` or `json`) with the apiserver's semantics and stores the result.
   * A patch that leaves the object unchanged writes nothing (no new resourceVersion, no event).
   * @throws KubeApiError 400 (bad patch), 404, 409 (resourceVersion precondition in the patch), 422.
   */
  patch<T extends KubeObject = KubeObject>(
    id: ResourceId,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    options: WriteOptions = {},
  ): T {
    const current = this.getOrThrow<T>(id, namespace, name);
    const patched = applyPatch(type, cloneJson(current), patch, this.bucket(id).info.kind) as T;
    if (!patched || typeof patched !== 'object' || Array.isArray(patched)) throw badRequest('patch did not produce an object');
    patched.metadata = (patched.metadata ?? {}) as ObjectMeta;
    // A patch may carry a resourceVersion (optimistic lock); otherwise it applies to the current object.
    if (!patched.metadata.resourceVersion) patched.metadata.resourceVersion = current.metadata.resourceVersion;
    patched.metadata.name = current.metadata.name;
    if (current.metadata.namespace) patched.metadata.namespace = current.metadata.namespace;
    return this.write<T>(id, patched, options);
  }

  /**
   * Requests deletion. See the file header for finalizers, pod grace periods and propagation.
   * @throws KubeApiError 404, 409 (precondition failed).
   */
  delete<T extends KubeObject = KubeObject>(
    id: ResourceId,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ): DeleteResult<T> {
    const b = this.bucket(id);
    this.assertWritable(b);
    const key = keyOf(b.info, namespace, name);
    const obj = b.objects.get(key);
    if (!obj) throw notFound(b.info.resource, name, b.info.group);
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== obj.metadata.uid) {
      throw conflict(b.info.resource, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`, b.info.group);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
      throw conflict(b.info.resource, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`, b.info.group);
    }
    const policy = options.propagationPolicy ?? 'Background';
    let grace = 0;
    if (id === 'pods') grace = this.podGrace(obj as Pod, options.gracePeriodSeconds);
    const hasFinalizers = (obj.metadata.finalizers?.length ?? 0) > 0;
    const existingGrace = obj.metadata.deletionGracePeriodSeconds;

    if (grace > 0) {
      // Graceful pod deletion: mark it and let the node side finish. A repeated delete may only shorten it.
      if (obj.metadata.deletionTimestamp && existingGrace !== undefined && existingGrace <= grace) {
        return { object: obj as T, removed: false };
      }
      const next = this.writeDeletionMark(b, key, obj, grace);
      const handler = this.gracefulHandler;
      if (handler) this.enqueue(() => handler(next as Pod, grace));
      return { object: next as T, removed: false };
    }
    if (hasFinalizers) {
      if (obj.metadata.deletionTimestamp && (existingGrace ?? 0) === 0) return { object: obj as T, removed: false };
      const next = this.writeDeletionMark(b, key, obj, id === 'pods' ? 0 : undefined);
      return { object: next as T, removed: false };
    }
    if (id === 'namespaces') this.deleteNamespaceContents(name);
    this.remove(b, key, policy);
    return { object: this.lastRemoved as T, removed: true };
  }

  /** Deletes every object matching the options (kubectl's `deletecollection`). Returns the objects as deleted. */
  deleteCollection(id: ResourceId, listOptions: ListOptions, deleteOptions: DeleteOptions = {}): KubeObject[] {
    const { items } = this.list(id, { ...listOptions, limit: 0, continue: undefined });
    const out: KubeObject[] = [];
    for (const item of items) {
      try {
        out.push(this.delete(id, item.metadata.namespace, item.metadata.name, deleteOptions).object);
      } catch (err) {
        if (!(err instanceof KubeApiError && err.reason === 'NotFound')) throw err;
      }
    }
    return out;
  }

  /**
   * Registers the node side of graceful pod termination (the behaviour engine's kubelet). It is called once
   * per pod when its graceful deletion starts (after the MODIFIED event) and must eventually call
   * {@link finishPodTermination}. Returns an unregister function. Without a handler, pods are deleted at once.
   */
  onPodGracefulDelete(handler: PodGracefulDeleteHandler): () => void {
    this.gracefulHandler = handler;
    return () => {
      if (this.gracefulHandler === handler) this.gracefulHandler = undefined;
    };
  }

  /**
   * Ends a pod's graceful termination (what the kubelet's final `delete` with grace 0 does): the pod is removed,
   * or, if it still has finalizers, waits for them with grace 0. Returns false if the pod was already gone.
   */
  finishPodTermination(namespace: string, name: string): boolean {
    const pod = this.get<Pod>('pods', namespace, name);
    if (!pod) return false;
    this.delete('pods', namespace, name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
    return true;
  }

  /**
   * Watches a resource. The listener is called synchronously for each event, in order.
   * @throws KubeApiError 410 (reason Expired) if `resourceVersion` is older than the history; 400 on bad selectors.
   */
  watch<T extends KubeObject = KubeObject>(
    id: ResourceId,
    options: WatchOptions,
    listener: (event: StoreEvent<T>) => void,
  ): StoreWatch {
    const b = this.bucket(id);
    const watcher: Watcher = {
      namespace: b.info.namespaced ? options.namespace || undefined : undefined,
      label: this.labelSelector(options.labelSelector),
      field: this.fieldSelector(b, options.fieldSelector),
      listener: listener as (event: StoreEvent) => void,
      stopped: false,
    };
    const from = options.resourceVersion && options.resourceVersion !== '0' ? Number(options.resourceVersion) : undefined;
    if (from !== undefined) {
      if (!Number.isInteger(from) || from < 0) throw badRequest(`invalid resource version: ${options.resourceVersion}`);
      if (from < b.compactedThrough) {
        throw new KubeApiError('Expired', `too old resource version: ${from} (${b.compactedThrough + 1})`);
      }
      const backlog: StoreEvent[] = [];
      for (let i = b.historyStart; i < b.history.length; i++) {
        const h = b.history[i]!;
        if (h.rv <= from) continue;
        const ev = this.translate(b, watcher, h);
        if (ev) backlog.push(ev);
      }
      for (const ev of backlog) watcher.listener(ev);
    } else {
      const initial = [...b.objects.entries()].sort(([a], [c]) => (a < c ? -1 : a > c ? 1 : 0));
      for (const [, obj] of initial) {
        if (this.matches(b, obj, watcher.namespace, watcher.label, watcher.field)) {
          watcher.listener({ type: 'ADDED', object: obj, resourceVersion: Number(obj.metadata.resourceVersion) });
        }
      }
    }
    b.watchers.add(watcher);
    return {
      stop: () => {
        watcher.stopped = true;
        b.watchers.delete(watcher);
      },
    };
  }

  /** Number of live watchers over all resources (for tests and metrics). */
  get watcherCount(): number {
    let n = 0;
    for (const b of this.buckets.values()) n += b.watchers.size;
    return n;
  }

  /** The resourceVersion below which a watch on this resource can no longer resume. */
  compactedThrough(id: ResourceId): number {
    return this.bucket(id).compactedThrough;
  }

  // ---- internals ----

  private lastRemoved: KubeObject | undefined;

  private bucket(id: ResourceId): Bucket {
    let b = this.buckets.get(id);
    if (!b) {
      const info = resourceInfo(id);
      if (!info) throw new KubeApiError('NotFound', `the server could not find the requested resource (${id})`);
      b = {
        info,
        id,
        objects: new Map(),
        watchers: new Set(),
        history: [],
        historyStart: 0,
        compactedThrough: 0,
        sortedKeys: undefined,
        byNode: id === 'pods' ? new Map() : undefined,
      };
      this.buckets.set(id, b);
    }
    return b;
  }

  private assertWritable(b: Bucket): void {
    if (b.info.virtual) throw new KubeApiError('MethodNotAllowed', `the server does not allow this method on the requested resource`);
  }

  private labelSelector(sel: string | LabelSelector | undefined): LabelSelector | undefined {
    if (sel === undefined || sel === '') return undefined;
    return typeof sel === 'string' ? parseLabelSelector(sel) : sel;
  }

  private fieldSelector(b: Bucket, sel: string | FieldSelector | undefined): FieldSelector | undefined {
    if (sel === undefined || sel === '') return undefined;
    return typeof sel === 'string' ? parseFieldSelector(sel, b.info.fieldSelectors ?? [], b.info.kind) : sel;
  }

  private matches(
    b: Bucket,
    obj: KubeObject,
    ns: string | undefined,
    label: LabelSelector | undefined,
    field: FieldSelector | undefined,
  ): boolean {
    if (ns !== undefined && obj.metadata.namespace !== ns) return false;
    if (label && !label.matches(obj.metadata.labels)) return false;
    if (field && !field.matches((f) => fieldValue(obj, f))) return false;
    void b;
    return true;
  }

  private podGrace(pod: Pod, requested: number | undefined): number {
    const phase = pod.status?.phase;
    if (!pod.spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
    const grace = requested ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    if (grace > 0 && !this.gracefulHandler) return 0;
    return Math.max(0, grace);
  }

  private writeDeletionMark(b: Bucket, key: string, obj: KubeObject, grace: number | undefined): KubeObject {
    const next: KubeObject = { ...obj, metadata: { ...obj.metadata } };
    next.metadata.deletionTimestamp = this.timestamp((grace ?? 0) * 1000);
    if (grace !== undefined) next.metadata.deletionGracePeriodSeconds = grace;
    // A graceful pod deletion bumps generation, as the apiserver does since deletionTimestamp is set.
    next.metadata.generation = (obj.metadata.generation ?? 1) + 1;
    next.metadata.resourceVersion = String(++this.rv);
    deepFreeze(next);
    b.objects.set(key, next);
    this.record(b, 'MODIFIED', next, obj);
    return next;
  }

  private remove(b: Bucket, key: string, policy: NonNullable<DeleteOptions['propagationPolicy']>): void {
    const old = b.objects.get(key)!;
    const gone: KubeObject = { ...old, metadata: { ...old.metadata } };
    gone.metadata.resourceVersion = String(++this.rv);
    deepFreeze(gone);
    b.objects.delete(key);
    b.sortedKeys = undefined;
    this.indexOwners(b, key, old, undefined);
    this.indexNode(b, key, old, undefined);
    this.record(b, 'DELETED', gone, old);
    this.lastRemoved = gone;
    this.cascade(old.metadata.uid, policy);
    this.lastRemoved = gone;
  }

  private cascade(uid: string, policy: NonNullable<DeleteOptions['propagationPolicy']>): void {
    const deps = this.dependents.get(uid);
    if (!deps || deps.size === 0) return;
    for (const ref of [...deps]) {
      const [id, key] = ref.split('\u0000') as [string, string];
      const db = this.buckets.get(id);
      const dep = db?.objects.get(key);
      if (!db || !dep) continue;
      try {
        if (policy === 'Orphan') {
          this.mutate(id, dep.metadata.namespace, dep.metadata.name, (d) => {
            d.metadata.ownerReferences = (d.metadata.ownerReferences ?? []).filter((o) => o.uid !== uid);
            if (d.metadata.ownerReferences.length === 0) delete d.metadata.ownerReferences;
          }, { skipValidation: true });
        } else if (!dep.metadata.deletionTimestamp) {
          this.delete(id, dep.metadata.namespace, dep.metadata.name, { propagationPolicy: 'Background' });
        }
      } catch (err) {
        this.log?.warn({ err, id, key }, 'garbage collection of a dependent failed');
      }
    }
  }

  private deleteNamespaceContents(ns: string): void {
    for (const b of this.buckets.values()) {
      if (!b.info.namespaced || b.info.virtual) continue;
      for (const obj of [...b.objects.values()]) {
        if (obj.metadata.namespace !== ns || obj.metadata.deletionTimestamp) continue;
        try {
          this.delete(b.id, ns, obj.metadata.name, { propagationPolicy: 'Background' });
        } catch (err) {
          this.log?.warn({ err, ns }, 'namespace content deletion failed');
        }
      }
    }
  }

  private bootstrapNamespace(name: string): void {
    // The service-account controller gives every namespace a `default` ServiceAccount; manifests rely on it.
    if (!this.get('serviceaccounts', name, 'default')) {
      this.create('serviceaccounts', { metadata: { name: 'default', namespace: name } });
    }
  }

  private indexNode(b: Bucket, key: string, old: KubeObject | undefined, next: KubeObject | undefined): void {
    if (!b.byNode) return;
    const before = old ? ((old as Pod).spec?.nodeName ?? '') : undefined;
    const after = next ? ((next as Pod).spec?.nodeName ?? '') : undefined;
    if (before === after) return;
    if (before !== undefined) b.byNode.get(before)?.delete(key);
    if (after !== undefined) {
      let set = b.byNode.get(after);
      if (!set) b.byNode.set(after, (set = new Set()));
      set.add(key);
    }
  }

  /** Keys to scan for a list, in order: narrowed by a `spec.nodeName=` selector (pods) or a namespace. */
  private candidateKeys(b: Bucket, ns: string | undefined, field: FieldSelector | undefined): string[] {
    const byNode = field?.requirements.find((r) => r.field === 'spec.nodeName' && r.operator === '=');
    if (b.byNode && byNode) return [...(b.byNode.get(byNode.value) ?? [])].sort();
    const all = (b.sortedKeys ??= [...b.objects.keys()].sort());
    if (ns === undefined || !b.info.namespaced) return all;
    const prefix = `${ns}/`;
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (all[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    let end = lo;
    while (end < all.length && all[end]!.startsWith(prefix)) end++;
    return all.slice(lo, end);
  }

  private indexOwners(b: Bucket, key: string, old: KubeObject | undefined, next: KubeObject | undefined): void {
    const ref = `${b.id}\u0000${key}`;
    for (const o of old?.metadata.ownerReferences ?? []) this.dependents.get(o.uid)?.delete(ref);
    for (const o of next?.metadata.ownerReferences ?? []) {
      let set = this.dependents.get(o.uid);
      if (!set) this.dependents.set(o.uid, (set = new Set()));
      set.add(ref);
    }
  }

  private record(b: Bucket, type: StoreEvent['type'], object: KubeObject, previous: KubeObject | undefined): void {
    const entry: HistoryEntry = { type, object, previous, rv: Number(object.metadata.resourceVersion) };
    b.history.push(entry);
    if (b.history.length - b.historyStart > this.historyLimit) {
      b.compactedThrough = b.history[b.historyStart]!.rv;
      b.history[b.historyStart] = undefined as unknown as HistoryEntry;
      b.historyStart++;
      // Compact the array in bulk so dropping is O(1) amortised.
      if (b.historyStart > 1024 && b.historyStart * 2 > b.history.length) {
        b.history = b.history.slice(b.historyStart);
        b.historyStart = 0;
      }
    }
    if (b.watchers.size === 0) return;
    const watchers = [...b.watchers];
    this.enqueue(() => {
      for (const w of watchers) {
        if (w.stopped) continue;
        const ev = this.translate(b, w, entry);
        if (!ev) continue;
        try {
          w.listener(ev);
        } catch (err) {
          this.log?.error({ err, resource: b.id }, 'watch listener threw');
        }
      }
    });
  }

  /** Maps a stored change to what one watcher sees, given its namespace and selectors. */
  private translate(b: Bucket, w: Watcher, h: HistoryEntry): StoreEvent | undefined {
    const now = this.matches(b, h.object, w.namespace, w.label, w.field);
    if (h.type !== 'MODIFIED' || !h.previous) {
      return now ? { type: h.type, object: h.object, resourceVersion: h.rv } : undefined;
    }
    const before = this.matches(b, h.previous, w.namespace, w.label, w.field);
    if (now && before) return { type: 'MODIFIED', object: h.object, resourceVersion: h.rv };
    if (now) return { type: 'ADDED', object: h.object, resourceVersion: h.rv };
    if (before) return { type: 'DELETED', object: h.object, resourceVersion: h.rv };
    return undefined;
  }

  private enqueue(task: () => void): void {
    this.queue.push(task);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      while (this.queue.length > 0) {
        const next = this.queue.shift()!;
        try {
          next();
        } catch (err) {
          this.log?.error({ err }, 'store callback threw');
        }
      }
    } finally {
      this.dispatching = false;
    }
  }

  private uid(): string {
    const hex = (n: number) =>
      Array.from({ length: n }, () => Math.floor(this.random() * 16).toString(16)).join('');
    const variant = '89ab'[Math.floor(this.random() * 4)]!;
    return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
  }

  private suffix(): string {
    return Array.from({ length: 5 }, () => DNS_SUFFIX_CHARS[Math.floor(this.random() * DNS_SUFFIX_CHARS.length)]).join('');
  }
}

/**
 * Typed helpers over one resource, for in-process controllers. Every method is the store's method with the
 * resource fixed; objects are frozen (see {@link ObjectStore}).
 */
export class ResourceClient<T extends KubeObject> {
  constructor(
    protected readonly store: ObjectStore,
    readonly id: ResourceId,
  ) {}

  get(namespaceOrName: string, name?: string): T | undefined {
    return name === undefined ? this.store.get<T>(this.id, undefined, namespaceOrName) : this.store.get<T>(this.id, namespaceOrName, name);
  }

  list(options: ListOptions = {}): T[] {
    return this.store.list<T>(this.id, options).items;
  }

  create(obj: NewObject<T> | T, options?: WriteOptions): T {
    return this.store.create<T>(this.id, obj, options);
  }

  update(obj: T, options?: WriteOptions): T {
    return this.store.update<T>(this.id, obj, options);
  }

  /** Replaces only the status. */
  updateStatus(obj: T): T {
    return this.store.update<T>(this.id, obj, { subresource: 'status' });
  }

  /** Read-modify-write of the main resource (`namespace` undefined for cluster-scoped ones). */
  mutate(namespace: string | undefined, name: string, fn: (draft: T) => T | void): T {
    return this.store.mutate<T>(this.id, namespace, name, fn);
  }

  /** Read-modify-write of the status only. */
  mutateStatus(namespace: string | undefined, name: string, fn: (draft: T) => T | void): T {
    return this.store.mutate<T>(this.id, namespace, name, fn, { subresource: 'status' });
  }

  delete(namespace: string | undefined, name: string, options?: DeleteOptions): DeleteResult<T> {
    return this.store.delete<T>(this.id, namespace, name, options);
  }

  watch(options: WatchOptions, listener: (event: StoreEvent<T>) => void): StoreWatch {
    return this.store.watch<T>(this.id, options, listener);
  }
}

/** Pod helpers: the typed client plus binding and the end of graceful termination. */
export class PodClient extends ResourceClient<Pod> {
  constructor(store: ObjectStore) {
    super(store, 'pods');
  }

  /**
   * Binds a pending pod to a node (what `pods/binding` does): sets `spec.nodeName` and the PodScheduled condition.
   * @throws KubeApiError 409 if the pod is already bound, 404 if it does not exist.
   */
  bind(namespace: string, name: string, nodeName: string): Pod {
    const pod = this.store.getOrThrow<Pod>('pods', namespace, name);
    if (pod.spec.nodeName) {
      throw conflict('pods', name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
    }
    if (pod.metadata.deletionTimestamp) throw conflict('pods', name, 'pod is being deleted, cannot be assigned to a host');
    const now = this.store.timestamp();
    // Binding writes spec.nodeName and the status condition in one step, as the apiserver's binding REST does.
    return this.store.mutate<Pod>('pods', namespace, name, (d) => {
      d.spec.nodeName = nodeName;
      const status = (d.status ??= {});
      const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now });
      status.conditions = conditions;
    }, { skipValidation: true, allFields: true });
  }

  /** Ends graceful termination: see {@link ObjectStore.finishPodTermination}. */
  finishTermination(namespace: string, name: string): boolean {
    return this.store.finishPodTermination(namespace, name);
  }
}

// ---- helpers ----

function keyOf(info: ResourceInfo, namespace: string | undefined, name: string): string {
  return info.namespaced ? `${namespace ?? 'default'}/${name}` : name;
}

/** `2026-01-01T00:00:00Z`: RFC 3339 at seconds precision, as metav1.Time marshals. */
export function formatTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function cloneJson<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function deepFreeze(o: unknown): void {
  if (o === null || typeof o !== 'object' || Object.isFrozen(o)) return;
  Object.freeze(o);
  for (const v of Object.values(o as Record<string, unknown>)) deepFreeze(v);
}

/** Everything but metadata and status (what `generation` tracks). Key order counts: a reordered write is a write. */
function specText(o: KubeObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return JSON.stringify(rest);
}

function metaText(o: KubeObject): string {
  return JSON.stringify({ ...o.metadata, resourceVersion: '', generation: 0 });
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { rv?: unknown; start?: unknown };
    if (typeof parsed.rv === 'number' && typeof parsed.start === 'string') return { rv: parsed.rv, start: parsed.start };
  } catch {
    // fall through
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
