import { describe, expect, it } from 'vitest';
import { exampleClusterMetrics } from '@cloudoptim/contracts';
import type { Cluster } from '@cloudoptim/db';
import { ClusterSettingsSchema } from '../settings/cluster-settings.ts';
import { buildDecisionRequest, disruptionBudget, officeHoursSchedules, parseWorkloadRefs } from './decision-request.builder.ts';

const CLUSTER_ID = '3f2a6c1e-7b4d-4e8a-9c0f-1a2b3c4d5e6f';
const cluster: Cluster = {
  id: CLUSTER_ID,
  customerId: '11111111-2222-4333-8444-555555555555',
  name: 'prod',
  region: 'us-east-1',
  awsAccountId: null,
  healthStatus: 'GREEN',
  totalNodes: 2,
  spotNodes: 1,
  onDemandNodes: 1,
  totalCpuCores: 5.85,
  totalMemoryGb: 19.33,
  allocatedCpuCores: 2,
  allocatedMemoryGb: 3.76,
  totalPods: 4,
  runningPods: 3,
  pendingPods: 1,
  currentCostPerHour: 0.14,
  baselineCostPerHour: 0.26,
  lastUpdated: new Date('2025-11-26T09:00:00Z'),
  lastHeartbeatAt: null,
  createdAt: new Date('2025-11-01T00:00:00Z'),
  updatedAt: new Date('2025-11-26T09:00:00Z'),
};

describe('disruptionBudget', () => {
  it.each([
    [{ max_nodes_in_flight: 3, max_disruption_percent: 10 }, 50, 3],
    [{ max_nodes_in_flight: 3, max_disruption_percent: 10 }, 20, 2],
    [{ max_nodes_in_flight: 5, max_disruption_percent: 10 }, 4, 1],
    [{ max_nodes_in_flight: 2, max_disruption_percent: 50 }, 5, 2],
  ])('%o of %i nodes → %i', (settings, nodes, budget) => {
    expect(disruptionBudget(settings, nodes)).toBe(budget);
  });
});

describe('settings → decision inputs', () => {
  it('parses "namespace/kind/name" workloads, leaving out what cannot match', () => {
    expect(parseWorkloadRefs(['shop/StatefulSet/postgres', 'bad', 'a/Pod/x', 'a/b/c/d'])).toEqual([{ namespace: 'shop', kind: 'StatefulSet', name: 'postgres' }]);
  });

  it('turns kube-downscaler uptime specs into weekly schedules', () => {
    const settings = ClusterSettingsSchema.parse({
      office_hours: [
        { uptime: 'Mon-Fri 08:00-19:00 Europe/Berlin', namespaces: ['dev'] },
        { uptime: 'Fri-Mon 10:00-24:00 UTC, 2025-12-24T00:00:00Z-2025-12-26T00:00:00Z', workloads: ['staging/Deployment/web'] },
        { uptime: 'never' },
      ],
    });
    expect(officeHoursSchedules(settings)).toEqual([
      { name: 'office-hours-1.1', timezone: 'Europe/Berlin', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '19:00', namespaces: ['dev'], workloads: [] },
      { name: 'office-hours-2.1', timezone: 'UTC', days: ['fri', 'sat', 'sun', 'mon'], start: '10:00', end: '00:00', namespaces: [], workloads: [{ namespace: 'staging', kind: 'Deployment', name: 'web' }] },
    ]);
  });
});

describe('buildDecisionRequest', () => {
  it('is a valid request: the state from the cluster and its metrics, constraints from the settings', () => {
    const settings = ClusterSettingsSchema.parse({ automation_mode: 'automate', max_spot_share: 0.6, min_pool_diversity: 2, max_nodes_in_flight: 4, max_disruption_percent: 50, excluded_workloads: ['shop/StatefulSet/postgres'] });
    const req = buildDecisionRequest({ decisionType: 'spot_optimize', cluster, metrics: exampleClusterMetrics(), settings, trigger: 'pending_pods', requestedBy: 'system:autoscaler', dryRun: false, nowMs: Date.parse('2025-11-26T09:05:00Z'), requirements: { cpu_cores: 2 } });
    expect(req).toMatchObject({
      cluster_id: CLUSTER_ID,
      timestamp: '2025-11-26T09:05:00.000Z',
      current_state: { cluster_id: CLUSTER_ID, cluster_name: 'prod', region: 'us-east-1', current_cost_per_hour: 0.14, total_nodes: 2, health_status: 'GREEN' },
      requirements: { cpu_cores: 2, memory_gb: null, schedules: [] },
      constraints: { max_spot_share: 0.6, min_pools: 2, max_nodes_disrupted: 1, automation_mode: 'automate', excluded_namespaces: ['kube-system'], excluded_workloads: [{ namespace: 'shop', kind: 'StatefulSet', name: 'postgres' }] },
      metadata: { trigger: 'pending_pods', requested_by: 'system:autoscaler', customer_id: cluster.customerId, dry_run: false },
      usage_history: [],
    });
    expect(req.current_state.nodes).toHaveLength(2);
    expect(req.request_id).toMatch(/^opt-/);
  });

  it('rightsize carries one usage sample per measured container', () => {
    const req = buildDecisionRequest({ decisionType: 'rightsize', cluster, metrics: exampleClusterMetrics(), settings: ClusterSettingsSchema.parse({}), trigger: 'user', requestedBy: 'user:a@b.c', dryRun: true, nowMs: Date.parse('2025-11-26T09:05:00Z') });
    expect(req.usage_history.map((u) => [u.container_name, u.samples.length, u.oom_kill_count])).toEqual([
      ['app', 1, 0],
      ['envoy', 1, 1],
    ]);
  });
});
