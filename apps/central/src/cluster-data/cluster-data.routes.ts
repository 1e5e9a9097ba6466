/**
 * Admin reads of a cluster's data — state, nodes, pods, events, tasks — and task cancellation. Every route first
 * resolves the cluster for the signed-in user: another customer's cluster answers 404 like one that does not exist.
 */
import { AppError, ClusterStateSchema } from '@cloudoptim/contracts';
import { ClusterEventsRepository, ClusterMetricsRepository, PodsRepository, TasksRepository } from '@cloudoptim/db';
import { assertCanWrite } from '../auth/principal.ts';
import { visibleCluster } from '../clusters/cluster-access.ts';
import type { Feature } from '../features.ts';
import { NodePricing } from '../pricing/node-pricing.ts';
import { AdminTaskSchema, toAdminTask } from '../tasks/task-view.ts';
import {
  CancelTaskBodySchema,
  ClusterEventsSchema,
  ClusterNodesSchema,
  ClusterParamsSchema,
  ClusterPodsSchema,
  ClusterTaskParamsSchema,
  ClusterTasksSchema,
  EventsQuerySchema,
  PodsQuerySchema,
  TasksQuerySchema,
  nextOffset,
} from './cluster-data.schemas.ts';
import { clusterStateOf, currentHealth } from './cluster-state.ts';

const TAG = 'clusters';
const BASE = '/api/v1/admin/clusters/:cluster_id';

export const clusterDataFeature: Feature = (routes, _app, ctx) => {
  const pricing = new NodePricing(ctx.market, { log: ctx.log });
  const tasks = new TasksRepository(ctx.db.db);

  routes.define({
    method: 'GET',
    path: `${BASE}/state`,
    summary: 'The cluster’s ClusterState (health computed now from its agent’s heartbeats)',
    tag: TAG,
    auth: 'user',
    params: ClusterParamsSchema,
    response: ClusterStateSchema,
    handler: async ({ principal, params }) => {
      const cluster = await visibleCluster(ctx.db, principal, params.cluster_id);
      return clusterStateOf(cluster, await currentHealth(ctx.db, cluster, ctx.clock.now(), ctx.config.AGENT_HEARTBEAT_SECONDS));
    },
  });

  routes.define({
    method: 'GET',
    path: `${BASE}/nodes`,
    summary: 'The cluster’s nodes from its latest metrics, priced now',
    tag: TAG,
    auth: 'user',
    params: ClusterParamsSchema,
    response: ClusterNodesSchema,
    handler: async ({ principal, params }) => {
      const cluster = await visibleCluster(ctx.db, principal, params.cluster_id);
      const latest = await new ClusterMetricsRepository(ctx.db.db).latest(cluster.customerId, cluster.id);
      if (!latest) return { cluster_id: cluster.id, as_of: null, nodes: [] };
      const nodes = latest.metrics.nodes;
      const cost = await pricing.clusterCost(
        cluster.region,
        nodes.map((n) => ({ instanceType: n.instance_type, availabilityZone: n.availability_zone, capacityType: n.node_type, reportedUsdPerHour: n.hourly_price })),
        new Date(ctx.clock.now()),
      );
      return { cluster_id: cluster.id, as_of: latest.metrics.timestamp, nodes: nodes.map((node, i) => ({ ...node, hourly_price: cost.prices[i]!.usdPerHour })) };
    },
  });

  routes.define({
    method: 'GET',
    path: `${BASE}/pods`,
    summary: 'The cluster’s pods from its latest metrics (filter by namespace and node)',
    tag: TAG,
    auth: 'user',
    params: ClusterParamsSchema,
    query: PodsQuerySchema,
    response: ClusterPodsSchema,
    handler: async ({ principal, params, query }) => {
      const cluster = await visibleCluster(ctx.db, principal, params.cluster_id);
      const pods = await new PodsRepository(ctx.db.db).list(cluster.customerId, cluster.id, { namespace: query.namespace, nodeName: query.node, limit: query.limit, offset: query.offset });
      return {
        cluster_id: cluster.id,
        pods: pods.map((p) => ({
          namespace: p.namespace,
          pod_name: p.podName,
          node_name: p.nodeName,
          phase: p.phase,
          owner: p.owner,
          containers: p.containers,
          cpu_request_millicores: p.cpuRequestMillicores,
          memory_request_bytes: p.memoryRequestBytes,
          cpu_usage_millicores: p.cpuUsageMillicores,
          memory_usage_bytes: p.memoryUsageBytes,
          restarts: p.restarts,
          oom_kills: p.oomKills,
          observed_at: p.observedAt.toISOString(),
        })),
        next_offset: nextOffset(pods.length, query),
      };
    },
  });

  routes.define({
    method: 'GET',
    path: `${BASE}/events`,
    summary: 'The cluster’s Kubernetes events, most recent first (paged)',
    tag: TAG,
    auth: 'user',
    params: ClusterParamsSchema,
    query: EventsQuerySchema,
    response: ClusterEventsSchema,
    handler: async ({ principal, params, query }) => {
      const cluster = await visibleCluster(ctx.db, principal, params.cluster_id);
      const events = await new ClusterEventsRepository(ctx.db.db).list(cluster.customerId, cluster.id, query);
      return { cluster_id: cluster.id, events: events.map((e) => ({ ...e.event, received_at: e.receivedAt.toISOString() })), next_offset: nextOffset(events.length, query) };
    },
  });

  routes.define({
    method: 'GET',
    path: `${BASE}/tasks`,
    summary: 'The cluster’s tasks, newest first (filter by status and type; paged)',
    tag: TAG,
    auth: 'user',
    params: ClusterParamsSchema,
    query: TasksQuerySchema,
    response: ClusterTasksSchema,
    handler: async ({ principal, params, query }) => {
      const cluster = await visibleCluster(ctx.db, principal, params.cluster_id);
      const list = await tasks.list(cluster.customerId, cluster.id, { status: query.status, taskType: query.type, limit: query.limit, offset: query.offset });
      return { cluster_id: cluster.id, tasks: list.map(toAdminTask), next_offset: nextOffset(list.length, query) };
    },
  });

  routes.define({
    method: 'GET',
    path: `${BASE}/tasks/:task_id`,
    summary: 'One task with its lease and result',
    tag: TAG,
    auth: 'user',
    params: ClusterTaskParamsSchema,
    response: AdminTaskSchema,
    handler: async ({ principal, params }) => {
      const cluster = await visibleCluster(ctx.db, principal, params.cluster_id);
      const task = await tasks.find(cluster.customerId, cluster.id, params.task_id);
      if (!task) throw new AppError('NOT_FOUND', `task ${params.task_id} not found`, { id: params.task_id });
      return toAdminTask(task);
    },
  });

  routes.define({
    method: 'POST',
    path: `${BASE}/tasks/:task_id/cancel`,
    summary: 'Cancel a task that has not finished (the agent is told to stop)',
    tag: TAG,
    auth: 'user',
    roles: ['operator', 'customer_admin'],
    params: ClusterTaskParamsSchema,
    body: CancelTaskBodySchema,
    response: AdminTaskSchema,
    handler: async ({ req, principal, params, body }) => {
      assertCanWrite(principal);
      const cluster = await visibleCluster(ctx.db, principal, params.cluster_id);
      const before = await tasks.find(cluster.customerId, cluster.id, params.task_id);
      if (!before) throw new AppError('NOT_FOUND', `task ${params.task_id} not found`, { id: params.task_id });
      if (!['pending', 'leased', 'running'].includes(before.status)) throw new AppError('CONFLICT', `the task already ended (${before.status})`, { status: before.status });
      const reason = body?.reason ?? `cancelled by ${principal.email}`;
      await ctx.tasks.cancel(cluster.id, before.id, reason);
      const after = (await tasks.find(cluster.customerId, cluster.id, before.id))!;
      if (after.status !== 'cancelled') throw new AppError('CONFLICT', `the task ended (${after.status}) before it could be cancelled`, { status: after.status });
      await ctx.audit.record({
        customerId: cluster.customerId,
        clusterId: cluster.id,
        actor: `user:${principal.email}`,
        action: 'task.cancel',
        target: `task/${before.id}`,
        details: { task_type: before.taskType, previous_status: before.status, reason },
        requestId: req.id,
      });
      return toAdminTask(after);
    },
  });
};
