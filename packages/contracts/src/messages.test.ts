import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { exampleAdminStreamEvents, exampleAgentStreamEvents, exampleMessages, exampleTasks } from './examples.ts';
import { contractJsonSchemas, MESSAGE_NAMES, MESSAGE_SCHEMAS, type MessageName } from './messages.ts';
import { TASK_TYPES } from './tasks.ts';
import { AdminStreamEventSchema, AgentStreamEventSchema, STREAM_EVENT_VERSION } from './ws-events.ts';

const examples = exampleMessages();
const cases = MESSAGE_NAMES.flatMap((name) => examples[name].map((value, i) => [`${name}#${i}`, name, value] as const));

describe('examples', () => {
  it('exist for every message', () => {
    for (const name of MESSAGE_NAMES) expect(examples[name].length, name).toBeGreaterThan(0);
  });

  it.each(cases)('%s parses to itself (examples are canonical: defaults already filled in)', (_label, name, value) => {
    const result = MESSAGE_SCHEMAS[name as MessageName].safeParse(value);
    expect(result.error?.issues ?? []).toEqual([]);
    expect(result.data).toEqual(value);
  });

  it.each(cases)('%s survives a JSON round trip unchanged', (_label, name, value) => {
    const schema: z.ZodType = MESSAGE_SCHEMAS[name as MessageName];
    const once = schema.parse(value);
    const wire = JSON.stringify(once);
    const twice = schema.parse(JSON.parse(wire));
    expect(twice).toEqual(once);
    expect(JSON.stringify(twice)).toBe(wire);
  });

  it('cover every task type and every stream event type', () => {
    expect(exampleTasks().map((t) => t.task_type).sort()).toEqual([...TASK_TYPES].sort());
    const agentTypes = AgentStreamEventSchema.options.flatMap((u) => u.options.map((o) => o.shape.type.value));
    expect(exampleAgentStreamEvents().map((e) => e.type).sort()).toEqual([...agentTypes].sort());
    const adminTypes = AdminStreamEventSchema.options.map((o) => o.shape.type.value);
    expect(exampleAdminStreamEvents().map((e) => e.type).sort()).toEqual([...adminTypes].sort());
  });

  it('stream events all carry the current version', () => {
    for (const e of [...exampleAgentStreamEvents(), ...exampleAdminStreamEvents()]) expect(e.v).toBe(STREAM_EVENT_VERSION);
    const bumped = { ...exampleAdminStreamEvents()[0], v: 2 };
    expect(AdminStreamEventSchema.safeParse(bumped).error?.issues.map((i) => i.path)).toEqual([['v']]);
  });
});

describe('unknown fields', () => {
  it('are accepted and stripped, except inside metadata bags', () => {
    const request = { ...examples.DecisionRequest[0] as object, future_field: 1 };
    const parsed = MESSAGE_SCHEMAS.DecisionRequest.parse({ ...request, metadata: { trigger: 'manual', trace_id: 'abc' } });
    expect(parsed).not.toHaveProperty('future_field');
    expect(parsed.metadata).toEqual({ trigger: 'manual', trace_id: 'abc' });
  });
});

describe('contractJsonSchemas', () => {
  it('produces a JSON Schema object for every message, in both io modes', () => {
    for (const io of ['input', 'output'] as const) {
      const schemas = contractJsonSchemas({ io });
      expect(Object.keys(schemas).sort()).toEqual([...MESSAGE_NAMES].sort());
      for (const name of MESSAGE_NAMES) {
        const schema = schemas[name];
        expect(schema.$schema, name).toBe('https://json-schema.org/draft/2020-12/schema');
        expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
      }
    }
  });

  it('lists the spec fields as required and keeps formats and bounds', () => {
    const schemas = contractJsonSchemas();
    const cs = schemas.ClusterState as { required: string[]; properties: Record<string, Record<string, unknown>> };
    expect(cs.required).toEqual(expect.arrayContaining(['cluster_id', 'region', 'health_status', 'last_updated', 'total_nodes']));
    expect(cs.properties.health_status!.enum).toEqual(['GREEN', 'YELLOW', 'RED']);
    expect(cs.properties.last_updated!.format).toBe('date-time');
    expect(cs.properties.total_nodes!.minimum).toBe(0);
    const task = schemas.Task as { oneOf?: unknown[]; anyOf?: unknown[] };
    expect((task.oneOf ?? task.anyOf)?.length).toBe(TASK_TYPES.length);
  });

  it('in input mode makes defaulted fields optional', () => {
    const node = contractJsonSchemas({ io: 'input' }).NodeMetric as { required: string[] };
    expect(node.required).not.toContain('labels');
    const out = contractJsonSchemas({ io: 'output' }).NodeMetric as { required: string[] };
    expect(out.required).toContain('labels');
  });
});
