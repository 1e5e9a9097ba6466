/**
 * Acts on the messages of an interruption queue (SPEC §5 flow 3), at least once and idempotently:
 *
 * 1. For every message of a batch, in order: map the instance to the customer's node, record the SpotEvent
 *    (unique per customer and EventBridge id) and, for a 2-minute warning, enqueue the URGENT drain at once —
 *    before anything slow — so the agent starts draining within the latency goal.
 * 2. Then, concurrently: launch the replacement (ML-chosen safe Spot pool, else on-demand), store what was done
 *    on the event, and only then delete (ack) the message.
 *
 * A redelivered message finds its event stored: when the handling finished it is only acked; when it did not
 * (a crash, a transient failure) it is resumed — the drain's idempotency key (`spot:<event id>`) and the
 * launch's client token / tag (`spot-<event id>`) make every step safe to repeat. Duplicates received while the
 * first copy is still being handled wait for it and are acked after it.
 */
import type { InterruptionEvent, InterruptionSource, InterruptionWarningEvent, ReceivedMessage, RebalanceRecommendationEvent, InstanceStateChangeEvent } from '@cloudoptim/cloud';
import { isAppError, type SpotActionTaken } from '@cloudoptim/contracts';
import { ClustersRepository, NodesRepository, SpotEventsRepository, SpotReplacementsRepository, type Database, type Node, type SpotEvent } from '@cloudoptim/db';
import type { Market } from '@cloudoptim/market';
import type { Clock, Logger, Registry } from '@cloudoptim/runtime';
import type { AuditLog } from '../audit/audit-log.ts';
import type { CloudAccess } from '../cloud/cloud-access.ts';
import type { MlGateway } from '../ml/ml-gateway.ts';
import type { Notifier } from '../notifications/notifier.ts';
import type { RealtimeHub } from '../realtime/realtime-hub.ts';
import type { ClusterSettingsReader } from '../settings/cluster-settings.ts';
import { toSpotEventMessage } from '../spot-events/spot-event-wire.ts';
import type { TaskQueue } from '../tasks/task-queue.ts';
import { ReplacementLauncher } from './replacement-launcher.ts';
import { spotHandlerMetrics, type SpotHandlerMetrics } from './spot-handler.metrics.ts';

export const SPOT_HANDLER_ACTOR = 'system:spot-handler';
/** Seconds the drain leaves before the interruption (the kubelet needs a moment to report pods gone). */
const DRAIN_MARGIN_SECONDS = 5;
/** Deadline of the cordon / drain tasks a rebalance recommendation creates. */
const REBALANCE_TASK_DEADLINE_MS = 30 * 60_000;
/** Error codes worth a redelivery (the replacement is retried) rather than giving up. */
const TRANSIENT = new Set(['UNAVAILABLE', 'RATE_LIMITED', 'INTERNAL', 'CONFLICT']);

/** What the handler needs of central (a subset of CentralContext, so tests can build it from fakes). */
export interface SpotHandlerDeps {
  db: Database;
  clock: Clock;
  log: Logger;
  market: Market;
  metrics: Registry;
  tasks: TaskQueue;
  ml: MlGateway;
  settings: ClusterSettingsReader;
  cloud: CloudAccess;
  audit: AuditLog;
  realtime: RealtimeHub;
  notifier?: Notifier;
}

/** The queue a batch came from: whose it is and the clusters that name it in their settings. */
export interface QueueOwner {
  customerId: string;
  clusterIds: readonly string[];
}

type Finish = () => Promise<void>;

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // awaited by duplicates only when there are some
  return { promise, resolve, reject };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class InterruptionHandler {
  private readonly nodes: NodesRepository;
  private readonly clusters: ClustersRepository;
  private readonly events: SpotEventsRepository;
  private readonly replacements: SpotReplacementsRepository;
  private readonly launcher: ReplacementLauncher;
  private readonly metrics: SpotHandlerMetrics;
  /** Events being handled in this process, by `<customer>|<event id>`. */
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(private readonly deps: SpotHandlerDeps) {
    this.nodes = new NodesRepository(deps.db.db);
    this.clusters = new ClustersRepository(deps.db.db);
    this.events = new SpotEventsRepository(deps.db.db);
    this.replacements = new SpotReplacementsRepository(deps.db.db);
    this.launcher = new ReplacementLauncher(deps);
    this.metrics = spotHandlerMetrics(deps.metrics);
  }

  /**
   * Handles one received batch: every urgent drain first, then the slow part of each message, each message
   * acked once its outcome is stored. Never throws: a message that could not be handled stays unacked and
   * comes back after the queue's visibility timeout.
   */
  async handleBatch(owner: QueueOwner, source: InterruptionSource, messages: readonly ReceivedMessage[]): Promise<void> {
    const finishes: Finish[] = [];
    for (const message of messages) {
      try {
        finishes.push(await this.begin(owner, message, () => source.ack(message)));
      } catch (error) {
        this.deps.log.error({ customerId: owner.customerId, messageId: message.receipt.messageId, err: errorText(error) }, 'spot handler: message not handled; it will be redelivered');
      }
    }
    await Promise.all(
      finishes.map(async (finish) => {
        try {
          await finish();
        } catch (error) {
          this.deps.log.error({ customerId: owner.customerId, err: errorText(error) }, 'spot handler: handling did not finish; the message will be redelivered');
        }
      }),
    );
  }

  /** Phase 1 of one message; returns its phase 2 (which ends with the ack). */
  private async begin(owner: QueueOwner, message: ReceivedMessage, ack: () => Promise<void>): Promise<Finish> {
    if (message.type === 'malformed') {
      this.deps.log.warn({ customerId: owner.customerId, messageId: message.receipt.messageId, reason: message.reason }, 'spot handler: malformed message dropped');
      this.metrics.handled.inc({ type: 'malformed', action: 'none' });
      return ack;
    }
    const key = `${owner.customerId}|${message.eventId}`;
    const running = this.inFlight.get(key);
    if (running) {
      return async () => {
        await running; // a failure leaves this copy unacked too: it is redelivered and resumed
        await ack();
      };
    }
    const done = deferred();
    this.inFlight.set(key, done.promise);
    const settle = async (finish: Finish): Promise<void> => {
      try {
        await finish();
        done.resolve();
      } catch (error) {
        done.reject(error);
        throw error;
      } finally {
        this.inFlight.delete(key);
      }
    };
    try {
      const finish = await this.beginEvent(owner, message);
      return () =>
        settle(async () => {
          await finish();
          await ack();
        });
    } catch (error) {
      this.inFlight.delete(key);
      done.reject(error);
      throw error;
    }
  }

  private beginEvent(owner: QueueOwner, event: InterruptionEvent): Promise<Finish> {
    switch (event.type) {
      case 'interruption_warning':
        return this.beginWarning(owner, event);
      case 'rebalance_recommendation':
        return this.beginRebalance(owner, event);
      case 'instance_state_change':
        return this.beginStateChange(owner, event);
    }
  }

  private async beginWarning(owner: QueueOwner, event: InterruptionWarningEvent): Promise<Finish> {
    const node = await this.nodes.findByInstanceId(owner.customerId, event.instanceId);
    const recorded = await this.record(owner.customerId, event, node, { eventType: 'interruption_warning', interruptionTime: new Date(event.deadlineMs), actionTaken: node ? 'pending' : 'none' });
    if (!recorded) return async () => undefined;
    const { stored, inserted } = recorded;
    if (!node) {
      this.metrics.handled.inc({ type: event.type, action: 'none' });
      this.deps.log.info({ customerId: owner.customerId, instanceId: event.instanceId, eventId: event.eventId }, 'spot handler: interruption warning for an instance that is no managed node');
      return async () => undefined;
    }
    const drained = await this.enqueueUrgentDrain(owner.customerId, node, event);
    if (drained && inserted) this.metrics.drainLatency.observe(Math.max(0, this.deps.clock.now() - (event.receipt.sentAtMs ?? event.timeMs)) / 1000);
    return () => this.replace(owner.customerId, node, stored, event, 'interruption');
  }

  private async beginRebalance(owner: QueueOwner, event: RebalanceRecommendationEvent): Promise<Finish> {
    const node = await this.nodes.findByInstanceId(owner.customerId, event.instanceId);
    const policy = node ? (await this.deps.settings.get(owner.customerId, node.clusterId)).settings.rebalance_policy : 'ignore';
    const recorded = await this.record(owner.customerId, event, node, { eventType: 'rebalance_recommendation', interruptionTime: null, actionTaken: node && policy !== 'ignore' ? 'pending' : 'none' });
    if (!recorded) return async () => undefined;
    if (!node || policy === 'ignore') {
      this.metrics.handled.inc({ type: event.type, action: 'none' });
      return async () => undefined;
    }
    if (policy === 'replace') return () => this.replace(owner.customerId, node, recorded.stored, event, 'rebalance');
    return async () => {
      const deadline = new Date(this.deps.clock.now() + REBALANCE_TASK_DEADLINE_MS);
      const task = await this.deps.tasks.enqueue({
        customerId: owner.customerId,
        clusterId: node.clusterId,
        taskType: 'cordon_node',
        parameters: { node_name: node.nodeName, instance_id: node.instanceId, reason: `EC2 rebalance recommendation (event ${event.eventId})` },
        priority: 2,
        deadline,
        createdBy: 'spot-handler',
        idempotencyKey: `spot:${event.eventId}`,
      });
      await this.audit(owner.customerId, node.clusterId, 'node.cordon', `node/${node.nodeName}`, { spot_event_id: event.eventId, task_id: task.task.task_id, reason: 'rebalance_recommendation' });
      await this.conclude(owner.customerId, recorded.stored, event.type, 'cordoned', null);
    };
  }

  private async beginStateChange(owner: QueueOwner, event: InstanceStateChangeEvent): Promise<Finish> {
    if (event.state !== 'terminated') {
      this.metrics.handled.inc({ type: 'ignored', action: 'none' });
      return async () => undefined;
    }
    const node = await this.nodes.findByInstanceId(owner.customerId, event.instanceId);
    const clusterIds = node ? [node.clusterId] : owner.clusterIds;
    let replacementCluster: string | null = null;
    for (const clusterId of clusterIds) {
      if (await this.replacements.markTerminated(owner.customerId, clusterId, event.instanceId)) replacementCluster = clusterId;
    }
    if (node) await this.nodes.removeByInstanceId(owner.customerId, node.clusterId, event.instanceId);
    if (!node && replacementCluster === null) {
      this.metrics.handled.inc({ type: 'ignored', action: 'none' });
      return async () => undefined; // an instance CloudOptim does not manage
    }
    const recorded = await this.record(owner.customerId, event, node, { eventType: 'instance_terminated', interruptionTime: null, actionTaken: 'none', clusterId: node?.clusterId ?? replacementCluster });
    if (recorded?.inserted) this.metrics.handled.inc({ type: 'instance_terminated', action: 'none' });
    return async () => undefined;
  }

  /**
   * Stores the event. Returns null when it was stored before and its handling finished (nothing left to do but
   * ack); otherwise the stored event and whether this call inserted it.
   */
  private async record(
    customerId: string,
    event: InterruptionEvent,
    node: Node | null,
    fields: { eventType: SpotEvent['eventType']; interruptionTime: Date | null; actionTaken: SpotActionTaken; clusterId?: string | null },
  ): Promise<{ stored: SpotEvent; inserted: boolean } | null> {
    const { inserted, event: stored } = await this.events.record(customerId, {
      eventId: event.eventId,
      eventType: fields.eventType,
      instanceId: event.instanceId,
      region: event.region,
      availabilityZone: node?.availabilityZone ?? event.availabilityZone,
      receivedAt: new Date(this.deps.clock.now()),
      interruptionTime: fields.interruptionTime,
      clusterId: fields.clusterId !== undefined ? fields.clusterId : (node?.clusterId ?? null),
      nodeName: node?.nodeName ?? null,
      actionTaken: fields.actionTaken,
    });
    if (inserted) {
      await this.publish(customerId, stored, null);
      return { stored, inserted };
    }
    if (stored.actionTaken === 'pending') {
      this.deps.log.info({ customerId, eventId: event.eventId }, 'spot handler: resuming an event whose handling did not finish');
      return { stored, inserted };
    }
    this.deps.log.info({ customerId, eventId: event.eventId, messageId: event.receipt.messageId }, 'spot handler: duplicate message of a handled event acked');
    return null;
  }

  /** The urgent drain of an interrupted node; false when the interruption time has already passed. */
  private async enqueueUrgentDrain(customerId: string, node: Node, event: InterruptionWarningEvent): Promise<boolean> {
    const now = this.deps.clock.now();
    const secondsLeft = Math.floor((event.deadlineMs - now) / 1000) - DRAIN_MARGIN_SECONDS;
    if (event.deadlineMs <= now) {
      this.deps.log.warn({ customerId, eventId: event.eventId, node: node.nodeName }, 'spot handler: the interruption time has passed; no drain');
      return false;
    }
    const task = await this.deps.tasks.enqueue({
      customerId,
      clusterId: node.clusterId,
      taskType: 'drain_node',
      parameters: {
        node_name: node.nodeName,
        instance_id: node.instanceId,
        grace_period_seconds: null,
        timeout_seconds: Math.max(1, secondsLeft),
        respect_pdb: true,
        ignore_daemonsets: true,
        delete_emptydir_data: true,
        include_do_not_disrupt: true,
        // The node is going away: bare pods die with it either way, so they must not stop the drain.
        force: true,
      },
      priority: 1,
      deadline: new Date(event.deadlineMs),
      createdBy: 'spot-handler',
      idempotencyKey: `spot:${event.eventId}`,
      urgent: true,
      interruptionTime: new Date(event.deadlineMs),
    });
    await this.audit(customerId, node.clusterId, 'node.drain', `node/${node.nodeName}`, { spot_event_id: event.eventId, task_id: task.task.task_id, reason: 'spot_interruption_warning', interruption_time: new Date(event.deadlineMs).toISOString() });
    return true;
  }

  /** Phase 2 of a warning or a `replace` rebalance: launch the replacement, then store the outcome. */
  private async replace(customerId: string, node: Node, stored: SpotEvent, event: InterruptionWarningEvent | RebalanceRecommendationEvent, trigger: 'interruption' | 'rebalance'): Promise<void> {
    const cluster = await this.clusters.get(customerId, node.clusterId);
    const { settings } = await this.deps.settings.get(customerId, node.clusterId);
    const { provider } = await this.deps.cloud.forCluster({ customerId, clusterId: cluster.id, region: cluster.region });
    const clusterNodes = await this.nodes.list(customerId, cluster.id);
    let action: SpotActionTaken;
    let replacementId: string | null = null;
    try {
      const launched = await this.launcher.launch({ cluster, settings, provider, node, clusterNodes, eventId: event.eventId, trigger });
      const { instance } = launched;
      replacementId = instance.instanceId;
      action = instance.capacityType === 'spot' ? 'replaced_spot' : 'replaced_on_demand';
      await this.replacements.record(customerId, cluster.id, {
        spotEventId: stored.id,
        instanceId: instance.instanceId,
        instanceType: instance.instanceType,
        availabilityZone: instance.availabilityZone,
        capacityType: instance.capacityType,
        launchedAt: new Date(instance.launchTimeMs),
      });
      if (launched.launchedNow) {
        await this.audit(customerId, cluster.id, 'instance.launch', `instance/${instance.instanceId}`, { spot_event_id: event.eventId, replaces: node.instanceId, instance_type: instance.instanceType, availability_zone: instance.availabilityZone, capacity_type: instance.capacityType, reason: launched.choice.reason });
      }
    } catch (error) {
      const deadline = event.type === 'interruption_warning' ? event.deadlineMs : Number.POSITIVE_INFINITY;
      if (isAppError(error) && TRANSIENT.has(error.code) && this.deps.clock.now() < deadline) throw error; // redelivered and resumed
      this.deps.log.error({ customerId, clusterId: cluster.id, eventId: event.eventId, err: errorText(error) }, 'spot handler: the replacement could not be launched');
      action = 'failed';
    }
    if (trigger === 'rebalance' && action !== 'failed') {
      await this.deps.tasks.enqueue({
        customerId,
        clusterId: cluster.id,
        taskType: 'drain_node',
        parameters: { node_name: node.nodeName, instance_id: node.instanceId, timeout_seconds: 1200, respect_pdb: true, include_do_not_disrupt: false },
        priority: 3,
        deadline: new Date(this.deps.clock.now() + REBALANCE_TASK_DEADLINE_MS),
        createdBy: 'spot-handler',
        idempotencyKey: `spot:${event.eventId}`,
      });
    }
    await this.conclude(customerId, stored, event.type, action, replacementId);
  }

  /** Stores the outcome on the event, counts it, tells the admins and the customer's channels. */
  private async conclude(customerId: string, stored: SpotEvent, type: string, action: SpotActionTaken, replacementId: string | null): Promise<void> {
    const updated = (await this.events.update(customerId, stored.id, { actionTaken: action, replacementInstanceId: replacementId })) ?? stored;
    this.metrics.handled.inc({ type, action });
    await this.publish(customerId, updated, new Date(this.deps.clock.now()));
    if (this.deps.notifier) {
      const where = updated.nodeName ?? updated.instanceId;
      const what = { replaced_spot: `replaced by Spot instance ${replacementId}`, replaced_on_demand: `replaced by on-demand instance ${replacementId}`, cordoned: 'cordoned', failed: 'drained, but no replacement could be launched' }[action as string] ?? action;
      await this.deps.notifier
        .notify(customerId, {
          type: 'interruption_handled',
          key: `spot:${updated.eventId}`,
          clusterId: updated.clusterId,
          title: `Spot ${type === 'interruption_warning' ? 'interruption' : 'rebalance recommendation'} on ${where}: ${what}`,
          text: `Instance ${updated.instanceId}${updated.interruptionTime ? ` is reclaimed at ${updated.interruptionTime.toISOString()}` : ''}; action taken: ${action}.`,
          facts: { event_id: updated.eventId, event_type: updated.eventType, instance_id: updated.instanceId, node_name: updated.nodeName, action_taken: action, replacement_instance_id: replacementId },
          occurredAt: updated.receivedAt,
        })
        .catch((error: unknown) => this.deps.log.warn({ customerId, err: errorText(error) }, 'spot handler: notification not queued'));
    }
  }

  private async publish(customerId: string, event: SpotEvent, handledAt: Date | null): Promise<void> {
    const message = toSpotEventMessage(event, handledAt);
    if (!message) return;
    await this.deps.realtime
      .publishToAdmins(customerId, { type: 'spot_event', v: 1, id: `spot-${event.id}-${event.actionTaken ?? 'none'}`, sent_at: new Date(this.deps.clock.now()).toISOString(), event: message })
      .catch((error: unknown) => this.deps.log.warn({ customerId, err: errorText(error) }, 'spot handler: admin stream publish failed'));
  }

  private async audit(customerId: string, clusterId: string, action: string, target: string, details: Record<string, unknown>): Promise<void> {
    await this.deps.audit.record({ customerId, clusterId, actor: SPOT_HANDLER_ACTOR, action, target, details }).catch((error: unknown) => this.deps.log.warn({ customerId, action, err: errorText(error) }, 'spot handler: audit record failed'));
  }
}
