/**
 * `AwsCloudProvider`: the CloudProvider over the AWS SDK v3 EC2 client. Launches with CreateFleet `instant`
 * (one call, many pools, per-pool errors), optionally falls back to on-demand for the Spot shortfall, pages
 * DescribeInstances and DescribeSpotPriceHistory internally, and translates every SDK error into an AppError.
 */
import {
  CreateFleetCommand,
  type CreateFleetCommandOutput,
  CreateTagsCommand,
  DescribeAvailabilityZonesCommand,
  DescribeInstancesCommand,
  DescribeSpotPriceHistoryCommand,
  EC2Client,
  type FleetLaunchTemplateOverridesRequest,
  type Filter,
  type _InstanceType,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { AppError, type CapacityType } from '@cloudoptim/contracts';
import { type Clock, type Logger, silentLogger, SystemClock } from '@cloudoptim/runtime';
import { type AwsClientOptions, sdkClientConfig } from './aws-client-options.ts';
import { callAws, classifyAwsError } from './aws-errors.ts';
import { checkInstanceIds, checkSpotPriceQuery, checkTags, nothingLaunched, parseLaunchInput } from './cloud-inputs.ts';
import type {
  AvailabilityZoneInfo,
  CloudInstance,
  CloudProvider,
  DescribeInstancesInput,
  InstanceTags,
  LaunchCapacityInput,
  LaunchCapacityRequest,
  LaunchCapacityResult,
  LaunchError,
  LaunchTemplateRef,
  SpotPriceHistoryInput,
  SpotPricePoint,
} from './cloud-provider.ts';
import { recordToTags, toCloudInstance, toSpotPricePoint } from './ec2-mapping.ts';

/** Options of {@link AwsCloudProvider}. */
export interface AwsCloudProviderOptions extends AwsClientOptions {
  /** Launch template used when a launch names none (CreateFleet requires one). */
  launchTemplate?: LaunchTemplateRef;
  /** Stamps instances EC2 does not list yet right after launch (default the system clock). */
  clock?: Clock;
  log?: Logger;
}

const DEFAULT_PRODUCT = 'Linux/UNIX';
const ID_CHUNK = 1000;

interface FleetOutcome {
  launched: { instanceId: string; instanceType: string; availabilityZone: string | null; capacityType: CapacityType }[];
  errors: LaunchError[];
}

/** The production {@link CloudProvider}: EC2 through the AWS SDK v3. */
export class AwsCloudProvider implements CloudProvider {
  readonly region: string;
  private readonly ec2: EC2Client;
  private readonly log: Logger;
  private readonly clock: Clock;

  constructor(private readonly options: AwsCloudProviderOptions) {
    this.region = options.region;
    this.ec2 = new EC2Client(sdkClientConfig(options));
    this.log = options.log ?? silentLogger;
    this.clock = options.clock ?? new SystemClock();
  }

  /** Closes the SDK client's sockets. */
  close(): void {
    this.ec2.destroy();
  }

  async launchCapacity(input: LaunchCapacityInput): Promise<LaunchCapacityResult> {
    const req = parseLaunchInput(input);
    const template = req.launchTemplate ?? this.options.launchTemplate;
    if (template === undefined) throw new AppError('UNPROCESSABLE', 'launchCapacity needs a launch template (in the input or the provider options)');
    const first = await this.createFleet(req, template, req.capacityType, req.count, req.clientToken);
    const launched = [...first.launched];
    const errors = [...first.errors];
    const shortfall = req.count - launched.length;
    if (req.capacityType === 'spot' && req.onDemandFallback && shortfall > 0) {
      this.log.info({ shortfall, clientToken: req.clientToken, spotErrors: errors.length }, 'spot shortfall: falling back to on-demand');
      const fallback = await this.createFleet(req, template, 'on-demand', shortfall, `${req.clientToken}-od`);
      launched.push(...fallback.launched);
      errors.push(...fallback.errors);
    }
    if (launched.length === 0) throw nothingLaunched(errors);
    const instances = await this.describeLaunched(launched);
    this.log.debug({ clientToken: req.clientToken, launched: instances.length, errors: errors.length }, 'capacity launched');
    return { instances, errors };
  }

  private async createFleet(req: LaunchCapacityRequest, template: LaunchTemplateRef, capacityType: CapacityType, count: number, clientToken: string): Promise<FleetOutcome> {
    const prioritized = req.pools.some((p) => p.priority !== undefined);
    const overrides: FleetLaunchTemplateOverridesRequest[] = req.pools.map((p) => ({
      InstanceType: p.instanceType as _InstanceType,
      ...(p.subnetId !== undefined ? { SubnetId: p.subnetId } : { AvailabilityZone: p.availabilityZone }),
      ...(p.priority !== undefined ? { Priority: p.priority } : {}),
    }));
    const out: CreateFleetCommandOutput = await callAws('EC2 CreateFleet', () =>
      this.ec2.send(
        new CreateFleetCommand({
          Type: 'instant',
          ClientToken: clientToken,
          TargetCapacitySpecification: { TotalTargetCapacity: count, DefaultTargetCapacityType: capacityType },
          ...(capacityType === 'spot'
            ? { SpotOptions: { AllocationStrategy: req.allocationStrategy } }
            : { OnDemandOptions: { AllocationStrategy: prioritized ? 'prioritized' : 'lowest-price' } }),
          LaunchTemplateConfigs: [
            {
              LaunchTemplateSpecification: {
                ...(template.launchTemplateId !== undefined ? { LaunchTemplateId: template.launchTemplateId } : { LaunchTemplateName: template.launchTemplateName }),
                Version: template.version ?? '$Default',
              },
              Overrides: overrides,
            },
          ],
          ...(Object.keys(req.tags).length > 0 ? { TagSpecifications: [{ ResourceType: 'instance', Tags: recordToTags(req.tags) }] } : {}),
        }),
      ),
    );
    const zoneOf = (o: { AvailabilityZone?: string | undefined; SubnetId?: string | undefined } | undefined): string | null =>
      o?.AvailabilityZone ?? req.pools.find((p) => p.subnetId !== undefined && p.subnetId === o?.SubnetId)?.availabilityZone ?? null;
    const launched: FleetOutcome['launched'] = [];
    for (const group of out.Instances ?? []) {
      const o = group.LaunchTemplateAndOverrides?.Overrides;
      for (const instanceId of group.InstanceIds ?? []) {
        launched.push({
          instanceId,
          instanceType: group.InstanceType ?? o?.InstanceType ?? '',
          availabilityZone: zoneOf(o),
          capacityType: group.Lifecycle === 'spot' ? 'spot' : 'on-demand',
        });
      }
    }
    const errors: LaunchError[] = (out.Errors ?? []).map((e) => {
      const o = e.LaunchTemplateAndOverrides?.Overrides;
      const awsCode = e.ErrorCode ?? 'Unknown';
      return {
        instanceType: o?.InstanceType ?? '',
        availabilityZone: zoneOf(o),
        capacityType: e.Lifecycle === 'spot' ? 'spot' : e.Lifecycle === 'on-demand' ? 'on-demand' : capacityType,
        code: classifyAwsError(awsCode, undefined),
        awsCode,
        message: e.ErrorMessage ?? awsCode,
      };
    });
    return { launched, errors };
  }

  /** Full details of just-launched instances; what EC2 does not list yet (eventual consistency) is filled from the fleet answer. */
  private async describeLaunched(launched: FleetOutcome['launched']): Promise<CloudInstance[]> {
    let described: CloudInstance[] = [];
    try {
      described = await this.describeInstances({ ids: launched.map((l) => l.instanceId) });
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'NOT_FOUND')) throw error;
    }
    const byId = new Map(described.map((i) => [i.instanceId, i]));
    return launched.map(
      (l) =>
        byId.get(l.instanceId) ?? {
          instanceId: l.instanceId,
          instanceType: l.instanceType,
          availabilityZone: l.availabilityZone ?? '',
          capacityType: l.capacityType,
          state: 'pending',
          privateDnsName: '',
          privateIpAddress: null,
          subnetId: null,
          launchTimeMs: this.clock.now(),
          tags: {},
        },
    );
  }

  async terminateInstances(ids: readonly string[]): Promise<void> {
    const checked = checkInstanceIds(ids, 'terminateInstances ids');
    for (let i = 0; i < checked.length; i += ID_CHUNK) {
      const chunk = checked.slice(i, i + ID_CHUNK);
      await callAws('EC2 TerminateInstances', () => this.ec2.send(new TerminateInstancesCommand({ InstanceIds: chunk })));
    }
  }

  async describeInstances(input: DescribeInstancesInput = {}): Promise<CloudInstance[]> {
    const ids = input.ids !== undefined ? checkInstanceIds(input.ids, 'describeInstances ids') : undefined;
    if (ids !== undefined && ids.length === 0) return [];
    const filters: Filter[] = Object.entries(input.tags !== undefined ? checkTags(input.tags, 'describeInstances tags') : {}).map(([k, v]) => ({ Name: `tag:${k}`, Values: [v] }));
    const out: CloudInstance[] = [];
    let nextToken: string | undefined;
    do {
      const page = await callAws('EC2 DescribeInstances', () =>
        this.ec2.send(
          new DescribeInstancesCommand({
            ...(ids !== undefined ? { InstanceIds: ids } : { MaxResults: 1000 }),
            ...(filters.length > 0 ? { Filters: filters } : {}),
            ...(nextToken !== undefined ? { NextToken: nextToken } : {}),
          }),
        ),
      );
      for (const r of page.Reservations ?? []) for (const i of r.Instances ?? []) out.push(toCloudInstance(i));
      nextToken = page.NextToken || undefined;
    } while (nextToken !== undefined);
    return out;
  }

  async tagInstances(ids: readonly string[], tags: InstanceTags): Promise<void> {
    const checked = checkInstanceIds(ids, 'tagInstances ids');
    const t = checkTags(tags, 'tagInstances tags');
    if (checked.length === 0 || Object.keys(t).length === 0) return;
    await callAws('EC2 CreateTags', () => this.ec2.send(new CreateTagsCommand({ Resources: checked, Tags: recordToTags(t) })));
  }

  async spotPriceHistory(input: SpotPriceHistoryInput): Promise<SpotPricePoint[]> {
    checkSpotPriceQuery(input);
    const out: SpotPricePoint[] = [];
    let nextToken: string | undefined;
    let page = 0;
    do {
      input.signal?.throwIfAborted();
      const res = await callAws('EC2 DescribeSpotPriceHistory', () =>
        this.ec2.send(
          new DescribeSpotPriceHistoryCommand({
            StartTime: new Date(input.fromMs),
            EndTime: new Date(input.toMs),
            ...(input.instanceTypes.length > 0 ? { InstanceTypes: input.instanceTypes as _InstanceType[] } : {}),
            ...(input.availabilityZone !== undefined ? { AvailabilityZone: input.availabilityZone } : {}),
            ProductDescriptions: [input.productDescription ?? DEFAULT_PRODUCT],
            MaxResults: input.pageSize ?? 1000,
            ...(nextToken !== undefined ? { NextToken: nextToken } : {}),
          }),
          input.signal !== undefined ? { abortSignal: input.signal } : {},
        ),
      );
      const items = (res.SpotPriceHistory ?? []).map(toSpotPricePoint);
      out.push(...items);
      nextToken = res.NextToken || undefined;
      page++;
      input.onPage?.({ page, pointsInPage: items.length, pointsSoFar: out.length, more: nextToken !== undefined });
    } while (nextToken !== undefined);
    return out;
  }

  async availabilityZones(): Promise<AvailabilityZoneInfo[]> {
    const res = await callAws('EC2 DescribeAvailabilityZones', () =>
      this.ec2.send(new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'zone-type', Values: ['availability-zone'] }] })),
    );
    return (res.AvailabilityZones ?? [])
      .filter((z) => z.ZoneName !== undefined)
      .map((z) => ({ zoneName: z.ZoneName as string, zoneId: z.ZoneId ?? '', state: z.State ?? 'available' }))
      .sort((a, b) => a.zoneName.localeCompare(b.zoneName));
  }
}
