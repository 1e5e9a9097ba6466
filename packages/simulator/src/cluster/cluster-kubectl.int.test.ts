/**
 * End to end: the kube-api HTTP server over a running cluster (scaled real-time clock, 30×), driven by the
 * real kubectl: `kubectl drain --ignore-daemonsets --delete-emptydir-data` of a node carrying a PDB-protected
 * Deployment waits on the budget, the evicted pods come back Running elsewhere, the drain completes; and
 * `kubectl top nodes` shows usage from the workload profiles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScaledClock, SystemClock } from '@cloudoptim/runtime';
import { runKubectl } from '../kube-api/kubectl-runner.ts';
import { ScenarioSchema } from '../scenarios/scenario.schema.ts';
import { startKubeCluster, type KubeCluster } from '../simulation/kube-cluster.ts';

const SPEED = 30;

const scenario = ScenarioSchema.parse({
  name: 'drain',
  region: 'us-east-1',
  history_start: '2021-04-05T00:00:00Z',
  nodes: [
    { instance_type: 'm5.large', capacity_type: 'on-demand', zone: 'us-east-1a', count: 1 },
    { instance_type: 'm5.large', capacity_type: 'spot', zone: 'us-east-1b', count: 1 },
    { instance_type: 'm5.large', capacity_type: 'spot', zone: 'us-east-1c', count: 1 },
  ],
  workloads: [
    {
      kind: 'Deployment',
      namespace: 'shop',
      name: 'web',
      replicas: 6,
      labels: { app: 'web' },
      termination_grace_period_seconds: 15,
      containers: [{ name: 'app', cpu_request: '250m', memory_request: '256Mi', usage: { profile: 'constant', cpu_fraction: 0.6, memory_fraction: 0.5 } }],
      pdb: { min_available: 5 },
    },
    {
      kind: 'DaemonSet',
      namespace: 'kube-system',
      name: 'node-exporter',
      labels: { app: 'node-exporter' },
      tolerations: [{ operator: 'Exists' }],
      containers: [{ name: 'app', cpu_request: '50m', memory_request: '64Mi', usage: { profile: 'constant', cpu_fraction: 0.4, memory_fraction: 0.6 } }],
    },
  ],
});

describe('kubectl against the running cluster', () => {
  let k8s: KubeCluster;
  const running = (selector: string, namespace = 'shop') => k8s.readyPods(selector, namespace);

  beforeAll(async () => {
    const clock = new ScaledClock(new SystemClock(), Date.UTC(2021, 3, 5, 12), SPEED);
    k8s = await startKubeCluster({ scenario, clock, seed: 3 });
    await k8s.waitFor(() => running('app=web').length === 6 && running('app=node-exporter', 'kube-system').length === 3, 5_000);
  });
  afterAll(() => k8s?.stop());

  it('drains a node under a PDB: pods end Running elsewhere and the drain completes', async () => {
    const kubectl = (args: string[], timeoutMs?: number) => runKubectl({ kubeconfig: k8s.kubeconfig, dir: k8s.dir }, args, timeoutMs);
    const target = running('app=web')
      .map((p) => p.spec.nodeName!)
      .sort()
      .find((n, i, all) => all.indexOf(n) !== all.lastIndexOf(n))!; // a node with two web pods
    expect(target).toBeTruthy();
    const wide = await kubectl(['get', 'pods', '-n', 'shop', '-o', 'wide']);
    expect(wide.code).toBe(0);
    expect(wide.stdout).toMatch(/web-\S+\s+1\/1\s+Running/);

    const drain = await kubectl(['drain', target, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=30s'], 40_000);
    expect(drain.stdout).toMatch(new RegExp(`node/${target.replace(/\./g, '\\.')} cordoned`));
    expect(drain.stdout).toMatch(/evicted/);
    expect(drain.stdout).toMatch(new RegExp(`node/${target.replace(/\./g, '\\.')} drained`));
    expect(drain.code).toBe(0);
    // With minAvailable 5 of 6 only one web pod may go at a time: kubectl had to wait on the budget.
    expect(drain.stderr).toMatch(/Cannot evict pod as it would violate the pod's disruption budget/);

    await k8s.waitFor(() => running('app=web').length === 6, 5_000);
    const web = running('app=web');
    expect(web.every((p) => p.spec.nodeName !== target)).toBe(true);
    // Only the DaemonSet pod stays on the drained, cordoned node.
    const left = k8s.store.pods.list({ fieldSelector: `spec.nodeName=${target}` }).filter((p) => !p.metadata.deletionTimestamp);
    expect(left.map((p) => p.metadata.labels?.app)).toEqual(['node-exporter']);
    expect(k8s.store.nodes.get(target)?.spec?.unschedulable).toBe(true);

    const top = await kubectl(['top', 'nodes']);
    expect(top.code).toBe(0);
    const lines = top.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/NAME\s+CPU\(cores\)\s+CPU\(%\)\s+MEMORY\(bytes\)\s+MEMORY\(%\)/);
    expect(lines).toHaveLength(4);
    for (const line of lines.slice(1)) expect(line).toMatch(/^ip-10-0-\S+\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%/);
    const topPods = await kubectl(['top', 'pods', '-n', 'shop']);
    expect(topPods.code).toBe(0);
    // 250m × 0.6 = 150m per web pod.
    expect(topPods.stdout).toMatch(/web-\S+\s+150m\s+128Mi/);
  }, 45_000);
});
