/**
 * `defineRoute`: one declaration per route gives its validation (params, query, body and the response, all zod
 * schemas from contracts or the feature), its authentication and roles, and its OpenAPI entry — so the document
 * cannot drift from what the handler accepts. Bad input is VALIDATION_FAILED with the path of each bad field and
 * the handler never runs; a response that does not match its schema is a 500 (a bug), never a malformed answer.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { AppError, parseOrThrow, toValidationIssues } from '@cloudoptim/contracts';
import type { Authenticator, RequestCredentials } from '../auth/authenticator.ts';
import type { AgentPrincipal, Role, UserPrincipal } from '../auth/principal.ts';

export const SESSION_COOKIE = 'cloudoptim_session';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type AuthKind = 'user' | 'agent' | 'public';
type PrincipalOf<A extends AuthKind> = A extends 'user' ? UserPrincipal : A extends 'agent' ? AgentPrincipal : undefined;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<A extends AuthKind, P, Q, B> {
  req: FastifyRequest;
  reply: FastifyReply;
  principal: PrincipalOf<A>;
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
}

export interface RouteSpec<A extends AuthKind, P, Q, B, R extends z.ZodType | undefined> {
  method: Method;
  /** Fastify path syntax: `/api/v1/admin/clusters/:cluster_id`. */
  path: string;
  summary: string;
  /** OpenAPI tag (the feature). */
  tag: string;
  auth: A;
  /** For `user` routes: the roles allowed (default all). Others get 403. */
  roles?: readonly Role[];
  params?: P;
  query?: Q;
  body?: B;
  /** The 2xx body's schema; omit for no body (204). */
  response?: R;
  /** Success status (default 200, or 204 without a response schema). */
  status?: number;
  handler(input: RouteInput<A, P, Q, B>): Promise<R extends z.ZodType ? z.input<R> : void>;
}

/** What the OpenAPI builder needs of a route. */
export interface RouteDoc {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  auth: AuthKind;
  roles?: readonly Role[];
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response?: z.ZodType;
  status: number;
}

export interface RouteRegistrar {
  readonly docs: RouteDoc[];
  define<A extends AuthKind, P extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined, B extends z.ZodType | undefined = undefined, R extends z.ZodType | undefined = undefined>(
    spec: RouteSpec<A, P, Q, B, R>,
  ): void;
}

/** Bodies up to this size get every issue reported; larger invalid ones the first issues only. */
const FULL_REPORT_BYTES = 8 * 1024;
/** Most issues an answer lists. */
const MAX_ISSUES = 100;
// zod's own early exit (what `schema.validate` uses): containers stop at their first bad child. Not in zod's
// public ParseContext type, hence the cast; http-fuzz.int.test.ts fails if it ever stops working.
const ABORT_EARLY = { abortEarly: true } as z.core.ParseContext<z.core.$ZodIssue>;

/**
 * Parses a request body. One pass when it is valid; when it is not, every issue of a small body (a form) is found
 * — a large one stops at its first bad child, since a few hundred kilobytes of `[{},{},…]` would otherwise cost
 * seconds of CPU and list a million missing fields — and an answer lists at most MAX_ISSUES of them.
 */
function parseBody<S extends z.ZodType>(schema: S, body: unknown, sizeBytes: number): z.output<S> {
  const early = schema.safeParse(body, ABORT_EARLY);
  if (early.success) return early.data;
  const complete = sizeBytes <= FULL_REPORT_BYTES;
  const result = complete ? schema.safeParse(body) : early;
  if (result.success) return result.data;
  const issues = toValidationIssues(result.error);
  const first = issues[0];
  const more = complete ? (issues.length > 1 ? ` (+${issues.length - 1} more)` : '') : ' (a large body is not checked past its first problems)';
  throw new AppError('VALIDATION_FAILED', `request body is invalid: ${first?.path || '(root)'}: ${first?.message ?? 'invalid'}${more}`, {
    issues: issues.slice(0, MAX_ISSUES),
    ...(issues.length > MAX_ISSUES && { issues_total: issues.length }),
    ...(!complete && { complete: false }),
  });
}

export function credentialsOf(req: FastifyRequest): RequestCredentials {
  const cookies = (req as FastifyRequest & { cookies?: Record<string, string | undefined> }).cookies;
  return { authorization: req.headers.authorization, sessionCookie: cookies?.[SESSION_COOKIE] };
}

/** Resolves the principal a route needs. @throws UNAUTHENTICATED (none / invalid), FORBIDDEN (role). */
export async function principalFor(auth: Authenticator, kind: AuthKind, roles: readonly Role[] | undefined, req: FastifyRequest): Promise<UserPrincipal | AgentPrincipal | undefined> {
  if (kind === 'public') return undefined;
  const credentials = credentialsOf(req);
  if (kind === 'agent') {
    const agent = await auth.agent(credentials);
    if (!agent) throw new AppError('UNAUTHENTICATED', 'an agent API key is required: send "Authorization: Bearer <cluster API key>"');
    return agent;
  }
  const user = await auth.user(credentials);
  if (!user) throw new AppError('UNAUTHENTICATED', 'sign in first: send the session cookie or "Authorization: Bearer <session token>"');
  if (roles && !roles.includes(user.role)) throw new AppError('FORBIDDEN', `this action needs one of the roles ${roles.join(', ')}`);
  return user;
}

export function createRouteRegistrar(app: FastifyInstance, auth: Authenticator): RouteRegistrar {
  const docs: RouteDoc[] = [];
  return {
    docs,
    define(spec) {
      const status = spec.status ?? (spec.response ? 200 : 204);
      docs.push({ method: spec.method, path: spec.path, summary: spec.summary, tag: spec.tag, auth: spec.auth, status, ...(spec.roles && { roles: spec.roles }), ...(spec.params && { params: spec.params }), ...(spec.query && { query: spec.query }), ...(spec.body && { body: spec.body }), ...(spec.response && { response: spec.response }) });
      app.route({
        method: spec.method,
        url: spec.path,
        handler: async (req, reply) => {
          // Authentication before validation: without credentials, nothing about the input is revealed.
          const principal = await principalFor(auth, spec.auth, spec.roles, req);
          const input = {
            req,
            reply,
            principal,
            params: spec.params ? parseOrThrow(spec.params, req.params, 'path parameters') : undefined,
            query: spec.query ? parseOrThrow(spec.query, req.query ?? {}, 'query string') : undefined,
            body: spec.body ? parseBody(spec.body, req.body, Number(req.headers['content-length'] ?? Infinity)) : undefined,
          } as RouteInput<never, never, never, never>;
          const result = await (spec.handler as (i: typeof input) => Promise<unknown>)(input);
          if (reply.sent) return reply;
          if (!spec.response) return reply.status(status).send();
          const checked = spec.response.safeParse(result);
          if (!checked.success) throw new Error(`response of ${spec.method} ${spec.path} does not match its schema: ${checked.error.message.slice(0, 2000)}`);
          return reply.status(status).send(checked.data);
        },
      });
    },
  };
}
