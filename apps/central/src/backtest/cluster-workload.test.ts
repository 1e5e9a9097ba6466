import { describe, expect, it } from 'vitest';
import { AppError, exampleClusterMetrics, exampleNodeMetric } from '@cloudoptim/contracts';
import { BacktestWorkloadSchema } from '@cloudoptim/engines';
import { workloadFromMetrics } from './cluster-workload.ts';

const GIB = 1024 ** 3;
const node = (i: number, over: Parameters<typeof exampleNodeMetric>[0] = {}) => exampleNodeMetric({ node_name: `n-${i}`, pod_count: 4, ...over });

describe('workloadFromMetrics', () => {
  it('takes the median node, the node count, pods per node and the zones that have price history', () => {
    const metrics = exampleClusterMetrics({
      nodes: [
        node(1, { cpu_allocatable_millicores: 1930, memory_allocatable_bytes: 7 * GIB, availability_zone: 'us-east-1a' }),
        node(2, { cpu_allocatable_millicores: 3920, memory_allocatable_bytes: 15 * GIB, availability_zone: 'us-east-1b', pod_count: 7 }),
        node(3, { cpu_allocatable_millicores: 3920, memory_allocatable_bytes: 15 * GIB, availability_zone: 'us-east-1z' }),
      ],
    });
    const w = workloadFromMetrics('prod', metrics, ['us-east-1a', 'us-east-1b', 'us-east-1c']);
    expect(w).toEqual({ name: 'prod', node: { vcpu: 3.92, memoryGib: 15, architecture: 'x86_64' }, nodeCount: 3, podsPerNode: 5, zones: ['us-east-1a', 'us-east-1b'] });
    expect(BacktestWorkloadSchema.safeParse(w).success).toBe(true);
  });

  it('follows the majority architecture and allows every zone when none of the cluster\'s has history', () => {
    const metrics = exampleClusterMetrics({ nodes: [node(1, { architecture: 'arm64', pod_count: 0 }), node(2, { architecture: 'arm64', pod_count: 0 })] });
    const w = workloadFromMetrics('graviton', metrics, ['sa-east-1a']);
    expect(w).toMatchObject({ node: { architecture: 'arm64' }, podsPerNode: 1 });
    expect(w.zones).toBeUndefined();
  });

  it('refuses a report without usable nodes', () => {
    expect(() => workloadFromMetrics('empty', exampleClusterMetrics({ nodes: [] }), [])).toThrow(AppError);
  });
});
