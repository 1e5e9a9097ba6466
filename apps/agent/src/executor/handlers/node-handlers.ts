/**
 * Node tasks: cordon, uncordon, labels (a null value removes: the issue's `unlabel_node`), taints (add and/or
 * remove: `untaint_node`), and deleting the Node object. Each is idempotent: re-running leaves the node as one
 * run did, and deleting a node that is already gone succeeds.
 */
import { AppError, isAppError } from '@cloudoptim/contracts';
import { targetNode, type TaskHandler } from './handler.ts';

export const cordonNode: TaskHandler<'cordon_node'> = async (task, ctx) => {
  const p = task.parameters;
  const before = await targetNode(ctx, p);
  await ctx.kube.cordonNode(p.node_name, { reason: p.reason ?? `task ${task.task_id}` });
  ctx.log(before.unschedulable ? `${p.node_name} was already cordoned` : `cordoned ${p.node_name}`);
  return { status: 'success', metadata: { node_name: p.node_name, was_unschedulable: before.unschedulable } };
};

export const uncordonNode: TaskHandler<'uncordon_node'> = async (task, ctx) => {
  const p = task.parameters;
  const before = await targetNode(ctx, p);
  await ctx.kube.uncordonNode(p.node_name);
  ctx.log(before.unschedulable ? `uncordoned ${p.node_name}` : `${p.node_name} was already schedulable`);
  return { status: 'success', metadata: { node_name: p.node_name, was_unschedulable: before.unschedulable } };
};

export const labelNode: TaskHandler<'label_node'> = async (task, ctx) => {
  const p = task.parameters;
  await targetNode(ctx, p);
  const node = await ctx.kube.labelNode(p.node_name, p.labels);
  const set = Object.entries(p.labels).filter(([, v]) => v !== null).map(([k, v]) => `${k}=${v}`);
  const removed = Object.entries(p.labels).filter(([, v]) => v === null).map(([k]) => k);
  if (set.length) ctx.log(`labelled ${p.node_name}: ${set.join(', ')}`);
  if (removed.length) ctx.log(`removed labels from ${p.node_name}: ${removed.join(', ')}`);
  return { status: 'success', metadata: { node_name: p.node_name, labels: node.labels } };
};

export const taintNode: TaskHandler<'taint_node'> = async (task, ctx) => {
  const p = task.parameters;
  await targetNode(ctx, p);
  const node = await ctx.kube.taintNode(p.node_name, { add: p.add, remove: p.remove });
  for (const t of p.add) ctx.log(`tainted ${p.node_name}: ${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`);
  for (const t of p.remove) ctx.log(`removed taint ${t.key}${t.effect ? `:${t.effect}` : ''} from ${p.node_name}`);
  return { status: 'success', metadata: { node_name: p.node_name, taints: node.taints } };
};

export const deleteNode: TaskHandler<'delete_node'> = async (task, ctx) => {
  const p = task.parameters;
  try {
    await targetNode(ctx, p);
  } catch (err) {
    if (isAppError(err) && err.code === 'NOT_FOUND') {
      ctx.log(`${p.node_name} is already gone`);
      return { status: 'success', metadata: { node_name: p.node_name, already_gone: true } };
    }
    throw err;
  }
  if (p.only_if_empty) {
    const left = (await ctx.kube.listPods({ nodeName: p.node_name })).filter(
      (pod) => !pod.isDaemonSetPod && !pod.isMirrorPod && pod.phase !== 'Succeeded' && pod.phase !== 'Failed',
    );
    if (left.length > 0) {
      const names = left.map((pod) => `${pod.namespace}/${pod.name}`);
      throw new AppError('CONFLICT', `node ${p.node_name} still runs ${left.length} pod(s): ${names.slice(0, 20).join(', ')}${left.length > 20 ? ', …' : ''}`, {
        node_name: p.node_name, pods: names.slice(0, 100),
      });
    }
  }
  try {
    await ctx.kube.deleteNode(p.node_name);
    ctx.log(`deleted node ${p.node_name}`);
    return { status: 'success', metadata: { node_name: p.node_name, already_gone: false } };
  } catch (err) {
    if (isAppError(err) && err.code === 'NOT_FOUND') return { status: 'success', metadata: { node_name: p.node_name, already_gone: true } };
    throw err;
  }
};
