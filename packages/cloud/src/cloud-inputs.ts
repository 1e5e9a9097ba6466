/**
 * Input checks shared by every CloudProvider implementation, so the fake and the AWS adapter reject the same
 * inputs with the same AppError VALIDATION_FAILED (the contract suite relies on it).
 */
import { AppError, AvailabilityZoneSchema, InstanceIdSchema, InstanceTypeSchema, parseOrThrow } from '@cloudoptim/contracts';
import { z } from 'zod';
import { InstanceTagsSchema, LaunchCapacityInputSchema, type InstanceTags, type LaunchCapacityInput, type LaunchCapacityRequest, type SpotPriceHistoryInput } from './cloud-provider.ts';

/** Parses a launch input, filling the defaults. @throws AppError VALIDATION_FAILED. */
export function parseLaunchInput(input: LaunchCapacityInput): LaunchCapacityRequest {
  return parseOrThrow(LaunchCapacityInputSchema, input, 'launchCapacity input');
}

/** Checks instance ids (`i-…`). @throws AppError VALIDATION_FAILED. */
export function checkInstanceIds(ids: readonly string[], what: string): string[] {
  return parseOrThrow(z.array(InstanceIdSchema).max(1000), ids, what);
}

/** Checks tags. @throws AppError VALIDATION_FAILED. */
export function checkTags(tags: InstanceTags, what: string): InstanceTags {
  return parseOrThrow(InstanceTagsSchema, tags, what);
}

const SpotPriceQuerySchema = z
  .object({
    instanceTypes: z.array(InstanceTypeSchema).max(1000),
    availabilityZone: AvailabilityZoneSchema.optional(),
    fromMs: z.number().int().nonnegative(),
    toMs: z.number().int().nonnegative(),
    productDescription: z.string().min(1).optional(),
    pageSize: z.number().int().min(1).max(1000).optional(),
  })
  .refine((q) => q.fromMs <= q.toMs, { message: 'fromMs must not be after toMs', path: ['fromMs'] });

/** Checks a spot price history query. @throws AppError VALIDATION_FAILED. */
export function checkSpotPriceQuery(input: SpotPriceHistoryInput): void {
  const { onPage: _onPage, signal: _signal, ...data } = input;
  parseOrThrow(SpotPriceQuerySchema, data, 'spotPriceHistory input');
}

/** The AppError for a launch that produced no instance at all. */
export function nothingLaunched(errors: readonly { code: string; awsCode: string; instanceType: string; availabilityZone: string | null; capacityType: string; message: string }[]): AppError {
  const allCapacity = errors.every((e) => e.code === 'CAPACITY_UNAVAILABLE');
  const first = errors[0];
  const summary = first ? `${first.awsCode} in ${first.instanceType}/${first.availabilityZone ?? '?'} (${first.capacityType})${errors.length > 1 ? ` and ${errors.length - 1} more` : ''}` : 'no instance launched';
  const code = allCapacity || first === undefined ? 'CAPACITY_UNAVAILABLE' : (first.code as AppError['code']);
  return new AppError(code, `no capacity launched: ${summary}`, { errors: errors.map((e) => ({ ...e })) });
}
