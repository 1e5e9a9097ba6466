/**
 * "What would this cluster have saved": the backtest workload read off a cluster's latest metrics report —
 * its typical node (median allocatable CPU and memory, the most common architecture), its node count, its pods
 * per node and the zones it runs in. Allocatable is a little below an instance's capacity, so the cluster's own
 * instance types fit the derived node; the default disruption model (docs/backtest-workload.md) applies.
 */
import { AppError, type ClusterMetrics } from '@cloudoptim/contracts';
import type { BacktestWorkloadInput } from '@cloudoptim/engines';

const GIB = 1024 ** 3;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * The workload of the cluster `name` as its metrics show it. `zonesWithHistory` are the availability zones the
 * backtest region has price history for: the cluster's zones outside them are dropped, and when none is left
 * the workload names no zones (every zone with data is allowed).
 * @throws AppError UNPROCESSABLE when the report has no node with allocatable CPU and memory (nothing to replay).
 */
export function workloadFromMetrics(name: string, metrics: ClusterMetrics, zonesWithHistory: readonly string[]): BacktestWorkloadInput {
  const nodes = metrics.nodes.filter((n) => n.cpu_allocatable_millicores > 0 && n.memory_allocatable_bytes > 0);
  if (nodes.length === 0) throw new AppError('UNPROCESSABLE', `cluster ${name} reported no nodes with allocatable CPU and memory: there is no workload to replay`, { cluster_id: metrics.cluster_id });
  const arm = nodes.filter((n) => n.architecture === 'arm64').length;
  const pods = nodes.reduce((sum, n) => sum + n.pod_count, 0);
  const known = new Set(zonesWithHistory);
  const zones = [...new Set(nodes.map((n) => n.availability_zone))].filter((z) => known.has(z)).sort();
  return {
    name,
    node: {
      vcpu: round2(median(nodes.map((n) => n.cpu_allocatable_millicores / 1000))),
      memoryGib: round2(median(nodes.map((n) => n.memory_allocatable_bytes / GIB))),
      architecture: arm > nodes.length / 2 ? 'arm64' : 'x86_64',
    },
    nodeCount: nodes.length,
    podsPerNode: Math.max(1, Math.round(pods / nodes.length)),
    ...(zones.length > 0 && { zones }),
  };
}
