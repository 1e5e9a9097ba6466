/**
 * startAgent: composes the agent from its dependencies (a KubeGateway, a central client, a Clock, a Logger) —
 * the task executor, the metrics collector (every `metricsIntervalMs`), the event watcher, the outbox, the link
 * to central (heartbeat, poll, flush) and the stream for urgent tasks. Opens no port and reads no environment:
 * main.ts does that, tests pass fakes, the simulator and a ManualClock.
 */
import { TASK_TYPES, type ClusterEvent, type Heartbeat } from '@cloudoptim/contracts';
import type { KubeGateway } from '@cloudoptim/kube';
import type { Clock, Logger } from '@cloudoptim/runtime';
import { AgentMetrics } from './agent-metrics.ts';
import { MetricsCollector } from './collector/metrics-collector.ts';
import type { AgentConfig } from './config.ts';
import { eventId } from './events/event-mapping.ts';
import { EventWatcher } from './events/event-watcher.ts';
import { TaskExecutor } from './executor/task-executor.ts';
import type { Readiness } from './health/health-server.ts';
import { CentralLink, type CentralApi } from './link/central-link.ts';
import { Outbox } from './link/outbox.ts';
import { StreamConnection } from './link/stream-connection.ts';
import { BusyTracker, startLoop } from './loop.ts';
import { AGENT_VERSION } from './version.ts';

export interface AgentDeps {
  config: AgentConfig;
  kube: KubeGateway;
  central: CentralApi;
  clock: Clock;
  log: Logger;
  /** For the stream's reconnect jitter. Default Math.random. */
  random?: () => number;
  metrics?: AgentMetrics;
  /** Kubernetes Events this old are still forwarded at start. Default 10 min. */
  eventLookbackMs?: number;
}

export interface RunningAgent {
  readonly metrics: AgentMetrics;
  readonly executor: TaskExecutor;
  readonly outbox: Outbox;
  readonly link: CentralLink;
  readonly events: EventWatcher;
  /** Whether the stream to central is open. */
  readonly streamConnected: boolean;
  readiness(): Readiness;
  /** Resolves once no periodic work is in progress (tests driving a ManualClock). */
  settled(): Promise<void>;
  /** Stops everything; running tasks end `cancelled`; one last attempt is made to send the outbox. */
  stop(): Promise<void>;
}

const WATCH_RETRY_MS = 60_000;
const clip = (s: string) => (s.length > 500 ? `${s.slice(0, 499)}…` : s);
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function startAgent(deps: AgentDeps): Promise<RunningAgent> {
  const { config, kube, central, clock } = deps;
  const log = deps.log.child({ clusterId: config.clusterId, agentId: config.agentId });
  const startedMs = clock.now();
  const tracker = new BusyTracker();
  const metrics = deps.metrics ?? new AgentMetrics();
  const outbox = new Outbox(config.buffer, log.child({ component: 'outbox' }), metrics);
  const collector = new MetricsCollector({ kube, clock, clusterId: config.clusterId, agentVersion: AGENT_VERSION });
  const state = {
    kubeVersion: null as string | null,
    kubeError: null as string | null,
    lastMetricsAtMs: null as number | null,
    collectorProblems: [] as string[],
    metricsError: null as string | null,
    watchError: null as string | null,
    nextWatchAttemptMs: 0,
    /** Buffer drops central was told about (in an accepted heartbeat). */
    dropsReported: { metrics: 0, events: 0 },
    /** Drops counted into the heartbeat being sent. */
    dropsInHeartbeat: { metrics: 0, events: 0 },
  };
  // The closures below use `centralLink`, created further down: they only run once everything is started.

  const collectAndQueue = async (reason: string | null) => {
    let collected;
    try {
      collected = await collector.collect();
    } catch (err) {
      state.metricsError = messageOf(err);
      metrics.metricsCollections.inc({ outcome: 'failed' });
      throw err;
    }
    outbox.addMetrics(collected.json);
    state.lastMetricsAtMs = clock.now();
    state.collectorProblems = collected.problems;
    state.metricsError = null;
    metrics.metricsCollections.inc({ outcome: 'ok' });
    centralLink.kickFlush();
    return { ...collected.summary, reason };
  };

  const executor = new TaskExecutor({
    kube, clock, log: log.child({ component: 'executor' }), clusterId: config.clusterId, maxConcurrent: config.maxConcurrentTasks,
    collectMetrics: collectAndQueue, metrics,
    drain: { retryIntervalMs: config.drainRetryIntervalMs, maxRetryIntervalMs: config.drainMaxRetryIntervalMs },
    onResult: (result) => {
      outbox.addResult(result);
      centralLink.kickFlush();
    },
  });

  const events = new EventWatcher({
    kube, clock, log: log.child({ component: 'events' }), clusterId: config.clusterId, metrics, lookbackMs: deps.eventLookbackMs,
    emit: (batch) => {
      outbox.addEvents(batch);
      centralLink.kickFlush();
    },
  });

  const probeKube = async () => {
    try {
      state.kubeVersion = await kube.serverVersion();
      state.kubeError = null;
    } catch (err) {
      state.kubeError = messageOf(err);
    }
  };

  const problems = (): string[] => {
    const out: string[] = [];
    if (state.kubeError) out.push(`Kubernetes API not reachable: ${state.kubeError}`);
    if (state.metricsError) out.push(`last metrics collection failed: ${state.metricsError}`);
    out.push(...state.collectorProblems);
    if (state.watchError) out.push(`event watch not running: ${state.watchError}`);
    const total = outbox.dropped;
    const dropped = { metrics: total.metrics - state.dropsReported.metrics, events: total.events - state.dropsReported.events };
    if (dropped.metrics || dropped.events) out.push(`buffer full while central was unreachable: dropped ${dropped.metrics} metrics sample(s) and ${dropped.events} event(s)`);
    if (executor.queued > config.maxConcurrentTasks * 2) out.push(`${executor.queued} tasks waiting for a free slot`);
    return out.slice(0, 20).map(clip);
  };

  const heartbeat = async (): Promise<Heartbeat> => {
    await probeKube();
    state.dropsInHeartbeat = outbox.dropped;
    const p = problems();
    const now = clock.now();
    return {
      cluster_id: config.clusterId,
      agent_id: config.agentId,
      agent_version: AGENT_VERSION,
      timestamp: new Date(now).toISOString(),
      status: p.length > 0 ? 'degraded' : 'healthy',
      uptime_seconds: (now - startedMs) / 1000,
      kubernetes_version: state.kubeVersion?.slice(0, 64) ?? null,
      running_task_ids: executor.runningTaskIds,
      buffered_messages: outbox.depth,
      last_metrics_at: state.lastMetricsAtMs === null ? null : new Date(state.lastMetricsAtMs).toISOString(),
      problems: p,
      supported_task_types: [...TASK_TYPES],
    };
  };

  const centralLink = new CentralLink({
    central, clock, log: log.child({ component: 'link' }), executor, outbox, heartbeat, metrics, tracker,
    onHeartbeatAccepted: () => void (state.dropsReported = state.dropsInHeartbeat),
    heartbeatMs: config.heartbeatIntervalMs, pollMs: config.pollIntervalMs, flushMs: config.flushIntervalMs,
  });
  const started: ClusterEvent = {
    event_id: eventId('agent', `${config.agentId}:${startedMs}`), cluster_id: config.clusterId, kind: 'agent_started',
    occurred_at: new Date(startedMs).toISOString(), node_name: null, instance_id: null, namespace: null, pod_name: null,
    reason: 'AgentStarted', message: `agent ${config.agentId} ${AGENT_VERSION} started`,
  };
  outbox.addEvents([started]);

  await probeKube();
  centralLink.start();
  const metricsLoop = startLoop({ name: 'metrics', clock, log, tracker, intervalMs: () => config.metricsIntervalMs, tick: async () => void (await collectAndQueue(null)) });
  const eventsLoop = startLoop({
    name: 'events', clock, log, tracker, intervalMs: () => config.eventFlushIntervalMs,
    tick: async () => {
      if (!events.watching && clock.now() >= state.nextWatchAttemptMs) {
        try {
          await events.start();
          state.watchError = null;
        } catch (err) {
          state.watchError = messageOf(err);
          state.nextWatchAttemptMs = clock.now() + WATCH_RETRY_MS;
          log.warn({ err: state.watchError }, 'cannot watch Kubernetes events and nodes; retrying in a minute');
        }
      }
      events.flush();
    },
  });

  const stream = config.streamEnabled
    ? new StreamConnection({
        openStream: (handlers) => central.openStream(handlers),
        clock, log: log.child({ component: 'stream' }), random: deps.random ?? Math.random, metrics,
        identity: { cluster_id: config.clusterId, agent_id: config.agentId, agent_version: AGENT_VERSION },
        onEvent: (event) => {
          switch (event.type) {
            case 'task_available':
              centralLink.kickPoll();
              return null;
            case 'urgent_drain':
              log.info({ taskId: event.task.task_id, node: event.task.parameters.node_name, outcome: executor.submit(event.task, { urgent: true }) }, 'urgent drain received');
              return event.task.task_id;
            case 'task_cancelled':
              executor.cancel(event.task_id, event.reason);
              return null;
            case 'config_changed':
              centralLink.kickHeartbeat();
              return null;
          }
        },
        // An urgent drain whose task breaks the contract is still a task: the executor reports it failed.
        onInvalidFrame: (text) => {
          try {
            const frame = JSON.parse(text) as { type?: unknown; task?: unknown };
            if (frame.type === 'urgent_drain' && frame.task !== undefined) executor.submit(frame.task, { urgent: true });
          } catch {
            // not JSON: nothing to report
          }
        },
      })
    : undefined;
  stream?.start();
  log.info({ version: AGENT_VERSION, kubernetesVersion: state.kubeVersion }, 'agent started');

  return {
    metrics,
    executor,
    outbox,
    link: centralLink,
    events,
    get streamConnected() {
      return stream?.connected ?? false;
    },
    readiness() {
      const reasons: string[] = [];
      if (state.kubeError || state.kubeVersion === null) reasons.push(`Kubernetes API not reachable${state.kubeError ? `: ${state.kubeError}` : ''}`);
      if (!centralLink.registered) reasons.push('not registered with central yet (no heartbeat accepted)');
      return { ready: reasons.length === 0, reasons };
    },
    settled: () => tracker.settled(),
    async stop() {
      stream?.stop();
      await Promise.all([metricsLoop.stop(), eventsLoop.stop()]);
      await events.stop();
      await executor.stop();
      await centralLink.stop();
      await centralLink.flushNow().catch((err: unknown) => log.warn({ err: messageOf(err), buffered: outbox.depth }, 'could not send everything before stopping'));
      log.info({}, 'agent stopped');
    },
  };
}
