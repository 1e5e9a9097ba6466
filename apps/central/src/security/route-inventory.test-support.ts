/**
 * What central serves, for the suites generated from the route table (tenant isolation, fuzzing, key secrecy):
 * every route Fastify actually has — read off `printRoutes`, so a route added with `app.get` outside
 * `routes.define` is seen too — and what the OpenAPI document (built from the same `routes.define` calls) says of
 * each: auth, roles, path parameters and the JSON schemas of query and body.
 */
import type { FastifyInstance } from 'fastify';

/** `METHOD /path` with Fastify's `:param` syntax, e.g. `GET /api/v1/admin/clusters/:cluster_id`. */
export type RouteKey = string;

export interface ServedRoute {
  method: string;
  path: string;
  key: RouteKey;
}

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
  default?: unknown;
};

export interface DocumentedRoute extends ServedRoute {
  auth: 'public' | 'user' | 'agent';
  /** Roles a user route is limited to (absent: every role). */
  roles?: string[];
  pathParams: string[];
  query?: JsonSchema;
  body?: JsonSchema;
  /** A WebSocket upgrade (documented with status 101). */
  websocket: boolean;
}

const LINE = /^((?:│ {3}| {4})*)(?:├── |└── )(\S+)(?: \(([^)]*)\))?$/;
/** Methods a route can be served on (HEAD is the one Fastify adds for each GET). */
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * Every route Fastify serves, one method's tree at a time (the combined print merges a `GET *` into an
 * `OPTIONS *` and drops it). Paths are as Fastify prints them: `/api/v1/…/:id`, and `*` for a catch-all.
 */
export function servedRoutes(app: FastifyInstance): ServedRoute[] {
  const out: ServedRoute[] = [];
  for (const method of METHODS) {
    const stack: string[] = [];
    for (const line of app.printRoutes({ commonPrefix: false, method }).split('\n')) {
      const match = LINE.exec(line.trimEnd());
      if (!match) continue;
      const depth = (match[1] ?? '').length / 4;
      stack.length = depth;
      const path = (stack[depth - 1] ?? '') + match[2];
      stack.push(path);
      if (match[3] !== undefined) out.push({ method, path, key: `${method} ${path}` });
    }
  }
  return out;
}

interface OpenApiOperation {
  security: Record<string, unknown>[];
  'x-roles'?: string[];
  parameters?: { name: string; in: 'path' | 'query'; required: boolean; schema: JsonSchema }[];
  requestBody?: { content: { 'application/json': { schema: JsonSchema } } };
  responses: Record<string, unknown>;
}

/** The routes of the OpenAPI document, keyed like {@link servedRoutes}. */
export async function documentedRoutes(app: FastifyInstance): Promise<DocumentedRoute[]> {
  const res = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
  const doc = res.json() as { paths: Record<string, Record<string, OpenApiOperation>> };
  const out: DocumentedRoute[] = [];
  for (const [openApiPath, operations] of Object.entries(doc.paths)) {
    const path = openApiPath.replace(/\{([A-Za-z_]+)\}/g, ':$1');
    for (const [lower, op] of Object.entries(operations)) {
      const method = lower.toUpperCase();
      const schemes = op.security.flatMap((s) => Object.keys(s));
      const auth = schemes.length === 0 ? 'public' : schemes.includes('agentKey') ? 'agent' : 'user';
      const queryParams = (op.parameters ?? []).filter((p) => p.in === 'query');
      out.push({
        method,
        path,
        key: `${method} ${path}`,
        auth,
        ...(op['x-roles'] && { roles: op['x-roles'] }),
        pathParams: (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
        ...(queryParams.length > 0 && {
          query: { type: 'object', properties: Object.fromEntries(queryParams.map((p) => [p.name, p.schema])), required: queryParams.filter((p) => p.required).map((p) => p.name) },
        }),
        ...(op.requestBody && { body: op.requestBody.content['application/json'].schema }),
        websocket: '101' in op.responses,
      });
    }
  }
  return out;
}

/** Fills `:param`s from `values` (every one must be given). */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/:([A-Za-z_]+)/g, (_m, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for :${name} in ${path}`);
    return encodeURIComponent(value);
  });
}
