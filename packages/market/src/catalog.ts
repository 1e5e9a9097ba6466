/**
 * The EC2 instance type catalog (`instance-types.json`): zod schema of the file, the camelCase
 * `InstanceType` the rest of CloudOptim uses, and the loader. `null` always means "no source gives it".
 */
import { z } from 'zod';
import { DATA_FILES, dataCorrupt, loadJsonFile } from './data-files.ts';

const int = z.number().int();
const nonNegInt = int.nonnegative();

const KarpenterAllocatableFileSchema = z.object({
  cpu_millicores: nonNegInt,
  memory_mib: nonNegInt,
  ephemeral_storage_gib: nonNegInt,
  pods: nonNegInt,
  pod_eni: nonNegInt.nullable(),
  nvidia_gpu: nonNegInt.nullable(),
  efa: nonNegInt.nullable(),
});

/** One entry of `instance_types` in instance-types.json, as stored (snake_case). */
export const InstanceTypeFileEntrySchema = z.object({
  instance_type: z.string().regex(/^[a-z0-9-]+\.[a-z0-9-]+$/, 'expected <family>.<size>'),
  family: z.string().min(1),
  category: z.string().min(1),
  generation: nonNegInt.nullable(),
  generation_source: z.enum(['karpenter', 'parsed-from-family-name']).nullable(),
  size: z.string().min(1),
  vcpu: int.positive().nullable(),
  memory_gib: z.number().positive().nullable(),
  architecture: z.enum(['x86_64', 'arm64']).nullable(),
  cpu_manufacturer: z.string().nullable(),
  cpu_sustained_clock_mhz: z.number().nonnegative().nullable(),
  gpu_count: nonNegInt.nullable(),
  gpu_name: z.string().nullable(),
  gpu_manufacturer: z.string().nullable(),
  gpu_memory_mib_per_gpu: nonNegInt.nullable(),
  accelerator_count: nonNegInt.nullable(),
  accelerator_name: z.string().nullable(),
  network_bandwidth_mbps: z.number().nonnegative().nullable(),
  ebs_bandwidth_mbps: z.number().nonnegative().nullable(),
  local_nvme_gb: z.number().nonnegative().nullable(),
  flex: z.boolean().nullable(),
  hypervisor: z.string().nullable(),
  bare_metal: z.boolean().nullable(),
  max_enis: nonNegInt.nullable(),
  ipv4_per_eni: nonNegInt.nullable(),
  branch_enis: nonNegInt.nullable(),
  trunking_compatible: z.boolean().nullable(),
  network_cards: nonNegInt.nullable(),
  karpenter_allocatable: KarpenterAllocatableFileSchema.nullable(),
  current_generation: z.boolean().nullable(),
  emr: z.boolean().nullable(),
  spot_advisor_regions_2025_06: nonNegInt,
  spot_supported: z.literal(true).nullable(),
  on_demand_usd_hour_us_east_1: z.number().positive().nullable(),
  sources: z.array(z.string()),
});

/** Schema of the whole instance-types.json file. */
export const InstanceTypesFileSchema = z.object({
  meta: z.record(z.string(), z.unknown()),
  instance_types: z.array(InstanceTypeFileEntrySchema),
});

/** What Karpenter computes as node allocatable (AL2023, after kube/system reserved and eviction threshold). */
export interface KarpenterAllocatable {
  /** Allocatable CPU, millicores. */
  cpuMillicores: number;
  /** Allocatable memory, MiB. */
  memoryMib: number;
  /** Allocatable ephemeral storage, GiB. */
  ephemeralStorageGib: number;
  /** Max pods (from ENI limits). */
  pods: number;
  /** `vpc.amazonaws.com/pod-eni` (branch ENIs for security groups per pod). */
  podEni: number | null;
  /** `nvidia.com/gpu`. */
  nvidiaGpu: number | null;
  /** `vpc.amazonaws.com/efa`. */
  efa: number | null;
}

/** CPU architecture as EC2 names it (`amd64` in Kubernetes is `x86_64` here). */
export type Architecture = 'x86_64' | 'arm64';

/**
 * One EC2 instance type. `null` = no source gives the value (47 types have no vCPU/memory at all).
 * Units are in the field names.
 */
export interface InstanceType {
  /** e.g. `m5.large`. */
  instanceType: string;
  /** e.g. `m5`. */
  family: string;
  /** e.g. `large`, `metal-24xl`. */
  size: string;
  /** e.g. `m`, `c`, `r`, `p`. */
  category: string;
  /** Generation number (e.g. 5 for m5). */
  generation: number | null;
  /** Where `generation` came from. */
  generationSource: 'karpenter' | 'parsed-from-family-name' | null;
  /** Virtual CPUs. */
  vcpu: number | null;
  /** Memory, GiB. */
  memoryGib: number | null;
  architecture: Architecture | null;
  cpuManufacturer: string | null;
  /** Sustained all-core clock, MHz. The file has 0 for 10 previous-generation types (c1, m1, m2, t1): read as null. */
  cpuSustainedClockMhz: number | null;
  /** Number of GPUs (0 = none). */
  gpuCount: number | null;
  gpuName: string | null;
  gpuManufacturer: string | null;
  /** Memory per GPU, MiB. */
  gpuMemoryMibPerGpu: number | null;
  /** Inferentia/Trainium/etc. accelerators (not counted in `gpuCount`). */
  acceleratorCount: number | null;
  acceleratorName: string | null;
  /** Baseline network bandwidth, Mbit/s (for "up to" types: the baseline, not the burst). */
  networkBandwidthMbps: number | null;
  /** EBS bandwidth, Mbit/s. */
  ebsBandwidthMbps: number | null;
  /** Local NVMe instance storage, GB. */
  localNvmeGb: number | null;
  /** Flex (`-flex`) capability. */
  flex: boolean | null;
  hypervisor: string | null;
  bareMetal: boolean | null;
  maxEnis: number | null;
  ipv4PerEni: number | null;
  branchEnis: number | null;
  trunkingCompatible: boolean | null;
  networkCards: number | null;
  karpenterAllocatable: KarpenterAllocatable | null;
  currentGeneration: boolean | null;
  emr: boolean | null;
  /** Regions whose 2025-06-28 Spot Advisor Linux list contains the type. */
  spotAdvisorRegions2025_06: number;
  /** `true` if any Spot evidence exists; `null` = no evidence either way (NOT "false"). */
  spotSupported: true | null;
  /** Karpenter's us-east-1 on-demand price (2026-07-20), USD/hour. */
  onDemandUsdPerHourUsEast1: number | null;
  /** Which sources mention the type (see PROVENANCE.md §1). */
  sources: readonly string[];
}

type FileEntry = z.output<typeof InstanceTypeFileEntrySchema>;

function toInstanceType(e: FileEntry): InstanceType {
  const a = e.karpenter_allocatable;
  return {
    instanceType: e.instance_type,
    family: e.family,
    size: e.size,
    category: e.category,
    generation: e.generation,
    generationSource: e.generation_source,
    vcpu: e.vcpu,
    memoryGib: e.memory_gib,
    architecture: e.architecture,
    cpuManufacturer: e.cpu_manufacturer,
    cpuSustainedClockMhz: e.cpu_sustained_clock_mhz === 0 ? null : e.cpu_sustained_clock_mhz,
    gpuCount: e.gpu_count,
    gpuName: e.gpu_name,
    gpuManufacturer: e.gpu_manufacturer,
    gpuMemoryMibPerGpu: e.gpu_memory_mib_per_gpu,
    acceleratorCount: e.accelerator_count,
    acceleratorName: e.accelerator_name,
    networkBandwidthMbps: e.network_bandwidth_mbps,
    ebsBandwidthMbps: e.ebs_bandwidth_mbps,
    localNvmeGb: e.local_nvme_gb,
    flex: e.flex,
    hypervisor: e.hypervisor,
    bareMetal: e.bare_metal,
    maxEnis: e.max_enis,
    ipv4PerEni: e.ipv4_per_eni,
    branchEnis: e.branch_enis,
    trunkingCompatible: e.trunking_compatible,
    networkCards: e.network_cards,
    karpenterAllocatable: a
      ? {
          cpuMillicores: a.cpu_millicores,
          memoryMib: a.memory_mib,
          ephemeralStorageGib: a.ephemeral_storage_gib,
          pods: a.pods,
          podEni: a.pod_eni,
          nvidiaGpu: a.nvidia_gpu,
          efa: a.efa,
        }
      : null,
    currentGeneration: e.current_generation,
    emr: e.emr,
    spotAdvisorRegions2025_06: e.spot_advisor_regions_2025_06,
    spotSupported: e.spot_supported,
    onDemandUsdPerHourUsEast1: e.on_demand_usd_hour_us_east_1,
    sources: Object.freeze([...e.sources]),
  };
}

/** The loaded catalog: entries by name (frozen objects) plus the sorted list. */
export interface Catalog {
  /** All entries, sorted by name. */
  readonly list: readonly InstanceType[];
  readonly byName: ReadonlyMap<string, InstanceType>;
}

/**
 * Loads and validates `instance-types.json` from `dataDir`.
 * @throws AppError DATA_CORRUPT (file, JSON path) on bad JSON, a schema violation or a duplicate name.
 */
export function loadCatalog(dataDir: string): Catalog {
  const file = DATA_FILES.instanceTypes;
  const parsed = loadJsonFile(dataDir, file, InstanceTypesFileSchema);
  const byName = new Map<string, InstanceType>();
  parsed.instance_types.forEach((entry, i) => {
    if (byName.has(entry.instance_type)) {
      const row = `$.instance_types[${i}].instance_type`;
      throw dataCorrupt(file, `duplicate instance type ${entry.instance_type} at ${row}`, { row, path: row, field: 'instance_type' });
    }
    byName.set(entry.instance_type, Object.freeze(toInstanceType(entry)));
  });
  const list = [...byName.values()].sort((a, b) => (a.instanceType < b.instanceType ? -1 : a.instanceType > b.instanceType ? 1 : 0));
  return { list, byName };
}
