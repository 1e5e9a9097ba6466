import { z } from 'zod';

/*
 * Shared primitives of the wire contract: identifiers, time, AWS names, Kubernetes names, quantities, money.
 * Every message schema builds on these so that one rule (what an instance id looks like, what "a duration"
 * is) has one definition. Units are always in the field name of the message that uses a primitive.
 */

/**
 * An opaque identifier chosen by the system that owns the entity (a UUID, a ULID, `cl-prod-eu`…):
 * 1–128 characters, starting with a letter or digit, then letters, digits, `.`, `_`, `:`, `-`.
 */
export const IdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be 1-128 characters: letters, digits, ".", "_", ":", "-"');

/** Identifier of a managed cluster (see {@link IdSchema}). */
export const ClusterIdSchema = IdSchema.describe('cluster_id');
/** Identifier of a task offered to an agent (see {@link IdSchema}). */
export const TaskIdSchema = IdSchema.describe('task_id');
/** Identifier of a decision request; the response echoes it (see {@link IdSchema}). */
export const RequestIdSchema = IdSchema.describe('request_id');
/** Identifier of an event (spot event, cluster event, stream frame) (see {@link IdSchema}). */
export const EventIdSchema = IdSchema.describe('event_id');

/**
 * An ISO 8601 / RFC 3339 date-time with seconds and an explicit offset: `2025-11-26T09:00:00Z`,
 * `2025-11-26T10:00:00.123+01:00`. Local times without an offset are rejected (they are ambiguous on the wire).
 */
export const IsoDateTimeSchema = z.iso.datetime({ offset: true });

/** An AWS region code such as `us-east-1`, `eu-central-1`, `us-gov-west-1`, `cn-north-1`. */
export const AwsRegionSchema = z
  .string()
  .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/, 'must be an AWS region code such as us-east-1');

/**
 * An AWS availability-zone name: a region code plus a zone letter (`us-east-1a`), or a Local Zone
 * (`us-west-2-lax-1a`).
 */
export const AvailabilityZoneSchema = z
  .string()
  .regex(
    /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}(-[a-z]+-\d{1,2})?[a-z]$/,
    'must be an AWS availability zone such as us-east-1a',
  );

/**
 * An EC2 instance type: family, a dot, size (`m5.large`, `c7gd.metal-48xl`, `m7i-flex.xlarge`, `u-6tb1.metal`).
 */
export const InstanceTypeSchema = z
  .string()
  .max(64)
  .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*\.[a-z0-9]+(-[a-z0-9]+)*$/, 'must be an EC2 instance type such as m5.large');

/** An EC2 instance id: `i-` and 8 or 17 lowercase hex digits (`i-0abc123def4567890`). */
export const InstanceIdSchema = z
  .string()
  .regex(/^i-([0-9a-f]{8}|[0-9a-f]{17})$/, 'must be an EC2 instance id such as i-0abc123def4567890');

/** How a node (or a recommended pool) is bought. Spelled as the spec's `node_type`: `spot` | `on-demand`. */
export const CapacityTypeSchema = z.enum(['spot', 'on-demand']);
export type CapacityType = z.infer<typeof CapacityTypeSchema>;

/** CPU architecture as EC2 names it. */
export const CpuArchitectureSchema = z.enum(['x86_64', 'arm64']);
export type CpuArchitecture = z.infer<typeof CpuArchitectureSchema>;

/** A Kubernetes object name (RFC 1123 subdomain: lowercase alphanumerics, `-`, `.`, at most 253 characters). */
export const KubeNameSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Kubernetes name (lowercase alphanumerics, "-", ".")');

/** A Kubernetes namespace (RFC 1123 label: at most 63 characters). */
export const NamespaceSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a Kubernetes namespace (lowercase alphanumerics, "-")');

/** A Kubernetes container name (RFC 1123 label). */
export const ContainerNameSchema = NamespaceSchema.describe('container name');

/**
 * A Kubernetes label / annotation / taint key: optional DNS prefix and `/`, then a name of at most 63
 * characters (`topology.kubernetes.io/zone`, `app`).
 */
export const LabelKeySchema = z
  .string()
  .min(1)
  .max(317)
  .regex(
    /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
    'must be a Kubernetes label key such as topology.kubernetes.io/zone',
  );

/** A Kubernetes label value: empty, or at most 63 alphanumerics, `-`, `_`, `.` starting and ending alphanumeric. */
export const LabelValueSchema = z
  .string()
  .max(63)
  .regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/, 'must be a Kubernetes label value');

/** A label set (`metadata.labels`, a `nodeSelector`). */
export const LabelsSchema = z.record(LabelKeySchema, LabelValueSchema);
export type Labels = z.infer<typeof LabelsSchema>;

/** A taint effect as Kubernetes spells it. */
export const TaintEffectSchema = z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']);

/** A node taint. */
export const TaintSchema = z.object({
  key: LabelKeySchema,
  value: LabelValueSchema.nullable(),
  effect: TaintEffectSchema,
});
export type Taint = z.infer<typeof TaintSchema>;

/**
 * A pod toleration. `key: null` with operator `Exists` tolerates every taint; `effect: null` matches every
 * effect; `toleration_seconds` only applies to `NoExecute`.
 */
export const TolerationSchema = z.object({
  key: LabelKeySchema.nullable(),
  operator: z.enum(['Equal', 'Exists']),
  value: LabelValueSchema.nullable(),
  effect: TaintEffectSchema.nullable(),
  toleration_seconds: z.number().int().nonnegative().nullable().optional(),
});
export type Toleration = z.infer<typeof TolerationSchema>;

/** A finite non-negative integer (counts). */
export const NonNegativeIntSchema = z.number().int().nonnegative();
/** A finite non-negative number (cores, GB, seconds). */
export const NonNegativeNumberSchema = z.number().nonnegative();
/** A positive integer. */
export const PositiveIntSchema = z.number().int().positive();

/** CPU in millicores (1000 = one vCPU), non-negative integer. */
export const MillicoresSchema = NonNegativeIntSchema.describe('millicores');
/** Memory in bytes, non-negative integer. */
export const BytesSchema = NonNegativeIntSchema.describe('bytes');

/** An amount of money in US dollars that cannot be negative (a price, a cost). */
export const UsdSchema = z.number().nonnegative().describe('USD');
/**
 * An amount of money in US dollars that may be negative: a saving (negative means the change costs more).
 */
export const SignedUsdSchema = z.number().describe('USD, negative = extra cost');

/** A probability or share in [0, 1] (risk score, confidence, progress, fraction of nodes). */
export const FractionSchema = z.number().min(0).max(1);

/** A duration in seconds, non-negative. */
export const DurationSecondsSchema = z.number().nonnegative().describe('seconds');

/** A semantic-ish version string (`1.4.2`, `2025.11.1-rc.1`, `v3`). */
export const VersionSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^v?[0-9A-Za-z][0-9A-Za-z.+_-]*$/, 'must be a version such as 1.4.2');
