import { describe, expect, it } from 'vitest';
import type { Node, Pod, Taint, Toleration } from '../kube-api/index.ts';
import { fitFailures, podRequests, tolerates, unschedulableMessage, ZERO_RESOURCES, type Resources } from './scheduler-fit.ts';

function node(o: { cpu?: string; memory?: string; pods?: string; gpu?: string; labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean } = {}): Node {
  const allocatable: Record<string, string> = { cpu: o.cpu ?? '2', memory: o.memory ?? '4Gi', pods: o.pods ?? '10' };
  if (o.gpu) allocatable['nvidia.com/gpu'] = o.gpu;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n1', uid: 'u', resourceVersion: '1', creationTimestamp: '', labels: { 'topology.kubernetes.io/zone': 'us-east-1a', 'kubernetes.io/arch': 'amd64', ...o.labels } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: { allocatable },
  };
}

function pod(o: { cpu?: string; memory?: string; gpu?: string; nodeSelector?: Record<string, string>; tolerations?: Toleration[]; affinity?: unknown } = {}): Pod {
  const requests: Record<string, string> = { cpu: o.cpu ?? '100m', memory: o.memory ?? '128Mi' };
  if (o.gpu) requests['nvidia.com/gpu'] = o.gpu;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', uid: 'p', resourceVersion: '1', creationTimestamp: '' },
    spec: {
      containers: [{ name: 'app', resources: { requests } }],
      ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.affinity ? { affinity: o.affinity } : {}),
    },
  };
}

const used = (r: Partial<Resources>): Resources => ({ ...ZERO_RESOURCES, ...r });
const required = (exprs: unknown[]) => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: exprs }] } } });

describe('fitFailures', () => {
  it.each([
    ['fits an empty node', pod(), node(), used({}), []],
    ['cpu', pod({ cpu: '1500m' }), node(), used({ cpu: 1000 }), ['Insufficient cpu']],
    ['memory', pod({ memory: '3Gi' }), node(), used({ memory: 2 * 2 ** 30 }), ['Insufficient memory']],
    ['cpu and memory together', pod({ cpu: '3', memory: '5Gi' }), node(), used({}), ['Insufficient cpu', 'Insufficient memory']],
    ['pods', pod(), node({ pods: '3' }), used({ pods: 3 }), ['Too many pods']],
    ['gpu on a node without', pod({ gpu: '1' }), node(), used({}), ['Insufficient nvidia.com/gpu']],
    ['gpu that fits', pod({ gpu: '1' }), node({ gpu: '1' }), used({}), []],
    ['nodeSelector', pod({ nodeSelector: { 'kubernetes.io/arch': 'arm64' } }), node(), used({}), ["node(s) didn't match Pod's node affinity/selector"]],
    ['nodeSelector that matches', pod({ nodeSelector: { 'kubernetes.io/arch': 'amd64' } }), node(), used({}), []],
    ['affinity In', pod({ affinity: required([{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['us-east-1b'] }]) }), node(), used({}), ["node(s) didn't match Pod's node affinity/selector"]],
    ['affinity NotIn', pod({ affinity: required([{ key: 'topology.kubernetes.io/zone', operator: 'NotIn', values: ['us-east-1b'] }]) }), node(), used({}), []],
    ['affinity Exists', pod({ affinity: required([{ key: 'gpu', operator: 'Exists' }]) }), node(), used({}), ["node(s) didn't match Pod's node affinity/selector"]],
    ['taint', pod(), node({ taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }), used({}), ['node(s) had untolerated taint {dedicated: gpu}']],
    ['NoExecute taint', pod(), node({ taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] }), used({}), ['node(s) had untolerated taint {node.kubernetes.io/unreachable: }']],
    ['PreferNoSchedule is not a filter', pod(), node({ taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }), used({}), []],
    ['tolerated taint', pod({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }), node({ taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }), used({}), []],
    ['unschedulable (cordoned)', pod(), node({ unschedulable: true }), used({}), ['node(s) were unschedulable']],
    ['unschedulable tolerated (DaemonSet pod)', pod({ tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] }), node({ unschedulable: true }), used({}), []],
  ] as const)('%s', (_label, p, n, u, reasons) => {
    expect(fitFailures(p, n, u)).toEqual(reasons);
  });

  it('unschedulable comes before taints, taints before selectors, selectors before resources (plugin order)', () => {
    const p = pod({ cpu: '10', nodeSelector: { a: 'b' } });
    expect(fitFailures(p, node({ unschedulable: true, taints: [{ key: 'k', effect: 'NoSchedule' }] }), used({}))).toEqual(['node(s) were unschedulable']);
    expect(fitFailures(p, node({ taints: [{ key: 'k', effect: 'NoSchedule' }] }), used({}))).toEqual(['node(s) had untolerated taint {k: }']);
    expect(fitFailures(p, node(), used({}))).toEqual(["node(s) didn't match Pod's node affinity/selector"]);
  });
});

describe('tolerations', () => {
  const taint: Taint = { key: 'k', value: 'v', effect: 'NoSchedule' };
  it.each([
    [{ operator: 'Exists' }, true],
    [{ key: 'k', operator: 'Exists' }, true],
    [{ key: 'k', operator: 'Equal', value: 'v' }, true],
    [{ key: 'k', value: 'v' }, true],
    [{ key: 'k', operator: 'Equal', value: 'w' }, false],
    [{ key: 'k', operator: 'Exists', effect: 'NoExecute' }, false],
    [{ key: 'other', operator: 'Exists' }, false],
  ] as const)('%j tolerates k=v:NoSchedule → %s', (t, ok) => {
    expect(tolerates(t as Toleration, taint)).toBe(ok);
  });
});

describe('requests and messages', () => {
  it('sums containers, takes the larger init container, defaults requests to limits', () => {
    const p = pod({ cpu: '250m', memory: '1Gi' });
    p.spec.containers.push({ name: 'side', resources: { limits: { cpu: '1', memory: '512Mi' } } });
    p.spec.initContainers = [{ name: 'init', resources: { requests: { cpu: '2', memory: '64Mi' } } }];
    expect(podRequests(p)).toEqual({ cpu: 2000, memory: 1.5 * 2 ** 30, pods: 1, gpu: 0 });
  });

  it('words the histogram as kube-scheduler does', () => {
    const failures = new Map([
      ['a', ['Insufficient cpu']],
      ['b', ['Insufficient cpu', 'Insufficient memory']],
      ['c', ['node(s) were unschedulable']],
    ]);
    expect(unschedulableMessage(3, failures)).toBe(
      '0/3 nodes are available: 1 Insufficient memory, 1 node(s) were unschedulable, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
    expect(unschedulableMessage(0, new Map())).toBe('no nodes available to schedule pods');
  });
});
