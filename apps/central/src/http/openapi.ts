/**
 * The OpenAPI 3.1 document of central, built from the routes' own zod schemas (`defineRoute`), so it cannot
 * drift from what the handlers validate.
 */
import { z } from 'zod';
import { contractJsonSchemas } from '@cloudoptim/contracts';
import type { RouteDoc } from './route.ts';

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

const ERRORS: Record<string, string> = {
  400: 'Invalid input (VALIDATION_FAILED with details.issues, or BAD_REQUEST)',
  401: 'No credentials, or credentials that are not valid',
  403: 'The role may not do this',
  404: 'Not found (or another customer’s)',
  409: 'Conflicts with the current state',
  429: 'Rate limited (retry-after)',
  500: 'Internal error (the body says only "internal error")',
};

export function buildOpenApiDocument(routes: readonly RouteDoc[], version: string): Record<string, unknown> {
  const envelope = (contractJsonSchemas({ io: 'output' }) as Record<string, Record<string, unknown>>).ErrorEnvelope ?? {};
  const { $schema: _ignored, ...errorEnvelope } = envelope;
  const errorRef = { $ref: '#/components/schemas/ErrorEnvelope' };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    const parameters: Record<string, unknown>[] = [];
    for (const [where, schema] of [['path', r.params], ['query', r.query]] as const) {
      if (!schema) continue;
      const json = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, s] of Object.entries(json.properties ?? {})) parameters.push({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: s });
    }
    const security = r.auth === 'public' ? [] : r.auth === 'agent' ? [{ agentKey: [] }] : [{ session: [] }, { sessionCookie: [] }];
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[r.method.toLowerCase()] = {
      summary: r.summary,
      tags: [r.tag],
      security,
      ...(r.roles && { 'x-roles': r.roles }),
      ...(parameters.length > 0 && { parameters }),
      ...(r.body && { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } } }),
      responses: {
        [r.status]: r.response ? { description: 'OK', content: { 'application/json': { schema: jsonSchema(r.response, 'output') } } } : { description: 'No content' },
        ...Object.fromEntries(Object.entries(ERRORS).filter(([code]) => r.auth !== 'public' || (code !== '401' && code !== '403')).map(([code, description]) => [code, { description, content: { 'application/json': { schema: errorRef } } }])),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'CloudOptim central server', version, description: 'Admin API (people and the admin UI) and client API (agents), SPEC §3.' },
    servers: [{ url: '/' }],
    components: {
      schemas: { ErrorEnvelope: errorEnvelope },
      securitySchemes: {
        session: { type: 'http', scheme: 'bearer', description: 'Session token from POST /api/v1/auth/login' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'cloudoptim_session' },
        agentKey: { type: 'http', scheme: 'bearer', description: 'The cluster API key shown once at registration' },
      },
    },
    paths,
  };
}
