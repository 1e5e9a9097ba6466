import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { type DecisionRequest, DecisionResponseSchema, exampleDecisionRequest, exampleNodeMetric, examplePodMetric } from '@cloudoptim/contracts';
import { AUTH, testApp } from '../testing/test-app.ts';

let app: FastifyInstance;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ app, close } = await testApp());
});
afterAll(() => close());

const GIB = 1024 ** 3;

async function decide(path: string, body: DecisionRequest) {
  const res = await app.inject({ method: 'POST', url: `/api/v1/ml/decision/${path}`, headers: AUTH, payload: body });
  expect(res.statusCode, res.body).toBe(200);
  return DecisionResponseSchema.parse(res.json());
}

/** Three on-demand m5.xlarge nodes, each a quarter used by one web pod: room to consolidate. */
function underusedCluster(): DecisionRequest {
  const base = exampleDecisionRequest();
  const nodes = [1, 2, 3].map((i) =>
    exampleNodeMetric({ node_name: `ip-10-0-1-${i}.ec2.internal`, instance_id: `i-0a1b2c3d4e5f6071${i}`, node_type: 'on-demand', availability_zone: 'us-east-1a', hourly_price: 0.192, cpu_allocated_millicores: 600, memory_allocated_bytes: 1 * GIB, pod_count: 1, labels: { 'karpenter.sh/capacity-type': 'on-demand' } }),
  );
  const pods = nodes.map((n, i) => examplePodMetric({ pod_name: `web-5d8f-${i}abc`, node_name: n.node_name, owner: { kind: 'Deployment', name: 'web' } }));
  return {
    ...base,
    decision_type: 'bin_pack',
    current_state: { ...base.current_state, total_nodes: 3, spot_nodes: 0, on_demand_nodes: 3, total_pods: 3, running_pods: 3, pending_pods: 0, nodes, pods, pending_pod_details: [] },
  };
}

describe('POST /api/v1/ml/decision/spot-optimize', () => {
  it('plans Spot pools for the pending pod and replaces the on-demand node (contracts example)', async () => {
    const out = await decide('spot-optimize', exampleDecisionRequest());
    expect(out.outcome).toBe('planned');
    expect(out.request_id).toBe(exampleDecisionRequest().request_id);
    expect(out.recommendations.length).toBeGreaterThan(0);
    expect(out.recommendations.some((r) => r.capacity_type === 'spot')).toBe(true);
    expect(out.metadata.model_version).toBe('day-zero');
    expect(out.metadata.engine_version).toMatch(/^spot-selection-/);
    expect(out.metadata.data_age_seconds).toBeGreaterThan(0);
    const actions = out.execution_plan.map((s) => s.action);
    expect(actions[0]).toBe('launch_instances');
    expect(actions).toContain('wait_for_nodes_ready');
    // max_spot_share 0.8 of 3 nodes leaves one Spot slot for a replacement: the costlier of the replaceable
    // nodes goes (cordon → drain → terminate → delete, after the new nodes are Ready).
    const drains = out.execution_plan.filter((s) => s.action === 'drain_node');
    expect(drains).toHaveLength(1);
    expect(out.metadata.nodes_replaced).toBe(1);
    expect(actions.slice(-4)).toEqual(['cordon_node', 'drain_node', 'terminate_instances', 'delete_node']);
    expect(out.risk_assessment.expected_interruptions_per_month).not.toBeNull();
    // Family diversity: no family holds more than max_family_share of the spot nodes (at least 1).
    const spot = out.recommendations.filter((r) => r.capacity_type === 'spot');
    const total = spot.reduce((s, r) => s + r.node_count, 0);
    const byFamily = new Map<string, number>();
    for (const r of spot) byFamily.set(r.instance_type.split('.')[0] as string, (byFamily.get(r.instance_type.split('.')[0] as string) ?? 0) + r.node_count);
    for (const n of byFamily.values()) expect(n).toBeLessThanOrEqual(Math.max(1, Math.floor(0.4 * total)));
  });

  it('replaces the on-demand node when the Spot share cap allows it', async () => {
    const base = exampleDecisionRequest();
    const out = await decide('spot-optimize', { ...base, constraints: { ...base.constraints, max_spot_share: 1 } });
    const drained = out.execution_plan.filter((s) => s.action === 'drain_node').map((s) => (s.parameters as { node_name: string }).node_name);
    expect(drained).toContain('ip-10-0-2-41.ec2.internal');
    // Disruption budget 1: the second node's cordon waits for the first node's last step.
    const cordons = out.execution_plan.filter((s) => s.action === 'cordon_node');
    if (cordons.length > 1) expect(cordons[1]?.depends_on.some((d) => d > (cordons[0]?.step ?? 0))).toBe(true);
    expect(DecisionResponseSchema.safeParse(out).success).toBe(true);
  });

  it('a kube-system DaemonSet pod does not pin its node, while another excluded pod does', async () => {
    const base = exampleDecisionRequest();
    const onDemand = 'ip-10-0-2-41.ec2.internal';
    const daemon = examplePodMetric({ pod_name: 'kube-proxy-x7k2p', namespace: 'kube-system', node_name: onDemand, owner: { kind: 'DaemonSet', name: 'kube-proxy' } });
    const withDaemon = await decide('spot-optimize', { ...base, constraints: { ...base.constraints, max_spot_share: 1 }, current_state: { ...base.current_state, pods: [...base.current_state.pods, daemon] } });
    expect(withDaemon.execution_plan.filter((s) => s.action === 'drain_node').map((s) => (s.parameters as { node_name: string }).node_name)).toContain(onDemand);

    const coredns = examplePodMetric({ pod_name: 'coredns-5d8f-abcde', namespace: 'kube-system', node_name: onDemand, owner: { kind: 'Deployment', name: 'coredns' } });
    const withExcluded = await decide('spot-optimize', { ...base, constraints: { ...base.constraints, max_spot_share: 1 }, current_state: { ...base.current_state, pods: [...base.current_state.pods, coredns] } });
    expect(withExcluded.execution_plan.filter((s) => s.action === 'drain_node').map((s) => (s.parameters as { node_name: string }).node_name)).not.toContain(onDemand);
  });

  it('answers nothing_to_do (200) when there is nothing to replace or add', async () => {
    const base = exampleDecisionRequest();
    const out = await decide('spot-optimize', { ...base, current_state: { ...base.current_state, total_nodes: 1, on_demand_nodes: 0, total_pods: 1, running_pods: 1, pending_pods: 0, nodes: [exampleNodeMetric()], pending_pod_details: [] }, requirements: { ...base.requirements, cpu_cores: null, memory_gb: null } });
    expect(out.outcome).toBe('nothing_to_do');
    expect(out.execution_plan).toEqual([]);
    expect(out.outcome_reason).toBeTruthy();
  });

  it('answers infeasible (200) when the plan would exceed max_hourly_cost', async () => {
    const base = exampleDecisionRequest();
    const out = await decide('spot-optimize', { ...base, constraints: { ...base.constraints, max_hourly_cost: 0.01 } });
    expect(out.outcome).toBe('infeasible');
    expect(out.outcome_reason).toMatch(/max_hourly_cost/);
  });

  it('rejects zones outside the region with the path of each', async () => {
    const base = exampleDecisionRequest();
    const res = await app.inject({ method: 'POST', url: '/api/v1/ml/decision/spot-optimize', headers: AUTH, payload: { ...base, requirements: { ...base.requirements, availability_zones: ['us-east-1a', 'eu-west-1b'] } } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.issues[0].path).toBe('requirements.availability_zones.1');
  });
});

describe('POST /api/v1/ml/decision/bin-pack', () => {
  it('consolidates three underused nodes, with drains in the plan and the moves in metadata', async () => {
    const out = await decide('bin-pack', underusedCluster());
    expect(out.outcome).toBe('planned');
    expect(out.estimated_savings).toBeGreaterThan(0);
    expect(out.execution_plan.filter((s) => s.action === 'drain_node').length).toBeGreaterThanOrEqual(1);
    expect(Array.isArray(out.metadata.pod_moves)).toBe(true);
    expect(out.metadata.lower_bound_usd_per_hour).toBeGreaterThan(0);
    expect(out.metadata.bound_method).toBe('lp-dual');
  });

  it('answers nothing_to_do when every pod is do-not-disrupt', async () => {
    const req = underusedCluster();
    const out = await decide('bin-pack', { ...req, current_state: { ...req.current_state, pods: req.current_state.pods.map((p) => ({ ...p, do_not_disrupt: true })) } });
    expect(out.outcome).toBe('nothing_to_do');
    expect(out.execution_plan).toEqual([]);
  });
});

describe('POST /api/v1/ml/decision/rightsize', () => {
  it('turns usage history into container recommendations and a patch plan', async () => {
    const base = exampleDecisionRequest();
    const start = Date.parse(base.timestamp) - 7 * 86_400_000;
    const samples = Array.from({ length: 7 * 288 }, (_, i) => ({ timestamp: new Date(start + i * 300_000).toISOString(), cpu_usage_millicores: 120 + (i % 12) * 5, memory_usage_bytes: 300 * 1024 ** 2 + (i % 24) * 1024 ** 2 }));
    const out = await decide('rightsize', { ...base, decision_type: 'rightsize', usage_history: [{ namespace: 'shop', owner: { kind: 'Deployment', name: 'checkout' }, container_name: 'app', samples, oom_kill_count: 0 }, { namespace: 'shop', owner: { kind: 'Deployment', name: 'ghost' }, container_name: 'app', samples, oom_kill_count: 0 }] });
    expect(out.container_recommendations).toHaveLength(1);
    const rec = out.container_recommendations[0];
    expect(rec?.current_cpu_request_millicores).toBe(500);
    expect(rec?.recommended_cpu_request_millicores).toBeLessThan(500);
    expect(rec?.confidence).toBeGreaterThan(0.5);
    expect(out.execution_plan[0]).toMatchObject({ action: 'patch_workload_resources', parameters: { namespace: 'shop', kind: 'Deployment', name: 'checkout' } });
    expect(out.estimated_savings).toBeGreaterThan(0);
    expect(out.metadata.skipped).toHaveLength(1);
  });
});

describe('POST /api/v1/ml/decision/schedule', () => {
  it('plans office hours for the selected namespace', async () => {
    const base = exampleDecisionRequest();
    const out = await decide('schedule', {
      ...base,
      decision_type: 'schedule',
      requirements: { ...base.requirements, schedules: [{ name: 'shop office hours', timezone: 'Europe/Paris', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '19:00', namespaces: ['shop'], workloads: [] }] },
    });
    expect(out.outcome).toBe('planned');
    const steps = out.execution_plan;
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.every((s) => s.action === 'scale_workload')).toBe(true);
    expect(steps.some((s) => s.action === 'scale_workload' && s.parameters.replicas === 0)).toBe(true);
    expect(out.estimated_savings).toBeGreaterThan(0);
  });

  it('answers nothing_to_do without schedules', async () => {
    const out = await decide('schedule', { ...exampleDecisionRequest(), decision_type: 'schedule' });
    expect(out.outcome).toBe('nothing_to_do');
  });
});
