/**
 * The agent's metrics collector reading hostile Kubernetes objects (@cloudoptim/kube/testing) over the wire: a
 * local API server serves them as the list endpoints would, the real ClientNodeKubeGateway (client-node's
 * deserialization, then kube-objects.ts) reads them, and MetricsCollector builds the snapshot.
 * Property: collecting never fails with anything but an AppError, and what it would send always passes the
 * ClusterMetrics contract central validates — a bad object is left out (and said so in `problems`), never
 * passed on.
 *
 * FUZZ_RUNS scales the generated clusters (default 6 → 30); FUZZ_SEED replays a run.
 */
import { createServer, type Server } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterMetricsSchema, isAppError } from '@cloudoptim/contracts';
import { ClientNodeKubeGateway } from '@cloudoptim/kube';
import { hostileCluster, type HostileCluster, type RawJson, validNode, validPod } from '@cloudoptim/kube/testing';
import { ManualClock, silentLogger } from '@cloudoptim/runtime';
import { kubeApi } from '@cloudoptim/simulator';
import { MetricsCollector } from './metrics-collector.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 6) * 5;
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

/** The collection each list path serves. */
const ROUTES: [RegExp, keyof HostileCluster, string][] = [
  [/^\/api\/v1\/nodes/, 'nodes', 'NodeList'],
  [/^\/api\/v1\/pods/, 'pods', 'PodList'],
  [/^\/apis\/apps\/v1\/replicasets/, 'replicaSets', 'ReplicaSetList'],
  [/^\/apis\/batch\/v1\/jobs/, 'jobs', 'JobList'],
  [/^\/apis\/metrics\.k8s\.io\/v1beta1\/nodes/, 'nodeMetrics', 'NodeMetricsList'],
  [/^\/apis\/metrics\.k8s\.io\/v1beta1\/pods/, 'podMetrics', 'PodMetricsList'],
];

describe('the metrics collector reading hostile Kubernetes objects', () => {
  let server: Server;
  let serving: HostileCluster;
  let collector: MetricsCollector;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const route = ROUTES.find(([path]) => path.test(req.url ?? ''));
      if (!route) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: route[2], apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: serving[route[1]] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const kube = new ClientNodeKubeGateway({ connection: { kubeconfig: kubeApi.kubeconfigYaml(url, 'test-token') }, log: silentLogger, clock });
    collector = new MetricsCollector({ kube, clock, clusterId: 'cl-fuzz', agentVersion: '0.1.0' });
  });
  afterAll(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  /** Collects what is served; the problems with the outcome (empty: fine). */
  async function problemsCollecting(cluster: HostileCluster): Promise<string[]> {
    serving = cluster;
    let collected;
    try {
      collected = await collector.collect();
    } catch (error) {
      return isAppError(error) ? [] : [`collect threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`];
    }
    const parsed = ClusterMetricsSchema.safeParse(JSON.parse(collected.json));
    if (!parsed.success) return parsed.error.issues.slice(0, 5).map((i) => `ClusterMetrics ${i.path.join('.')}: ${i.message}`);
    // Pods the collector left out are said so (objects the gateway refused as malformed are logged there).
    const left = collected.summary.pods < parsed.data.total_pods && collected.problems.length === 0;
    return left ? ['pods were left out without a problem saying so'] : [];
  }

  const empty: HostileCluster = { nodes: [], pods: [], replicaSets: [], jobs: [], nodeMetrics: [], podMetrics: [], pdbs: [], deployments: [], events: [] };
  const pod = validPod('shop', 'web-5d8f-0', 'ip-10-0-0-1.ec2.internal') as { metadata: Record<string, unknown>; spec: Record<string, unknown>; status: Record<string, unknown> };

  // Found by this suite: each put a pod field on the wire that ClusterMetrics refuses, so central refused the whole snapshot.
  it.each([
    ['an owner ReplicaSet with an invalid name', { metadata: { ...pod.metadata, ownerReferences: [{ kind: 'ReplicaSet', name: 'Bad_Name-5d8f', uid: 'u', controller: true }], labels: { 'pod-template-hash': '5d8f' } } }],
    ['a StatefulSet owner of 300 characters', { metadata: { ...pod.metadata, ownerReferences: [{ kind: 'StatefulSet', name: 'x'.repeat(300), uid: 'u', controller: true }] } }],
    ['a priority of 1e308', { spec: { ...pod.spec, priority: 1e308 } }],
    ['a restart count of 2^53 + 1', { status: { ...pod.status, containerStatuses: [{ name: 'app', restartCount: 2 ** 53 + 1 }] } }],
    ['a start time in year 275760', { status: { ...pod.status, startTime: '+275760-09-13T00:00:00Z' } }],
    ['a start time before year 0', { status: { ...pod.status, startTime: '-000001-01-01T00:00:00Z' } }],
    ['3,000 containers requesting 2^40 cores each, pending', { spec: { ...pod.spec, nodeName: undefined, containers: Array.from({ length: 3000 }, (_, i) => ({ name: `c-${i}`, resources: { requests: { cpu: String(2 ** 40) } } })) }, status: { ...pod.status, phase: 'Pending' } }],
    ['3,000 containers requesting 2^40 cores each, on a node', { spec: { ...pod.spec, containers: Array.from({ length: 3000 }, (_, i) => ({ name: `c-${i}`, resources: { requests: { cpu: String(2 ** 40) } } })) } }],
  ])('sends a valid snapshot when a pod has %s', async (_what, change) => {
    const hostile = { ...pod, ...change } as unknown as RawJson;
    expect(await problemsCollecting({ ...empty, nodes: [validNode('ip-10-0-0-1.ec2.internal')], pods: [hostile, validPod('shop', 'web-5d8f-1', 'ip-10-0-0-1.ec2.internal')] })).toEqual([]);
  });

  it('never fails but with an AppError, and always sends a snapshot that passes ClusterMetrics', async () => {
    await fc.assert(
      fc.asyncProperty(hostileCluster, async (cluster) => {
        expect(await problemsCollecting(cluster)).toEqual([]);
      }),
      { numRuns: RUNS, endOnFailure: true, ...(SEED !== undefined && { seed: SEED }) },
    );
  }, 300_000);
});
