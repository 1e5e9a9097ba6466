/**
 * `predict/spot-interruption`: one pool or a batch of pools → probability of interruption within the horizon,
 * a confidence, and a recommendation (the seed thresholds on the safety score: safe > 0.65 SAFE_TO_USE,
 * 0.40–0.65 USE_WITH_CAUTION, < 0.40 AVOID).
 */
import { AppError, AvailabilityZoneSchema, AwsRegionSchema, InstanceTypeSchema, IsoDateTimeSchema } from '@cloudoptim/contracts';
import type { SpotPriceHistory } from '@cloudoptim/market';
import { z } from 'zod';
import type { PoolRiskScorer } from './pool-risk.ts';

export const MAX_BATCH_POOLS = 10_000;
/** Default horizon: a 730 h month, so the probability reads as a monthly interruption frequency. */
export const DEFAULT_HORIZON_HOURS = 730;

export const SpotPoolQuerySchema = z
  .object({
    instance_type: InstanceTypeSchema,
    region: AwsRegionSchema,
    availability_zone: AvailabilityZoneSchema,
    spot_price: z.number().positive().finite(),
    launch_time: IsoDateTimeSchema,
    /** Horizon of the probability, hours (default 730). */
    horizon_hours: z.number().positive().max(8760).optional(),
  })
  .superRefine((p, ctx) => {
    if (!p.availability_zone.startsWith(`${p.region}`)) ctx.addIssue({ code: 'custom', path: ['availability_zone'], message: `${p.availability_zone} is not a zone of ${p.region}` });
  });

export const SpotInterruptionBatchSchema = z.object({
  pools: z.array(SpotPoolQuerySchema).min(1).max(MAX_BATCH_POOLS, `at most ${MAX_BATCH_POOLS} pools per request`),
});

export const SpotInterruptionRequestSchema = z.union([SpotInterruptionBatchSchema, SpotPoolQuerySchema]);

export const RecommendationLabelSchema = z.enum(['SAFE_TO_USE', 'USE_WITH_CAUTION', 'AVOID']);

export const SpotInterruptionPredictionSchema = z.object({
  interruption_probability: z.number().min(0).max(1),
  confidence: z.number().min(0).max(1),
  recommendation: RecommendationLabelSchema,
  model_version: z.string(),
  instance_type: InstanceTypeSchema,
  availability_zone: AvailabilityZoneSchema,
  horizon_hours: z.number().positive(),
  /** 1 − weighted risk of the seed formula. */
  safety_score: z.number().min(0).max(1),
  monthly_interruption_rate: z.number().min(0).max(1),
  spot_advisor_bucket: z.string().nullable(),
  factors: z.array(z.object({ name: z.string(), value: z.union([z.number(), z.string(), z.null()]), weight: z.number(), contribution: z.number() })),
});
export const SpotInterruptionBatchResponseSchema = z.object({ predictions: z.array(SpotInterruptionPredictionSchema) });
export type SpotInterruptionPrediction = z.infer<typeof SpotInterruptionPredictionSchema>;

const LABEL = { safe: 'SAFE_TO_USE', caution: 'USE_WITH_CAUTION', avoid: 'AVOID' } as const;
const r = (x: number, d = 6) => Math.round(x * 10 ** d) / 10 ** d;

export function predictPool(q: z.output<typeof SpotPoolQuerySchema>, scorer: PoolRiskScorer, prices: SpotPriceHistory | null): SpotInterruptionPrediction {
  const horizonHours = q.horizon_hours ?? DEFAULT_HORIZON_HOURS;
  const s = scorer.score({ region: q.region, availabilityZone: q.availability_zone, instanceType: q.instance_type, spotPriceUsdPerHour: q.spot_price, atMs: Date.parse(q.launch_time), horizonHours }, prices);
  return {
    interruption_probability: r(s.interruptionProbability),
    confidence: r(s.confidence, 4),
    recommendation: LABEL[s.riskClass],
    model_version: s.modelVersion,
    instance_type: q.instance_type,
    availability_zone: q.availability_zone,
    horizon_hours: horizonHours,
    safety_score: r(s.safetyScore, 4),
    monthly_interruption_rate: r(s.monthlyInterruptionRate),
    spot_advisor_bucket: s.advisor?.interruptionLabel ?? null,
    factors: s.components.map((c) => ({ name: c.name, value: typeof c.value === 'number' ? r(c.value) : c.value, weight: c.weight, contribution: r(c.contribution) })),
  };
}

/** Scores a batch; a pool the market does not know fails the request with its index in `details.path`. */
export function predictBatch(pools: z.output<typeof SpotPoolQuerySchema>[], scorer: PoolRiskScorer, prices: SpotPriceHistory | null): SpotInterruptionPrediction[] {
  return pools.map((p, i) => {
    try {
      return predictPool(p, scorer, prices);
    } catch (error) {
      if (error instanceof AppError && error.status < 500) throw new AppError(error.code, `pools.${i}: ${error.message}`, { ...error.details, path: `pools.${i}` });
      throw error;
    }
  });
}
