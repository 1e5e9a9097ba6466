/**
 * ClientNodeKubeGateway against the simulator's Kubernetes API (the real client over a real socket): the shared
 * contract, then what only the real adapter has — metrics.k8s.io absent, error translation of real failures,
 * malformed objects skipped, kubeconfig loading.
 */
import { createServer, type Server } from 'node:http';
import { ManualClock, type Logger } from '@cloudoptim/runtime';
import { kubeApi } from '@cloudoptim/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientNodeKubeGateway } from './client-node-kube-gateway.ts';
import { kubeGatewayContract, RS_HASH, type ContainerSeed } from './kube-gateway.contract.ts';

const resources = (c: ContainerSeed) => ({
  requests: { cpu: `${c.cpuMillicores}m`, memory: String(c.memoryBytes) },
  ...(c.cpuLimitMillicores !== undefined || c.memoryLimitBytes !== undefined
    ? { limits: { ...(c.cpuLimitMillicores !== undefined ? { cpu: `${c.cpuLimitMillicores}m` } : {}), ...(c.memoryLimitBytes !== undefined ? { memory: String(c.memoryLimitBytes) } : {}) } }
    : {}),
});

kubeGatewayContract('ClientNodeKubeGateway (simulator)', async () => {
  const historyLimit = 20;
  const c = await kubeApi.startTestCluster({ clock: new ManualClock(Date.UTC(2026, 0, 1)), historyLimit });
  const gateway = new ClientNodeKubeGateway({ connection: { kubeconfigPath: c.kubeconfig } });
  const store = c.store;
  for (const ns of ['kube-system']) if (!store.get('namespaces', undefined, ns)) store.create('namespaces', { metadata: { name: ns } });
  return {
    gateway,
    historyLimit,
    async seedNode(s) {
      const node = kubeApi.nodeFixture(s.name, {
        cpu: `${s.cpuMillicores}m`,
        memory: String(s.memoryBytes),
        labels: { 'node.kubernetes.io/instance-type': s.instanceType, 'topology.kubernetes.io/zone': s.zone, 'karpenter.sh/capacity-type': s.capacityType },
      });
      node.spec = { ...(node.spec ?? {}), providerID: `aws:///${s.zone}/${s.instanceId}` };
      store.nodes.create(node);
    },
    async seedPod(s) {
      const ownerReferences = s.deployment
        ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${s.deployment}-${RS_HASH}`, uid: store.get('apps/replicasets', s.namespace, `${s.deployment}-${RS_HASH}`)!.metadata.uid!, controller: true }]
        : s.daemonSet
          ? [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: s.daemonSet, uid: `ds-${s.daemonSet}`, controller: true }]
          : undefined;
      const pod = kubeApi.podFixture(s.name, {
        namespace: s.namespace,
        labels: { ...s.labels, ...(s.deployment ? { 'pod-template-hash': RS_HASH } : {}) },
        ...(s.nodeName ? { nodeName: s.nodeName } : {}),
        ...(ownerReferences ? { ownerReferences } : {}),
      });
      pod.metadata = { ...pod.metadata, ...(s.annotations ? { annotations: s.annotations } : {}) };
      pod.spec = {
        ...pod.spec,
        containers: s.containers.map((x) => ({ name: x.name, image: 'nginx:1.27', resources: resources(x) })),
        ...(s.nodeSelector ? { nodeSelector: s.nodeSelector } : {}),
        ...(s.tolerations ? { tolerations: s.tolerations.map((t) => ({ key: t.key ?? undefined, operator: t.operator, value: t.value ?? undefined, effect: t.effect ?? undefined })) } : {}),
      };
      if (s.nodeName) {
        pod.status = { ...pod.status, containerStatuses: s.containers.map((x) => ({ name: x.name, ready: true, started: true, restartCount: 0, image: 'nginx:1.27', state: { running: { startedAt: '2026-01-01T00:00:00Z' } } })) };
      }
      if (s.unschedulable) {
        pod.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: s.unschedulable.reason, message: s.unschedulable.message, lastTransitionTime: '2026-01-01T00:00:00Z' }] };
      }
      store.pods.create(pod);
    },
    async seedDeployment(s) {
      const template = { metadata: { labels: s.labels }, spec: { containers: s.containers.map((x) => ({ name: x.name, image: 'nginx:1.27', resources: resources(x) })) } };
      const d = store.create('apps/deployments', { metadata: { name: s.name, namespace: s.namespace }, spec: { replicas: s.replicas, selector: { matchLabels: s.labels }, template } });
      store.create('apps/replicasets', {
        metadata: { name: `${s.name}-${RS_HASH}`, namespace: s.namespace, labels: { ...s.labels, 'pod-template-hash': RS_HASH }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: s.name, uid: d.metadata.uid!, controller: true }] },
        spec: { replicas: s.replicas, selector: { matchLabels: { ...s.labels, 'pod-template-hash': RS_HASH } }, template: { ...template, metadata: { labels: { ...s.labels, 'pod-template-hash': RS_HASH } } } },
      });
    },
    async seedPdb(s) {
      store.create('policy/poddisruptionbudgets', { metadata: { name: s.name, namespace: s.namespace }, spec: { minAvailable: s.minAvailable, selector: { matchLabels: s.matchLabels } } });
      c.server.pdbStatus?.flush();
    },
    async seedEvent(s) {
      const pod = store.pods.get(s.namespace, s.pod);
      const fields = {
        type: s.type, reason: s.reason, message: s.message, count: s.count, lastTimestamp: s.lastTimestamp,
        involvedObject: { kind: 'Pod', apiVersion: 'v1', namespace: s.namespace, name: s.pod, uid: pod?.metadata.uid },
        source: { component: 'default-scheduler' },
      };
      if (store.get('events', s.namespace, s.name)) {
        store.mutate<kubeApi.KubeObject & Record<string, unknown>>('events', s.namespace, s.name, (e) => Object.assign(e, fields), { skipValidation: true });
      } else {
        store.create('events', { metadata: { name: s.name, namespace: s.namespace }, firstTimestamp: s.lastTimestamp, ...fields }, { skipValidation: true });
      }
    },
    async setReplicas(namespace, name, replicas) {
      store.mutate('apps/deployments', namespace, name, (d) => {
        (d as unknown as { spec: { replicas: number } }).spec.replicas = replicas;
      });
    },
    close: () => c.close(),
  };
});

function recordingLogger(lines: Array<{ level: string; obj: object; msg?: string }>): Logger {
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj, msg });
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log };
  return log;
}

/** A bare HTTP server answering every request with `status` and a Status body (an API server without metrics). */
async function statusServer(status: number, reason: string): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `the server says ${reason}`, reason, code: status }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return { url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`, server };
}

/** A bare HTTP server answering every request with this JSON. */
async function jsonServer(body: unknown): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return { url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`, server };
}

const kubeconfigFor = (url: string) => kubeApi.kubeconfigYaml(url, 'test-token');

describe('ClientNodeKubeGateway (simulator only)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it('reports usage as unavailable when metrics.k8s.io is absent (404) or down (503)', async () => {
    for (const [status, reason] of [[404, 'NotFound'], [503, 'ServiceUnavailable']] as const) {
      const { url, server } = await statusServer(status, reason);
      cleanups.push(() => new Promise((r) => server.close(() => r())));
      const lines: Array<{ level: string; obj: object; msg?: string }> = [];
      const g = new ClientNodeKubeGateway({ connection: { kubeconfig: kubeconfigFor(url) }, log: recordingLogger(lines) });
      expect(await g.nodeUsage()).toEqual({ available: false, items: [] });
      expect(await g.podUsage()).toEqual({ available: false, items: [] });
      expect(lines.some((l) => l.msg?.includes('metrics.k8s.io is not available'))).toBe(true);
    }
  });

  it('translates HTTP failures and connection failures into AppErrors', async () => {
    for (const [status, reason, code] of [[401, 'Unauthorized', 'UNAUTHENTICATED'], [403, 'Forbidden', 'FORBIDDEN'], [500, 'InternalError', 'INTERNAL'], [422, 'Invalid', 'VALIDATION_FAILED'], [409, 'Conflict', 'CONFLICT']] as const) {
      const { url, server } = await statusServer(status, reason);
      cleanups.push(() => new Promise((r) => server.close(() => r())));
      const g = new ClientNodeKubeGateway({ connection: { kubeconfig: kubeconfigFor(url) } });
      const err = await g.cordonNode('n1').catch((e: unknown) => e);
      expect(err).toMatchObject({ code, details: { http_status: status, operation: 'cordon', name: 'n1' } });
      expect((err as Error).cause).toBeDefined();
    }
    const refused = new ClientNodeKubeGateway({ connection: { kubeconfig: kubeconfigFor('http://127.0.0.1:1') } });
    await expect(refused.listNodes()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('skips malformed objects with a log line instead of failing the list', async () => {
    const good = kubeApi.nodeFixture('good');
    const bad = kubeApi.nodeFixture('bad');
    bad.status = { ...(bad.status ?? {}), allocatable: { cpu: 'lots', memory: '1Gi' } };
    const nameless = { metadata: { labels: {} } };
    const { url, server } = await jsonServer({ kind: 'NodeList', apiVersion: 'v1', metadata: { resourceVersion: '7' }, items: [good, bad, nameless] });
    cleanups.push(() => new Promise((r) => server.close(() => r())));
    const lines: Array<{ level: string; obj: object; msg?: string }> = [];
    const g = new ClientNodeKubeGateway({ connection: { kubeconfig: kubeconfigFor(url) }, log: recordingLogger(lines) });
    expect((await g.listNodes()).map((n) => n.name)).toEqual(['good']);
    const warned = lines.filter((l) => l.level === 'warn').map((l) => l.obj);
    expect(warned).toEqual([expect.objectContaining({ kind: 'Node', object: 'bad' }), expect.objectContaining({ kind: 'Node', object: '(unnamed)' })]);
  });

  it('lists pods page by page with the API\'s continue tokens', async () => {
    const c = await kubeApi.startTestCluster({ clock: new ManualClock(Date.UTC(2026, 0, 1)) });
    cleanups.push(() => c.close());
    c.store.nodes.create(kubeApi.nodeFixture('n1'));
    for (let i = 0; i < 5; i++) c.store.pods.create(kubeApi.podFixture(`p-${i}`, { nodeName: 'n1' }));
    const g = new ClientNodeKubeGateway({ connection: { kubeconfigPath: c.kubeconfig }, pageSize: 2 });
    const pages: string[][] = [];
    await g.listPodsPaged((pods) => void pages.push(pods.map((p) => p.name)));
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat().sort()).toEqual(['p-0', 'p-1', 'p-2', 'p-3', 'p-4']);
  });

  it('refuses a kubeconfig it cannot load or an unknown context', () => {
    expect(() => new ClientNodeKubeGateway({ connection: { kubeconfigPath: '/nonexistent/kubeconfig' } })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => new ClientNodeKubeGateway({ connection: { kubeconfig: kubeconfigFor('http://127.0.0.1:1'), context: 'nope' } })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});
