import { AppError } from '@cloudoptim/contracts';
import { ManualClock } from '@cloudoptim/runtime';
import { describe, expect, it } from 'vitest';
import { fakeContainer, fakeNode, fakePod, FakeKubeGateway } from './fake-kube-gateway.ts';
import { kubeGatewayContract, RS_HASH, type ContainerSeed } from './kube-gateway.contract.ts';
import type { KubeContainer } from './kube-types.ts';

const container = (c: ContainerSeed): KubeContainer =>
  fakeContainer({ name: c.name, cpuRequestMillicores: c.cpuMillicores, memoryRequestBytes: c.memoryBytes, cpuLimitMillicores: c.cpuLimitMillicores ?? null, memoryLimitBytes: c.memoryLimitBytes ?? null });

kubeGatewayContract('FakeKubeGateway', async () => {
  const historyLimit = 20;
  const fake = new FakeKubeGateway({ historyLimit });
  return {
    gateway: fake,
    historyLimit,
    async seedNode(s) {
      const resources = { cpuMillicores: s.cpuMillicores, memoryBytes: s.memoryBytes, pods: 110, gpus: 0 };
      fake.addNode(
        fakeNode(s.name, {
          instanceType: s.instanceType, zone: s.zone, capacityType: s.capacityType, providerId: `aws:///${s.zone}/${s.instanceId}`,
          allocatable: resources, capacity: resources,
          labels: { 'node.kubernetes.io/instance-type': s.instanceType, 'topology.kubernetes.io/zone': s.zone, 'karpenter.sh/capacity-type': s.capacityType },
        }),
      );
    },
    async seedPod(s) {
      const owner = s.deployment
        ? { kind: 'ReplicaSet', name: `${s.deployment}-${RS_HASH}`, uid: 'rs' }
        : s.daemonSet
          ? { kind: 'DaemonSet', name: s.daemonSet, uid: 'ds' }
          : null;
      fake.addPod(
        fakePod(s.name, {
          namespace: s.namespace, nodeName: s.nodeName, labels: s.labels ?? {}, annotations: s.annotations ?? {},
          doNotDisrupt: s.annotations?.['karpenter.sh/do-not-disrupt'] === 'true', owner, isDaemonSetPod: s.daemonSet !== undefined,
          workload: s.deployment ? { kind: 'Deployment', name: s.deployment } : s.daemonSet ? { kind: 'DaemonSet', name: s.daemonSet } : null,
          containers: s.containers.map(container), nodeSelector: s.nodeSelector ?? {}, tolerations: s.tolerations ?? [],
          pending: s.unschedulable ?? null,
        }),
      );
    },
    async seedDeployment(s) {
      fake.addWorkload({ kind: 'Deployment', namespace: s.namespace, name: s.name, replicas: s.replicas, containers: s.containers.map((c) => ({ ...container(c), ready: false })) });
    },
    async seedPdb(s) {
      fake.addPdb({ namespace: s.namespace, name: s.name, selector: { matchLabels: s.matchLabels, matchExpressions: [] }, minAvailable: s.minAvailable });
    },
    async seedEvent(s) {
      const at = Date.parse(s.lastTimestamp);
      fake.addEvent({
        namespace: s.namespace, name: s.name, uid: `uid-event-${s.name}`, type: s.type, reason: s.reason, message: s.message,
        involvedObject: { kind: 'Pod', namespace: s.namespace, name: s.pod, uid: `uid-pod-${s.pod}` }, count: s.count,
        firstTimestampMs: at, lastTimestampMs: at, source: { component: 'default-scheduler', host: null }, resourceVersion: '',
      });
    },
    async setReplicas(namespace, name, replicas) {
      fake.setReplicas('Deployment', namespace, name, replicas);
    },
    async close() {},
  };
});

describe('FakeKubeGateway (test controls)', () => {
  it('records calls and fails the next call of a method with an injected AppError, once', async () => {
    const fake = new FakeKubeGateway();
    fake.addNode(fakeNode('n1'));
    fake.failNext('cordonNode', new AppError('UNAVAILABLE', 'api down'));
    await expect(fake.cordonNode('n1')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect((await fake.cordonNode('n1', { reason: 'x' })).unschedulable).toBe(true);
    expect(fake.callsOf('cordonNode')).toEqual([['n1', {}], ['n1', { reason: 'x' }]]);
    expect(fake.calls.map((c) => c.method)).toEqual(['cordonNode', 'cordonNode']);
  });

  it('keeps evicted pods terminating for terminationMs of clock time', async () => {
    const clock = new ManualClock();
    const fake = new FakeKubeGateway({ clock, terminationMs: 30_000 });
    fake.addNode(fakeNode('n1'));
    fake.addPod(fakePod('p', { nodeName: 'n1' }));
    await fake.evictPod('default', 'p');
    expect(await fake.getPod('default', 'p')).toMatchObject({ terminating: true, ready: false });
    await clock.advance(30_000);
    expect(await fake.getPod('default', 'p')).toBeNull();
  });

  it('reports metrics as unavailable when told to', async () => {
    const fake = new FakeKubeGateway();
    fake.metricsAvailable = false;
    expect(await fake.nodeUsage()).toEqual({ available: false, items: [] });
    expect(await fake.podUsage()).toEqual({ available: false, items: [] });
  });

  it('evaluates percentage and maxUnavailable budgets from the live pods', async () => {
    const fake = new FakeKubeGateway();
    for (const i of [0, 1, 2, 3]) fake.addPod(fakePod(`w${i}`, { nodeName: 'n1', labels: { app: 'w' } }));
    fake.addPdb({ namespace: 'default', name: 'pct', selector: { matchLabels: { app: 'w' }, matchExpressions: [] }, minAvailable: '50%' });
    expect((await fake.listPodDisruptionBudgets())[0]).toMatchObject({ expectedPods: 4, desiredHealthy: 2, currentHealthy: 4, disruptionsAllowed: 2 });
    fake.removePdb('default', 'pct');
    fake.addPdb({ namespace: 'default', name: 'max', selector: { matchLabels: {}, matchExpressions: [{ key: 'app', operator: 'In', values: ['w'] }] }, maxUnavailable: 1, expectedPods: 4 });
    await fake.evictPod('default', 'w0');
    await expect(fake.evictPod('default', 'w1')).rejects.toMatchObject({ code: 'PDB_BLOCKED' });
    // An unready pod may go only while the budget is met (3 healthy needed, 2 left once w1 is unready).
    fake.updatePod('default', 'w1', (p) => { p.ready = false; });
    await expect(fake.evictPod('default', 'w1')).rejects.toMatchObject({ code: 'PDB_BLOCKED' });
    fake.addPod(fakePod('w4', { nodeName: 'n2', labels: { app: 'w' } }));
    await fake.evictPod('default', 'w1');
    expect((await fake.listPods()).map((p) => p.name)).toEqual(['w2', 'w3', 'w4']);
  });
});
