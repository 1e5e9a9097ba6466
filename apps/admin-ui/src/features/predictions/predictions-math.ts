/**
 * Predicted against actual, three ways (SPEC flow 10): the risk model's calibration (predicted interruption
 * probability per bin against the observed rate, from its held-out evaluation), plans' predicted against
 * measured savings, and a workload's recommended requests against its measured usage.
 */
import type { CalibrationBin, ModelList, PodView } from '../../api/wire-types.ts';

/** The calibration table stored with the active model's held-out evaluation; null when it has none. */
export function activeCalibration(list: ModelList): { version: string; bins: CalibrationBin[] } | null {
  const active = list.models.find((m) => m.status === 'active');
  const heldOut = active?.metrics?.held_out;
  if (!active || typeof heldOut !== 'object' || heldOut === null) return null;
  const bins = (heldOut as { calibration?: unknown }).calibration;
  if (!Array.isArray(bins)) return null;
  return { version: active.version, bins: bins.filter((b): b is CalibrationBin => typeof b === 'object' && b !== null && typeof (b as CalibrationBin).from === 'number') };
}

/** Chart columns of the bins that hold data: x = mean predicted probability. */
export function calibrationColumns(bins: readonly CalibrationBin[]): { x: number[]; observed: (number | null)[]; ideal: number[] } {
  const filled = bins.filter((b) => b.count > 0 && b.mean_predicted !== null).sort((a, b) => a.mean_predicted! - b.mean_predicted!);
  // The diagonal runs corner to corner so a point's distance from it reads as miscalibration.
  return { x: [0, ...filled.map((b) => b.mean_predicted!), 1], observed: [null, ...filled.map((b) => b.observed_rate), null], ideal: [0, ...filled.map((b) => b.mean_predicted!), 1] };
}

export interface WorkloadUsage {
  /** namespace/Kind/name/container */
  key: string;
  namespace: string;
  kind: string;
  name: string;
  container: string;
  pods: number;
  /** Mean over the pods that reported usage; null when none did. */
  cpuUsageMillicores: number | null;
  memoryUsageBytes: number | null;
  cpuRequestMillicores: number;
  memoryRequestBytes: number;
}

/** Per workload container: mean measured usage and mean request over its pods. */
export function workloadUsage(pods: readonly PodView[]): WorkloadUsage[] {
  const groups = new Map<string, { w: WorkloadUsage; cpu: number[]; mem: number[]; cpuReq: number[]; memReq: number[] }>();
  for (const pod of pods) {
    if (!pod.owner) continue;
    for (const c of pod.containers) {
      const key = `${pod.namespace}/${pod.owner.kind}/${pod.owner.name}/${c.container_name}`;
      const g = groups.get(key) ?? { w: { key, namespace: pod.namespace, kind: pod.owner.kind, name: pod.owner.name, container: c.container_name, pods: 0, cpuUsageMillicores: null, memoryUsageBytes: null, cpuRequestMillicores: 0, memoryRequestBytes: 0 }, cpu: [], mem: [], cpuReq: [], memReq: [] };
      g.w.pods += 1;
      if (c.cpu_usage_millicores !== null) g.cpu.push(c.cpu_usage_millicores);
      if (c.memory_usage_bytes !== null) g.mem.push(c.memory_usage_bytes);
      g.cpuReq.push(c.cpu_request_millicores);
      g.memReq.push(c.memory_request_bytes);
      groups.set(key, g);
    }
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
  return [...groups.values()]
    .map(({ w, cpu, mem, cpuReq, memReq }) => ({ ...w, cpuUsageMillicores: mean(cpu), memoryUsageBytes: mean(mem), cpuRequestMillicores: mean(cpuReq) ?? 0, memoryRequestBytes: mean(memReq) ?? 0 }))
    .sort((a, b) => a.key.localeCompare(b.key));
}
