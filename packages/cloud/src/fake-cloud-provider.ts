/**
 * `FakeCloudProvider`: an in-memory, recording CloudProvider for unit tests of the logic above the adapter
 * (ARCHITECTURE convention 5). It passes the same contract suite as `AwsCloudProvider`, records every call,
 * and lets a test force capacity shortages, move instances through their states and inject failures.
 * Deterministic: ids come from a counter, time from the injected clock.
 */
import { AppError, type CapacityType } from '@cloudoptim/contracts';
import { type Clock, SystemClock } from '@cloudoptim/runtime';
import { checkInstanceIds, checkSpotPriceQuery, checkTags, nothingLaunched, parseLaunchInput } from './cloud-inputs.ts';
import type {
  AvailabilityZoneInfo,
  CloudInstance,
  CloudProvider,
  DescribeInstancesInput,
  InstanceState,
  InstanceTags,
  LaunchCapacityInput,
  LaunchCapacityRequest,
  LaunchCapacityResult,
  LaunchError,
  LaunchPool,
  SpotPriceHistoryInput,
  SpotPricePoint,
} from './cloud-provider.ts';

/** Options of {@link FakeCloudProvider}. */
export interface FakeCloudProviderOptions {
  /** Default `us-east-1`. */
  region?: string;
  /** Zone names (default `<region>a`, `b`, `c`). */
  zones?: readonly string[];
  /** Default the system clock; pass a ManualClock for launch times under test control. */
  clock?: Clock;
  /** The price changes `spotPriceHistory` serves (any order). */
  spotPrices?: readonly SpotPricePoint[];
}

/** One recorded call. */
export interface FakeCloudCall {
  method: Exclude<keyof CloudProvider, 'region'>;
  input: unknown;
}

/** The CloudProvider methods (every property but `region`). */
type Method = Exclude<keyof CloudProvider, 'region'>;

/** The in-memory {@link CloudProvider}. */
export class FakeCloudProvider implements CloudProvider {
  readonly region: string;
  /** Every call, in order, with its input. */
  readonly calls: FakeCloudCall[] = [];
  private readonly zones: string[];
  private readonly clock: Clock;
  private readonly instances = new Map<string, CloudInstance>();
  private readonly tokens = new Map<string, { ids: string[]; errors: LaunchError[] }>();
  private readonly shortages = new Map<string, number>();
  private readonly failures = new Map<Method, AppError[]>();
  private spotPrices: SpotPricePoint[];
  private seq = 0;

  constructor(options: FakeCloudProviderOptions = {}) {
    this.region = options.region ?? 'us-east-1';
    this.zones = [...(options.zones ?? ['a', 'b', 'c'].map((s) => `${this.region}${s}`))];
    this.clock = options.clock ?? new SystemClock();
    this.spotPrices = [...(options.spotPrices ?? [])];
  }

  // ---- test controls -------------------------------------------------------------------------------

  /** Spot launches in the pool fail with InsufficientInstanceCapacity until `untilMs` (clock time; default forever). */
  forceShortage(availabilityZone: string, instanceType: string, untilMs = Number.POSITIVE_INFINITY): void {
    this.shortages.set(`${availabilityZone}|${instanceType}`, untilMs);
  }

  /** The next call of `method` throws `error` (queued: several calls fail in turn). */
  failNext(method: Method, error: AppError): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), error]);
  }

  /** Replaces the served spot price changes. */
  setSpotPrices(points: readonly SpotPricePoint[]): void {
    this.spotPrices = [...points];
  }

  /** Moves an instance to a state (e.g. `running` once "booted"). @throws Error for an unknown id. */
  setState(instanceId: string, state: InstanceState): void {
    const i = this.instances.get(instanceId);
    if (!i) throw new Error(`FakeCloudProvider: no instance ${instanceId}`);
    i.state = state;
  }

  /** Finishes every transition: pending → running, shutting-down → terminated. */
  settle(): void {
    for (const i of this.instances.values()) {
      if (i.state === 'pending') i.state = 'running';
      else if (i.state === 'shutting-down') i.state = 'terminated';
    }
  }

  /** A snapshot of every instance (terminated included). */
  list(): CloudInstance[] {
    return [...this.instances.values()].map(copy);
  }

  /** The recorded inputs of one method. */
  callsOf(method: Method): unknown[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.input);
  }

  // ---- CloudProvider -------------------------------------------------------------------------------

  async launchCapacity(input: LaunchCapacityInput): Promise<LaunchCapacityResult> {
    this.record('launchCapacity', input);
    const req = parseLaunchInput(input);
    const cached = this.tokens.get(req.clientToken);
    if (cached) return { instances: cached.ids.map((id) => copy(this.instances.get(id) as CloudInstance)), errors: cached.errors.map((e) => ({ ...e })) };
    for (const p of req.pools) if (!this.zones.includes(p.availabilityZone)) throw new AppError('VALIDATION_FAILED', `unknown availability zone ${p.availabilityZone}`, { issues: [{ path: 'pools', message: `unknown availability zone ${p.availabilityZone}` }] });
    const first = this.allocate(req, req.capacityType, req.count);
    const launched = [...first.launched];
    const errors = [...first.errors];
    if (req.capacityType === 'spot' && req.onDemandFallback && launched.length < req.count) {
      const fallback = this.allocate(req, 'on-demand', req.count - launched.length);
      launched.push(...fallback.launched);
      errors.push(...fallback.errors);
    }
    if (launched.length === 0) throw nothingLaunched(errors);
    for (const i of launched) this.instances.set(i.instanceId, i);
    this.tokens.set(req.clientToken, { ids: launched.map((i) => i.instanceId), errors });
    return { instances: launched.map(copy), errors: errors.map((e) => ({ ...e })) };
  }

  /** Pools in priority order (then as given); pools in a shortage give an error; the rest share the count (diversified) or the first takes it. */
  private allocate(req: LaunchCapacityRequest, capacityType: CapacityType, count: number): { launched: CloudInstance[]; errors: LaunchError[] } {
    const pools = [...req.pools].sort((a, b) => (a.priority ?? Number.MAX_SAFE_INTEGER) - (b.priority ?? Number.MAX_SAFE_INTEGER));
    const errors: LaunchError[] = [];
    const usable: LaunchPool[] = [];
    for (const p of pools) {
      if (capacityType === 'spot' && this.inShortage(p)) {
        errors.push({
          instanceType: p.instanceType,
          availabilityZone: p.availabilityZone,
          capacityType,
          code: 'CAPACITY_UNAVAILABLE',
          awsCode: 'InsufficientInstanceCapacity',
          message: `We currently do not have sufficient ${p.instanceType} capacity in the Availability Zone you requested (${p.availabilityZone}).`,
        });
        if (req.allocationStrategy !== 'diversified') continue;
      } else {
        usable.push(p);
        if (req.allocationStrategy !== 'diversified') break;
      }
    }
    const launched: CloudInstance[] = [];
    for (let n = 0; n < count && usable.length > 0; n++) {
      const pool = usable[n % usable.length] as LaunchPool;
      launched.push(this.newInstance(pool, capacityType, req.tags));
    }
    return { launched, errors };
  }

  private inShortage(p: LaunchPool): boolean {
    const until = this.shortages.get(`${p.availabilityZone}|${p.instanceType}`);
    return until !== undefined && this.clock.now() < until;
  }

  private newInstance(pool: LaunchPool, capacityType: CapacityType, tags: InstanceTags): CloudInstance {
    const n = ++this.seq;
    return {
      instanceId: `i-${n.toString(16).padStart(17, '0')}`,
      instanceType: pool.instanceType,
      availabilityZone: pool.availabilityZone,
      capacityType,
      state: 'pending',
      privateDnsName: `ip-10-0-${Math.floor(n / 250) % 250}-${(n % 250) + 1}.ec2.internal`,
      privateIpAddress: `10.0.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`,
      subnetId: pool.subnetId ?? `subnet-${(this.zones.indexOf(pool.availabilityZone) + 1).toString(16).padStart(17, '0')}`,
      launchTimeMs: this.clock.now(),
      tags: { ...tags },
    };
  }

  async terminateInstances(ids: readonly string[]): Promise<void> {
    this.record('terminateInstances', [...ids]);
    const checked = checkInstanceIds(ids, 'terminateInstances ids');
    this.requireKnown(checked);
    for (const id of checked) {
      const i = this.instances.get(id) as CloudInstance;
      if (i.state !== 'terminated') i.state = 'shutting-down';
    }
  }

  async describeInstances(input: DescribeInstancesInput = {}): Promise<CloudInstance[]> {
    this.record('describeInstances', input);
    const ids = input.ids !== undefined ? checkInstanceIds(input.ids, 'describeInstances ids') : undefined;
    const tags = input.tags !== undefined ? checkTags(input.tags, 'describeInstances tags') : {};
    if (ids !== undefined) this.requireKnown(ids);
    const candidates = ids !== undefined ? ids.map((id) => this.instances.get(id) as CloudInstance) : [...this.instances.values()];
    return candidates.filter((i) => Object.entries(tags).every(([k, v]) => i.tags[k] === v)).map(copy);
  }

  async tagInstances(ids: readonly string[], tags: InstanceTags): Promise<void> {
    this.record('tagInstances', { ids: [...ids], tags });
    const checked = checkInstanceIds(ids, 'tagInstances ids');
    const t = checkTags(tags, 'tagInstances tags');
    if (checked.length === 0 || Object.keys(t).length === 0) return; // as the AWS adapter: no call at all
    this.requireKnown(checked);
    for (const id of checked) Object.assign((this.instances.get(id) as CloudInstance).tags, t);
  }

  async spotPriceHistory(input: SpotPriceHistoryInput): Promise<SpotPricePoint[]> {
    const { onPage: _onPage, signal: _signal, ...recorded } = input;
    this.record('spotPriceHistory', recorded);
    checkSpotPriceQuery(input);
    const product = input.productDescription ?? 'Linux/UNIX';
    const matches = this.spotPrices.filter(
      (p) => (input.instanceTypes.length === 0 || input.instanceTypes.includes(p.instanceType)) && (input.availabilityZone === undefined || p.availabilityZone === input.availabilityZone) && p.productDescription === product,
    );
    // Changes inside the window, plus per pool the change in force at fromMs (as EC2 does).
    const selected = matches.filter((p) => p.timestampMs >= input.fromMs && p.timestampMs <= input.toMs);
    const pools = new Set(matches.map((p) => `${p.availabilityZone}|${p.instanceType}`));
    for (const pool of pools) {
      const before = matches.filter((p) => `${p.availabilityZone}|${p.instanceType}` === pool && p.timestampMs < input.fromMs).sort((a, b) => b.timestampMs - a.timestampMs)[0];
      if (before) selected.push(before);
    }
    selected.sort((a, b) => b.timestampMs - a.timestampMs || a.availabilityZone.localeCompare(b.availabilityZone) || a.instanceType.localeCompare(b.instanceType));
    const size = input.pageSize ?? 1000;
    const out: SpotPricePoint[] = [];
    let page = 0;
    do {
      input.signal?.throwIfAborted();
      const items = selected.slice(page * size, (page + 1) * size).map((p) => ({ ...p }));
      out.push(...items);
      page++;
      input.onPage?.({ page, pointsInPage: items.length, pointsSoFar: out.length, more: out.length < selected.length });
    } while (out.length < selected.length);
    return out;
  }

  async availabilityZones(): Promise<AvailabilityZoneInfo[]> {
    this.record('availabilityZones', undefined);
    const prefix = this.region.split('-').map((part, i) => (i === 2 ? part : part.slice(0, i === 1 ? 1 : 2))).join('');
    return this.zones.map((zoneName, i) => ({ zoneName, zoneId: `${prefix}-az${i + 1}`, state: 'available' }));
  }

  private record(method: Method, input: unknown): void {
    this.calls.push({ method, input: structuredClone(input) });
    const queued = this.failures.get(method);
    const failure = queued?.shift();
    if (failure) throw failure;
  }

  private requireKnown(ids: readonly string[]): void {
    const unknown = ids.filter((id) => !this.instances.has(id));
    if (unknown.length > 0) throw new AppError('NOT_FOUND', `The instance IDs '${unknown.join(', ')}' do not exist`, { aws_code: 'InvalidInstanceID.NotFound', instance_ids: unknown });
  }
}

function copy(i: CloudInstance): CloudInstance {
  return { ...i, tags: { ...i.tags } };
}
