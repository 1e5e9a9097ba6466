/**
 * The scale-up part of a spot-optimize answer. Asked to add capacity, the engine may also plan to replace
 * on-demand nodes; the autoscaler only adds: it keeps the launches (trimmed to the `nodes_added` the engine
 * reports, when it does — the rest of the launched capacity was meant for the replacements) and the wait for
 * the new nodes, and prices the result by the savings of the pools it keeps.
 */
import type { DecisionResponse, ExecutionStep, Recommendation } from '@cloudoptim/contracts';

type LaunchStep = Extract<ExecutionStep, { action: 'launch_instances' }>;
type WaitStep = Extract<ExecutionStep, { action: 'wait_for_nodes_ready' }>;

const samePool = (r: Recommendation, s: LaunchStep) => r.instance_type === s.parameters.instance_type && r.availability_zone === s.parameters.availability_zone && r.capacity_type === s.parameters.capacity_type;

export function launchOnly(response: DecisionResponse): DecisionResponse {
  const launches = response.execution_plan.filter((s): s is LaunchStep => s.action === 'launch_instances');
  const planned = launches.reduce((n, s) => n + s.parameters.count, 0);
  const added = typeof response.metadata.nodes_added === 'number' ? Math.min(planned, response.metadata.nodes_added) : planned;
  let left = added;
  const kept: LaunchStep[] = [];
  for (const s of launches) {
    const count = Math.min(left, s.parameters.count);
    left -= count;
    if (count > 0) kept.push({ ...s, parameters: { ...s.parameters, count } });
  }
  const launched = kept.reduce((n, s) => n + s.parameters.count, 0);
  const wait = response.execution_plan.find((s): s is WaitStep => s.action === 'wait_for_nodes_ready');
  const steps: ExecutionStep[] = [...kept, ...(wait && launched > 0 ? [{ ...wait, depends_on: kept.map((s) => s.step), parameters: { ...wait.parameters, count: launched } }] : [])];
  const recommendations = kept.flatMap((s) => {
    const rec = response.recommendations.find((r) => samePool(r, s));
    if (!rec) return [];
    return [{ ...rec, node_count: s.parameters.count, monthly_savings: rec.node_count > 0 ? Math.round(((rec.monthly_savings * s.parameters.count) / rec.node_count) * 100) / 100 : 0 }];
  });
  return {
    ...response,
    execution_plan: steps,
    recommendations,
    estimated_savings: Math.round(recommendations.reduce((sum, r) => sum + r.monthly_savings, 0) * 100) / 100,
    metadata: { ...response.metadata, launch_only: true, nodes_replaced: 0 },
    ...(launched === 0 && response.outcome === 'planned' && { outcome: 'nothing_to_do' as const, outcome_reason: 'the decision adds no capacity for the pending pods' }),
  };
}
