/**
 * RunInstances and CreateFleet (Type=instant): parameter parsing, pool expansion, allocation
 * (./ec2-allocation.ts) and the answers. Capacity failures: RunInstances answers HTTP 500
 * InsufficientInstanceCapacity (all-or-nothing, as EC2 does for MinCount); an instant fleet answers 200 with
 * per-override entries in `errorSet`.
 */
import { allocate, ON_DEMAND_STRATEGIES, type PoolCandidate, SPOT_STRATEGIES } from './ec2-allocation.ts';
import type { Ec2Context } from './ec2-context.ts';
import { Ec2Error, insufficientCapacityMessage, invalidParameterCombination, invalidParameterValue, missingParameter } from './ec2-errors.ts';
import type { InstanceInfo, InstanceLifecycle } from './ec2-instances.model.ts';
import { instanceXml } from './ec2-instance.xml.ts';
import type { QueryParams } from './query-params.ts';
import type { Zone } from './region-topology.ts';
import type { XmlObject } from './xml.ts';

const MAX_INSTANCES_PER_CALL = 1000;

/** Checks the type exists in the catalog; returns its architecture. */
function requireType(ctx: Ec2Context, type: string): 'x86_64' | 'arm64' {
  const t = ctx.market.instanceType(type);
  if (!t) throw invalidParameterValue(`Invalid value '${type}' for InstanceType.`);
  return t.architecture ?? 'x86_64';
}

function zoneByName(ctx: Ec2Context, name: string): Zone {
  const z = ctx.topology.zone(name);
  if (!z) throw invalidParameterValue(`Invalid availability zone: [${name}]`);
  return z;
}

function zoneBySubnet(ctx: Ec2Context, subnetId: string): Zone {
  const z = ctx.topology.subnet(subnetId);
  if (!z) throw new Ec2Error('InvalidSubnetID.NotFound', `The subnet ID '${subnetId}' does not exist`);
  return z;
}

/** Instance tags of `TagSpecification.N` entries with ResourceType=instance. */
function instanceTags(p: QueryParams): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  for (const i of p.indices('TagSpecification')) {
    const type = p.str(`TagSpecification.${i}.ResourceType`);
    if (!type) throw missingParameter(`TagSpecification.${i}.ResourceType`);
    const tags = p.tags(`TagSpecification.${i}.Tag`);
    for (const t of tags) {
      if (t.key.toLowerCase().startsWith('aws:')) throw invalidParameterValue(`Tag keys starting with 'aws:' are reserved for internal use`);
      if (t.key.length === 0 || t.key.length > 128 || t.value.length > 256) throw invalidParameterValue(`Tag key or value has an invalid length: '${t.key.slice(0, 200)}'`);
    }
    if (type === 'instance') out.push(...tags);
  }
  return out;
}

function recordIce(ctx: Ec2Context, type: string, az: string): void {
  ctx.eventLog.record({ timeMs: ctx.clock.now(), kind: 'insufficient-capacity', instanceType: type, availabilityZone: az, lifecycle: 'spot' });
}

/** RunInstances. */
export function runInstances(ctx: Ec2Context, p: QueryParams): XmlObject {
  const token = p.str('ClientToken');
  const cached = token ? ctx.clientTokens.get(`run:${token}`) : undefined;
  if (cached) return cached;
  if (!p.has('MinCount')) throw missingParameter('MinCount');
  if (!p.has('MaxCount')) throw missingParameter('MaxCount');
  const min = p.int('MinCount', { min: 1, max: MAX_INSTANCES_PER_CALL }) as number;
  const max = p.int('MaxCount', { min: 1, max: MAX_INSTANCES_PER_CALL }) as number;
  if (min > max) throw invalidParameterValue(`Value (${min}) for parameter minCount is invalid. Expecting a value less than or equal to maxCount (${max}).`);
  if (p.str('LaunchTemplate.LaunchTemplateId') === undefined && p.str('LaunchTemplate.LaunchTemplateName') === undefined && !p.has('ImageId')) throw missingParameter('ImageId');
  const type = p.str('InstanceType') ?? 'm1.small';
  const arch = requireType(ctx, type);
  const spot = p.str('InstanceMarketOptions.MarketType') === 'spot';
  const lifecycle: InstanceLifecycle = spot ? 'spot' : 'on-demand';
  const maxPrice = p.num('InstanceMarketOptions.SpotOptions.MaxPrice');
  const azName = p.str('Placement.AvailabilityZone');
  const subnetId = p.str('SubnetId') ?? p.str('NetworkInterface.1.SubnetId');
  let zone: Zone | undefined;
  if (subnetId) zone = zoneBySubnet(ctx, subnetId);
  if (azName) {
    const z = zoneByName(ctx, azName);
    if (zone && zone !== z) throw invalidParameterCombination(`The subnet '${subnetId}' is not in the Availability Zone '${azName}'.`);
    zone = z;
  }
  const tags = instanceTags(p);
  const now = ctx.clock.now();
  if (ctx.spot.onDemandPrice(type) === undefined) {
    throw new Ec2Error('Unsupported', `Your requested instance type (${type}) is not supported in your requested Availability Zone (${zone?.name ?? ctx.topology.zones[0]?.name ?? ctx.region}).`);
  }
  if (!zone) {
    // No placement: EC2 chooses a zone; rotate over the zones, skipping spot pools in a shortage.
    const zones = ctx.topology.zones;
    for (let k = 0; k < zones.length; k++) {
      const z = zones[(ctx.zoneCursor.next + k) % zones.length] as Zone;
      if (!spot || !ctx.spot.inShortage(z.name, type, now)) {
        zone = z;
        ctx.zoneCursor.next = (ctx.zoneCursor.next + k + 1) % zones.length;
        break;
      }
    }
    zone ??= zones[0];
    if (!zone) throw new Ec2Error('InternalError', 'The region has no availability zones.', 500);
  }
  if (spot) {
    const price = ctx.spot.spotPrice(zone.name, type, now);
    if (maxPrice !== undefined && price !== undefined && maxPrice < price) {
      throw new Ec2Error('SpotMaxPriceTooLow', `Your Spot request price of ${maxPrice} is lower than the minimum required Spot request fulfillment price of ${price.toFixed(6)}.`);
    }
    if (ctx.spot.inShortage(zone.name, type, now)) {
      recordIce(ctx, type, zone.name);
      const others = ctx.topology.zones.filter((z) => z !== zone && !ctx.spot.inShortage(z.name, type, now)).map((z) => z.name);
      throw new Ec2Error('InsufficientInstanceCapacity', insufficientCapacityMessage(type, zone.name, azName || subnetId ? others : []), 500);
    }
  }
  const launched = ctx.model.launch({
    instanceType: type,
    zone,
    lifecycle,
    count: max,
    architecture: arch,
    tags,
    ...(p.str('ImageId') ? { imageId: p.str('ImageId') as string } : {}),
    ...(token ? { clientToken: token } : {}),
  });
  const body: XmlObject = {
    reservationId: launched.reservationId,
    ownerId: ctx.accountId,
    groupSet: [],
    instancesSet: launched.instances.map((i) => instanceXml(i, ctx.model)),
  };
  if (token) ctx.clientTokens.set(`run:${token}`, body);
  return body;
}

interface FleetPool extends PoolCandidate {
  echo: XmlObject;
}

/** CreateFleet, Type=instant only. */
export function createFleet(ctx: Ec2Context, p: QueryParams): XmlObject {
  const token = p.str('ClientToken');
  const cached = token ? ctx.clientTokens.get(`fleet:${token}`) : undefined;
  if (cached) return cached;
  const type = p.str('Type') ?? 'maintain';
  if (type !== 'instant') throw invalidParameterValue(`The simulator supports only fleets of Type 'instant' (got '${type}').`);
  const configs = p.indices('LaunchTemplateConfigs');
  if (configs.length === 0) throw missingParameter('LaunchTemplateConfigs');
  if (!p.has('TargetCapacitySpecification.TotalTargetCapacity')) throw missingParameter('TargetCapacitySpecification.TotalTargetCapacity');
  const total = p.int('TargetCapacitySpecification.TotalTargetCapacity', { min: 0, max: 10_000 }) as number;
  const defaultType = p.str('TargetCapacitySpecification.DefaultTargetCapacityType') ?? 'on-demand';
  if (defaultType !== 'spot' && defaultType !== 'on-demand') throw invalidParameterValue(`Value (${defaultType}) for parameter DefaultTargetCapacityType is invalid. Expecting 'spot' or 'on-demand'.`);
  const spotT = p.int('TargetCapacitySpecification.SpotTargetCapacity', { min: 0, max: 10_000 });
  const odT = p.int('TargetCapacitySpecification.OnDemandTargetCapacity', { min: 0, max: 10_000 });
  if ((spotT ?? 0) + (odT ?? 0) > total) throw invalidParameterValue('The sum of SpotTargetCapacity and OnDemandTargetCapacity cannot exceed TotalTargetCapacity.');
  let onDemandUnits = odT ?? 0;
  let spotUnits = spotT ?? 0;
  const rest = total - onDemandUnits - spotUnits;
  if (defaultType === 'spot') spotUnits += rest;
  else onDemandUnits += rest;
  const spotStrategy = p.str('SpotOptions.AllocationStrategy') ?? 'lowest-price';
  if (!(SPOT_STRATEGIES as readonly string[]).includes(spotStrategy)) throw invalidParameterValue(`Value (${spotStrategy}) for parameter SpotOptions.AllocationStrategy is invalid. Expecting one of ${SPOT_STRATEGIES.join(', ')}.`);
  const odStrategy = p.str('OnDemandOptions.AllocationStrategy') ?? 'lowest-price';
  if (!(ON_DEMAND_STRATEGIES as readonly string[]).includes(odStrategy)) throw invalidParameterValue(`Value (${odStrategy}) for parameter OnDemandOptions.AllocationStrategy is invalid. Expecting one of ${ON_DEMAND_STRATEGIES.join(', ')}.`);
  const minTarget = p.int('SpotOptions.MinTargetCapacity', { min: 0, max: 10_000 });
  if (minTarget !== undefined && minTarget > 0 && !p.bool('SpotOptions.SingleInstanceType') && !p.bool('SpotOptions.SingleAvailabilityZone')) {
    throw invalidParameterCombination('MinTargetCapacity can only be specified together with SingleInstanceType or SingleAvailabilityZone.');
  }
  const poolsToUse = p.int('SpotOptions.InstancePoolsToUseCount', { min: 1, max: 100 });
  const tags = instanceTags(p);

  const pools: FleetPool[] = [];
  let order = 0;
  for (const c of configs) {
    const lt = `LaunchTemplateConfigs.${c}.LaunchTemplateSpecification`;
    const ltId = p.str(`${lt}.LaunchTemplateId`);
    const ltName = p.str(`${lt}.LaunchTemplateName`);
    if (!ltId && !ltName) throw missingParameter(`${lt}.LaunchTemplateId`);
    const ltEcho: XmlObject = { ...(ltId ? { launchTemplateId: ltId } : { launchTemplateName: ltName }), version: p.str(`${lt}.Version`) ?? '$Default' };
    const overrides = p.indices(`LaunchTemplateConfigs.${c}.Overrides`);
    if (overrides.length === 0) throw invalidParameterValue('The simulator keeps no launch templates: give InstanceType (and SubnetId or AvailabilityZone) in LaunchTemplateConfigs.N.Overrides.');
    for (const o of overrides) {
      const key = `LaunchTemplateConfigs.${c}.Overrides.${o}`;
      if (p.indices(`${key}.InstanceRequirements`).length > 0 || p.has(`${key}.InstanceRequirements.VCpuCount.Min`)) throw invalidParameterValue('InstanceRequirements (attribute-based selection) is not supported by the simulator: list instance types.');
      const instanceType = p.str(`${key}.InstanceType`);
      if (!instanceType) throw missingParameter(`${key}.InstanceType`);
      requireType(ctx, instanceType);
      const subnetId = p.str(`${key}.SubnetId`);
      const azName = p.str(`${key}.AvailabilityZone`);
      let zones: Zone[];
      if (azName) zones = [zoneByName(ctx, azName)];
      else if (subnetId) zones = [zoneBySubnet(ctx, subnetId)];
      else zones = [...ctx.topology.zones];
      const weight = p.num(`${key}.WeightedCapacity`) ?? 1;
      if (!(weight > 0)) throw invalidParameterValue(`Value (${weight}) for parameter WeightedCapacity is invalid. Expecting a positive number.`);
      const priority = p.num(`${key}.Priority`);
      const maxPrice = p.num(`${key}.MaxPrice`);
      for (const zone of zones) {
        const overridesEcho: XmlObject = {
          instanceType,
          subnetId: subnetId ?? zone.subnetId,
          availabilityZone: zone.name,
          ...(p.has(`${key}.WeightedCapacity`) ? { weightedCapacity: weight } : {}),
          ...(priority !== undefined ? { priority } : {}),
          ...(maxPrice !== undefined ? { maxPrice: p.str(`${key}.MaxPrice`) } : {}),
        };
        pools.push({ order: order++, instanceType, zone, weight, ...(priority !== undefined ? { priority } : {}), ...(maxPrice !== undefined ? { maxPrice } : {}), echo: { launchTemplateSpecification: ltEcho, overrides: overridesEcho } });
      }
    }
  }

  const fleetId = ctx.ids.fleetId();
  const now = ctx.clock.now();
  const errorSet: XmlObject[] = [];
  const fleetInstanceSet: XmlObject[] = [];
  const launchGroups: { lifecycle: InstanceLifecycle; pool: FleetPool; count: number }[] = [];
  for (const [lifecycle, units, strategy] of [['on-demand', onDemandUnits, odStrategy], ['spot', spotUnits, spotStrategy]] as const) {
    const r = allocate(pools, units, lifecycle, strategy, { market: ctx.spot, nowMs: now, ...(poolsToUse !== undefined ? { poolsToUse } : {}) });
    for (const e of r.errors) {
      if (e.code === 'InsufficientInstanceCapacity') recordIce(ctx, e.pool.instanceType, e.pool.zone.name);
      errorSet.push({ launchTemplateAndOverrides: (e.pool as FleetPool).echo, lifecycle, errorCode: e.code, errorMessage: e.message });
    }
    const launchedUnits = r.allocations.reduce((s, a) => s + a.count * a.pool.weight, 0);
    if (lifecycle === 'spot' && minTarget !== undefined && launchedUnits < minTarget) {
      errorSet.push({ launchTemplateAndOverrides: pools[0]?.echo, lifecycle, errorCode: 'UnfulfillableCapacity', errorMessage: `Unable to fulfill capacity due to your request configuration. Please adjust your request and try again.` });
      continue;
    }
    for (const a of r.allocations) launchGroups.push({ lifecycle, pool: a.pool as FleetPool, count: a.count });
  }
  for (const g of launchGroups) {
    const launched = ctx.model.launch({
      instanceType: g.pool.instanceType,
      zone: g.pool.zone,
      lifecycle: g.lifecycle,
      count: g.count,
      architecture: requireType(ctx, g.pool.instanceType),
      tags,
      fleetId,
      ...(token ? { clientToken: token } : {}),
    });
    fleetInstanceSet.push({
      launchTemplateAndOverrides: g.pool.echo,
      lifecycle: g.lifecycle,
      instanceIds: launched.instances.map((i: InstanceInfo) => i.instanceId),
      instanceType: g.pool.instanceType,
    });
  }
  const body: XmlObject = { fleetId, errorSet, fleetInstanceSet };
  if (token) ctx.clientTokens.set(`fleet:${token}`, body);
  return body;
}
