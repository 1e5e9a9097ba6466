/**
 * Every HTTP route, fuzzed from the route table (the OpenAPI document built from `routes.define`), in two parts.
 *
 * Bad requests: bodies shaped by the route's schema but broken for sure (a required field missing, a field of the
 * wrong JSON type, the wrong top level), malformed and shapeless bodies under lying content types, hostile query
 * strings and path parameters, bad credentials and schemes — and, once per route, JSON nested 10,000 levels, an
 * array of 100,000 items and megabyte strings. Every answer must be a 4xx with the error envelope (a 2xx only for
 * a read), never a 5xx; afterwards no table gained or lost a row and the seeded tenant's rows are unchanged.
 *
 * Hostile requests: bodies of the right shape with hostile content (NUL bytes, lone surrogates, huge strings,
 * extreme numbers), sent as a second tenant's admin and agent against its real objects, so they get past
 * validation into the handlers and the database. They may succeed; they must never get a 5xx, and the first
 * tenant's rows must stay as they were.
 *
 * FUZZ_RUNS sets the generated requests per route and kind (default 6: the short version `npm test` runs; the
 * benchmark runs more); FUZZ_SEED replays a run (a failure's message has its seed).
 */
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorEnvelopeSchema, exampleDecisionResponse, type DecisionRequest, type DecisionResponse } from '@cloudoptim/contracts';
import { testDatabaseTargets } from '@cloudoptim/db/testing';
import type { MlGateway } from '../ml/ml-gateway.ts';
import { bearer, createTestCentral, type TestCentral, type TestCluster } from '../testing/test-central.ts';
import { credentialHeaders, deeplyNested, hostileBody, invalidBody, pathSegment, queryFor, rawBody } from './fuzz-inputs.test-support.ts';
import { documentedRoutes, type DocumentedRoute } from './route-inventory.test-support.ts';
import { customerFingerprint, seedTenant, tableCounts, type SeededTenant } from './tenant-fixtures.test-support.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 6);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
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

interface FuzzRequest {
  kind: string;
  params: Record<string, string>;
  query: string;
  headers: Record<string, string>;
  payload?: string;
}

const describeRequest = (r: FuzzRequest) => JSON.stringify({ ...r, payload: r.payload && r.payload.length > 300 ? `${r.payload.slice(0, 300)}… (${r.payload.length} chars)` : r.payload }).slice(0, 1500);
const json = { 'content-type': 'application/json' };
const toJson = (v: unknown) => (v === undefined ? undefined : JSON.stringify(v));

/** `value` with every `cluster_id` / `customer_id` / `task_id` string set to the given real ids (to get past ownership checks). */
function aimedAt(value: unknown, ids: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => aimedAt(v, ids));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' && ids[k] !== undefined ? ids[k] : aimedAt(v, ids)]));
}

describe.each(testDatabaseTargets(process.env.TEST_DATABASE_URL))('HTTP routes under fuzzing on $name', (target) => {
  let central: TestCentral;
  let tenant: SeededTenant;
  let sandbox: SeededTenant;
  /** A cluster of the tenant with no tasks: the fuzzer's agent key (a valid poll would lease the tenant's task). */
  let fuzzAgent: TestCluster;
  let routes: DocumentedRoute[];
  let countsBefore: Record<string, number>;
  let fingerprintBefore: Record<string, string>;

  beforeAll(async () => {
    central = await createTestCentral({ target, overrides: { ml: new RefusingMl() }, config: { RATE_LIMIT_PER_MINUTE: 1_000_000_000 } });
    tenant = await seedTenant(central, 'Acme');
    sandbox = await seedTenant(central, 'Sandbox');
    fuzzAgent = await central.registerCluster(tenant.customerId, 'fuzz');
    // First use of a key records last_used_at once: do it before the fingerprint.
    expect((await central.app.inject({ method: 'GET', url: '/api/v1/client/tasks', headers: bearer(fuzzAgent.apiKey) })).statusCode).toBe(200);
    routes = (await documentedRoutes(central.app)).filter((r) => !r.websocket);
    countsBefore = await tableCounts(central.db, COUNTED_ANYWAY);
    fingerprintBefore = await customerFingerprint(central.db, tenant.customerId);
  }, 60_000);
  afterAll(() => central?.close());

  async function send(route: DocumentedRoute, r: FuzzRequest): Promise<LightMyRequestResponse> {
    const path = route.path.replace(/:([A-Za-z_]+)/g, (_m, name: string) => r.params[name] ?? 'x');
    return central.app.inject({ method: route.method as 'GET', url: r.query ? `${path}?${r.query}` : path, headers: r.headers, ...(r.payload !== undefined && { payload: r.payload }) });
  }

  /** Answers by route, kind and code, printed with FUZZ_STATS=1 (to see how deep the requests got). */
  const stats = new Map<string, number>();
  afterAll(() => {
    if (process.env.FUZZ_STATS) console.log([...stats].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${n}\t${k}`).join('\n'));
  });

  /** Every answer: no 5xx; an error is the envelope carrying the request's id; a success only where allowed. */
  function check(route: DocumentedRoute, r: FuzzRequest, res: LightMyRequestResponse, successAllowed: boolean): void {
    const outcome = `${route.key} ${r.kind.replace(/-\d+$/, '')} ${res.statusCode}`;
    stats.set(outcome, (stats.get(outcome) ?? 0) + 1);
    const where = `${route.key} ${describeRequest(r)} → ${res.statusCode} ${res.body.slice(0, 500)}`;
    if (res.statusCode >= 500) throw new Error(`5xx: ${where}`);
    if (res.statusCode < 400) {
      if (!successAllowed) throw new Error(`a fuzzed ${route.method} was accepted: ${where}`);
      return;
    }
    // An error answer stays small whatever the request (a 300 KB body of bad items once answered 124 MB); a
    // message may quote a bad value, so it may grow with what was sent, not beyond.
    const limit = MAX_ERROR_BYTES + 3 * ((r.payload?.length ?? 0) + r.query.length);
    if (res.body.length > limit) throw new Error(`an error answer of ${res.body.length} bytes: ${where}`);
    const envelope = ErrorEnvelopeSchema.safeParse(JSON.parse(res.body || 'null'));
    if (!envelope.success) throw new Error(`no error envelope: ${where}`);
    if (envelope.data.error.request_id !== res.headers['x-request-id']) throw new Error(`request_id differs from x-request-id: ${where}`);
    // …and validation of a large body stops at its first problems instead of walking all of it.
    if ((r.payload?.length ?? 0) > 64 * 1024 && envelope.data.error.details?.issues_total !== undefined) throw new Error(`a large body was validated to the end: ${where}`);
  }

  const paramsOf = (route: DocumentedRoute, value: fc.Arbitrary<string> | ((name: string) => fc.Arbitrary<string>)) =>
    fc.record(Object.fromEntries(route.pathParams.map((p) => [p, typeof value === 'function' ? value(p) : value])) as Record<string, fc.Arbitrary<string>>);

  function badRequests(route: DocumentedRoute): fc.Arbitrary<FuzzRequest> {
    const credential = ACTS_ON_CREDENTIAL.has(route.key) ? undefined : route.auth === 'user' ? central.operator.token : route.auth === 'agent' ? fuzzAgent.apiKey : undefined;
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
  }

  /** Fixed monsters: 10,000 levels of nesting, 100,000 items, megabyte strings — whole and inside the first field. */
  function monsters(route: DocumentedRoute): FuzzRequest[] {
    const credential = ACTS_ON_CREDENTIAL.has(route.key) ? undefined : route.auth === 'user' ? central.operator.token : route.auth === 'agent' ? fuzzAgent.apiKey : undefined;
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
  }

  function hostileRequests(route: DocumentedRoute): fc.Arbitrary<FuzzRequest> {
    const credential = route.auth === 'user' ? sandbox.admin.token : route.auth === 'agent' ? sandbox.cluster.apiKey : undefined;
    const real: Record<string, string> = { customer_id: sandbox.customerId, cluster_id: sandbox.cluster.clusterId, plan_id: sandbox.planId, task_id: sandbox.taskId, channel_id: sandbox.channelId, key_id: sandbox.cluster.keyId };
    const param = (name: string) => (real[name] !== undefined && !DESTRUCTIVE.test(route.key) ? fc.oneof(fc.constant(real[name]!), fc.uuid()) : fc.uuid());
    const body = route.method === 'GET' || route.method === 'DELETE' ? fc.constant(undefined) : fc.tuple(hostileBody(route.body), fc.boolean()).map(([b, aim]) => (aim ? aimedAt(b, real) : b));
    return fc.record({ kind: fc.constant('hostile'), params: paramsOf(route, param), query: queryFor(route.query), headers: fc.constant({ ...json, ...(credential ? bearer(credential) : {}) }), payload: body.map(toJson) });
  }

  it('covers the route table', () => {
    expect(routes.length).toBeGreaterThan(50);
  });

  it('answers every bad request to every route with a 4xx envelope (a read may answer), never a 5xx', async () => {
    for (const route of routes) {
      for (const monster of monsters(route)) check(route, monster, await send(route, monster), route.method === 'GET');
      await fc.assert(
        fc.asyncProperty(badRequests(route), async (r) => check(route, r, await send(route, r), route.method === 'GET')),
        { numRuns: RUNS * 5, endOnFailure: true, ...(SEED !== undefined && { seed: SEED }) },
      );
    }
  }, 600_000);

  it('stored and changed nothing for them', async () => {
    expect(await tableCounts(central.db, COUNTED_ANYWAY)).toEqual(countsBefore);
    expect(await customerFingerprint(central.db, tenant.customerId)).toEqual(fingerprintBefore);
  });

  it('answers hostile content a tenant sends to its own objects without a 5xx', async () => {
    for (const route of routes.filter((r) => !ACTS_ON_CREDENTIAL.has(r.key))) {
      await fc.assert(
        fc.asyncProperty(hostileRequests(route), async (r) => check(route, r, await send(route, r), true)),
        { numRuns: RUNS * 3, endOnFailure: true, ...(SEED !== undefined && { seed: SEED }) },
      );
    }
  }, 600_000);

  it('still serves, and the other tenant is untouched', async () => {
    expect((await central.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await central.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(central.operator.token) })).statusCode).toBe(200);
    expect((await central.app.inject({ method: 'GET', url: `/api/v1/admin/clusters/${tenant.cluster.clusterId}`, headers: bearer(tenant.admin.token) })).statusCode).toBe(200);
    expect(await customerFingerprint(central.db, tenant.customerId)).toEqual(fingerprintBefore);
  });
});
