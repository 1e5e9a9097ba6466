import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  AvailabilityZoneSchema,
  AwsRegionSchema,
  IdSchema,
  InstanceIdSchema,
  InstanceTypeSchema,
  IsoDateTimeSchema,
  KubeNameSchema,
  LabelKeySchema,
  LabelValueSchema,
  NamespaceSchema,
  UsdSchema,
  VersionSchema,
} from './primitives.ts';

const table: [string, z.ZodType, unknown[], unknown[]][] = [
  ['IdSchema', IdSchema, ['cl-prod-use1', '3f2b9c1e-5a4d-4c1b-9f0e-8d7c6b5a4f3e', 'req:01JDX4Y8Q2'], ['', '-x', 'a b', 'x'.repeat(129), 12]],
  ['IsoDateTimeSchema', IsoDateTimeSchema, ['2025-11-26T09:00:00Z', '2025-11-26T09:00:00.123Z', '2025-11-26T10:00:00+01:00'], ['2025-11-26', '2025-11-26T09:00:00', '2025-13-01T00:00:00Z', 'yesterday', 1764147600000]],
  ['AwsRegionSchema', AwsRegionSchema, ['us-east-1', 'eu-central-1', 'ap-southeast-2', 'us-gov-west-1', 'cn-north-1', 'il-central-1'], ['us-east', 'US-EAST-1', 'us-east-1a', 'useast1', '']],
  ['AvailabilityZoneSchema', AvailabilityZoneSchema, ['us-east-1a', 'eu-west-3c', 'us-west-2-lax-1a'], ['us-east-1', 'us-east-1-a', 'use1-az1', 'US-EAST-1A']],
  ['InstanceTypeSchema', InstanceTypeSchema, ['m5.large', 'c7gd.metal-48xl', 'm7i-flex.xlarge', 'u-6tb1.metal', 'g4dn.12xlarge', 'mac2-m2pro.metal'], ['m5', 'M5.large', '.large', 'm5.', 'm5 large', 'm5..large']],
  ['InstanceIdSchema', InstanceIdSchema, ['i-0a1b2c3d4e5f60718', 'i-1234abcd'], ['i-0A1B2C3D4E5F60718', 'i-123', 'ami-1234abcd', 'i-0a1b2c3d4e5f6071']],
  ['KubeNameSchema', KubeNameSchema, ['ip-10-0-1-23.ec2.internal', 'checkout-7d9f8b6c5-x2k4p', 'a'], ['Checkout', '-a', 'a-', 'a_b', '']],
  ['NamespaceSchema', NamespaceSchema, ['kube-system', 'shop'], ['kube.system', 'Shop', 'x'.repeat(64)]],
  ['LabelKeySchema', LabelKeySchema, ['app', 'topology.kubernetes.io/zone', 'karpenter.sh/capacity-type', 'App_Name.v2'], ['', '/app', 'a/b/c', '-app', 'x'.repeat(64)]],
  ['LabelValueSchema', LabelValueSchema, ['', 'spot', 'us-east-1a', 'v1.2_3'], ['-a', 'a b', 'x'.repeat(64)]],
  ['UsdSchema', UsdSchema, [0, 0.0712, 1234.5], [-0.01, '1.00', Number.NaN, Number.POSITIVE_INFINITY]],
  ['VersionSchema', VersionSchema, ['0.1.0', 'v3', '2025.11.20-1', '1.0.0+build.5'], ['', ' 1.0', '1 0']],
];

describe.each(table)('%s', (_name, schema, good, bad) => {
  it.each(good.map((v) => [v]))('accepts %j', (v) => expect(schema.safeParse(v).success).toBe(true));
  it.each(bad.map((v) => [v]))('rejects %j', (v) => expect(schema.safeParse(v).success).toBe(false));
});

describe('error messages', () => {
  it('say what was expected', () => {
    expect(AwsRegionSchema.safeParse('nowhere').error?.issues[0]?.message).toMatch(/us-east-1/);
    expect(InstanceTypeSchema.safeParse('big').error?.issues[0]?.message).toMatch(/m5\.large/);
  });
});
