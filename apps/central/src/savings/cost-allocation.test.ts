import { describe, expect, it } from 'vitest';
import { allocateCosts, cpuFraction, type AllocationPod } from './cost-allocation.ts';

const GIB_IN_GB = 1024 ** 3 / 1e9;
const pod = (namespace: string, name: string, nodeName: string | null, cpuMillicores: number, memoryGb: number, owner: AllocationPod['owner'] = null): AllocationPod => ({ namespace, podName: name, nodeName, owner, cpuRequestMillicores: cpuMillicores, memoryRequestBytes: memoryGb * 1e9 });

describe('cost allocation', () => {
  it('splits a node’s price by its vCPU/GiB ratio weighted with OpenCost’s rates', () => {
    expect(cpuFraction(2, 8 * GIB_IN_GB)).toBeCloseTo(0.651, 3); // m5.large
    expect(cpuFraction(2, 16 * GIB_IN_GB)).toBeCloseTo(0.4826, 3); // r5.large
    expect(cpuFraction(0, 0)).toBe(0.5);
  });

  it('charges pods by request, leaves the rest idle, and adds up per namespace and workload', () => {
    const node = { nodeName: 'n1', cpuAllocatableCores: 2, memoryAllocatableGb: 8, usdPerHour: 1 };
    const web = { kind: 'Deployment', name: 'web' };
    const result = allocateCosts(
      [node],
      [pod('shop', 'web-1', 'n1', 500, 2, web), pod('shop', 'web-2', 'n1', 500, 2, web), pod('batch', 'job-x', 'n1', 0, 0), pod('shop', 'pending', null, 1000, 1, web)],
    );
    const cpu = cpuFraction(2, 8);
    expect(result.total).toEqual({ cpu: expect.closeTo(cpu, 6), memory: expect.closeTo(1 - cpu, 6), total: 1 });
    // Half the CPU and half the memory are requested: half of each cost is idle.
    expect(result.idle.total).toBeCloseTo(0.5, 6);
    expect(result.namespaces.map((g) => [g.key, g.pods, g.total])).toEqual([
      ['shop', 2, 0.5],
      ['batch', 1, 0],
    ]);
    expect(result.workloads.map((g) => [g.key, g.kind, g.name, g.total])).toEqual([
      ['shop/Deployment/web', 'Deployment', 'web', 0.5],
      ['batch/Pod/job-x', 'Pod', 'job-x', 0],
    ]);
    const sum = result.namespaces.reduce((s, g) => s + g.total, 0) + result.idle.total;
    expect(sum).toBeCloseTo(result.total.total, 6);
  });

  it('shares the whole cost when requests exceed what the node allocates (no negative idle)', () => {
    const result = allocateCosts([{ nodeName: 'n1', cpuAllocatableCores: 1, memoryAllocatableGb: 4, usdPerHour: 0.2 }], [pod('a', 'p1', 'n1', 1500, 3), pod('b', 'p2', 'n1', 500, 3)]);
    expect(result.idle.cpu).toBe(0);
    expect(result.idle.memory).toBe(0);
    expect(result.namespaces.find((g) => g.key === 'a')?.cpu).toBeCloseTo(result.total.cpu * 0.75, 5);
    expect(result.namespaces.reduce((s, g) => s + g.total, 0)).toBeCloseTo(0.2, 6);
  });

  it('counts pods on nodes without a price apart', () => {
    expect(allocateCosts([], [pod('a', 'p', 'ghost', 100, 1)])).toMatchObject({ unpricedPods: 1, namespaces: [], total: { total: 0 } });
  });
});
