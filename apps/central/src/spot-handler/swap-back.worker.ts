/**
 * Swap-back (SPEC §5 flow 3, "later, when it is safe"): on-demand replacements the spot handler launched go
 * back to Spot through a regular spot_optimize plan (trigger `spot_handler`; approved or proposed by the
 * cluster's automation mode, then run by the executor).
 *
 * Hysteresis, so a pool that just interrupted us does not make nodes flap: a replacement is considered only
 * after `minOnDemandAgeMs` on on-demand; the plan is kept only when every Spot pool it launches into scores at
 * most `maxRiskScore` (a margin below the engines' 0.65 limit) and it actually replaces one of the replacements;
 * a swap whose plan is rejected or fails is retried only after `retryCooldownMs`; and no swap-back is planned
 * while another plan of the cluster is pending or running.
 */
import { isAppError, type DecisionResponse } from '@cloudoptim/contracts';
import { ClustersRepository, PlansRepository, SpotReplacementsRepository, type SpotReplacement } from '@cloudoptim/db';
import type { WorkerSpec } from '../context.ts';
import { hasPlan } from '../optimizations/cluster-sweep.ts';
import { OptimizerService, type OptimizerDeps } from '../optimizations/optimizer.service.ts';

export const SWAP_BACK_WORKER = 'spot-swap-back';
export const SWAP_BACK_ACTOR = 'system:spot-swap-back';

export interface SwapBackOptions {
  /** Pass interval, ms (default 5 min). */
  intervalMs?: number;
  /** Least time a replacement runs on-demand before a swap back is considered, ms (default 30 min). */
  minOnDemandAgeMs?: number;
  /** Highest risk score of a Spot pool a swap back may use (default 0.5: 0.15 under the 0.65 limit). */
  maxRiskScore?: number;
  /** Wait before trying again after a swap-back plan was rejected or failed, ms (default 6 h). */
  retryCooldownMs?: number;
}

const ENDED_WITHOUT_SWAP = new Set(['rejected', 'failed', 'rolled_back', 'cancelled']);

/** Keeps the decision only when it is a safe swap back of at least one of `instanceIds`; otherwise nothing to do. */
export function swapBackOnly(instanceIds: readonly string[], maxRiskScore: number): (response: DecisionResponse) => DecisionResponse {
  const nothing = (response: DecisionResponse, reason: string): DecisionResponse => ({ ...response, execution_plan: [], outcome: 'nothing_to_do', outcome_reason: reason });
  return (response) => {
    const spot = response.recommendations.filter((r) => r.capacity_type === 'spot' && r.node_count > 0);
    if (spot.length === 0) return nothing(response, 'no Spot pool to swap back to');
    const risky = spot.find((r) => r.risk_score > maxRiskScore);
    if (risky) return nothing(response, `Spot pool ${risky.instance_type}/${risky.availability_zone} scores ${risky.risk_score}, above the swap-back limit ${maxRiskScore}`);
    if (!response.execution_plan.some((step) => instanceIds.some((id) => JSON.stringify(step.parameters).includes(id)))) return nothing(response, 'the plan would not replace the on-demand replacements');
    return response;
  };
}

export function createSpotSwapBackWorker(deps: OptimizerDeps, options: SwapBackOptions = {}): WorkerSpec {
  const intervalMs = options.intervalMs ?? 5 * 60_000;
  const minAgeMs = options.minOnDemandAgeMs ?? 30 * 60_000;
  const maxRiskScore = options.maxRiskScore ?? 0.5;
  const cooldownMs = options.retryCooldownMs ?? 6 * 3600_000;
  const replacements = new SpotReplacementsRepository(deps.db.db);
  const plans = new PlansRepository(deps.db.db);
  const clusters = new ClustersRepository(deps.db.db);
  const optimizer = new OptimizerService(deps);
  const { log } = deps;

  /** Swaps whose plan ended: swapped when it succeeded, active again when it did not. */
  async function settleSwaps(): Promise<void> {
    for (const r of await replacements.swapsInProgress()) {
      const plan = r.swapPlanId ? await plans.find(r.customerId, r.swapPlanId) : null;
      if (plan?.status === 'succeeded') await replacements.markTerminated(r.customerId, r.clusterId, r.instanceId);
      else if (!plan || ENDED_WITHOUT_SWAP.has(plan.status)) await replacements.reopen(r.customerId, r.id, `swap-back plan ${r.swapPlanId} ${plan?.status ?? 'missing'}`);
    }
  }

  async function swapBack(group: SpotReplacement[]): Promise<void> {
    const first = group[0] as SpotReplacement;
    const cluster = await clusters.get(first.customerId, first.clusterId);
    if (await hasPlan(deps.db, cluster, ['proposed', 'approved', 'running'])) return;
    const ids = group.map((r) => r.instanceId);
    const plan = await optimizer.optimize({ customerId: cluster.customerId, clusterId: cluster.id, decisionType: 'spot_optimize', trigger: 'spot_handler', requestedBy: SWAP_BACK_ACTOR, dryRun: false, keepEmpty: false, adjust: swapBackOnly(ids, maxRiskScore) });
    if (!plan) return;
    const planned = JSON.stringify(plan.steps.map((s) => s.parameters));
    const now = new Date(deps.clock.now());
    for (const r of group) {
      if (!planned.includes(r.instanceId)) continue;
      await replacements.markSwapPlanned(r.customerId, r.id, { planId: plan.id, note: `spot_optimize plan ${plan.id} (${plan.status})`, at: now });
    }
    log.info({ cluster_id: cluster.id, plan_id: plan.id, status: plan.status, instances: ids }, 'spot swap-back planned');
  }

  return {
    name: SWAP_BACK_WORKER,
    intervalMs,
    async tick() {
      await settleSwaps();
      const now = deps.clock.now();
      const candidates = await replacements.swapCandidates(new Date(now - minAgeMs), { requestedBefore: new Date(now - cooldownMs) });
      const byCluster = new Map<string, SpotReplacement[]>();
      for (const r of candidates) byCluster.set(r.clusterId, [...(byCluster.get(r.clusterId) ?? []), r]);
      for (const group of byCluster.values()) {
        try {
          await swapBack(group);
        } catch (error) {
          // No metrics yet, the ML server away …: the replacements stay candidates for the next pass.
          log.warn({ cluster_id: group[0]?.clusterId, code: isAppError(error) ? error.code : 'INTERNAL', err: error instanceof Error ? error.message : String(error) }, 'spot swap-back skipped this pass');
        }
      }
    },
  };
}
