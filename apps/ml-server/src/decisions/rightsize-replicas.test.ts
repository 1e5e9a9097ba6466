/**
 * Rightsizing over what central really sends: one usage history per pod (so several per workload container) and
 * DaemonSets in excluded namespaces. Found by the automate end-to-end flow, where each replica's history became its
 * own recommendation and the patch listed one container many times (the last replica's values won), and the
 * kube-system node-exporter DaemonSet was patched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { type ContainerUsageHistory, type DecisionRequest, DecisionResponseSchema, exampleDecisionRequest, examplePodMetric } from '@cloudoptim/contracts';
import { AUTH, testApp } from '../testing/test-app.ts';
import { mergeReplicaHistories } from './rightsize.ts';

const MIB = 1024 ** 2;

let app: FastifyInstance;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ app, close } = await testApp());
});
afterAll(() => close());

function history(namespace: string, kind: 'Deployment' | 'DaemonSet', name: string, start: number, cpu: (i: number) => number, memMib: number, oom = 0): ContainerUsageHistory {
  const samples = Array.from({ length: 2 * 288 }, (_, i) => ({ timestamp: new Date(start + i * 300_000).toISOString(), cpu_usage_millicores: cpu(i), memory_usage_bytes: memMib * MIB }));
  return { namespace, owner: { kind, name }, container_name: 'app', samples, oom_kill_count: oom };
}

describe('mergeReplicaHistories', () => {
  it('keeps one history per workload container: per instant the busiest replica, OOM kills added', () => {
    const t = Date.parse('2025-11-20T00:00:00Z');
    const a = history('shop', 'Deployment', 'checkout', t, () => 100, 300, 1);
    const b = history('shop', 'Deployment', 'checkout', t, (i) => (i % 2 ? 50 : 200), 400, 2);
    const other = history('shop', 'Deployment', 'cart', t, () => 10, 20);
    const merged = mergeReplicaHistories([a, b, other]);
    expect(merged).toHaveLength(2);
    const checkout = merged.find((h) => h.owner.name === 'checkout')!;
    expect(checkout.oom_kill_count).toBe(3);
    expect(checkout.samples).toHaveLength(a.samples.length);
    expect(checkout.samples.slice(0, 2).map((s) => s.cpu_usage_millicores)).toEqual([200, 100]);
    expect(checkout.samples.every((s) => s.memory_usage_bytes === 400 * MIB)).toBe(true);
    expect(merged.find((h) => h.owner.name === 'cart')).toEqual(other);
  });
});

describe('rightsize with per-pod histories', () => {
  it('recommends once per workload container and never patches an excluded namespace, DaemonSets included', async () => {
    const base = exampleDecisionRequest();
    const start = Date.parse(base.timestamp) - 2 * 86_400_000;
    const pods = [
      examplePodMetric({ pod_name: 'checkout-7d9f8b6c5-aaaaa' }),
      examplePodMetric({ pod_name: 'checkout-7d9f8b6c5-bbbbb' }),
      examplePodMetric({ namespace: 'kube-system', pod_name: 'node-exporter-xk2p4', owner: { kind: 'DaemonSet', name: 'node-exporter' } }),
    ];
    const req: DecisionRequest = {
      ...base,
      decision_type: 'rightsize',
      current_state: { ...base.current_state, pods, total_pods: pods.length, running_pods: pods.length, pending_pods: 0, pending_pod_details: [] },
      constraints: { ...base.constraints, excluded_namespaces: ['kube-system'] },
      usage_history: [
        history('shop', 'Deployment', 'checkout', start, () => 100, 300),
        history('shop', 'Deployment', 'checkout', start, () => 150, 350),
        history('kube-system', 'DaemonSet', 'node-exporter', start, () => 20, 40),
      ],
    };
    const res = await app.inject({ method: 'POST', url: '/api/v1/ml/decision/rightsize', headers: AUTH, payload: req });
    expect(res.statusCode, res.body).toBe(200);
    const out = DecisionResponseSchema.parse(res.json());
    expect(out.container_recommendations.map((r) => `${r.namespace}/${r.owner.name}/${r.container_name}`).sort()).toEqual(['kube-system/node-exporter/app', 'shop/checkout/app']);
    expect(out.execution_plan).toHaveLength(1);
    const step = out.execution_plan[0]!;
    expect(step.parameters).toMatchObject({ namespace: 'shop', kind: 'Deployment', name: 'checkout' });
    const containers = (step.parameters as { containers: { container_name: string; memory_request_bytes: number }[] }).containers;
    expect(containers.map((c) => c.container_name)).toEqual(['app']);
    // Sized for the busier replica (350 MiB), not the last history sent.
    expect(containers[0]!.memory_request_bytes).toBeGreaterThanOrEqual(350 * MIB);
  });
});
