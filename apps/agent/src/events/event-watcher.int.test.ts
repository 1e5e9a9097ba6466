/**
 * EventWatcher through the real Kubernetes client against the simulator's API (ManualClock, a short watch
 * history): a dropped watch resumes from its resourceVersion and loses nothing; a watch whose resourceVersion
 * was compacted away while it was disconnected gets 410 Gone, re-lists, and forwards exactly what happened in
 * the gap — no event lost, none sent twice.
 */
import { ClusterEventSchema, type ClusterEvent } from '@cloudoptim/contracts';
import { ClientNodeKubeGateway } from '@cloudoptim/kube';
import { ManualClock, type Logger } from '@cloudoptim/runtime';
import { kubeApi } from '@cloudoptim/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventWatcher } from './event-watcher.ts';

const T0 = Date.UTC(2026, 0, 1, 12);
const HISTORY = 30;

async function until(cond: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('EventWatcher against the simulator', () => {
  const clock = new ManualClock(T0);
  let c: kubeApi.TestCluster;
  let watcher: EventWatcher;
  const forwarded: ClusterEvent[] = [];
  const logLines: string[] = [];
  const log: Logger = { debug: () => {}, info: (_o, m) => void logLines.push(m ?? ''), warn: (_o, m) => void logLines.push(m ?? ''), error: () => {}, child: () => log };
  let n = 0;
  const record = (reason: string, pod: string, atMs: number) => {
    c.store.create('events', {
      metadata: { name: `${pod}.${++n}`, namespace: 'shop' },
      involvedObject: { kind: 'Pod', apiVersion: 'v1', namespace: 'shop', name: pod, uid: `uid-${pod}` },
      reason, message: `${reason} for ${pod}`, type: reason === 'Scheduled' ? 'Normal' : 'Warning', count: 1,
      firstTimestamp: new Date(atMs).toISOString(), lastTimestamp: new Date(atMs).toISOString(), source: { component: 'default-scheduler' },
    }, { skipValidation: true });
  };
  const pods = () => forwarded.map((e) => e.pod_name);
  const poll = async (what: string, cond: () => boolean) => until(() => (watcher.flush(), cond()), what);

  beforeAll(async () => {
    c = await kubeApi.startTestCluster({ clock, historyLimit: HISTORY });
    c.store.create('namespaces', { metadata: { name: 'shop' } });
    const kube = new ClientNodeKubeGateway({ connection: { kubeconfigPath: c.kubeconfig }, clock, log, watchReconnectDelayMs: 1_000 });
    watcher = new EventWatcher({ kube, clock, log, clusterId: 'cl-test', emit: (b) => forwarded.push(...b.map((e) => ClusterEventSchema.parse(e))) });
  });
  afterAll(async () => {
    await watcher?.stop();
    await c?.close();
  });

  it('forwards at start, resumes after a dropped watch, and re-lists after a forced 410 without loss or repeats', async () => {
    record('FailedScheduling', 'before-start', T0 - 60_000);
    await watcher.start();
    await poll('the event from before the start', () => pods().includes('before-start'));

    record('Evicted', 'live', T0 + 1_000);
    await poll('a live event', () => pods().includes('live'));

    // The connection drops (an apiserver restart); while the agent waits to reconnect, one event happens.
    const resumeFrom = watcher.eventsResourceVersion!;
    expect(c.server.dropWatches()).toBe(2);
    record('FailedScheduling', 'while-dropped', T0 + 2_000);
    await clock.advance(1_000);
    await poll('the event missed while disconnected', () => pods().includes('while-dropped'));
    expect(logLines.filter((l) => /410 Gone/.test(l))).toEqual([]);
    expect(Number(watcher.eventsResourceVersion)).toBeGreaterThan(Number(resumeFrom));

    // Dropped again, and this time more happens than the history keeps: the resume answers 410 Gone.
    c.server.dropWatches();
    for (let i = 0; i < HISTORY + 5; i++) record('Scheduled', `noise-${i}`, T0 + 3_000);
    record('Evicted', 'in-the-gap', T0 + 4_000);
    record('FailedScheduling', 'also-in-the-gap', T0 + 5_000);
    await clock.advance(1_000);
    await poll('the events of the gap', () => pods().includes('also-in-the-gap'));
    expect(logLines.some((l) => /410 Gone\), re-listing/.test(l))).toBe(true);

    // After the re-list the watch goes on.
    record('Killing', 'after-relist', T0 + 6_000);
    await poll('an event after the re-list', () => pods().includes('after-relist'));

    expect(pods()).toEqual(['before-start', 'live', 'while-dropped', 'in-the-gap', 'also-in-the-gap', 'after-relist']);
    expect(new Set(forwarded.map((e) => e.event_id)).size).toBe(forwarded.length);
    expect(forwarded.map((e) => e.kind)).toEqual(['pod_unschedulable', 'pod_evicted', 'pod_unschedulable', 'pod_evicted', 'pod_unschedulable', 'pod_evicted']);
  });
});
