/**
 * The EC2 instance model of the local region: launches, the state machine
 * pending → running (after a seeded boot delay) → shutting-down → terminated (after a seeded shutdown delay),
 * tags, and the hooks the cluster side uses to register and remove nodes.
 *
 * All time comes from the injected `Clock` (through `SimTimers`), all randomness from the seeded `Rng`
 * (one fork per instance and purpose, so draws do not depend on the order of unrelated calls).
 */
import type { Rng } from '@cloudoptim/market';
import type { Clock, Logger } from '@cloudoptim/runtime';
import type { IdSource } from './ids.ts';
import type { RegionTopology, Zone } from './region-topology.ts';
import type { SimTimers } from './sim-timers.ts';

/** EC2 instance states the simulator uses (no stop/start). */
export type InstanceState = 'pending' | 'running' | 'shutting-down' | 'terminated';

/** EC2 state codes (low byte). */
export const INSTANCE_STATE_CODES: Readonly<Record<InstanceState, number>> = Object.freeze({ pending: 0, running: 16, 'shutting-down': 32, terminated: 48 });

/** Spot or on-demand. */
export type InstanceLifecycle = 'spot' | 'on-demand';

/** Why an instance is going away. */
export type TerminationCause = 'user' | 'spot-interruption';

/** A read-only view of an instance, handed to hooks and returned by `get`/`list`. */
export interface InstanceInfo {
  instanceId: string;
  reservationId: string;
  instanceType: string;
  availabilityZone: string;
  availabilityZoneId: string;
  subnetId: string;
  vpcId: string;
  privateIpAddress: string;
  privateDnsName: string;
  /** `aws:///<az>/<instance-id>`, the Kubernetes node's `spec.providerID`. */
  providerId: string;
  imageId: string;
  architecture: 'x86_64' | 'arm64';
  lifecycle: InstanceLifecycle;
  spotInstanceRequestId?: string;
  state: InstanceState;
  launchTimeMs: number;
  /** When the instance reached `running`, ms. */
  runningAtMs?: number;
  /** When termination started (`shutting-down`), ms. */
  terminationStartedMs?: number;
  terminatedAtMs?: number;
  terminationCause?: TerminationCause;
  tags: Readonly<Record<string, string>>;
  fleetId?: string;
  clientToken?: string;
}

interface SimInstance {
  info: InstanceInfo & { tags: Record<string, string> };
  tagOrder: string[];
  cancelTimer?: () => void;
  stateReason?: { code: string; message: string };
  stateTransitionReason: string;
}

/** What to launch: `count` instances of one type in one zone. */
export interface LaunchSpec {
  instanceType: string;
  zone: Zone;
  lifecycle: InstanceLifecycle;
  count: number;
  imageId?: string;
  tags?: readonly { key: string; value: string }[];
  clientToken?: string;
  fleetId?: string;
  architecture?: 'x86_64' | 'arm64';
  /** Running at once, no boot delay: a scenario's nodes, which exist before the simulation starts. */
  running?: boolean;
}

/** A uniform delay range, ms. */
export interface DelayRange {
  minMs: number;
  maxMs: number;
}

/** Construction options of the model. */
export interface Ec2InstanceModelOptions {
  clock: Clock;
  rng: Rng;
  ids: IdSource;
  topology: RegionTopology;
  timers: SimTimers;
  log: Logger;
  /** pending → running, simulated ms (default 30–90 s, the range real EC2 shows). */
  bootDelay?: DelayRange;
  /** shutting-down → terminated, simulated ms (default 5–30 s). */
  shutdownDelay?: DelayRange;
  /** How long terminated instances stay visible to DescribeInstances (default 1 h, as AWS documents). */
  terminatedRetentionMs?: number;
}

type Listener = (instance: InstanceInfo, previous: InstanceState | undefined) => void;

/** The instances of the region and their state machine. */
export class Ec2InstanceModel {
  private readonly instances = new Map<string, SimInstance>();
  private readonly listeners = new Set<Listener>();
  private readonly addressCounters = new Map<string, number>();
  private readonly bootDelay: DelayRange;
  private readonly shutdownDelay: DelayRange;
  private readonly retentionMs: number;
  private interruptHandler: ((instanceId: string, options: { warningAt?: number; rebalanceAt?: number }) => boolean) | undefined;

  constructor(private readonly opts: Ec2InstanceModelOptions) {
    this.bootDelay = opts.bootDelay ?? { minMs: 30_000, maxMs: 90_000 };
    this.shutdownDelay = opts.shutdownDelay ?? { minMs: 5_000, maxMs: 30_000 };
    this.retentionMs = opts.terminatedRetentionMs ?? 3_600_000;
    for (const r of [this.bootDelay, this.shutdownDelay]) {
      if (!(r.minMs >= 0 && r.maxMs >= r.minMs)) throw new RangeError(`delay range ${JSON.stringify(r)} must have 0 <= minMs <= maxMs`);
    }
  }

  /** Subscribes to every state change (launch: previous undefined, state pending). Returns an unsubscribe function. */
  onStateChange(cb: Listener): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** Called when an instance reaches `running` (register the node now). */
  onInstanceRunning(cb: (instance: InstanceInfo) => void): () => void {
    return this.onStateChange((i) => i.state === 'running' && cb(i));
  }

  /** Called when an instance enters `shutting-down` (the node goes NotReady now). */
  onInstanceShuttingDown(cb: (instance: InstanceInfo) => void): () => void {
    return this.onStateChange((i) => i.state === 'shutting-down' && cb(i));
  }

  /** Called when an instance reaches `terminated` (remove the node now). */
  onInstanceTerminated(cb: (instance: InstanceInfo) => void): () => void {
    return this.onStateChange((i) => i.state === 'terminated' && cb(i));
  }

  /**
   * Interrupts a Spot instance from the market side (warning now or at `warningAt`, termination two minutes
   * later) through the interruption driver wired in with `setInterruptHandler`.
   * @returns false when nothing was scheduled (unknown, on-demand or already terminating instance, or no driver).
   */
  interruptInstance(instanceId: string, options: { warningAt?: number; rebalanceAt?: number } = {}): boolean {
    return this.interruptHandler?.(instanceId, options) ?? false;
  }

  /** Wires the component that carries out `interruptInstance` (the interruption driver). */
  setInterruptHandler(handler: (instanceId: string, options: { warningAt?: number; rebalanceAt?: number }) => boolean): void {
    this.interruptHandler = handler;
  }

  /** The instance, or undefined when unknown or purged (terminated more than the retention ago). */
  get(instanceId: string): InstanceInfo | undefined {
    return this.instances.get(instanceId)?.info;
  }

  /** Every visible instance, in launch order. */
  list(): InstanceInfo[] {
    return [...this.instances.values()].map((s) => s.info);
  }

  /** Extra fields DescribeInstances shows. */
  details(instanceId: string): { stateReason?: { code: string; message: string }; stateTransitionReason: string; tagOrder: readonly string[] } | undefined {
    const s = this.instances.get(instanceId);
    return s && { stateReason: s.stateReason, stateTransitionReason: s.stateTransitionReason, tagOrder: s.tagOrder };
  }

  /** Launches `spec.count` instances in one reservation; each boots after its own seeded delay. */
  launch(spec: LaunchSpec): { reservationId: string; instances: InstanceInfo[] } {
    const { clock, ids, topology } = this.opts;
    const now = clock.now();
    const reservationId = ids.reservationId();
    const out: InstanceInfo[] = [];
    for (let k = 0; k < spec.count; k++) {
      const instanceId = ids.instanceId();
      const n = this.addressCounters.get(spec.zone.name) ?? 0;
      this.addressCounters.set(spec.zone.name, n + 1);
      const ip = topology.privateIp(spec.zone, n);
      const tags: Record<string, string> = {};
      const tagOrder: string[] = [];
      const setTag = (key: string, value: string) => {
        if (!(key in tags)) tagOrder.push(key);
        tags[key] = value;
      };
      if (spec.fleetId) setTag('aws:ec2:fleet-id', spec.fleetId);
      for (const t of spec.tags ?? []) setTag(t.key, t.value);
      const info: SimInstance['info'] = {
        instanceId,
        reservationId,
        instanceType: spec.instanceType,
        availabilityZone: spec.zone.name,
        availabilityZoneId: spec.zone.zoneId,
        subnetId: spec.zone.subnetId,
        vpcId: topology.vpcId,
        privateIpAddress: ip,
        privateDnsName: topology.privateDnsName(ip),
        providerId: `aws:///${spec.zone.name}/${instanceId}`,
        imageId: spec.imageId ?? (spec.architecture === 'arm64' ? 'ami-0a1b2c3d4e5f6a7b9' : 'ami-0a1b2c3d4e5f6a7b8'),
        architecture: spec.architecture ?? 'x86_64',
        lifecycle: spec.lifecycle,
        state: 'pending',
        launchTimeMs: now,
        tags,
        ...(spec.lifecycle === 'spot' ? { spotInstanceRequestId: ids.spotRequestId() } : {}),
        ...(spec.fleetId ? { fleetId: spec.fleetId } : {}),
        ...(spec.clientToken ? { clientToken: spec.clientToken } : {}),
      };
      const sim: SimInstance = { info, tagOrder, stateReason: { code: 'pending', message: 'pending' }, stateTransitionReason: '' };
      this.instances.set(instanceId, sim);
      out.push(info);
      if (!spec.running) {
        const bootMs = this.draw(this.bootDelay, `boot:${instanceId}`);
        sim.cancelTimer = this.opts.timers.at(now + bootMs, () => this.transition(sim, 'running'));
      }
    }
    // Announce after the whole reservation exists, so listeners see consistent state.
    for (const i of out) this.emit(i, undefined);
    if (spec.running) for (const i of out) this.transition(this.instances.get(i.instanceId)!, 'running');
    return { reservationId, instances: out };
  }

  /**
   * Starts terminating instances (unknown ids are the caller's concern: check with `get` first).
   * Idempotent: a terminated or shutting-down instance keeps its state. Returns previous and current states.
   */
  terminate(instanceIds: readonly string[], cause: TerminationCause = 'user'): { instanceId: string; previous: InstanceState; current: InstanceState }[] {
    return instanceIds.map((id) => {
      const sim = this.instances.get(id);
      if (!sim) throw new RangeError(`unknown instance ${id}`);
      const previous = sim.info.state;
      if (previous === 'pending' || previous === 'running') {
        sim.cancelTimer?.();
        const now = this.opts.clock.now();
        sim.info.terminationCause = cause;
        sim.info.terminationStartedMs = now;
        sim.stateReason = cause === 'user'
          ? { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' }
          : { code: 'Server.SpotInstanceTermination', message: 'Server.SpotInstanceTermination: Spot instance termination' };
        sim.stateTransitionReason = cause === 'user' ? `User initiated (${gmt(now)})` : `Service initiated (${gmt(now)})`;
        this.transition(sim, 'shutting-down');
        const delay = this.draw(this.shutdownDelay, `shutdown:${id}`);
        sim.cancelTimer = this.opts.timers.at(now + delay, () => this.transition(sim, 'terminated'));
      }
      return { instanceId: id, previous, current: sim.info.state };
    });
  }

  /** Adds or overwrites tags on existing instances. */
  createTags(instanceIds: readonly string[], tags: readonly { key: string; value: string }[]): void {
    for (const id of instanceIds) {
      const sim = this.instances.get(id);
      if (!sim) continue;
      for (const t of tags) {
        if (!(t.key in sim.info.tags)) sim.tagOrder.push(t.key);
        sim.info.tags[t.key] = t.value;
      }
    }
  }

  /** Removes tags (a tag with a value is removed only when the value matches, as EC2 does). */
  deleteTags(instanceIds: readonly string[], tags: readonly { key: string; value?: string }[]): void {
    for (const id of instanceIds) {
      const sim = this.instances.get(id);
      if (!sim) continue;
      for (const t of tags) {
        if (!(t.key in sim.info.tags) || (t.value !== undefined && sim.info.tags[t.key] !== t.value)) continue;
        delete sim.info.tags[t.key];
        sim.tagOrder = sim.tagOrder.filter((k) => k !== t.key);
      }
    }
  }

  private transition(sim: SimInstance, to: InstanceState): void {
    const previous = sim.info.state;
    if (previous === to) return;
    const now = this.opts.clock.now();
    sim.info.state = to;
    sim.cancelTimer = undefined;
    if (to === 'running') {
      sim.info.runningAtMs = now;
      delete sim.stateReason;
    }
    if (to === 'terminated') {
      sim.info.terminatedAtMs = now;
      if (sim.stateReason?.code === 'Client.UserInitiatedShutdown') sim.stateReason = { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' };
      this.opts.timers.at(now + this.retentionMs, () => this.instances.delete(sim.info.instanceId));
    }
    this.emit(sim.info, previous);
  }

  private emit(info: InstanceInfo, previous: InstanceState | undefined): void {
    for (const l of [...this.listeners]) {
      try {
        l(info, previous);
      } catch (err) {
        this.opts.log.error({ err, instanceId: info.instanceId }, 'instance state listener failed');
      }
    }
  }

  private draw(range: DelayRange, label: string): number {
    return Math.round(range.minMs + this.opts.rng.fork(label).next() * (range.maxMs - range.minMs));
  }
}

/** `2024-05-01 12:00:00 GMT`, the form EC2 uses in StateTransitionReason. */
function gmt(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} GMT`;
}
