import { describe, expect, it } from 'vitest';
import { exampleDecisionResponse, exampleRecommendation, type DecisionResponse } from '@cloudoptim/contracts';
import { launchOnly } from './launch-only.ts';

/** Two Spot pools (3 + 2 nodes) for 2 extra nodes and 3 replacements, then the replacements' drains. */
function answer(nodesAdded: number | undefined): DecisionResponse {
  const base = exampleDecisionResponse();
  const launch = (step: number, az: string, count: number) => ({ step, action: 'launch_instances' as const, depends_on: [], not_before: null, parameters: { instance_type: 'm6i.xlarge', availability_zone: az, capacity_type: 'spot' as const, count, on_demand_fallback: true, labels: {}, taints: [] } });
  const drains = base.execution_plan.slice(2).map((s) => ({ ...s, step: s.step + 1 }));
  return {
    ...base,
    recommendations: [exampleRecommendation({ availability_zone: 'us-east-1a', node_count: 3, monthly_savings: 90 }), exampleRecommendation({ availability_zone: 'us-east-1b', node_count: 2, monthly_savings: 60 })],
    execution_plan: [launch(1, 'us-east-1a', 3), launch(2, 'us-east-1b', 2), { step: 3, action: 'wait_for_nodes_ready', depends_on: [1, 2], not_before: null, parameters: { count: 5, node_names: [], timeout_seconds: 900 } }, ...drains] as DecisionResponse['execution_plan'],
    metadata: { ...base.metadata, ...(nodesAdded !== undefined && { nodes_added: nodesAdded, nodes_replaced: 3 }) },
  };
}

describe('launchOnly', () => {
  it('keeps only the launches for the added nodes and the wait for them', () => {
    const out = launchOnly(answer(2));
    expect(out.execution_plan.map((s) => [s.step, s.action])).toEqual([
      [1, 'launch_instances'],
      [3, 'wait_for_nodes_ready'],
    ]);
    expect(out.execution_plan[0]?.parameters).toMatchObject({ count: 2, availability_zone: 'us-east-1a' });
    expect(out.execution_plan[1]).toMatchObject({ depends_on: [1], parameters: { count: 2 } });
    expect(out.recommendations).toEqual([expect.objectContaining({ availability_zone: 'us-east-1a', node_count: 2, monthly_savings: 60 })]);
    expect(out.estimated_savings).toBe(60);
    expect(out.metadata).toMatchObject({ launch_only: true, nodes_replaced: 0 });
  });

  it('keeps every launch when the engine does not say how many nodes it adds', () => {
    const out = launchOnly(answer(undefined));
    expect(out.execution_plan.filter((s) => s.action === 'launch_instances').map((s) => s.parameters)).toEqual([expect.objectContaining({ count: 3 }), expect.objectContaining({ count: 2 })]);
    expect(out.execution_plan.some((s) => s.action === 'drain_node')).toBe(false);
  });

  it('is nothing to do when no node is added', () => {
    const out = launchOnly(answer(0));
    expect(out.execution_plan).toEqual([]);
    expect(out.outcome).toBe('nothing_to_do');
  });
});
