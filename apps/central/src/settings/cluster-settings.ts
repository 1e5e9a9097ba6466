/**
 * A cluster's settings: how much CloudOptim may do and within which limits. Stored per cluster (migration
 * 0002_auth.sql, table cluster_settings) with a version that increases on every change (agents get
 * config_changed with it).
 */
import { z } from 'zod';

export const AutomationModeSchema = z.enum(['recommend', 'automate']);
export const RebalancePolicySchema = z.enum(['ignore', 'cordon', 'replace']);

export const OfficeHoursScheduleSchema = z.object({
  /** kube-downscaler syntax, e.g. "Mon-Fri 08:00-19:00 Europe/Berlin". */
  uptime: z.string().min(1).max(500),
  /** Namespaces it applies to (empty: none — workloads then must be listed). */
  namespaces: z.array(z.string().min(1).max(63)).default([]),
  /** "namespace/kind/name" workloads it applies to. */
  workloads: z.array(z.string().min(1).max(300)).default([]),
});

export const ClusterSettingsSchema = z.object({
  automation_mode: AutomationModeSchema.default('recommend'),
  /** Largest share of nodes (0–1) that may run on Spot. */
  max_spot_share: z.number().min(0).max(1).default(0.8),
  /** Fewest distinct Spot pools (instance type × AZ) the Spot nodes must spread over. */
  min_pool_diversity: z.number().int().min(1).max(50).default(3),
  /** Disruption budget: nodes being replaced/drained at once, and as a share of the cluster. */
  max_nodes_in_flight: z.number().int().min(1).max(100).default(1),
  max_disruption_percent: z.number().min(1).max(100).default(10),
  office_hours: z.array(OfficeHoursScheduleSchema).max(100).default([]),
  excluded_namespaces: z.array(z.string().min(1).max(63)).max(500).default(['kube-system']),
  /** "namespace/kind/name". */
  excluded_workloads: z.array(z.string().min(1).max(300)).max(2000).default([]),
  rebalance_policy: RebalancePolicySchema.default('cordon'),
  /** AWS access for this cluster (null: the server's default credentials / the simulator). */
  aws_role_arn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/).nullable().default(null),
  // No aws_external_id: CloudOptim issues it (cloud/external-id.ts), nobody sets it. A value stored before is an
  // unknown key this object strips on read, so it is never used.
  interruption_queue_url: z.string().url().nullable().default(null),
  launch_template_id: z.string().min(1).max(255).nullable().default(null),
  subnet_ids: z.array(z.string().min(1).max(255)).max(50).default([]),
});
export type ClusterSettings = z.output<typeof ClusterSettingsSchema>;

type SettingsShape = typeof ClusterSettingsSchema.shape;
type PatchShape = { [K in keyof SettingsShape]: z.ZodOptional<ReturnType<SettingsShape[K]['unwrap']>> };

/**
 * A PATCH of settings: any subset of the fields, nothing else. Built from the fields without their defaults:
 * `.partial()` would fill every absent field with its default and so reset it.
 */
export const ClusterSettingsPatchSchema = z
  .object(Object.fromEntries(Object.entries(ClusterSettingsSchema.shape).map(([key, field]) => [key, field.unwrap().optional()])) as PatchShape)
  .strict();
export type ClusterSettingsPatch = z.output<typeof ClusterSettingsPatchSchema>;

export interface StoredClusterSettings {
  clusterId: string;
  customerId: string;
  settings: ClusterSettings;
  version: number;
  updatedAt: Date;
}

/** Read side the services use; the settings routes write. */
export interface ClusterSettingsReader {
  /** The cluster's settings (defaults when never set). @throws NOT_FOUND when the cluster is not the customer's. */
  get(customerId: string, clusterId: string): Promise<StoredClusterSettings>;
}
