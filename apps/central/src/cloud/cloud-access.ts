import type { CloudProvider, InterruptionSource } from '@cloudoptim/cloud';

/** Where a cluster lives in AWS and how to reach it. */
export interface ClusterCloudTarget {
  customerId: string;
  clusterId: string;
  region: string;
}

/** The cloud adapters for one cluster, built with that customer's credentials. */
export interface ClusterCloud {
  provider: CloudProvider;
  /** The customer's interruption queue; null when none is configured. */
  interruptions: InterruptionSource | null;
}

/**
 * Per-customer AWS access: role assumption with external id in production, static keys and an endpoint for the
 * simulator. Implementations cache clients per cluster and rebuild them when the cluster's settings change.
 */
export interface CloudAccess {
  forCluster(target: ClusterCloudTarget): Promise<ClusterCloud>;
  close(): Promise<void>;
}
