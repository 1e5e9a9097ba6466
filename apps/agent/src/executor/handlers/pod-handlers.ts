/**
 * `evict_pod`: one pod through the Eviction API (a PodDisruptionBudget may refuse: failed PDB_BLOCKED, central
 * decides when to retry) or, with `respect_pdb: false`, a direct delete. A pod that is already gone counts as
 * evicted, so re-running the task is harmless.
 */
import { isAppError } from '@cloudoptim/contracts';
import type { TaskHandler } from './handler.ts';

export const evictPod: TaskHandler<'evict_pod'> = async (task, ctx) => {
  const p = task.parameters;
  const id = `${p.namespace}/${p.pod_name}`;
  const options = { gracePeriodSeconds: p.grace_period_seconds };
  try {
    if (p.respect_pdb) await ctx.kube.evictPod(p.namespace, p.pod_name, options);
    else await ctx.kube.deletePod(p.namespace, p.pod_name, options);
  } catch (err) {
    if (isAppError(err) && err.code === 'NOT_FOUND') {
      ctx.log(`${id} is already gone`);
      return { status: 'success', metadata: { namespace: p.namespace, pod_name: p.pod_name, already_gone: true } };
    }
    throw err;
  }
  ctx.log(`${p.respect_pdb ? 'evicted' : 'deleted'} ${id}`);
  return { status: 'success', metadata: { namespace: p.namespace, pod_name: p.pod_name, already_gone: false, method: p.respect_pdb ? 'eviction' : 'delete' } };
};
