/**
 * The fixed network layout of the simulated region: one default VPC, one subnet per availability zone
 * (10.0.(32·k).0/19 for the k-th zone), AZ names → AZ ids (`use1-az1` …). Ids are derived from the region
 * name so they are the same in every run.
 */
import { hashString } from '@cloudoptim/market';

/** One availability zone with its subnet. */
export interface Zone {
  name: string;
  /** Physical AZ id, e.g. `use1-az1` (the mapping is per account in real AWS; fixed here). */
  zoneId: string;
  subnetId: string;
  /** Subnet CIDR, e.g. `10.0.32.0/19`. */
  cidr: string;
  index: number;
}

/** The VPC, subnets and zones of one region. */
export interface RegionTopology {
  region: string;
  vpcId: string;
  zones: readonly Zone[];
  zone(name: string): Zone | undefined;
  zoneById(zoneId: string): Zone | undefined;
  subnet(subnetId: string): Zone | undefined;
  /** The `n`-th address handed out in a zone (n ≥ 0): `10.0.x.y`. */
  privateIp(zone: Zone, n: number): string;
  /** EC2's private DNS name of an address (`ip-10-0-1-17.ec2.internal` in us-east-1). */
  privateDnsName(ip: string): string;
}

const DIRECTION_ABBREV: Record<string, string> = {
  east: 'e', west: 'w', north: 'n', south: 's', central: 'c',
  northeast: 'ne', northwest: 'nw', southeast: 'se', southwest: 'sw',
};

/** `us-east-1` → `use1`, `ap-southeast-2` → `apse2`. */
export function zoneIdPrefix(region: string): string {
  const [geo = region, dir = '', num = ''] = region.split('-');
  return `${geo}${DIRECTION_ABBREV[dir] ?? dir.slice(0, 1)}${num}`;
}

const hex17 = (label: string): string => (hashString(label).toString(16).padStart(8, '0') + hashString(`${label}#2`).toString(16).padStart(8, '0')).slice(0, 16);

/** Builds the topology of `region` with the given AZ names (sorted). At most 8 zones (10.0.0.0/16 in /19s). */
export function createRegionTopology(region: string, zoneNames: readonly string[]): RegionTopology {
  const names = [...new Set(zoneNames)].sort().slice(0, 8);
  const prefix = zoneIdPrefix(region);
  const zones: Zone[] = names.map((name, index) => ({
    name,
    index,
    zoneId: `${prefix}-az${index + 1}`,
    subnetId: `subnet-0${hex17(`${region}/${name}`)}`,
    cidr: `10.0.${index * 32}.0/19`,
  }));
  const byName = new Map(zones.map((z) => [z.name, z]));
  const byId = new Map(zones.map((z) => [z.zoneId, z]));
  const bySubnet = new Map(zones.map((z) => [z.subnetId, z]));
  const dnsSuffix = region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`;
  return {
    region,
    vpcId: `vpc-0${hex17(`${region}/vpc`)}`,
    zones,
    zone: (n) => byName.get(n),
    zoneById: (id) => byId.get(id),
    subnet: (id) => bySubnet.get(id),
    privateIp: (zone, n) => {
      // Skip .0–.3 of the subnet as AWS reserves them; 8,188 usable addresses per /19.
      const offset = 4 + (n % 8188);
      return `10.0.${zone.index * 32 + Math.floor(offset / 256)}.${offset % 256}`;
    },
    privateDnsName: (ip) => `ip-${ip.replaceAll('.', '-')}.${dnsSuffix}`,
  };
}
