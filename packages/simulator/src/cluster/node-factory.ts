/**
 * Builds the Node object a kubelet on an EKS worker would register: labels, providerID, capacity and
 * allocatable from the catalog (Karpenter's allocatable values), Ready conditions, addresses and nodeInfo.
 */
import type { InstanceType, Market } from '@cloudoptim/market';
import type { NodeCondition, NodeSpec, NodeStatus, Taint } from '../kube-api/types.ts';
import { formatCpu, formatMemoryKi, MIB } from './quantity.ts';

/** What the composition layer knows about an instance when it joins the cluster. */
export interface NodeRegistration {
  instanceId: string;
  instanceType: string;
  availabilityZone: string;
  /** `spot` / `on-demand` (Karpenter's spelling) or `SPOT` / `ON_DEMAND` (EKS's). */
  capacityType: string;
  /** The node name, e.g. `ip-10-0-12-34.ec2.internal`. */
  privateDnsName: string;
  privateIp: string;
  labels?: Record<string, string>;
  taints?: Taint[];
}

export const KUBELET_VERSION = 'v1.30.4-eks-a737599';
const OS_IMAGE = 'Amazon Linux 2023.5.20240805';
const KERNEL = '6.1.102-108.177.amzn2023.x86_64';
const RUNTIME = 'containerd://1.7.20';

/** `spot` → `{karpenter: 'spot', eks: 'SPOT'}`; anything else is on-demand. */
export function capacityTypeLabels(capacityType: string): { karpenter: 'spot' | 'on-demand'; eks: 'SPOT' | 'ON_DEMAND' } {
  return /^spot$/i.test(capacityType) ? { karpenter: 'spot', eks: 'SPOT' } : { karpenter: 'on-demand', eks: 'ON_DEMAND' };
}

/** The region of an AZ (`us-east-1a` → `us-east-1`; `use1-az1`-style ids are not AZ names and are kept). */
export function regionOfZone(zone: string): string {
  return /^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/.test(zone) ? zone.slice(0, -1) : zone;
}

/** A node's allocatable and capacity in the units Node.status uses. */
export interface NodeResources {
  allocatable: Record<string, string>;
  capacity: Record<string, string>;
}

/**
 * Allocatable straight from the catalog; capacity is allocatable plus what the kubelet reserves (Karpenter's
 * formula: kube-reserved CPU by core bands, 255 MiB + 11 MiB per pod and a 100 MiB eviction threshold, plus
 * the 7.5% VM memory overhead). Types without catalogued allocatable get the same formula from vCPU and memory.
 */
export function nodeResources(type: InstanceType): NodeResources {
  const vcpu = type.vcpu ?? 2;
  const memoryMib = (type.memoryGib ?? 4) * 1024;
  const a = type.karpenterAllocatable;
  const pods = a?.pods ?? 110;
  // Where the catalog lacks the maker, a GPU on EC2 is an NVIDIA one unless it says AMD (g4ad).
  const gpu = a?.nvidiaGpu ?? (type.gpuManufacturer?.toLowerCase() === 'amd' ? 0 : (type.gpuCount ?? 0));
  const reservedCpu = [60, 10, 5, 5].slice(0, vcpu).reduce((s, v) => s + v, 0) + Math.max(0, vcpu - 4) * 2.5;
  const cpuAlloc = a?.cpuMillicores ?? Math.floor(vcpu * 1000 - reservedCpu);
  const memAllocMib = a?.memoryMib ?? Math.floor(memoryMib * 0.925 - (255 + 11 * pods) - 100);
  const memCapMib = Math.max(memAllocMib, Math.floor(memoryMib * 0.925));
  const ephemeralGib = a?.ephemeralStorageGib ?? 17;
  const allocatable: Record<string, string> = {
    cpu: formatCpu(cpuAlloc),
    'ephemeral-storage': `${ephemeralGib * 1024 * 1024 * 1024}`,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: formatMemoryKi(memAllocMib * MIB),
    pods: String(pods),
  };
  const capacity: Record<string, string> = {
    cpu: String(vcpu),
    'ephemeral-storage': '20959212Ki',
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: formatMemoryKi(memCapMib * MIB),
    pods: String(pods),
  };
  if (gpu > 0) {
    allocatable['nvidia.com/gpu'] = String(gpu);
    capacity['nvidia.com/gpu'] = String(gpu);
  }
  return { allocatable, capacity };
}

/** `ip-10-0-1-2.ec2.internal` as the EC2 resolver names it (`<region>.compute.internal` outside us-east-1). */
export function privateDnsNameFor(ip: string, region: string): string {
  const host = `ip-${ip.replace(/\./g, '-')}`;
  return region === 'us-east-1' ? `${host}.ec2.internal` : `${host}.${region}.compute.internal`;
}

/** The four node conditions a healthy kubelet reports. */
export function healthyConditions(nowIso: string): NodeCondition[] {
  const c = (type: string, status: 'True' | 'False', reason: string, message: string): NodeCondition => ({
    type,
    status,
    lastHeartbeatTime: nowIso,
    lastTransitionTime: nowIso,
    reason,
    message,
  });
  return [
    c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    c('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
  ];
}

/** A Node manifest as the kubelet posts it (server-managed metadata not yet set). */
export interface NodeManifest {
  apiVersion: 'v1';
  kind: 'Node';
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: NodeSpec;
  status: NodeStatus;
}

/**
 * The Node a kubelet registers for an instance.
 * @throws Error when the catalog does not know the instance type (a composition bug, not a client error).
 */
export function buildNode(reg: NodeRegistration, market: Market, nowMs: number): NodeManifest {
  const type = market.instanceType(reg.instanceType);
  if (!type) throw new Error(`registerNode: instance type ${reg.instanceType} is not in the catalog`);
  const arch = type.architecture === 'arm64' ? 'arm64' : 'amd64';
  const region = regionOfZone(reg.availabilityZone);
  const ct = capacityTypeLabels(reg.capacityType);
  const name = reg.privateDnsName;
  const nowIso = new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const { allocatable, capacity } = nodeResources(type);
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': arch,
    'beta.kubernetes.io/instance-type': reg.instanceType,
    'beta.kubernetes.io/os': 'linux',
    'failure-domain.beta.kubernetes.io/region': region,
    'failure-domain.beta.kubernetes.io/zone': reg.availabilityZone,
    'kubernetes.io/arch': arch,
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': reg.instanceType,
    'topology.kubernetes.io/region': region,
    'topology.kubernetes.io/zone': reg.availabilityZone,
    'karpenter.sh/capacity-type': ct.karpenter,
    'eks.amazonaws.com/capacityType': ct.eks,
    ...reg.labels,
  };
  const spec: NodeSpec = { providerID: `aws:///${reg.availabilityZone}/${reg.instanceId}` };
  if (reg.taints?.length) spec.taints = reg.taints.map((t) => ({ ...t }));
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels,
      annotations: {
        'alpha.kubernetes.io/provided-node-ip': reg.privateIp,
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        'sim.cloudoptim.io/instance-id': reg.instanceId,
      },
    },
    spec,
    status: {
      capacity,
      allocatable,
      conditions: healthyConditions(nowIso),
      addresses: [
        { type: 'InternalIP', address: reg.privateIp },
        { type: 'InternalDNS', address: name },
        { type: 'Hostname', address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: arch,
        bootID: '',
        containerRuntimeVersion: RUNTIME,
        kernelVersion: arch === 'arm64' ? KERNEL.replace('x86_64', 'aarch64') : KERNEL,
        kubeProxyVersion: KUBELET_VERSION,
        kubeletVersion: KUBELET_VERSION,
        machineID: reg.instanceId.replace(/^i-/, '').padEnd(32, '0').slice(0, 32),
        operatingSystem: 'linux',
        osImage: OS_IMAGE,
        systemUUID: `ec2${reg.instanceId.replace(/^i-/, '').padEnd(29, '0').slice(0, 29)}`,
      },
    },
  };
}
