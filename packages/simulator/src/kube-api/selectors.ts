/**
 * Label and field selectors as the apiserver parses them (k8s.io/apimachinery/pkg/labels and /fields):
 * labels: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x,y)`, `a` (exists), `!a` (does not exist),
 * `a>1`, `a<1`, comma-separated = AND. Fields: `f=v`, `f==v`, `f!=v`, comma-separated.
 * Parse errors throw a 400 {@link KubeApiError} with the apiserver's style of message.
 */
import { badRequest } from './errors.ts';
import type { LabelSelectorSpec } from './types.ts';

export type LabelOperator = 'in' | 'notin' | 'exists' | '!' | '=' | '==' | '!=' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

/** A parsed selector; the empty selector matches everything. */
export interface LabelSelector {
  requirements: LabelRequirement[];
  matches(labels: Record<string, string> | undefined): boolean;
  toString(): string;
}

const NAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Validates a label key (`[prefix/]name`); returns an error message or undefined. */
export function labelKeyError(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return `name part must consist of alphanumeric characters, '-', '_' or '.'`;
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix.length === 0) return 'prefix part must be non-empty';
    if (prefix.length > 253 || !DNS1123_SUBDOMAIN_RE.test(prefix))
      return 'prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\'';
  }
  if (name.length === 0) return 'name part must be non-empty';
  if (name.length > 63) return 'name part must be no more than 63 characters';
  if (!NAME_RE.test(name))
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  return undefined;
}

/** Validates a label value (may be empty); returns an error message or undefined. */
export function labelValueError(value: string): string | undefined {
  if (value.length > 63) return 'must be no more than 63 characters';
  if (value !== '' && !NAME_RE.test(value))
    return "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  return undefined;
}

function matchRequirement(req: LabelRequirement, labels: Record<string, string> | undefined): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = has ? labels![req.key]! : undefined;
  switch (req.operator) {
    case 'exists':
      return has;
    case '!':
      return !has;
    case '=':
    case '==':
    case 'in':
      return has && req.values.includes(value!);
    case '!=':
    case 'notin':
      return !has || !req.values.includes(value!);
    case 'gt':
    case 'lt': {
      if (!has) return false;
      const n = Number(value);
      const bound = Number(req.values[0]);
      if (!Number.isFinite(n)) return false;
      return req.operator === 'gt' ? n > bound : n < bound;
    }
  }
}

function requirementString(req: LabelRequirement): string {
  switch (req.operator) {
    case 'exists':
      return req.key;
    case '!':
      return `!${req.key}`;
    case 'in':
    case 'notin':
      return `${req.key} ${req.operator} (${req.values.join(',')})`;
    case 'gt':
      return `${req.key}>${req.values[0]}`;
    case 'lt':
      return `${req.key}<${req.values[0]}`;
    default:
      return `${req.key}${req.operator}${req.values[0]}`;
  }
}

function makeSelector(requirements: LabelRequirement[]): LabelSelector {
  return {
    requirements,
    matches: (labels) => requirements.every((r) => matchRequirement(r, labels)),
    toString: () => requirements.map(requirementString).join(','),
  };
}

/** The selector that matches everything. */
export const EVERYTHING: LabelSelector = makeSelector([]);

/**
 * Parses a label selector string (the `labelSelector` query parameter, `kubectl -l`).
 * @throws KubeApiError 400 on a syntax error or an invalid key/value.
 */
export function parseLabelSelector(input: string): LabelSelector {
  const src = input.trim();
  if (src === '') return EVERYTHING;
  const requirements: LabelRequirement[] = [];
  let i = 0;
  const fail = (msg: string): never => {
    throw badRequest(`unable to parse requirement: ${msg}`);
  };
  const skipWs = () => {
    while (i < src.length && /\s/.test(src[i]!)) i++;
  };
  const readIdent = (): string => {
    skipWs();
    const start = i;
    while (i < src.length && !/[\s,=!<>()]/.test(src[i]!)) i++;
    return src.slice(start, i);
  };
  const checkKey = (key: string) => {
    const err = labelKeyError(key);
    if (err) fail(`invalid label key "${key}": ${err}`);
  };
  const checkValue = (value: string) => {
    const err = labelValueError(value);
    if (err) fail(`invalid label value: "${value}": at key: ${err}`);
  };
  while (i < src.length) {
    skipWs();
    if (src[i] === '!') {
      i++;
      const key = readIdent();
      checkKey(key);
      requirements.push({ key, operator: '!', values: [] });
    } else {
      const key = readIdent();
      if (key === '') fail(`found '${src[i] ?? 'EOS'}', expected: identifier`);
      checkKey(key);
      skipWs();
      const rest = src.slice(i);
      let op: LabelOperator | undefined;
      if (rest.startsWith('==')) op = '==';
      else if (rest.startsWith('!=')) op = '!=';
      else if (rest.startsWith('=')) op = '=';
      else if (rest.startsWith('>')) op = 'gt';
      else if (rest.startsWith('<')) op = 'lt';
      else if (/^notin[\s(]/.test(rest)) op = 'notin';
      else if (/^in[\s(]/.test(rest)) op = 'in';
      if (op === undefined) {
        if (i >= src.length || src[i] === ',') {
          requirements.push({ key, operator: 'exists', values: [] });
        } else {
          fail(`found '${readIdent() || src[i]}', expected: in, notin, =, ==, !=, gt, lt`);
        }
      } else if (op === 'in' || op === 'notin') {
        i += op.length;
        skipWs();
        if (src[i] !== '(') fail(`found '${src[i] ?? 'EOS'}', expected: '('`);
        const close = src.indexOf(')', i);
        if (close < 0) fail(`found 'EOS', expected: ')'`);
        const values = src
          .slice(i + 1, close)
          .split(',')
          .map((v) => v.trim());
        if (values.length === 1 && values[0] === '' && op === 'in') fail('for \'in\', \'notin\' operators, values set can\'t be empty');
        values.forEach(checkValue);
        i = close + 1;
        requirements.push({ key, operator: op, values });
      } else {
        i += op === '==' || op === '!=' ? 2 : 1;
        const value = readIdent();
        if (op === 'gt' || op === 'lt') {
          if (!/^-?\d+$/.test(value)) fail(`for 'Gt', 'Lt' operators, the value must be an integer`);
        } else {
          checkValue(value);
        }
        requirements.push({ key, operator: op, values: [value] });
      }
    }
    skipWs();
    if (i < src.length) {
      if (src[i] !== ',') fail(`found '${src[i]}', expected: ',' or 'end of string'`);
      i++;
      skipWs();
      if (i >= src.length) fail(`found 'EOS', expected: identifier`);
    }
  }
  return makeSelector(requirements);
}

/**
 * Turns a spec selector (`matchLabels` + `matchExpressions`, as in PDBs and workloads) into a matcher.
 * An absent selector matches nothing (as for PDBs); an empty one `{}` matches everything.
 */
export function selectorFromSpec(spec: LabelSelectorSpec | undefined | null): LabelSelector {
  if (!spec) return makeSelector([{ key: '', operator: 'in', values: [] }]);
  const reqs: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(spec.matchLabels ?? {})) reqs.push({ key, operator: '=', values: [value] });
  for (const e of spec.matchExpressions ?? []) {
    const op: LabelOperator =
      e.operator === 'In' ? 'in' : e.operator === 'NotIn' ? 'notin' : e.operator === 'Exists' ? 'exists' : '!';
    reqs.push({ key: e.key, operator: op, values: e.values ?? [] });
  }
  return makeSelector(reqs);
}

/** `matchLabels`/`matchExpressions` → the string form (`app=web,tier in (a,b)`). */
export function selectorSpecToString(spec: LabelSelectorSpec | undefined): string {
  return spec ? selectorFromSpec(spec).toString() : '';
}

export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

export interface FieldSelector {
  requirements: FieldRequirement[];
  /** `get` returns the object's value at a field path as a string ('' when absent). */
  matches(get: (field: string) => string): boolean;
}

/**
 * Parses a field selector. Only the fields in `allowed` (plus metadata.name / metadata.namespace) may be used,
 * as the apiserver answers `field label not supported` otherwise.
 * @throws KubeApiError 400.
 */
export function parseFieldSelector(input: string, allowed: readonly string[], kind: string): FieldSelector {
  const src = input.trim();
  const requirements: FieldRequirement[] = [];
  if (src !== '') {
    for (const part of splitUnescaped(src, ',')) {
      const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(part.trim());
      if (!m) throw badRequest(`invalid selector: '${src}'; can't understand '${part}'`);
      const field = m[1]!.trim();
      if (field !== 'metadata.name' && field !== 'metadata.namespace' && !allowed.includes(field)) {
        throw badRequest(`field label not supported: ${field}`);
      }
      requirements.push({ field, operator: m[2] === '!=' ? '!=' : '=', value: unescapeField(m[3]!.trim()) });
    }
  }
  void kind;
  return {
    requirements,
    matches: (get) => requirements.every((r) => (get(r.field) === r.value) === (r.operator === '=')),
  };
}

function splitUnescaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && i + 1 < s.length) {
      cur += s[i]! + s[i + 1]!;
      i++;
    } else if (s[i] === sep) {
      out.push(cur);
      cur = '';
    } else cur += s[i]!;
  }
  out.push(cur);
  return out;
}

function unescapeField(v: string): string {
  return v.replace(/\\(.)/g, '$1');
}

/** Reads a dotted field path from an object as the field selector sees it (booleans → "true"/"false"). */
export function fieldValue(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) {
    // spec.unschedulable absent means false, as the apiserver's node field set reports it.
    return path === 'spec.unschedulable' || path === 'spec.hostNetwork' ? 'false' : '';
  }
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}
