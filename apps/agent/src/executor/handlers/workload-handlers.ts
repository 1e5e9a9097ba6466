/**
 * Workload tasks. `scale_workload` sets replicas through the scale subresource (guarded by
 * `expected_replicas`); the first scale-down records the count it started from in the workload's
 * `cloudoptim.io/original-replicas` annotation, and a scale-up with `restore_original` goes back to it (the
 * annotation is removed once the workload is back at or above that count). `patch_workload_resources` (the
 * issue's `patch_requests`) applies rightsized requests/limits to named containers of the pod template.
 */
import { AppError, type ContainerResourcesPatch } from '@cloudoptim/contracts';
import type { ContainerResourcesChange, KubeWorkload } from '@cloudoptim/kube';
import type { TaskHandler } from './handler.ts';

/** Where the agent remembers a workload's replicas before it first scaled it down. */
export const ORIGINAL_REPLICAS_ANNOTATION = 'cloudoptim.io/original-replicas';

function rememberedReplicas(w: KubeWorkload): number | null {
  const raw = w.annotations[ORIGINAL_REPLICAS_ANNOTATION];
  return raw !== undefined && /^\d{1,6}$/.test(raw) ? Number(raw) : null;
}

export const scaleWorkload: TaskHandler<'scale_workload'> = async (task, ctx) => {
  const { kind, namespace, name, replicas, expected_replicas: expectedReplicas, restore_original: restore } = task.parameters;
  const id = `${kind} ${namespace}/${name}`;
  const workload = await ctx.kube.getWorkload(kind, namespace, name);
  if (!workload) throw new AppError('NOT_FOUND', `${id} does not exist`, { kind, namespace, name });
  const current = workload.replicas ?? 0;
  const remembered = rememberedReplicas(workload);
  const target = restore && remembered !== null ? remembered : replicas;
  if (restore) ctx.log(remembered !== null ? `restoring the ${remembered} replicas remembered in ${ORIGINAL_REPLICAS_ANNOTATION}` : `no remembered replica count: scaling to ${replicas}`);

  // Remember where the first scale-down started before changing anything, so a later scale-up can return to it.
  const recording = target < current && remembered === null;
  if (recording) {
    await ctx.kube.annotateWorkload(kind, namespace, name, { [ORIGINAL_REPLICAS_ANNOTATION]: String(current) });
    ctx.log(`remembered ${current} replicas in ${ORIGINAL_REPLICAS_ANNOTATION}`);
  }
  let result: { previousReplicas: number; replicas: number };
  try {
    result = await ctx.kube.scaleWorkload({ kind, namespace, name, replicas: target, expectedReplicas });
  } catch (err) {
    if (recording) await ctx.kube.annotateWorkload(kind, namespace, name, { [ORIGINAL_REPLICAS_ANNOTATION]: null }).catch(() => {});
    throw err;
  }
  const original = recording ? current : remembered;
  const restored = original !== null && target >= original;
  if (restored && remembered !== null) {
    await ctx.kube.annotateWorkload(kind, namespace, name, { [ORIGINAL_REPLICAS_ANNOTATION]: null });
    ctx.log(`back at ${target} replicas: forgot ${ORIGINAL_REPLICAS_ANNOTATION}`);
  }
  ctx.log(result.previousReplicas === result.replicas ? `${id} already has ${target} replicas` : `scaled ${id} from ${result.previousReplicas} to ${result.replicas} replicas`);
  return {
    status: 'success',
    metadata: { kind, namespace, name, previous_replicas: result.previousReplicas, replicas: result.replicas, original_replicas: restored ? null : original },
  };
};

function toChange(c: ContainerResourcesPatch): ContainerResourcesChange {
  return {
    containerName: c.container_name,
    ...(c.cpu_request_millicores !== undefined ? { cpuRequestMillicores: c.cpu_request_millicores } : {}),
    ...(c.cpu_limit_millicores !== undefined ? { cpuLimitMillicores: c.cpu_limit_millicores } : {}),
    ...(c.memory_request_bytes !== undefined ? { memoryRequestBytes: c.memory_request_bytes } : {}),
    ...(c.memory_limit_bytes !== undefined ? { memoryLimitBytes: c.memory_limit_bytes } : {}),
  };
}

const resourcesOf = (w: KubeWorkload | null) =>
  Object.fromEntries(
    (w?.containers ?? []).map((c) => [
      c.name,
      { cpu_request_millicores: c.cpuRequestMillicores, cpu_limit_millicores: c.cpuLimitMillicores, memory_request_bytes: c.memoryRequestBytes, memory_limit_bytes: c.memoryLimitBytes },
    ]),
  );

export const patchWorkloadResources: TaskHandler<'patch_workload_resources'> = async (task, ctx) => {
  const { kind, namespace, name, containers } = task.parameters;
  const before = await ctx.kube.getWorkload(kind, namespace, name);
  if (!before) throw new AppError('NOT_FOUND', `${kind} ${namespace}/${name} does not exist`, { kind, namespace, name });
  const after = await ctx.kube.patchWorkloadResources({ kind, namespace, name, containers: containers.map(toChange) });
  for (const c of containers) ctx.log(`patched resources of container ${c.container_name} in ${kind} ${namespace}/${name}`);
  return { status: 'success', metadata: { kind, namespace, name, before: resourcesOf(before), after: resourcesOf(after) } };
};
