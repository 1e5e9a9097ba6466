/**
 * What the central benchmarks share: the database they run on (PostgreSQL when reachable, as production runs,
 * else PGlite — the result names which) and agent payloads at the seed's scale.
 */
import { exampleClusterMetrics, exampleHeartbeat, exampleNodeMetric, examplePodMetric, type ClusterMetrics, type Heartbeat } from '@cloudoptim/contracts';
import type { TestDatabaseTarget } from '@cloudoptim/db/testing';
import pg from 'pg';

export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** PostgreSQL if it answers, else embedded PGlite. */
export async function benchTarget(): Promise<TestDatabaseTarget & { label: string }> {
  const client = new pg.Client({ connectionString: BENCH_DATABASE_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return { name: 'postgres', serverUrl: BENCH_DATABASE_URL, label: 'PostgreSQL (127.0.0.1)' };
  } catch {
    return { name: 'pglite', label: 'PGlite (in memory)' };
  }
}

export function heartbeatFor(clusterId: string, at: Date): Heartbeat {
  return exampleHeartbeat({ cluster_id: clusterId, timestamp: at.toISOString(), running_task_ids: [] });
}

/** A ClusterMetrics report of `nodes` nodes and `pods` pods (the seed's 50 / 500). */
export function metricsFor(clusterId: string, at: Date, nodes = 50, pods = 500): ClusterMetrics {
  const nodeMetrics = Array.from({ length: nodes }, (_, i) => exampleNodeMetric({ node_name: `ip-10-0-${i >> 8}-${i & 255}.ec2.internal`, instance_id: `i-${(0x1000000 + i).toString(16).padStart(17, '0')}` }));
  const podMetrics = Array.from({ length: pods }, (_, i) => {
    const pod = examplePodMetric();
    return { ...pod, pod_name: `web-${i}`, node_name: nodeMetrics[i % nodes]?.node_name ?? pod.node_name };
  });
  return exampleClusterMetrics({ cluster_id: clusterId, timestamp: at.toISOString(), nodes: nodeMetrics, pods: podMetrics, pending_pod_details: [], total_nodes: nodes, total_pods: pods, running_pods: pods, pending_pods: 0 });
}
