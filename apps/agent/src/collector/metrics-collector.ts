/**
 * MetricsCollector: one ClusterMetrics snapshot from the Kubernetes API — every node (instance type, zone,
 * capacity type, instance id from spec.providerID, allocatable, allocated = sum of its pods' requests, used
 * from metrics.k8s.io), every pod (per-container requests/limits/usage, owner workload, phase, restarts, last
 * termination reason such as OOMKilled), the pending pods with their requirements and the scheduler's reason,
 * and the totals.
 *
 * Usage is null everywhere (and `usage_available: false`, with a problem saying so) when metrics.k8s.io is
 * not installed. A node that cannot be described in the contract (no EC2 instance-type or zone label) still
 * counts in the totals but is left out of `nodes`, as are pods that break the contract; both are reported as
 * problems. A node of unknown capacity type is reported as on-demand (what it is billed as unless proven
 * Spot). The agent knows no prices: `estimated_cost_per_hour` is 0 and central computes the cost. The two
 * tolerations Kubernetes adds to every pod (not-ready / unreachable, NoExecute, 300 s) are left out: they say
 * nothing about placement and would be a fifth of a large snapshot.
 */
import {
  ContainerNameSchema,
  InstanceIdSchema,
  KubeNameSchema,
  NamespaceSchema,
  NodeMetricSchema,
  type ClusterMetrics,
  type NodeMetric,
  type PendingPod,
  type PodMetric,
  WorkloadRefSchema,
} from '@cloudoptim/contracts';
import type { KubeGateway, KubeNode, KubePod, PodUsage } from '@cloudoptim/kube';
import type { Clock } from '@cloudoptim/runtime';
import { effectiveRequests, podRequirements, validLabels, wireTolerations } from './pod-requirements.ts';

export interface CollectedMetrics {
  /** The ClusterMetrics snapshot as the JSON text that is sent (built pod by pod: it is the big part). */
  json: string;
  /** What the snapshot holds, for logs and task results. */
  summary: { timestamp: string; nodes: number; pods: number; pending_pods: number; usage_available: boolean };
  /** Why the snapshot is incomplete, for people (the heartbeat's `problems`). */
  problems: string[];
}

export interface MetricsCollectorOptions {
  kube: KubeGateway;
  clock: Clock;
  clusterId: string;
  agentVersion: string;
}

/** ISO 8601 allows four-digit years only: a time before year 0 or after 9999 (a hostile object's) is unknown. */
const FIRST_MS = Date.parse('0000-01-01T00:00:00.000Z');
const LAST_MS = Date.parse('9999-12-31T23:59:59.999Z');
const iso = (ms: number | null) => (ms === null || !(ms >= FIRST_MS && ms <= LAST_MS) ? null : new Date(ms).toISOString());
const terminal = (p: KubePod) => p.phase === 'Succeeded' || p.phase === 'Failed';
const PODS_HEAD = '{"pods":[]';

export class MetricsCollector {
  constructor(private readonly o: MetricsCollectorOptions) {}

  /**
   * Reads the cluster and builds the snapshot. Pods are read page by page and each is serialized as it comes,
   * so a 10,000-pod cluster never holds all its pods as objects at once.
   * @throws AppError from the gateway when nodes or pods cannot be listed.
   */
  async collect(): Promise<CollectedMetrics> {
    const { kube } = this.o;
    const [nodes, nodeUsage, podUsage] = await Promise.all([kube.listNodes(), kube.nodeUsage(), kube.podUsage()]);
    const usageAvailable = nodeUsage.available && podUsage.available;
    const problems: string[] = [];
    if (!usageAvailable) problems.push('metrics.k8s.io is not available: usage is unknown, only requests are reported');
    const podUse = new Map(podUsage.items.map((u) => [`${u.namespace}/${u.podName}`, u]));

    const perNode = new Map<string, { cpu: number; memory: number; count: number }>();
    const podJson: string[] = [];
    const pending: PendingPod[] = [];
    const counts = { live: 0, running: 0, pending: 0, skipped: 0, unsummable: 0 };
    await kube.listPodsPaged((page) => {
      for (const p of page) {
        if (!terminal(p)) {
          counts.live++;
          if (p.phase === 'Running') counts.running++;
          if (p.phase === 'Pending') counts.pending++;
          if (p.nodeName) {
            const r = effectiveRequests(p);
            const acc = perNode.get(p.nodeName) ?? { cpu: 0, memory: 0, count: 0 };
            acc.cpu += r.cpuMillicores;
            acc.memory += r.memoryBytes;
            acc.count++;
            perNode.set(p.nodeName, acc);
          }
        }
        const id = `${p.namespace}/${p.name}`;
        const m = this.podMetric(p, usageAvailable ? podUse.get(id) : undefined);
        podUse.delete(id);
        if (!m) {
          counts.skipped++;
          continue;
        }
        podJson.push(JSON.stringify(m));
        if (p.phase === 'Pending' && !p.nodeName) {
          const details = this.pendingPod(p, m);
          if (details) pending.push(details);
          else counts.unsummable++;
        }
      }
    });
    if (counts.skipped) problems.push(`${counts.skipped} pod(s) that do not fit the metrics contract were left out`);
    if (counts.unsummable) problems.push(`${counts.unsummable} pending pod(s) whose summed requests exceed 2^53 are left out of the pending details`);

    const nodeUse = new Map(nodeUsage.items.map((u) => [u.nodeName, u]));
    const nodeMetrics: NodeMetric[] = [];
    const skippedNodes: string[] = [];
    for (const n of nodes) {
      const m = this.nodeMetric(n, perNode.get(n.name), usageAvailable ? nodeUse.get(n.name) : undefined);
      if (m) nodeMetrics.push(m);
      else skippedNodes.push(n.name);
    }
    if (skippedNodes.length) {
      problems.push(`${skippedNodes.length} node(s) without a valid EC2 instance-type or zone label are counted in the totals only: ${skippedNodes.slice(0, 5).join(', ')}${skippedNodes.length > 5 ? ', …' : ''}`);
    }

    const byType = (t: 'spot' | 'on-demand') => nodeMetrics.filter((n) => n.node_type === t).length;
    const allocated = [...perNode.values()].reduce((a, v) => ({ cpu: a.cpu + v.cpu, memory: a.memory + v.memory }), { cpu: 0, memory: 0 });
    const timestamp = new Date(this.o.clock.now()).toISOString();
    // `pods` first and empty, so its `[]` can be swapped for the pods serialized above.
    const rest: ClusterMetrics = {
      pods: [],
      cluster_id: this.o.clusterId,
      timestamp,
      total_nodes: nodes.length,
      spot_nodes: byType('spot'),
      on_demand_nodes: byType('on-demand'),
      total_cpu_cores: nodes.reduce((s, n) => s + n.allocatable.cpuMillicores, 0) / 1000,
      total_memory_gb: nodes.reduce((s, n) => s + n.allocatable.memoryBytes, 0) / 1e9,
      allocated_cpu_cores: allocated.cpu / 1000,
      allocated_memory_gb: allocated.memory / 1e9,
      total_pods: counts.live,
      running_pods: counts.running,
      pending_pods: counts.pending,
      nodes: nodeMetrics,
      pending_pod_details: pending,
      estimated_cost_per_hour: 0,
      agent_version: this.o.agentVersion,
      usage_available: usageAvailable,
    };
    const json = `{"pods":[${podJson.join(',')}]${JSON.stringify(rest).slice(PODS_HEAD.length)}`;
    return { json, summary: { timestamp, nodes: nodeMetrics.length, pods: podJson.length, pending_pods: counts.pending, usage_available: usageAvailable }, problems };
  }

  private nodeMetric(n: KubeNode, alloc: { cpu: number; memory: number; count: number } | undefined, used: { cpuMillicores: number; memoryBytes: number } | undefined): NodeMetric | null {
    const candidate = {
      node_name: n.name,
      instance_type: n.instanceType,
      instance_id: n.instanceId && InstanceIdSchema.safeParse(n.instanceId).success ? n.instanceId : null,
      availability_zone: n.zone,
      node_type: n.capacityType ?? 'on-demand',
      cpu_allocatable_millicores: n.allocatable.cpuMillicores,
      cpu_allocated_millicores: alloc?.cpu ?? 0,
      cpu_used_millicores: used ? Math.round(used.cpuMillicores) : null,
      memory_allocatable_bytes: n.allocatable.memoryBytes,
      memory_allocated_bytes: alloc?.memory ?? 0,
      memory_used_bytes: used ? Math.round(used.memoryBytes) : null,
      pod_count: alloc?.count ?? 0,
      pods_allocatable: n.allocatable.pods,
      gpu_allocatable: n.allocatable.gpus,
      ...(n.architecture ? { architecture: n.architecture } : {}),
      ready: n.ready,
      unschedulable: n.unschedulable,
      labels: validLabels(n.labels),
      taints: n.taints,
      ...(iso(n.createdAtMs) !== null ? { created_at: iso(n.createdAtMs) } : {}),
    };
    const parsed = NodeMetricSchema.safeParse(candidate);
    return parsed.success ? parsed.data : null;
  }

  /**
   * The pod in wire form, or null when a name breaks the contract. Checked field by field instead of parsing the
   * whole PodMetric: the values come from KubePod (already validated by the gateway), and on a 10,000-pod
   * cluster a full parse per pod costs a third of the snapshot's CPU.
   */
  private podMetric(p: KubePod, usage: PodUsage | undefined): PodMetric | null {
    const named = NamespaceSchema.safeParse(p.namespace).success && KubeNameSchema.safeParse(p.name).success && (p.nodeName === null || KubeNameSchema.safeParse(p.nodeName).success);
    if (!named || p.containers.length === 0 || !p.containers.every((c) => ContainerNameSchema.safeParse(c.name).success)) return null;
    // The owner's name comes from an ownerReference (or a ReplicaSet name less its hash): any string.
    if (p.workload !== null && !WorkloadRefSchema.safeParse(p.workload).success) return null;
    const used = new Map((usage?.containers ?? []).map((c) => [c.name, c]));
    const running = p.phase === 'Running';
    // Counts beyond 2^53 (a restart count or priority of 1e308) are no integers the contract can carry.
    let fits = p.priority === null || Number.isSafeInteger(Math.round(p.priority));
    const int = (v: number) => {
      const n = Math.max(0, Math.round(v));
      if (!Number.isSafeInteger(n)) fits = false;
      return n;
    };
    const intOrNull = (v: number | null) => (v === null ? null : int(v));
    const metric: PodMetric = {
      namespace: p.namespace,
      pod_name: p.name,
      node_name: p.nodeName,
      phase: p.phase,
      owner: p.workload,
      containers: p.containers.map((c) => {
        const u = running && usage ? used.get(c.name) : undefined;
        return {
          container_name: c.name,
          cpu_request_millicores: int(c.cpuRequestMillicores),
          cpu_limit_millicores: intOrNull(c.cpuLimitMillicores),
          memory_request_bytes: int(c.memoryRequestBytes),
          memory_limit_bytes: intOrNull(c.memoryLimitBytes),
          cpu_usage_millicores: u ? int(u.cpuMillicores) : null,
          memory_usage_bytes: u ? int(u.memoryBytes) : null,
          restart_count: int(c.restartCount),
          last_termination_reason: c.lastTerminationReason?.slice(0, 128) ?? null,
        };
      }),
      priority: p.priority === null ? null : Math.round(p.priority),
      ...(p.qosClass ? { qos_class: p.qosClass } : {}),
      labels: validLabels(p.labels),
      node_selector: validLabels(p.nodeSelector),
      tolerations: wireTolerations(p.tolerations),
      do_not_disrupt: p.doNotDisrupt,
      started_at: iso(p.startedAtMs),
    };
    return fits ? metric : null;
  }

  /** The pending pod's details, or null when its summed requests are beyond what the contract's integers hold. */
  private pendingPod(p: KubePod, m: PodMetric): PendingPod | null {
    const requirements = podRequirements(p);
    if (![requirements.cpu_request_millicores, requirements.memory_request_bytes, requirements.gpu_count].every(Number.isSafeInteger)) return null;
    return {
      namespace: m.namespace,
      pod_name: m.pod_name,
      owner: m.owner,
      pending_since: iso(p.createdAtMs) ?? iso(this.o.clock.now())!,
      reason: p.pending?.reason?.slice(0, 128) ?? null,
      message: p.pending?.message?.slice(0, 4096) ?? null,
      requirements,
    };
  }
}
