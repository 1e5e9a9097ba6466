/**
 * Hostile inputs for the route fuzzer, as fast-check arbitraries: values shaped by a route's own JSON schema
 * (from the OpenAPI document) with one thing broken — a field of the wrong type, missing, extra, huge, full of
 * control characters or lone surrogates, a prototype-polluting key — and shapeless ones (any JSON, malformed
 * text, lying content types, odd credentials). Shaped values get past the first checks and reach deeper.
 */
import fc from 'fast-check';
import type { JsonSchema } from './route-inventory.test-support.ts';

/** Strings that break things downstream: NUL (PostgreSQL text), lone surrogates, traversal, injections, huge. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\uD800',
    '\uDFFF\uD800',
    '\u202Eevil',
    '\uFEFF',
    '../../../../etc/passwd',
    '%2e%2e%2f%2e%2e%2f',
    "' OR '1'='1",
    '"; DROP TABLE clusters; --',
    '${jndi:ldap://x}',
    '<script>alert(1)</script>',
    '__proto__',
    'constructor',
    'NaN',
    'Infinity',
    '-0',
    '1e309',
    '0x10',
    '9'.repeat(400),
    'null',
    'true',
    '2026-02-30T25:61:61Z',
    '+275760-09-13T00:00:00.000Z',
    '-271821-04-20T00:00:00.000Z',
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    'i-0123456789abcdef0',
    'us-east-1',
    'coa_' + 'A'.repeat(43),
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.integer({ min: 1_000, max: 70_000 }).map((n) => 'x'.repeat(n)),
);

/** Any value a JSON field could hold, weighted towards the nasty. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  fc.constantFrom(null, true, false, 0, -1, -0, 1.5, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308, -1e308, 5e-324, [], {}, [null], { '': '' }),
  fc.double(),
  fc.integer(),
  fc.jsonValue({ maxDepth: 3 }),
  fc.array(nastyString, { maxLength: 5 }),
);

function shaped(schema: JsonSchema | undefined, depth: number, hostile = false): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return nastyValue;
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives && alternatives.length > 0) return fc.oneof(...alternatives.map((s) => shaped(s, depth + 1, hostile)));
  if (schema.allOf && schema.allOf.length > 0) return shaped(schema.allOf[0], depth + 1, hostile);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'string':
      // Hostile: the right type with the wrong content (NUL, surrogates, huge), which validation may let through.
      return hostile ? fc.oneof(shapedString(schema), nastyString) : shapedString(schema);
    case 'integer':
      return fc.integer({ min: Math.max(schema.minimum ?? -(2 ** 31), -(2 ** 31)), max: Math.min(schema.maximum ?? 2 ** 31, 2 ** 31) });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e9, max: schema.maximum ?? 1e9, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(shaped(schema.items, depth + 1, hostile), { minLength: Math.min(schema.minItems ?? 0, 3), maxLength: Math.min(Math.max(schema.minItems ?? 0, 3), schema.maxItems ?? 3) });
    case 'object': {
      const properties = schema.properties ?? {};
      const keys = Object.keys(properties);
      if (keys.length === 0) return fc.dictionary(fc.string({ maxLength: 8 }), nastyValue, { maxKeys: 3 });
      return fc.record(Object.fromEntries(keys.map((k) => [k, shaped(properties[k], depth + 1, hostile)])), { requiredKeys: (schema.required ?? []).filter((k) => keys.includes(k)) });
    }
    default:
      return nastyValue;
  }
}

function shapedString(schema: JsonSchema): fc.Arbitrary<string> {
  switch (schema.format) {
    case 'uuid':
      return fc.uuid();
    case 'email':
      return fc.emailAddress();
    case 'date-time':
      return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
    case 'date':
      return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    case 'uri':
      return fc.webUrl();
  }
  if (schema.pattern) {
    try {
      return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length <= (schema.maxLength ?? 2000));
    } catch {
      // A pattern fast-check cannot invert: plain strings instead.
    }
  }
  return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) });
}

/** The JSON types a schema admits (undefined: any). */
function jsonTypes(schema: JsonSchema | undefined): Set<string> | undefined {
  if (!schema) return undefined;
  if (schema.const !== undefined) return new Set([jsonTypeOf(schema.const)]);
  if (schema.enum) return new Set(schema.enum.map(jsonTypeOf));
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const all = alternatives.map(jsonTypes);
    return all.some((t) => t === undefined) ? undefined : new Set(all.flatMap((t) => [...t!]));
  }
  if (schema.type === undefined) return undefined;
  const types = new Set(Array.isArray(schema.type) ? schema.type : [schema.type]);
  if (types.has('integer')) types.add('number');
  return types;
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'number' ? 'number' : typeof value;
}

/** Values of a JSON type the schema does not admit (none when it admits any). */
function wrongTyped(schema: JsonSchema | undefined): fc.Arbitrary<unknown> | undefined {
  const admitted = jsonTypes(schema);
  if (admitted === undefined) return undefined;
  const candidates = ([
    ['string', nastyString],
    ['number', fc.oneof(fc.double({ noNaN: true }), fc.constantFrom(-1, 0, 1e308, 2 ** 53 + 1))],
    ['boolean', fc.boolean()],
    ['null', fc.constant(null)],
    ['array', fc.array(nastyValue, { maxLength: 3 })],
    ['object', fc.dictionary(fc.string({ maxLength: 6 }), nastyValue, { maxKeys: 3 })],
  ] as const).filter(([type]) => !admitted.has(type));
  return candidates.length > 0 ? fc.oneof(...candidates.map(([, arbitrary]) => arbitrary as fc.Arbitrary<unknown>)) : undefined;
}

/**
 * A body the route must refuse: shaped by its schema, then broken for sure — a required field dropped, a field
 * of a JSON type its schema does not admit, or a top level of the wrong type — and maybe made nastier
 * elsewhere (extra keys, prototype-polluting keys).
 */
export function invalidBody(schema: JsonSchema | undefined): fc.Arbitrary<unknown> {
  const whole = wrongTyped(schema) ?? fc.constantFrom<unknown>(42, 'text', [], null);
  const properties = schema?.properties ?? {};
  const breakers: fc.Arbitrary<unknown>[] = [whole];
  for (const key of schema?.required ?? []) {
    breakers.push(shaped(schema, 0, true).map((v) => {
      const copy = { ...(v as Record<string, unknown>) };
      delete copy[key];
      return copy;
    }));
  }
  for (const [key, propertySchema] of Object.entries(properties)) {
    const bad = wrongTyped(propertySchema);
    if (bad) breakers.push(fc.tuple(shaped(schema, 0, true), bad).map(([v, b]) => ({ ...(v as Record<string, unknown>), [key]: b })));
  }
  const extra = fc.constantFrom('extra', '__proto__', 'constructor', 'prototype', '', 'x'.repeat(1000));
  return fc.tuple(fc.oneof(...breakers), fc.option(fc.tuple(extra, nastyValue))).map(([value, more]) => {
    if (!more || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    // defineProperty: a "__proto__" key must be an own field of the JSON, not a prototype change here.
    return Object.defineProperty({ ...(value as object) }, more[0], { value: more[1], enumerable: true, writable: true, configurable: true });
  });
}

/** A body that may well be valid, with the right types but hostile content (NUL, surrogates, huge strings). */
export function hostileBody(schema: JsonSchema | undefined): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: shaped(schema, 0, true), weight: 3 }, { arbitrary: fc.jsonValue({ maxDepth: 4 }), weight: 1 });
}

/**
 * Percent-encodes every byte of the text's UTF-8 (lone surrogates become U+FFFD, as a client would send them);
 * text made only of URL-safe characters and `%` is left as it is, so deliberately broken escapes (`%ZZ`) stay broken.
 */
export function urlText(text: string): string {
  if (/^[%A-Za-z0-9._~-]*$/.test(text)) return text;
  return [...Buffer.from(text, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');
}

const brokenEscapes = fc.constantFrom('%', '%ZZ', '%00', '%C0%AE', '%E0%80', '%2F..%2F', '..', '.');

/** A raw query string: the route's own keys and others, each with nasty values, sometimes repeated or malformed. */
export function queryFor(schema: JsonSchema | undefined): fc.Arbitrary<string> {
  const keys = Object.keys(schema?.properties ?? {});
  const key = keys.length > 0 ? fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 10 }), fc.constantFrom('__proto__', 'a[b]', 'constructor[prototype]')) : fc.string({ maxLength: 10 });
  const value = fc.oneof(nastyString, shaped(undefined, 0).map((v) => JSON.stringify(v) ?? ''));
  const pair = fc.oneof(fc.tuple(key, value).map(([k, v]) => `${urlText(k)}=${urlText(String(v))}`), brokenEscapes, fc.constantFrom('&&', '==', 'a', 'a=1=2'));
  return fc.array(pair, { maxLength: 6 }).map((pairs) => pairs.join('&'));
}

/** A path segment for a path parameter: shaped (uuid-like, so it passes validation and reaches the lookup) or nasty. */
export const pathSegment: fc.Arbitrary<string> = fc.oneof(fc.uuid(), nastyString.filter((s) => s.length <= 4000).map(urlText), brokenEscapes);

/** Request bodies as raw text with the content type claimed for them (often a lie). */
export const rawBody: fc.Arbitrary<{ contentType: string | undefined; payload: string }> = fc.record({
  contentType: fc.constantFrom(undefined, 'application/json', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream', '', 'application/json x-injected: 1', '*/*'),
  payload: fc.oneof(
    fc.constantFrom('', ' ', 'null', '{', '{"a":', '[1,2', '{"a":1}garbage', '\uFEFF{}', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}', '{"a":1,"a":2}', 'a=1&b=2', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--', '<a>1</a>', '\u0000\u0001\u0002'),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc.string({ unit: 'binary', maxLength: 200 }),
  ),
});

/** Printable ASCII only: anything else cannot be sent in a header at all. */
const headerSafe = (s: string) => s.length < 8000 && [...s].every((c) => c >= ' ' && c <= '~');

/**
 * Authorization / cookie headers that are all wrong: none, odd schemes, malformed or unknown tokens, and the
 * caller's real credential (`valid`) presented wrongly.
 */
export function credentialHeaders(valid: string | undefined): fc.Arbitrary<Record<string, string>> {
  const token = fc.oneof(nastyString.filter(headerSafe), fc.constantFrom('cos_' + 'A'.repeat(43), 'coa_' + 'B'.repeat(43), 'cos_short', 'coa_' + '!'.repeat(43)));
  const scheme = fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', 'Token', 'Digest', 'Bearer  ', '', 'Bearer\t');
  return fc.oneof(
    fc.constant({}),
    fc.tuple(scheme, token).map(([s, t]) => ({ authorization: `${s} ${t}`.trimStart() })),
    token.map((t) => ({ cookie: `cloudoptim_session=${t}` })),
    fc.constant({ authorization: 'Bearer' }),
    fc.constant({ authorization: 'Bearer ' + 'A'.repeat(20_000) }),
    fc.constant({ cookie: 'cloudoptim_session=' }),
    ...(valid ? [fc.constant({ authorization: `Basic ${valid}` }), fc.constant({ authorization: `Bearer ${valid}x` }), fc.constant({ authorization: `Bearer ${valid} ${valid}` })] : []),
  );
}

/** Deeply nested JSON text: `depth` levels of arrays, or of objects. */
export function deeplyNested(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}
