/**
 * The HTTP route fuzzer, shared by its vitest suite (short run, `npm test`) and the reliability benchmark (long
 * run). It builds central on a scratch database with two seeded tenants and reads every route from the route
 * table (the OpenAPI document built from `routes.define`); then, per route, it generates two kinds of request:
 *
 * Bad requests ({@link HttpRouteFuzzer.badRequests}, {@link HttpRouteFuzzer.monsters}): bodies shaped by the
 * route's schema but broken for sure, malformed and shapeless bodies under lying content types, hostile query
 * strings and path parameters, bad credentials and schemes — and, once per route, JSON nested 10,000 levels, an
 * array of 100,000 items and megabyte strings. Every answer must be a 4xx with the error envelope (a 2xx only for
 * a read), never a 5xx; afterwards no table gained or lost a row and the first tenant's rows are unchanged.
 *
 * Hostile requests ({@link HttpRouteFuzzer.hostileRequests}): bodies of the right shape with hostile content (NUL
 * bytes, lone surrogates, huge strings, extreme numbers), sent as the second tenant's admin and agent against its
 * real objects, so they get past validation into the handlers and the database. They may succeed; they must
 * never get a 5xx, and the first tenant's rows must stay as they were.
 */
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { ErrorEnvelopeSchema, exampleDecisionResponse, type DecisionRequest, type DecisionResponse } from '@cloudoptim/contracts';
import type { TestDatabaseTarget } from '@cloudoptim/db/testing';
import type { MlGateway } from '../ml/ml-gateway.ts';
import { bearer, createTestCentral, type TestCentral, type TestCluster } from '../testing/test-central.ts';
import { credentialHeaders, deeplyNested, hostileBody, invalidBody, pathSegment, queryFor, rawBody } from './fuzz-inputs.test-support.ts';
import { documentedRoutes, type DocumentedRoute } from './route-inventory.test-support.ts';
import { customerFingerprint, seedTenant, tableCounts, type SeededTenant } from './tenant-fixtures.test-support.ts';

/** Counting sign-in attempts is what the login route is for, even for rejected ones. */
const COUNTED_ANYWAY = ['login_failures'];
/** Routes that take no input and act on the credential itself: fuzzed without a valid one (logout would end it). */
const ACTS_ON_CREDENTIAL = new Set(['POST /api/v1/auth/logout']);
/** Largest error answer expected beyond what quotes the request: an envelope with at most 100 issues. */
const MAX_ERROR_BYTES = 64 * 1024;
/** Routes the hostile part aims at random ids only: on the real objects they would cut the fuzzer's own access. */
const DESTRUCTIVE = /^DELETE |\/agent-keys\//;

/** An ML server that answers decisions and refuses every admin call as not found (its own 4xx envelope). */
class RefusingMl implements MlGateway {
  async decide(request: DecisionRequest): Promise<DecisionResponse> {
    return exampleDecisionResponse({ request_id: request.request_id, decision_type: request.decision_type, cluster_id: request.cluster_id });
  }
  async forward(): Promise<{ status: number; body: unknown }> {
    return { status: 404, body: { error: { code: 'NOT_FOUND', message: 'no such model', details: null, request_id: 'ml-1', timestamp: new Date(0).toISOString() } } };
  }
}

export interface FuzzRequest {
  kind: string;
  params: Record<string, string>;
  query: string;
  headers: Record<string, string>;
  payload?: string;
}

/** Which of the two parts a request belongs to: a bad request may be answered 2xx only by a read; a hostile one may succeed. */
export type FuzzPart = 'bad' | 'hostile';

/** Answers counted by class. `problems`: answers that broke a rule (5xx, no envelope, too large, a fuzzed write accepted) or requests that crashed. */
export interface HttpFuzzTally {
  sent: number;
  success2xx: number;
  client4xx: number;
  server5xx: number;
  /** `inject` itself failed: the request got no answer at all. */
  crashes: number;
  problems: number;
  firstProblems: string[];
}

export const emptyTally = (): HttpFuzzTally => ({ sent: 0, success2xx: 0, client4xx: 0, server5xx: 0, crashes: 0, problems: 0, firstProblems: [] });

const describeRequest = (r: FuzzRequest) => JSON.stringify({ ...r, payload: r.payload && r.payload.length > 300 ? `${r.payload.slice(0, 300)}… (${r.payload.length} chars)` : r.payload }).slice(0, 1500);
const json = { 'content-type': 'application/json' };
const toJson = (v: unknown) => (v === undefined ? undefined : JSON.stringify(v));

/** `value` with every `cluster_id` / `customer_id` / `task_id` string set to the given real ids (to get past ownership checks). */
function aimedAt(value: unknown, ids: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => aimedAt(v, ids));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' && ids[k] !== undefined ? ids[k] : aimedAt(v, ids)]));
}

/**
 * What is wrong with the answer to a fuzzed request (undefined: nothing): a 5xx; a 2xx where none is allowed;
 * an error that is not the envelope carrying the request's id, or is larger than what it quotes; a large body
 * validated to its end.
 */
export function answerProblem(route: DocumentedRoute, r: FuzzRequest, res: LightMyRequestResponse, successAllowed: boolean): string | undefined {
  const where = () => `${route.key} ${describeRequest(r)} → ${res.statusCode} ${res.body.slice(0, 500)}`;
  if (res.statusCode >= 500) return `5xx: ${where()}`;
  if (res.statusCode < 400) return successAllowed ? undefined : `a fuzzed ${route.method} was accepted: ${where()}`;
  // An error answer stays small whatever the request (a 300 KB body of bad items once answered 124 MB); a
  // message may quote a bad value, so it may grow with what was sent, not beyond.
  const limit = MAX_ERROR_BYTES + 3 * ((r.payload?.length ?? 0) + r.query.length);
  if (res.body.length > limit) return `an error answer of ${res.body.length} bytes: ${where()}`;
  let body: unknown;
  try {
    body = JSON.parse(res.body || 'null');
  } catch {
    return `an error answer that is not JSON: ${where()}`;
  }
  const envelope = ErrorEnvelopeSchema.safeParse(body);
  if (!envelope.success) return `no error envelope: ${where()}`;
  if (envelope.data.error.request_id !== res.headers['x-request-id']) return `request_id differs from x-request-id: ${where()}`;
  // …and validation of a large body stops at its first problems instead of walking all of it.
  if ((r.payload?.length ?? 0) > 64 * 1024 && envelope.data.error.details?.issues_total !== undefined) return `a large body was validated to the end: ${where()}`;
  return undefined;
}

export interface HttpRouteFuzzer {
  central: TestCentral;
  /** The tenant bad requests are sent as (its rows must never change). */
  tenant: SeededTenant;
  /** The tenant hostile requests are sent as, against its own objects. */
  sandbox: SeededTenant;
  /** Every documented route but WebSocket upgrades. */
  routes: DocumentedRoute[];
  /** The routes the hostile part fuzzes (not those acting on the credential itself). */
  hostileRoutes: DocumentedRoute[];
  /** Answers by route, kind and code (to see how deep the requests got). */
  stats: Map<string, number>;
  badRequests(route: DocumentedRoute): fc.Arbitrary<FuzzRequest>;
  /** Fixed monsters: 10,000 levels of nesting, 100,000 items, megabyte strings — whole and inside the first field. */
  monsters(route: DocumentedRoute): FuzzRequest[];
  hostileRequests(route: DocumentedRoute): fc.Arbitrary<FuzzRequest>;
  /** Sends one request and checks its answer, counting both in `tally`. Returns what was wrong (undefined: nothing). Never throws. */
  probe(route: DocumentedRoute, request: FuzzRequest, part: FuzzPart, tally?: HttpFuzzTally): Promise<string | undefined>;
  /** Since start: tables that gained or lost rows (but the counted-anyway ones) and the first tenant's tables whose rows changed. */
  stateChanges(): Promise<{ tables: string[]; tenant: string[] }>;
  /** The first tenant's tables whose rows changed since start. */
  tenantChanges(): Promise<string[]>;
  /** What no longer answers as it should: health, the operator's session, the first tenant's cluster. */
  stillServes(): Promise<string[]>;
  close(): Promise<void>;
}

const changedKeys = <T>(before: Record<string, T>, after: Record<string, T>) => [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => before[k] !== after[k]).sort();

/** Central on a scratch database (rate limit off), two seeded tenants, a cluster with no tasks for the fuzzer's agent key. */
export async function startHttpRouteFuzzer(target: TestDatabaseTarget): Promise<HttpRouteFuzzer> {
  const central = await createTestCentral({ target, overrides: { ml: new RefusingMl() }, config: { RATE_LIMIT_PER_MINUTE: 1_000_000_000 } });
  try {
    const tenant = await seedTenant(central, 'Acme');
    const sandbox = await seedTenant(central, 'Sandbox');
    // The fuzzer's agent key: a cluster of the tenant with no tasks (a valid poll would lease the tenant's task).
    const fuzzAgent: TestCluster = await central.registerCluster(tenant.customerId, 'fuzz');
    // First use of a key records last_used_at once: do it before the fingerprint.
    const first = await central.app.inject({ method: 'GET', url: '/api/v1/client/tasks', headers: bearer(fuzzAgent.apiKey) });
    if (first.statusCode !== 200) throw new Error(`the fuzzer's agent key does not poll: ${first.statusCode} ${first.body.slice(0, 200)}`);
    const routes = (await documentedRoutes(central.app)).filter((r) => !r.websocket);
    const countsBefore = await tableCounts(central.db, COUNTED_ANYWAY);
    const fingerprintBefore = await customerFingerprint(central.db, tenant.customerId);
    const stats = new Map<string, number>();

    const credentialOf = (route: DocumentedRoute) => (ACTS_ON_CREDENTIAL.has(route.key) ? undefined : route.auth === 'user' ? central.operator.token : route.auth === 'agent' ? fuzzAgent.apiKey : undefined);
    const paramsOf = (route: DocumentedRoute, value: fc.Arbitrary<string> | ((name: string) => fc.Arbitrary<string>)) =>
      fc.record(Object.fromEntries(route.pathParams.map((p) => [p, typeof value === 'function' ? value(p) : value])) as Record<string, fc.Arbitrary<string>>);

    const send = (route: DocumentedRoute, r: FuzzRequest): Promise<LightMyRequestResponse> => {
      const path = route.path.replace(/:([A-Za-z_]+)/g, (_m, name: string) => r.params[name] ?? 'x');
      return central.app.inject({ method: route.method as 'GET', url: r.query ? `${path}?${r.query}` : path, headers: r.headers, ...(r.payload !== undefined && { payload: r.payload }) });
    };

    const tenantChanges = async () => changedKeys(fingerprintBefore, await customerFingerprint(central.db, tenant.customerId));

    return {
      central,
      tenant,
      sandbox,
      routes,
      hostileRoutes: routes.filter((r) => !ACTS_ON_CREDENTIAL.has(r.key)),
      stats,

      badRequests(route) {
        const credential = credentialOf(route);
        const auth = credential ? bearer(credential) : {};
        const ids = paramsOf(route, fc.uuid());
        const hasBody = route.method !== 'GET' && route.method !== 'DELETE';
        const kinds: fc.Arbitrary<FuzzRequest>[] = [
          fc.record({ kind: fc.constant('query'), params: ids, query: queryFor(route.query), headers: fc.constant(auth) }),
          fc.record({ kind: fc.constant('path'), params: paramsOf(route, pathSegment), query: fc.constant(''), headers: fc.constant(auth) }),
          fc.tuple(ids, credentialHeaders(credential), hostileBody(route.body)).map(([params, headers, body]) => ({ kind: 'credentials', params, query: '', headers: { ...json, ...headers }, ...(hasBody && body !== undefined && { payload: toJson(body) }) })),
        ];
        if (hasBody) {
          kinds.push(
            fc.tuple(ids, invalidBody(route.body)).map(([params, body]) => ({ kind: 'body', params, query: '', headers: { ...auth, ...json }, payload: JSON.stringify(body) })),
            fc.tuple(ids, rawBody).map(([params, raw]) => ({ kind: 'raw', params, query: '', headers: { ...auth, ...(raw.contentType !== undefined && { 'content-type': raw.contentType }) }, payload: raw.payload })),
          );
        }
        return fc.oneof(...kinds);
      },

      monsters(route) {
        const credential = credentialOf(route);
        const headers = { ...(credential ? bearer(credential) : {}), ...json };
        const params = Object.fromEntries(route.pathParams.map((p) => [p, '00000000-0000-4000-8000-000000000000']));
        const field = Object.keys(route.body?.properties ?? {})[0] ?? 'a';
        const strings = Object.fromEntries(Object.keys(route.body?.properties ?? { a: {} }).map((k) => [k, 'x'.repeat(1_000_000)]));
        const items = `[${'{},'.repeat(99_999)}{}]`;
        // Every list the body has, filled with 100,000 empty items (each missing all its fields).
        const lists = Object.entries(route.body?.properties ?? {}).filter(([, schema]) => schema.type === 'array').map(([key]) => `{"${key}":${items}}`);
        const payloads = [
          ...lists,
          deeplyNested(10_000, 'array'),
          deeplyNested(10_000, 'object'),
          `{"${field}":${deeplyNested(10_000, 'array')}}`,
          `{"${field}":${deeplyNested(10_000, 'object')}}`,
          items,
          `{"${field}":${items}}`,
          JSON.stringify(strings),
        ];
        if (route.method === 'GET') return [{ kind: 'monster-query', params, query: `q=${'y'.repeat(60_000)}&${'a=1&'.repeat(2_000)}`, headers }];
        return payloads.map((payload, i) => ({ kind: `monster-${i}`, params, query: '', headers, payload }));
      },

      hostileRequests(route) {
        const credential = route.auth === 'user' ? sandbox.admin.token : route.auth === 'agent' ? sandbox.cluster.apiKey : undefined;
        const real: Record<string, string> = { customer_id: sandbox.customerId, cluster_id: sandbox.cluster.clusterId, plan_id: sandbox.planId, task_id: sandbox.taskId, channel_id: sandbox.channelId, key_id: sandbox.cluster.keyId };
        const param = (name: string) => (real[name] !== undefined && !DESTRUCTIVE.test(route.key) ? fc.oneof(fc.constant(real[name]!), fc.uuid()) : fc.uuid());
        const body = route.method === 'GET' || route.method === 'DELETE' ? fc.constant(undefined) : fc.tuple(hostileBody(route.body), fc.boolean()).map(([b, aim]) => (aim ? aimedAt(b, real) : b));
        return fc.record({ kind: fc.constant('hostile'), params: paramsOf(route, param), query: queryFor(route.query), headers: fc.constant({ ...json, ...(credential ? bearer(credential) : {}) }), payload: body.map(toJson) });
      },

      async probe(route, r, part, tally) {
        let res: LightMyRequestResponse;
        if (tally) tally.sent++;
        const record = (problem: string) => {
          if (tally) {
            tally.problems++;
            if (tally.firstProblems.length < 5) tally.firstProblems.push(problem.slice(0, 1200));
          }
          return problem;
        };
        try {
          res = await send(route, r);
        } catch (error) {
          if (tally) tally.crashes++;
          return record(`no answer (${error instanceof Error ? error.message : String(error)}): ${route.key} ${describeRequest(r)}`);
        }
        const outcome = `${route.key} ${r.kind.replace(/-\d+$/, '')} ${res.statusCode}`;
        stats.set(outcome, (stats.get(outcome) ?? 0) + 1);
        if (tally) {
          if (res.statusCode >= 500) tally.server5xx++;
          else if (res.statusCode >= 400) tally.client4xx++;
          else tally.success2xx++;
        }
        const problem = answerProblem(route, r, res, part === 'hostile' || route.method === 'GET');
        return problem === undefined ? undefined : record(problem);
      },

      async stateChanges() {
        return { tables: changedKeys(countsBefore, await tableCounts(central.db, COUNTED_ANYWAY)), tenant: await tenantChanges() };
      },

      tenantChanges,

      async stillServes() {
        const failing: string[] = [];
        const expectOk = async (what: string, url: string, token?: string) => {
          const res = await central.app.inject({ method: 'GET', url, ...(token && { headers: bearer(token) }) });
          if (res.statusCode !== 200) failing.push(`${what}: ${res.statusCode}`);
        };
        await expectOk('health', '/healthz');
        await expectOk("the operator's session", '/api/v1/auth/me', central.operator.token);
        await expectOk("the tenant's cluster", `/api/v1/admin/clusters/${tenant.cluster.clusterId}`, tenant.admin.token);
        return failing;
      },

      close: () => central.close(),
    };
  } catch (error) {
    await central.close().catch(() => {});
    throw error;
  }
}

/** Progress of a long run, after each batch of routes. */
export interface HttpFuzzProgress {
  part: FuzzPart;
  routesDone: number;
  routesTotal: number;
  tally: HttpFuzzTally;
}

/**
 * The long run of one part: `requestsPerRoute` generated requests for every route (plus the monsters, in the bad
 * part), drawn from `seed` (route i from `seed + i`). Counts instead of stopping at the first problem, so a run
 * reports every kind of failure; `onBatch` is called after every `batchRoutes` routes.
 */
export async function fuzzAllRoutes(fuzzer: HttpRouteFuzzer, o: { part: FuzzPart; requestsPerRoute: number; seed: number; batchRoutes?: number; onBatch?: (p: HttpFuzzProgress) => void }): Promise<HttpFuzzTally> {
  const tally = emptyTally();
  const routes = o.part === 'bad' ? fuzzer.routes : fuzzer.hostileRoutes;
  const batch = o.batchRoutes ?? 10;
  for (const [i, route] of routes.entries()) {
    if (o.part === 'bad') for (const monster of fuzzer.monsters(route)) await fuzzer.probe(route, monster, 'bad', tally);
    const arbitrary = o.part === 'bad' ? fuzzer.badRequests(route) : fuzzer.hostileRequests(route);
    // Drawn in slices: a slice of hostile requests can hold megabytes of strings.
    for (let drawn = 0, slice = 0; drawn < o.requestsPerRoute; drawn += 200, slice++) {
      for (const request of fc.sample(arbitrary, { numRuns: Math.min(200, o.requestsPerRoute - drawn), seed: o.seed + i * 1009 + slice })) await fuzzer.probe(route, request, o.part, tally);
    }
    if ((i + 1) % batch === 0 || i === routes.length - 1) o.onBatch?.({ part: o.part, routesDone: i + 1, routesTotal: routes.length, tally: { ...tally, firstProblems: [...tally.firstProblems] } });
  }
  return tally;
}
