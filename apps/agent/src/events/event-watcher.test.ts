/**
 * EventWatcher on the fake gateway: which Kubernetes Events become ClusterEvents, de-duplication, the
 * look-back at start, node added/removed, and batching.
 */
import { ClusterEventSchema, type ClusterEvent } from '@cloudoptim/contracts';
import { fakeNode, FakeKubeGateway, type KubeEvent } from '@cloudoptim/kube';
import { ManualClock, silentLogger } from '@cloudoptim/runtime';
import { describe, expect, it } from 'vitest';
import { EventWatcher } from './event-watcher.ts';

const T0 = Date.UTC(2026, 0, 1, 12);
let uid = 0;

function kEvent(o: { reason: string; pod?: string; node?: string; atMs: number; count?: number; name?: string; message?: string }): KubeEvent {
  const name = o.name ?? `${o.pod ?? o.node}.${++uid}`;
  return {
    namespace: o.pod ? 'shop' : 'default', name, uid: `uid-${name}`, type: 'Warning', reason: o.reason, message: o.message ?? `${o.reason} happened`,
    involvedObject: o.pod ? { kind: 'Pod', namespace: 'shop', name: o.pod, uid: `uid-pod-${o.pod}` } : { kind: 'Node', namespace: null, name: o.node ?? 'n1', uid: `uid-node-${o.node}` },
    count: o.count ?? 1, firstTimestampMs: o.atMs, lastTimestampMs: o.atMs, source: { component: 'kubelet', host: 'ip-10-0-1-5.ec2.internal' }, resourceVersion: '',
  };
}

function setup(maxBatch = 500) {
  const clock = new ManualClock(T0);
  const kube = new FakeKubeGateway({ clock });
  kube.addNode(fakeNode('n1'));
  const batches: ClusterEvent[][] = [];
  const watcher = new EventWatcher({ kube, clock, log: silentLogger, clusterId: 'cl-test', emit: (b) => batches.push(b.map((e) => ClusterEventSchema.parse(e))), maxBatch });
  const kinds = () => batches.flat().map((e) => `${e.kind}:${e.pod_name ?? e.node_name}:${e.reason}`);
  return { clock, kube, watcher, batches, kinds };
}

describe('EventWatcher', () => {
  it('forwards recent relevant events at start, then new ones, de-duplicated per kind and object', async () => {
    const { kube, watcher, kinds, clock, batches } = setup();
    kube.addEvent(kEvent({ reason: 'FailedScheduling', pod: 'old', atMs: T0 - 3_600_000 }));
    kube.addEvent(kEvent({ reason: 'FailedScheduling', pod: 'recent', atMs: T0 - 60_000 }));
    kube.addEvent(kEvent({ reason: 'Scheduled', pod: 'recent', atMs: T0 - 60_000 }));
    await watcher.start();
    watcher.flush();
    expect(kinds()).toEqual(['pod_unschedulable:recent:FailedScheduling']);

    const failed = kEvent({ reason: 'FailedScheduling', pod: 'big', atMs: T0, name: 'big.1' });
    kube.addEvent(failed);
    kube.addEvent({ ...failed, count: 2, lastTimestampMs: T0 + 5_000 });
    kube.addEvent(kEvent({ reason: 'Evicted', pod: 'web-0', atMs: T0 }));
    kube.addEvent(kEvent({ reason: 'Killing', pod: 'web-0', atMs: T0 }));
    kube.addEvent(kEvent({ reason: 'NodeNotReady', node: 'n1', atMs: T0 }));
    kube.addEvent(kEvent({ reason: 'OOMKilling', node: 'n1', atMs: T0, message: 'Memory cgroup out of memory: Killed process 42 (java)' }));
    watcher.flush();
    expect(kinds().slice(1)).toEqual(['pod_unschedulable:big:FailedScheduling', 'pod_evicted:web-0:Evicted', 'node_not_ready:n1:NodeNotReady', 'pod_oom_killed:n1:OOMKilling']);
    const big = batches.flat().find((e) => e.pod_name === 'big')!;
    expect(big).toMatchObject({ event_id: 'k8s:uid-big.1:1', namespace: 'shop', node_name: 'ip-10-0-1-5.ec2.internal', occurred_at: new Date(T0).toISOString() });

    // After the window the same problem is reported again (a new occurrence, a new event id).
    await clock.advance(301_000);
    kube.addEvent({ ...failed, count: 9, lastTimestampMs: clock.now() });
    watcher.flush();
    expect(batches.flat().filter((e) => e.pod_name === 'big').map((e) => e.event_id)).toEqual(['k8s:uid-big.1:1', 'k8s:uid-big.1:9']);
    await watcher.stop();
  });

  it('reports nodes joining and leaving after the first list', async () => {
    const { kube, watcher, kinds, batches } = setup();
    await watcher.start();
    kube.addNode(fakeNode('n2', { providerId: 'aws:///us-east-1a/i-0123456789abcdef0' }));
    await kube.deleteNode('n1');
    watcher.flush();
    expect(kinds()).toEqual(['node_added:n2:NodeAdded', 'node_removed:n1:NodeRemoved']);
    expect(batches.flat()[0]).toMatchObject({ instance_id: 'i-0123456789abcdef0', message: 'node n2 (m5.xlarge, us-east-1a) joined the cluster' });
  });

  it('emits in batches of at most maxBatch', async () => {
    const { kube, watcher, batches } = setup(2);
    await watcher.start();
    for (let i = 0; i < 5; i++) kube.addEvent(kEvent({ reason: 'FailedScheduling', pod: `p${i}`, atMs: T0 }));
    watcher.flush();
    expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
  });
});
