/**
 * `kubectl drain --ignore-daemonsets --delete-emptydir-data` against the simulator: evictions through
 * `pods/eviction`, a PodDisruptionBudget answering 429 until a replacement pod is Ready, graceful termination
 * finished by a stand-in kubelet, and a drain that times out on a PDB that never allows a disruption.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFixture, podFixture, startTestCluster, type TestCluster } from './fixtures.ts';
import { runKubectl } from './kubectl-runner.ts';
import type { OwnerReference, Pod } from './types.ts';

const template = (app: string) => ({
  selector: { matchLabels: { app } },
  template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
});

describe('kubectl drain', () => {
  let c: TestCluster;
  let rsRef: OwnerReference;
  const evictedAt: string[] = [];

  beforeAll(async () => {
    c = await startTestCluster();
    const { store } = c;
    for (const n of ['node-a', 'node-b', 'node-c']) store.nodes.create(nodeFixture(n));
    const rs = store.create('apps/replicasets', { metadata: { name: 'web-5d4f', namespace: 'default' }, spec: { replicas: 3, ...template('web') } });
    rsRef = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true };
    const ds = store.create('apps/daemonsets', { metadata: { name: 'logs', namespace: 'kube-system' }, spec: template('logs') });
    const dsRef = { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'logs', uid: ds.metadata.uid, controller: true };
    store.pods.create(podFixture('web-a1', { labels: { app: 'web' }, nodeName: 'node-a', ownerReferences: [rsRef] }));
    store.pods.create(podFixture('web-a2', { labels: { app: 'web' }, nodeName: 'node-a', ownerReferences: [rsRef], emptyDir: true }));
    store.pods.create(podFixture('web-b1', { labels: { app: 'web' }, nodeName: 'node-b', ownerReferences: [rsRef] }));
    store.pods.create(podFixture('logs-a', { namespace: 'kube-system', labels: { app: 'logs' }, nodeName: 'node-a', ownerReferences: [dsRef] }));
    store.create('policy/poddisruptionbudgets', { metadata: { name: 'web', namespace: 'default' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } } });
    // A single-replica app whose PDB never allows a disruption.
    store.create('namespaces', { metadata: { name: 'solo' } });
    const solo = store.create('apps/replicasets', { metadata: { name: 'db', namespace: 'solo' }, spec: { replicas: 1, ...template('db') } });
    store.pods.create(podFixture('db-0', { namespace: 'solo', labels: { app: 'db' }, nodeName: 'node-c', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'db', uid: solo.metadata.uid, controller: true }] }));
    store.create('policy/poddisruptionbudgets', { metadata: { name: 'db', namespace: 'solo' }, spec: { maxUnavailable: 0, selector: { matchLabels: { app: 'db' } } } });

    // Stand-in kubelet: finish graceful termination shortly after it starts.
    store.onPodGracefulDelete((pod, grace) => {
      evictedAt.push(`${pod.metadata.name}:${grace}`);
      setTimeout(() => store.pods.finishTermination(pod.metadata.namespace!, pod.metadata.name), 200);
    });
    // Stand-in ReplicaSet controller: a web pod that goes away is replaced, Ready, on node-b.
    let n = 0;
    store.pods.watch({ namespace: 'default', labelSelector: 'app=web' }, (ev) => {
      if (ev.type !== 'DELETED') return;
      setTimeout(() => store.pods.create(podFixture(`web-r${++n}`, { labels: { app: 'web' }, nodeName: 'node-b', ownerReferences: [rsRef] })), 300);
    });
  });
  afterAll(async () => c?.close());

  it('waits on the PDB until a replacement is ready, and times out on a PDB that never allows', async () => {
    const [ok, blocked] = await Promise.all([
      runKubectl(c, ['drain', 'node-a', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=9s']),
      runKubectl(c, ['drain', 'node-c', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=2s']),
    ]);
    expect(ok.stderr).toMatch(/Cannot evict pod as it would violate the pod's disruption budget/);
    expect(ok.stdout).toMatch(/node\/node-a cordoned/);
    expect(ok.stdout).toMatch(/pod\/web-a1 evicted/);
    expect(ok.stdout).toMatch(/pod\/web-a2 evicted/);
    expect(ok.stdout).toMatch(/node\/node-a drained/);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toMatch(/Warning: ignoring DaemonSet-managed Pods: kube-system\/logs-a/);
    expect(evictedAt.sort()).toEqual(['web-a1:30', 'web-a2:30']);
    const left = c.store.pods.list({ fieldSelector: 'spec.nodeName=node-a' }).map((p: Pod) => p.metadata.name);
    expect(left).toEqual(['logs-a']);
    expect(c.store.nodes.get('node-a')?.spec?.unschedulable).toBe(true);

    expect(blocked.code).not.toBe(0);
    expect(blocked.stderr).toMatch(/Cannot evict pod as it would violate the pod's disruption budget/);
    expect(blocked.stderr).toMatch(/global timeout reached: 2s/);
    expect(c.store.pods.get('solo', 'db-0')).toBeDefined();
  }, 15_000);
});
