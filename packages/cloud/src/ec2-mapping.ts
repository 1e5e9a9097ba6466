/**
 * EC2 SDK objects → CloudOptim domain objects, validated with zod at the adapter edge (ARCHITECTURE
 * convention 3): a response missing a field we rely on is an INTERNAL error naming the field, never a
 * half-filled object behind the edge.
 */
import type { Instance, SpotPrice } from '@aws-sdk/client-ec2';
import { AppError, toValidationIssues } from '@cloudoptim/contracts';
import { z } from 'zod';
import type { CloudInstance, SpotPricePoint } from './cloud-provider.ts';

const SdkInstanceSchema = z.object({
  InstanceId: z.string().min(1),
  InstanceType: z.string().min(1),
  Placement: z.object({ AvailabilityZone: z.string().min(1) }),
  State: z.object({ Name: z.enum(['pending', 'running', 'shutting-down', 'terminated', 'stopping', 'stopped']) }),
  InstanceLifecycle: z.string().optional(),
  PrivateDnsName: z.string().optional(),
  PrivateIpAddress: z.string().optional(),
  SubnetId: z.string().optional(),
  LaunchTime: z.date(),
  Tags: z.array(z.object({ Key: z.string(), Value: z.string().optional() })).optional(),
});

const SdkSpotPriceSchema = z.object({
  AvailabilityZone: z.string().min(1),
  InstanceType: z.string().min(1),
  ProductDescription: z.string().min(1),
  SpotPrice: z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal price'),
  Timestamp: z.date(),
});

function parseSdk<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = toValidationIssues(r.error);
  throw new AppError('INTERNAL', `unexpected ${what} from AWS: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`, { issues });
}

/** SDK tags → a key/value record. */
export function tagsToRecord(tags: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

/** A key/value record → SDK tags. */
export function recordToTags(tags: Readonly<Record<string, string>>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** One `DescribeInstances` instance → {@link CloudInstance}. @throws AppError INTERNAL on a missing field. */
export function toCloudInstance(instance: Instance): CloudInstance {
  const i = parseSdk(SdkInstanceSchema, instance, 'EC2 instance');
  return {
    instanceId: i.InstanceId,
    instanceType: i.InstanceType,
    availabilityZone: i.Placement.AvailabilityZone,
    capacityType: i.InstanceLifecycle === 'spot' ? 'spot' : 'on-demand',
    state: i.State.Name,
    privateDnsName: i.PrivateDnsName ?? '',
    privateIpAddress: i.PrivateIpAddress ?? null,
    subnetId: i.SubnetId ?? null,
    launchTimeMs: i.LaunchTime.getTime(),
    tags: tagsToRecord(i.Tags),
  };
}

/** One `DescribeSpotPriceHistory` item → {@link SpotPricePoint}. @throws AppError INTERNAL on a missing field. */
export function toSpotPricePoint(item: SpotPrice): SpotPricePoint {
  const p = parseSdk(SdkSpotPriceSchema, item, 'spot price');
  return {
    instanceType: p.InstanceType,
    availabilityZone: p.AvailabilityZone,
    productDescription: p.ProductDescription,
    priceUsdPerHour: Number(p.SpotPrice),
    timestampMs: p.Timestamp.getTime(),
  };
}
