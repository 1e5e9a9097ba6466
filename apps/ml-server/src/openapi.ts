/**
 * The OpenAPI 3.1 document of the ML server, generated from the zod schemas: the contract messages
 * (`contractJsonSchemas`) and the server's own (spot-interruption, health), so it cannot drift from what
 * the routes validate.
 */
import { z } from 'zod';
import { contractJsonSchemas } from '@cloudoptim/contracts';
import { GapScopeSchema } from './gaps/gap-analysis.ts';
import { GapAnalysisSchema, GapFillJobListSchema, GapFillJobSchema } from './gaps/gap-wire.ts';
import { ModelActivationSchema, ModelEvaluateBodySchema, ModelEvaluationSchema, ModelListSchema, ModelSchema, ModelUploadFieldsSchema, ModelUploadJsonSchema } from './models/model-wire.ts';
import { SpotInterruptionBatchResponseSchema, SpotInterruptionPredictionSchema, SpotInterruptionRequestSchema } from './predict/spot-interruption.ts';
import { MlStreamEventSchema } from './stream/ml-event-bus.ts';

export interface RouteDoc {
  method: 'get' | 'post' | 'delete';
  /** Fastify syntax (`/models/:version`); written as `{version}` in the document. */
  path: string;
  summary: string;
  /** Component name of the JSON request body. */
  request?: string;
  /** The body may be omitted. */
  requestOptional?: boolean;
  /** Component name of a `multipart/form-data` request body (besides the JSON one). */
  requestMultipart?: string;
  /** Component name of the success body. */
  response?: string;
  /** Success status (default 200). */
  status?: number;
  auth: boolean;
  /** A WebSocket endpoint (GET upgrade); its frames are the `response` component. */
  websocket?: boolean;
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
    ModelUploadJson: jsonSchema(ModelUploadJsonSchema, 'input'),
    ModelUploadMultipart: { ...jsonSchema(ModelUploadFieldsSchema, 'input'), properties: { ...(jsonSchema(ModelUploadFieldsSchema, 'input').properties as object), file: { type: 'string', format: 'binary' } }, required: ['file', 'format'] },
    Model: jsonSchema(ModelSchema, 'output'),
    ModelList: jsonSchema(ModelListSchema, 'output'),
    ModelActivation: jsonSchema(ModelActivationSchema, 'output'),
    ModelEvaluateRequest: jsonSchema(ModelEvaluateBodySchema, 'input'),
    ModelEvaluation: jsonSchema(ModelEvaluationSchema, 'output'),
    GapScope: jsonSchema(GapScopeSchema, 'input'),
    GapAnalysis: jsonSchema(GapAnalysisSchema, 'output'),
    GapFillJob: jsonSchema(GapFillJobSchema, 'output'),
    GapFillJobList: jsonSchema(GapFillJobListSchema, 'output'),
    MlStreamEvent: jsonSchema(MlStreamEventSchema, 'output'),
  };
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const errors = (auth: boolean) =>
    Object.fromEntries(
      [['400', 'Invalid input (VALIDATION_FAILED with details.issues, or BAD_REQUEST)'], ...(auth ? [['401', 'Missing or wrong service key']] : []), ['404', 'Unknown route, region, instance type, model version or job'], ['409', 'Conflict: the version exists, the model is active, a gap-fill job is running'], ['422', 'Well-formed but cannot be done (a model this server cannot run, no held-out data)'], ['500', 'Internal error (the body says only "internal error")'], ['503', 'Not ready']].map(([code, description]) => [
        code,
        { description, content: { 'application/json': { schema: ref('ErrorEnvelope') } } },
      ]),
    );
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    const params = [...r.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const content: Record<string, unknown> = {};
    if (r.request) content['application/json'] = { schema: ref(r.request) };
    if (r.requestMultipart) content['multipart/form-data'] = { schema: ref(r.requestMultipart) };
    const status = r.status ?? 200;
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[r.method] = {
      summary: r.summary,
      ...(params.length > 0 && { parameters: params }),
      ...(r.auth ? { security: [{ serviceKey: [] }] } : { security: [] }),
      ...(Object.keys(content).length > 0 && { requestBody: { required: !r.requestOptional, content } }),
      responses: {
        ...(r.websocket
          ? { 101: { description: 'Switching to WebSocket; every message is an MlStreamEvent (JSON)', content: { 'application/json': { schema: ref('MlStreamEvent') } } } }
          : { [status]: { description: status === 204 ? 'Done (no body)' : 'OK', ...(status !== 204 && { content: r.response ? { 'application/json': { schema: ref(r.response) } } : { 'application/json': {} } }) } }),
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
