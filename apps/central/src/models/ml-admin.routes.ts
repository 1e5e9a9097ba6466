/**
 * The model registry and the gap filler for the admin UI, proxied to the ML server: list / upload / activate
 * / roll back / delete / evaluate models; gap analysis, fill jobs and their progress. Models and price data
 * serve every customer, so changes are for operators (and audited, with no customer); any signed-in user
 * may read and test a prediction. Inputs are validated here too, so bad requests never leave central.
 *
 * Upload is JSON with the file base64-encoded (`artifact_base64`), as the ML server's JSON upload takes it;
 * the request must fit central's BODY_LIMIT_BYTES.
 */
import { z } from 'zod';
import { AvailabilityZoneSchema, AwsRegionSchema, InstanceTypeSchema, IsoDateTimeSchema, VersionSchema } from '@cloudoptim/contracts';
import type { Feature } from '../features.ts';
import { relayToMl } from './ml-proxy.ts';

const OPERATORS = ['operator'] as const;
const TAG = 'models';
const ML = '/api/v1/ml';
const ADMIN = '/api/v1/admin/ml';

const FormatSchema = z.enum(['native', 'xgboost-json', 'onnx']);
const IsoDate = z.iso.date({ message: 'must be a date YYYY-MM-DD' });

const ModelViewSchema = z.looseObject({
  version: z.string(),
  format: FormatSchema,
  status: z.enum(['uploaded', 'active', 'retired']),
  size_bytes: z.number(),
  trained_until: z.string().nullable(),
  metrics: z.record(z.string(), z.unknown()).nullable(),
  created_at: z.string(),
  activated_at: z.string().nullable(),
});
const ModelListSchema = z.object({ models: z.array(ModelViewSchema), active_version: z.string().nullable(), serving_version: z.string() });
const ActivationSchema = z.object({ model: ModelViewSchema, previous_version: z.string().nullable() });
const EvaluationSchema = z.looseObject({ version: z.string(), test_from: z.string(), test_to: z.string(), model: z.record(z.string(), z.number()), baselines: z.record(z.string(), z.record(z.string(), z.number())), calibration: z.array(z.unknown()) });
const UploadSchema = z
  .object({ version: VersionSchema.optional(), format: FormatSchema, trained_until: IsoDate.optional(), artifact_base64: z.string().min(1).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64') })
  .strict();
const VersionParams = z.object({ version: VersionSchema });
const EvaluateSchema = z.object({ test_from: IsoDate.optional() }).strict();
const ScopeSchema = z
  .object({
    region: AwsRegionSchema,
    instance_types: z.array(InstanceTypeSchema).min(1).max(200).optional(),
    availability_zones: z.array(AvailabilityZoneSchema).min(1).max(30).optional(),
    lookback_days: z.number().int().min(1).max(365).optional(),
  })
  .strict();
const GapAnalysisSchema = z.looseObject({ region: z.string(), window: z.record(z.string(), z.unknown()), series_total: z.number(), series_with_gaps: z.number(), missing_days: z.number(), series: z.array(z.unknown()) });
const JobSchema = z.looseObject({ job_id: z.string(), status: z.enum(['queued', 'running', 'completed', 'failed']), progress: z.number(), series_total: z.number(), series_done: z.number(), records_filled: z.number(), error: z.string().nullable() });
/** One pool, as the ML server's predict call takes it (batches are for the optimizer, not this test form). */
const PredictSchema = z
  .strictObject({
    region: AwsRegionSchema,
    availability_zone: AvailabilityZoneSchema,
    instance_type: InstanceTypeSchema,
    /** USD per hour. */
    spot_price: z.number().positive().finite(),
    launch_time: IsoDateTimeSchema,
    horizon_hours: z.number().positive().max(8760).optional(),
  })
  .superRefine((p, ctx) => {
    if (!p.availability_zone.startsWith(p.region)) ctx.addIssue({ code: 'custom', path: ['availability_zone'], message: `${p.availability_zone} is not a zone of ${p.region}` });
  });
const PredictionSchema = z.looseObject({ interruption_probability: z.number(), confidence: z.number(), recommendation: z.string(), model_version: z.string(), horizon_hours: z.number(), factors: z.array(z.unknown()) });
const JobParams = z.object({ id: z.uuid() });
const JobsQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) });

export const mlAdminFeature: Feature = (routes, _app, ctx) => {
  const audit = (req: { id: string }, email: string, action: string, target: string, details: Record<string, unknown> = {}) => ctx.audit.record({ customerId: null, actor: `user:${email}`, action, target, details, requestId: req.id });

  routes.define({
    method: 'GET',
    path: `${ADMIN}/models`,
    summary: 'Model versions with their metrics, the active one and what the ML server serves',
    tag: TAG,
    auth: 'user',
    response: ModelListSchema,
    handler: async () => ModelListSchema.parse(await relayToMl(ctx.ml, 'GET', `${ML}/models`)),
  });

  routes.define({
    method: 'POST',
    path: `${ADMIN}/models`,
    summary: 'Upload a model (native, xgboost-json or onnx; the file base64-encoded); validated by the ML server, not yet active',
    tag: TAG,
    auth: 'user',
    roles: OPERATORS,
    body: UploadSchema,
    response: ModelViewSchema,
    status: 201,
    async handler({ req, principal, body }) {
      const model = ModelViewSchema.parse(await relayToMl(ctx.ml, 'POST', `${ML}/models`, body));
      await audit(req, principal.email, 'ml_model.upload', `ml_model/${model.version}`, { format: model.format, size_bytes: model.size_bytes });
      return model;
    },
  });

  routes.define({
    method: 'POST',
    path: `${ADMIN}/models/rollback`,
    summary: 'Re-activate the model that was active before the current one',
    tag: TAG,
    auth: 'user',
    roles: OPERATORS,
    response: ActivationSchema,
    async handler({ req, principal }) {
      const out = ActivationSchema.parse(await relayToMl(ctx.ml, 'POST', `${ML}/models/rollback`));
      await audit(req, principal.email, 'ml_model.rollback', `ml_model/${out.model.version}`, { previous_version: out.previous_version });
      return out;
    },
  });

  routes.define({
    method: 'POST',
    path: `${ADMIN}/models/:version/activate`,
    summary: 'Activate a model version on every ML server replica (no restart)',
    tag: TAG,
    auth: 'user',
    roles: OPERATORS,
    params: VersionParams,
    response: ActivationSchema,
    async handler({ req, principal, params }) {
      const out = ActivationSchema.parse(await relayToMl(ctx.ml, 'POST', `${ML}/models/${encodeURIComponent(params.version)}/activate`));
      await audit(req, principal.email, 'ml_model.activate', `ml_model/${params.version}`, { previous_version: out.previous_version });
      return out;
    },
  });

  routes.define({
    method: 'POST',
    path: `${ADMIN}/models/:version/evaluate`,
    summary: "Held-out evaluation of a model against the three baselines (stored as its metrics)",
    tag: TAG,
    auth: 'user',
    roles: OPERATORS,
    params: VersionParams,
    body: EvaluateSchema,
    response: EvaluationSchema,
    async handler({ req, principal, params, body }) {
      const out = EvaluationSchema.parse(await relayToMl(ctx.ml, 'POST', `${ML}/models/${encodeURIComponent(params.version)}/evaluate`, body));
      await audit(req, principal.email, 'ml_model.evaluate', `ml_model/${params.version}`, { test_from: out.test_from });
      return out;
    },
  });

  routes.define({
    method: 'DELETE',
    path: `${ADMIN}/models/:version`,
    summary: 'Delete a model version that is not active',
    tag: TAG,
    auth: 'user',
    roles: OPERATORS,
    params: VersionParams,
    async handler({ req, principal, params }) {
      await relayToMl(ctx.ml, 'DELETE', `${ML}/models/${encodeURIComponent(params.version)}`);
      await audit(req, principal.email, 'ml_model.delete', `ml_model/${params.version}`);
    },
  });

  routes.define({
    method: 'POST',
    path: `${ADMIN}/predict/spot-interruption`,
    summary: 'Interruption probability of one Spot pool from the model serving now (a test prediction; names the model version)',
    tag: TAG,
    auth: 'user',
    body: PredictSchema,
    response: PredictionSchema,
    handler: async ({ body }) => PredictionSchema.parse(await relayToMl(ctx.ml, 'POST', `${ML}/predict/spot-interruption`, body)),
  });

  routes.define({
    method: 'POST',
    path: `${ADMIN}/data/gap-analysis`,
    summary: "Missing days per (region, AZ, instance type) spot price series since the active model's training end (at least 15 days)",
    tag: TAG,
    auth: 'user',
    body: ScopeSchema,
    response: GapAnalysisSchema,
    handler: async ({ body }) => GapAnalysisSchema.parse(await relayToMl(ctx.ml, 'POST', `${ML}/data/gap-analysis`, body)),
  });

  routes.define({
    method: 'POST',
    path: `${ADMIN}/data/fill-gaps`,
    summary: 'Start a gap-fill job (DescribeSpotPriceHistory for the missing ranges); follow it at /data/jobs/{id}',
    tag: TAG,
    auth: 'user',
    roles: OPERATORS,
    body: ScopeSchema,
    response: JobSchema,
    status: 202,
    async handler({ req, principal, body }) {
      const job = JobSchema.parse(await relayToMl(ctx.ml, 'POST', `${ML}/data/fill-gaps`, body));
      await audit(req, principal.email, 'ml_gap_fill.start', `gap_fill_job/${job.job_id}`, { region: body.region });
      return job;
    },
  });

  routes.define({
    method: 'GET',
    path: `${ADMIN}/data/jobs`,
    summary: 'The latest gap-fill jobs, newest first',
    tag: TAG,
    auth: 'user',
    query: JobsQuery,
    response: z.object({ jobs: z.array(JobSchema) }),
    handler: async ({ query }) => z.object({ jobs: z.array(JobSchema) }).parse(await relayToMl(ctx.ml, 'GET', `${ML}/data/jobs?limit=${query.limit}`)),
  });

  routes.define({
    method: 'GET',
    path: `${ADMIN}/data/jobs/:id`,
    summary: 'Progress of a gap-fill job: status, series done of total, records filled',
    tag: TAG,
    auth: 'user',
    params: JobParams,
    response: JobSchema,
    handler: async ({ params }) => JobSchema.parse(await relayToMl(ctx.ml, 'GET', `${ML}/data/jobs/${params.id}`)),
  });
};
