/** The strategic-merge patch that changes container resources of a pod template, and its precondition. */
import { AppError } from '@cloudoptim/contracts';
import type { ContainerResourcesChange } from './kube-gateway.ts';
import type { KubeWorkload } from './kube-types.ts';
import { formatCpuMillicores, formatMemoryBytes } from './quantity.ts';

/** @throws AppError VALIDATION_FAILED naming the containers the workload's template does not have. */
export function checkContainersExist(workload: KubeWorkload, changes: readonly ContainerResourcesChange[]): void {
  const names = new Set(workload.containers.map((c) => c.name));
  const missing = changes.map((c) => c.containerName).filter((n) => !names.has(n));
  if (missing.length > 0) {
    throw new AppError('VALIDATION_FAILED', `${workload.kind} ${workload.namespace}/${workload.name} has no container ${missing.join(', ')}`, {
      missing_containers: missing,
      containers: [...names],
    });
  }
}

/**
 * `{spec: {template: {spec: {containers: [{name, resources}]}}}}`: containers merge by name, so only the named
 * ones change; a null limit removes it (null deletes a map key in a merge patch).
 */
export function resourcesPatchBody(changes: readonly ContainerResourcesChange[]): object {
  const containers = changes.map((c) => {
    const requests: Record<string, string> = {};
    const limits: Record<string, string | null> = {};
    if (c.cpuRequestMillicores !== undefined) requests['cpu'] = formatCpuMillicores(c.cpuRequestMillicores);
    if (c.memoryRequestBytes !== undefined) requests['memory'] = formatMemoryBytes(c.memoryRequestBytes);
    if (c.cpuLimitMillicores !== undefined) limits['cpu'] = c.cpuLimitMillicores === null ? null : formatCpuMillicores(c.cpuLimitMillicores);
    if (c.memoryLimitBytes !== undefined) limits['memory'] = c.memoryLimitBytes === null ? null : formatMemoryBytes(c.memoryLimitBytes);
    const resources: Record<string, object> = {};
    if (Object.keys(requests).length > 0) resources['requests'] = requests;
    if (Object.keys(limits).length > 0) resources['limits'] = limits;
    return { name: c.containerName, resources };
  });
  return { spec: { template: { spec: { containers } } } };
}
