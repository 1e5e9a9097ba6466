/**
 * drain_node end to end against the simulator's running cluster (scheduler, controllers, kubelets; 30× real
 * time), through the real Kubernetes client, as `cloudoptim agent exec` runs it:
 * - a node holding pods of a PDB-protected Deployment, a DaemonSet pod and an emptyDir pod drains to "no
 *   evictable pod left", the PDB is never violated, and the replacements run on other nodes;
 * - a drain that a PodDisruptionBudget keeps refusing ends `timeout` at its deadline, naming the blocking pods.
 */
import { TaskResultSchema } from '@cloudoptim/contracts';
import { ClientNodeKubeGateway } from '@cloudoptim/kube';
import { ScaledClock, silentLogger, SystemClock } from '@cloudoptim/runtime';
import { ScenarioSchema, startKubeCluster, type KubeCluster } from '@cloudoptim/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskOf } from '../testing/tasks.ts';
import { executeTaskOnce } from './exec-once.ts';

const SPEED = 30;
const container = (name: string) => ({ name, cpu_request: '200m', memory_request: '256Mi', usage: { profile: 'constant', cpu_fraction: 0.5, memory_fraction: 0.5 } });

const scenario = ScenarioSchema.parse({
  name: 'agent-drain',
  region: 'us-east-1',
  history_start: '2021-04-05T00:00:00Z',
  nodes: [
    { instance_type: 'm5.large', capacity_type: 'on-demand', zone: 'us-east-1a', count: 1 },
    { instance_type: 'm5.large', capacity_type: 'spot', zone: 'us-east-1b', count: 1 },
    { instance_type: 'm5.large', capacity_type: 'spot', zone: 'us-east-1c', count: 1 },
  ],
  workloads: [
    { kind: 'Deployment', namespace: 'shop', name: 'web', replicas: 4, labels: { app: 'web' }, termination_grace_period_seconds: 5, containers: [container('app')], pdb: { min_available: 3 } },
    { kind: 'DaemonSet', namespace: 'kube-system', name: 'exporter', labels: { app: 'exporter' }, tolerations: [{ operator: 'Exists' }], containers: [container('exporter')] },
  ],
});

describe('drain_node against the simulator', () => {
  const clock = new ScaledClock(new SystemClock(), Date.UTC(2021, 3, 5, 12), SPEED);
  let k8s: KubeCluster;
  let kube: ClientNodeKubeGateway;
  const ready = (selector: string, namespace = 'shop') => k8s.readyPods(selector, namespace);
  const exec = async (task: unknown) => TaskResultSchema.parse(await executeTaskOnce(JSON.stringify(task), { kube, clock, log: silentLogger, drain: { retryIntervalMs: 2_000, maxRetryIntervalMs: 8_000 } }));

  beforeAll(async () => {
    k8s = await startKubeCluster({ scenario, clock, seed: 11 });
    kube = new ClientNodeKubeGateway({ connection: { kubeconfigPath: k8s.kubeconfig }, clock });
    await k8s.waitFor(() => ready('app=web').length === 4 && ready('app=exporter', 'kube-system').length === 3, 10_000);
  });
  afterAll(() => k8s?.stop());

  /** A Deployment of one pod with an emptyDir volume, scheduled only on nodes labelled `cache-home`. */
  function createCache(): void {
    k8s.store.create('apps/deployments', {
      metadata: { name: 'cache', namespace: 'shop' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'cache' } },
        template: {
          metadata: { labels: { app: 'cache' } },
          spec: {
            nodeSelector: { 'cache-home': 'yes' },
            terminationGracePeriodSeconds: 5,
            containers: [{ name: 'redis', image: 'redis:7', resources: { requests: { cpu: '100m', memory: '128Mi' } }, volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
            volumes: [{ name: 'data', emptyDir: {} }],
          },
        },
      },
    });
  }
  const label = (node: string) => k8s.store.nodes.mutate(undefined, node, (n) => void (n.metadata.labels = { ...n.metadata.labels, 'cache-home': 'yes' }));

  it('drains a node with PDB-protected, DaemonSet and emptyDir pods; the PDB holds and replacements run elsewhere', async () => {
    const perNode = new Map<string, number>();
    for (const p of ready('app=web')) perNode.set(p.spec.nodeName!, (perNode.get(p.spec.nodeName!) ?? 0) + 1);
    const [target, webOnTarget] = [...perNode].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]!;
    expect(webOnTarget).toBeGreaterThanOrEqual(2);
    const other = [...perNode.keys(), ...k8s.store.nodes.list().map((n) => n.metadata.name)].find((n) => n !== target)!;
    label(target);
    createCache();
    await k8s.waitFor(() => ready('app=cache').some((p) => p.spec.nodeName === target), 10_000);
    label(other);

    // Healthy web pods, after every change of any pod in the namespace: the budget (3) must always hold.
    let minHealthy = Infinity;
    const watch = k8s.store.pods.watch({ namespace: 'shop', resourceVersion: k8s.store.resourceVersion }, () => {
      minHealthy = Math.min(minHealthy, ready('app=web').length);
    });
    const task = taskOf('drain_node', clock.now(), { node_name: target, timeout_seconds: 300, grace_period_seconds: null, include_do_not_disrupt: false }, { deadlineSeconds: 600 });
    const result = await exec(task);
    watch.stop();

    expect(result.status).toBe('success');
    expect(result.metadata).toMatchObject({ node_name: target, drain_status: 'drained', pods_remaining: 0, cordoned: true, pods_evicted: webOnTarget + 1 });
    // The PDB refused at least one eviction on the way: it was honoured, not bypassed.
    expect(result.metadata['pdb_retries']).toBeGreaterThan(0);
    expect(minHealthy).toBeGreaterThanOrEqual(3);
    const left = await kube.listPods({ nodeName: target });
    expect(left.filter((p) => !p.isDaemonSetPod && p.phase !== 'Succeeded' && p.phase !== 'Failed')).toEqual([]);
    expect(left.filter((p) => p.isDaemonSetPod)).toHaveLength(1);
    expect((await kube.getNode(target))?.unschedulable).toBe(true);

    await k8s.waitFor(() => ready('app=web').length === 4 && ready('app=cache').length === 1, 10_000);
    expect(ready('app=web').every((p) => p.spec.nodeName !== target)).toBe(true);
    expect(ready('app=cache')[0]?.spec.nodeName).toBe(other);
    expect(result.logs.some((l) => /drained: \d+ pod\(s\) evicted/.test(l))).toBe(true);
  });

  it('reports timeout at the deadline, naming the pods a PodDisruptionBudget keeps', async () => {
    k8s.store.create('apps/deployments', {
      metadata: { name: 'locked', namespace: 'shop' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'locked' } },
        template: { metadata: { labels: { app: 'locked' } }, spec: { containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu: '50m', memory: '64Mi' } } }] } },
      },
    });
    k8s.store.create('policy/poddisruptionbudgets', { metadata: { name: 'locked', namespace: 'shop' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'locked' } } } });
    await k8s.waitFor(() => ready('app=locked').length === 2, 10_000);
    const node = ready('app=locked')[0]!.spec.nodeName!;
    const pod = ready('app=locked').find((p) => p.spec.nodeName === node)!.metadata.name;

    const result = await exec(taskOf('drain_node', clock.now(), { node_name: node, timeout_seconds: 60 }, { deadlineSeconds: 600 }));
    expect(result.status).toBe('timeout');
    expect(result.error).toMatch(new RegExp(`did not finish before its deadline: \\d+ pod\\(s\\) left: .*shop/${pod} \\(refused by a PodDisruptionBudget: .*locked`));
    expect(result.duration_seconds).toBeGreaterThanOrEqual(60);
    expect(result.duration_seconds).toBeLessThan(90);
    expect(ready('app=locked').map((p) => p.metadata.name)).toContain(pod);
  });

  it('answers an invalid task with a failed result that says why', async () => {
    const result = await exec(taskOf('drain_node', clock.now(), { node_name: 'Not A Name' }, { task_id: 'bad-1' }));
    expect(result).toMatchObject({ task_id: 'bad-1', status: 'failed', error_code: 'VALIDATION_FAILED' });
    expect(result.error).toMatch(/parameters.node_name: must be a Kubernetes name/);
  });
});
