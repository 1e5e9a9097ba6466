/** The registry's request and answer bodies (snake_case on the wire), as zod schemas for validation and OpenAPI. */
import { z } from 'zod';
import { VersionSchema } from '@cloudoptim/contracts';
import type { ModelRecord } from '../store/models.repository.ts';
import { MODEL_FORMATS } from './scoring-model.ts';

const IsoDateSchema = z.iso.date({ message: 'must be a date YYYY-MM-DD' });

/** The text fields of a multipart upload (the file travels in the `file` part). */
export const ModelUploadFieldsSchema = z
  .object({
    /** Required for xgboost-json and onnx; native artifacts carry their own. */
    version: VersionSchema.optional(),
    format: z.enum(MODEL_FORMATS),
    /** The last date the model's training data covers (native artifacts carry it). */
    trained_until: IsoDateSchema.optional(),
  })
  .strict();

/** The JSON upload (what central's proxy sends): the file base64-encoded. */
export const ModelUploadJsonSchema = ModelUploadFieldsSchema.extend({
  artifact_base64: z.string().min(1).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64'),
}).strict();

export const ModelSchema = z.object({
  version: z.string(),
  format: z.enum(MODEL_FORMATS),
  status: z.enum(['uploaded', 'active', 'retired']),
  size_bytes: z.number().int().positive(),
  sha256: z.string(),
  trained_until: z.string().nullable(),
  metrics: z.record(z.string(), z.unknown()).nullable(),
  created_at: z.string(),
  activated_at: z.string().nullable(),
});

export const ModelListSchema = z.object({
  models: z.array(ModelSchema),
  /** The store's active version (null: none, day-zero or the fallback file serves). */
  active_version: z.string().nullable(),
  /** What this replica serves right now. */
  serving_version: z.string(),
});

export const ModelActivationSchema = z.object({ model: ModelSchema, previous_version: z.string().nullable() });

export const ModelVersionParamsSchema = z.object({ version: VersionSchema });

export const ModelEvaluateBodySchema = z
  .object({
    /** First day of the test transitions (default: the model's trained_until). */
    test_from: IsoDateSchema.optional(),
  })
  .strict();

const ScoresSchema = z.record(z.string(), z.number());
export const ModelEvaluationSchema = z.object({
  version: z.string(),
  evaluated_at: z.string(),
  test_from: z.string(),
  test_to: z.string(),
  test_transitions: z.number().int(),
  baseline_training_transitions: z.number().int(),
  target: z.string(),
  model: ScoresSchema,
  baselines: z.record(z.string(), ScoresSchema),
  best_baseline: z.string(),
  brier_improvement_vs_best: z.number(),
  calibration: z.array(z.object({ from: z.number(), to: z.number(), count: z.number().int(), mean_predicted: z.number().nullable(), observed_rate: z.number().nullable() })),
});

export function modelToWire(m: ModelRecord): z.input<typeof ModelSchema> {
  return { version: m.version, format: m.format, status: m.status, size_bytes: m.sizeBytes, sha256: m.sha256, trained_until: m.trainedUntil, metrics: m.metrics, created_at: m.createdAt, activated_at: m.activatedAt };
}
