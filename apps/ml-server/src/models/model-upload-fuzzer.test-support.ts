/**
 * Malformed model uploads as fast-check arbitraries, in two classes.
 *
 * Surely bad (`badUpload`): a real model file (native artifact or XGBoost JSON) broken for sure — a field the
 * format reads given a JSON type it does not admit, a required key dropped, a number made infinite (`1e999`),
 * a length-checked array blown up, a field replaced by JSON nested thousands deep, the text made not JSON
 * (truncated, `NaN`, a BOM, trailing commas) — or a valid file under broken fields (wrong format, bad version or
 * date, extra or duplicated fields), or a body that is no upload at all (lying content types, garbage, valid JSON
 * of the wrong shape, broken multipart). The server must refuse each with a 4xx.
 *
 * Maybe bad (`hostileUpload`): mutations the server may accept — numbers changed (negative, zero, huge, tiny),
 * extra keys, bytes garbled, strings replaced by hostile text. It may store such a model; it must never answer
 * 5xx, and what it stores must be addressable and deletable.
 *
 * Which fields a format reads (and so which mutations surely break it) is written here from the formats' docs
 * (engines' RiskModelArtifactSchema; xgboost-model.ts), not derived from the server's own schemas.
 */
import fc from 'fast-check';
import { multipartBody } from '../testing/multipart-body.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];
type JsonType = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

/** One upload request as `app.inject` takes it, with a label saying what was broken (for failure messages). */
export interface UploadRequest {
  what: string;
  method: 'POST' | 'DELETE' | 'GET';
  url: string;
  headers: Record<string, string>;
  payload: string | Buffer;
}

/** What a format reads: the paths of fields whose type it checks, and the keys it requires. */
export interface FormatRules {
  format: 'native' | 'xgboost-json';
  /** The JSON types the format admits at `path`, or undefined when it does not check the field. */
  admits(path: Path, value: Json): Set<JsonType> | undefined;
  /** Whether dropping the key at `path` surely breaks the file. */
  required(path: Path): boolean;
  /** Arrays whose length the format checks (blowing them up breaks the file). */
  lengthChecked(path: Path): boolean;
}

const typeOf = (v: Json): JsonType => (v === null ? 'null' : Array.isArray(v) ? 'array' : (typeof v as JsonType));
const str = (p: Path) => p.join('.');

/** The native artifact (`cloudoptim-risk-gbt/1`): every field is checked and required except `metrics`. */
export const NATIVE_RULES: FormatRules = {
  format: 'native',
  admits(path, value) {
    if (path[0] === 'metrics') return undefined;
    // Thresholds of −∞ are written as null.
    if (/^models\.\d+\.trees\.\d+\.threshold\.\d+$/.test(str(path))) return new Set(['number', 'null']);
    return new Set([typeOf(value)]);
  },
  required: (path) => path.length > 0 && path[0] !== 'metrics',
  lengthChecked: (path) => /^(feature_names|thresholds|models|training\.base_rates|models\.\d+\.trees\.\d+\.(feature|threshold|left|right|value))$/.test(str(path)),
};

const XGB_TREE_ARRAYS = '(split_indices|split_conditions|left_children|right_children|default_left)';
/** XGBoost `save_model` JSON: only what xgboost-model.ts reads is checked; the rest (statistics, `version`) is ignored. */
export const XGBOOST_RULES: FormatRules = {
  format: 'xgboost-json',
  admits(path, value) {
    const p = str(path);
    if (new RegExp(`^learner\\.gradient_booster\\.model\\.trees\\.\\d+\\.default_left\\.\\d+$`).test(p)) return new Set(['boolean', 'number']);
    const checked = [
      /^learner$/,
      /^learner\.feature_names(\.\d+)?$/,
      /^learner\.gradient_booster(\.name)?$/,
      /^learner\.gradient_booster\.model(\.tree_info(\.\d+)?)?$/,
      /^learner\.gradient_booster\.model\.trees(\.\d+)?$/,
      new RegExp(`^learner\\.gradient_booster\\.model\\.trees\\.\\d+\\.${XGB_TREE_ARRAYS}(\\.\\d+)?$`),
      /^learner\.gradient_booster\.model\.trees\.\d+\.split_type(\.\d+)?$/,
      /^learner\.gradient_booster\.model\.trees\.\d+\.tree_param(\.size_leaf_vector)?$/,
      /^learner\.learner_model_param(\.(base_score|num_class|num_feature))?$/,
      /^learner\.objective(\.name)?$/,
    ];
    return checked.some((r) => r.test(p)) ? new Set([typeOf(value)]) : undefined;
  },
  required(path) {
    const p = str(path);
    return [
      /^learner$/,
      /^learner\.gradient_booster(\.name)?$/,
      /^learner\.gradient_booster\.model\.(trees|tree_info)$/,
      new RegExp(`^learner\\.gradient_booster\\.model\\.trees\\.\\d+\\.${XGB_TREE_ARRAYS}$`),
      /^learner\.learner_model_param(\.(base_score|num_feature))?$/,
      /^learner\.objective(\.name)?$/,
    ].some((r) => r.test(p));
  },
  lengthChecked: (path) => new RegExp(`^learner\\.gradient_booster\\.model\\.trees\\.\\d+\\.${XGB_TREE_ARRAYS}$`).test(str(path)),
};

/** Every path in `doc` (root excluded), each with its value. */
export function pathsOf(doc: Json): { path: Path; value: Json }[] {
  const out: { path: Path; value: Json }[] = [];
  const walk = (v: Json, path: Path) => {
    if (path.length > 0) out.push({ path, value: v });
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(doc, []);
  return out;
}

/** A deep copy of `doc` with the value at `path` replaced (`undefined`: the key dropped, the item removed). */
export function withValue(doc: Json, path: Path, value: Json | undefined): Json {
  const copy = structuredClone(doc);
  let parent = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const last = path[path.length - 1] as string | number;
  if (value !== undefined) parent[last] = value;
  else if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete parent[last];
  return copy;
}

const hostileText = fc.oneof(
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\uD800', '\uDFFF\uD800', '\u202Eevil', '../../etc/passwd', "' OR '1'='1", '__proto__', 'NaN', '1e999', '0000-01-01', '-1', 'x'.repeat(5000)),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

/** A value of a JSON type not in `admitted` (deep nesting and huge values included). */
function wrongTyped(admitted: Set<JsonType>): fc.Arbitrary<Json> {
  const all: [JsonType, fc.Arbitrary<Json>][] = [
    ['string', hostileText],
    ['number', fc.oneof(fc.constantFrom(0, -1, -5, 1.5, 2 ** 53 + 1, 1e308, -1e308, 5e-324), fc.double({ noNaN: true, noDefaultInfinity: true }))],
    ['boolean', fc.boolean()],
    ['null', fc.constant(null)],
    ['array', fc.oneof(fc.constant<Json>([]), fc.array<Json>(fc.oneof(hostileText, fc.integer()), { maxLength: 4 }), fc.integer({ min: 2_000, max: 8_000 }).map(nestedArrays))],
    ['object', fc.oneof(fc.constant({}), fc.dictionary(fc.string({ maxLength: 6 }), fc.integer(), { maxKeys: 3 }), fc.constant({ __proto__: null, constructor: { prototype: { polluted: true } } } as unknown as Json))],
  ];
  return fc.oneof(...all.filter(([t]) => !admitted.has(t)).map(([, a]) => a));
}

/**
 * `[[[…]]]` `depth` levels deep, as a placeholder `text` expands (JSON.stringify of the real thing would
 * overflow the test's own stack).
 */
const nestedArrays = (depth: number): Json => `\u0001DEEP${depth}`;

/** The file of a document, as text. */
const text = (doc: Json) => JSON.stringify(doc).replace(/"\\u0001DEEP(\d+)"/g, (_, n: string) => `${'['.repeat(Number(n))}${']'.repeat(Number(n))}`);

/** Text mutations that make a file not JSON for sure. */
function notJson(doc: Json): fc.Arbitrary<{ what: string; file: string }> {
  const whole = text(doc);
  const numbers = pathsOf(doc).filter((p) => typeof p.value === 'number');
  return fc.oneof(
    fc.integer({ min: 0, max: whole.length - 1 }).map((n) => ({ what: `truncated to ${n} chars`, file: whole.slice(0, n) })),
    fc.tuple(fc.nat(numbers.length - 1), fc.constantFrom('NaN', 'Infinity', '-Infinity', 'undefined', '0x10', '01', '+1', '.5')).map(([i, token]) => {
      const { path } = numbers[i] as { path: Path };
      return { what: `${str(path)} → ${token}`, file: withToken(doc, path, token) };
    }),
    fc.constantFrom(
      { what: 'a BOM', file: `\uFEFF${whole}` },
      { what: 'a trailing comma', file: whole.replace(/}$/, ',}') },
      { what: 'two documents', file: `${whole}${whole}` },
      { what: 'single quotes', file: whole.replace(/"/g, "'") },
      { what: 'a comment', file: `// model\n${whole}` },
    ),
  );
}

/** The document's text with the value at `path` written as the raw `token` (which JSON.stringify cannot produce). */
function withToken(doc: Json, path: Path, token: string): string {
  return text(withValue(doc, path, '@@TOKEN@@')).replace('"@@TOKEN@@"', token);
}

/**
 * A surely-invalid file of `rules.format`, made from `doc` (a valid one): its text and what was done to it.
 * The mutations that reach the format's own checks are weighted up (they get past JSON parsing).
 */
export function brokenFile(doc: Json, rules: FormatRules): fc.Arbitrary<{ what: string; file: string }> {
  const paths = pathsOf(doc);
  const typed = paths.filter((p) => rules.admits(p.path, p.value) !== undefined);
  const droppable = paths.filter((p) => rules.required(p.path) && typeof p.path[p.path.length - 1] === 'string');
  const numbers = typed.filter((p) => typeof p.value === 'number');
  const arrays = paths.filter((p) => Array.isArray(p.value) && rules.lengthChecked(p.path));
  const pick = <T>(list: T[]) => fc.nat(list.length - 1).map((i) => list[i] as T);
  return fc.oneof(
    { weight: 4, arbitrary: pick(typed).chain(({ path, value }) => wrongTyped(rules.admits(path, value) as Set<JsonType>).map((v) => ({ what: `${str(path)}: ${typeOf(value)} → ${typeOf(v)}`, file: text(withValue(doc, path, v)) }))) },
    { weight: 3, arbitrary: pick(droppable).map(({ path }) => ({ what: `${str(path)} dropped`, file: text(withValue(doc, path, undefined)) })) },
    // JSON.parse reads 1e999 as Infinity: the file is JSON, the number is not finite.
    { weight: 2, arbitrary: fc.tuple(pick(numbers), fc.constantFrom('1e999', '-1e999')).map(([{ path }, token]) => ({ what: `${str(path)} → ${token}`, file: withToken(doc, path, token) })) },
    {
      weight: 1,
      // Length-checked arrays blown up (or emptied), or a whole array of the wrong length.
      arbitrary: fc.tuple(pick(arrays), fc.oneof(fc.constant(0), fc.integer({ min: 5_001, max: 40_000 }))).map(([{ path, value }, n]) => {
        const first = (value as Json[])[0] ?? 0;
        return { what: `${str(path)} with ${n} items`, file: text(withValue(doc, path, Array.from({ length: n }, () => first))) };
      }),
    },
    { weight: 2, arbitrary: notJson(doc) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).filter((v) => typeOf(v as Json) !== 'object' || !('learner' in (v as object) || 'format' in (v as object))).map((v) => ({ what: `valid JSON of the wrong shape`, file: JSON.stringify(v) })) },
  );
}

/** Mutations the server may accept: numbers moved, extra keys, bytes garbled, strings made hostile. */
export function hostileFile(doc: Json): fc.Arbitrary<{ what: string; file: Buffer }> {
  const paths = pathsOf(doc);
  const numbers = paths.filter((p) => typeof p.value === 'number');
  const strings = paths.filter((p) => typeof p.value === 'string');
  const objects: { path: Path; value: Json }[] = [{ path: [], value: doc }, ...paths.filter((p) => p.value !== null && typeof p.value === 'object' && !Array.isArray(p.value))];
  const pick = <T>(list: T[]) => fc.nat(list.length - 1).map((i) => list[i] as T);
  const whole = Buffer.from(text(doc));
  return fc.oneof(
    fc.tuple(pick(numbers), fc.oneof(fc.constantFrom(0, -0, -1, -5, 1e-300, 5e-324, 1e300, -1e300, 2 ** 31, 2 ** 53 + 1), fc.double({ noNaN: true, noDefaultInfinity: true }))).map(([{ path, value }, v]) => ({ what: `${str(path)}: ${String(value)} → ${v}`, file: Buffer.from(text(withValue(doc, path, v))) })),
    fc.tuple(pick(strings), hostileText).map(([{ path }, v]) => ({ what: `${str(path)} → ${JSON.stringify(v).slice(0, 40)}`, file: Buffer.from(text(withValue(doc, path, v))) })),
    fc.tuple(pick(objects), fc.constantFrom('extra', '__proto__', 'constructor', '', 'x'.repeat(500)), fc.jsonValue({ maxDepth: 2 })).map(([{ path, value }, key, v]) => {
      const target = Object.defineProperty({ ...(value as object) }, key, { value: v, enumerable: true, writable: true, configurable: true }) as Json;
      return { what: `${str(path) || '(root)'} + key ${key.slice(0, 20)}`, file: Buffer.from(text(path.length === 0 ? target : withValue(doc, path, target))) };
    }),
    fc.array(fc.tuple(fc.nat(whole.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }).map((edits) => {
      const copy = Buffer.from(whole);
      for (const [at, byte] of edits) copy[at] = byte;
      return { what: `bytes garbled at ${edits.map(([at]) => at).join(',')}`, file: copy };
    }),
  );
}

const URL = '/api/v1/ml/models';

/** The upload as multipart (what curl sends) or as JSON with the file base64-encoded (central's proxy). */
export function asUpload(fields: Record<string, string>, file: Buffer | string, encoding: 'multipart' | 'json', auth: Record<string, string>, what: string): UploadRequest {
  const data = Buffer.isBuffer(file) ? file : Buffer.from(file);
  if (encoding === 'json') return { what: `${what} (json)`, method: 'POST', url: URL, headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify({ ...fields, artifact_base64: data.toString('base64') }) };
  const { body, contentType } = multipartBody(fields, { field: 'file', filename: 'model.json', contentType: 'application/json', data });
  return { what: `${what} (multipart)`, method: 'POST', url: URL, headers: { ...auth, 'content-type': contentType }, payload: body };
}

/** Fields that are broken for sure around a valid file: one of format, version, trained_until or the field set. */
export function brokenFields(valid: Record<string, string>, otherFormat: string): fc.Arbitrary<{ what: string; fields: Record<string, string> }> {
  const badVersion = fc.oneof(
    fc.constantFrom('', ' ', 'bad version!', '../x', '-1', '.x', 'x'.repeat(65), 'a/b', 'a\u0000b', '\uD800', 'ä'),
    fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !/^v?[0-9A-Za-z][0-9A-Za-z.+_-]*$/.test(s)),
  );
  const badDate = fc.oneof(fc.constantFrom('', '2024-02-30', '2024-13-01', '24-01-01', '2024-01-01T00:00:00Z', 'yesterday', '+275760-09-13', '\u0000'), fc.string({ maxLength: 12 }).filter((s) => !/^\d{4}-\d{2}-\d{2}$/.test(s)));
  return fc.oneof(
    fc.constantFrom('pickle', 'NATIVE', '', 'xgboost', 'onnx ', otherFormat).map((format) => ({ what: `format ${JSON.stringify(format)}`, fields: { ...valid, format } })),
    fc.constant({ what: 'no format', fields: Object.fromEntries(Object.entries(valid).filter(([k]) => k !== 'format')) }),
    badVersion.map((version) => ({ what: `version ${JSON.stringify(version).slice(0, 40)}`, fields: { ...valid, version } })),
    badDate.map((d) => ({ what: `trained_until ${JSON.stringify(d)}`, fields: { ...valid, trained_until: d } })),
    fc.constantFrom('extra', 'file_name', 'Format', 'artifact').map((k) => ({ what: `extra field ${k}`, fields: { ...valid, [k]: '1' } })),
  );
}

const CONTENT_TYPES = ['text/plain', 'application/xml', 'application/octet-stream', 'application/x-www-form-urlencoded', 'multipart/mixed; boundary=x', 'multipart/form-data', 'multipart/form-data; boundary=', 'multipart/form-data; boundary="unterminated', 'application/json; charset=utf-16', '*/*', 'application/json x-injected: 1'];

/** Bodies that are no upload at all: garbage under lying content types, broken multipart, wrong JSON. */
export function shapelessUpload(auth: Record<string, string>, file: Buffer): fc.Arbitrary<UploadRequest> {
  const boundary = '----fuzzBoundary';
  const part = (headers: string, data: Buffer | string) => Buffer.concat([Buffer.from(`--${boundary}\r\n${headers}\r\n\r\n`), Buffer.from(data), Buffer.from('\r\n')]);
  const end = Buffer.from(`--${boundary}--\r\n`);
  const multipartCases: [string, Buffer][] = [
    ['two file parts', Buffer.concat([part('Content-Disposition: form-data; name="format"', 'native'), part('Content-Disposition: form-data; name="file"; filename="a"', file), part('Content-Disposition: form-data; name="file"; filename="b"', file), end])],
    ['the file under another name', Buffer.concat([part('Content-Disposition: form-data; name="format"', 'native'), part('Content-Disposition: form-data; name="model"; filename="a"', file), end])],
    ['an empty file', Buffer.concat([part('Content-Disposition: form-data; name="format"', 'native'), part('Content-Disposition: form-data; name="file"; filename="a"', ''), end])],
    ['a duplicated field', Buffer.concat([part('Content-Disposition: form-data; name="format"', 'native'), part('Content-Disposition: form-data; name="format"', 'native'), part('Content-Disposition: form-data; name="file"; filename="a"', file), end])],
    ['a __proto__ field', Buffer.concat([part('Content-Disposition: form-data; name="__proto__"', 'x'), part('Content-Disposition: form-data; name="file"; filename="a"', file), end])],
    ['a constructor field', Buffer.concat([part('Content-Disposition: form-data; name="format"', 'native'), part('Content-Disposition: form-data; name="constructor"', 'x'), part('Content-Disposition: form-data; name="file"; filename="a"', file), end])],
    ['no closing boundary', Buffer.concat([part('Content-Disposition: form-data; name="format"', 'native'), part('Content-Disposition: form-data; name="file"; filename="a"', file)])],
    ['a part without disposition', Buffer.concat([part('Content-Type: text/plain', 'native'), end])],
    ['40 parts', Buffer.concat([...Array.from({ length: 40 }, (_, i) => part(`Content-Disposition: form-data; name="f${i}"`, 'x')), end])],
    ['a 10 KB field', Buffer.concat([part('Content-Disposition: form-data; name="format"', 'n'.repeat(10_000)), part('Content-Disposition: form-data; name="file"; filename="a"', file), end])],
    ['only the closing boundary', end],
    ['the file truncated mid-part', Buffer.concat([part('Content-Disposition: form-data; name="format"', 'native'), part('Content-Disposition: form-data; name="file"; filename="a"', file)]).subarray(0, 200 + Math.floor(file.length / 2))],
  ];
  return fc.oneof(
    fc.tuple(fc.constantFrom(...CONTENT_TYPES, undefined), fc.oneof(fc.constant(file), fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(s)), fc.constant(Buffer.alloc(0)))).map(([contentType, payload]) => ({
      what: `a ${payload.length}-byte body as ${contentType ?? '(no content type)'}`,
      method: 'POST' as const,
      url: URL,
      headers: { ...auth, ...(contentType !== undefined && { 'content-type': contentType }) },
      payload,
    })),
    fc.constantFrom(...multipartCases).map(([what, payload]) => ({ what: `multipart with ${what}`, method: 'POST' as const, url: URL, headers: { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload })),
    fc.jsonValue({ maxDepth: 3 }).map((v) => ({ what: 'a JSON body of the wrong shape', method: 'POST' as const, url: URL, headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify(v) })),
    fc.tuple(fc.constantFrom('format', 'artifact_base64', 'version'), wrongTyped(new Set(['string']))).map(([key, v]) => ({
      what: `a JSON upload with ${key} of type ${typeOf(v)}`,
      method: 'POST' as const,
      url: URL,
      headers: { ...auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ format: 'native', artifact_base64: file.toString('base64'), [key]: v }),
    })),
    fc.constantFrom('***', 'YQ', 'YQ===', '====', 'a b', 'YWJj\n', '\u0000').map((b64) => ({ what: `artifact_base64 ${JSON.stringify(b64)}`, method: 'POST' as const, url: URL, headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify({ format: 'native', artifact_base64: b64 }) })),
  );
}

export const UPLOAD_URL = URL;
