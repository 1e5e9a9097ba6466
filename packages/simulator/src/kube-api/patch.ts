/**
 * The three patch types the apiserver accepts besides server-side apply:
 * - `json` — RFC 6902 JSON Patch (`application/json-patch+json`): add, remove, replace, move, copy, test.
 * - `merge` — RFC 7386 JSON Merge Patch (`application/merge-patch+json`): maps merge, `null` deletes, lists replace.
 * - `strategic` — Kubernetes strategic merge patch (`application/strategic-merge-patch+json`): a merge patch
 *   where lists with a merge key merge element by element (containers, volumes, env, ports by name/port,
 *   conditions and addresses by type, ownerReferences by uid, …), `finalizers` merge as a set, and the
 *   directives `$patch: replace|delete|merge`, `$retainKeys`, `$deleteFromPrimitiveList/<f>` and
 *   `$setElementOrder/<f>` (which kubectl apply sends) are honoured. As in the Go types, node `taints` and pod
 *   `tolerations` have no merge key: a patch replaces the whole list.
 * Bad patches throw 400/422 {@link KubeApiError}s.
 */
import { badRequest, KubeApiError } from './errors.ts';

export type PatchType = 'json' | 'merge' | 'strategic';

/** Maps a Content-Type to a patch type, or undefined if it is not one (→ 415). */
export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  const ct = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (ct === 'application/json-patch+json') return 'json';
  if (ct === 'application/merge-patch+json') return 'merge';
  if (ct === 'application/strategic-merge-patch+json') return 'strategic';
  return undefined;
}

/** Applies a patch to a (mutable, JSON) document and returns the result. */
export function applyPatch(type: PatchType, doc: unknown, patch: unknown, kind = ''): unknown {
  switch (type) {
    case 'json':
      return applyJsonPatch(doc, patch);
    case 'merge':
      if (!isMap(patch)) throw badRequest('unable to parse the merge patch: the patch must be a JSON object');
      return mergePatch(doc, patch);
    case 'strategic':
      if (!isMap(patch)) throw badRequest('unable to parse the strategic merge patch: the patch must be a JSON object');
      return strategicMerge(doc, patch, kind);
  }
}

type Json = unknown;
type JsonMap = Record<string, Json>;

function isMap(v: unknown): v is JsonMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** RFC 7386. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isMap(patch)) return patch;
  const out: JsonMap = isMap(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Merge key of a list field, by field name (and, for `ports`, by what the elements carry). */
function mergeKeyOf(field: string, sample: JsonMap | undefined): string | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'volumes':
    case 'env':
    case 'imagePullSecrets':
    case 'resourceClaims':
    case 'claims':
      return 'name';
    case 'ports':
      return sample && 'containerPort' in sample ? 'containerPort' : 'port';
    case 'volumeMounts':
      return 'mountPath';
    case 'volumeDevices':
      return 'devicePath';
    case 'conditions':
    case 'addresses':
      return 'type';
    case 'ownerReferences':
      return 'uid';
    case 'hostAliases':
      return 'ip';
    case 'topologySpreadConstraints':
      return 'topologyKey';
    default:
      return undefined;
  }
}

/** Primitive lists that merge as sets under strategic merge patch. */
const SET_LISTS = new Set(['finalizers']);

/** Kubernetes strategic merge patch for the fields clients use (see file header). */
export function strategicMerge(target: Json, patch: JsonMap, kind = ''): Json {
  void kind;
  return mergeMap(isMap(target) ? target : {}, patch);
}

function mergeMap(target: JsonMap, patch: JsonMap): JsonMap {
  const directive = patch['$patch'];
  if (directive === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return stripDirectives(rest) as JsonMap;
  }
  if (directive === 'delete') return {};
  const out: JsonMap = { ...target };
  const retainKeys = patch['$retainKeys'];
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys') continue;
    if (k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const current = out[field];
      if (Array.isArray(current) && Array.isArray(v)) out[field] = current.filter((x) => !v.includes(x as never));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const cur = out[k];
    if (Array.isArray(v)) {
      out[k] = mergeList(k, Array.isArray(cur) ? cur : [], v, patch[`$setElementOrder/${k}`]);
    } else if (isMap(v)) {
      out[k] = mergeMap(isMap(cur) ? cur : {}, v);
    } else {
      out[k] = v;
    }
  }
  if (Array.isArray(retainKeys)) {
    for (const k of Object.keys(out)) if (!retainKeys.includes(k)) delete out[k];
  }
  return out;
}

function mergeList(field: string, current: Json[], patch: Json[], order: Json): Json[] {
  // `[{"$patch": "replace"}, ...]` replaces the list wholesale.
  if (patch.some((e) => isMap(e) && e['$patch'] === 'replace')) {
    return patch.filter((e) => !(isMap(e) && e['$patch'] === 'replace')).map(stripDirectives);
  }
  if (SET_LISTS.has(field)) {
    const out = [...current];
    for (const v of patch) if (!out.includes(v)) out.push(v);
    return out;
  }
  const sample = (patch.find(isMap) ?? current.find(isMap)) as JsonMap | undefined;
  const key = mergeKeyOf(field, sample);
  if (!key || !patch.every(isMap)) return patch.map(stripDirectives);
  const out: JsonMap[] = current.filter(isMap).map((e) => ({ ...e }));
  for (const p of patch as JsonMap[]) {
    const id = p[key];
    if (id === undefined) {
      throw new KubeApiError('BadRequest', `map: ${JSON.stringify(p)} does not contain declared merge key: ${key}`);
    }
    const idx = out.findIndex((e) => e[key] === id);
    if (p['$patch'] === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = mergeMap(out[idx]!, p);
    else out.push(stripDirectives(p) as JsonMap);
  }
  if (Array.isArray(order) && order.every(isMap)) {
    // `$setElementOrder` (from kubectl apply) fixes the order of the listed elements; others follow.
    const rank = new Map(order.map((e, i) => [(e as JsonMap)[key], i]));
    out.sort((a, b) => (rank.get(a[key]) ?? Infinity) - (rank.get(b[key]) ?? Infinity));
  }
  return out;
}

function stripDirectives(v: Json): Json {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isMap(v)) return v;
  const out: JsonMap = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('$')) continue;
    if (x === null) continue;
    out[k] = stripDirectives(x);
  }
  return out;
}

// ---- RFC 6902 ----

interface JsonPatchOp {
  op: string;
  path: string;
  value?: Json;
  from?: string;
}

function parsePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw badRequest(`the server rejected our request due to an error in our request: invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function getAt(doc: Json, tokens: string[]): Json {
  let cur = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) {
      const i = Number(t);
      if (!/^\d+$/.test(t) || i >= cur.length) return undefined;
      cur = cur[i];
    } else if (isMap(cur)) {
      if (!Object.prototype.hasOwnProperty.call(cur, t)) return undefined;
      cur = cur[t];
    } else return undefined;
  }
  return cur;
}

function jsonPatchError(msg: string): KubeApiError {
  // The apiserver answers a failed JSON patch operation with 422 (and a malformed one with 400).
  return new KubeApiError('Invalid', `the server rejected our request due to an error in our request: ${msg}`);
}

function setAt(doc: Json, tokens: string[], value: Json, mode: 'add' | 'replace'): Json {
  if (tokens.length === 0) return value;
  const parent = getAt(doc, tokens.slice(0, -1));
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    if (last === '-' && mode === 'add') parent.push(value);
    else {
      const i = Number(last);
      if (!/^\d+$/.test(last) || i > parent.length || (mode === 'replace' && i >= parent.length))
        throw jsonPatchError(`index out of range: ${last}`);
      if (mode === 'add') parent.splice(i, 0, value);
      else parent[i] = value;
    }
  } else if (isMap(parent)) {
    if (mode === 'replace' && !Object.prototype.hasOwnProperty.call(parent, last))
      throw jsonPatchError(`replace operation does not apply: doc is missing key: /${tokens.join('/')}`);
    parent[last] = value;
  } else {
    throw jsonPatchError(`${mode} operation does not apply: doc is missing path: /${tokens.join('/')}`);
  }
  return doc;
}

function removeAt(doc: Json, tokens: string[]): Json {
  const parent = getAt(doc, tokens.slice(0, -1));
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    const i = Number(last);
    if (!/^\d+$/.test(last) || i >= parent.length) throw jsonPatchError(`remove operation does not apply: index out of range: ${last}`);
    parent.splice(i, 1);
  } else if (isMap(parent) && Object.prototype.hasOwnProperty.call(parent, last)) {
    delete parent[last];
  } else {
    throw jsonPatchError(`remove operation does not apply: doc is missing path: "/${tokens.join('/')}"`);
  }
  return doc;
}

/** RFC 6902 JSON Patch. */
export function applyJsonPatch(doc: Json, patch: Json): Json {
  if (!Array.isArray(patch)) throw badRequest('the server rejected our request due to an error in our request: json patch must be an array of operations');
  let out = doc;
  for (const raw of patch) {
    if (!isMap(raw) || typeof raw['op'] !== 'string' || typeof raw['path'] !== 'string') {
      throw badRequest('the server rejected our request due to an error in our request: invalid json patch operation');
    }
    const op = raw as unknown as JsonPatchOp;
    const tokens = parsePointer(op.path);
    const value = op.value === undefined ? undefined : JSON.parse(JSON.stringify(op.value));
    switch (op.op) {
      case 'add':
        out = setAt(out, tokens, value, 'add');
        break;
      case 'replace':
        out = setAt(out, tokens, value, 'replace');
        break;
      case 'remove':
        out = removeAt(out, tokens);
        break;
      case 'move':
      case 'copy': {
        if (typeof op.from !== 'string') throw badRequest(`${op.op} operation requires "from"`);
        const fromTokens = parsePointer(op.from);
        const v = getAt(out, fromTokens);
        if (v === undefined) throw jsonPatchError(`${op.op} operation does not apply: doc is missing from path: ${op.from}`);
        const copy = JSON.parse(JSON.stringify(v));
        if (op.op === 'move') out = removeAt(out, fromTokens);
        out = setAt(out, tokens, copy, 'add');
        break;
      }
      case 'test': {
        const v = getAt(out, tokens);
        if (JSON.stringify(v) !== JSON.stringify(op.value)) throw jsonPatchError(`testing value ${op.path} failed`);
        break;
      }
      default:
        throw badRequest(`the server rejected our request due to an error in our request: unexpected kind: ${op.op}`);
    }
  }
  return out;
}
