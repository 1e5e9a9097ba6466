/**
 * The OpenAPI 3.1 document of the ML server, generated from the zod schemas: the contract messages
 * (`contractJsonSchemas`) and the server's own (spot-interruption, health), so it cannot drift from what
 * the routes validate.
 */
import { z } from 'zod';
import { contractJsonSchemas } from '@cloudoptim/contracts';
import { SpotInterruptionBatchResponseSchema, SpotInterruptionPredictionSchema, SpotInterruptionRequestSchema } from './predict/spot-interruption.ts';

export interface RouteDoc {
  method: 'get' | 'post';
  path: string;
  summary: string;
  /** Component name of the request body. */
  request?: string;
  /** Component name of the 200 body. */
  response?: string;
  auth: boolean;
}

const MlHealthSchema = z.object({
  status: z.literal('ok'),
  version: z.string(),
  uptime_seconds: z.number(),
  model_version: z.string(),
  price_history_loaded: z.boolean(),
  market: z.record(z.string(), z.unknown()),
});

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

export function buildOpenApiDocument(routes: readonly RouteDoc[], version: string): Record<string, unknown> {
  const contracts = contractJsonSchemas({ io: 'input' });
  const strip = (s: Record<string, unknown>) => {
    const { $schema: _ignored, ...rest } = s;
    return rest;
  };
  const schemas: Record<string, unknown> = {
    DecisionRequest: strip(contracts.DecisionRequest),
    DecisionResponse: strip(contractJsonSchemas({ io: 'output' }).DecisionResponse),
    ErrorEnvelope: strip(contracts.ErrorEnvelope),
    SpotInterruptionRequest: jsonSchema(SpotInterruptionRequestSchema, 'input'),
    SpotInterruptionResponse: { oneOf: [jsonSchema(SpotInterruptionPredictionSchema, 'output'), jsonSchema(SpotInterruptionBatchResponseSchema, 'output')] },
    MlHealth: jsonSchema(MlHealthSchema, 'output'),
  };
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const errors = (auth: boolean) =>
    Object.fromEntries(
      [['400', 'Invalid input (VALIDATION_FAILED with details.issues, or BAD_REQUEST)'], ...(auth ? [['401', 'Missing or wrong service key']] : []), ['404', 'Unknown route, region or instance type'], ['500', 'Internal error (the body says only "internal error")'], ['503', 'Not ready']].map(([code, description]) => [
        code,
        { description, content: { 'application/json': { schema: ref('ErrorEnvelope') } } },
      ]),
    );
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    paths[r.path] ??= {};
    (paths[r.path] as Record<string, unknown>)[r.method] = {
      summary: r.summary,
      ...(r.auth ? { security: [{ serviceKey: [] }] } : { security: [] }),
      ...(r.request && { requestBody: { required: true, content: { 'application/json': { schema: ref(r.request) } } } }),
      responses: {
        200: { description: 'OK', content: r.response ? { 'application/json': { schema: ref(r.response) } } : { 'application/json': {} } },
        ...errors(r.auth),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'CloudOptim ML server', version, description: 'Decision engines, interruption-risk predictions and market data over HTTP (SPEC §3).' },
    servers: [{ url: '/' }],
    components: { schemas, securitySchemes: { serviceKey: { type: 'http', scheme: 'bearer', description: 'ML_SERVER_API_KEY' } } },
    security: [{ serviceKey: [] }],
    paths,
  };
}
