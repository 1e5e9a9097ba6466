/*
 * Property tests over every message schema: mutations of valid examples are rejected, with an issue that
 * points at the mutated field, and parseOrThrow only ever throws AppError VALIDATION_FAILED.
 *
 * To know whether a mutation must be rejected, the test finds the sub-schema that governs the mutated
 * position (walking zod's definitions along the valid example) and asks it alone. The whole-message parse
 * must then agree AND report the issue at (or under) the mutated path — which is what the edges rely on
 * (discriminated unions, refinements and nesting must not lose or move the issue). Independent of that, the
 * spec's fields must be required and quantities named like quantities must refuse negatives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError, parseOrThrow } from './errors.ts';
import { exampleMessages } from './examples.ts';
import { MESSAGE_NAMES, MESSAGE_SCHEMAS, type MessageName } from './messages.ts';

type Path = (string | number)[];
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  getter?: () => z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
}
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The discriminator schemas of a (possibly nested) discriminated union. */
function discriminatorSchemas(schema: z.ZodType, key: string): z.ZodType[] {
  const def = defOf(schema);
  if (def.type === 'object') return def.shape?.[key] ? [def.shape[key]] : [];
  if (def.type === 'union') return (def.options ?? []).flatMap((o) => discriminatorSchemas(o, key));
  return [];
}

/**
 * Unwraps wrappers and picks the union member that accepts `value`. Returns the structural schema and the
 * discriminators of the discriminated unions passed on the way.
 */
function unwrap(schema: z.ZodType, value: unknown, discs: { key: string; union: z.ZodType }[] = []): { schema: z.ZodType; discs: typeof discs } {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return unwrap(def.innerType!, value, discs);
    case 'pipe':
      return unwrap(def.in!, value, discs);
    case 'lazy':
      return unwrap(def.getter!(), value, discs);
    case 'union': {
      const chosen = def.options!.find((o) => o.safeParse(value).success);
      if (!chosen) throw new Error('example does not match any union member');
      const next = def.discriminator ? [...discs, { key: def.discriminator, union: schema }] : discs;
      return unwrap(chosen, value, next);
    }
    default:
      return { schema, discs };
  }
}

type Slot = { schema: z.ZodType; container: 'object' | 'array' | 'record' | 'catchall' };

/** The schema governing `value[key]`, where `schema` governs `value`. */
function childSlot(schema: z.ZodType, value: unknown, key: string | number): Slot {
  const { schema: s, discs } = unwrap(schema, value);
  const disc = discs.find((d) => d.key === key);
  if (disc) return { schema: z.union(discriminatorSchemas(disc.union, disc.key) as [z.ZodType, ...z.ZodType[]]), container: 'object' };
  const def = defOf(s);
  if (def.type === 'object') {
    const field = def.shape![String(key)];
    if (field) return { schema: field, container: 'object' };
    return { schema: def.catchall ?? z.never(), container: 'catchall' };
  }
  if (def.type === 'array') return { schema: def.element!, container: 'array' };
  if (def.type === 'record') return { schema: def.valueType!, container: 'record' };
  throw new Error(`cannot descend into ${def.type} at ${String(key)}`);
}

function slotAt(root: z.ZodType, value: unknown, path: Path): Slot {
  let slot: Slot = { schema: root, container: 'object' };
  let current: unknown = value;
  for (const key of path) {
    slot = childSlot(slot.schema, current, key);
    current = (current as Record<string | number, unknown>)[key];
  }
  return slot;
}

/** Every path inside a JSON value (objects and arrays, not the root). */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, [...prefix, k])]);
}

function get(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], value);
}

const DROP = Symbol('drop');
function mutate(value: unknown, path: Path, replacement: unknown): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  const parent = get(copy, path.slice(0, -1)) as Record<string | number, unknown>;
  const key = path[path.length - 1]!;
  if (replacement === DROP) delete parent[key];
  else parent[key] = replacement;
  return copy;
}

const startsWith = (issuePath: PropertyKey[], path: Path) => path.every((k, i) => String(issuePath[i]) === String(k));

/** Asserts `input` is rejected as a whole with an issue at or under `path`, and parseOrThrow agrees. */
function expectRejectedAt(name: MessageName, input: unknown, path: Path): void {
  const schema: z.ZodType = MESSAGE_SCHEMAS[name];
  const result = schema.safeParse(input);
  expect(result.success, `${name}: mutation at ${path.join('.')} was accepted`).toBe(false);
  const paths = result.error!.issues.map((i) => i.path);
  expect(paths.some((p) => startsWith(p, path)), `${name}: no issue at ${path.join('.')}; got ${JSON.stringify(paths)}`).toBe(true);
  expectOnlyValidationErrors(name, input);
}

/** parseOrThrow returns, or throws an AppError VALIDATION_FAILED with a non-empty details.issues. */
function expectOnlyValidationErrors(name: MessageName, input: unknown): void {
  try {
    parseOrThrow(MESSAGE_SCHEMAS[name], input, name);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    const appError = error as AppError;
    expect(appError.code).toBe('VALIDATION_FAILED');
    expect(appError.status).toBe(400);
    const issues = (appError.details as { issues: { path: string; message: string }[] }).issues;
    expect(Array.isArray(issues) && issues.length > 0).toBe(true);
    for (const issue of issues) {
      expect(typeof issue.path).toBe('string');
      expect(typeof issue.message).toBe('string');
    }
  }
}

/** A value of another JSON type than `v`. */
function wrongType(v: unknown): unknown {
  if (typeof v === 'number') return 'not-a-number';
  if (typeof v === 'string') return 12345;
  if (typeof v === 'boolean') return 'true';
  if (v === null) return { unexpected: true };
  if (Array.isArray(v)) return { not: 'an array' };
  return 'not-an-object';
}

const examples = exampleMessages();
const cases = MESSAGE_NAMES.flatMap((name) => examples[name].map((value, i) => ({ label: `${name}#${i}`, name, value, paths: pathsOf(value) })));

describe.each(cases)('$label', ({ name, value, paths }) => {
  const schema: z.ZodType = MESSAGE_SCHEMAS[name];

  it('rejects dropping any required field, at that field', () => {
    let checked = 0;
    for (const path of paths) {
      if (typeof path[path.length - 1] !== 'string') continue;
      const slot = slotAt(schema, value, path);
      if (slot.container !== 'object' || slot.schema.safeParse(undefined).success) continue;
      expectRejectedAt(name, mutate(value, path, DROP), path);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('rejects a value of the wrong JSON type anywhere, at that field', () => {
    for (const path of paths) {
      const bad = wrongType(get(value, path));
      const slot = slotAt(schema, value, path);
      if (slot.schema.safeParse(bad).success) continue;
      expectRejectedAt(name, mutate(value, path, bad), path);
    }
  });

  it('rejects negative numbers where the field is non-negative, at that field', () => {
    for (const path of paths) {
      const v = get(value, path);
      if (typeof v !== 'number' || v < 0) continue;
      const negative = -(v + 1);
      if (slotAt(schema, value, path).schema.safeParse(negative).success) continue;
      expectRejectedAt(name, mutate(value, path, negative), path);
    }
  });

  it('quantities (counts, cores, bytes, seconds, prices, costs) refuse negatives', () => {
    const quantity = /(^total_|_nodes$|_pods$|_count$|_millicores$|_bytes$|_cores$|_gb$|_seconds$|_per_hour$|price$|^progress$|risk_score$|confidence)/;
    for (const path of paths) {
      const key = path[path.length - 1];
      if (typeof key !== 'string' || !quantity.test(key) || /savings/.test(key) || typeof get(value, path) !== 'number') continue;
      expect(slotAt(schema, value, path).schema.safeParse(-1).success, `${name}.${path.join('.')} accepts -1`).toBe(false);
    }
  });

  it('rejects random JSON junk anywhere (property), at that field', () => {
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), (path, junk) => {
        const mutated = mutate(value, path, junk);
        if (slotAt(schema, value, path).schema.safeParse(junk).success) {
          expectOnlyValidationErrors(name, mutated);
          return;
        }
        expectRejectedAt(name, mutated, path);
      }),
      { numRuns: 150 },
    );
  });

  it('rejects a random structural mutation (property): drop, wrong type, negative', () => {
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.constantFrom('drop', 'type', 'negative'), (path, kind) => {
        const v = get(value, path);
        const slot = slotAt(schema, value, path);
        let bad: unknown;
        if (kind === 'drop') {
          if (typeof path[path.length - 1] !== 'string' || slot.container !== 'object') return;
          bad = undefined;
        } else if (kind === 'type') bad = wrongType(v);
        else if (typeof v === 'number') bad = -(Math.abs(v) + 0.5);
        else return;
        if (slot.schema.safeParse(bad).success) return;
        expectRejectedAt(name, mutate(value, path, kind === 'drop' ? DROP : bad), path);
      }),
      { numRuns: 200 },
    );
  });

  it('never throws but AppError VALIDATION_FAILED on arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        expect(() => schema.safeParse(input)).not.toThrow();
        expect(schema.safeParse(input).success).toBe(false);
        expectOnlyValidationErrors(name, input);
      }),
      { numRuns: 100 },
    );
  });

  it('stays valid through a JSON round trip of a parsed value (property over key order)', () => {
    const parsed = schema.parse(value) as Json;
    fc.assert(
      fc.property(fc.boolean(), (reverse) => {
        const reorder = (v: Json): Json =>
          v === null || typeof v !== 'object' ? v : Array.isArray(v) ? v.map(reorder) : Object.fromEntries((reverse ? Object.entries(v).reverse() : Object.entries(v)).map(([k, x]) => [k, reorder(x)]));
        const again = schema.parse(JSON.parse(JSON.stringify(reorder(parsed))));
        expect(again).toEqual(parsed);
      }),
      { numRuns: 4 },
    );
  });
});

/** The fields SPEC §2 lists; each must be required on the wire. */
const SPEC_FIELDS: Partial<Record<MessageName, string[]>> = {
  ClusterState: ['cluster_id', 'cluster_name', 'region', 'total_nodes', 'spot_nodes', 'on_demand_nodes', 'total_cpu_cores', 'total_memory_gb', 'allocated_cpu_cores', 'allocated_memory_gb', 'total_pods', 'running_pods', 'pending_pods', 'current_cost_per_hour', 'baseline_cost_per_hour', 'last_updated', 'health_status'],
  DecisionRequest: ['request_id', 'cluster_id', 'timestamp', 'decision_type', 'current_state', 'requirements', 'constraints', 'metadata'],
  DecisionResponse: ['request_id', 'timestamp', 'decision_type', 'recommendations', 'confidence_score', 'estimated_savings', 'risk_assessment', 'execution_plan', 'metadata'],
  Recommendation: ['instance_type', 'node_count', 'risk_score', 'hourly_price', 'monthly_savings', 'availability_zone', 'capacity_type'],
  ExecutionStep: ['step', 'action', 'parameters'],
  Task: ['task_id', 'cluster_id', 'task_type', 'parameters', 'priority', 'deadline', 'created_at', 'created_by'],
  TaskResult: ['task_id', 'status', 'executed_at', 'duration_seconds', 'logs', 'error', 'metadata'],
  ClusterMetrics: ['cluster_id', 'timestamp', 'total_nodes', 'spot_nodes', 'on_demand_nodes', 'total_cpu_cores', 'total_memory_gb', 'allocated_cpu_cores', 'allocated_memory_gb', 'total_pods', 'running_pods', 'pending_pods', 'nodes', 'pods', 'pending_pod_details', 'estimated_cost_per_hour'],
  NodeMetric: ['node_name', 'instance_type', 'instance_id', 'availability_zone', 'node_type', 'cpu_allocatable_millicores', 'cpu_allocated_millicores', 'cpu_used_millicores', 'memory_allocatable_bytes', 'memory_allocated_bytes', 'memory_used_bytes', 'pod_count'],
  SpotEvent: ['event_id', 'event_type', 'instance_id', 'region', 'availability_zone', 'received_at', 'interruption_time', 'cluster_id', 'node_name', 'action_taken', 'replacement_instance_id'],
};

describe('spec fields are required', () => {
  it.each(Object.entries(SPEC_FIELDS))('%s', (name, fields) => {
    for (const example of examples[name as MessageName]) {
      for (const field of fields) {
        expect(example, `${name} example lacks ${field}`).toHaveProperty(field);
        expectRejectedAt(name as MessageName, mutate(example, [field], DROP), [field]);
      }
    }
  });
});
