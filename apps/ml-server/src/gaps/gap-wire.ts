/** The gap filler's answer bodies (snake_case on the wire), as zod schemas for validation and OpenAPI. */
import { z } from 'zod';
import { GapFillStatusSchema } from '@cloudoptim/contracts';
import type { GapFillJob } from '../store/gap-fill-jobs.repository.ts';

const RangeSchema = z.object({ from: z.string(), to: z.string(), days: z.number().int().positive(), fetchable: z.boolean() });

export const GapAnalysisSchema = z.object({
  region: z.string(),
  window: z.object({ from: z.string(), to: z.string(), lookback_days: z.number().int(), model_version: z.string().nullable(), trained_until: z.string().nullable(), fetchable_from: z.string() }),
  series_total: z.number().int().nonnegative(),
  series_with_gaps: z.number().int().nonnegative(),
  missing_days: z.number().int().nonnegative(),
  fetchable_missing_days: z.number().int().nonnegative(),
  series: z.array(z.object({ availability_zone: z.string(), instance_type: z.string(), covered_days: z.number().int().nonnegative(), missing_days: z.number().int().positive(), ranges: z.array(RangeSchema) })),
});

export const GapFillJobSchema = z.object({
  job_id: z.string(),
  status: GapFillStatusSchema,
  scope: z.record(z.string(), z.unknown()),
  progress: z.number().min(0).max(1),
  series_total: z.number().int().nonnegative(),
  series_done: z.number().int().nonnegative(),
  records_filled: z.number().int().nonnegative(),
  error: z.string().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  updated_at: z.string(),
});

export const GapFillJobListSchema = z.object({ jobs: z.array(GapFillJobSchema) });
export const GapFillJobParamsSchema = z.object({ id: z.string().min(1).max(64) });
export const GapFillJobListQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }).strict();

export function jobToWire(j: GapFillJob): z.input<typeof GapFillJobSchema> {
  return {
    job_id: j.id,
    status: j.status,
    scope: j.scope,
    progress: j.progress,
    series_total: j.seriesTotal,
    series_done: j.seriesDone,
    records_filled: j.recordsFilled,
    error: j.error,
    created_at: j.createdAt,
    started_at: j.startedAt,
    finished_at: j.finishedAt,
    updated_at: j.updatedAt,
  };
}
