/**
 * The model registry over HTTP: upload, list, activate, roll back, delete, evaluate.
 *
 * Upload accepts `multipart/form-data` (a `file` part plus `version`, `format`, `trained_until` fields — what
 * browsers and curl send) or `application/json` with the file base64-encoded in `artifact_base64` (what
 * central's JSON proxy sends). Both are bounded by ML_SERVER_MODEL_MAX_BYTES: a larger file is a 400
 * BAD_REQUEST (`details.reason` `file_too_large` or `body_too_large`) and nothing is stored.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { AppError, parseOrThrow } from '@cloudoptim/contracts';
import { parseMultipart } from '../http/multipart.ts';
import type { RouteDoc } from '../openapi.ts';
import type { ModelRegistry, ModelUpload } from './model-registry.ts';
import {
  ModelActivationSchema,
  ModelEvaluateBodySchema,
  ModelEvaluationSchema,
  ModelListSchema,
  ModelSchema,
  modelToWire,
  ModelUploadFieldsSchema,
  ModelUploadJsonSchema,
  ModelVersionParamsSchema,
} from './model-wire.ts';

type Send = <S extends z.ZodType>(reply: FastifyReply, schema: S, value: z.input<S>) => FastifyReply;

const BASE = '/api/v1/ml/models';
/** Room for the multipart envelope and the text fields around the file. */
const ENVELOPE_BYTES = 64 * 1024;

function uploadFromRequest(req: FastifyRequest, maxModelBytes: number): ModelUpload {
  const contentType = req.headers['content-type'] ?? '';
  if (/^multipart\/form-data/i.test(contentType)) {
    const form = parseMultipart(req.body as Buffer, contentType, { maxFileBytes: maxModelBytes });
    const fields = parseOrThrow(ModelUploadFieldsSchema, form.fields, 'model upload fields');
    const files = form.files.filter((f) => f.field === 'file');
    if (files.length !== 1 || form.files.length !== 1) {
      throw new AppError('VALIDATION_FAILED', 'model upload fields are invalid: file: exactly one file part named "file" is required', { issues: [{ path: 'file', message: 'exactly one file part named "file" is required' }] });
    }
    const file = files[0] as (typeof files)[number];
    if (file.data.length === 0) throw new AppError('VALIDATION_FAILED', 'model upload fields are invalid: file: the file is empty', { issues: [{ path: 'file', message: 'empty' }] });
    return { version: fields.version, format: fields.format, trainedUntil: fields.trained_until, bytes: new Uint8Array(file.data) };
  }
  const body = parseOrThrow(ModelUploadJsonSchema, req.body, 'model upload');
  const bytes = Buffer.from(body.artifact_base64, 'base64');
  if (bytes.length === 0) throw new AppError('VALIDATION_FAILED', 'model upload is invalid: artifact_base64: the file is empty', { issues: [{ path: 'artifact_base64', message: 'empty' }] });
  if (bytes.length > maxModelBytes) throw new AppError('BAD_REQUEST', `the model file is ${bytes.length} bytes; the limit is ${maxModelBytes}`, { reason: 'file_too_large', limit_bytes: maxModelBytes, size_bytes: bytes.length });
  return { version: body.version, format: body.format, trainedUntil: body.trained_until, bytes: new Uint8Array(bytes) };
}

export async function registerModelRoutes(app: FastifyInstance, docs: RouteDoc[], registry: ModelRegistry, options: { maxModelBytes: number; send: Send }): Promise<void> {
  const { send } = options;
  const uploadLimit = Math.ceil((options.maxModelBytes * 4) / 3) + ENVELOPE_BYTES;

  docs.push({ method: 'post', path: BASE, summary: 'Upload a model (multipart: file, version, format = native|xgboost-json|onnx, trained_until; or JSON with artifact_base64); validated, stored as "uploaded"', request: 'ModelUploadJson', requestMultipart: 'ModelUploadMultipart', response: 'Model', status: 201, auth: true });
  // Multipart parsing lives in this child context only: every other route stays JSON-only.
  await app.register(async (child) => {
    child.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: uploadLimit }, (_req, body, done) => done(null, body));
    child.post(BASE, { bodyLimit: uploadLimit }, async (req, reply) => {
      const record = await registry.upload(uploadFromRequest(req, options.maxModelBytes));
      return send(reply.status(201), ModelSchema, modelToWire(record));
    });
  });

  docs.push({ method: 'get', path: BASE, summary: 'Every model version (newest first), the active one and what this replica serves', response: 'ModelList', auth: true });
  app.get(BASE, async (_req, reply) => {
    const models = await registry.list();
    return send(reply, ModelListSchema, { models: models.map(modelToWire), active_version: models.find((m) => m.status === 'active')?.version ?? null, serving_version: registry.scorer().modelVersion });
  });

  docs.push({ method: 'post', path: `${BASE}/rollback`, summary: 'Re-activate the version that was active before the current one (every replica reloads)', response: 'ModelActivation', auth: true });
  app.post(`${BASE}/rollback`, async (_req, reply) => {
    const out = await registry.rollback();
    return send(reply, ModelActivationSchema, { model: modelToWire(out.model), previous_version: out.previousVersion });
  });

  docs.push({ method: 'post', path: `${BASE}/:version/activate`, summary: 'Make a version the active model on every replica, without a restart', response: 'ModelActivation', auth: true });
  app.post(`${BASE}/:version/activate`, async (req, reply) => {
    const { version } = parseOrThrow(ModelVersionParamsSchema, req.params, 'path parameters');
    const out = await registry.activate(version);
    return send(reply, ModelActivationSchema, { model: modelToWire(out.model), previous_version: out.previousVersion });
  });

  docs.push({ method: 'post', path: `${BASE}/:version/evaluate`, summary: 'Held-out evaluation on the Spot Advisor history after the model\'s training end, against the three baselines (stored as its metrics)', request: 'ModelEvaluateRequest', requestOptional: true, response: 'ModelEvaluation', auth: true });
  app.post(`${BASE}/:version/evaluate`, async (req, reply) => {
    const { version } = parseOrThrow(ModelVersionParamsSchema, req.params, 'path parameters');
    const body = parseOrThrow(ModelEvaluateBodySchema, req.body ?? {}, 'evaluation request');
    const evaluation = await registry.evaluate(version, body.test_from);
    return send(reply, ModelEvaluationSchema, { version, ...evaluation });
  });

  docs.push({ method: 'delete', path: `${BASE}/:version`, summary: 'Delete a version that is not active', status: 204, auth: true });
  app.delete(`${BASE}/:version`, async (req, reply) => {
    const { version } = parseOrThrow(ModelVersionParamsSchema, req.params, 'path parameters');
    await registry.delete(version);
    return reply.status(204).send();
  });
}
