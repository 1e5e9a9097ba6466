/** Wire answers for component tests, shaped as central sends them. */
import type { ClusterSummary, PlanView, SavingsOverview, SettingsView } from '../api/wire-types.ts';
import { CUSTOMER_ID } from './render.tsx';

export const CLUSTER_ID = '33333333-3333-4333-8333-333333333333';

export function clusterSummary(over: Partial<ClusterSummary> = {}): ClusterSummary {
  return {
    cluster_id: CLUSTER_ID,
    customer_id: CUSTOMER_ID,
    cluster_name: 'prod-eu',
    region: 'eu-west-1',
    aws_account_id: null,
    health_status: 'GREEN',
    total_nodes: 4,
    spot_nodes: 3,
    on_demand_nodes: 1,
    total_pods: 20,
    pending_pods: 1,
    current_cost_per_hour: 1,
    baseline_cost_per_hour: 2,
    last_updated: '2026-01-01T00:00:00.000Z',
    last_heartbeat_at: '2026-01-01T00:00:00.000Z',
    created_at: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

export function savingsOverview(cumulative = 123.45): SavingsOverview {
  const summary = { current_cost_per_hour: 1, baseline_cost_per_hour: 2, savings_per_hour: 1, savings_per_month: 730, savings_percent: 50, cumulative_savings: cumulative, period: { cost: 1, baseline: 2, savings: 1, covered_hours: 1 }, series: [{ at: '2026-01-01T00:00:00.000Z', cost: 1, baseline: 2, savings: 1, covered_hours: 1 }] };
  return { from: '2025-12-25T00:00:00.000Z', to: '2026-01-01T00:00:00.000Z', step_seconds: 3600, total: summary, clusters: [{ cluster_id: CLUSTER_ID, customer_id: CUSTOMER_ID, cluster_name: 'prod-eu', as_of: null, ...summary }], plans: [] };
}

export function planView(over: Partial<PlanView> = {}): PlanView {
  return {
    plan_id: '44444444-4444-4444-8444-444444444444',
    customer_id: CUSTOMER_ID,
    cluster_id: CLUSTER_ID,
    decision_type: 'spot_optimize',
    status: 'proposed',
    trigger: 'user',
    dry_run: false,
    outcome: 'planned',
    summary: 'Move 2 on-demand nodes to 3 Spot pools.',
    estimated_savings_monthly: 412.5,
    actual_savings_monthly: null,
    created_by: 'user:admin@example.test',
    approved_by: null,
    created_at: '2026-01-01T00:00:00.000Z',
    approved_at: null,
    started_at: null,
    finished_at: null,
    error: null,
    request_id: 'opt-1',
    outcome_reason: null,
    rationale: { summary: 'Cheapest safe pools.', factors: [{ name: 'pools_eligible', value: 12, weight: null, contribution: null }], data_sources: [] },
    recommendations: [{ instance_type: 'm5.large', node_count: 2, risk_score: 0.12, hourly_price: 0.035, monthly_savings: 200, availability_zone: 'eu-west-1a', capacity_type: 'spot', interruption_probability: 0.05 }],
    container_recommendations: [],
    risk_assessment: { risk_score: 0.12, risk_level: 'low', summary: 'low', factors: ['diversified over 3 pools'], expected_interruptions_per_month: 0.4 },
    confidence_score: 0.84,
    engine: { engine_version: 'spot-selection-1', model_version: null },
    steps: [{ step: 1, action: 'launch_instances', description: 'Launch 2 × m5.large spot in eu-west-1a', depends_on: [], not_before: null, parameters: {}, status: 'pending', attempt: 0, started_at: null, finished_at: null, outcome: null, error: null }],
    ...over,
  };
}

export function settingsView(): SettingsView {
  return {
    cluster_id: CLUSTER_ID,
    version: 3,
    updated_at: '2026-01-01T00:00:00.000Z',
    aws_external_id: `cloudoptim-${CUSTOMER_ID}`,
    settings: {
      automation_mode: 'recommend',
      max_spot_share: 0.8,
      min_pool_diversity: 3,
      max_nodes_in_flight: 1,
      max_disruption_percent: 10,
      office_hours: [],
      excluded_namespaces: ['kube-system'],
      excluded_workloads: [],
      rebalance_policy: 'cordon',
      aws_role_arn: null,
      interruption_queue_url: null,
      launch_template_id: null,
      subnet_ids: [],
    },
  };
}
