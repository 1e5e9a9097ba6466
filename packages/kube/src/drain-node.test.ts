import { AppError } from '@cloudoptim/contracts';
import { ManualClock } from '@cloudoptim/runtime';
import { describe, expect, it } from 'vitest';
import { drainNode, type DrainOptions, type DrainProgress, type DrainResult } from './drain-node.ts';
import { fakeNode, fakePod, FakeKubeGateway } from './fake-kube-gateway.ts';

const T0 = Date.UTC(2026, 0, 1);
const RETRY = 5_000;

/** Runs a drain on a ManualClock, advancing it one retry interval at a time until the drain ends. */
async function drain(fake: FakeKubeGateway, clock: ManualClock, options: Partial<DrainOptions> = {}, node = 'n1'): Promise<DrainResult> {
  let result: DrainResult | undefined;
  const running = drainNode(fake, node, { clock, deadlineMs: T0 + 60_000, retryIntervalMs: RETRY, ...options }).then((r) => (result = r));
  for (let i = 0; i < 1000 && result === undefined; i++) await clock.advance(1_000);
  await running;
  return result!;
}

interface Case {
  name: string;
  setup(fake: FakeKubeGateway): void;
  options?: Partial<DrainOptions>;
  terminationMs?: number;
  check(result: DrainResult, fake: FakeKubeGateway, clock: ManualClock): void;
}

const web = (name: string, nodeName: string) => fakePod(name, { nodeName, labels: { app: 'web' }, owner: { kind: 'ReplicaSet', name: 'web-1', uid: 'rs' }, workload: { kind: 'Deployment', name: 'web' } });
const daemon = (name: string, nodeName: string) => fakePod(name, { namespace: 'kube-system', nodeName, isDaemonSetPod: true, owner: { kind: 'DaemonSet', name: 'exporter', uid: 'ds' } });
const outcomes = (r: DrainResult) => Object.fromEntries(r.pods.map((p) => [`${p.namespace}/${p.name}`, p.outcome]));

const cases: Case[] = [
  {
    name: 'cordons, evicts, and leaves DaemonSet and mirror pods',
    setup(fake) {
      fake.addPod(web('w0', 'n1'));
      fake.addPod(daemon('exporter-n1', 'n1'));
      fake.addPod(fakePod('kube-proxy-n1', { namespace: 'kube-system', nodeName: 'n1', isMirrorPod: true }));
      fake.addPod(web('w1', 'n2'));
    },
    check(r, fake) {
      expect(r).toMatchObject({ status: 'drained', remaining: 0, cordoned: true });
      expect(outcomes(r)).toEqual({ 'default/w0': 'evicted', 'kube-system/exporter-n1': 'skipped_daemonset', 'kube-system/kube-proxy-n1': 'skipped_mirror' });
      expect(fake.nodes().find((n) => n.name === 'n1')).toMatchObject({ unschedulable: true, annotations: { 'cloudoptim.io/cordon-reason': 'drain' } });
      expect(fake.pods().map((p) => p.name).sort()).toEqual(['exporter-n1', 'kube-proxy-n1', 'w1']);
      expect(fake.callsOf('evictPod')).toEqual([['default', 'w0', { gracePeriodSeconds: null }]]);
    },
  },
  {
    name: 'retries an eviction a PDB blocks until a replacement makes it allowed',
    // The "controller" (onProgress in the runner below) adds a Ready replacement once a round was blocked.
    setup(fake) {
      fake.addPod(web('w0', 'n1'));
      fake.addPod(web('w1', 'n2'));
      fake.addPdb({ namespace: 'default', name: 'web', selector: { matchLabels: { app: 'web' }, matchExpressions: [] }, minAvailable: 2 });
    },
    check(r, _fake, clock) {
      expect(r.status).toBe('drained');
      expect(r.pods).toEqual([{ namespace: 'default', name: 'w0', outcome: 'evicted', attempts: 2, errorCode: null, error: null }]);
      expect(clock.now() - T0).toBeGreaterThanOrEqual(RETRY);
    },
  },
  {
    name: 'answers timeout with the pods left when the deadline passes',
    setup(fake) {
      fake.addPod(web('w0', 'n1'));
      fake.addPod(web('w1', 'n1'));
      fake.addPod(fakePod('solo', { nodeName: 'n1' }));
      fake.addPdb({ namespace: 'default', name: 'web', selector: { matchLabels: { app: 'web' }, matchExpressions: [] }, minAvailable: 2 });
    },
    options: { deadlineMs: T0 + 20_000 },
    check(r) {
      expect(r.status).toBe('timeout');
      expect(r.remaining).toBe(2);
      expect(r.message).toMatch(/^deadline passed with 2 pod\(s\) left on n1: default\/w0 \(blocked_pdb\), default\/w1 \(blocked_pdb\)$/);
      expect(outcomes(r)).toEqual({ 'default/solo': 'evicted', 'default/w0': 'blocked_pdb', 'default/w1': 'blocked_pdb' });
      expect(r.pods.find((p) => p.name === 'w0')).toMatchObject({ errorCode: 'PDB_BLOCKED', attempts: 6 }); // t=0 twice (re-check after solo went), 5, 10, 15, 20 s
      expect(r.pods.find((p) => p.name === 'w0')?.error).toMatch(/disruption budget web needs 2 healthy pods and has 2/);
    },
  },
  {
    name: 'refuses a node with a do-not-disrupt pod without cordoning it',
    setup(fake) {
      fake.addPod(web('w0', 'n1'));
      fake.addPod(fakePod('batch', { nodeName: 'n1', doNotDisrupt: true }));
    },
    check(r, fake) {
      expect(r).toMatchObject({ status: 'blocked', cordoned: false, rounds: 0 });
      expect(r.message).toMatch(/default\/batch is marked karpenter.sh\/do-not-disrupt/);
      expect(outcomes(r)).toEqual({ 'default/batch': 'blocking_do_not_disrupt', 'default/w0': 'pending' });
      expect(fake.nodes().find((n) => n.name === 'n1')?.unschedulable).toBe(false);
      expect(fake.callsOf('evictPod')).toEqual([]);
    },
  },
  {
    name: 'evicts do-not-disrupt pods when told the node goes anyway',
    setup(fake) {
      fake.addPod(fakePod('batch', { nodeName: 'n1', doNotDisrupt: true }));
    },
    options: { respectDoNotDisrupt: false },
    check(r) {
      expect(r.status).toBe('drained');
      expect(outcomes(r)).toEqual({ 'default/batch': 'evicted' });
    },
  },
  {
    name: 'refuses emptyDir data and DaemonSet pods when asked to keep them',
    setup(fake) {
      fake.addPod(fakePod('cache', { nodeName: 'n1', usesEmptyDir: true }));
      fake.addPod(daemon('exporter-n1', 'n1'));
    },
    options: { deleteEmptyDirData: false, ignoreDaemonSets: false },
    check(r) {
      expect(r.status).toBe('blocked');
      expect(outcomes(r)).toEqual({ 'default/cache': 'blocking_empty_dir', 'kube-system/exporter-n1': 'blocking_daemonset' });
    },
  },
  {
    name: 'waits for evicted pods to finish terminating',
    terminationMs: 20_000,
    setup(fake) {
      fake.addPod(web('w0', 'n1'));
    },
    check(r, _fake, clock) {
      expect(r.status).toBe('drained');
      expect(outcomes(r)).toEqual({ 'default/w0': 'evicted' });
      expect(clock.now() - T0).toBeGreaterThanOrEqual(20_000);
      expect(r.pods[0]?.attempts).toBe(1);
    },
  },
  {
    name: 'deletes directly when PDBs are not respected (imminent interruption)',
    setup(fake) {
      fake.addPod(web('w0', 'n1'));
      fake.addPod(web('w1', 'n2'));
      fake.addPdb({ namespace: 'default', name: 'web', selector: { matchLabels: { app: 'web' }, matchExpressions: [] }, minAvailable: 2 });
    },
    options: { respectPdb: false, gracePeriodSeconds: 10 },
    check(r, fake) {
      expect(r.status).toBe('drained');
      expect(fake.callsOf('deletePod')).toEqual([['default', 'w0', { gracePeriodSeconds: 10 }]]);
      expect(fake.callsOf('evictPod')).toEqual([]);
    },
  },
  {
    name: 'fails (as a result) on an eviction that can never succeed, and retries transient errors',
    setup(fake) {
      fake.addPod(web('w0', 'n1'));
      fake.addPod(fakePod('other', { nodeName: 'n1' }));
      fake.failNext('evictPod', new AppError('FORBIDDEN', 'no RBAC for pods/eviction'));
      fake.failNext('evictPod', new AppError('UNAVAILABLE', 'api down'));
    },
    check(r) {
      expect(r.status).toBe('failed');
      expect(r.message).toMatch(/FORBIDDEN: no RBAC/);
      expect(outcomes(r)).toEqual({ 'default/other': 'evicted', 'default/w0': 'failed' });
      expect(r.pods.find((p) => p.name === 'other')?.attempts).toBe(2);
    },
  },
  {
    name: 'refuses pods no controller manages when asked to (kubectl drain without --force)',
    setup(fake) {
      fake.addPod(web('w0', 'n1'));
      fake.addPod(fakePod('bare', { nodeName: 'n1' }));
      fake.addPod(daemon('exporter-n1', 'n1'));
    },
    options: { refuseUnmanagedPods: true },
    check(r, fake) {
      expect(r).toMatchObject({ status: 'blocked', cordoned: false });
      expect(r.message).toMatch(/default\/bare is managed by no controller/);
      expect(outcomes(r)).toEqual({ 'default/bare': 'blocking_unmanaged', 'default/w0': 'pending', 'kube-system/exporter-n1': 'pending' });
      expect(fake.callsOf('evictPod')).toEqual([]);
    },
  },
  {
    name: 'backs off while a PDB keeps refusing, up to the longest interval',
    setup(fake) {
      fake.addPod(web('w0', 'n1'));
      fake.addPod(web('w1', 'n2'));
      fake.addPdb({ namespace: 'default', name: 'web', selector: { matchLabels: { app: 'web' }, matchExpressions: [] }, minAvailable: 2 });
    },
    options: { deadlineMs: T0 + 60_000, maxRetryIntervalMs: 20_000 },
    check(r) {
      expect(r.status).toBe('timeout');
      // Attempts at 0, 5, 15, 35 and 55 s (waits 5, 10, 20, 20 s), then the deadline at 60 s.
      expect(r.pods.find((p) => p.name === 'w0')).toMatchObject({ outcome: 'blocked_pdb', attempts: 6 });
    },
  },
  {
    name: 'answers node_not_found for a node that does not exist',
    setup() {},
    check(r) {
      expect(r).toMatchObject({ status: 'node_not_found', cordoned: false, pods: [] });
    },
  },
];

describe('drainNode', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const clock = new ManualClock(T0);
      const fake = new FakeKubeGateway({ clock, terminationMs: c.terminationMs ?? 0 });
      if (c.name !== 'answers node_not_found for a node that does not exist') {
        fake.addNode(fakeNode('n1'));
        fake.addNode(fakeNode('n2'));
      }
      const progress: DrainProgress[] = [];
      c.setup(fake);
      const onProgress = (p: DrainProgress) => {
        progress.push(p);
        // The PDB retry case: a replacement for the blocked pod becomes Ready on another node.
        if (c.name.startsWith('retries') && p.blocked > 0) fake.addPod(web('w2', 'n2'));
      };
      const result = await drain(fake, clock, { onProgress, ...c.options });
      c.check(result, fake, clock);
      expect(progress.length).toBeGreaterThanOrEqual(result.rounds > 0 ? 1 : 0);
    });
  }

  it('is idempotent: re-running a finished drain does nothing but answers drained', async () => {
    const clock = new ManualClock(T0);
    const fake = new FakeKubeGateway({ clock });
    fake.addNode(fakeNode('n1'));
    fake.addPod(web('w0', 'n1'));
    fake.addPod(daemon('exporter-n1', 'n1'));
    expect((await drain(fake, clock)).status).toBe('drained');
    const evictions = fake.callsOf('evictPod').length;
    const again = await drain(fake, clock);
    expect(again).toMatchObject({ status: 'drained', remaining: 0 });
    expect(outcomes(again)).toEqual({ 'kube-system/exporter-n1': 'skipped_daemonset' });
    expect(fake.callsOf('evictPod')).toHaveLength(evictions);
  });

  it('stops between rounds when cancelled', async () => {
    const clock = new ManualClock(T0);
    const fake = new FakeKubeGateway({ clock });
    fake.addNode(fakeNode('n1'));
    fake.addPod(web('w0', 'n1'));
    fake.addPdb({ namespace: 'default', name: 'web', selector: { matchLabels: { app: 'web' }, matchExpressions: [] }, minAvailable: 1 });
    const abort = new AbortController();
    const running = drainNode(fake, 'n1', { clock, deadlineMs: T0 + 60_000, retryIntervalMs: RETRY, signal: abort.signal });
    await clock.advance(RETRY);
    abort.abort();
    const r = await running;
    expect(r).toMatchObject({ status: 'cancelled', remaining: 1 });
  });
});
