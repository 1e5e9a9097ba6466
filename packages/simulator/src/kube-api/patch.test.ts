import { describe, expect, it } from 'vitest';
import { KubeApiError } from './errors.ts';
import { applyJsonPatch, mergePatch, patchTypeOf, strategicMerge } from './patch.ts';

describe('patches', () => {
  it('maps content types', () => {
    expect(patchTypeOf('application/merge-patch+json; charset=utf-8')).toBe('merge');
    expect(patchTypeOf('application/strategic-merge-patch+json')).toBe('strategic');
    expect(patchTypeOf('application/json-patch+json')).toBe('json');
    expect(patchTypeOf('application/apply-patch+yaml')).toBeUndefined();
  });

  it('merge patch: maps merge, null deletes, lists replace', () => {
    expect(mergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 3 }, l: [3] })).toEqual({ a: { c: 2, d: 3 }, l: [3] });
  });

  it('strategic merge: containers by name, $patch delete, finalizers as a set, taints replaced', () => {
    const pod = {
      metadata: { finalizers: ['a'] },
      spec: {
        containers: [
          { name: 'app', image: 'x:1', resources: { requests: { cpu: '1' } }, env: [{ name: 'A', value: '1' }] },
          { name: 'side', image: 'y' },
        ],
        tolerations: [{ key: 'a', operator: 'Exists' }],
      },
    };
    const out = strategicMerge(pod, {
      metadata: { finalizers: ['b', 'a'] },
      spec: {
        containers: [
          { name: 'app', resources: { requests: { memory: '1Gi' } }, env: [{ name: 'B', value: '2' }] },
          { name: 'side', $patch: 'delete' },
        ],
        tolerations: [{ key: 'b', operator: 'Exists' }],
      },
    });
    expect(out).toEqual({
      metadata: { finalizers: ['a', 'b'] },
      spec: {
        containers: [{ name: 'app', image: 'x:1', resources: { requests: { cpu: '1', memory: '1Gi' } }, env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }],
        tolerations: [{ key: 'b', operator: 'Exists' }],
      },
    });
  });

  it('strategic merge: $setElementOrder, $retainKeys, $patch replace, $deleteFromPrimitiveList', () => {
    const out = strategicMerge(
      { spec: { containers: [{ name: 'a' }, { name: 'b' }], strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } }, sel: { x: 1, y: 2 } }, metadata: { finalizers: ['f1', 'f2'] } },
      {
        spec: {
          '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }],
          containers: [{ name: 'a', image: 'i' }],
          strategy: { $retainKeys: ['type'], type: 'Recreate' },
          sel: { $patch: 'replace', z: 3 },
        },
        metadata: { '$deleteFromPrimitiveList/finalizers': ['f1'] },
      },
    );
    expect(out).toEqual({ spec: { containers: [{ name: 'b' }, { name: 'a', image: 'i' }], strategy: { type: 'Recreate' }, sel: { z: 3 } }, metadata: { finalizers: ['f2'] } });
  });

  it('json patch: add/remove/replace/move/copy/test, with errors', () => {
    const doc = { a: { b: [1, 2] }, c: 'x' };
    const out = applyJsonPatch(structuredClone(doc), [
      { op: 'add', path: '/a/b/-', value: 3 },
      { op: 'replace', path: '/c', value: 'y' },
      { op: 'copy', from: '/c', path: '/d' },
      { op: 'move', from: '/d', path: '/e~1f' },
      { op: 'remove', path: '/a/b/0' },
      { op: 'test', path: '/c', value: 'y' },
    ]);
    expect(out).toEqual({ a: { b: [2, 3] }, c: 'y', 'e/f': 'y' });
    expect(() => applyJsonPatch(structuredClone(doc), [{ op: 'test', path: '/c', value: 'nope' }])).toThrow(KubeApiError);
    expect(() => applyJsonPatch(structuredClone(doc), [{ op: 'remove', path: '/zz' }])).toThrow(/missing path/);
    expect(() => applyJsonPatch(doc, { op: 'add' })).toThrow(/array/);
    expect(() => applyJsonPatch(doc, [{ op: 'frob', path: '/a' }])).toThrow(/unexpected kind/);
  });
});
