/**
 * Bin packing and consolidation engine.
 *
 * Input: a `BinPackProblem` (offerings with usable capacity and price, existing nodes, pods with requests,
 * selectors, affinity, tolerations, owners, annotations; PDBs; options). Output: a `BinPackResult` — the nodes
 * of the plan and their pods, unplaced pods with reasons, removed nodes, moves, ordered steps, a proven lower
 * bound on cost and the gap to it, and a rationale.
 *
 * Algorithm
 * - Model (model.ts): pods are grouped by compatibility signature; node classes = offering × zone, merged when
 *   no pod tells zones apart, pruned when dominated (another class admitted by a superset of groups with ≥
 *   capacity in every resource at ≤ price). Capacity = allocatable − DaemonSet overhead; resources: CPU,
 *   memory, pod slots, GPUs.
 * - Lower bound (lower-bound.ts): LP relaxation with per-group assignment shares, solved by an `LpSolver`
 *   (HiGHS, passed in); the bound is the Lagrangian value of the solver's duals after repair, so it is valid
 *   even if the solver is inexact. Without a solver: the single-resource bound.
 * - pack (template.ts, pack.ts, new-nodes.ts, pack-plan.ts): with an LP solver, a second LP at pod-shape
 *   level over the classes the bound LP chose says how many pods of each shape go on each class and how many
 *   nodes of each class to open; pods are dealt least-loaded-first over those nodes; leftovers and, without a
 *   solver, everything go through LP-priced node filling (dot-product vector packing); then local improvement
 *   (downsize, empty least efficient nodes, repack the tail).
 * - consolidate (consolidate.ts): Karpenter semantics — candidates, single-node delete/replace evaluation of
 *   every node, a multi-node plan within the disruption budget honouring PDBs and do-not-disrupt.
 *
 * Assumptions: requests (not usage) are what is packed; every pod uses one pod slot; DaemonSet pods are
 * represented by the per-node overhead (DaemonSet-owned pods in the input are not moved or packed);
 * on-demand prices do not vary by zone; no pod (anti-)affinity or topology spread between pods (left out).
 *
 * Complexity: see pack.ts and consolidate.ts; the LP has Σ_g |supplies admitting g| + |supplies| columns.
 * Purity: no I/O, no clock, no randomness; the LP solver is an argument (loading WASM is the caller's job).
 */
import { planConsolidation } from './consolidate.ts';
import type { LpSolver } from './lower-bound.ts';
import { planPack } from './pack-plan.ts';
import type { BinPackProblem, BinPackResult } from './problem.ts';

export interface SolveBinPackingOptions {
  /** LP solver for the lower bound and the LP prices that guide the heuristics (`createHighsLpSolver(highs)`). */
  lpSolver?: LpSolver;
}

/**
 * Packs (`options.mode = "pack"`) or consolidates (`"consolidate"`) the problem. Never throws for an expected
 * outcome: pods that fit nowhere are in `unplaced`, "nothing to consolidate" is a plan with no removed nodes.
 */
export function solveBinPacking(problem: BinPackProblem, options: SolveBinPackingOptions = {}): BinPackResult {
  return problem.options.mode === 'pack' ? planPack(problem, options.lpSolver) : planConsolidation(problem, options.lpSolver);
}

export { evaluateCandidates } from './consolidate.ts';
export { checkPlan, type PlanViolation, allowedDisruptions, toleratesAll, labelsMatch, DO_NOT_DISRUPT } from './feasibility.ts';
export { createHighsLpSolver } from './highs-solver.ts';
export { type LinearProgram, type LpSolution, type LpSolver, type SupplyDemandLp, supplyDemandBound, lagrangianBound } from './lower-bound.ts';
export { BinPackProblemSchema, type BinPackProblemInput, toWirePlan, type BinPackPlanWire } from './problem-schema.ts';
export type {
  BinPackMode,
  BinPackOptions,
  BinPackProblem,
  BinPackRationale,
  BinPackResult,
  BoundInfo,
  CandidateEvaluation,
  DaemonsetOverhead,
  ExistingNode,
  InstanceTypeOffer,
  NodeSelectorRequirement,
  PlannedNode,
  PlanStep,
  Pod,
  PodDisruptionBudget,
  PodMove,
  PodOwner,
  RemovedNode,
  ResourceVector,
  Taint,
  TaintEffect,
  Toleration,
  UnplacedPod,
} from './problem.ts';
