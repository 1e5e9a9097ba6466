/**
 * The disruption budget (SPEC §5 flow 2): how many of a cluster's nodes may be cordoned or draining at once,
 * over every running plan of the cluster. A node is in flight from the moment a plan starts cordoning or
 * draining it until that plan terminated its instance, deleted its Node or uncordoned it.
 */
import type { PlanStep, PlanWithSteps } from '@cloudoptim/db';

const DISRUPTING = new Set(['cordon_node', 'drain_node']);
const ACTIVE = new Set(['running', 'succeeded', 'failed']);

/** The node a cordon or drain step takes out of service, else null. */
export function disruptedNode(step: Pick<PlanStep, 'action' | 'parameters'>): string | null {
  if (!DISRUPTING.has(step.action)) return null;
  const name = step.parameters.node_name;
  return typeof name === 'string' ? name : null;
}

/** Whether the plan gave the node back: its instance terminated, its Node deleted, or uncordoned. */
function released(plan: PlanWithSteps, node: string, instanceId: string | null): boolean {
  return plan.steps.some((s) => {
    if (s.status !== 'succeeded') return false;
    if (s.action === 'delete_node' || s.action === 'uncordon_node') return s.parameters.node_name === node;
    if (s.action === 'terminate_instances' && instanceId !== null) return Array.isArray(s.parameters.instance_ids) && s.parameters.instance_ids.includes(instanceId);
    return false;
  });
}

/** The nodes the given (running) plans have in flight. */
export function nodesInFlight(plans: readonly PlanWithSteps[]): Set<string> {
  const out = new Set<string>();
  for (const plan of plans) {
    for (const step of plan.steps) {
      const node = disruptedNode(step);
      if (node === null || !ACTIVE.has(step.status)) continue;
      const instanceId = typeof step.parameters.instance_id === 'string' ? step.parameters.instance_id : null;
      if (!released(plan, node, instanceId)) out.add(node);
    }
  }
  return out;
}
