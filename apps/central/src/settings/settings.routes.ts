/**
 * A cluster's settings for people: read them (defaults filled in) and change any subset. Each change gets the
 * next version and the cluster's agent is told over its stream (config_changed), so it reloads at once.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AppError, ClusterIdSchema, IsoDateTimeSchema } from '@cloudoptim/contracts';
import { externalIdFor } from '../cloud/external-id.ts';
import { visibleCluster } from '../clusters/cluster-access.ts';
import type { Feature } from '../features.ts';
import { ClusterSettingsPatchSchema, ClusterSettingsSchema, type StoredClusterSettings } from './cluster-settings.ts';
import { DbClusterSettings } from './db-cluster-settings.ts';

const SettingsViewSchema = z.object({
  cluster_id: z.uuid(),
  version: z.number().int().positive(),
  updated_at: IsoDateTimeSchema,
  /** Read-only, beside the settings rather than in them: issued by CloudOptim, for the role's trust policy. */
  aws_external_id: z.string().describe("Issued by CloudOptim (cloudoptim-<customer id>), read-only: put it in the trust policy of the role named by aws_role_arn (condition sts:ExternalId)"),
  settings: ClusterSettingsSchema,
});

function toView(stored: StoredClusterSettings): z.input<typeof SettingsViewSchema> {
  return { cluster_id: stored.clusterId, version: stored.version, updated_at: stored.updatedAt.toISOString(), aws_external_id: externalIdFor(stored.customerId), settings: stored.settings };
}

const ClusterParamsSchema = z.object({ cluster_id: ClusterIdSchema });
// aws_external_id is let through the schema only to be refused in the handler, where the cluster's customer (and
// so the id to put in the trust policy instead) is known; a strict-object error would not say what to do.
const PatchBodySchema = ClusterSettingsPatchSchema.extend({ aws_external_id: z.unknown().optional().describe('Not writable: the answer is 400 naming the id CloudOptim issued') }).refine(
  (patch) => Object.keys(patch).length > 0,
  'name at least one setting to change',
);

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
      const { aws_external_id: _refused, ...patch } = body;
      // Refused even when it equals the issued id: the field is not writable, whatever its value.
      if ('aws_external_id' in body) {
        const issued = externalIdFor(cluster.customerId);
        throw new AppError('VALIDATION_FAILED', `aws_external_id is issued by CloudOptim; put ${issued} in your role's trust policy`, {
          issues: [{ path: 'aws_external_id', message: `read-only: CloudOptim issued ${issued}` }],
        });
      }
      const stored = await settings.update(cluster.customerId, cluster.id, patch);
      const changedKeys = Object.keys(patch).sort();
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
