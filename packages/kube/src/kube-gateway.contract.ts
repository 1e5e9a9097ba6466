/**
 * The one contract every KubeGateway passes (ARCHITECTURE convention 12): FakeKubeGateway in
 * fake-kube-gateway.test.ts and ClientNodeKubeGateway against the simulator's Kubernetes API in
 * client-node-kube-gateway.int.test.ts. The logic above the gateway may rely on exactly what is asserted here.
 */
import { AppError } from '@cloudoptim/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeGateway } from './kube-gateway.ts';
import type { KubeEvent, KubeNode, KubeWatchEvent, Toleration } from './kube-types.ts';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

export interface NodeSeed {
  name: string;
  instanceType: string;
  zone: string;
  capacityType: 'spot' | 'on-demand';
  instanceId: string;
  cpuMillicores: number;
  memoryBytes: number;
}

export interface ContainerSeed {
  name: string;
  cpuMillicores: number;
  memoryBytes: number;
  cpuLimitMillicores?: number;
  memoryLimitBytes?: number;
}

export interface PodSeed {
  namespace: string;
  name: string;
  /** Bound and Running + Ready when set; Pending (PodScheduled False with `unschedulable`) when null. */
  nodeName: string | null;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  containers: ContainerSeed[];
  /** Owned by this Deployment's ReplicaSet `<deployment>-5d8f9c7b6d` (label pod-template-hash). */
  deployment?: string;
  /** Owned by this DaemonSet. */
  daemonSet?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  unschedulable?: { reason: string; message: string };
}

/** A core/v1 Event about a pod, as the scheduler or kubelet records it (a repeat bumps `count`). */
export interface EventSeed {
  namespace: string;
  name: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  pod: string;
  count: number;
  /** ISO time of the last occurrence. */
  lastTimestamp: string;
}

export interface DeploymentSeed {
  namespace: string;
  name: string;
  replicas: number;
  labels: Record<string, string>;
  containers: ContainerSeed[];
}

/** What the suite needs from an implementation under test. */
export interface KubeGatewayHarness {
  gateway: KubeGateway;
  seedNode(seed: NodeSeed): Promise<void>;
  seedPod(seed: PodSeed): Promise<void>;
  /** A Deployment and its ReplicaSet `<name>-5d8f9c7b6d` (no pods: seed them). */
  seedDeployment(seed: DeploymentSeed): Promise<void>;
  seedPdb(seed: { namespace: string; name: string; matchLabels: Record<string, string>; minAvailable: number }): Promise<void>;
  /** Records (or re-records, bumping its count) a core/v1 Event. */
  seedEvent(seed: EventSeed): Promise<void>;
  /** Someone else sets a Deployment's replicas. */
  setReplicas(namespace: string, name: string, replicas: number): Promise<void>;
  /** Watch history kept by the implementation (resuming from further back re-lists). */
  historyLimit: number;
  close(): Promise<void>;
}

export const RS_HASH = '5d8f9c7b6d';

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('expected the call to fail');
}

/** Polls (real time) until `cond` holds: watch events of the real gateway arrive asynchronously. */
async function until(cond: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const app = (o: Partial<ContainerSeed> = {}): ContainerSeed => ({ name: 'app', cpuMillicores: 200, memoryBytes: 256 * MiB, ...o });

/** Registers the contract suite for one implementation. */
export function kubeGatewayContract(name: string, setup: () => Promise<KubeGatewayHarness>): void {
  describe(`KubeGateway contract: ${name}`, () => {
    let h: KubeGatewayHarness;
    let g: KubeGateway;
    beforeEach(async () => {
      h = await setup();
      g = h.gateway;
      await h.seedNode({ name: 'node-a', instanceType: 'm5.large', zone: 'us-east-1a', capacityType: 'spot', instanceId: 'i-0123456789abcdef0', cpuMillicores: 2000, memoryBytes: 8 * GiB });
      await h.seedNode({ name: 'node-b', instanceType: 'c5.xlarge', zone: 'us-east-1b', capacityType: 'on-demand', instanceId: 'i-0fedcba9876543210', cpuMillicores: 4000, memoryBytes: 8 * GiB });
      await h.seedDeployment({ namespace: 'default', name: 'web', replicas: 2, labels: { app: 'web' }, containers: [app({ cpuLimitMillicores: 500 }), { name: 'sidecar', cpuMillicores: 50, memoryBytes: 64 * MiB }] });
      for (const i of [0, 1]) {
        await h.seedPod({ namespace: 'default', name: `web-${i}`, nodeName: 'node-a', labels: { app: 'web' }, deployment: 'web', containers: [app({ cpuLimitMillicores: 500 }), { name: 'sidecar', cpuMillicores: 50, memoryBytes: 64 * MiB }] });
      }
      await h.seedPod({
        namespace: 'default', name: 'solo', nodeName: 'node-b', labels: { app: 'solo' }, annotations: { 'karpenter.sh/do-not-disrupt': 'true' },
        containers: [app({ memoryLimitBytes: 512 * MiB })],
        tolerations: [{ key: 'spot', operator: 'Equal', value: 'true', effect: 'NoSchedule', tolerationSeconds: null }],
      });
      await h.seedPod({ namespace: 'kube-system', name: 'exporter-a', nodeName: 'node-a', labels: { app: 'exporter' }, daemonSet: 'exporter', containers: [app({ cpuMillicores: 50 })] });
      await h.seedPod({
        namespace: 'default', name: 'big', nodeName: null, labels: { app: 'big' }, containers: [app({ cpuMillicores: 8000 })], nodeSelector: { 'karpenter.sh/capacity-type': 'spot' },
        unschedulable: { reason: 'Unschedulable', message: '0/2 nodes are available: 2 Insufficient cpu.' },
      });
    });
    afterEach(async () => {
      await h.close();
    });

    it('lists nodes with instance type, zone, capacity type, instance id, allocatable, readiness and labels', async () => {
      const nodes = await g.listNodes();
      expect(nodes.map((n) => n.name).sort()).toEqual(['node-a', 'node-b']);
      const a = nodes.find((n) => n.name === 'node-a')!;
      expect(a).toMatchObject({ instanceType: 'm5.large', zone: 'us-east-1a', capacityType: 'spot', instanceId: 'i-0123456789abcdef0', ready: true, unschedulable: false, taints: [] });
      expect(a.allocatable).toMatchObject({ cpuMillicores: 2000, memoryBytes: 8 * GiB });
      expect(a.allocatable.pods).toBeGreaterThan(0);
      expect(a.labels['topology.kubernetes.io/zone']).toBe('us-east-1a');
      expect(nodes.find((n) => n.name === 'node-b')).toMatchObject({ capacityType: 'on-demand', instanceType: 'c5.xlarge' });
      expect((await g.getNode('node-b'))?.zone).toBe('us-east-1b');
      expect(await g.getNode('ghost')).toBeNull();
      expect((await g.listNodes({ labelSelector: 'topology.kubernetes.io/zone=us-east-1b' })).map((n) => n.name)).toEqual(['node-b']);
    });

    it('lists pods with phase, node, workload, requests and limits, do-not-disrupt, tolerations and pending reason', async () => {
      const pods = await g.listPods();
      const byName = new Map(pods.map((p) => [p.name, p]));
      expect([...byName.keys()].sort()).toEqual(['big', 'exporter-a', 'solo', 'web-0', 'web-1']);
      const web = byName.get('web-0')!;
      expect(web).toMatchObject({ namespace: 'default', nodeName: 'node-a', phase: 'Running', ready: true, workload: { kind: 'Deployment', name: 'web' }, doNotDisrupt: false, isDaemonSetPod: false, labels: { app: 'web' } });
      expect(web.owner).toMatchObject({ kind: 'ReplicaSet', name: `web-${RS_HASH}` });
      expect(web.containers.map((c) => [c.name, c.cpuRequestMillicores, c.memoryRequestBytes, c.cpuLimitMillicores, c.memoryLimitBytes])).toEqual([
        ['app', 200, 256 * MiB, 500, null],
        ['sidecar', 50, 64 * MiB, null, null],
      ]);
      const solo = byName.get('solo')!;
      expect(solo).toMatchObject({ doNotDisrupt: true, workload: null, owner: null, annotations: { 'karpenter.sh/do-not-disrupt': 'true' } });
      expect(solo.containers[0]).toMatchObject({ memoryLimitBytes: 512 * MiB });
      expect(solo.tolerations).toContainEqual({ key: 'spot', operator: 'Equal', value: 'true', effect: 'NoSchedule', tolerationSeconds: null });
      expect(byName.get('exporter-a')).toMatchObject({ isDaemonSetPod: true, workload: { kind: 'DaemonSet', name: 'exporter' } });
      expect(byName.get('big')).toMatchObject({ phase: 'Pending', nodeName: null, nodeSelector: { 'karpenter.sh/capacity-type': 'spot' }, pending: { reason: 'Unschedulable', message: '0/2 nodes are available: 2 Insufficient cpu.' } });
      expect((await g.listPods({ nodeName: 'node-a' })).map((p) => p.name).sort()).toEqual(['exporter-a', 'web-0', 'web-1']);
      expect((await g.listPods({ namespace: 'kube-system' })).map((p) => p.name)).toEqual(['exporter-a']);
      expect((await g.listPods({ labelSelector: 'app=web' })).map((p) => p.name).sort()).toEqual(['web-0', 'web-1']);
      expect((await g.getPod('default', 'solo'))?.nodeName).toBe('node-b');
      expect(await g.getPod('default', 'ghost')).toBeNull();
    });

    it('lists pods page by page, the same pods as listPods', async () => {
      const pages: string[][] = [];
      await g.listPodsPaged((pods) => void pages.push(pods.map((p) => p.name)));
      expect(pages.flat().sort()).toEqual((await g.listPods()).map((p) => p.name).sort());
      const onA: string[] = [];
      await g.listPodsPaged((pods) => void onA.push(...pods.map((p) => p.name)), { nodeName: 'node-a' });
      expect(onA.sort()).toEqual(['exporter-a', 'web-0', 'web-1']);
    });

    it('lists PodDisruptionBudgets with their selector and disruptions allowed', async () => {
      await h.seedPdb({ namespace: 'default', name: 'web', matchLabels: { app: 'web' }, minAvailable: 1 });
      const pdbs = await g.listPodDisruptionBudgets();
      expect(pdbs).toHaveLength(1);
      expect(pdbs[0]).toMatchObject({ namespace: 'default', name: 'web', selector: { matchLabels: { app: 'web' } }, minAvailable: 1, maxUnavailable: null });
      expect(await g.listPodDisruptionBudgets({ namespace: 'kube-system' })).toEqual([]);
    });

    it('reads usage of nodes and running pods from metrics.k8s.io', async () => {
      const nodes = await g.nodeUsage();
      expect(nodes.available).toBe(true);
      const a = nodes.items.find((u) => u.nodeName === 'node-a');
      expect(a?.cpuMillicores).toBeGreaterThan(0);
      expect(a?.memoryBytes).toBeGreaterThan(0);
      const pods = await g.podUsage();
      expect(pods.available).toBe(true);
      const web = pods.items.find((u) => u.podName === 'web-0');
      expect(web?.namespace).toBe('default');
      expect(web?.containers.map((c) => c.name)).toEqual(['app', 'sidecar']);
      for (const c of web?.containers ?? []) expect(c.cpuMillicores).toBeGreaterThan(0);
      expect(pods.items.some((u) => u.podName === 'big')).toBe(false);
      expect((await g.podUsage({ namespace: 'kube-system' })).items.map((u) => u.podName)).toEqual(['exporter-a']);
    });

    it('cordons and uncordons idempotently, recording the reason', async () => {
      const cordoned = await g.cordonNode('node-a', { reason: 'spot-optimize plan 7' });
      expect(cordoned.unschedulable).toBe(true);
      expect(cordoned.annotations['cloudoptim.io/cordon-reason']).toBe('spot-optimize plan 7');
      expect((await g.cordonNode('node-a')).unschedulable).toBe(true);
      expect((await g.getNode('node-a'))?.unschedulable).toBe(true);
      const back = await g.uncordonNode('node-a');
      expect(back.unschedulable).toBe(false);
      expect(back.annotations['cloudoptim.io/cordon-reason']).toBeUndefined();
      expect((await g.uncordonNode('node-a')).unschedulable).toBe(false);
      expect((await rejection(g.cordonNode('ghost'))).code).toBe('NOT_FOUND');
    });

    it('sets and removes labels', async () => {
      const n = await g.labelNode('node-b', { 'cloudoptim.io/pool': 'general', team: 'a' });
      expect(n.labels).toMatchObject({ 'cloudoptim.io/pool': 'general', team: 'a', 'topology.kubernetes.io/zone': 'us-east-1b' });
      const m = await g.labelNode('node-b', { team: null, absent: null });
      expect(m.labels['team']).toBeUndefined();
      expect(m.labels['cloudoptim.io/pool']).toBe('general');
      expect((await rejection(g.labelNode('ghost', { a: 'b' }))).code).toBe('NOT_FOUND');
    });

    it('adds, replaces and removes taints', async () => {
      await g.taintNode('node-a', { add: [{ key: 'cloudoptim.io/draining', value: 'true', effect: 'NoSchedule' }, { key: 'spot', value: null, effect: 'NoExecute' }] });
      const again = await g.taintNode('node-a', { add: [{ key: 'cloudoptim.io/draining', value: 'yes', effect: 'NoSchedule' }] });
      expect(again.taints).toEqual(
        expect.arrayContaining([
          { key: 'cloudoptim.io/draining', value: 'yes', effect: 'NoSchedule' },
          { key: 'spot', value: null, effect: 'NoExecute' },
        ]),
      );
      expect(again.taints).toHaveLength(2);
      const removed = await g.taintNode('node-a', { remove: [{ key: 'spot', effect: null }, { key: 'never-there', effect: 'NoSchedule' }] });
      expect(removed.taints).toEqual([{ key: 'cloudoptim.io/draining', value: 'yes', effect: 'NoSchedule' }]);
      const none = await g.taintNode('node-a', { remove: [{ key: 'cloudoptim.io/draining', effect: 'NoSchedule' }] });
      expect(none.taints).toEqual([]);
    });

    it('evicts a pod; a PodDisruptionBudget that forbids it answers PDB_BLOCKED; a missing pod NOT_FOUND', async () => {
      await g.evictPod('default', 'solo');
      expect(await g.getPod('default', 'solo')).toBeNull();
      await h.seedPdb({ namespace: 'default', name: 'web', matchLabels: { app: 'web' }, minAvailable: 2 });
      const blocked = await rejection(g.evictPod('default', 'web-0'));
      expect(blocked.code).toBe('PDB_BLOCKED');
      expect(blocked.message).toMatch(/disruption budget/);
      expect(blocked.message).toMatch(/web needs 2 healthy pods and has 2/);
      expect(await g.getPod('default', 'web-0')).not.toBeNull();
      const pdb = (await g.listPodDisruptionBudgets())[0];
      expect(pdb).toMatchObject({ name: 'web', disruptionsAllowed: 0 });
      expect((await rejection(g.evictPod('default', 'ghost'))).code).toBe('NOT_FOUND');
    });

    it('deletes pods and nodes', async () => {
      await g.deletePod('default', 'big');
      expect(await g.getPod('default', 'big')).toBeNull();
      expect((await rejection(g.deletePod('default', 'big'))).code).toBe('NOT_FOUND');
      await g.deleteNode('node-b');
      expect(await g.getNode('node-b')).toBeNull();
      expect((await rejection(g.deleteNode('node-b'))).code).toBe('NOT_FOUND');
    });

    it('scales through the scale subresource, guarded by the expected replicas', async () => {
      expect(await g.scaleWorkload({ kind: 'Deployment', namespace: 'default', name: 'web', replicas: 5, expectedReplicas: 2 })).toEqual({ previousReplicas: 2, replicas: 5 });
      expect((await g.getWorkload('Deployment', 'default', 'web'))?.replicas).toBe(5);
      await h.setReplicas('default', 'web', 7);
      const conflict = await rejection(g.scaleWorkload({ kind: 'Deployment', namespace: 'default', name: 'web', replicas: 0, expectedReplicas: 5 }));
      expect(conflict.code).toBe('CONFLICT');
      expect(conflict.details).toMatchObject({ expected_replicas: 5, actual_replicas: 7 });
      expect((await g.getWorkload('Deployment', 'default', 'web'))?.replicas).toBe(7);
      // Already at the target: a re-run of a finished scale succeeds whatever it expected.
      expect(await g.scaleWorkload({ kind: 'Deployment', namespace: 'default', name: 'web', replicas: 7, expectedReplicas: 5 })).toEqual({ previousReplicas: 7, replicas: 7 });
      expect(await g.scaleWorkload({ kind: 'Deployment', namespace: 'default', name: 'web', replicas: 0 })).toEqual({ previousReplicas: 7, replicas: 0 });
      expect((await rejection(g.scaleWorkload({ kind: 'StatefulSet', namespace: 'default', name: 'web', replicas: 1 }))).code).toBe('NOT_FOUND');
    });

    it('patches container resources of a workload by container name', async () => {
      const patched = await g.patchWorkloadResources({
        kind: 'Deployment', namespace: 'default', name: 'web',
        containers: [{ containerName: 'app', cpuRequestMillicores: 300, memoryRequestBytes: 384 * MiB, cpuLimitMillicores: null, memoryLimitBytes: GiB }],
      });
      const read = await g.getWorkload('Deployment', 'default', 'web');
      for (const w of [patched, read]) {
        expect(w?.containers.map((c) => [c.name, c.cpuRequestMillicores, c.memoryRequestBytes, c.cpuLimitMillicores, c.memoryLimitBytes])).toEqual([
          ['app', 300, 384 * MiB, null, GiB],
          ['sidecar', 50, 64 * MiB, null, null],
        ]);
      }
      const missing = await rejection(g.patchWorkloadResources({ kind: 'Deployment', namespace: 'default', name: 'web', containers: [{ containerName: 'nope', cpuRequestMillicores: 1 }] }));
      expect(missing.code).toBe('VALIDATION_FAILED');
      expect((await rejection(g.patchWorkloadResources({ kind: 'Deployment', namespace: 'default', name: 'ghost', containers: [{ containerName: 'app', cpuRequestMillicores: 1 }] }))).code).toBe('NOT_FOUND');
    });

    it('watches nodes: a SYNC first, changes in order, resume from a resourceVersion, re-list when it is too old', async () => {
      const events: KubeWatchEvent<KubeNode>[] = [];
      const w = await g.watchNodes((e) => events.push(e));
      await until(() => events.length >= 1, 'the SYNC');
      const first = events[0]!;
      expect(first.type).toBe('SYNC');
      expect(first.type === 'SYNC' && first.objects.map((n) => n.name).sort()).toEqual(['node-a', 'node-b']);
      await g.cordonNode('node-a');
      await until(() => events.some((e) => e.type === 'MODIFIED' && e.object.name === 'node-a' && e.object.unschedulable), 'the cordon');
      await until(() => w.resourceVersion !== first.resourceVersion, 'the resourceVersion to move');
      const resumeFrom = w.resourceVersion!;
      await w.stop();

      await g.labelNode('node-b', { seen: 'later' });
      const resumed: KubeWatchEvent<KubeNode>[] = [];
      const w2 = await g.watchNodes((e) => resumed.push(e), { resourceVersion: resumeFrom });
      await until(() => resumed.length >= 1, 'the missed change');
      expect(resumed[0]).toMatchObject({ type: 'MODIFIED', object: { name: 'node-b', labels: { seen: 'later' } } });
      await w2.stop();

      for (let i = 0; i <= h.historyLimit; i++) await g.labelNode('node-b', { round: String(i) });
      const relisted: KubeWatchEvent<KubeNode>[] = [];
      const w3 = await g.watchNodes((e) => relisted.push(e), { resourceVersion: resumeFrom });
      await until(() => relisted.some((e) => e.type === 'SYNC'), 'the re-list');
      const sync = relisted.find((e) => e.type === 'SYNC');
      expect(sync?.type === 'SYNC' && sync.objects.find((n) => n.name === 'node-b')?.labels['round']).toBe(String(h.historyLimit));
      await g.labelNode('node-a', { after: 'relist' });
      await until(() => relisted.some((e) => e.type === 'MODIFIED' && e.object.labels['after'] === 'relist'), 'a change after the re-list');
      await w3.stop();
    });

    it('answers the API server version', async () => {
      expect(await g.serverVersion()).toMatch(/^v1\.\d+/);
    });

    it('sets and removes workload annotations without touching its pods', async () => {
      const w = await g.annotateWorkload('Deployment', 'default', 'web', { 'cloudoptim.io/original-replicas': '2' });
      expect(w.annotations['cloudoptim.io/original-replicas']).toBe('2');
      expect((await g.getWorkload('Deployment', 'default', 'web'))?.annotations['cloudoptim.io/original-replicas']).toBe('2');
      const back = await g.annotateWorkload('Deployment', 'default', 'web', { 'cloudoptim.io/original-replicas': null });
      expect(back.annotations['cloudoptim.io/original-replicas']).toBeUndefined();
      expect((await g.listPods({ labelSelector: 'app=web' })).map((p) => p.name).sort()).toEqual(['web-0', 'web-1']);
      expect((await rejection(g.annotateWorkload('Deployment', 'default', 'ghost', { a: 'b' }))).code).toBe('NOT_FOUND');
    });

    it('watches events: a SYNC, new events as ADDED, repeats as MODIFIED with a higher count', async () => {
      const failed = { namespace: 'default', name: 'big.1', type: 'Warning', reason: 'FailedScheduling', message: '0/2 nodes are available: 2 Insufficient cpu.', pod: 'big' } as const;
      await h.seedEvent({ ...failed, count: 1, lastTimestamp: '2026-01-01T00:00:00Z' });
      const events: KubeWatchEvent<KubeEvent>[] = [];
      const w = await g.watchEvents((e) => events.push(e));
      await until(() => events.length >= 1, 'the SYNC');
      const sync = events[0]!;
      expect(sync.type === 'SYNC' && sync.objects.find((e) => e.name === 'big.1')).toMatchObject({
        namespace: 'default', type: 'Warning', reason: 'FailedScheduling', message: '0/2 nodes are available: 2 Insufficient cpu.', count: 1,
        involvedObject: { kind: 'Pod', namespace: 'default', name: 'big' }, lastTimestampMs: Date.UTC(2026, 0, 1),
      });
      await h.seedEvent({ namespace: 'default', name: 'web-0.2', type: 'Normal', reason: 'Killing', message: 'Stopping container app', pod: 'web-0', count: 1, lastTimestamp: '2026-01-01T00:01:00Z' });
      await h.seedEvent({ ...failed, count: 2, lastTimestamp: '2026-01-01T00:02:00Z' });
      await until(() => events.some((e) => e.type === 'MODIFIED'), 'the repeat');
      const changes = events.slice(1).map((e) => (e.type === 'SYNC' ? 'SYNC' : `${e.type}:${e.object.name}:${e.object.reason}:${e.object.count}`));
      expect(changes).toEqual(['ADDED:web-0.2:Killing:1', 'MODIFIED:big.1:FailedScheduling:2']);
      await w.stop();

      // The API server filters by field selector: routine events never reach the watch.
      const filtered: KubeWatchEvent<KubeEvent>[] = [];
      const fw = await g.watchEvents((e) => filtered.push(e), { fieldSelector: 'reason!=Killing,reason!=Scheduled' });
      await until(() => filtered.length >= 1, 'the filtered SYNC');
      const first = filtered[0]!;
      expect(first.type === 'SYNC' && first.objects.map((e) => e.reason)).toEqual(['FailedScheduling']);
      await h.seedEvent({ namespace: 'default', name: 'web-1.3', type: 'Normal', reason: 'Scheduled', message: 'assigned', pod: 'web-1', count: 1, lastTimestamp: '2026-01-01T00:03:00Z' });
      await h.seedEvent({ namespace: 'default', name: 'web-1.4', type: 'Warning', reason: 'Evicted', message: 'memory pressure', pod: 'web-1', count: 1, lastTimestamp: '2026-01-01T00:04:00Z' });
      await until(() => filtered.some((e) => e.type === 'ADDED'), 'the Evicted event');
      expect(filtered.slice(1).map((e) => (e.type === 'SYNC' ? 'SYNC' : `${e.type}:${e.object.reason}`))).toEqual(['ADDED:Evicted']);
      await fw.stop();
    });

    it('watches pods: a SYNC, then deletions as DELETED events', async () => {
      const events: string[] = [];
      const w = await g.watchPods((e) => events.push(e.type === 'SYNC' ? `SYNC:${e.objects.length}` : `${e.type}:${e.object.name}`), { namespace: 'default' });
      await until(() => events.length >= 1, 'the SYNC');
      expect(events[0]).toBe('SYNC:4');
      await g.deletePod('default', 'big');
      await until(() => events.includes('DELETED:big'), 'the deletion');
      await w.stop();
    });
  });
}
