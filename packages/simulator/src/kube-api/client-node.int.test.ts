/**
 * @kubernetes/client-node (the product's Kubernetes client) against the simulator: list with selectors and
 * paging, watch with resume after a disconnect and 410 Gone, merge / strategic / JSON patches, optimistic
 * concurrency, eviction answering 429 under a PodDisruptionBudget, and bad requests answered with Status.
 */
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  PolicyV1Api,
  setHeaderOptions,
  Watch,
  type V1Pod,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFixture, podFixture, startTestCluster, type TestCluster } from './fixtures.ts';
import type { Pod, Status } from './types.ts';

function waitFor(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const tick = () => {
      if (cond()) return resolve();
      if (Date.now() - start > timeoutMs) return reject(new Error('timed out waiting'));
      setTimeout(tick, 10);
    };
    tick();
  });
}

function apiError(err: unknown): { code: number; body: Status } {
  expect(err).toBeInstanceOf(ApiException);
  const e = err as ApiException<string>;
  return { code: e.code, body: JSON.parse(e.body) as Status };
}

describe('@kubernetes/client-node against the simulator', () => {
  let c: TestCluster;
  let kc: KubeConfig;
  let core: CoreV1Api;

  beforeAll(async () => {
    c = await startTestCluster({ historyLimit: 20 });
    kc = new KubeConfig();
    kc.loadFromFile(c.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    c.store.nodes.create(nodeFixture('node-a'));
    for (let i = 0; i < 5; i++) c.store.pods.create(podFixture(`web-${i}`, { labels: { app: 'web', idx: String(i) }, nodeName: 'node-a' }));
    c.store.pods.create(podFixture('lonely', { labels: { app: 'other' } }));
  });
  afterAll(async () => c?.close());

  it('lists with label and field selectors and pages with limit/continue', async () => {
    const web = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=web,idx notin (4)' });
    expect(web.items.map((p) => p.metadata?.name)).toEqual(['web-0', 'web-1', 'web-2', 'web-3']);
    const pending = await core.listPodForAllNamespaces({ fieldSelector: 'status.phase=Pending' });
    expect(pending.items.map((p) => p.metadata?.name)).toEqual(['lonely']);
    const page1 = await core.listNamespacedPod({ namespace: 'default', limit: 4 });
    expect(page1.items).toHaveLength(4);
    expect(page1.metadata?._continue).toBeTruthy();
    const page2 = await core.listNamespacedPod({ namespace: 'default', limit: 4, _continue: page1.metadata!._continue });
    expect(page2.items.map((p) => p.metadata?.name)).toEqual(['web-3', 'web-4']);
    expect(page2.metadata?._continue).toBeFalsy();
    const nodes = await core.listNode();
    expect(nodes.items[0]?.status?.allocatable?.['cpu']).toBe('4');
  });

  it('watches, resumes from a resourceVersion after a disconnect, and gets 410 Gone when too old', async () => {
    const list = await core.listNamespacedPod({ namespace: 'default' });
    const startRv = list.metadata!.resourceVersion!;
    const seen: string[] = [];
    let lastRv = startRv;
    let done: unknown = 'open';
    const watch = new Watch(kc);
    const ctrl = await watch.watch('/api/v1/namespaces/default/pods', { resourceVersion: startRv, allowWatchBookmarks: true }, (type, obj: V1Pod) => {
      seen.push(`${type}:${obj.metadata?.name}`);
      lastRv = obj.metadata!.resourceVersion!;
    }, (err) => {
      done = err;
    });
    c.store.pods.create(podFixture('w-1', { labels: { app: 'web' } }));
    c.store.pods.mutateStatus('default', 'w-1', (p) => {
      p.status = { ...p.status, phase: 'Failed' };
    });
    await waitFor(() => seen.length === 2);
    expect(seen).toEqual(['ADDED:w-1', 'MODIFIED:w-1']);
    ctrl.abort();
    await waitFor(() => done !== 'open');

    // Changes while disconnected are delivered on resume from the last seen resourceVersion.
    c.store.pods.create(podFixture('w-2'));
    c.store.pods.delete('default', 'w-1');
    const resumed: string[] = [];
    const ctrl2 = await watch.watch('/api/v1/namespaces/default/pods', { resourceVersion: lastRv }, (type, obj: V1Pod) => resumed.push(`${type}:${obj.metadata?.name}`), () => {});
    await waitFor(() => resumed.length === 2);
    expect(resumed).toEqual(['ADDED:w-2', 'DELETED:w-1']);
    ctrl2.abort();

    // Push the history (20 events) past startRv: resuming from it is 410 Gone, as an ERROR event.
    for (let i = 0; i < 25; i++) c.store.create('configmaps', { metadata: { name: `cm-${i}`, namespace: 'default' } });
    for (let i = 0; i < 25; i++) c.store.mutate('pods', 'default', 'w-2', (p) => { p.metadata.annotations = { i: String(i) }; });
    const errors: Array<{ type: string; obj: Status }> = [];
    let closed = false;
    await watch.watch('/api/v1/namespaces/default/pods', { resourceVersion: startRv }, (type, obj: Status) => errors.push({ type, obj }), () => {
      closed = true;
    });
    await waitFor(() => closed);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.type).toBe('ERROR');
    expect(errors[0]!.obj).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    expect(errors[0]!.obj.message).toMatch(/too old resource version/);
  });

  it('patches with merge, strategic-merge and JSON patch', async () => {
    await core.patchNode({ name: 'node-a', body: { spec: { unschedulable: true }, metadata: { labels: { cordoned: 'yes' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(c.store.nodes.get('node-a')?.spec?.unschedulable).toBe(true);
    expect(c.store.nodes.get('node-a')?.metadata.labels?.['cordoned']).toBe('yes');
    const taints = [{ key: 'spot', value: 'true', effect: 'NoSchedule' }];
    await core.patchNode({ name: 'node-a', body: { spec: { taints } } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
    expect(c.store.nodes.get('node-a')?.spec?.taints).toEqual(taints);
    // Strategic merge: containers merge by name, so only the resources of `app` change.
    const patched = await core.patchNamespacedPod(
      { name: 'web-0', namespace: 'default', body: { spec: { containers: [{ name: 'app', resources: { requests: { cpu: '300m' } } }] } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(patched.spec?.containers[0]?.image).toBe('nginx:1.27');
    expect(patched.spec?.containers[0]?.resources?.requests).toEqual({ cpu: '300m', memory: '128Mi' });
    const jp = await core.patchNamespacedPod({ name: 'web-0', namespace: 'default', body: [{ op: 'add', path: '/metadata/labels/tier', value: 'front' }] });
    expect(jp.metadata?.labels?.['tier']).toBe('front');
    await core.patchNode({ name: 'node-a', body: { spec: { unschedulable: null, taints: null } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(c.store.nodes.get('node-a')?.spec?.unschedulable).toBeUndefined();
    // Status subresource.
    const st = await core.patchNamespacedPodStatus({ name: 'lonely', namespace: 'default', body: { status: { phase: 'Running' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(st.status?.phase).toBe('Running');
  });

  it('answers 409 on a stale update and 422 on an invalid object', async () => {
    const pod = await core.readNamespacedPod({ name: 'web-1', namespace: 'default' });
    pod.metadata!.labels = { ...pod.metadata!.labels, v: '1' };
    await core.replaceNamespacedPod({ name: 'web-1', namespace: 'default', body: pod });
    pod.metadata!.labels = { ...pod.metadata!.labels, v: '2' };
    const conflict = await core.replaceNamespacedPod({ name: 'web-1', namespace: 'default', body: pod }).catch((e: unknown) => e);
    expect(apiError(conflict)).toMatchObject({ code: 409, body: { reason: 'Conflict' } });
    const bad = await core
      .createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'x' }, spec: { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '1x', memory: '1Gi' } } }] } } })
      .catch((e: unknown) => e);
    const { code, body } = apiError(bad);
    expect(code).toBe(422);
    expect(body.reason).toBe('Invalid');
    expect(body.details?.causes?.[0]?.field).toBe('spec.containers[0].resources.requests[cpu]');
  });

  it('evicts through pods/eviction, answering 429 when a PodDisruptionBudget forbids it', async () => {
    await kc.makeApiClient(PolicyV1Api).createNamespacedPodDisruptionBudget({
      namespace: 'default',
      body: { metadata: { name: 'web' }, spec: { minAvailable: '60%', selector: { matchLabels: { app: 'web' } } } },
    });
    // The web pods belong to a ReplicaSet of 5: 60% of 5 → 3 must stay healthy, so 2 evictions are allowed.
    const rs = c.store.create('apps/replicasets', {
      metadata: { name: 'web', namespace: 'default' },
      spec: { replicas: 5, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } } },
    });
    const owner = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true }];
    for (let i = 0; i < 5; i++) c.store.pods.mutate('default', `web-${i}`, (p) => { p.metadata.ownerReferences = owner; });
    c.store.pods.create(podFixture('web-unready', { labels: { app: 'web' }, ownerReferences: owner }));
    const evict = (name: string) => core.createNamespacedPodEviction({ name, namespace: 'default', body: { metadata: { name, namespace: 'default' } } });
    await evict('web-0');
    await evict('web-1');
    expect(c.store.pods.get('default', 'web-0')).toBeUndefined();
    const refused = await evict('web-2').catch((e: unknown) => e);
    const { code, body } = apiError(refused);
    expect(code).toBe(429);
    expect(body.reason).toBe('TooManyRequests');
    expect(body.message).toBe("Cannot evict pod as it would violate the pod's disruption budget.");
    expect(body.details?.causes?.[0]).toMatchObject({ reason: 'DisruptionBudget', message: 'The disruption budget web needs 3 healthy pods and has 3 currently' });
    expect(c.store.pods.get('default', 'web-2')).toBeDefined();
    // A pod that is not Ready may be evicted while the budget is met (IfHealthyBudget).
    await evict('web-unready');
    expect(c.store.pods.get('default', 'web-unready')).toBeUndefined();
    c.server.pdbStatus?.flush();
    const pdb = await kc.makeApiClient(PolicyV1Api).readNamespacedPodDisruptionBudget({ name: 'web', namespace: 'default' });
    expect(pdb.status).toMatchObject({ currentHealthy: 3, desiredHealthy: 3, disruptionsAllowed: 0, expectedPods: 5 });
  });

  it('answers bad requests with Status objects and keeps serving', async () => {
    const headers = { Authorization: 'Bearer test-token' };
    const malformed = await fetch(`${c.url}/api/v1/namespaces/default/pods`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: '{"metadata": {' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
    const sel = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app in (a' }).catch((e: unknown) => e);
    expect(apiError(sel)).toMatchObject({ code: 400, body: { reason: 'BadRequest' } });
    const unknown = await fetch(`${c.url}/api/v1/widgets`, { headers });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ kind: 'Status', reason: 'NotFound' });
    const notFound = await core.readNamespacedPod({ name: 'ghost', namespace: 'default' }).catch((e: unknown) => e);
    expect(apiError(notFound)).toMatchObject({ code: 404, body: { message: 'pods "ghost" not found', details: { name: 'ghost', kind: 'pods' } } });
    const put = await fetch(`${c.url}/api/v1/namespaces/default/pods`, { method: 'PUT', headers, body: '{}' });
    expect(put.status).toBe(405);
    const apply = await fetch(`${c.url}/api/v1/nodes/node-a`, { method: 'PATCH', headers: { ...headers, 'Content-Type': 'application/apply-patch+yaml' }, body: 'a: b' });
    expect(apply.status).toBe(415);
    const badJsonPatch = await fetch(`${c.url}/api/v1/nodes/node-a`, { method: 'PATCH', headers: { ...headers, 'Content-Type': 'application/json-patch+json' }, body: '[{"op":"replace","path":"/spec/nothing/here","value":1}]' });
    expect(badJsonPatch.status).toBe(422);
    const badField = await fetch(`${c.url}/api/v1/pods?fieldSelector=spec.color%3Dred`, { headers });
    expect(badField.status).toBe(400);
    expect(((await badField.json()) as Status).message).toBe('field label not supported: spec.color');
    const badWatchRv = await fetch(`${c.url}/api/v1/pods?watch=1&resourceVersion=abc`, { headers });
    expect(badWatchRv.status).toBe(400);
    const wrongNs = await fetch(`${c.url}/api/v1/namespaces/default/pods`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify({ metadata: { name: 'x', namespace: 'kube-system' }, spec: {} }) });
    expect(wrongNs.status).toBe(400);
    const noNs = await fetch(`${c.url}/api/v1/namespaces/missing/configmaps`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify({ metadata: { name: 'x' } }) });
    expect(noNs.status).toBe(404);
    // Still alive.
    const pods = await core.listNamespacedPod({ namespace: 'default' });
    expect(pods.items.length).toBeGreaterThan(0);
    expect((await core.readNamespacedPod({ name: 'web-3', namespace: 'default' })).metadata?.name).toBe('web-3');
    void (null as unknown as Pod);
  });

  it('requires a token when configured to', async () => {
    const strict = await startTestCluster({ auth: { requireToken: true } });
    try {
      const anon = await fetch(`${strict.url}/api/v1/pods`);
      expect(anon.status).toBe(401);
      const k = new KubeConfig();
      k.loadFromFile(strict.kubeconfig);
      const list = await k.makeApiClient(CoreV1Api).listPodForAllNamespaces();
      expect(list.items).toEqual([]);
    } finally {
      await strict.close();
    }
  });
});
