import { ManualClock } from '@cloudoptim/runtime';
import { describe, expect, it } from 'vitest';
import { KubeApiError } from './errors.ts';
import { ObjectStore, type StoreEvent } from './object-store.ts';
import type { KubeObject, Pod } from './types.ts';

function newStore(historyLimit?: number) {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  return { clock, store: new ObjectStore({ clock, historyLimit }) };
}

const pod = (name: string, labels: Record<string, string> = {}, nodeName?: string) => ({
  metadata: { name, namespace: 'default', labels },
  spec: { containers: [{ name: 'c', image: 'nginx:1', resources: { requests: { cpu: '100m', memory: '64Mi' } } }], ...(nodeName ? { nodeName } : {}) },
});

describe('ObjectStore', () => {
  it('assigns server metadata and increments resourceVersion', () => {
    const { store } = newStore();
    const a = store.pods.create(pod('a'));
    const b = store.pods.create(pod('b'));
    expect(a.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.metadata.creationTimestamp).toBe('2026-01-01T00:00:00Z');
    expect(Number(b.metadata.resourceVersion)).toBeGreaterThan(Number(a.metadata.resourceVersion));
    expect(a.status?.phase).toBe('Pending');
    expect(Object.isFrozen(a.spec)).toBe(true);
    expect(() => store.pods.create(pod('a'))).toThrow(/already exists/);
  });

  it('rejects stale updates with 409 and bumps generation on spec change only', () => {
    const { store } = newStore();
    const d = store.create('apps/deployments', {
      metadata: { name: 'web', namespace: 'default' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    const copy = structuredClone(d) as KubeObject & { spec: { replicas: number } };
    copy.spec.replicas = 3;
    const updated = store.update('apps/deployments', copy);
    expect(updated.metadata.generation).toBe(2);
    try {
      store.update('apps/deployments', copy);
      expect.fail('expected conflict');
    } catch (err) {
      expect((err as KubeApiError).code).toBe(409);
    }
    const st = store.mutate('apps/deployments', 'default', 'web', (x) => {
      x.status = { replicas: 3 };
    }, { subresource: 'status' });
    expect(st.metadata.generation).toBe(2);
  });

  it('validates names and quantities with 422 causes', () => {
    const { store } = newStore();
    const bad = pod('Bad_Name');
    bad.spec.containers[0]!.resources.requests.cpu = '1x';
    try {
      store.pods.create(bad);
      expect.fail('expected invalid');
    } catch (err) {
      const e = err as KubeApiError;
      expect(e.code).toBe(422);
      expect(e.details?.causes?.map((c) => c.field)).toEqual(['metadata.name', 'spec.containers[0].resources.requests[cpu]']);
    }
  });

  it('filters by label and field selectors and pages', () => {
    const { store } = newStore();
    store.pods.create(pod('a', { app: 'web' }, 'n1'));
    store.pods.create(pod('b', { app: 'db' }, 'n2'));
    store.pods.create(pod('c', { app: 'web', tier: 'x' }));
    expect(store.pods.list({ labelSelector: 'app=web' }).map((p) => p.metadata.name)).toEqual(['a', 'c']);
    expect(store.pods.list({ labelSelector: 'app in (db),!tier' }).map((p) => p.metadata.name)).toEqual(['b']);
    expect(store.pods.list({ fieldSelector: 'spec.nodeName=n2' }).map((p) => p.metadata.name)).toEqual(['b']);
    expect(store.pods.list({ fieldSelector: 'spec.nodeName=' }).map((p) => p.metadata.name)).toEqual(['c']);
    const page1 = store.list('pods', { limit: 2 });
    expect(page1.items).toHaveLength(2);
    expect(page1.remainingItemCount).toBe(1);
    const page2 = store.list('pods', { limit: 2, continue: page1.continue });
    expect(page2.items.map((p) => p.metadata.name)).toEqual(['c']);
    expect(() => store.pods.list({ labelSelector: 'a in (' })).toThrow(KubeApiError);
    expect(() => store.pods.list({ fieldSelector: 'spec.foo=1' })).toThrow(/field label not supported/);
  });

  it('watches with resume, selector transitions and 410 when too old', () => {
    const { store } = newStore(5);
    const seen: string[] = [];
    const w = store.pods.watch({ labelSelector: 'app=web' }, (e) => seen.push(`${e.type}:${e.object.metadata.name}`));
    store.pods.create(pod('a', { app: 'web' }));
    const rv = store.resourceVersion;
    store.pods.mutate('default', 'a', (p) => {
      p.metadata.labels = { app: 'db' };
    });
    store.pods.create(pod('b', { app: 'web' }));
    w.stop();
    expect(seen).toEqual(['ADDED:a', 'DELETED:a', 'ADDED:b']);
    const resumed: string[] = [];
    store.pods.watch({ resourceVersion: rv }, (e) => resumed.push(`${e.type}:${e.object.metadata.name}`)).stop();
    expect(resumed).toEqual(['MODIFIED:a', 'ADDED:b']);
    for (let i = 0; i < 10; i++) store.pods.create(pod(`p${i}`));
    expect(() => store.pods.watch({ resourceVersion: rv }, () => {})).toThrow(expect.objectContaining({ code: 410 }));
  });

  it('keeps a bound pod in graceful termination until the node side finishes it', () => {
    const { store } = newStore();
    const calls: Array<[string, number]> = [];
    store.onPodGracefulDelete((p, grace) => calls.push([p.metadata.name, grace]));
    store.pods.create(pod('a', {}, 'n1'));
    const res = store.pods.delete('default', 'a');
    expect(res.removed).toBe(false);
    expect(res.object.metadata.deletionGracePeriodSeconds).toBe(30);
    expect(res.object.metadata.deletionTimestamp).toBe('2026-01-01T00:00:30Z');
    expect(calls).toEqual([['a', 30]]);
    expect(store.pods.finishTermination('default', 'a')).toBe(true);
    expect(store.pods.get('default', 'a')).toBeUndefined();
  });

  it('deletes pods at once when no graceful handler is registered, and honours finalizers', () => {
    const { store } = newStore();
    store.pods.create(pod('a', {}, 'n1'));
    expect(store.pods.delete('default', 'a').removed).toBe(true);
    store.create('configmaps', { metadata: { name: 'cm', namespace: 'default', finalizers: ['x/y'] } });
    const r = store.delete('configmaps', 'default', 'cm');
    expect(r.removed).toBe(false);
    expect(r.object.metadata.deletionTimestamp).toBeDefined();
    store.mutate('configmaps', 'default', 'cm', (c) => {
      c.metadata.finalizers = [];
    });
    expect(store.get('configmaps', 'default', 'cm')).toBeUndefined();
  });

  it('garbage-collects dependents and delivers re-entrant writes in order', () => {
    const { store } = newStore();
    const rs = store.create('apps/replicasets', {
      metadata: { name: 'rs', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    const owned = pod('rs-1', { app: 'a' });
    store.pods.create({ ...owned, metadata: { ...owned.metadata, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: rs.metadata.uid, controller: true }] } });
    const events: string[] = [];
    store.pods.watch({}, (e: StoreEvent<Pod>) => {
      events.push(`${e.type}:${e.object.metadata.name}`);
      // A controller reacting in-line: recreate on delete. Its event must come after the DELETED one.
      if (e.type === 'DELETED' && e.object.metadata.name === 'rs-1') store.pods.create(pod('rs-2', { app: 'a' }));
    });
    store.delete('apps/replicasets', 'default', 'rs');
    expect(events).toEqual(['ADDED:rs-1', 'DELETED:rs-1', 'ADDED:rs-2']);
  });

  it('refuses objects in a missing namespace and cascades namespace deletion', () => {
    const { store } = newStore();
    expect(() => store.create('configmaps', { metadata: { name: 'x', namespace: 'nope' } })).toThrow(/namespaces "nope" not found/);
    store.create('namespaces', { metadata: { name: 'team' } });
    expect(store.get('serviceaccounts', 'team', 'default')).toBeDefined();
    store.create('configmaps', { metadata: { name: 'x', namespace: 'team' } });
    store.delete('namespaces', undefined, 'team');
    expect(store.get('configmaps', 'team', 'x')).toBeUndefined();
  });

  it('binds pods and applies strategic merge patches', () => {
    const { store } = newStore();
    store.pods.create(pod('a'));
    const bound = store.pods.bind('default', 'a', 'n1');
    expect(bound.spec.nodeName).toBe('n1');
    expect(bound.status?.conditions?.[0]?.type).toBe('PodScheduled');
    expect(() => store.pods.bind('default', 'a', 'n2')).toThrow(expect.objectContaining({ code: 409 }));
    const patched = store.patch<Pod>('pods', 'default', 'a', 'strategic', {
      metadata: { labels: { x: 'y' } },
      spec: { containers: [{ name: 'c', image: 'nginx:2' }] },
    });
    expect(patched.spec.containers[0]!.image).toBe('nginx:2');
    expect(patched.spec.containers[0]!.resources?.requests?.cpu).toBe('100m');
    expect(patched.metadata.labels).toEqual({ x: 'y' });
  });
});
