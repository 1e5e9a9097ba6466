/**
 * MetricsCollector on the fake gateway: node facts and allocation, per-container usage, owners, restarts and
 * OOM kills, pending pods with their requirements, totals, and what happens without metrics.k8s.io. Every
 * snapshot must parse as ClusterMetrics.
 */
import { ClusterMetricsSchema } from '@cloudoptim/contracts';
import { fakeContainer, fakeNode, fakePod, FakeKubeGateway } from '@cloudoptim/kube';
import { ManualClock } from '@cloudoptim/runtime';
import { describe, expect, it } from 'vitest';
import { MetricsCollector } from './metrics-collector.ts';

const MiB = 2 ** 20;
const T0 = Date.UTC(2026, 0, 1);

function cluster() {
  const clock = new ManualClock(T0);
  const kube = new FakeKubeGateway({ clock });
  kube.addNode(fakeNode('ip-10-0-1-5.ec2.internal', { instanceType: 'm5.large', zone: 'us-east-1a', capacityType: 'spot', providerId: 'aws:///us-east-1a/i-0123456789abcdef0', labels: { 'karpenter.sh/capacity-type': 'spot' } }));
  kube.addNode(fakeNode('ip-10-0-2-6.ec2.internal', { instanceType: 'c5.xlarge', zone: 'us-east-1b', capacityType: null, providerId: 'aws:///us-east-1b/i-0fedcba9876543210' }));
  kube.addNode(fakeNode('kind-worker', { instanceType: null, zone: null, capacityType: null, providerId: 'kind://docker/kind/kind-worker' }));
  kube.addPod(fakePod('web-0', {
    namespace: 'shop', nodeName: 'ip-10-0-1-5.ec2.internal', workload: { kind: 'Deployment', name: 'web' }, owner: { kind: 'ReplicaSet', name: 'web-5d8f', uid: 'rs' },
    containers: [fakeContainer({ name: 'app', cpuRequestMillicores: 250, memoryRequestBytes: 256 * MiB, memoryLimitBytes: 512 * MiB, restartCount: 3, lastTerminationReason: 'OOMKilled' }), fakeContainer({ name: 'proxy', cpuRequestMillicores: 50, memoryRequestBytes: 64 * MiB })],
    initContainers: [fakeContainer({ name: 'init', cpuRequestMillicores: 1000, memoryRequestBytes: 16 * MiB })],
    qosClass: 'Burstable',
  }));
  kube.addPod(fakePod('done', { nodeName: 'ip-10-0-1-5.ec2.internal', phase: 'Succeeded' }));
  kube.addPod(fakePod('big', {
    namespace: 'batch', nodeName: null, createdAtMs: T0 - 60_000,
    containers: [fakeContainer({ name: 'job', cpuRequestMillicores: 8000, memoryRequestBytes: 30 * 2 ** 30, gpuRequest: 1 })],
    nodeSelector: { 'karpenter.sh/capacity-type': 'on-demand' },
    requiredNodeAffinity: [[{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['us-east-1a', 'us-east-1c'] }, { key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] }]],
    tolerations: [
      { key: 'gpu', operator: 'Exists', value: null, effect: 'NoSchedule', tolerationSeconds: null },
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', value: null, effect: 'NoExecute', tolerationSeconds: 300 },
    ],
    pending: { reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu.' },
  }));
  kube.setPodUsage('shop', 'web-0', [{ name: 'app', cpuMillicores: 120, memoryBytes: 300 * MiB }, { name: 'proxy', cpuMillicores: 5, memoryBytes: 20 * MiB }]);
  return { clock, kube, collector: new MetricsCollector({ kube, clock, clusterId: 'cl-test', agentVersion: '0.1.0' }) };
}

describe('MetricsCollector', () => {
  it('builds a valid snapshot with nodes, pods, pending pods and totals', async () => {
    const { collector } = cluster();
    const { json, problems, summary } = await collector.collect();
    const metrics = ClusterMetricsSchema.parse(JSON.parse(json));
    expect(summary).toEqual({ timestamp: '2026-01-01T00:00:00.000Z', nodes: 2, pods: 3, pending_pods: 1, usage_available: true });
    expect(metrics).toMatchObject({
      cluster_id: 'cl-test', timestamp: '2026-01-01T00:00:00.000Z', total_nodes: 3, spot_nodes: 1, on_demand_nodes: 1,
      total_cpu_cores: 12, total_pods: 2, running_pods: 1, pending_pods: 1, usage_available: true, estimated_cost_per_hour: 0, agent_version: '0.1.0',
    });
    // The init container (1000m) outweighs the two containers (300m): the scheduler counts 1000m.
    expect(metrics.allocated_cpu_cores).toBe(1);
    const spot = metrics.nodes.find((n) => n.node_name === 'ip-10-0-1-5.ec2.internal')!;
    expect(spot).toMatchObject({ instance_type: 'm5.large', instance_id: 'i-0123456789abcdef0', availability_zone: 'us-east-1a', node_type: 'spot', cpu_allocatable_millicores: 4000, cpu_allocated_millicores: 1000, pod_count: 1, cpu_used_millicores: 125 });
    expect(metrics.nodes.find((n) => n.node_name === 'ip-10-0-2-6.ec2.internal')).toMatchObject({ node_type: 'on-demand', pod_count: 0, cpu_used_millicores: 0 });
    expect(metrics.nodes.map((n) => n.node_name)).not.toContain('kind-worker');
    expect(problems).toEqual([expect.stringMatching(/^1 node\(s\) without a valid EC2 instance-type or zone label are counted in the totals only: kind-worker$/)]);

    const web = metrics.pods.find((p) => p.pod_name === 'web-0')!;
    expect(web).toMatchObject({ namespace: 'shop', phase: 'Running', owner: { kind: 'Deployment', name: 'web' }, qos_class: 'Burstable' });
    expect(web.containers).toEqual([
      { container_name: 'app', cpu_request_millicores: 250, cpu_limit_millicores: null, memory_request_bytes: 256 * MiB, memory_limit_bytes: 512 * MiB, cpu_usage_millicores: 120, memory_usage_bytes: 300 * MiB, restart_count: 3, last_termination_reason: 'OOMKilled' },
      { container_name: 'proxy', cpu_request_millicores: 50, cpu_limit_millicores: null, memory_request_bytes: 64 * MiB, memory_limit_bytes: null, cpu_usage_millicores: 5, memory_usage_bytes: 20 * MiB, restart_count: 0, last_termination_reason: null },
    ]);
    expect(metrics.pending_pod_details).toEqual([
      {
        namespace: 'batch', pod_name: 'big', owner: null, pending_since: '2025-12-31T23:59:00.000Z', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu.',
        requirements: {
          cpu_request_millicores: 8000, memory_request_bytes: 30 * 2 ** 30, gpu_count: 1, node_selector: { 'karpenter.sh/capacity-type': 'on-demand' },
          tolerations: [{ key: 'gpu', operator: 'Exists', value: null, effect: 'NoSchedule', toleration_seconds: null }],
          zones: ['us-east-1a', 'us-east-1c'], instance_types: [], capacity_type: 'on-demand', architecture: 'arm64',
          node_affinity: [{ match_expressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['us-east-1a', 'us-east-1c'] }, { key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] }] }],
        },
      },
    ]);
  });

  it('says usage is unavailable without metrics.k8s.io and sends requests only', async () => {
    const { collector, kube } = cluster();
    kube.metricsAvailable = false;
    const { json, problems } = await collector.collect();
    const metrics = ClusterMetricsSchema.parse(JSON.parse(json));
    expect(metrics.usage_available).toBe(false);
    expect(metrics.nodes.every((n) => n.cpu_used_millicores === null && n.memory_used_bytes === null)).toBe(true);
    expect(metrics.pods.flatMap((p) => p.containers).every((c) => c.cpu_usage_millicores === null)).toBe(true);
    expect(problems[0]).toMatch(/metrics.k8s.io is not available/);
  });
});
