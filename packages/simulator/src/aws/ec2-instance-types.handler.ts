/**
 * DescribeInstanceTypes from the catalog (types offered in the region: those with an on-demand price or Spot
 * Advisor data there): vCPU, memory, architecture, GPUs, network, usage classes; filters and paging as EC2.
 */
import type { InstanceType } from '@cloudoptim/market';
import type { Ec2Context } from './ec2-context.ts';
import { Ec2Error, invalidParameterCombination, invalidParameterValue } from './ec2-errors.ts';
import { decodeToken, encodeToken, matchesAny, type QueryParams } from './query-params.ts';
import type { XmlObject } from './xml.ts';

type Getter = (t: InstanceType, spot: boolean) => (string | undefined)[];

const b = (v: boolean | null | undefined) => (v === null || v === undefined ? undefined : String(v));
const n = (v: number | null | undefined) => (v === null || v === undefined ? undefined : String(v));

/** Filters DescribeInstanceTypes understands (a subset of EC2's). */
const FILTERS: Record<string, Getter> = {
  'instance-type': (t) => [t.instanceType],
  'current-generation': (t) => [b(t.currentGeneration)],
  'bare-metal': (t) => [b(t.bareMetal)],
  hypervisor: (t) => [t.hypervisor ?? undefined],
  'processor-info.supported-architecture': (t) => [t.architecture ?? undefined],
  'processor-info.manufacturer': (t) => [t.cpuManufacturer ?? undefined],
  'vcpu-info.default-vcpus': (t) => [n(t.vcpu)],
  'memory-info.size-in-mib': (t) => [n(memoryMib(t))],
  'supported-usage-class': (_t, spot) => ['on-demand', spot ? 'spot' : undefined],
  'instance-storage-supported': (t) => [String((t.localNvmeGb ?? 0) > 0)],
  'gpu-info.total-gpu-memory-in-mib': (t) => [n(t.gpuCount && t.gpuMemoryMibPerGpu ? t.gpuCount * t.gpuMemoryMibPerGpu : undefined)],
  'network-info.maximum-network-interfaces': (t) => [n(t.maxEnis)],
};

function memoryMib(t: InstanceType): number | undefined {
  return t.memoryGib === null ? undefined : Math.round(t.memoryGib * 1024);
}

function networkPerformance(mbps: number | null): string | undefined {
  if (mbps === null) return undefined;
  const g = mbps / 1000;
  return g >= 1 ? `${Number.isInteger(g) ? g : g.toFixed(1)} Gigabit` : `${mbps} Megabit`;
}

function typeXml(t: InstanceType, spot: boolean): XmlObject {
  const mem = memoryMib(t);
  const gpus = t.gpuCount ?? 0;
  return {
    instanceType: t.instanceType,
    currentGeneration: t.currentGeneration ?? undefined,
    supportedUsageClasses: spot ? ['on-demand', 'spot'] : ['on-demand'],
    supportedRootDeviceTypes: ['ebs'],
    supportedVirtualizationTypes: ['hvm'],
    bareMetal: t.bareMetal ?? undefined,
    hypervisor: t.bareMetal ? undefined : (t.hypervisor ?? undefined),
    processorInfo: {
      supportedArchitectures: t.architecture ? [t.architecture] : [],
      sustainedClockSpeedInGhz: t.cpuSustainedClockMhz ? Math.round(t.cpuSustainedClockMhz / 100) / 10 : undefined,
      manufacturer: t.cpuManufacturer ?? undefined,
    },
    vCpuInfo: t.vcpu === null ? undefined : { defaultVCpus: t.vcpu },
    memoryInfo: mem === undefined ? undefined : { sizeInMiB: mem },
    instanceStorageSupported: (t.localNvmeGb ?? 0) > 0,
    instanceStorageInfo: (t.localNvmeGb ?? 0) > 0 ? { totalSizeInGB: t.localNvmeGb, nvmeSupport: 'required' } : undefined,
    networkInfo: {
      networkPerformance: networkPerformance(t.networkBandwidthMbps),
      maximumNetworkInterfaces: t.maxEnis ?? undefined,
      ipv4AddressesPerInterface: t.ipv4PerEni ?? undefined,
    },
    gpuInfo: gpus > 0
      ? {
          gpus: [{ name: t.gpuName ?? undefined, manufacturer: t.gpuManufacturer ?? undefined, count: gpus, memoryInfo: t.gpuMemoryMibPerGpu ? { sizeInMiB: t.gpuMemoryMibPerGpu } : undefined }],
          totalGpuMemoryInMiB: t.gpuMemoryMibPerGpu ? gpus * t.gpuMemoryMibPerGpu : undefined,
        }
      : undefined,
    burstablePerformanceSupported: t.family.startsWith('t'),
  };
}

/** DescribeInstanceTypes. */
export function describeInstanceTypes(ctx: Ec2Context, p: QueryParams): XmlObject {
  const names = p.list('InstanceType');
  const filters = p.filters();
  for (const f of filters) if (!(f.name in FILTERS)) throw invalidParameterValue(`The filter '${f.name}' is invalid`);
  const maxResults = p.int('MaxResults', { min: 5, max: 100 });
  if (maxResults !== undefined && names.length > 0) throw invalidParameterCombination('The parameter instanceTypes cannot be used with the parameter maxResults');
  const region = ctx.region;
  const offered = (t: InstanceType) => ctx.market.onDemandPrice(region, t.instanceType) !== undefined || ctx.market.spotAdvisor(region, t.instanceType) !== undefined;
  const historyTypes = new Set(ctx.spot.historyPools().map((pl) => pl.instanceType));
  const spotOk = (t: InstanceType) => ctx.market.spotAdvisor(region, t.instanceType) !== undefined || historyTypes.has(t.instanceType) || t.spotSupported === true;
  let list: InstanceType[];
  if (names.length > 0) {
    const missing = names.filter((nm) => !ctx.market.instanceType(nm) || !offered(ctx.market.instanceType(nm) as InstanceType));
    if (missing.length > 0) throw new Ec2Error('InvalidInstanceType', `The following supplied instance types do not exist: [${missing.join(', ')}]`);
    list = names.map((nm) => ctx.market.instanceType(nm) as InstanceType);
  } else {
    list = ctx.market.instanceTypes().filter(offered);
  }
  list = list.filter((t) => filters.every((f) => (FILTERS[f.name] as Getter)(t, spotOk(t)).some((v) => matchesAny(f.values, v))));
  const size = maxResults ?? (names.length > 0 ? list.length : 100);
  const tokenRaw = p.str('NextToken');
  let offset = 0;
  if (tokenRaw) {
    const tok = decodeToken(tokenRaw);
    if (!tok || tok.k !== 'dit' || typeof tok.o !== 'number') throw new Ec2Error('InvalidNextToken', `The token '${tokenRaw.slice(0, 100)}' is invalid.`);
    offset = tok.o;
  }
  const page = list.slice(offset, offset + size);
  return {
    instanceTypeSet: page.map((t) => typeXml(t, spotOk(t))),
    nextToken: offset + size < list.length ? encodeToken({ k: 'dit', o: offset + size }) : undefined,
  };
}
