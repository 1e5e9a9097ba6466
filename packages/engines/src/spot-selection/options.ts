/**
 * Defaults and validation of the spot selection input. Invalid input is an error (VALIDATION_FAILED); an
 * input that simply has no good answer is a result (`infeasible`, `on_demand_fallback`).
 */
import { AppError, parseOrThrow } from '@cloudoptim/contracts';
import { z } from 'zod';
import { InstanceShapeRequirementSchema } from '@cloudoptim/market';
import type { SpotSelectionInput, SpotSelectionOptions } from './types.ts';

/** Hours per month used for monthly rates and savings (AWS's 730 h convention). */
export const HOURS_PER_MONTH = 730;

/** Default options; see `SpotSelectionOptions` for what each means. */
export const DEFAULT_SPOT_SELECTION_OPTIONS: Readonly<SpotSelectionOptions> = Object.freeze({
  maxFamilyShare: 0.4,
  maxPoolShare: 0.25,
  maxAzShare: 0.4,
  minPools: 1,
  horizonHours: 24,
  interruptionCostUsd: null,
  // Assumption: a lost node costs a few dollars of disruption (restarts, lost in-flight work, cache warm-up);
  // the operator should set it per workload (SPEC §9 "measured disruption cost").
  disruptionCostUsd: 5,
  // Assumption: a replacement node takes ~15 min to be Ready and pods to move; billed at on-demand as the
  // conservative price of the stop-gap capacity.
  replacementHours: 0.25,
  minSafetyScore: 0.65,
  allowOnDemandFallback: true,
  maxReplicasPerPool: null,
  workloadReplicasPerNode: 1,
  volatilityLookbackHours: 7 * 24,
  // p95 of the 7-day CV over us-east-1 pools in 2021-04 is ~0.04 and p99 ~0.09: 0.10 marks the extreme tail.
  volatilityCvAtFullRisk: 0.1,
  neutralVolatilityRisk: 0.5,
  advisorSnapshot: 'as-of-now',
  explainTypes: [],
  closestAlternatives: 5,
});

const share = z.number().gt(0).max(1);
const nonNeg = z.number().nonnegative().finite();

const OptionsSchema = z.strictObject({
  maxFamilyShare: share.optional(),
  maxPoolShare: share.optional(),
  maxAzShare: share.optional(),
  minPools: z.number().int().positive().optional(),
  horizonHours: z.number().positive().finite().optional(),
  interruptionCostUsd: nonNeg.nullable().optional(),
  disruptionCostUsd: nonNeg.optional(),
  replacementHours: nonNeg.optional(),
  minSafetyScore: z.number().min(0).max(1).optional(),
  allowOnDemandFallback: z.boolean().optional(),
  maxReplicasPerPool: z.number().int().nonnegative().nullable().optional(),
  workloadReplicasPerNode: z.number().int().positive().optional(),
  volatilityLookbackHours: z.number().positive().finite().optional(),
  volatilityCvAtFullRisk: z.number().positive().finite().optional(),
  neutralVolatilityRisk: z.number().min(0).max(1).optional(),
  advisorSnapshot: z.enum(['as-of-now', 'latest']).optional(),
  explainTypes: z.array(z.string().min(1)).optional(),
  closestAlternatives: z.number().int().nonnegative().optional(),
});

const InputSchema = z.object({
  region: z.string().min(1),
  availabilityZones: z.array(z.string().min(1)).min(1, 'at least one availability zone'),
  // The same shape rules as the market's fit queries, so a requirement means one thing everywhere.
  requirement: InstanceShapeRequirementSchema,
  nodeCount: z.number().int().nonnegative().max(100_000),
  now: z.number().finite(),
  prices: z.custom<SpotSelectionInput['prices']>((v) => typeof v === 'object' && v !== null && typeof (v as { priceAt?: unknown }).priceAt === 'function', 'must have a priceAt function'),
  riskModel: z
    .custom<NonNullable<SpotSelectionInput['riskModel']>>((v) => typeof v === 'object' && v !== null && typeof (v as { predict?: unknown }).predict === 'function' && typeof (v as { version?: unknown }).version === 'string', 'must be { version: string, predict(pool) }')
    .optional(),
  options: OptionsSchema.optional(),
});

/**
 * Checks the plain parts of the input and merges the options over the defaults; AZs must belong to the region.
 * @throws AppError VALIDATION_FAILED with `details.issues[].path`.
 */
export function resolveInput(input: SpotSelectionInput): SpotSelectionOptions {
  const parsed = parseOrThrow(InputSchema, input, 'Spot selection input');
  const foreign = parsed.availabilityZones.filter((az) => az.slice(0, -1) !== parsed.region);
  if (foreign.length > 0) {
    const message = `availability zones ${foreign.join(', ')} are not in region ${parsed.region}`;
    throw new AppError('VALIDATION_FAILED', `Spot selection input is invalid: availabilityZones: ${message}`, { issues: [{ path: 'availabilityZones', message }] });
  }
  const given = Object.fromEntries(Object.entries(parsed.options ?? {}).filter(([, v]) => v !== undefined));
  return { ...DEFAULT_SPOT_SELECTION_OPTIONS, ...given } as SpotSelectionOptions;
}
