import { describe, expect, it } from 'vitest';
import { exampleNodeMetric, examplePendingPod, type PendingPod } from '@cloudoptim/contracts';
import { fitsNode, unschedulablePods } from './pod-fit.ts';

const GIB = 1024 ** 3;
const node = exampleNodeMetric({ labels: { ...exampleNodeMetric().labels, 'kubernetes.io/os': 'linux' } });
const pod = (requirements: Partial<PendingPod['requirements']> = {}, overrides: Partial<PendingPod> = {}): PendingPod =>
  examplePendingPod({ ...overrides, requirements: { ...examplePendingPod().requirements, ...requirements } });

describe('fitsNode', () => {
  it('fits a node with room that matches selector, zone, capacity type and affinity', () => {
    expect(fitsNode(pod(), node)).toBe(true);
  });

  it.each([
    ['too much CPU', pod({ cpu_request_millicores: 3000 }), node],
    ['too much memory', pod({ memory_request_bytes: 13 * GIB }), node],
    ['a GPU', pod({ gpu_count: 1 }), node],
    ['another zone', pod({ zones: ['us-east-1c'], node_affinity: [] }), node],
    ['on-demand only', pod({ capacity_type: 'on-demand', node_affinity: [] }), node],
    ['a label the node lacks', pod({ node_selector: { 'kubernetes.io/os': 'windows' } }), node],
    ['an affinity term that fails', pod({ node_affinity: [{ match_expressions: [{ key: 'karpenter.sh/capacity-type', operator: 'NotIn', values: ['spot'] }] }] }), node],
    ['a cordoned node', pod(), { ...node, unschedulable: true }],
    ['a node not Ready', pod(), { ...node, ready: false }],
    ['a full node', pod(), { ...node, pod_count: 58 }],
    ['an untolerated taint', pod({ tolerations: [] }), { ...node, taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' as const }] }],
  ])('does not fit with %s', (_why, p, n) => {
    expect(fitsNode(p, n)).toBe(false);
  });

  it('tolerations: Exists on the key, and PreferNoSchedule never blocks', () => {
    const tainted = { ...node, taints: [{ key: 'workload-class', value: 'batch', effect: 'NoSchedule' as const }, { key: 'soft', value: null, effect: 'PreferNoSchedule' as const }] };
    expect(fitsNode(pod(), tainted)).toBe(true);
    expect(fitsNode(pod({ tolerations: [{ key: 'workload-class', operator: 'Exists', value: null, effect: null }] }), tainted)).toBe(true);
  });
});

describe('unschedulablePods', () => {
  const now = Date.parse('2025-11-26T09:00:00Z');
  it('keeps pods that fit no node, pending long enough, outside excluded namespaces', () => {
    const big = pod({ cpu_request_millicores: 8000 }, { pod_name: 'big', pending_since: '2025-11-26T08:58:00Z' });
    const small = pod({}, { pod_name: 'small', pending_since: '2025-11-26T08:58:00Z' });
    const fresh = pod({ cpu_request_millicores: 8000 }, { pod_name: 'fresh', pending_since: '2025-11-26T08:59:50Z' });
    const excluded = pod({ cpu_request_millicores: 8000 }, { pod_name: 'sys', namespace: 'kube-system', pending_since: '2025-11-26T08:58:00Z' });
    const stuck = unschedulablePods([big, small, fresh, excluded], [node], { nowMs: now, minPendingMs: 30_000, excludedNamespaces: ['kube-system'] });
    expect(stuck.map((p) => p.pod_name)).toEqual(['big']);
  });

  it('counts a node still joining (not Ready, created minutes ago) as capacity on its way, not an old NotReady one', () => {
    const waiting = pod({}, { pod_name: 'waiting', pending_since: '2025-11-26T08:58:00Z' });
    const booting = { ...node, ready: false, created_at: '2025-11-26T08:57:00Z' };
    const broken = { ...node, ready: false, created_at: '2025-11-26T07:00:00Z' };
    const cordoned = { ...node, ready: false, unschedulable: true, created_at: '2025-11-26T08:57:00Z' };
    const options = { nowMs: now, minPendingMs: 30_000, excludedNamespaces: [] };
    expect(unschedulablePods([waiting], [booting], options)).toEqual([]);
    expect(unschedulablePods([waiting], [broken], options).map((p) => p.pod_name)).toEqual(['waiting']);
    expect(unschedulablePods([waiting], [cordoned], options).map((p) => p.pod_name)).toEqual(['waiting']);
  });
});
