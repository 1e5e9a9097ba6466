import { AppError } from '@cloudoptim/contracts';
import { silentLogger } from '@cloudoptim/runtime';
import { describe, expect, it } from 'vitest';
import { toAppError } from './kube-errors.ts';
import { instanceIdOf, mapAll, toKubeNode, toKubePod } from './kube-objects.ts';
import { cpuMillicores, formatMemoryBytes, memoryBytes } from './quantity.ts';
import { resourcesPatchBody } from './resources-patch.ts';

describe('quantities', () => {
  it.each([
    ['500m', 500], ['1.5', 1500], ['2', 2000], ['123456789n', 124], ['1e3', 1_000_000], ['0.1', 100],
  ])('cpu %s → %d millicores', (q, m) => expect(cpuMillicores(q)).toBe(m));
  it.each([
    ['1Gi', 2 ** 30], ['128Mi', 128 * 2 ** 20], ['1G', 1e9], ['1500k', 1_500_000], ['12345', 12345], ['1.5Ki', 1536],
  ])('memory %s → %d bytes', (q, b) => expect(memoryBytes(q)).toBe(b));
  it('rejects what is not a quantity, formats bytes in binary units when exact', () => {
    expect(cpuMillicores('lots')).toBeUndefined();
    expect(memoryBytes('1Gb')).toBeUndefined();
    expect(formatMemoryBytes(256 * 2 ** 20)).toBe('256Mi');
    expect(formatMemoryBytes(1000)).toBe('1000');
  });
});

describe('object mapping', () => {
  it('reads instance ids from AWS providerIDs only', () => {
    expect(instanceIdOf('aws:///us-east-1a/i-0123456789abcdef0')).toBe('i-0123456789abcdef0');
    expect(instanceIdOf('gce://proj/zone/vm-1')).toBeNull();
    expect(instanceIdOf(undefined)).toBeNull();
  });
  it('reads the EKS capacity-type label and Date timestamps of client-node models', () => {
    const node = toKubeNode({
      metadata: { name: 'n', creationTimestamp: new Date('2026-01-01T00:00:00Z'), labels: { 'eks.amazonaws.com/capacityType': 'SPOT', 'beta.kubernetes.io/instance-type': 'm5.large' } },
      status: { allocatable: { cpu: '1930m', memory: '7Gi', pods: '29', 'nvidia.com/gpu': '1' }, conditions: [{ type: 'Ready', status: 'False' }] },
    });
    expect(node).toMatchObject({ capacityType: 'spot', instanceType: 'm5.large', ready: false, createdAtMs: Date.UTC(2026, 0, 1), allocatable: { cpuMillicores: 1930, pods: 29, gpus: 1 } });
  });
  it('resolves a ReplicaSet owner to its Deployment by the pod-template-hash convention, and reads affinity', () => {
    const pod = toKubePod({
      metadata: { name: 'web-abc12-xyz', namespace: 'shop', labels: { 'pod-template-hash': 'abc12' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'web-abc12', uid: 'u', controller: true }], annotations: { 'kubernetes.io/config.mirror': 'x' } },
      spec: {
        containers: [{ name: 'app', resources: { limits: { cpu: '1', memory: '1Gi' } } }],
        volumes: [{ name: 'tmp', emptyDir: {} }],
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['us-east-1a'] }] }] } } },
      },
    });
    expect(pod).toMatchObject({ workload: { kind: 'Deployment', name: 'web' }, isMirrorPod: true, usesEmptyDir: true, phase: 'Pending', pending: null });
    // Requests default to limits.
    expect(pod.containers[0]).toMatchObject({ cpuRequestMillicores: 1000, memoryRequestBytes: 2 ** 30, cpuLimitMillicores: 1000 });
    expect(pod.requiredNodeAffinity).toEqual([[{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['us-east-1a'] }]]);
  });
  it('skips malformed objects and keeps the rest', () => {
    const ok = { metadata: { name: 'p', namespace: 'd' }, spec: { containers: [{ name: 'c' }] } };
    expect(mapAll([ok, { metadata: { name: 'q', namespace: 'd' }, spec: { containers: [] } }, null], (r) => toKubePod(r), silentLogger).map((p) => p.name)).toEqual(['p']);
  });
});

describe('error translation', () => {
  const apiError = (code: number, body: unknown) => Object.assign(new Error('HTTP'), { code, body });
  it('turns an eviction 429 into PDB_BLOCKED carrying the API message and the budget cause', () => {
    const body = JSON.stringify({ kind: 'Status', message: "Cannot evict pod as it would violate the pod's disruption budget.", reason: 'TooManyRequests', details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 3 healthy pods and has 3 currently' }] } });
    const e = toAppError(apiError(429, body), { operation: 'evict', kind: 'pod', namespace: 'shop', name: 'web-1' });
    expect(e).toBeInstanceOf(AppError);
    expect(e.code).toBe('PDB_BLOCKED');
    expect(e.message).toBe("Cannot evict pod as it would violate the pod's disruption budget. The disruption budget web needs 3 healthy pods and has 3 currently");
    expect(toAppError(apiError(429, undefined), { operation: 'list' }).code).toBe('RATE_LIMITED');
  });
  it('maps statuses and connection failures, keeping the cause', () => {
    const cases: Array<[number, string]> = [[404, 'NOT_FOUND'], [409, 'CONFLICT'], [422, 'VALIDATION_FAILED'], [400, 'BAD_REQUEST'], [401, 'UNAUTHENTICATED'], [403, 'FORBIDDEN'], [503, 'UNAVAILABLE'], [500, 'INTERNAL']];
    for (const [status, code] of cases) expect(toAppError(apiError(status, { message: 'm' }), { operation: 'get' }).code).toBe(code);
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { type: 'system', code: 'ECONNREFUSED' });
    const e = toAppError(refused, { operation: 'list', kind: 'nodes' });
    expect(e).toMatchObject({ code: 'UNAVAILABLE', cause: refused });
    expect(toAppError(new TypeError('boom'), { operation: 'list' }).code).toBe('INTERNAL');
  });
});

describe('resources patch', () => {
  it('merges by container name and removes limits with null', () => {
    expect(resourcesPatchBody([{ containerName: 'app', cpuRequestMillicores: 250, memoryLimitBytes: null }])).toEqual({
      spec: { template: { spec: { containers: [{ name: 'app', resources: { requests: { cpu: '250m' }, limits: { memory: null } } }] } } },
    });
  });
});
