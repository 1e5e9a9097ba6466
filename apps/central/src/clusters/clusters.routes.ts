/**
 * Clusters for people: register (the agent key and install commands are in this answer and never again), list,
 * read, delete, and the cluster's agent keys (list, rotate, revoke). Customer admins act on their own customer's
 * clusters, operators on any; viewers read. Another customer's cluster is NOT_FOUND.
 */
import { z } from 'zod';
import { AppError, AwsRegionSchema, ClusterIdSchema, IsoDateTimeSchema } from '@cloudoptim/contracts';
import { ClustersRepository, isAgentKeyActive, type AgentKey, type Cluster } from '@cloudoptim/db';
import { AgentKeysService, MAX_ROTATION_GRACE_SECONDS } from '../auth/agent-keys.service.ts';
import { customerScope } from '../auth/principal.ts';
import type { Feature } from '../features.ts';
import { PageQuerySchema } from '../customers/customers.routes.ts';
import { targetCustomer, visibleCluster } from './cluster-access.ts';
import { registerCluster } from './cluster-registration.service.ts';
import { installCommands } from './install-command.ts';

const ClusterSummarySchema = z.object({
  cluster_id: z.uuid(),
  customer_id: z.uuid(),
  cluster_name: z.string(),
  region: z.string(),
  aws_account_id: z.string().nullable(),
  /** null until the agent's first report. */
  health_status: z.enum(['GREEN', 'YELLOW', 'RED']).nullable(),
  total_nodes: z.number().int(),
  spot_nodes: z.number().int(),
  on_demand_nodes: z.number().int(),
  total_pods: z.number().int(),
  pending_pods: z.number().int(),
  current_cost_per_hour: z.number(),
  baseline_cost_per_hour: z.number(),
  last_updated: IsoDateTimeSchema.nullable(),
  last_heartbeat_at: IsoDateTimeSchema.nullable(),
  created_at: IsoDateTimeSchema,
});

function toSummary(cluster: Cluster): z.input<typeof ClusterSummarySchema> {
  return {
    cluster_id: cluster.id,
    customer_id: cluster.customerId,
    cluster_name: cluster.name,
    region: cluster.region,
    aws_account_id: cluster.awsAccountId,
    health_status: cluster.healthStatus,
    total_nodes: cluster.totalNodes,
    spot_nodes: cluster.spotNodes,
    on_demand_nodes: cluster.onDemandNodes,
    total_pods: cluster.totalPods,
    pending_pods: cluster.pendingPods,
    current_cost_per_hour: cluster.currentCostPerHour,
    baseline_cost_per_hour: cluster.baselineCostPerHour,
    last_updated: cluster.lastUpdated?.toISOString() ?? null,
    last_heartbeat_at: cluster.lastHeartbeatAt?.toISOString() ?? null,
    created_at: cluster.createdAt.toISOString(),
  };
}

const AgentKeyViewSchema = z.object({
  key_id: z.uuid(),
  /** The key's first characters, to tell keys apart; never the key. */
  prefix: z.string(),
  created_at: IsoDateTimeSchema,
  /** When it stops (or stopped) working; null: until revoked. */
  revoked_at: IsoDateTimeSchema.nullable(),
  last_used_at: IsoDateTimeSchema.nullable(),
  active: z.boolean(),
});

const InstallCommandsSchema = z.object({ script: z.string(), kubectl: z.string() });

/** A new key: shown in this answer only. */
const IssuedKeySchema = z.object({
  api_key: z.string(),
  key: AgentKeyViewSchema,
  install_command: z.string(),
  install_commands: InstallCommandsSchema,
});

const RegisterBodySchema = z.object({
  cluster_name: z.string().trim().min(1).max(100),
  region: AwsRegionSchema,
  /** Required for operators; customer users may omit it (their own customer). */
  customer_id: z.string().min(1).max(128).optional(),
  aws_account_id: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id').optional(),
});
const ClusterParamsSchema = z.object({ cluster_id: ClusterIdSchema });
const KeyParamsSchema = z.object({ cluster_id: ClusterIdSchema, key_id: z.string().min(1).max(128) });
const RotateBodySchema = z
  .object({ grace_seconds: z.number().int().min(0).max(MAX_ROTATION_GRACE_SECONDS).default(0) })
  .strict()
  .optional();
const ListQuerySchema = PageQuerySchema.extend({ customer_id: z.string().min(1).max(128).optional() });

const WRITERS = ['operator', 'customer_admin'] as const;

export const clustersFeature: Feature = (routes, _app, ctx) => {
  const clusters = new ClustersRepository(ctx.db.db);
  const keys = new AgentKeysService(ctx.db, ctx.clock, ctx.auth);
  const keyView = (key: AgentKey): z.input<typeof AgentKeyViewSchema> => ({
    key_id: key.id,
    prefix: key.prefix,
    created_at: key.createdAt.toISOString(),
    revoked_at: key.revokedAt?.toISOString() ?? null,
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
    active: isAgentKeyActive(key, new Date(ctx.clock.now())),
  });
  const issued = (clusterId: string, apiKey: string, key: AgentKey): z.input<typeof IssuedKeySchema> => {
    const commands = installCommands(ctx.config.CLOUDOPTIM_PUBLIC_URL, clusterId, apiKey);
    return { api_key: apiKey, key: keyView(key), install_command: commands.script, install_commands: commands };
  };

  routes.define({
    method: 'POST',
    path: '/api/v1/admin/clusters',
    summary: 'Register a cluster: its agent API key and install commands (shown once)',
    tag: 'clusters',
    auth: 'user',
    roles: WRITERS,
    body: RegisterBodySchema,
    response: ClusterSummarySchema.extend(IssuedKeySchema.shape),
    status: 201,
    async handler({ req, principal, body }) {
      const customer = await targetCustomer(ctx.db, principal, body.customer_id);
      const { cluster, apiKey, key } = await registerCluster(ctx.db, keys, customer.id, { name: body.cluster_name, region: body.region, awsAccountId: body.aws_account_id ?? null });
      await ctx.audit.record({
        customerId: customer.id,
        clusterId: cluster.id,
        actor: `user:${principal.email}`,
        action: 'cluster.register',
        target: `cluster/${cluster.id}`,
        details: { cluster_name: cluster.name, region: cluster.region, agent_key_prefix: key.prefix },
        requestId: req.id,
      });
      return { ...toSummary(cluster), ...issued(cluster.id, apiKey, key) };
    },
  });

  routes.define({
    method: 'GET',
    path: '/api/v1/admin/clusters',
    summary: 'The clusters the caller may see, with their latest state',
    tag: 'clusters',
    auth: 'user',
    query: ListQuerySchema,
    response: z.object({ clusters: z.array(ClusterSummarySchema) }),
    async handler({ principal, query }) {
      const scope = customerScope(principal);
      const { customer_id: customerId, ...page } = query;
      // A customer user naming another customer sees nothing, as if it had no clusters.
      if (scope !== undefined && customerId !== undefined && customerId !== scope) return { clusters: [] };
      const found = scope === undefined && customerId === undefined ? await clusters.listAll(page) : await clusters.list(scope ?? customerId!, page);
      return { clusters: found.map(toSummary) };
    },
  });

  routes.define({
    method: 'GET',
    path: '/api/v1/admin/clusters/:cluster_id',
    summary: 'One cluster with its latest state',
    tag: 'clusters',
    auth: 'user',
    params: ClusterParamsSchema,
    response: ClusterSummarySchema,
    async handler({ principal, params }) {
      return toSummary(await visibleCluster(ctx.db, principal, params.cluster_id));
    },
  });

  routes.define({
    method: 'DELETE',
    path: '/api/v1/admin/clusters/:cluster_id',
    summary: 'Delete a cluster, its agent keys and its data',
    tag: 'clusters',
    auth: 'user',
    roles: WRITERS,
    params: ClusterParamsSchema,
    async handler({ req, principal, params }) {
      const cluster = await visibleCluster(ctx.db, principal, params.cluster_id);
      if (!(await clusters.delete(cluster.customerId, cluster.id))) throw new AppError('NOT_FOUND', `cluster ${cluster.id} not found`, { id: cluster.id });
      ctx.auth.forgetClusterKeys(cluster.id);
      await ctx.audit.record({ customerId: cluster.customerId, clusterId: cluster.id, actor: `user:${principal.email}`, action: 'cluster.delete', target: `cluster/${cluster.id}`, details: { cluster_name: cluster.name }, requestId: req.id });
    },
  });

  routes.define({
    method: 'GET',
    path: '/api/v1/admin/clusters/:cluster_id/agent-keys',
    summary: "The cluster's agent keys, newest first (prefixes and dates; never the keys)",
    tag: 'clusters',
    auth: 'user',
    params: ClusterParamsSchema,
    response: z.object({ agent_keys: z.array(AgentKeyViewSchema) }),
    async handler({ principal, params }) {
      const cluster = await visibleCluster(ctx.db, principal, params.cluster_id);
      return { agent_keys: (await keys.list(cluster.customerId, cluster.id)).map(keyView) };
    },
  });

  routes.define({
    method: 'POST',
    path: '/api/v1/admin/clusters/:cluster_id/agent-keys/rotate',
    summary: 'Issue a new agent key (shown once); the old ones stop working now or after grace_seconds',
    tag: 'clusters',
    auth: 'user',
    roles: WRITERS,
    params: ClusterParamsSchema,
    body: RotateBodySchema,
    response: IssuedKeySchema.extend({ revoked_keys: z.array(AgentKeyViewSchema) }),
    status: 201,
    async handler({ req, principal, params, body }) {
      const cluster = await visibleCluster(ctx.db, principal, params.cluster_id);
      const graceSeconds = body?.grace_seconds ?? 0;
      const { apiKey, key, revoked } = await keys.rotate(cluster.customerId, cluster.id, graceSeconds);
      await ctx.audit.record({
        customerId: cluster.customerId,
        clusterId: cluster.id,
        actor: `user:${principal.email}`,
        action: 'agent_key.rotate',
        target: `agent_key/${key.id}`,
        details: { agent_key_prefix: key.prefix, revoked_key_ids: revoked.map((old) => old.id), grace_seconds: graceSeconds },
        requestId: req.id,
      });
      return { ...issued(cluster.id, apiKey, key), revoked_keys: revoked.map(keyView) };
    },
  });

  routes.define({
    method: 'POST',
    path: '/api/v1/admin/clusters/:cluster_id/agent-keys/:key_id/revoke',
    summary: 'Revoke one agent key now',
    tag: 'clusters',
    auth: 'user',
    roles: WRITERS,
    params: KeyParamsSchema,
    response: AgentKeyViewSchema,
    async handler({ req, principal, params }) {
      const cluster = await visibleCluster(ctx.db, principal, params.cluster_id);
      const key = await keys.revoke(cluster.customerId, cluster.id, params.key_id);
      await ctx.audit.record({ customerId: cluster.customerId, clusterId: cluster.id, actor: `user:${principal.email}`, action: 'agent_key.revoke', target: `agent_key/${key.id}`, details: { agent_key_prefix: key.prefix }, requestId: req.id });
      return keyView(key);
    },
  });
};
