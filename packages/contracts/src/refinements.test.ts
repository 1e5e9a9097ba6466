import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ClusterStateSchema } from './cluster-state.ts';
import { DecisionRequestSchema, DecisionResponseSchema, OfficeHoursScheduleSchema } from './decisions.ts';
import {
  exampleClusterState,
  exampleDecisionRequest,
  exampleDecisionResponse,
  exampleExecutionPlan,
  exampleSpotEvent,
  exampleTask,
  exampleTaskResult,
} from './examples.ts';
import { NodeSelectorRequirementSchema } from './metrics.ts';
import { SpotEventSchema } from './spot-events.ts';
import { TaskResultSchema, TaskSchema } from './tasks.ts';
import { AgentStreamEventSchema } from './ws-events.ts';

function issuePaths(schema: z.ZodType, input: unknown): string[] {
  const result = schema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
}

describe('ClusterState totals', () => {
  it('rejects more spot + on-demand nodes than nodes, at spot_nodes', () => {
    expect(issuePaths(ClusterStateSchema, exampleClusterState({ spot_nodes: 2 }))).toEqual(['spot_nodes']);
  });
  it('rejects more running + pending pods than pods, at running_pods', () => {
    expect(issuePaths(ClusterStateSchema, exampleClusterState({ running_pods: 4 }))).toEqual(['running_pods']);
  });
  it('allows nodes of unknown capacity type and requests above allocatable', () => {
    expect(issuePaths(ClusterStateSchema, exampleClusterState({ total_nodes: 3, allocated_cpu_cores: 99 }))).toEqual([]);
  });
  it('rejects fractional counts and unknown health', () => {
    expect(issuePaths(ClusterStateSchema, exampleClusterState({ total_pods: 4.5 }))).toEqual(['total_pods']);
    expect(issuePaths(ClusterStateSchema, { ...exampleClusterState(), health_status: 'BLUE' })).toEqual(['health_status']);
  });
});

describe('Task', () => {
  it('validates parameters against the task type', () => {
    const scale = exampleTask('scale_workload');
    expect(issuePaths(TaskSchema, { ...scale, parameters: { ...scale.parameters, replicas: -1 } })).toEqual(['parameters.replicas']);
    expect(issuePaths(TaskSchema, { ...scale, parameters: exampleTask('cordon_node').parameters })).toEqual(
      expect.arrayContaining(['parameters.namespace', 'parameters.kind', 'parameters.name', 'parameters.replicas']),
    );
  });
  it('rejects an unknown task type at task_type', () => {
    expect(issuePaths(TaskSchema, { ...exampleTask('cordon_node'), task_type: 'reboot_node' })).toEqual(['task_type']);
  });
  it('keeps priority within 1..10', () => {
    expect(issuePaths(TaskSchema, exampleTask('cordon_node', { priority: 0 }))).toEqual(['priority']);
    expect(issuePaths(TaskSchema, exampleTask('cordon_node', { priority: 11 }))).toEqual(['priority']);
  });
  it('rejects a deadline before created_at', () => {
    expect(issuePaths(TaskSchema, exampleTask('cordon_node', { deadline: '2025-11-26T08:59:59Z' }))).toEqual(['deadline']);
  });
  it('needs at least one label, one taint change, one resource change', () => {
    expect(issuePaths(TaskSchema, exampleTask('label_node', { parameters: { node_name: 'n1', labels: {} } }))).toEqual(['parameters.labels']);
    expect(issuePaths(TaskSchema, exampleTask('taint_node', { parameters: { node_name: 'n1', add: [], remove: [] } }))).toEqual(['parameters.add']);
    const patch = exampleTask('patch_workload_resources');
    expect(issuePaths(TaskSchema, { ...patch, parameters: { ...patch.parameters, containers: [{ container_name: 'app' }] } })).toEqual(['parameters.containers.0.container_name']);
  });
  it('rejects a limit below its request', () => {
    const patch = exampleTask('patch_workload_resources');
    const containers = [{ container_name: 'app', memory_request_bytes: 2000, memory_limit_bytes: 1000, cpu_request_millicores: 500, cpu_limit_millicores: 250 }];
    expect(issuePaths(TaskSchema, { ...patch, parameters: { ...patch.parameters, containers } }).sort()).toEqual([
      'parameters.containers.0.cpu_limit_millicores',
      'parameters.containers.0.memory_limit_bytes',
    ]);
  });
  it('fills parameter defaults', () => {
    const drain = TaskSchema.parse(exampleTask('drain_node', { parameters: { node_name: 'n1', timeout_seconds: 100 } as never }));
    expect(drain.parameters).toMatchObject({ respect_pdb: true, ignore_daemonsets: true, grace_period_seconds: null });
  });
  it('urgent_drain frames carry only drain tasks', () => {
    const frame = { type: 'urgent_drain', v: 1, id: 'evt-1', sent_at: '2025-11-26T09:00:00Z', task: exampleTask('cordon_node'), interruption_time: null };
    expect(issuePaths(AgentStreamEventSchema, frame)).toContain('task.task_type');
  });
});

describe('TaskResult', () => {
  it('needs an error when it failed or timed out', () => {
    expect(issuePaths(TaskResultSchema, exampleTaskResult({ status: 'failed' }))).toEqual(['error']);
    expect(issuePaths(TaskResultSchema, exampleTaskResult({ status: 'timeout' }))).toEqual(['error']);
    expect(issuePaths(TaskResultSchema, exampleTaskResult({ status: 'cancelled' }))).toEqual([]);
  });
  it('only takes catalogued error codes', () => {
    expect(issuePaths(TaskResultSchema, { ...exampleTaskResult(), error_code: 'OOPS' })).toEqual(['error_code']);
  });
});

describe('SpotEvent', () => {
  it('needs interruption_time for an interruption warning', () => {
    expect(issuePaths(SpotEventSchema, exampleSpotEvent({ interruption_time: null }))).toEqual(['interruption_time']);
  });
  it('rejects a replacement that is the interrupted instance', () => {
    expect(issuePaths(SpotEventSchema, exampleSpotEvent({ replacement_instance_id: 'i-0a1b2c3d4e5f60718' }))).toEqual(['replacement_instance_id']);
  });
});

describe('DecisionRequest / DecisionResponse', () => {
  it('requires current_state to be the same cluster', () => {
    const request = exampleDecisionRequest();
    expect(issuePaths(DecisionRequestSchema, { ...request, cluster_id: 'other' })).toEqual(['current_state.cluster_id']);
  });
  it('rejects unknown decision types and risk outside [0, 1]', () => {
    expect(issuePaths(DecisionRequestSchema, { ...exampleDecisionRequest(), decision_type: 'magic' })).toEqual(['decision_type']);
    const response = exampleDecisionResponse();
    expect(issuePaths(DecisionResponseSchema, { ...response, recommendations: [{ ...response.recommendations[0], risk_score: 1.2 }] })).toEqual(['recommendations.0.risk_score']);
  });
  it('checks plan step numbers and dependencies', () => {
    const plan = exampleExecutionPlan();
    const duplicate = plan.map((s, i) => (i === 1 ? { ...s, step: 1, depends_on: [] } : s));
    expect(issuePaths(DecisionResponseSchema, exampleDecisionResponse({ execution_plan: duplicate }))).toContain('execution_plan.1.step');
    const forward = plan.map((s, i) => (i === 0 ? { ...s, depends_on: [3] } : s));
    expect(issuePaths(DecisionResponseSchema, exampleDecisionResponse({ execution_plan: forward }))).toEqual(['execution_plan.0.depends_on.0']);
  });
  it('checks step parameters against the action', () => {
    const plan = exampleExecutionPlan();
    const bad = plan.map((s) => (s.action === 'terminate_instances' ? { ...s, parameters: { instance_ids: [] } } : s));
    expect(issuePaths(DecisionResponseSchema, exampleDecisionResponse({ execution_plan: bad }))).toEqual(['execution_plan.4.parameters.instance_ids']);
  });
  it('allows negative savings (a plan may cost more) but not a negative price', () => {
    expect(issuePaths(DecisionResponseSchema, exampleDecisionResponse({ estimated_savings: -12.5 }))).toEqual([]);
  });
});

describe('small parts', () => {
  it('node selector operators take the right number of values', () => {
    expect(NodeSelectorRequirementSchema.safeParse({ key: 'a', operator: 'In', values: [] }).success).toBe(false);
    expect(NodeSelectorRequirementSchema.safeParse({ key: 'a', operator: 'Exists', values: ['x'] }).success).toBe(false);
    expect(NodeSelectorRequirementSchema.safeParse({ key: 'a', operator: 'Gt', values: ['3'] }).success).toBe(true);
  });
  it('office-hours schedules need a real window', () => {
    const schedule = { name: 'x', timezone: 'Europe/Paris', days: ['mon'], start: '08:00', end: '08:00' };
    expect(issuePaths(OfficeHoursScheduleSchema, schedule)).toEqual(['end']);
    expect(issuePaths(OfficeHoursScheduleSchema, { ...schedule, end: '24:00' })).toEqual(['end']);
    expect(issuePaths(OfficeHoursScheduleSchema, { ...schedule, start: '22:00', end: '06:00' })).toEqual([]);
  });
});
