import { describe, expect, it } from 'vitest';
import { loadMarket } from '@cloudoptim/market';
import { buildNode, nodeResources, privateDnsNameFor } from './node-factory.ts';
import { cpuMillis, units } from './quantity.ts';

const market = loadMarket();

describe('buildNode', () => {
  it('registers an EKS-like node: labels, providerID, allocatable from the catalog, conditions, addresses, nodeInfo', () => {
    const node = buildNode(
      { instanceId: 'i-0abc', instanceType: 'm6g.large', availabilityZone: 'us-east-1b', capacityType: 'spot', privateDnsName: privateDnsNameFor('10.0.1.2', 'us-east-1'), privateIp: '10.0.1.2', labels: { team: 'a' } },
      market,
      Date.UTC(2021, 3, 5, 12),
    );
    expect(node.metadata.name).toBe('ip-10-0-1-2.ec2.internal');
    expect(node.metadata.labels).toMatchObject({
      'node.kubernetes.io/instance-type': 'm6g.large',
      'topology.kubernetes.io/zone': 'us-east-1b',
      'topology.kubernetes.io/region': 'us-east-1',
      'kubernetes.io/arch': 'arm64',
      'kubernetes.io/os': 'linux',
      'kubernetes.io/hostname': 'ip-10-0-1-2.ec2.internal',
      'karpenter.sh/capacity-type': 'spot',
      'eks.amazonaws.com/capacityType': 'SPOT',
      team: 'a',
    });
    expect(node.spec?.providerID).toBe('aws:///us-east-1b/i-0abc');
    const a = market.instanceType('m6g.large')!.karpenterAllocatable!;
    expect(cpuMillis(node.status?.allocatable?.cpu)).toBe(a.cpuMillicores);
    expect(units(node.status?.allocatable?.memory)).toBe(a.memoryMib * 2 ** 20);
    expect(node.status?.allocatable?.pods).toBe(String(a.pods));
    expect(cpuMillis(node.status?.capacity?.cpu)).toBeGreaterThan(a.cpuMillicores);
    expect(units(node.status?.capacity?.memory)).toBeGreaterThan(a.memoryMib * 2 ** 20);
    expect(node.status?.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual(['MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False', 'Ready=True']);
    expect(node.status?.conditions?.every((c) => c.lastHeartbeatTime === '2021-04-05T12:00:00Z')).toBe(true);
    expect(node.status?.addresses).toEqual(expect.arrayContaining([{ type: 'InternalIP', address: '10.0.1.2' }, { type: 'Hostname', address: 'ip-10-0-1-2.ec2.internal' }]));
    expect(node.status?.nodeInfo).toMatchObject({ architecture: 'arm64', operatingSystem: 'linux', kubeletVersion: expect.stringMatching(/^v1\.30\./) });
  });

  it('on-demand capacity labels, GPUs, and types without catalogued allocatable', () => {
    const g = buildNode({ instanceId: 'i-1', instanceType: 'g4dn.xlarge', availabilityZone: 'sa-east-1a', capacityType: 'ON_DEMAND', privateDnsName: 'ip-10-0-0-9.sa-east-1.compute.internal', privateIp: '10.0.0.9' }, market, 0);
    expect(g.metadata.labels).toMatchObject({ 'karpenter.sh/capacity-type': 'on-demand', 'eks.amazonaws.com/capacityType': 'ON_DEMAND', 'topology.kubernetes.io/region': 'sa-east-1' });
    expect(g.status?.allocatable?.['nvidia.com/gpu']).toBe('1');
    const p3 = nodeResources(market.instanceType('p3.2xlarge')!); // no karpenterAllocatable in the catalog
    expect(cpuMillis(p3.allocatable.cpu)).toBe(8000 - 60 - 10 - 5 - 5 - 4 * 2.5);
    expect(p3.allocatable['nvidia.com/gpu']).toBe('1');
    expect(() => buildNode({ instanceId: 'i-2', instanceType: 'zz9.huge', availabilityZone: 'us-east-1a', capacityType: 'spot', privateDnsName: 'x', privateIp: '10.0.0.1' }, market, 0)).toThrow(/not in the catalog/);
  });
});
