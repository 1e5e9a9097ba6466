/**
 * The HTTP face of the simulator's Kubernetes API: the apiserver's REST paths over an {@link ObjectStore},
 * spoken in JSON, so kubectl and @kubernetes/client-node work unchanged. See README.md for what is served.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock, Logger } from '@cloudoptim/runtime';
import { evictionBlocker, PdbStatusController } from './disruption.ts';
import {
  aggregatedDiscoveryDocument,
  apiGroupDocument,
  apiGroupListDocument,
  apiResourceListDocument,
  apiVersionsDocument,
  versionDocument,
} from './discovery.ts';
import { badRequest, KubeApiError, notFound, statusObject } from './errors.ts';
import type { KubeApiFaults } from './faults.ts';
import {
  acceptsPlainJson,
  aggregatedDiscoveryVersion,
  intParam,
  parseJsonBody,
  readBody,
  sendJson,
  sendStatus,
  wantsTable,
} from './http.ts';
import {
  nodeMetricsObject,
  nodeUsageOf,
  podHasMetrics,
  podMetricsObject,
  RequestFractionUsageProvider,
  type UsageProvider,
} from './metrics.ts';
import type { DeleteOptions, ObjectStore, StoreEvent } from './object-store.ts';
import { openApiV2Document, openApiV3Document, openApiV3Root } from './openapi.ts';
import { patchTypeOf } from './patch.ts';
import { apiVersionOf, findResource, groupVersions, resourceId, RESOURCES, type ResourceInfo } from './resources.ts';
import { parseLabelSelector, selectorSpecToString } from './selectors.ts';
import { toTable, type IncludeObject } from './tables.ts';
import type { KubeObject, Node, Pod } from './types.ts';

/** Who may call. Default: anyone (with or without a token). */
export interface KubeAuthOptions {
  /** Refuse requests without a bearer token (401), as real clusters do. Default false. */
  requireToken?: boolean;
  /** If set, only these bearer tokens are accepted. */
  tokens?: readonly string[];
}

export interface KubeApiServerOptions {
  store: ObjectStore;
  clock: Clock;
  log: Logger;
  /** Usage for metrics.k8s.io; default: half of each container's requests. */
  usage?: UsageProvider;
  auth?: KubeAuthOptions;
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** Clock time between watch bookmarks when a client allows them. Default 60 s. */
  bookmarkIntervalMs?: number;
  /** Keep PodDisruptionBudget status current (default true). */
  pdbStatus?: boolean;
  /** Opt-in injected outages (chaos tests); absent or idle: no effect. */
  faults?: KubeApiFaults;
}

export interface KubeApiServer {
  /** Listens (port 0 or absent = a free port). */
  start(port?: number): Promise<{ url: string; port: number }>;
  /** Ends open watches and closes the listener. */
  stop(): Promise<void>;
  /**
   * Ends every open watch connection now (as an apiserver restart or a load balancer timeout does); clients
   * reconnect and resume from their last resourceVersion. Returns how many were ended.
   */
  dropWatches(): number;
  /** The PDB status controller (tests may `flush()` it). */
  readonly pdbStatus: PdbStatusController | undefined;
}

interface Route {
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  watchPath: boolean;
}

interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  q: (key: string) => string | undefined;
  user: string;
}

const SCALABLE = new Set(['apps/deployments', 'apps/replicasets', 'apps/statefulsets']);
/** Resources whose create keeps a client-sent status (kubelets register nodes with status). */
const STATUS_ON_CREATE = new Set(['nodes', 'namespaces']);

/** Creates the HTTP API server (not yet listening). */
export function createKubeApiServer(options: KubeApiServerOptions): KubeApiServer {
  const { store, clock, log } = options;
  const usage = options.usage ?? new RequestFractionUsageProvider();
  const bookmarkIntervalMs = options.bookmarkIntervalMs ?? 60_000;
  const pdbStatus = options.pdbStatus === false ? undefined : new PdbStatusController(store, log);
  const openWatches = new Set<() => void>();
  let server: Server | undefined;
  let baseUrl = '';

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const ctx: RequestContext = { req, res, url, q: (k) => url.searchParams.get(k) ?? undefined, user: 'system:anonymous' };
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
    if (token) ctx.user = `token:${token.slice(0, 6)}`;
    if ((options.auth?.requireToken && !token) || (token && options.auth?.tokens && !options.auth.tokens.includes(token))) {
      sendStatus(res, statusObject(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    const refusal = options.faults?.refusal();
    if (refusal) {
      for (const [k, v] of Object.entries(refusal.headers)) res.setHeader(k, v);
      sendStatus(res, refusal.status);
      return;
    }
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '') || '/';
    log.debug({ method, path: req.url, user: ctx.user }, 'kube-api request');

    if (method === 'GET' && (await handleNonResource(ctx, path))) return;
    const route = parseRoute(path);
    if (!route) throw notFoundPath();
    const info = findResource(route.group, route.version, route.resource);
    if (!info) throw notFoundPath();
    if (info.namespaced === false && route.namespace !== undefined) throw notFoundPath();
    if (info.virtual) return handleMetrics(ctx, route, info);
    const id = resourceId(info.group, info.resource);
    const watch = route.watchPath || ctx.q('watch') === 'true' || ctx.q('watch') === '1';

    if (route.subresource !== undefined) {
      if (!info.subresources.includes(route.subresource) || route.name === undefined) throw notFoundPath();
      return handleSubresource(ctx, method, route, info, id);
    }
    if (route.name === undefined) {
      if (method === 'GET') return watch ? handleWatch(ctx, route, info, id) : handleList(ctx, route, info, id);
      if (method === 'POST') {
        if (info.namespaced && route.namespace === undefined) throw methodNotAllowed(method);
        return handleCreate(ctx, route, info, id);
      }
      if (method === 'DELETE') return handleDeleteCollection(ctx, route, info, id);
      throw methodNotAllowed(method);
    }
    if (info.namespaced && route.namespace === undefined) throw notFoundPath();
    switch (method) {
      case 'GET':
        if (watch) return handleWatch(ctx, route, info, id, route.name);
        return sendObject(ctx, info, id, store.getOrThrow(id, route.namespace, route.name));
      case 'PUT':
        return handleUpdate(ctx, route, info, id);
      case 'PATCH':
        return handlePatch(ctx, route, info, id);
      case 'DELETE':
        return handleDelete(ctx, route, info, id);
      default:
        throw methodNotAllowed(method);
    }
  }

  async function handleNonResource(ctx: RequestContext, path: string): Promise<boolean> {
    const accept = ctx.req.headers.accept;
    const v2 = aggregatedDiscoveryVersion(accept);
    // Aggregated discovery only for clients that accept nothing else; kubectl also accepts plain JSON.
    const aggregated = v2 !== undefined && !acceptsPlainJson(accept);
    const aggType = `application/json;g=apidiscovery.k8s.io;v=${v2};as=APIGroupDiscoveryList`;
    switch (path) {
      case '/version':
        sendJson(ctx.res, 200, versionDocument());
        return true;
      case '/healthz':
      case '/readyz':
      case '/livez':
        ctx.res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
        ctx.res.end('ok');
        return true;
      case '/api':
        if (aggregated) sendJson(ctx.res, 200, aggregatedDiscoveryDocument(true, v2!), aggType);
        else sendJson(ctx.res, 200, apiVersionsDocument(new URL(baseUrl || 'http://127.0.0.1').host));
        return true;
      case '/apis':
        if (aggregated) sendJson(ctx.res, 200, aggregatedDiscoveryDocument(false, v2!), aggType);
        else sendJson(ctx.res, 200, apiGroupListDocument());
        return true;
      case '/openapi/v2': {
        const doc = openApiV2Document();
        if (!doc) throw notFoundPath();
        sendJson(ctx.res, 200, doc);
        return true;
      }
      case '/openapi/v3': {
        const doc = openApiV3Root();
        if (!doc) throw notFoundPath();
        sendJson(ctx.res, 200, doc);
        return true;
      }
    }
    if (path.startsWith('/openapi/v3/')) {
      const doc = openApiV3Document(path.slice('/openapi/v3/'.length));
      if (!doc) throw notFoundPath();
      sendJson(ctx.res, 200, doc);
      return true;
    }
    const segs = path.split('/').filter(Boolean);
    if (segs[0] === 'api' && segs.length === 2) {
      const doc = apiResourceListDocument('', segs[1]!);
      if (!doc) throw notFoundPath();
      sendJson(ctx.res, 200, doc);
      return true;
    }
    if (segs[0] === 'apis' && segs.length === 2) {
      const versions = groupVersions().filter((g) => g.group === segs[1]).map((g) => g.version);
      if (versions.length === 0) throw notFoundPath();
      sendJson(ctx.res, 200, apiGroupDocument(segs[1]!, versions));
      return true;
    }
    if (segs[0] === 'apis' && segs.length === 3) {
      const doc = apiResourceListDocument(segs[1]!, segs[2]!);
      if (!doc) throw notFoundPath();
      sendJson(ctx.res, 200, doc);
      return true;
    }
    return false;
  }

  function sendObject(ctx: RequestContext, info: ResourceInfo, id: string, obj: KubeObject, code = 200): void {
    if (wantsTable(ctx.req.headers.accept)) {
      sendJson(ctx.res, code, toTable(info, id, [obj], clock.now(), { includeObject: includeObjectOf(ctx), resourceVersion: obj.metadata.resourceVersion }));
    } else {
      sendJson(ctx.res, code, obj);
    }
  }

  function includeObjectOf(ctx: RequestContext): IncludeObject {
    const v = ctx.q('includeObject');
    if (v === undefined || v === '') return 'Metadata';
    if (v === 'None' || v === 'Metadata' || v === 'Object') return v;
    throw badRequest(`includeObject: Unsupported value: "${v}": supported values: "None", "Metadata", "Object"`);
  }

  function handleList(ctx: RequestContext, route: Route, info: ResourceInfo, id: string): void {
    const result = store.list(id, {
      namespace: route.namespace,
      labelSelector: ctx.q('labelSelector'),
      fieldSelector: ctx.q('fieldSelector'),
      limit: intParam(ctx.q('limit'), 'limit'),
      continue: ctx.q('continue'),
    });
    if (wantsTable(ctx.req.headers.accept)) {
      sendJson(ctx.res, 200, toTable(info, id, result.items, clock.now(), { includeObject: includeObjectOf(ctx), resourceVersion: result.resourceVersion, continue: result.continue, remainingItemCount: result.remainingItemCount }));
      return;
    }
    const metadata: Record<string, unknown> = { resourceVersion: result.resourceVersion };
    if (result.continue) metadata['continue'] = result.continue;
    if (result.remainingItemCount !== undefined) metadata['remainingItemCount'] = result.remainingItemCount;
    sendJson(ctx.res, 200, { kind: `${info.kind}List`, apiVersion: apiVersionOf(info), metadata, items: result.items });
  }

  function handleWatch(ctx: RequestContext, route: Route, info: ResourceInfo, id: string, name?: string): void {
    const { res, req } = ctx;
    const table = wantsTable(req.headers.accept);
    const includeObject = table ? includeObjectOf(ctx) : 'Object';
    const bookmarks = ctx.q('allowWatchBookmarks') === 'true' || ctx.q('allowWatchBookmarks') === '1';
    const sendInitial = ctx.q('sendInitialEvents') === 'true';
    const timeoutSeconds = intParam(ctx.q('timeoutSeconds'), 'timeoutSeconds');
    let fieldSelector = ctx.q('fieldSelector');
    if (name !== undefined) fieldSelector = fieldSelector ? `${fieldSelector},metadata.name=${name}` : `metadata.name=${name}`;
    let rv = ctx.q('resourceVersion');
    if (sendInitial) rv = undefined;
    if (ctx.q('labelSelector')) parseLabelSelector(ctx.q('labelSelector')!); // 400 before streaming starts
    let headersSent = false;
    let columnsSent = false;
    const pending: string[] = [];
    let corked = false;
    const write = (line: string) => {
      if (!headersSent) {
        pending.push(line);
        return;
      }
      // Events of one burst (one tick) go out as one chunk instead of one syscall each.
      if (!corked) {
        corked = true;
        res.cork();
        process.nextTick(() => {
          corked = false;
          res.uncork();
        });
      }
      res.write(line);
    };
    const encode = (ev: StoreEvent) => {
      let object: unknown = ev.object;
      if (table) {
        object = toTable(info, id, [ev.object], clock.now(), { includeObject, resourceVersion: ev.object.metadata.resourceVersion, omitColumns: columnsSent });
        columnsSent = true;
      }
      write(`${JSON.stringify({ type: ev.type, object })}\n`);
    };
    const bookmark = (annotations?: Record<string, string>) => {
      const metadata: Record<string, unknown> = { resourceVersion: store.resourceVersion };
      if (annotations) metadata['annotations'] = annotations;
      write(`${JSON.stringify({ type: 'BOOKMARK', object: { kind: info.kind, apiVersion: apiVersionOf(info), metadata } })}\n`);
    };
    let watch: { stop(): void } | undefined;
    let gone: KubeApiError | undefined;
    try {
      watch = store.watch(id, { namespace: route.namespace, labelSelector: ctx.q('labelSelector'), fieldSelector, resourceVersion: rv }, encode);
    } catch (err) {
      if (err instanceof KubeApiError && err.code === 410) gone = err;
      else throw err;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    // Send the headers now: clients (client-node's Watch) wait for them before anything else happens.
    res.flushHeaders();
    headersSent = true;
    for (const line of pending) res.write(line);
    if (gone) {
      // The apiserver answers a too-old resourceVersion with 200 and one ERROR event carrying a 410 Status.
      res.end(`${JSON.stringify({ type: 'ERROR', object: gone.toStatus() })}\n`);
      return;
    }
    if (sendInitial && bookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
    const abort = new AbortController();
    const close = () => {
      if (abort.signal.aborted) return;
      abort.abort();
      watch?.stop();
      openWatches.delete(close);
      if (!res.writableEnded) res.end();
    };
    openWatches.add(close);
    req.on('close', close);
    res.on('close', close);
    res.on('error', close);
    if (bookmarks) {
      void (async () => {
        while (!abort.signal.aborted) {
          try {
            await clock.sleep(bookmarkIntervalMs, abort.signal);
          } catch {
            return;
          }
          if (!abort.signal.aborted) bookmark();
        }
      })();
    }
    if (timeoutSeconds !== undefined && timeoutSeconds > 0) {
      clock.sleep(timeoutSeconds * 1000, abort.signal).then(close, () => {});
    }
  }

  async function readObject(ctx: RequestContext): Promise<KubeObject> {
    const ct = (ctx.req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim();
    if (ct !== 'application/json' && ct !== '*/*' && ct !== '') {
      throw new KubeApiError('UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json`);
    }
    const body = parseJsonBody(await readBody(ctx.req));
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the object provided is unrecognized: expected a JSON object');
    const obj = body as KubeObject;
    obj.metadata ??= {} as KubeObject['metadata'];
    if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) throw badRequest('metadata must be an object');
    return obj;
  }

  function checkKind(info: ResourceInfo, obj: KubeObject): void {
    if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersionOf(info)) {
      throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersionOf(info)})`);
    }
    if (obj.kind !== undefined && obj.kind !== info.kind) {
      throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${info.kind})`);
    }
  }

  function checkNamespace(route: Route, obj: KubeObject): void {
    if (route.namespace === undefined) return;
    if (obj.metadata.namespace && obj.metadata.namespace !== route.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    obj.metadata.namespace = route.namespace;
  }

  async function handleCreate(ctx: RequestContext, route: Route, info: ResourceInfo, id: string): Promise<void> {
    const obj = await readObject(ctx);
    checkKind(info, obj);
    checkNamespace(route, obj);
    if (info.subresources.includes('status') && !STATUS_ON_CREATE.has(id)) delete obj.status;
    if (ctx.q('dryRun')) throw badRequest('dryRun is not supported by the simulator');
    const created = store.create(id, obj);
    sendObject(ctx, info, id, created, 201);
  }

  async function handleUpdate(ctx: RequestContext, route: Route, info: ResourceInfo, id: string, subresource?: 'status'): Promise<void> {
    const obj = await readObject(ctx);
    checkKind(info, obj);
    checkNamespace(route, obj);
    if (obj.metadata.name && obj.metadata.name !== route.name) {
      throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${route.name})`);
    }
    obj.metadata.name = route.name!;
    if (ctx.q('dryRun')) throw badRequest('dryRun is not supported by the simulator');
    sendObject(ctx, info, id, store.update(id, obj, subresource ? { subresource } : {}));
  }

  async function readPatch(ctx: RequestContext): Promise<{ type: ReturnType<typeof patchTypeOf> & string; body: unknown }> {
    const type = patchTypeOf(ctx.req.headers['content-type']);
    if (!type) {
      throw new KubeApiError(
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`,
      );
    }
    return { type, body: parseJsonBody(await readBody(ctx.req)) };
  }

  async function handlePatch(ctx: RequestContext, route: Route, info: ResourceInfo, id: string, subresource?: 'status'): Promise<void> {
    const { type, body } = await readPatch(ctx);
    if (ctx.q('dryRun')) throw badRequest('dryRun is not supported by the simulator');
    const patched = store.patch(id, route.namespace, route.name!, type, body, subresource ? { subresource } : {});
    sendObject(ctx, info, id, patched);
  }

  async function deleteOptionsOf(ctx: RequestContext): Promise<DeleteOptions> {
    const text = await readBody(ctx.req);
    const body = (text.trim() ? parseJsonBody(text) : {}) as Record<string, unknown>;
    if (!body || typeof body !== 'object') throw badRequest('DeleteOptions must be an object');
    const opts: DeleteOptions = {};
    const grace = intParam(ctx.q('gracePeriodSeconds'), 'gracePeriodSeconds') ?? (body['gracePeriodSeconds'] as number | undefined);
    if (grace !== undefined && grace !== null) {
      if (typeof grace !== 'number' || !Number.isInteger(grace)) throw badRequest('gracePeriodSeconds must be an integer');
      opts.gracePeriodSeconds = Math.max(0, grace);
    }
    const policy = ctx.q('propagationPolicy') ?? (body['propagationPolicy'] as string | undefined);
    const orphan = ctx.q('orphanDependents') ?? body['orphanDependents'];
    if (policy !== undefined && policy !== null) {
      if (policy !== 'Orphan' && policy !== 'Background' && policy !== 'Foreground') {
        throw new KubeApiError('Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"`);
      }
      opts.propagationPolicy = policy;
    } else if (orphan === true || orphan === 'true') opts.propagationPolicy = 'Orphan';
    const pre = body['preconditions'] as DeleteOptions['preconditions'] | undefined;
    if (pre && typeof pre === 'object') opts.preconditions = pre;
    if (ctx.q('dryRun') || body['dryRun']) throw badRequest('dryRun is not supported by the simulator');
    return opts;
  }

  async function handleDelete(ctx: RequestContext, route: Route, info: ResourceInfo, id: string): Promise<void> {
    const opts = await deleteOptionsOf(ctx);
    const result = store.delete(id, route.namespace, route.name!, opts);
    sendJson(ctx.res, 200, result.object);
    void info;
  }

  async function handleDeleteCollection(ctx: RequestContext, route: Route, info: ResourceInfo, id: string): Promise<void> {
    const opts = await deleteOptionsOf(ctx);
    const items = store.deleteCollection(id, { namespace: route.namespace, labelSelector: ctx.q('labelSelector'), fieldSelector: ctx.q('fieldSelector') }, opts);
    sendJson(ctx.res, 200, { kind: `${info.kind}List`, apiVersion: apiVersionOf(info), metadata: { resourceVersion: store.resourceVersion }, items });
  }

  async function handleSubresource(ctx: RequestContext, method: string, route: Route, info: ResourceInfo, id: string): Promise<void> {
    const sub = route.subresource!;
    if (sub === 'status' || sub === 'finalize') {
      if (method === 'GET') return sendObject(ctx, info, id, store.getOrThrow(id, route.namespace, route.name!));
      if (method === 'PUT') return handleUpdate(ctx, route, info, id, sub === 'status' ? 'status' : undefined);
      if (method === 'PATCH' && sub === 'status') return handlePatch(ctx, route, info, id, 'status');
      throw methodNotAllowed(method);
    }
    if (sub === 'scale' && SCALABLE.has(id)) return handleScale(ctx, method, route, info, id);
    if (sub === 'eviction' && id === 'pods') {
      if (method !== 'POST') throw methodNotAllowed(method);
      return handleEviction(ctx, route);
    }
    if (sub === 'binding' && id === 'pods') {
      if (method !== 'POST') throw methodNotAllowed(method);
      const body = parseJsonBody(await readBody(ctx.req)) as { target?: { name?: string; kind?: string } } | null;
      const target = body?.target?.name;
      if (!target) throw new KubeApiError('Invalid', `Binding "${route.name}" is invalid: target.name: Required value`, { causes: [{ field: 'target.name', message: 'Required value', reason: 'FieldValueRequired' }] });
      store.pods.bind(route.namespace!, route.name!, target);
      sendJson(ctx.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
      return;
    }
    throw notFoundPath();
  }

  function scaleOf(info: ResourceInfo, obj: KubeObject): Record<string, unknown> {
    const o = obj as KubeObject & { spec?: { replicas?: number; selector?: Parameters<typeof selectorSpecToString>[0] }; status?: { replicas?: number } };
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
        creationTimestamp: obj.metadata.creationTimestamp,
      },
      spec: { replicas: o.spec?.replicas ?? 0 },
      status: { replicas: o.status?.replicas ?? 0, selector: selectorSpecToString(o.spec?.selector) },
    };
    void info;
  }

  async function handleScale(ctx: RequestContext, method: string, route: Route, info: ResourceInfo, id: string): Promise<void> {
    const current = store.getOrThrow(id, route.namespace, route.name!);
    let desired: Record<string, unknown>;
    if (method === 'GET') {
      sendJson(ctx.res, 200, scaleOf(info, current));
      return;
    } else if (method === 'PUT') {
      desired = (await readObject(ctx)) as unknown as Record<string, unknown>;
    } else if (method === 'PATCH') {
      const { type, body } = await readPatch(ctx);
      const { applyPatch } = await import('./patch.ts');
      desired = applyPatch(type, JSON.parse(JSON.stringify(scaleOf(info, current))), body) as Record<string, unknown>;
    } else {
      throw methodNotAllowed(method);
    }
    const replicas = (desired['spec'] as { replicas?: unknown } | undefined)?.replicas;
    if (!Number.isInteger(replicas) || (replicas as number) < 0) {
      throw new KubeApiError('Invalid', `Scale.autoscaling "${route.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`, {
        name: route.name,
        group: 'autoscaling',
        kind: 'Scale',
        causes: [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` }],
      });
    }
    const rv = (desired['metadata'] as { resourceVersion?: string } | undefined)?.resourceVersion;
    const updated = store.mutate(id, route.namespace, route.name!, (d) => {
      (d as { spec: { replicas: number } }).spec.replicas = replicas as number;
      if (rv) d.metadata.resourceVersion = rv;
    });
    sendJson(ctx.res, 200, scaleOf(info, updated));
  }

  async function handleEviction(ctx: RequestContext, route: Route): Promise<void> {
    const body = parseJsonBody(await readBody(ctx.req)) as { metadata?: { name?: string }; deleteOptions?: Record<string, unknown> } | null;
    if (!body || typeof body !== 'object') throw badRequest('the object provided is unrecognized: expected an Eviction');
    if (body.metadata?.name && body.metadata.name !== route.name) {
      throw badRequest(`name in URL does not match name in Eviction object`);
    }
    const pod = store.getOrThrow<Pod>('pods', route.namespace, route.name!);
    const blocker = evictionBlocker(store, pod);
    if (blocker) throw blocker;
    const del = body.deleteOptions ?? {};
    const opts: DeleteOptions = {};
    if (typeof del['gracePeriodSeconds'] === 'number') opts.gracePeriodSeconds = Math.max(0, del['gracePeriodSeconds']);
    if (del['preconditions'] && typeof del['preconditions'] === 'object') opts.preconditions = del['preconditions'] as DeleteOptions['preconditions'];
    if (del['dryRun'] || ctx.q('dryRun')) throw badRequest('dryRun is not supported by the simulator');
    if (!pod.metadata.deletionTimestamp || opts.gracePeriodSeconds !== undefined) store.delete('pods', route.namespace, route.name!, opts);
    sendJson(ctx.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  }

  function handleMetrics(ctx: RequestContext, route: Route, info: ResourceInfo): void {
    const method = ctx.req.method ?? 'GET';
    if (method !== 'GET') throw methodNotAllowed(method);
    if (route.watchPath || ctx.q('watch')) throw methodNotAllowed('WATCH');
    const now = store.timestamp();
    const labelSelector = ctx.q('labelSelector');
    if (info.resource === 'nodes') {
      const nodes = route.name ? [store.nodes.get(route.name)].filter((n): n is Node => n !== undefined) : store.nodes.list({ labelSelector, fieldSelector: ctx.q('fieldSelector') });
      if (route.name && nodes.length === 0) throw notFound('nodemetrics', route.name, 'metrics.k8s.io', 'NodeMetrics');
      const podsByNode = new Map<string, Pod[]>();
      for (const p of store.pods.list()) {
        if (!podHasMetrics(p)) continue;
        const list = podsByNode.get(p.spec.nodeName!) ?? [];
        list.push(p);
        podsByNode.set(p.spec.nodeName!, list);
      }
      const items = nodes.flatMap((n) => {
        const u = nodeUsageOf(usage, n, podsByNode.get(n.metadata.name) ?? []);
        return u ? [nodeMetricsObject(n, u, now)] : [];
      });
      if (route.name) {
        if (items.length === 0) throw notFound('nodemetrics', route.name, 'metrics.k8s.io', 'NodeMetrics');
        sendJson(ctx.res, 200, items[0]);
      } else {
        sendJson(ctx.res, 200, { kind: 'NodeMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items });
      }
      return;
    }
    const pods = route.name
      ? [store.pods.get(route.namespace!, route.name)].filter((p): p is Pod => p !== undefined)
      : store.pods.list({ namespace: route.namespace, labelSelector, fieldSelector: ctx.q('fieldSelector') });
    const items = pods.flatMap((p) => {
      if (!podHasMetrics(p)) return [];
      const u = usage.podUsage(p);
      return u ? [podMetricsObject(p, u, now)] : [];
    });
    if (route.name) {
      if (items.length === 0) throw notFound('podmetrics', route.name, 'metrics.k8s.io', 'PodMetrics');
      sendJson(ctx.res, 200, items[0]);
    } else {
      sendJson(ctx.res, 200, { kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items });
    }
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        log.warn({ err }, 'kube-api error after headers were sent');
        res.destroy();
        return;
      }
      if (err instanceof KubeApiError) {
        sendStatus(res, err.toStatus());
        return;
      }
      log.error({ err, method: req.method, url: req.url }, 'kube-api internal error');
      sendStatus(res, statusObject(500, 'InternalError', 'Internal error occurred: an unexpected error happened in the simulator'));
    });
  }

  return {
    pdbStatus,
    dropWatches() {
      const open = [...openWatches];
      for (const close of open) close();
      return open.length;
    },
    async start(port = 0) {
      if (server) throw new Error('kube-api server already started');
      const s = createServer(onRequest);
      s.keepAliveTimeout = 30_000;
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, options.host ?? '127.0.0.1', () => {
          s.off('error', reject);
          resolve();
        });
      });
      const actual = (s.address() as AddressInfo).port;
      baseUrl = `http://${options.host ?? '127.0.0.1'}:${actual}`;
      pdbStatus?.start();
      log.info({ url: baseUrl }, 'kube-api listening');
      return { url: baseUrl, port: actual };
    },
    async stop() {
      pdbStatus?.stop();
      for (const close of [...openWatches]) close();
      const s = server;
      server = undefined;
      if (!s) return;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      });
    },
  };
}

function parseRoute(path: string): Route | undefined {
  let segs: string[];
  try {
    segs = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 3) {
    group = '';
    version = segs[1]!;
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 4) {
    group = segs[1]!;
    version = segs[2]!;
    rest = segs.slice(3);
  } else return undefined;
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(group === '' && rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))) {
    if (rest.length > 5) return undefined;
    return { group, version, namespace: rest[1]!, resource: rest[2]!, name: rest[3], subresource: rest[4], watchPath };
  }
  if (rest.length === 0 || rest.length > 3) return undefined;
  return { group, version, resource: rest[0]!, name: rest[1], subresource: rest[2], watchPath };
}

function notFoundPath(): KubeApiError {
  return new KubeApiError('NotFound', 'the server could not find the requested resource');
}

function methodNotAllowed(method: string): KubeApiError {
  return new KubeApiError('MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`);
}

/** Every resource served, for documentation and tests. */
export const SERVED_RESOURCES = RESOURCES;
