/**
 * What every decision handler works with (built once per process by buildApp) and the parts of a
 * DecisionResponse they share.
 */
import { AppError, type DecisionRequest, type DecisionResponse, type NodeMetric, type PodMetric } from '@cloudoptim/contracts';
import type { binPacking } from '@cloudoptim/engines';
import type { Market, SpotPriceHistory } from '@cloudoptim/market';
import type { Clock } from '@cloudoptim/runtime';
import { z } from 'zod';
import type { PoolRiskScorer } from '../predict/pool-risk.ts';

export interface EngineContext {
  market: Market;
  /** The spot price history (loaded once, on first use when not passed in). */
  prices(): Promise<SpotPriceHistory>;
  lpSolver: binPacking.LpSolver;
  risk: PoolRiskScorer;
  clock: Clock;
}

export const HOURS_PER_MONTH = 730;

export const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
export const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

/** Parses the engine-specific keys of a request part (`metadata`, …) so issues carry the full path. */
export function parseExtras<S extends z.ZodType>(schema: S, where: 'metadata', value: unknown): z.output<S> {
  const result = z.object({ [where]: schema }).safeParse({ [where]: value });
  if (result.success) return (result.data as Record<string, z.output<S>>)[where] as z.output<S>;
  const issues = result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  throw new AppError('VALIDATION_FAILED', `DecisionRequest body is invalid: ${issues[0]?.path}: ${issues[0]?.message}`, { issues });
}

/** Age of the cluster snapshot at decision time, seconds (0 when it is newer than the request). */
export function stateAgeSeconds(req: DecisionRequest): number {
  return Math.max(0, Math.round((Date.parse(req.timestamp) - Date.parse(req.current_state.last_updated)) / 1000));
}

/** The fields every answer has; handlers fill in the rest. */
export function baseResponse(req: DecisionRequest, ctx: EngineContext, startedMs: number, metadata: { engineVersion: string; modelVersion: string | null; dataAgeSeconds: number; dataAsOf?: string; extra?: Record<string, unknown> }): Pick<DecisionResponse, 'request_id' | 'timestamp' | 'decision_type' | 'cluster_id' | 'metadata'> {
  return {
    request_id: req.request_id,
    timestamp: new Date(ctx.clock.now()).toISOString(),
    decision_type: req.decision_type,
    cluster_id: req.cluster_id,
    metadata: {
      engine_version: metadata.engineVersion,
      model_version: metadata.modelVersion,
      data_age_seconds: Math.max(0, Math.round(metadata.dataAgeSeconds)),
      ...(metadata.dataAsOf !== undefined && { data_as_of: metadata.dataAsOf }),
      computation_ms: round(Math.max(0, ctx.clock.now() - startedMs), 3),
      ...metadata.extra,
    },
  };
}

/** A zero-risk assessment for plans that do not touch Spot capacity. */
export function noRisk(summary: string): DecisionResponse['risk_assessment'] {
  return { risk_score: 0, risk_level: 'low', summary, factors: [], expected_interruptions_per_month: null };
}

/** True when a pod must not be moved: do-not-disrupt, or an excluded namespace / workload. */
export function isProtectedPod(pod: PodMetric, constraints: DecisionRequest['constraints']): boolean {
  // DaemonSet pods run on every node and are never evicted by a drain: they cannot pin a node (else a
  // kube-system DaemonSet such as kube-proxy would protect every node of every cluster).
  if (pod.owner?.kind === 'DaemonSet') return false;
  if (pod.do_not_disrupt) return true;
  if (constraints.excluded_namespaces.includes(pod.namespace)) return true;
  return pod.owner !== null && constraints.excluded_workloads.some((w) => w.namespace === pod.namespace && w.kind === pod.owner?.kind && w.name === pod.owner.name);
}

/** Node → the pods on it. */
export function podsByNode(pods: readonly PodMetric[]): Map<string, PodMetric[]> {
  const out = new Map<string, PodMetric[]>();
  for (const p of pods) {
    if (p.node_name === null) continue;
    const list = out.get(p.node_name) ?? [];
    list.push(p);
    out.set(p.node_name, list);
  }
  return out;
}

/** The node's price per hour: what the agent reported, else the on-demand list price, else 0. */
export function nodePrice(market: Market, region: string, node: NodeMetric): number {
  return node.hourly_price ?? market.onDemandPrice(region, node.instance_type)?.usdPerHour ?? 0;
}

/** Cordon → drain → terminate → delete steps for one node, numbered from `firstStep`. */
export function drainSteps(node: NodeMetric, firstStep: number, dependsOn: number[], reason: string): DecisionResponse['execution_plan'] {
  const target = { node_name: node.node_name, instance_id: node.instance_id };
  const steps: DecisionResponse['execution_plan'] = [
    { step: firstStep, action: 'cordon_node', description: `Cordon ${node.node_name} (${node.instance_type}, ${node.node_type})`, depends_on: dependsOn, not_before: null, parameters: { ...target, reason } },
    {
      step: firstStep + 1,
      action: 'drain_node',
      description: `Drain ${node.node_name}, honouring PodDisruptionBudgets`,
      depends_on: [firstStep],
      not_before: null,
      parameters: { ...target, grace_period_seconds: null, timeout_seconds: 900, respect_pdb: true, ignore_daemonsets: true, delete_emptydir_data: true, include_do_not_disrupt: false },
    },
  ];
  let next = firstStep + 2;
  if (node.instance_id) {
    steps.push({ step: next, action: 'terminate_instances', description: `Terminate ${node.instance_id}`, depends_on: [next - 1], not_before: null, parameters: { instance_ids: [node.instance_id] } });
    next++;
  }
  steps.push({ step: next, action: 'delete_node', description: `Delete the Node object ${node.node_name}`, depends_on: [next - 1], not_before: null, parameters: { ...target, only_if_empty: true } });
  return steps;
}
