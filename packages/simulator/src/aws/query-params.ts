/**
 * Reading EC2 query-protocol parameters: flattened lists (`InstanceId.1`, `Filter.1.Value.2`), nested
 * structures (`TargetCapacitySpecification.TotalTargetCapacity`) and typed scalars, with the EC2 error a
 * malformed value earns (InvalidParameterValue), never an exception of another kind.
 */
import { invalidParameterValue, missingParameter } from './ec2-errors.ts';

/** One `Filter.N`: a name and its values (values may hold `*` / `?` wildcards). */
export interface Ec2Filter {
  name: string;
  values: string[];
}

const INDEX = /^[1-9]\d{0,5}$/;

/** A decoded EC2 request. */
export class QueryParams {
  private readonly map = new Map<string, string>();

  constructor(params: URLSearchParams) {
    // Last value wins for a repeated key, as a form decoder on the AWS side does.
    for (const [k, v] of params) this.map.set(k, v);
  }

  get action(): string | undefined {
    return this.map.get('Action');
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  str(key: string): string | undefined {
    return this.map.get(key);
  }

  required(key: string): string {
    const v = this.map.get(key);
    if (v === undefined || v === '') throw missingParameter(key);
    return v;
  }

  int(key: string, bounds: { min?: number; max?: number } = {}): number | undefined {
    const raw = this.map.get(key);
    if (raw === undefined) return undefined;
    if (!/^-?\d{1,15}$/.test(raw.trim())) throw invalidParameterValue(`Value (${raw}) for parameter ${key} is invalid. Expecting an integer.`);
    const n = Number(raw.trim());
    if (bounds.min !== undefined && n < bounds.min) throw invalidParameterValue(`Value (${raw}) for parameter ${key} is invalid. Expecting a value greater than or equal to ${bounds.min}.`);
    if (bounds.max !== undefined && n > bounds.max) throw invalidParameterValue(`Value (${raw}) for parameter ${key} is invalid. Expecting a value less than or equal to ${bounds.max}.`);
    return n;
  }

  num(key: string): number | undefined {
    const raw = this.map.get(key);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw invalidParameterValue(`Value (${raw}) for parameter ${key} is invalid. Expecting a number.`);
    return n;
  }

  bool(key: string): boolean | undefined {
    const raw = this.map.get(key);
    if (raw === undefined) return undefined;
    const v = raw.toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw invalidParameterValue(`Value (${raw}) for parameter ${key} is invalid. Expecting a boolean.`);
  }

  /** An ISO-8601 timestamp (or epoch seconds, which the AWS CLI also accepts and converts), epoch ms. */
  date(key: string): number | undefined {
    const raw = this.map.get(key);
    if (raw === undefined) return undefined;
    const ms = /^\d{9,11}(\.\d+)?$/.test(raw) ? Number(raw) * 1000 : Date.parse(raw);
    if (!Number.isFinite(ms)) throw invalidParameterValue(`Value (${raw}) for parameter ${key} is invalid. Expecting an ISO-8601 timestamp.`);
    return ms;
  }

  /** The distinct N of keys `prefix.N` or `prefix.N.…`, ascending. */
  indices(prefix: string): number[] {
    const out = new Set<number>();
    const p = `${prefix}.`;
    for (const k of this.map.keys()) {
      if (!k.startsWith(p)) continue;
      const rest = k.slice(p.length);
      const dot = rest.indexOf('.');
      const idx = dot < 0 ? rest : rest.slice(0, dot);
      if (INDEX.test(idx)) out.add(Number(idx));
    }
    return [...out].sort((a, b) => a - b);
  }

  /** Values of a flattened scalar list `prefix.1`, `prefix.2`, … in index order. */
  list(prefix: string): string[] {
    const out: string[] = [];
    for (const i of this.indices(prefix)) {
      const v = this.map.get(`${prefix}.${i}`);
      if (v !== undefined) out.push(v);
    }
    return out;
  }

  /** `Filter.N.Name` / `Filter.N.Value.M`. A filter without a name is an InvalidParameterValue. */
  filters(prefix = 'Filter'): Ec2Filter[] {
    return this.indices(prefix).map((i) => {
      const name = this.map.get(`${prefix}.${i}.Name`);
      if (!name) throw missingParameter(`${prefix}.${i}.Name`);
      return { name, values: this.list(`${prefix}.${i}.Value`) };
    });
  }

  /** `prefix.N.Key` / `prefix.N.Value` pairs (an empty value is kept: `Tag.2.Value=`). */
  tags(prefix: string): { key: string; value: string }[] {
    return this.indices(prefix).map((i) => {
      const key = this.map.get(`${prefix}.${i}.Key`);
      if (key === undefined) throw missingParameter(`${prefix}.${i}.Key`);
      return { key, value: this.map.get(`${prefix}.${i}.Value`) ?? '' };
    });
  }
}

/** EC2 filter value matching: exact, or `*` (any run) / `?` (one character) wildcards; `\` escapes. */
export function wildcardMatch(pattern: string, value: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === value;
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\' && i + 1 < pattern.length) re += (pattern[++i] as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`${re}$`).test(value);
}

/** True when any of `values` matches `actual` (undefined never matches). */
export function matchesAny(values: readonly string[], actual: string | undefined): boolean {
  return actual !== undefined && values.some((p) => wildcardMatch(p, actual));
}

/** Opaque paging tokens: base64 of a small JSON object; anything else is rejected. */
export function encodeToken(payload: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(payload)).toString('base64');
}

/** @returns the decoded token object, or undefined when it is not one of ours. */
export function decodeToken(token: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
