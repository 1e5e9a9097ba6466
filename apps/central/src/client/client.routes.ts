/**
 * The client API (SPEC §3) agents call with their cluster's API key: task polls and results, metrics, events and
 * heartbeats, plus the WebSocket stream (client-stream.routes.ts). A key reaches its own cluster only: a body
 * naming another cluster is FORBIDDEN, a task of another cluster NOT_FOUND.
 */
import { z } from 'zod';
import {
  AppError,
  ClusterEventBatchSchema,
  ClusterMetricsSchema,
  HeartbeatResponseSchema,
  HeartbeatSchema,
  IngestAckSchema,
  TaskIdSchema,
  TaskPollQuerySchema,
  TaskPollResponseSchema,
  TaskResultAckSchema,
  TaskResultSchema,
} from '@cloudoptim/contracts';
import { AgentHeartbeatsRepository, ClusterEventsRepository } from '@cloudoptim/db';
import type { AgentPrincipal } from '../auth/principal.ts';
import type { Feature } from '../features.ts';
import { healthOf } from '../health/cluster-health.ts';
import { publishHealthChange } from '../health/health-updates.ts';
import { NodePricing } from '../pricing/node-pricing.ts';
import { leaseHolderOf } from '../tasks/lease-holder.ts';
import { TaskLeases } from '../tasks/task-leases.ts';
import { registerClientStream } from './client-stream.routes.ts';
import { ingestSizes } from './ingest-metrics.ts';
import { MetricsIngest } from './metrics-ingest.service.ts';

/** How often agents should poll for tasks (SPEC §1: every 10 s, nudged over the stream for urgent ones). */
export const POLL_INTERVAL_SECONDS = 10;

const TAG = 'client';
const TaskParamsSchema = z.object({ task_id: TaskIdSchema });

/** @throws FORBIDDEN when a message names a cluster other than the key's. */
export function assertOwnCluster(agent: AgentPrincipal, clusterId: string | undefined, what: string): void {
  if (clusterId !== undefined && clusterId !== agent.clusterId) {
    throw new AppError('FORBIDDEN', `this API key belongs to another cluster than the ${what} names`, { cluster_id: clusterId });
  }
}

export const clientFeature: Feature = (routes, app, ctx) => {
  const leases = new TaskLeases({ db: ctx.db, clock: ctx.clock, log: ctx.log, realtime: ctx.realtime, metrics: ctx.metrics, leaseSeconds: ctx.config.TASK_LEASE_SECONDS });
  const pricing = new NodePricing(ctx.market, { log: ctx.log });
  const ingest = new MetricsIngest({ db: ctx.db, clock: ctx.clock, log: ctx.log, realtime: ctx.realtime, metrics: ctx.metrics, pricing, heartbeatSeconds: ctx.config.AGENT_HEARTBEAT_SECONDS });
  const heartbeats = new AgentHeartbeatsRepository(ctx.db.db);
  const sizes = ingestSizes(ctx.metrics);
  const now = () => new Date(ctx.clock.now());

  routes.define({
    method: 'GET',
    path: '/api/v1/client/tasks',
    summary: 'Lease the next tasks of the cluster (most urgent first)',
    tag: TAG,
    auth: 'agent',
    query: TaskPollQuerySchema,
    response: TaskPollResponseSchema,
    handler: ({ req, principal, query }) => leases.poll(leaseHolderOf(principal, req), query.max),
  });

  routes.define({
    method: 'POST',
    path: '/api/v1/client/tasks/:task_id/result',
    summary: 'Report how a leased task ended (idempotent)',
    tag: TAG,
    auth: 'agent',
    params: TaskParamsSchema,
    body: TaskResultSchema,
    response: TaskResultAckSchema,
    handler: async ({ principal, params, body }) => {
      if (body.task_id !== params.task_id) {
        throw new AppError('VALIDATION_FAILED', 'request body is invalid: task_id differs from the path', { issues: [{ path: 'task_id', message: 'must equal the task_id in the path' }] });
      }
      assertOwnCluster(principal, body.cluster_id, 'result');
      return leases.recordResult(principal, params.task_id, body);
    },
  });

  routes.define({
    method: 'POST',
    path: '/api/v1/client/metrics',
    summary: 'Send a ClusterMetrics snapshot (nodes, pods, totals)',
    tag: TAG,
    auth: 'agent',
    body: ClusterMetricsSchema,
    response: IngestAckSchema,
    handler: async ({ principal, body }) => {
      assertOwnCluster(principal, body.cluster_id, 'metrics report');
      return ingest.ingest(principal, body);
    },
  });

  routes.define({
    method: 'POST',
    path: '/api/v1/client/events',
    summary: 'Send Kubernetes events (deduplicated by event_id)',
    tag: TAG,
    auth: 'agent',
    body: ClusterEventBatchSchema,
    response: IngestAckSchema,
    handler: async ({ principal, body }) => {
      for (const event of body.events) assertOwnCluster(principal, event.cluster_id, `event ${event.event_id}`);
      sizes.observe({ kind: 'events' }, body.events.length);
      const received = now();
      const ack = await new ClusterEventsRepository(ctx.db.db).record(principal.customerId, principal.clusterId, body.events, received);
      return { ...ack, server_time: received.toISOString() };
    },
  });

  routes.define({
    method: 'POST',
    path: '/api/v1/client/heartbeat',
    summary: 'Report the agent is alive; answers with pending work and the settings version',
    tag: TAG,
    auth: 'agent',
    body: HeartbeatSchema,
    response: HeartbeatResponseSchema,
    handler: async ({ req, principal, body }) => {
      assertOwnCluster(principal, body.cluster_id, 'heartbeat');
      const received = now();
      // Renewed first so the pending count the beat answers with already leaves them out.
      await leases.heartbeat(leaseHolderOf(principal, req), body.running_task_ids);
      const health = healthOf({ lastHeartbeatAt: received, agentStatus: body.status }, received.getTime(), ctx.config.AGENT_HEARTBEAT_SECONDS);
      // One statement: heartbeat, last_heartbeat_at, health (with the one it replaced), settings version, pending count.
      const beat = await heartbeats.beat(principal.customerId, principal.clusterId, body, { receivedAt: received, health, now: received });
      if (beat.previousHealth !== health) await publishHealthChange(ctx, principal.customerId, principal.clusterId, health);
      return { server_time: received.toISOString(), pending_tasks: beat.pendingTasks, config_version: beat.configVersion, poll_interval_seconds: POLL_INTERVAL_SECONDS };
    },
  });

  registerClientStream(routes, app, ctx, leases);
};
