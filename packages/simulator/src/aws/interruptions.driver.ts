/**
 * The interruption driver: decides, for each running Spot instance, when it receives a rebalance
 * recommendation, the 2-minute interruption warning and its termination — drawn from the market model's
 * `sampleInstanceFate` over the pool's hazard (Spot Advisor bucket × replayed price level) — and publishes each
 * event as the real EventBridge JSON into the configured SQS queue. Termination follows the warning by exactly
 * two minutes of simulated time. It also publishes "EC2 Instance State-change Notification" for every state
 * change of every instance (as an unfiltered EventBridge rule would).
 *
 * Fates are sampled per instance from an RNG fork named after the instance and the hazard chunk, so one seed
 * gives the same events whatever else happens in between. When an instance survives a chunk (default 7 days
 * of simulated time) its fate is drawn again for the next chunk — valid because the process is memoryless.
 */
import { DEFAULT_REBALANCE_PARAMS, INTERRUPTION_WARNING_MS, type RebalanceParams, type Rng, sampleInstanceFate } from '@cloudoptim/market';
import type { Clock, Logger } from '@cloudoptim/runtime';
import type { Ec2InstanceModel, InstanceInfo, InstanceState } from './ec2-instances.model.ts';
import { type EventBridgeEvent, rebalanceRecommendation, spotInterruptionWarning, stateChangeNotification } from './eventbridge-events.ts';
import type { EventLog } from './event-log.ts';
import type { IdSource } from './ids.ts';
import type { SimTimers } from './sim-timers.ts';
import type { SpotMarket } from './spot-market.ts';
import type { SqsModel } from './sqs-queues.model.ts';

/** Options of the driver. */
export interface InterruptionDriverOptions {
  clock: Clock;
  rng: Rng;
  ids: IdSource;
  timers: SimTimers;
  ec2: Ec2InstanceModel;
  sqs: SqsModel;
  market: SpotMarket;
  log: Logger;
  eventLog: EventLog;
  region: string;
  accountId: string;
  /** Queue the EventBridge events go to; created when missing. */
  queueName: string;
  /** Rebalance recommendation parameters; `null` for none. */
  rebalance?: RebalanceParams | null;
  /** States that produce a state-change notification (default: all four). */
  stateChangeStates?: readonly InstanceState[];
  /** Sample interruptions from the hazard (default true); `false` leaves only `interruptInstance`. */
  sampleInterruptions?: boolean;
}

interface Tracked {
  cancels: (() => void)[];
  /** Warning already given: nothing else is scheduled for it. */
  warned: boolean;
}

/** Schedules and publishes Spot interruptions. */
export class InterruptionDriver {
  private readonly tracked = new Map<string, Tracked>();
  private readonly published: EventBridgeEvent[] = [];
  private readonly stateStates: ReadonlySet<InstanceState>;
  private sampling: boolean;
  private readonly unsubscribe: () => void;

  constructor(private readonly opts: InterruptionDriverOptions) {
    this.stateStates = new Set(opts.stateChangeStates ?? ['pending', 'running', 'shutting-down', 'terminated']);
    this.sampling = opts.sampleInterruptions ?? true;
    this.unsubscribe = opts.ec2.onStateChange((inst) => this.onState(inst));
  }

  /** Name of the queue events go to. */
  get queueName(): string {
    return this.opts.queueName;
  }

  /** Turns hazard sampling on or off for instances that start running from now on. */
  setSampling(enabled: boolean): void {
    this.sampling = enabled;
  }

  /** Every event published so far (also those the queue could not take). */
  publishedEvents(): EventBridgeEvent[] {
    return [...this.published];
  }

  /**
   * Interrupts an instance from the market side: a rebalance recommendation at `rebalanceAt` (optional), the
   * warning at `warningAt` (default now) and termination two minutes later. Replaces any sampled fate.
   * @returns false when the instance is unknown, on-demand or already going away.
   */
  interruptInstance(instanceId: string, options: { warningAt?: number; rebalanceAt?: number } = {}): boolean {
    const inst = this.opts.ec2.get(instanceId);
    // Only Spot capacity is reclaimed by AWS.
    if (!inst || inst.lifecycle !== 'spot' || (inst.state !== 'pending' && inst.state !== 'running')) return false;
    const t = this.reset(instanceId);
    const now = this.opts.clock.now();
    if (options.rebalanceAt !== undefined) t.cancels.push(this.opts.timers.at(Math.max(now, options.rebalanceAt), () => this.rebalance(instanceId)));
    t.cancels.push(this.opts.timers.at(Math.max(now, options.warningAt ?? now), () => this.warn(instanceId)));
    return true;
  }

  /** Stops listening to the instance model (timers are owned by the endpoint). */
  stop(): void {
    this.unsubscribe();
    for (const t of this.tracked.values()) for (const c of t.cancels) c();
    this.tracked.clear();
  }

  private onState(inst: InstanceInfo): void {
    if (this.stateStates.has(inst.state)) {
      this.publish(stateChangeNotification(this.ctx(inst.instanceId), inst.state));
    }
    if (inst.state === 'running' && inst.lifecycle === 'spot' && this.sampling && !this.tracked.has(inst.instanceId)) {
      this.scheduleFate(inst, this.opts.clock.now());
    }
    if (inst.state === 'shutting-down' || inst.state === 'terminated') {
      const t = this.tracked.get(inst.instanceId);
      if (t) for (const c of t.cancels) c();
      this.tracked.delete(inst.instanceId);
    }
  }

  private scheduleFate(inst: InstanceInfo, fromMs: number): void {
    const { market, timers } = this.opts;
    const chunk = market.hazardChunk(inst.availabilityZone, inst.instanceType, fromMs);
    const rng = this.opts.rng.fork(`fate:${inst.instanceId}:${chunk.index}`);
    const fate = sampleInstanceFate(chunk.timeline, fromMs, chunk.endMs, rng, this.opts.rebalance === undefined ? DEFAULT_REBALANCE_PARAMS : this.opts.rebalance);
    const t = this.reset(inst.instanceId);
    if (fate.rebalanceMs !== undefined) t.cancels.push(timers.at(fate.rebalanceMs, () => this.rebalance(inst.instanceId)));
    if (fate.warningMs !== undefined) t.cancels.push(timers.at(fate.warningMs, () => this.warn(inst.instanceId)));
    else t.cancels.push(timers.at(chunk.endMs, () => this.scheduleFate(inst, chunk.endMs)));
  }

  private reset(instanceId: string): Tracked {
    const old = this.tracked.get(instanceId);
    if (old) for (const c of old.cancels) c();
    const t: Tracked = { cancels: [], warned: false };
    this.tracked.set(instanceId, t);
    return t;
  }

  private rebalance(instanceId: string): void {
    const inst = this.opts.ec2.get(instanceId);
    if (!inst || (inst.state !== 'running' && inst.state !== 'pending')) return;
    this.record('rebalance-recommendation', inst);
    this.publish(rebalanceRecommendation(this.ctx(instanceId)));
  }

  private warn(instanceId: string): void {
    const inst = this.opts.ec2.get(instanceId);
    const t = this.tracked.get(instanceId);
    if (!inst || !t || t.warned || (inst.state !== 'running' && inst.state !== 'pending')) return;
    t.warned = true;
    const now = this.opts.clock.now();
    this.record('interruption-warning', inst);
    this.publish(spotInterruptionWarning(this.ctx(instanceId)));
    t.cancels.push(
      this.opts.timers.at(now + INTERRUPTION_WARNING_MS, () => {
        const cur = this.opts.ec2.get(instanceId);
        if (cur && (cur.state === 'running' || cur.state === 'pending')) this.opts.ec2.terminate([instanceId], 'spot-interruption');
      }),
    );
  }

  private record(kind: 'rebalance-recommendation' | 'interruption-warning', inst: InstanceInfo): void {
    this.opts.eventLog.record({ timeMs: this.opts.clock.now(), kind, instanceId: inst.instanceId, instanceType: inst.instanceType, availabilityZone: inst.availabilityZone, lifecycle: inst.lifecycle });
  }

  private ctx(instanceId: string) {
    return { id: this.opts.ids.eventId(), account: this.opts.accountId, region: this.opts.region, timeMs: this.opts.clock.now(), instanceId };
  }

  private publish(event: EventBridgeEvent): void {
    this.published.push(event);
    try {
      this.opts.sqs.queue(this.opts.queueName);
    } catch {
      // EventBridge drops what its target cannot take; the simulator does the same, with a log line.
      this.opts.log.warn({ queue: this.opts.queueName, detailType: event['detail-type'] }, 'event queue missing: event dropped');
      return;
    }
    this.opts.sqs.sendMessage(this.opts.queueName, JSON.stringify(event), { senderId: 'AIDAEXAMPLESENDERID01' });
  }
}
