import { describe, expect, it } from 'vitest';
import { allowedDisruptions, labelsMatch, offerLabels, pdbMatches, resolveBudget, toleratesAll, usableCapacity } from './feasibility.ts';
import type { Taint, Toleration } from './problem.ts';
import { offer, pod } from './test-builders.ts';

describe('taints and tolerations', () => {
  const gpu: Taint = { key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' };
  const cases: [string, Toleration[], Taint[], boolean][] = [
    ['no taints', [], [], true],
    ['untolerated NoSchedule', [], [gpu], false],
    ['Exists on the key', [{ key: 'nvidia.com/gpu', operator: 'Exists' }], [gpu], true],
    ['Equal with the value', [{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true' }], [gpu], true],
    ['Equal with another value', [{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'false' }], [gpu], false],
    ['wrong effect', [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoExecute' }], [gpu], false],
    ['empty key Exists tolerates all', [{ operator: 'Exists' }], [gpu, { key: 'x', effect: 'NoExecute' }], true],
    ['PreferNoSchedule never blocks', [], [{ key: 'x', effect: 'PreferNoSchedule' }], true],
  ];
  it.each(cases)('%s', (_, tolerations, taints, expected) => expect(toleratesAll(tolerations, taints)).toBe(expected));
});

describe('node selectors and affinity', () => {
  const labels = offerLabels(offer('m6g.large', 1930, 6903, 0.077, { architecture: 'arm64', zones: ['us-east-1a'] }), 'us-east-1a');
  it('derives the well-known labels', () => {
    expect(labels).toMatchObject({
      'node.kubernetes.io/instance-type': 'm6g.large',
      'topology.kubernetes.io/zone': 'us-east-1a',
      'kubernetes.io/arch': 'arm64',
      'karpenter.sh/capacity-type': 'on-demand',
      'karpenter.k8s.aws/instance-family': 'm6g',
    });
  });
  const cases: [string, Parameters<typeof labelsMatch>[0], boolean][] = [
    ['matching selector', { nodeSelector: { 'kubernetes.io/arch': 'arm64' }, nodeAffinity: [] }, true],
    ['other arch', { nodeSelector: { 'kubernetes.io/arch': 'amd64' }, nodeAffinity: [] }, false],
    ['In', { nodeSelector: {}, nodeAffinity: [{ key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['m6g', 'm7g'] }] }, true],
    ['NotIn', { nodeSelector: {}, nodeAffinity: [{ key: 'karpenter.k8s.aws/instance-family', operator: 'NotIn', values: ['m6g'] }] }, false],
    ['Exists', { nodeSelector: {}, nodeAffinity: [{ key: 'topology.kubernetes.io/zone', operator: 'Exists', values: [] }] }, true],
    ['DoesNotExist', { nodeSelector: {}, nodeAffinity: [{ key: 'gpu', operator: 'DoesNotExist', values: [] }] }, true],
  ];
  it.each(cases)('%s', (_, p, expected) => expect(labelsMatch(p, labels)).toBe(expected));
});

describe('PodDisruptionBudget arithmetic', () => {
  const cases: [string, { minAvailable?: number | string; maxUnavailable?: number | string }, number, number][] = [
    ['maxUnavailable 1', { maxUnavailable: 1 }, 5, 1],
    ['maxUnavailable 25% of 10 rounds up', { maxUnavailable: '25%' }, 10, 3],
    ['minAvailable 3 of 5', { minAvailable: 3 }, 5, 2],
    ['minAvailable 100%', { minAvailable: '100%' }, 4, 0],
    ['minAvailable above the count', { minAvailable: 9 }, 4, 0],
    ['minAvailable 50% of 3 rounds up', { minAvailable: '50%' }, 3, 1],
  ];
  it.each(cases)('%s', (_, budget, matched, expected) => expect(allowedDisruptions({ name: 'p', namespace: 'default', selector: { app: 'x' }, ...budget }, matched)).toBe(expected));

  it('matches by selector or owner within the namespace only', () => {
    const p = pod('web-1', 100, 100);
    expect(pdbMatches({ name: 'a', namespace: 'default', selector: { app: 'web' } }, p)).toBe(true);
    expect(pdbMatches({ name: 'a', namespace: 'other', selector: { app: 'web' } }, p)).toBe(false);
    expect(pdbMatches({ name: 'a', namespace: 'default', owner: 'ReplicaSet/web-rs' }, p)).toBe(true);
    expect(pdbMatches({ name: 'a', namespace: 'default', owner: 'web-rs' }, p)).toBe(true);
    expect(pdbMatches({ name: 'a', namespace: 'default', owner: 'Deployment/api' }, p)).toBe(false);
  });
});

describe('capacity', () => {
  it('subtracts DaemonSet overhead, per type when given', () => {
    expect(usableCapacity(offer('a', 2000, 4000, 1), { cpuMillis: 150, memoryMib: 200, pods: 3 })).toEqual([1850, 3800, 107, 0]);
    expect(usableCapacity(offer('a', 2000, 4000, 1, { daemonsetOverhead: { cpuMillis: 500, memoryMib: 0, pods: 0 } }), { cpuMillis: 150, memoryMib: 200, pods: 3 })).toEqual([1500, 4000, 110, 0]);
  });
  it('resolves the disruption budget', () => {
    expect(resolveBudget('10%', 500)).toBe(50);
    expect(resolveBudget('10%', 9)).toBe(1);
    expect(resolveBudget('0%', 9)).toBe(0);
    expect(resolveBudget(3, 9)).toBe(3);
  });
});
