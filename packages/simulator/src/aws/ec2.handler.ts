/**
 * The EC2 query-protocol dispatcher (`Action=…&Version=2016-11-15`) and the smaller actions:
 * DescribeInstances, TerminateInstances, CreateTags, DeleteTags, DescribeAvailabilityZones, DescribeSubnets.
 * The launch actions live in ./ec2-launch.handler.ts, prices in ./ec2-spot-prices.handler.ts, types in
 * ./ec2-instance-types.handler.ts. Errors are thrown as `Ec2Error` and rendered by the endpoint.
 */
import type { Ec2Context } from './ec2-context.ts';
import { Ec2Error, invalidParameterCombination, invalidParameterValue, missingParameter } from './ec2-errors.ts';
import { INSTANCE_STATE_CODES, type InstanceInfo } from './ec2-instances.model.ts';
import { describeInstanceTypes } from './ec2-instance-types.handler.ts';
import { reservationsXml } from './ec2-instance.xml.ts';
import { createFleet, runInstances } from './ec2-launch.handler.ts';
import { describeSpotPriceHistory, SpotPriceQueryCache } from './ec2-spot-prices.handler.ts';
import { decodeToken, type Ec2Filter, encodeToken, matchesAny, type QueryParams } from './query-params.ts';
import type { XmlObject } from './xml.ts';

const INSTANCE_ID = /^i-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;

type InstanceGetter = (i: InstanceInfo) => (string | undefined)[];
const INSTANCE_FILTERS: Record<string, InstanceGetter> = {
  'instance-id': (i) => [i.instanceId],
  'instance-state-name': (i) => [i.state],
  'instance-state-code': (i) => [String(INSTANCE_STATE_CODES[i.state])],
  'instance-type': (i) => [i.instanceType],
  'availability-zone': (i) => [i.availabilityZone],
  'placement.availability-zone': (i) => [i.availabilityZone],
  'instance-lifecycle': (i) => [i.lifecycle === 'spot' ? 'spot' : undefined],
  'private-dns-name': (i) => [i.privateDnsName],
  'private-ip-address': (i) => [i.privateIpAddress],
  'network-interface.addresses.private-ip-address': (i) => [i.privateIpAddress],
  'subnet-id': (i) => [i.subnetId],
  'vpc-id': (i) => [i.vpcId],
  'image-id': (i) => [i.imageId],
  'reservation-id': (i) => [i.reservationId],
  'spot-instance-request-id': (i) => [i.spotInstanceRequestId],
  architecture: (i) => [i.architecture],
  'client-token': (i) => [i.clientToken],
  'launch-time': (i) => [new Date(i.launchTimeMs).toISOString()],
  'tag-key': (i) => Object.keys(i.tags),
  'tag-value': (i) => Object.values(i.tags),
};

function instanceFilterGetter(name: string): InstanceGetter {
  if (name.startsWith('tag:')) {
    const key = name.slice(4);
    return (i) => [i.tags[key]];
  }
  const g = INSTANCE_FILTERS[name];
  if (!g) throw invalidParameterValue(`The filter '${name}' is invalid`);
  return g;
}

/** Validates ids: malformed first (InvalidInstanceID.Malformed), then unknown (InvalidInstanceID.NotFound). */
function requireInstances(ctx: Ec2Context, ids: readonly string[]): InstanceInfo[] {
  for (const id of ids) if (!INSTANCE_ID.test(id)) throw new Ec2Error('InvalidInstanceID.Malformed', `Invalid id: "${id.slice(0, 100)}" (expecting "i-...")`);
  const missing = ids.filter((id) => !ctx.model.get(id));
  if (missing.length === 1) throw new Ec2Error('InvalidInstanceID.NotFound', `The instance ID '${missing[0]}' does not exist`);
  if (missing.length > 1) throw new Ec2Error('InvalidInstanceID.NotFound', `The instance IDs '${missing.join(', ')}' do not exist`);
  return ids.map((id) => ctx.model.get(id) as InstanceInfo);
}

function describeInstances(ctx: Ec2Context, p: QueryParams): XmlObject {
  const ids = p.list('InstanceId');
  const filters: { values: string[]; get: InstanceGetter }[] = p.filters().map((f: Ec2Filter) => ({ values: f.values, get: instanceFilterGetter(f.name) }));
  const maxResults = p.int('MaxResults', { min: 5, max: 1000 });
  if (maxResults !== undefined && ids.length > 0) throw invalidParameterCombination('The parameter instancesSet cannot be used with the parameter maxResults');
  let list = ids.length > 0 ? requireInstances(ctx, [...new Set(ids)]) : ctx.model.list();
  list = list.filter((i) => filters.every((f) => f.get(i).some((v) => matchesAny(f.values, v))));
  let offset = 0;
  const tokenRaw = p.str('NextToken');
  if (tokenRaw) {
    const t = decodeToken(tokenRaw);
    if (!t || t.k !== 'di' || typeof t.o !== 'number') throw new Ec2Error('InvalidPaginationToken', `The specified pagination token is not valid or is expired.`);
    offset = t.o;
  }
  const size = maxResults ?? 1000;
  const page = list.slice(offset, offset + size);
  return {
    reservationSet: reservationsXml(page, ctx.model, ctx.accountId),
    nextToken: offset + size < list.length ? encodeToken({ k: 'di', o: offset + size }) : undefined,
  };
}

function terminateInstances(ctx: Ec2Context, p: QueryParams): XmlObject {
  const ids = p.list('InstanceId');
  if (ids.length === 0) throw missingParameter('InstanceId');
  if (ids.length > 1000) throw invalidParameterValue('You can terminate at most 1000 instances per request.');
  const unique = [...new Set(ids)];
  requireInstances(ctx, unique);
  const result = ctx.model.terminate(unique, 'user');
  return {
    instancesSet: result.map((r) => ({
      instanceId: r.instanceId,
      currentState: { code: INSTANCE_STATE_CODES[r.current], name: r.current },
      previousState: { code: INSTANCE_STATE_CODES[r.previous], name: r.previous },
    })),
  };
}

function tagResources(ctx: Ec2Context, p: QueryParams): string[] {
  const resources = p.list('ResourceId');
  if (resources.length === 0) throw missingParameter('ResourceId');
  // Instances must exist; other resource kinds (fleets, volumes, ...) are accepted and not stored.
  const instanceIds = resources.filter((r) => r.startsWith('i-'));
  requireInstances(ctx, instanceIds);
  return instanceIds;
}

function createTags(ctx: Ec2Context, p: QueryParams): XmlObject {
  const ids = tagResources(ctx, p);
  const tags = p.tags('Tag');
  if (tags.length === 0) throw missingParameter('Tag');
  for (const t of tags) {
    if (t.key.toLowerCase().startsWith('aws:')) throw invalidParameterValue(`Tag keys starting with 'aws:' are reserved for internal use`);
    if (t.key.length === 0 || t.key.length > 128) throw invalidParameterValue(`Tag key exceeds the maximum length of 128 characters`);
    if (t.value.length > 256) throw invalidParameterValue(`Tag value exceeds the maximum length of 256 characters`);
  }
  for (const id of ids) {
    const existing = Object.keys(ctx.model.get(id)?.tags ?? {});
    const added = tags.filter((t) => !existing.includes(t.key)).length;
    if (existing.length + added > 50) throw new Ec2Error('TagLimitExceeded', 'The maximum number of tags per resource (50) would be exceeded.');
  }
  ctx.model.createTags(ids, tags);
  return { return: true };
}

function deleteTags(ctx: Ec2Context, p: QueryParams): XmlObject {
  const ids = tagResources(ctx, p);
  const tags = p.indices('Tag').map((i) => {
    const key = p.str(`Tag.${i}.Key`);
    if (key === undefined) throw missingParameter(`Tag.${i}.Key`);
    const value = p.str(`Tag.${i}.Value`);
    return value === undefined ? { key } : { key, value };
  });
  // Without Tag.N every user tag is removed, as EC2 does.
  const all = tags.length > 0 ? tags : ids.flatMap((id) => Object.keys(ctx.model.get(id)?.tags ?? {}).filter((k) => !k.startsWith('aws:')).map((key) => ({ key })));
  ctx.model.deleteTags(ids, all);
  return { return: true };
}

const AZ_FILTERS = ['zone-name', 'zone-id', 'state', 'region-name', 'zone-type', 'group-name', 'network-border-group', 'opt-in-status'];

function describeAvailabilityZones(ctx: Ec2Context, p: QueryParams): XmlObject {
  const names = p.list('ZoneName');
  const zoneIds = p.list('ZoneId');
  for (const n of names) if (!ctx.topology.zone(n)) throw invalidParameterValue(`The zone '${n}' does not exist.`);
  for (const z of zoneIds) if (!ctx.topology.zoneById(z)) throw invalidParameterValue(`The zone ID '${z}' does not exist.`);
  const fields = (z: (typeof ctx.topology.zones)[number]): Record<string, string> => ({
    'zone-name': z.name, 'zone-id': z.zoneId, state: 'available', 'region-name': ctx.region, 'zone-type': 'availability-zone',
    'group-name': ctx.region, 'network-border-group': ctx.region, 'opt-in-status': 'opt-in-not-required',
  });
  const filters = p.filters();
  for (const f of filters) if (!AZ_FILTERS.includes(f.name)) throw invalidParameterValue(`The filter '${f.name}' is invalid`);
  const zones = ctx.topology.zones.filter((z) => (names.length === 0 || names.includes(z.name)) && (zoneIds.length === 0 || zoneIds.includes(z.zoneId)) && filters.every((f) => matchesAny(f.values, fields(z)[f.name])));
  return {
    availabilityZoneInfo: zones.map((z) => ({
      zoneName: z.name,
      zoneState: 'available',
      regionName: ctx.region,
      messageSet: [],
      zoneId: z.zoneId,
      zoneType: 'availability-zone',
      optInStatus: 'opt-in-not-required',
      groupName: ctx.region,
      networkBorderGroup: ctx.region,
    })),
  };
}

function describeSubnets(ctx: Ec2Context, p: QueryParams): XmlObject {
  const ids = p.list('SubnetId');
  for (const id of ids) if (!ctx.topology.subnet(id)) throw new Ec2Error('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`);
  const fields = (z: (typeof ctx.topology.zones)[number]): Record<string, string> => ({
    'subnet-id': z.subnetId, 'availability-zone': z.name, 'availability-zone-id': z.zoneId, 'vpc-id': ctx.topology.vpcId, 'cidr-block': z.cidr, state: 'available', 'default-for-az': 'true',
  });
  const filters = p.filters();
  for (const f of filters) if (!f.name.startsWith('tag') && !['subnet-id', 'availability-zone', 'availability-zone-id', 'vpc-id', 'cidr-block', 'state', 'default-for-az'].includes(f.name)) throw invalidParameterValue(`The filter '${f.name}' is invalid`);
  const subnets = ctx.topology.zones.filter((z) => (ids.length === 0 || ids.includes(z.subnetId)) && filters.every((f) => {
    if (f.name === 'tag-key') return matchesAny(f.values, 'Name');
    if (f.name === 'tag:Name') return matchesAny(f.values, `sim-${z.name}`);
    if (f.name.startsWith('tag')) return false;
    return matchesAny(f.values, fields(z)[f.name]);
  }));
  return {
    subnetSet: subnets.map((z) => ({
      subnetId: z.subnetId,
      subnetArn: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:subnet/${z.subnetId}`,
      state: 'available',
      ownerId: ctx.accountId,
      vpcId: ctx.topology.vpcId,
      cidrBlock: z.cidr,
      availableIpAddressCount: 8187,
      availabilityZone: z.name,
      availabilityZoneId: z.zoneId,
      defaultForAz: true,
      mapPublicIpOnLaunch: false,
      tagSet: [{ key: 'Name', value: `sim-${z.name}` }],
    })),
  };
}

type ActionHandler = (ctx: Ec2Context, p: QueryParams) => XmlObject;

/** The EC2 actions of the local region. */
export class Ec2Handler {
  private readonly spotCache = new SpotPriceQueryCache();
  private readonly actions: Record<string, ActionHandler>;

  constructor(private readonly ctx: Ec2Context) {
    this.actions = {
      CreateFleet: createFleet,
      RunInstances: runInstances,
      TerminateInstances: terminateInstances,
      DescribeInstances: describeInstances,
      DescribeSpotPriceHistory: (c, p) => describeSpotPriceHistory(c, p, this.spotCache),
      DescribeInstanceTypes: describeInstanceTypes,
      DescribeAvailabilityZones: describeAvailabilityZones,
      DescribeSubnets: describeSubnets,
      CreateTags: createTags,
      DeleteTags: deleteTags,
    };
  }

  /** Names of the supported actions. */
  get supportedActions(): string[] {
    return Object.keys(this.actions);
  }

  /** Runs one request; returns the action name and the response fields (throws Ec2Error). */
  handle(p: QueryParams): { action: string; body: XmlObject } {
    const action = p.action;
    if (!action) throw new Ec2Error('MissingAction', 'The request must contain the parameter Action');
    const handler = Object.hasOwn(this.actions, action) ? this.actions[action] : undefined;
    if (!handler) throw new Ec2Error('InvalidAction', `The action ${action.slice(0, 100)} is not valid for this web service.`);
    if (p.bool('DryRun')) {
      // Validate what can be validated cheaply, then answer as EC2 does for a permitted dry run.
      throw new Ec2Error('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
    }
    return { action, body: handler(this.ctx, p) };
  }
}
