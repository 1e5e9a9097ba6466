/**
 * `metrics.k8s.io/v1beta1` (what metrics-server serves and `kubectl top` reads): NodeMetrics and PodMetrics
 * built from a pluggable {@link UsageProvider}. The cluster-behaviour layer supplies the real provider (usage
 * from workload profiles); {@link RequestFractionUsageProvider} is the default.
 */
import { cpuMillis, memoryBytes } from './quantity.ts';
import type { Container, Node, Pod } from './types.ts';

/** Usage of one container, in millicores and bytes. */
export interface ContainerUsage {
  name: string;
  cpuMillis: number;
  memoryBytes: number;
}

/** Where usage numbers come from. */
export interface UsageProvider {
  /** Per-container usage of a running pod; undefined = no metrics for it yet (as for a just-started pod). */
  podUsage(pod: Pod): ContainerUsage[] | undefined;
  /**
   * Whole-node usage given the pods running on it. Optional: the default sums the pods' usage plus a
   * system overhead of 100m CPU and 512Mi memory (kubelet, runtime, OS).
   */
  nodeUsage?(node: Node, pods: Pod[]): { cpuMillis: number; memoryBytes: number } | undefined;
}

/** Default provider: each container uses `fraction` of its requests (10m / 32Mi when it requests nothing). */
export class RequestFractionUsageProvider implements UsageProvider {
  constructor(private readonly fraction = 0.5) {}

  podUsage(pod: Pod): ContainerUsage[] {
    return (pod.spec.containers ?? []).map((c: Container) => {
      const req = c.resources?.requests ?? {};
      return {
        name: c.name,
        cpuMillis: Math.round((req['cpu'] !== undefined ? cpuMillis(req['cpu']) : 20) * this.fraction),
        memoryBytes: Math.round((req['memory'] !== undefined ? memoryBytes(req['memory']) : 64 * 2 ** 20) * this.fraction),
      };
    });
  }
}

const SYSTEM_CPU_MILLIS = 100;
const SYSTEM_MEMORY_BYTES = 512 * 2 ** 20;

/** Whether a pod gets metrics: running on a node (metrics-server only reports running pods). */
export function podHasMetrics(pod: Pod): boolean {
  return Boolean(pod.spec.nodeName) && pod.status?.phase === 'Running';
}

/** Node usage through the provider, or the default sum. */
export function nodeUsageOf(provider: UsageProvider, node: Node, pods: Pod[]): { cpuMillis: number; memoryBytes: number } | undefined {
  const custom = provider.nodeUsage?.(node, pods);
  if (custom) return custom;
  let cpu = SYSTEM_CPU_MILLIS;
  let mem = SYSTEM_MEMORY_BYTES;
  for (const p of pods) {
    for (const c of provider.podUsage(p) ?? []) {
      cpu += c.cpuMillis;
      mem += c.memoryBytes;
    }
  }
  return { cpuMillis: cpu, memoryBytes: mem };
}

/** metrics-server's wire forms: CPU in nanocores (`"123456789n"`), memory in KiB (`"1024Ki"`). */
export function cpuQuantity(millis: number): string {
  return `${Math.max(0, Math.round(millis * 1e6))}n`;
}
export function memoryQuantity(bytes: number): string {
  return `${Math.max(0, Math.round(bytes / 1024))}Ki`;
}

export function nodeMetricsObject(node: Node, usage: { cpuMillis: number; memoryBytes: number }, timestamp: string): Record<string, unknown> {
  return {
    kind: 'NodeMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: { name: node.metadata.name, creationTimestamp: timestamp, labels: node.metadata.labels ?? {} },
    timestamp,
    window: '20.05s',
    usage: { cpu: cpuQuantity(usage.cpuMillis), memory: memoryQuantity(usage.memoryBytes) },
  };
}

export function podMetricsObject(pod: Pod, usage: ContainerUsage[], timestamp: string): Record<string, unknown> {
  return {
    kind: 'PodMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, creationTimestamp: timestamp, labels: pod.metadata.labels ?? {} },
    timestamp,
    window: '18.8s',
    containers: usage.map((u) => ({ name: u.name, usage: { cpu: cpuQuantity(u.cpuMillis), memory: memoryQuantity(u.memoryBytes) } })),
  };
}
