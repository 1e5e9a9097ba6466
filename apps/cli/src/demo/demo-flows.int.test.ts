/**
 * End-to-end flows over the whole product as the demo composes it (simulator, ML server, central, agent) on a
 * SteppedClock, in recommend mode over the `steady` scenario — SPEC §5:
 * 1 onboarding (GREEN with nodes, pods and cost); 3 an interruption warning (urgent drain finished before the
 * reclaim, a replacement launched, the event recorded, no pod killed); 2 a person triggers a Spot optimization,
 * approves it, and it runs (on-demand nodes replaced by Spot, the old instances terminated); 9/10 savings and
 * predicted vs actual (the plan's actual savings measured after it settled, consistent with the cost samples and
 * the cluster state); 7 a model uploaded, activated, naming itself in predictions and decisions, rolled back;
 * 8 gap filling through EC2 DescribeSpotPriceHistory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_NAMES } from '@cloudoptim/engines';
import { DemoAdminApi } from './admin-api.ts';
import { startSteppedDemo, type SteppedDemo } from './stepped-demo.test-support.ts';

const MINUTE = 60_000;

interface PlanView {
  plan_id: string;
  status: string;
  estimated_savings_monthly: number;
  actual_savings_monthly: number | null;
  engine: Record<string, unknown>;
  steps: { step: number; action: string; status: string; parameters: Record<string, unknown>; outcome: Record<string, unknown> | null }[];
}

/** A one-tree XGBoost binary:logistic model over the risk features. */
function xgboostModel(): string {
  const tree = { left_children: [1, -1, -1], right_children: [2, -1, -1], split_indices: [0, 0, 0], split_conditions: [2, -0.5, 0.5], default_left: [1, 0, 0], split_type: [0, 0, 0], tree_param: { num_nodes: '3', size_leaf_vector: '1' } };
  const learner = { feature_names: [], gradient_booster: { name: 'gbtree', model: { trees: [tree], tree_info: [0] } }, learner_model_param: { base_score: '5E-1', num_class: '0', num_feature: String(FEATURE_NAMES.length) }, objective: { name: 'binary:logistic' } };
  return Buffer.from(JSON.stringify({ learner })).toString('base64');
}

describe('demo end-to-end flows (recommend mode)', () => {
  let demo: SteppedDemo;
  let api: DemoAdminApi;
  let clusterId: string;

  beforeAll(async () => {
    demo = await startSteppedDemo({ scenario: 'steady', mode: 'recommend' });
    api = demo.api;
    clusterId = demo.cluster.clusterId;
  }, 120_000);

  afterAll(() => demo?.stop(), 60_000);

  const plan = (id: string) => api.call<PlanView>('GET', `/api/v1/admin/optimizations/${id}`);
  const running = () => demo.cluster.sim.aws.ec2.list().filter((i) => i.state === 'running');

  it('onboarding: the registered cluster turns GREEN with its nodes, pods and cost', async () => {
    const simNodes = demo.cluster.sim.cluster.stats().nodes;
    const state = await demo.until(
      'a GREEN cluster state with every node',
      async () => {
        const s = await api.call<{ health_status: string; total_nodes: number; total_pods: number; current_cost_per_hour: number; baseline_cost_per_hour: number }>('GET', `/api/v1/admin/clusters/${clusterId}/state`);
        return s.health_status === 'GREEN' && s.total_nodes === simNodes && s.total_pods > 0 && s.current_cost_per_hour > 0 ? s : undefined;
      },
      5 * MINUTE,
      10_000,
    );
    expect(state.baseline_cost_per_hour).toBeGreaterThan(state.current_cost_per_hour); // three of six nodes run on Spot
    const nodes = await api.call<{ nodes: { node_name: string }[] }>('GET', `/api/v1/admin/clusters/${clusterId}/nodes`);
    expect(nodes.nodes.map((n) => n.node_name).sort()).toEqual(demo.cluster.sim.store.nodes.list().map((n) => n.metadata.name).sort());
  }, 60_000);

  it('interruption: drained before the reclaim, replaced, recorded once, no pod killed', async () => {
    const ec2 = demo.cluster.sim.aws.ec2;
    const before = new Set(ec2.list().map((i) => i.instanceId));
    const victim = ec2.list().find((i) => i.lifecycle === 'spot' && i.state === 'running')!;
    expect(ec2.interruptInstance(victim.instanceId)).toBe(true);

    const event = await demo.until(
      'the spot event with its action',
      async () => {
        const page = await api.call<{ items: { instance_id: string; event_type: string; action_taken: string | null; replacement_instance_id: string | null }[] }>('GET', `/api/v1/admin/spot-events?cluster_id=${clusterId}`);
        return page.items.find((e) => e.instance_id === victim.instanceId && e.event_type === 'interruption_warning' && e.replacement_instance_id);
      },
      2 * MINUTE,
      5_000,
    );
    expect(event.action_taken).toBeTruthy();
    expect(before.has(event.replacement_instance_id!)).toBe(false);
    await demo.until('the reclaim', () => ec2.list().find((i) => i.instanceId === victim.instanceId && i.state === 'terminated'), 5 * MINUTE, 10_000);
    const summary = await demo.recorder.summary();
    expect(summary).toMatchObject({ interruption_warnings: 1, interruptions_drained_before_deadline: 1, pods_lost: 0, errors: 0 });
  }, 60_000);

  let approved: PlanView;
  it('Spot optimization: a person triggers it, approves the proposal, and on-demand nodes are replaced by Spot', async () => {
    // Let the replacement of the interrupted node join and the cluster report again.
    await demo.pass(10 * MINUTE);
    const onDemandBefore = running().filter((i) => i.lifecycle !== 'spot').map((i) => i.instanceId);
    expect(onDemandBefore.length).toBeGreaterThan(0);
    const proposed = await api.call<PlanView>('POST', '/api/v1/admin/optimization/trigger', { cluster_id: clusterId, optimization_type: 'spot_optimize' });
    expect(proposed.status).toBe('proposed');
    expect(proposed.estimated_savings_monthly).toBeGreaterThan(0);
    const terminated = proposed.steps.filter((s) => s.action === 'terminate_instances').flatMap((s) => s.parameters.instance_ids as string[]);
    expect(terminated.length).toBeGreaterThan(0);
    expect(terminated.every((id) => onDemandBefore.includes(id))).toBe(true);
    await demo.pass(10 * MINUTE);
    expect((await plan(proposed.plan_id)).status).toBe('proposed'); // nothing runs without the approval

    await api.call('POST', `/api/v1/admin/optimizations/${proposed.plan_id}/approve`, {});
    approved = await demo.until('the approved plan to finish', async () => ((await plan(proposed.plan_id)).status === 'succeeded' ? plan(proposed.plan_id) : undefined), 60 * MINUTE, MINUTE);
    expect(approved.steps.every((s) => s.status === 'succeeded')).toBe(true);
    const ec2 = demo.cluster.sim.aws.ec2.list();
    for (const id of terminated) expect(ec2.find((i) => i.instanceId === id)?.state).toMatch(/terminated|shutting-down/);
    const launched = approved.steps.filter((s) => s.action === 'launch_instances').flatMap((s) => (s.outcome?.instance_ids as string[]) ?? []);
    expect(launched.length).toBeGreaterThan(0);
    expect(launched.every((id) => ec2.find((i) => i.instanceId === id)?.lifecycle === 'spot')).toBe(true);
    expect(running().filter((i) => i.lifecycle !== 'spot').length).toBeLessThan(onDemandBefore.length);
    // Every node of the cluster has a running instance behind it, and no pod was killed.
    const live = new Set(running().map((i) => i.instanceId));
    for (const n of demo.cluster.sim.store.nodes.list()) expect(live.has(n.spec!.providerID!.split('/').at(-1)!)).toBe(true);
    expect((await demo.recorder.summary()).pods_lost).toBe(0);
  }, 120_000);

  it('savings: the plan\'s actual savings are measured after it settled, consistent with its estimate and the cost samples', async () => {
    const measured = await demo.until('the actual savings of the plan', async () => {
      const p = await plan(approved.plan_id);
      return p.actual_savings_monthly !== null ? p : undefined;
    }, 90 * MINUTE, 5 * MINUTE);
    // Replacing on-demand nodes by Spot saves; the measurement is of the whole cluster, so only its sign and
    // order of magnitude are the estimate's.
    expect(measured.actual_savings_monthly!).toBeGreaterThan(0);
    expect(measured.actual_savings_monthly!).toBeLessThan(measured.estimated_savings_monthly * 3);

    const savings = await api.call<{ total: { current_cost_per_hour: number; baseline_cost_per_hour: number; savings_per_hour: number; cumulative_savings: number }; plans: { plan_id: string; predicted_monthly: number; actual_monthly: number }[] }>('GET', `/api/v1/admin/savings?cluster_id=${clusterId}`);
    expect(savings.plans.find((p) => p.plan_id === approved.plan_id)).toMatchObject({ predicted_monthly: measured.estimated_savings_monthly, actual_monthly: measured.actual_savings_monthly });
    expect(savings.total.savings_per_hour).toBeCloseTo(savings.total.baseline_cost_per_hour - savings.total.current_cost_per_hour, 2);
    expect(savings.total.cumulative_savings).toBeGreaterThan(0);
    // A sample taken now agrees with the cluster's state and with the savings the route answers.
    const now = await api.call<{ cost_per_hour: number; baseline_per_hour: number }>('POST', `/api/v1/admin/clusters/${clusterId}/cost-samples`);
    const after = await api.call<{ total: { current_cost_per_hour: number; baseline_cost_per_hour: number } }>('GET', `/api/v1/admin/savings?cluster_id=${clusterId}`);
    expect(after.total.current_cost_per_hour).toBeCloseTo(now.cost_per_hour, 3);
    expect(after.total.baseline_cost_per_hour).toBeCloseTo(now.baseline_per_hour, 3);
    const state = await api.call<{ current_cost_per_hour: number }>('GET', `/api/v1/admin/clusters/${clusterId}/state`);
    expect(state.current_cost_per_hour).toBeCloseTo(now.cost_per_hour, 2);
  }, 120_000);

  it('model lifecycle: upload → activate → predictions and decisions name the version → rollback', async () => {
    const operator = new DemoAdminApi(demo.stack.url);
    await operator.login(demo.stack.operator.email, demo.stack.operator.password);
    for (const version of ['xgb-e2e-1', 'xgb-e2e-2']) {
      await operator.call('POST', '/api/v1/admin/ml/models', { format: 'xgboost-json', version, trained_until: '2025-12-20', artifact_base64: xgboostModel() });
      await operator.call('POST', `/api/v1/admin/ml/models/${version}/activate`, {});
    }
    const pool = { region: 'us-east-1', availability_zone: 'us-east-1a', instance_type: 'm5.xlarge', spot_price: 0.07, launch_time: new Date(demo.clock.now()).toISOString() };
    const predict = () => api.call<{ model_version: string; interruption_probability: number }>('POST', '/api/v1/admin/ml/predict/spot-interruption', pool);
    const prediction = await predict();
    expect(prediction.model_version).toBe('xgb-e2e-2');
    expect(prediction.interruption_probability).toBeGreaterThanOrEqual(0);
    const decision = await api.call<PlanView>('POST', '/api/v1/admin/optimization/trigger', { cluster_id: clusterId, optimization_type: 'spot_optimize', dry_run: true });
    expect(decision.engine.model_version).toBe('xgb-e2e-2');

    await operator.call('POST', '/api/v1/admin/ml/models/rollback', {});
    expect((await operator.call<{ serving_version: string }>('GET', '/api/v1/admin/ml/models')).serving_version).toBe('xgb-e2e-1');
    expect((await predict()).model_version).toBe('xgb-e2e-1');
  }, 60_000);

  it('gap filling: the missing price days since the model\'s training end are fetched through EC2 and stored', async () => {
    const operator = new DemoAdminApi(demo.stack.url);
    await operator.login(demo.stack.operator.email, demo.stack.operator.password);
    const scope = { region: 'us-east-1', instance_types: ['m5.xlarge', 'c5.xlarge'] };
    const gaps = await operator.call<{ series_with_gaps: number; missing_days: number }>('POST', '/api/v1/admin/ml/data/gap-analysis', scope);
    expect(gaps.missing_days).toBeGreaterThanOrEqual(15);
    const job = await operator.call<{ job_id: string }>('POST', '/api/v1/admin/ml/data/fill-gaps', scope);
    const done = await demo.until('the gap-fill job', async () => {
      const j = await operator.call<{ status: string; records_filled: number; series_done: number; series_total: number }>('GET', `/api/v1/admin/ml/data/jobs/${job.job_id}`);
      return j.status === 'completed' || j.status === 'failed' ? j : undefined;
    }, 30 * MINUTE, 10_000);
    expect(done).toMatchObject({ status: 'completed' });
    expect(done.records_filled).toBeGreaterThan(0);
    expect(done.series_done).toBe(done.series_total);
    const after = await operator.call<{ missing_days: number }>('POST', '/api/v1/admin/ml/data/gap-analysis', scope);
    expect(after.missing_days).toBeLessThan(gaps.missing_days);
  }, 120_000);
});
