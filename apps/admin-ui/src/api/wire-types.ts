/**
 * The answers of central's admin API as the UI reads them (snake_case, as on the wire). Messages that are
 * contracts come from @cloudoptim/contracts; the admin views below mirror the routes' zod schemas in
 * apps/central/src (the UI is an app and does not import another app). Money is USD: `*_per_hour` per hour,
 * `*_monthly` / `savings_per_month` per month. Times are ISO 8601.
 */
import type {
  ClusterEvent,
  ContainerMetric,
  ContainerRecommendation,
  DecisionType,
  HealthStatus,
  NodeMetric,
  Rationale,
  Recommendation,
  RiskAssessment,
  SpotActionTaken,
  SpotEventType,
  Task,
  TaskResult,
  TaskStatus,
  WorkloadRef,
} from '@cloudoptim/contracts';

export type Role = 'operator' | 'customer_admin' | 'customer_viewer';

export interface UserView {
  id: string;
  email: string;
  role: Role;
  /** null for operators. */
  customer_id: string | null;
  created_at: string;
  last_login_at: string | null;
  disabled: boolean;
}

export interface LoginResponse {
  token: string;
  user: UserView;
  expires_at: string;
}

export interface CustomerView {
  customer_id: string;
  company_name: string;
  email: string | null;
  status: 'active' | 'suspended';
  created_at: string;
}

export interface ClusterSummary {
  cluster_id: string;
  customer_id: string;
  cluster_name: string;
  region: string;
  aws_account_id: string | null;
  /** null until the agent's first report. */
  health_status: HealthStatus | null;
  total_nodes: number;
  spot_nodes: number;
  on_demand_nodes: number;
  total_pods: number;
  pending_pods: number;
  current_cost_per_hour: number;
  baseline_cost_per_hour: number;
  last_updated: string | null;
  last_heartbeat_at: string | null;
  created_at: string;
}

export interface AgentKeyView {
  key_id: string;
  prefix: string;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
  active: boolean;
}

/** A new agent key: the only answer that carries it. */
export interface IssuedKey {
  api_key: string;
  key: AgentKeyView;
  install_command: string;
  install_commands: { script: string; kubectl: string };
}

export type RegisteredCluster = ClusterSummary & IssuedKey;

export interface ClusterNodes {
  cluster_id: string;
  as_of: string | null;
  nodes: NodeMetric[];
}

export interface PodView {
  namespace: string;
  pod_name: string;
  node_name: string | null;
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  owner: WorkloadRef | null;
  containers: ContainerMetric[];
  cpu_request_millicores: number;
  memory_request_bytes: number;
  cpu_usage_millicores: number | null;
  memory_usage_bytes: number | null;
  restarts: number;
  oom_kills: number;
  observed_at: string;
}

/** A page read with `limit`/`offset`; `next_offset` is null on the last page. */
export interface OffsetPage {
  next_offset: number | null;
}

export interface ClusterPods extends OffsetPage {
  cluster_id: string;
  pods: PodView[];
}

export interface ClusterEvents extends OffsetPage {
  cluster_id: string;
  events: (ClusterEvent & { received_at: string })[];
}

export interface AdminTask {
  task: Task;
  status: TaskStatus;
  attempts: number;
  max_attempts: number;
  urgent: boolean;
  lease_owner: string | null;
  lease_expires_at: string | null;
  interruption_time: string | null;
  result: TaskResult | null;
  cancel_reason: string | null;
  updated_at: string;
  finished_at: string | null;
}

export interface ClusterTasks extends OffsetPage {
  cluster_id: string;
  tasks: AdminTask[];
}

export type PlanStatus = 'proposed' | 'approved' | 'rejected' | 'running' | 'succeeded' | 'failed' | 'rolled_back' | 'cancelled';

export interface PlanSummary {
  plan_id: string;
  customer_id: string;
  cluster_id: string;
  decision_type: DecisionType;
  status: PlanStatus;
  trigger: 'user' | 'schedule' | 'pending_pods' | 'consolidator' | 'spot_handler';
  dry_run: boolean;
  outcome: 'planned' | 'nothing_to_do' | 'infeasible';
  summary: string;
  estimated_savings_monthly: number;
  /** null until measured. */
  actual_savings_monthly: number | null;
  created_by: string;
  approved_by: string | null;
  created_at: string;
  approved_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
}

export interface PlanStepView {
  step: number;
  action: string;
  description: string | null;
  depends_on: number[];
  not_before: string | null;
  parameters: Record<string, unknown>;
  status: 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'rolled_back';
  attempt: number;
  started_at: string | null;
  finished_at: string | null;
  outcome: Record<string, unknown> | null;
  error: string | null;
}

export interface PlanView extends PlanSummary {
  request_id: string;
  outcome_reason: string | null;
  rationale: Rationale;
  recommendations: Recommendation[];
  container_recommendations: ContainerRecommendation[];
  risk_assessment: RiskAssessment;
  confidence_score: number;
  engine: Record<string, unknown>;
  steps: PlanStepView[];
}

export interface PlanList {
  items: PlanSummary[];
  total: number;
  limit: number;
  offset: number;
}

export interface SavingsPoint {
  at: string;
  cost: number;
  baseline: number;
  savings: number;
  covered_hours: number;
}

export interface SavingsSummary {
  current_cost_per_hour: number;
  baseline_cost_per_hour: number;
  savings_per_hour: number;
  savings_per_month: number;
  savings_percent: number | null;
  cumulative_savings: number;
  period: { cost: number; baseline: number; savings: number; covered_hours: number };
  series: SavingsPoint[];
}

export interface ClusterSavings extends SavingsSummary {
  cluster_id: string;
  customer_id: string;
  cluster_name: string;
  as_of: string | null;
}

export interface PlanMeasurement {
  plan_id: string;
  cluster_id: string;
  predicted_monthly: number;
  actual_monthly: number;
  measured_at: string;
}

export interface SavingsOverview {
  from: string;
  to: string;
  step_seconds: number;
  total: SavingsSummary;
  clusters: ClusterSavings[];
  plans: PlanMeasurement[];
}

export interface StoredSpotEvent {
  id: string;
  customer_id: string;
  event_id: string;
  event_type: SpotEventType;
  instance_id: string;
  region: string;
  availability_zone: string | null;
  received_at: string;
  interruption_time: string | null;
  cluster_id: string | null;
  node_name: string | null;
  action_taken: SpotActionTaken;
  replacement_instance_id: string | null;
}

export interface SpotEventPage extends OffsetPage {
  items: StoredSpotEvent[];
  limit: number;
  offset: number;
}

export type AutomationMode = 'recommend' | 'automate';
export type RebalancePolicy = 'ignore' | 'cordon' | 'replace';

export interface OfficeHoursEntry {
  /** kube-downscaler syntax, e.g. "Mon-Fri 08:00-19:00 Europe/Berlin". */
  uptime: string;
  namespaces: string[];
  /** "namespace/kind/name". */
  workloads: string[];
}

export interface ClusterSettings {
  automation_mode: AutomationMode;
  max_spot_share: number;
  min_pool_diversity: number;
  max_nodes_in_flight: number;
  max_disruption_percent: number;
  office_hours: OfficeHoursEntry[];
  excluded_namespaces: string[];
  excluded_workloads: string[];
  rebalance_policy: RebalancePolicy;
  aws_role_arn: string | null;
  interruption_queue_url: string | null;
  launch_template_id: string | null;
  subnet_ids: string[];
}

export interface SettingsView {
  cluster_id: string;
  version: number;
  updated_at: string;
  /** Issued by CloudOptim (`cloudoptim-<customer id>`), read-only: for the trust policy of the role aws_role_arn names. */
  aws_external_id: string;
  settings: ClusterSettings;
}

export type ModelFormat = 'native' | 'xgboost-json' | 'onnx';

export interface CalibrationBin {
  from: number;
  to: number;
  count: number;
  mean_predicted: number | null;
  observed_rate: number | null;
}

export interface ModelView {
  version: string;
  format: ModelFormat;
  status: 'uploaded' | 'active' | 'retired';
  size_bytes: number;
  trained_until: string | null;
  metrics: Record<string, unknown> | null;
  created_at: string;
  activated_at: string | null;
}

export interface ModelList {
  models: ModelView[];
  active_version: string | null;
  serving_version: string;
}

export interface ModelActivation {
  model: ModelView;
  previous_version: string | null;
}

export interface ModelEvaluation {
  version: string;
  test_from: string;
  test_to: string;
  model: Record<string, number>;
  baselines: Record<string, Record<string, number>>;
  calibration: CalibrationBin[];
}

export interface GapRange {
  from: string;
  to: string;
  days: number;
  /** Whether EC2 still serves that range (DescribeSpotPriceHistory reaches back 90 days). */
  fetchable: boolean;
}

export interface GapSeries {
  availability_zone: string;
  instance_type: string;
  covered_days: number;
  missing_days: number;
  ranges: GapRange[];
}

export interface GapAnalysis {
  region: string;
  window: { from: string; to: string; lookback_days: number; model_version: string | null; trained_until: string | null; fetchable_from: string };
  series_total: number;
  series_with_gaps: number;
  missing_days: number;
  fetchable_missing_days?: number;
  series: GapSeries[];
}

export type GapJobStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface GapFillJob {
  job_id: string;
  status: GapJobStatus;
  /** In [0, 1]. */
  progress: number;
  series_total: number;
  series_done: number;
  records_filled: number;
  error: string | null;
  created_at?: string;
  finished_at?: string | null;
}

/** GET /api/v1/admin/backtest/coverage: what the Spot price history covers (ISO instants). */
export interface BacktestCoverage {
  max_days: number;
  regions: { region: string; first: string; last: string; availability_zones: string[] }[];
}
