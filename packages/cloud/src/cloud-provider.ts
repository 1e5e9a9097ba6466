/**
 * The cloud seam of CloudOptim: everything the control plane asks of EC2 (launch capacity, terminate, describe,
 * tag, spot price history, zones) behind one interface, so the logic above it is tested against
 * `FakeCloudProvider` and production runs `AwsCloudProvider` (SPEC §5 flows 2, 3 and 8).
 */
import { AvailabilityZoneSchema, CapacityTypeSchema, InstanceTypeSchema, type CapacityType, type ErrorCode } from '@cloudoptim/contracts';
import { z } from 'zod';

/** EC2 Spot allocation strategies CreateFleet understands. */
export const SpotAllocationStrategySchema = z.enum(['price-capacity-optimized', 'capacity-optimized', 'capacity-optimized-prioritized', 'lowest-price', 'diversified']);
export type SpotAllocationStrategy = z.infer<typeof SpotAllocationStrategySchema>;

/** One pool (instance type × AZ) a launch may draw from; `priority` (lower first) for the `*-prioritized` strategies. */
export const LaunchPoolSchema = z.object({
  instanceType: InstanceTypeSchema,
  availabilityZone: AvailabilityZoneSchema,
  /** Subnet to launch into; absent: the AZ's default subnet. */
  subnetId: z.string().min(1).optional(),
  priority: z.number().nonnegative().optional(),
});
export type LaunchPool = z.infer<typeof LaunchPoolSchema>;

/** The launch template CreateFleet launches from (AMI, security groups, user data, IAM profile of the nodes). */
export const LaunchTemplateRefSchema = z
  .object({ launchTemplateId: z.string().min(1).optional(), launchTemplateName: z.string().min(1).optional(), version: z.string().min(1).optional() })
  .refine((t) => (t.launchTemplateId === undefined) !== (t.launchTemplateName === undefined), 'give exactly one of launchTemplateId and launchTemplateName');
export type LaunchTemplateRef = z.infer<typeof LaunchTemplateRefSchema>;

/** Instance tags: key → value (at most 50; `aws:` keys are reserved by AWS). */
export const InstanceTagsSchema = z
  .record(z.string().min(1).max(128), z.string().max(256))
  .refine((t) => Object.keys(t).length <= 50, 'at most 50 tags')
  .refine((t) => Object.keys(t).every((k) => !k.toLowerCase().startsWith('aws:')), 'tag keys starting with "aws:" are reserved');
export type InstanceTags = z.infer<typeof InstanceTagsSchema>;

/** Input of {@link CloudProvider.launchCapacity}. */
export const LaunchCapacityInputSchema = z.object({
  pools: z.array(LaunchPoolSchema).min(1).max(300),
  capacityType: CapacityTypeSchema,
  /** Number of instances wanted (each counts 1, no weights). */
  count: z.number().int().min(1).max(1000),
  /** Spot allocation strategy; on-demand capacity uses `lowest-price` (or `prioritized` when pools carry priorities). */
  allocationStrategy: SpotAllocationStrategySchema.default('price-capacity-optimized'),
  tags: InstanceTagsSchema.default({}),
  /**
   * Idempotency key (ASCII, ≤ 60 characters): repeating a launch with the same token returns the same instances
   * instead of launching again, so a retried plan step never doubles capacity.
   */
  clientToken: z.string().min(1).max(60).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces'),
  /**
   * For `capacityType: 'spot'`: launch what Spot could not supply as on-demand in the same pools (SPEC §5 flow 2).
   * The Spot errors stay in the result's `errors`.
   */
  onDemandFallback: z.boolean().default(false),
  /** Launch template; absent: the provider's default (required by EC2, ignored by the fake). */
  launchTemplate: LaunchTemplateRefSchema.optional(),
});
export type LaunchCapacityInput = z.input<typeof LaunchCapacityInputSchema>;
export type LaunchCapacityRequest = z.output<typeof LaunchCapacityInputSchema>;

/** EC2 instance states. */
export type InstanceState = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

/** An EC2 instance as CloudOptim sees it. */
export interface CloudInstance {
  instanceId: string;
  instanceType: string;
  availabilityZone: string;
  capacityType: CapacityType;
  state: InstanceState;
  /** `ip-10-0-1-2.ec2.internal`: the Kubernetes node name on EKS. Empty while EC2 has not assigned one. */
  privateDnsName: string;
  privateIpAddress: string | null;
  subnetId: string | null;
  /** Launch time, ms since the epoch. */
  launchTimeMs: number;
  tags: InstanceTags;
}

/** A pool that could not supply (all or part of) a launch. */
export interface LaunchError {
  instanceType: string;
  /** Null when EC2 named neither the AZ nor a subnet of a requested pool. */
  availabilityZone: string | null;
  capacityType: CapacityType;
  /** Translated code: `CAPACITY_UNAVAILABLE` for InsufficientInstanceCapacity & co. */
  code: ErrorCode;
  /** EC2's own error code (`InsufficientInstanceCapacity`), for logs and the audit trail. */
  awsCode: string;
  message: string;
}

/** Result of {@link CloudProvider.launchCapacity}: what was launched and which pools failed. */
export interface LaunchCapacityResult {
  instances: CloudInstance[];
  errors: LaunchError[];
}

/** Filter of {@link CloudProvider.describeInstances}; both absent = every instance of the account/region. */
export interface DescribeInstancesInput {
  ids?: readonly string[];
  /** Every tag must match (key = value). */
  tags?: InstanceTags;
}

/** One spot price change as EC2 reports it. */
export interface SpotPricePoint {
  instanceType: string;
  availabilityZone: string;
  productDescription: string;
  priceUsdPerHour: number;
  /** When this price took effect, ms since the epoch. */
  timestampMs: number;
}

/** Progress of a paged {@link CloudProvider.spotPriceHistory} call, reported after each page. */
export interface SpotPricePageProgress {
  /** 1-based page number. */
  page: number;
  pointsInPage: number;
  pointsSoFar: number;
  /** Whether another page follows. */
  more: boolean;
}

/** Input of {@link CloudProvider.spotPriceHistory}. */
export interface SpotPriceHistoryInput {
  instanceTypes: readonly string[];
  /** Absent: every AZ of the region. */
  availabilityZone?: string;
  fromMs: number;
  toMs: number;
  /** Default `Linux/UNIX`. */
  productDescription?: string;
  /** Items per page (1–1000, default 1000). */
  pageSize?: number;
  /** Called after each page (the gap filler's progress bar). A throw aborts the call. */
  onPage?: (progress: SpotPricePageProgress) => void;
  signal?: AbortSignal;
}

/** An availability zone of the provider's region. */
export interface AvailabilityZoneInfo {
  zoneName: string;
  zoneId: string;
  state: string;
}

/**
 * What CloudOptim needs from EC2. Every method either succeeds or throws an `AppError` with a catalogued code:
 * `CAPACITY_UNAVAILABLE`, `NOT_FOUND`, `VALIDATION_FAILED`, `RATE_LIMITED`, `UNAUTHENTICATED`, `FORBIDDEN`,
 * `UNAVAILABLE` (network, 5xx) or `INTERNAL` (anything else; the vendor error is the `cause`).
 */
export interface CloudProvider {
  /** The region this provider acts in. */
  readonly region: string;

  /**
   * Launches `count` instances from `pools` at once (EC2 CreateFleet, `Type: instant`). Pools that fail are
   * listed in `errors`; a partial launch is a result, not an exception. With `onDemandFallback` the Spot
   * shortfall is launched on-demand. Idempotent per `clientToken`.
   * @throws AppError CAPACITY_UNAVAILABLE when not a single instance could be launched (details.errors lists the pools);
   *   VALIDATION_FAILED on a bad input.
   */
  launchCapacity(input: LaunchCapacityInput): Promise<LaunchCapacityResult>;

  /**
   * Terminates instances (idempotent: terminating a terminated instance is fine). An empty list does nothing.
   * @throws AppError NOT_FOUND when any id is unknown (then nothing is terminated).
   */
  terminateInstances(ids: readonly string[]): Promise<void>;

  /**
   * Instances by id and/or tags (all pages), terminated ones included while EC2 still lists them.
   * @throws AppError NOT_FOUND when an id given in `ids` is unknown.
   */
  describeInstances(input?: DescribeInstancesInput): Promise<CloudInstance[]>;

  /**
   * Adds (or overwrites) tags on instances.
   * @throws AppError NOT_FOUND when an instance is unknown.
   */
  tagInstances(ids: readonly string[], tags: InstanceTags): Promise<void>;

  /**
   * Spot price changes in `[fromMs, toMs]` (EC2 DescribeSpotPriceHistory, newest first, every page), plus the
   * change in force at `fromMs`. `onPage` reports progress after each page.
   */
  spotPriceHistory(input: SpotPriceHistoryInput): Promise<SpotPricePoint[]>;

  /** The availability zones of the region. */
  availabilityZones(): Promise<AvailabilityZoneInfo[]>;
}
