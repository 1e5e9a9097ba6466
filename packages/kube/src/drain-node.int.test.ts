/**
 * drainNode through ClientNodeKubeGateway against the simulator's running cluster (scheduler, controllers,
 * kubelets; a scaled real-time clock at 30×): a node holding two pods of a Deployment whose PDB lets only one
 * go at a time. The second eviction is first refused (PDB_BLOCKED), then allowed once the Deployment's
 * replacement is Ready elsewhere; the drain ends `drained` with the DaemonSet pod left in place.
 */
import { ScaledClock, SystemClock } from '@cloudoptim/runtime';
import { ScenarioSchema, startKubeCluster, type KubeCluster } from '@cloudoptim/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientNodeKubeGateway } from './client-node-kube-gateway.ts';
import { drainNode, type DrainProgress } from './drain-node.ts';

const SPEED = 30;

const scenario = ScenarioSchema.parse({
  name: 'kube-drain',
  region: 'us-east-1',
  history_start: '2021-04-05T00:00:00Z',
  nodes: [
    { instance_type: 'm5.large', capacity_type: 'on-demand', zone: 'us-east-1a', count: 1 },
    { instance_type: 'm5.large', capacity_type: 'spot', zone: 'us-east-1b', count: 1 },
    { instance_type: 'm5.large', capacity_type: 'spot', zone: 'us-east-1c', count: 1 },
  ],
  workloads: [
    {
      kind: 'Deployment', namespace: 'shop', name: 'web', replicas: 4, labels: { app: 'web' }, termination_grace_period_seconds: 5,
      containers: [{ name: 'app', cpu_request: '250m', memory_request: '256Mi', usage: { profile: 'constant', cpu_fraction: 0.5, memory_fraction: 0.5 } }],
      pdb: { min_available: 3 },
    },
    {
      kind: 'DaemonSet', namespace: 'kube-system', name: 'exporter', labels: { app: 'exporter' }, tolerations: [{ operator: 'Exists' }],
      containers: [{ name: 'app', cpu_request: '50m', memory_request: '64Mi', usage: { profile: 'constant', cpu_fraction: 0.4, memory_fraction: 0.6 } }],
    },
  ],
});

describe('drainNode against the simulator', () => {
  const clock = new ScaledClock(new SystemClock(), Date.UTC(2021, 3, 5, 12), SPEED);
  let k8s: KubeCluster;
  const running = (selector: string, namespace = 'shop') => k8s.readyPods(selector, namespace);

  beforeAll(async () => {
    k8s = await startKubeCluster({ scenario, clock, seed: 7 });
    await k8s.waitFor(() => running('app=web').length === 4 && running('app=exporter', 'kube-system').length === 3, 5_000);
  });
  afterAll(() => k8s?.stop());

  it('drains a node under a PDB that first blocks, then allows', async () => {
    const counts = new Map<string, number>();
    for (const p of running('app=web')) counts.set(p.spec.nodeName!, (counts.get(p.spec.nodeName!) ?? 0) + 1);
    const [target, onTarget] = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]!;
    expect(onTarget).toBeGreaterThanOrEqual(2); // 4 pods on 3 nodes

    const gateway = new ClientNodeKubeGateway({ connection: { kubeconfigPath: k8s.kubeconfig }, clock });
    const progress: DrainProgress[] = [];
    const result = await drainNode(gateway, target, { clock, deadlineMs: clock.now() + 180_000, retryIntervalMs: 2_000, onProgress: (p) => progress.push(p) });

    expect(result.status).toBe('drained');
    expect(result.remaining).toBe(0);
    const web = result.pods.filter((p) => p.namespace === 'shop');
    expect(web).toHaveLength(onTarget);
    expect(web.every((p) => p.outcome === 'evicted')).toBe(true);
    // The budget refused at least one eviction before it allowed it.
    expect(progress.some((p) => p.blocked > 0)).toBe(true);
    expect(web.some((p) => p.attempts > 1)).toBe(true);
    expect(result.pods.filter((p) => p.namespace === 'kube-system').map((p) => p.outcome)).toEqual(['skipped_daemonset']);
    expect(k8s.store.nodes.get(target)?.spec?.unschedulable).toBe(true);

    await k8s.waitFor(() => running('app=web').length === 4, 5_000);
    expect(running('app=web').every((p) => p.spec.nodeName !== target)).toBe(true);

    // Idempotent: draining again finds nothing to evict.
    const again = await drainNode(gateway, target, { clock, deadlineMs: clock.now() + 10_000, retryIntervalMs: 2_000 });
    expect(again.status).toBe('drained');
    expect(again.pods.every((p) => p.attempts === 0)).toBe(true);
  });
});
