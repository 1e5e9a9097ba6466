import { exampleClusterState } from '@cloudoptim/contracts';
import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { adminStreamUrl, applyAdminEvent, parseAdminFrame } from './admin-stream.ts';
import { queryKeys } from './query-keys.ts';
import type { ClusterSummary, GapFillJob } from './wire-types.ts';

const state = exampleClusterState();
const summary: ClusterSummary = {
  cluster_id: state.cluster_id,
  customer_id: '11111111-1111-4111-8111-111111111111',
  cluster_name: state.cluster_name,
  region: state.region,
  aws_account_id: null,
  health_status: 'GREEN',
  total_nodes: 2,
  spot_nodes: 1,
  on_demand_nodes: 1,
  total_pods: 3,
  pending_pods: 0,
  current_cost_per_hour: 0.2,
  baseline_cost_per_hour: 0.3,
  last_updated: null,
  last_heartbeat_at: '2026-01-01T00:00:00.000Z',
  created_at: '2026-01-01T00:00:00.000Z',
};
const header = { v: 1 as const, id: 'evt-1', sent_at: '2026-01-01T00:00:00.000Z' };

describe('applyAdminEvent', () => {
  it('patches a cluster’s state into every cached clusters list and its summary, keeping what the state lacks', () => {
    const client = new QueryClient();
    client.setQueryData(queryKeys.clusters(null), [summary]);
    client.setQueryData(queryKeys.clusters(summary.customer_id), [summary]);
    client.setQueryData(queryKeys.clusterSummary(summary.cluster_id), summary);
    applyAdminEvent(client, { type: 'cluster_state_changed', ...header, cluster_id: state.cluster_id, state: { ...state, current_cost_per_hour: 1.5, health_status: 'YELLOW' } });
    for (const key of [queryKeys.clusters(null), queryKeys.clusters(summary.customer_id)]) {
      expect(client.getQueryData<ClusterSummary[]>(key)![0]).toMatchObject({ current_cost_per_hour: 1.5, health_status: 'YELLOW', last_heartbeat_at: summary.last_heartbeat_at, customer_id: summary.customer_id });
    }
    expect(client.getQueryData<ClusterSummary>(queryKeys.clusterSummary(summary.cluster_id))!.current_cost_per_hour).toBe(1.5);
  });

  it('refetches the lists when a cluster it does not know reports (registered elsewhere)', () => {
    const client = new QueryClient();
    client.setQueryData(queryKeys.clusters(null), []);
    applyAdminEvent(client, { type: 'cluster_state_changed', ...header, cluster_id: state.cluster_id, state });
    expect(client.getQueryState(queryKeys.clusters(null))!.isInvalidated).toBe(true);
  });

  it('invalidates what other events make stale', () => {
    const client = new QueryClient();
    client.setQueryData(queryKeys.plan('p1'), { plan_id: 'p1' });
    client.setQueryData(queryKeys.plans({ offset: 0 }), { items: [] });
    client.setQueryData(queryKeys.savings({ days: 7 }), {});
    client.setQueryData(queryKeys.clusterTasks(state.cluster_id, 0), {});
    applyAdminEvent(client, { type: 'optimization_updated', ...header, cluster_id: state.cluster_id, optimization_id: 'p1', decision_type: 'spot_optimize', status: 'executing', current_step: 1, total_steps: 3, estimated_savings: 10 });
    applyAdminEvent(client, { type: 'savings_updated', ...header, cluster_id: null, as_of: header.sent_at, current_cost_per_hour: 1, baseline_cost_per_hour: 2, savings_per_hour: 1, savings_per_month: 730, cumulative_savings: 5 });
    applyAdminEvent(client, { type: 'task_updated', ...header, cluster_id: state.cluster_id, task_id: 'task-1', task_type: 'drain_node', status: 'running', result: null });
    for (const key of [queryKeys.plan('p1'), queryKeys.plans({ offset: 0 }), queryKeys.savings({ days: 7 }), queryKeys.clusterTasks(state.cluster_id, 0)]) expect(client.getQueryState(key)!.isInvalidated).toBe(true);
  });

  it('patches a gap-fill job’s progress', () => {
    const client = new QueryClient();
    const jobId = '22222222-2222-4222-8222-222222222222';
    client.setQueryData<GapFillJob>(queryKeys.gapJob(jobId), { job_id: jobId, status: 'queued', progress: 0, series_total: 4, series_done: 0, records_filled: 0, error: null });
    applyAdminEvent(client, { type: 'gap_fill_progress', ...header, job_id: jobId, status: 'running', progress: 0.5, series_total: 4, series_done: 2, records_filled: 120, message: null });
    expect(client.getQueryData<GapFillJob>(queryKeys.gapJob(jobId))).toMatchObject({ status: 'running', progress: 0.5, series_done: 2, records_filled: 120 });
  });
});

describe('parseAdminFrame', () => {
  it('accepts contract frames and ignores anything else', () => {
    expect(parseAdminFrame(JSON.stringify({ type: 'model_activated', ...header, model_version: '1.2.0', previous_version: null }))?.type).toBe('model_activated');
    expect(parseAdminFrame('not json')).toBeNull();
    expect(parseAdminFrame(JSON.stringify({ type: 'model_activated', v: 2 }))).toBeNull();
  });

  it('builds the stream URL of this origin', () => {
    expect(adminStreamUrl({ protocol: 'https:', host: 'co.example.com' })).toBe('wss://co.example.com/api/v1/admin/stream');
    expect(adminStreamUrl({ protocol: 'http:', host: 'localhost:8000' })).toBe('ws://localhost:8000/api/v1/admin/stream');
  });
});
