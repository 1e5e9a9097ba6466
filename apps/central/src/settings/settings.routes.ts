/**
 * A cluster's settings for people: read them (defaults filled in) and change any subset. Each change gets the
 * next version and the cluster's agent is told over its stream (config_changed), so it reloads at once.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ClusterIdSchema, IsoDateTimeSchema } from '@cloudoptim/contracts';
import { visibleCluster } from '../clusters/cluster-access.ts';
import type { Feature } from '../features.ts';
import { ClusterSettingsPatchSchema, ClusterSettingsSchema, type StoredClusterSettings } from './cluster-settings.ts';
import { DbClusterSettings } from './db-cluster-settings.ts';

const SettingsViewSchema = z.object({
  cluster_id: z.uuid(),
  version: z.number().int().positive(),
  updated_at: IsoDateTimeSchema,
  settings: ClusterSettingsSchema,
});

function toView(stored: StoredClusterSettings): z.input<typeof SettingsViewSchema> {
  return { cluster_id: stored.clusterId, version: stored.version, updated_at: stored.updatedAt.toISOString(), settings: stored.settings };
}

const ClusterParamsSchema = z.object({ cluster_id: ClusterIdSchema });
const PatchBodySchema = ClusterSettingsPatchSchema.refine((patch) => Object.keys(patch).length > 0, 'name at least one setting to change');

export const settingsFeature: Feature = (routes, _app, ctx) => {
  const settings = new DbClusterSettings(ctx.db, ctx.clock);

  routes.define({
    method: 'GET',
    path: '/api/v1/admin/clusters/:cluster_id/settings',
    summary: "The cluster's settings (defaults for what was never set) and their version",
    tag: 'settings',
    auth: 'user',
    params: ClusterParamsSchema,
    response: SettingsViewSchema,
    async handler({ principal, params }) {
      const cluster = await visibleCluster(ctx.db, principal, params.cluster_id);
      return toView(await settings.get(cluster.customerId, cluster.id));
    },
  });

  routes.define({
    method: 'PATCH',
    path: '/api/v1/admin/clusters/:cluster_id/settings',
    summary: 'Change some settings: the next version, pushed to the agent as config_changed',
    tag: 'settings',
    auth: 'user',
    roles: ['operator', 'customer_admin'],
    params: ClusterParamsSchema,
    body: PatchBodySchema,
    response: SettingsViewSchema,
    async handler({ req, principal, params, body }) {
      const cluster = await visibleCluster(ctx.db, principal, params.cluster_id);
      const stored = await settings.update(cluster.customerId, cluster.id, body);
      const changedKeys = Object.keys(body).sort();
      await ctx.audit.record({
        customerId: cluster.customerId,
        clusterId: cluster.id,
        actor: `user:${principal.email}`,
        action: 'cluster.settings.update',
        target: `cluster/${cluster.id}/settings`,
        details: { changed_keys: changedKeys, version: stored.version },
        requestId: req.id,
      });
      await ctx.realtime.publishToAgent(cluster.id, {
        type: 'config_changed',
        v: 1,
        id: randomUUID(),
        sent_at: new Date(ctx.clock.now()).toISOString(),
        cluster_id: cluster.id,
        config_version: stored.version,
        changed_keys: changedKeys,
      });
      return toView(stored);
    },
  });
};
