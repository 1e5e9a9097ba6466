/**
 * The HTTP surface with plain fetch: discovery, watch options (timeoutSeconds, bookmarks, sendInitialEvents,
 * Table watches), scale, binding, deletecollection, grace periods and metrics.k8s.io.
 */
import { ManualClock } from '@cloudoptim/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFixture, podFixture, startTestCluster, type TestCluster } from './fixtures.ts';
import type { Pod } from './types.ts';

describe('kube-api HTTP server', () => {
  let c: TestCluster;
  let clock: ManualClock;
  const get = (path: string, accept = 'application/json') => fetch(`${c.url}${path}`, { headers: { Accept: accept } });
  const send = (method: string, path: string, body: unknown, type = 'application/json') =>
    fetch(`${c.url}${path}`, { method, headers: { 'Content-Type': type }, body: JSON.stringify(body) });

  /** Reads watch lines until `n` arrived or the stream ends. */
  async function readLines(res: Response, n: number): Promise<Array<{ type: string; object: Record<string, any> }>> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const reader = res.body!.getReader();
    const out: Array<{ type: string; object: Record<string, any> }> = []; // eslint-disable-line @typescript-eslint/no-explicit-any
    let buf = '';
    while (out.length < n) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += new TextDecoder().decode(value);
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        out.push(JSON.parse(buf.slice(0, i)));
        buf = buf.slice(i + 1);
      }
    }
    await reader.cancel().catch(() => {});
    return out;
  }

  beforeAll(async () => {
    clock = new ManualClock(Date.UTC(2026, 0, 1));
    c = await startTestCluster({ clock });
    c.store.nodes.create(nodeFixture('n1'));
    c.store.pods.create(podFixture('a', { labels: { app: 'x' }, nodeName: 'n1' }));
  });
  afterAll(async () => c?.close());

  it('serves discovery with subresources, and aggregated v2 to v2-only clients', async () => {
    expect(await (await get('/version')).json()).toMatchObject({ major: '1', minor: '32' });
    expect(await (await get('/api')).json()).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const groups = (await (await get('/apis')).json()) as { groups: Array<{ name: string }> };
    expect(groups.groups.map((g) => g.name)).toEqual(expect.arrayContaining(['apps', 'policy', 'metrics.k8s.io', 'coordination.k8s.io', 'rbac.authorization.k8s.io', 'events.k8s.io']));
    const v1 = (await (await get('/api/v1')).json()) as { resources: Array<Record<string, unknown>> };
    expect(v1.resources.find((r) => r['name'] === 'pods/eviction')).toMatchObject({ group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] });
    expect(v1.resources.find((r) => r['name'] === 'pods')).toMatchObject({ shortNames: ['po'], namespaced: true, kind: 'Pod' });
    const apps = (await (await get('/apis/apps/v1')).json()) as { resources: Array<Record<string, unknown>> };
    expect(apps.resources.find((r) => r['name'] === 'deployments/scale')).toMatchObject({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
    const v2 = await get('/apis', 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    expect(v2.headers.get('content-type')).toMatch(/as=APIGroupDiscoveryList/);
    expect(await v2.json()).toMatchObject({ kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2' });
    const both = await get('/apis', 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json');
    expect(await both.json()).toMatchObject({ kind: 'APIGroupList' });
    expect((await get('/apis/nope/v1')).status).toBe(404);
    expect((await get('/openapi/v3')).status).toBe(200);
  });

  it('ends a watch after timeoutSeconds of clock time and sends bookmarks', async () => {
    const res = await get(`/api/v1/pods?watch=1&allowWatchBookmarks=true&timeoutSeconds=90&resourceVersion=${c.store.resourceVersion}`);
    expect(res.status).toBe(200);
    const lines = readLines(res, 10);
    await new Promise((r) => setTimeout(r, 20));
    await clock.advance(60_000);
    c.store.pods.create(podFixture('b'));
    await new Promise((r) => setTimeout(r, 20));
    await clock.advance(30_000);
    const got = await lines;
    expect(got.map((l) => l.type)).toEqual(['BOOKMARK', 'ADDED']);
    expect(got[0]!.object).toMatchObject({ kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: expect.any(String) } });
  });

  it('drops open watches on demand; a client resumes from its last resourceVersion', async () => {
    const from = c.store.resourceVersion;
    const res = await get(`/api/v1/namespaces/default/pods?watch=1&resourceVersion=${from}`);
    const ended = readLines(res, 100);
    await new Promise((r) => setTimeout(r, 20));
    expect(c.server.dropWatches()).toBe(1);
    expect(await ended).toEqual([]); // the stream ended without events
    c.store.pods.create(podFixture('after-drop', { labels: { app: 'x' } }));
    const resumed = await readLines(await get(`/api/v1/namespaces/default/pods?watch=1&resourceVersion=${from}`), 1);
    expect(resumed.map((e) => `${e.type}:${e.object['metadata'].name}`)).toEqual(['ADDED:after-drop']);
    c.store.pods.delete('default', 'after-drop');
  });

  it('sends initial events then an initial-events-end bookmark, and Table rows to table watches', async () => {
    const res = await get('/api/v1/namespaces/default/pods?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan');
    const got = await readLines(res, 3);
    expect(got.map((l) => l.type)).toEqual(['ADDED', 'ADDED', 'BOOKMARK']);
    expect(got[2]!.object['metadata'].annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
    const table = await readLines(await get('/api/v1/nodes?watch=1', 'application/json;as=Table;v=v1;g=meta.k8s.io'), 1);
    expect(table[0]!.object).toMatchObject({ kind: 'Table', rows: [{ cells: ['n1', 'Ready', '<none>', '90s', 'v1.32.0-eks', '10.0.0.1', '<none>', 'Amazon Linux 2023', '6.1.0', 'containerd://1.7.0'] }] });
  });

  it('scales, binds, deletes with grace and deletes collections', async () => {
    await send('POST', '/apis/apps/v1/namespaces/default/statefulsets', {
      metadata: { name: 'db' },
      spec: { replicas: 1, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
    });
    const scale = (await (await get('/apis/apps/v1/namespaces/default/statefulsets/db/scale')).json()) as { spec: { replicas: number }; status: { selector: string } };
    expect(scale).toMatchObject({ kind: 'Scale', spec: { replicas: 1 }, status: { selector: 'app=db' } });
    const put = await send('PUT', '/apis/apps/v1/namespaces/default/statefulsets/db/scale', { ...scale, spec: { replicas: 3 } });
    expect(put.status).toBe(200);
    expect((c.store.get('apps/statefulsets', 'default', 'db') as { spec: { replicas: number } }).spec.replicas).toBe(3);
    const neg = await send('PATCH', '/apis/apps/v1/namespaces/default/statefulsets/db/scale', { spec: { replicas: -1 } }, 'application/merge-patch+json');
    expect(neg.status).toBe(422);

    c.store.pods.create(podFixture('unbound', { labels: { app: 'y' } }));
    const bind = await send('POST', '/api/v1/namespaces/default/pods/unbound/binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'unbound' }, target: { kind: 'Node', name: 'n1' } });
    expect(bind.status).toBe(201);
    expect(c.store.pods.get('default', 'unbound')?.spec.nodeName).toBe('n1');
    expect((await send('POST', '/api/v1/namespaces/default/pods/unbound/binding', { target: { name: 'n2' } })).status).toBe(409);

    // With a node side registered, a bound pod deleted with grace stays Terminating until it finishes.
    const stop = c.store.onPodGracefulDelete(() => {});
    const del = await fetch(`${c.url}/api/v1/namespaces/default/pods/unbound?gracePeriodSeconds=10`, { method: 'DELETE' });
    expect(((await del.json()) as Pod).metadata.deletionGracePeriodSeconds).toBe(10);
    const table = (await (await get('/api/v1/namespaces/default/pods/unbound', 'application/json;as=Table;v=v1;g=meta.k8s.io')).json()) as { rows: Array<{ cells: string[] }> };
    expect(table.rows[0]!.cells[2]).toBe('Terminating');
    c.store.pods.finishTermination('default', 'unbound');
    stop();
    expect((await get('/api/v1/namespaces/default/pods/unbound')).status).toBe(404);

    const dc = await fetch(`${c.url}/api/v1/namespaces/default/pods?labelSelector=app%3Dx`, { method: 'DELETE' });
    expect(dc.status).toBe(200);
    expect(c.store.pods.get('default', 'a')).toBeUndefined();
    expect(c.store.pods.get('default', 'b')).toBeDefined();
  });

  it('serves NodeMetrics and PodMetrics from the usage provider', async () => {
    c.store.pods.create(podFixture('m', { nodeName: 'n1', cpu: '500m', memory: '1Gi' }));
    const node = (await (await get('/apis/metrics.k8s.io/v1beta1/nodes/n1')).json()) as { usage: { cpu: string; memory: string } };
    // 100m system + 250m; 512Mi system + 512Mi.
    expect(node.usage).toEqual({ cpu: '350000000n', memory: `${1024 * 1024}Ki` });
    const pods = (await (await get('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods')).json()) as { items: Array<{ metadata: { name: string } }> };
    expect(pods.items.map((p) => p.metadata.name)).toEqual(['m']);
    expect((await get('/apis/metrics.k8s.io/v1beta1/nodes/ghost')).status).toBe(404);
    expect((await send('POST', '/apis/metrics.k8s.io/v1beta1/nodes', {})).status).toBe(405);
  });
});
