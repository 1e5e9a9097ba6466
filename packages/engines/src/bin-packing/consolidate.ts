/**
 * `consolidate` mode (Karpenter's disruption semantics, planned rather than executed).
 *
 * Candidates: every node except those annotated do-not-disrupt, running a pod annotated
 * `karpenter.sh/do-not-disrupt: "true"`, running a pod without owner (unless options.evictUnownedPods), running a
 * pod matched by more than one PDB (the Eviction API refuses those), or whose drain would evict more pods of a
 * PDB than it allows. Pending pods (no node) are first placed on free room, then on new nodes.
 * Single-node evaluation (every candidate, as Karpenter's single-node consolidation): delete when its pods fit on
 * the other nodes (best fit), else replace when the pods that do not fit go onto a cheaper new node set.
 * Multi-node plan, within the disruption budget (scarce, so spent on the largest savings first): (1) batch
 * delete — the longest prefix of candidates by single-node savings whose pods all fit on the remaining nodes;
 * (2) node by node in the same order: delete, else replace when the leftovers fit a cheaper new node set;
 * (3) one batch "replace": the best prefix of the remaining candidates (by efficiency, and by single-node
 * savings) whose pods go onto the remaining room plus new nodes packed by pack.ts, kept when it saves money;
 * (4) greedy deletes, least efficient first, with what is left of the budget.
 * Execution model assumed by the PDB check: replacements launch first, then nodes are drained one at a time,
 * each drain waiting for its evicted pods to be Ready elsewhere, so a PDB limits the evictions of one drain.
 * Lower bound: the LP of lower-bound.ts over pools of non-candidate nodes (fixed cost, their free room), groups of
 * identical candidate nodes (kept or not, with "kept ≥ candidates − budget") and new node classes.
 *
 * Complexity: single-node evaluation O(C · P_c · N) for C candidates holding P_c pods over N nodes; the batch
 * step evaluates O(log budget) prefixes, each O(P_S · N) plus a pack of the leftovers.
 */
import {
  allowedDisruptions,
  DO_NOT_DISRUPT,
  existingNodeLabels,
  fitsIn,
  findOffer,
  isDaemonsetPod,
  pdbsOfPods,
  podDoNotDisrupt,
  resolveBudget,
  usableCapacity,
} from './feasibility.ts';
import { boundAndGuide, type ExtraSupply } from './guidance.ts';
import type { LowerBound, LpSolver } from './lower-bound.ts';
import { buildModel, type WorkingModel } from './model.ts';
import { packNewNodes } from './new-nodes.ts';
import { binAdmits, type Bin, byEfficiency, type PackContext, placeBestFit } from './pack.ts';
import type { BinPackProblem, BinPackResult, CandidateEvaluation, Pod, PodDisruptionBudget, PlanStep, RemovedNode, ResourceVector } from './problem.ts';
import { boundInfo, gapOf, plannedNode, sumPrices, weightedUtilisation } from './result.ts';

/** Everything the consolidation steps share. */
interface ConsolidationState {
  problem: BinPackProblem;
  model: WorkingModel;
  context: PackContext;
  bound: LowerBound;
  /** Existing nodes as bins, in input order. */
  existing: Bin[];
  /** Why a node cannot be disrupted (absent = candidate). */
  blocked: Map<string, string>;
  /** DaemonSet pod names per node (shown on kept nodes, never moved). */
  daemonPods: Map<string, string[]>;
  /** New nodes launched for pending pods. */
  launched: Bin[];
  unplaced: { pod: number; reason: string }[];
  budget: number;
  nextName: () => string;
}

function blockReasons(problem: BinPackProblem): Map<string, string> {
  const blocked = new Map<string, string>();
  const running = problem.pods.filter((p) => p.node !== null && !isDaemonsetPod(p));
  const pdbsOf = pdbsOfPods(problem.pdbs, running);
  const matched = problem.pdbs.map(() => 0);
  for (const list of pdbsOf) for (const i of list) matched[i] = (matched[i] ?? 0) + 1;
  const podsOn = new Map<string, number[]>();
  running.forEach((pod, k) => podsOn.set(pod.node as string, [...(podsOn.get(pod.node as string) ?? []), k]));
  for (const node of problem.nodes) {
    const ks = podsOn.get(node.name) ?? [];
    const reason = (() => {
      if (node.annotations[DO_NOT_DISRUPT] === 'true') return `node is annotated ${DO_NOT_DISRUPT}`;
      const pinned = ks.find((k) => podDoNotDisrupt(running[k] as Pod));
      if (pinned !== undefined) return `pod ${running[pinned]?.name} is annotated ${DO_NOT_DISRUPT}`;
      if (!problem.options.evictUnownedPods) {
        const bare = ks.find((k) => !running[k]?.owner);
        if (bare !== undefined) return `pod ${running[bare]?.name} has no owner and would not be re-created`;
      }
      const evicted = new Map<number, number>();
      for (const k of ks) {
        const list = pdbsOf[k] ?? [];
        if (list.length > 1) return `pod ${running[k]?.name} is matched by ${list.length} PDBs; the Eviction API refuses to evict it`;
        for (const i of list) evicted.set(i, (evicted.get(i) ?? 0) + 1);
      }
      for (const [i, n] of evicted) {
        const pdb = problem.pdbs[i] as PodDisruptionBudget;
        const allowed = allowedDisruptions(pdb, matched[i] ?? 0);
        if (n > allowed) return `PDB ${pdb.namespace}/${pdb.name} allows ${allowed} disruption(s); draining would evict ${n}`;
      }
      return null;
    })();
    if (reason) blocked.set(node.name, reason);
  }
  return blocked;
}

function admitSignature(ctx: { model: WorkingModel }, bin: Bin, admits: (b: Bin, g: number) => boolean): string {
  return ctx.model.groups.map((g) => (admits(bin, g.id) ? '1' : '0')).join('');
}

/** Builds bins, candidates, the LP bound and guidance, and places pending pods. */
function prepare(problem: BinPackProblem, solver: LpSolver | undefined): ConsolidationState {
  const indexes: number[] = [];
  const daemonPods = new Map<string, string[]>();
  problem.pods.forEach((pod, i) => {
    if (!isDaemonsetPod(pod)) indexes.push(i);
    else if (pod.node) daemonPods.set(pod.node, [...(daemonPods.get(pod.node) ?? []), pod.name]);
  });
  const model = buildModel(problem, indexes);
  const blocked = blockReasons(problem);
  const budget = resolveBudget(problem.options.maxDisruptedNodes, problem.nodes.length);
  const byName = new Map<string, Bin>();
  const existing = problem.nodes.map((node): Bin => {
    const offer = findOffer(problem.instanceTypes, node.instanceType, node.capacityType);
    if (!offer) throw new Error(`node ${node.name}: instance type ${node.instanceType} is not among instance_types`); // the schema rejects this first
    const bin: Bin = {
      name: node.name,
      isNew: false,
      classId: -1,
      offer,
      zone: node.zone,
      capacityType: node.capacityType,
      labels: existingNodeLabels(node, offer),
      taints: node.taints,
      capacity: usableCapacity(offer, problem.options.daemonsetOverhead),
      used: [0, 0, 0, 0],
      pods: [],
      priceUsdPerHour: node.priceUsdPerHour ?? offer.priceUsdPerHour,
      admitCache: new Int8Array(model.groups.length).fill(-1),
    };
    byName.set(node.name, bin);
    return bin;
  });
  const pending: number[] = [];
  model.pods.forEach((info, p) => {
    const bin = info.pod.node ? byName.get(info.pod.node) : undefined;
    if (!bin) return void pending.push(p);
    bin.pods.push(p);
    for (let r = 0; r < 4; r++) bin.used[r] = (bin.used[r] ?? 0) + (info.demand[r] ?? 0);
  });

  // LP: fixed pools of non-candidate nodes, identical candidate nodes grouped, new classes.
  const placeholder: PackContext = { model, groupPrices: [], groupHints: [] };
  const admitsBin = (b: Bin, g: number) => binAdmits(placeholder, b, g);
  const withClasses = problem.options.allowReplacement || pending.length > 0;
  // A pending pod enters the bound only if it fits some single node's free room or some class; one that the
  // plan still leaves unplaced is taken out again at the end (the bound is on plans placing the same pods).
  const fitsSomewhere = (p: number) => {
    const d = model.pods[p]?.demand ?? [0, 0, 0, 0];
    const free = (b: Bin) => [0, 1, 2, 3].map((r) => (b.capacity[r] ?? 0) - (b.used[r] ?? 0));
    return existing.some((b) => fitsIn(d, free(b))) || (withClasses && model.classes.some((c) => fitsIn(d, c.capacity)));
  };
  const pools = new Map<string, { supply: ExtraSupply['supply']; sig: string; exactFit: boolean }>();
  let candidates = 0;
  const demand: number[] = pending.filter(fitsSomewhere);
  for (const b of existing) {
    const sig = admitSignature({ model }, b, admitsBin);
    if (blocked.has(b.name)) {
      const key = `fixed|${sig}`;
      const pool = pools.get(key) ?? { supply: { priceUsdPerHour: 0, capacity: [0, 0, 0, 0] as ResourceVector, lower: 1, upper: 1, budgeted: false }, sig, exactFit: false };
      pool.supply.priceUsdPerHour += b.priceUsdPerHour;
      for (let r = 0; r < 4; r++) pool.supply.capacity[r] = (pool.supply.capacity[r] ?? 0) + Math.max(0, (b.capacity[r] ?? 0) - (b.used[r] ?? 0));
      pools.set(key, pool);
    } else {
      candidates++;
      // A pod its own node no longer admits (labels or taints changed) may stay there; leaving it out of the
      // LP demand is a relaxation, so the bound stays valid.
      demand.push(...b.pods.filter((p) => admitsBin(b, model.pods[p]?.group ?? -1)));
      // A kept node may keep pods it already overcommits: its LP capacity is at least its current use.
      const capacity = b.capacity.map((c, r) => Math.max(c, b.used[r] ?? 0)) as ResourceVector;
      const key = `cand|${sig}|${capacity.join(',')}|${b.priceUsdPerHour}`;
      const pool = pools.get(key) ?? { supply: { priceUsdPerHour: b.priceUsdPerHour, capacity, lower: 0, upper: 0, budgeted: true }, sig, exactFit: true };
      pool.supply.upper += 1;
      pools.set(key, pool);
    }
  }
  const extras: ExtraSupply[] = [...pools.values()].map((p) => ({ supply: p.supply, exactFit: p.exactFit, admits: (g: number) => p.sig[g] === '1' }));
  const { bound, context } = boundAndGuide(model, demand, extras, withClasses, Math.max(0, candidates - budget), solver, true);

  let counter = 0;
  const taken = new Set(problem.nodes.map((n) => n.name));
  const nextName = () => {
    let name: string;
    do name = `new-${++counter}`;
    while (taken.has(name));
    return name;
  };
  const state: ConsolidationState = { problem, model, context, bound, existing, blocked, daemonPods, launched: [], unplaced: [], budget, nextName };
  const boundInputs = { demand, extras, withClasses, minKept: Math.max(0, candidates - budget) };
  if (pending.length) {
    const left = placeBestFit(context, pending, existing);
    if (left.length) {
      const out = packNewNodes(context, left, () => nextName());
      state.launched = out.bins;
      state.unplaced = out.unplaced;
      const dropped = new Set(out.unplaced.map((u) => u.pod));
      if (boundInputs.demand.some((p) => dropped.has(p))) {
        const demandLeft = boundInputs.demand.filter((p) => !dropped.has(p));
        state.bound = boundAndGuide(model, demandLeft, boundInputs.extras, boundInputs.withClasses, boundInputs.minKept, solver, true).bound;
      }
    }
  }
  return state;
}

interface Evaluation {
  ok: boolean;
  savings: number;
  newBins: Bin[];
}

/**
 * Moves the pods of `victims` onto `others` (best fit) and, when allowed, the rest onto new nodes. Keeps the
 * changes only when `commit`; otherwise restores `others`.
 */
function evaluate(state: ConsolidationState, victims: readonly Bin[], others: readonly Bin[], allowReplace: boolean, commit: boolean): Evaluation {
  const snapshot = others.map((b) => ({ b, used: [...b.used] as ResourceVector, n: b.pods.length }));
  const restore = () => {
    for (const s of snapshot) {
      s.b.used = s.used;
      s.b.pods.length = s.n;
    }
  };
  const pods = victims.flatMap((b) => b.pods);
  const left = placeBestFit(state.context, pods, others);
  let newBins: Bin[] = [];
  if (left.length) {
    if (!allowReplace) {
      restore();
      return { ok: false, savings: 0, newBins };
    }
    const out = packNewNodes(state.context, left, commit ? state.nextName : (i) => `tmp-${i}`);
    if (out.unplaced.length) {
      restore();
      return { ok: false, savings: 0, newBins: [] };
    }
    newBins = out.bins;
  }
  const savings = sumPrices(victims) - sumPrices(newBins);
  if (!commit) restore();
  return { ok: true, savings, newBins };
}

/**
 * Karpenter-style single-node consolidation of every node: delete, replace, none or blocked, with the savings.
 * Pure; `solver` (optional) prices pods for the heuristics and gives the bound.
 */
export function evaluateCandidates(problem: BinPackProblem, solver?: LpSolver): CandidateEvaluation[] {
  return singleNodeEvaluations(prepare(problem, solver));
}

function singleNodeEvaluations(state: ConsolidationState): CandidateEvaluation[] {
  const all = [...state.existing, ...state.launched];
  const out: CandidateEvaluation[] = state.existing.map((bin) => {
    const why = state.blocked.get(bin.name);
    if (why) return { node: bin.name, action: 'blocked', savingsUsdPerHour: 0, reason: why };
    if (!bin.pods.length) return { node: bin.name, action: 'delete', savingsUsdPerHour: bin.priceUsdPerHour, reason: 'empty (DaemonSet pods only)' };
    const others = all.filter((b) => b !== bin);
    const e = evaluate(state, [bin], others, state.problem.options.allowReplacement, false);
    if (!e.ok) return { node: bin.name, action: 'none', savingsUsdPerHour: 0, reason: 'its pods fit neither on the other nodes nor on a new node' };
    if (!e.newBins.length) return { node: bin.name, action: 'delete', savingsUsdPerHour: e.savings, reason: `its ${bin.pods.length} pods fit on the other nodes` };
    const replacement = e.newBins.map((b) => b.offer.name).join('+');
    if (e.savings <= 1e-9) return { node: bin.name, action: 'none', savingsUsdPerHour: 0, reason: `no cheaper replacement: ${replacement} would cost ${sumPrices(e.newBins).toFixed(4)} USD/h vs ${bin.priceUsdPerHour}` };
    return { node: bin.name, action: 'replace', savingsUsdPerHour: e.savings, replacement, reason: `replace by ${replacement}` };
  });
  return out.sort((a, b) => b.savingsUsdPerHour - a.savingsUsdPerHour || a.node.localeCompare(b.node));
}

const PREFIX_GRID = [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64, 80, 100];

/** Plans consolidation (see the file header). */
export function planConsolidation(problem: BinPackProblem, solver: LpSolver | undefined): BinPackResult {
  const state = prepare(problem, solver);
  const candidates = singleNodeEvaluations(state);
  const savingsOf = new Map(candidates.map((c) => [c.node, c.savingsUsdPerHour]));
  const removed: { bin: Bin; action: RemovedNode['action'] }[] = [];
  const removedSet = new Set<Bin>();
  const replacements: Bin[] = [];
  let budgetLeft = state.budget;
  const live = () => [...state.existing.filter((b) => !removedSet.has(b)), ...state.launched, ...replacements];
  const isCandidate = (b: Bin) => !state.blocked.has(b.name) && !removedSet.has(b);
  const remove = (b: Bin, action: RemovedNode['action']) => {
    removed.push({ bin: b, action });
    removedSet.add(b);
    budgetLeft--;
  };

  // (1) batch delete: the longest prefix (by single-node savings) whose pods all fit on the remaining nodes
  const bySavings = state.existing.filter((b) => isCandidate(b) && (savingsOf.get(b.name) ?? 0) > 1e-9).sort((a, b) => (savingsOf.get(b.name) ?? 0) - (savingsOf.get(a.name) ?? 0));
  {
    const maxK = Math.min(budgetLeft, bySavings.length);
    const ks = [...new Set([...PREFIX_GRID.filter((k) => k < maxK), maxK])].filter((k) => k > 0).reverse();
    for (const k of ks) {
      const victims = bySavings.slice(0, k);
      const victimSet = new Set(victims);
      const e = evaluate(state, victims, live().filter((x) => !victimSet.has(x)), false, true);
      if (e.ok) {
        for (const v of victims) remove(v, 'delete');
        break;
      }
    }
  }
  const greedyDeletes = () => {
    const order = byEfficiency(state.context, state.existing.filter(isCandidate));
    for (const b of order) {
      if (budgetLeft <= 0) break;
      if (!isCandidate(b)) continue;
      const e = evaluate(state, [b], live().filter((x) => x !== b), false, true);
      if (e.ok) remove(b, 'delete');
    }
  };
  // (2) the budget is scarce: best single-node savings first (delete, else a cheaper replacement), re-evaluated
  // against the nodes as they are after the earlier steps
  for (const b of bySavings) {
    if (budgetLeft <= 0) break;
    if (!isCandidate(b)) continue;
    const others = live().filter((x) => x !== b);
    if (evaluate(state, [b], others, false, true).ok) {
      remove(b, 'delete');
      continue;
    }
    if (!problem.options.allowReplacement) continue;
    const trial = evaluate(state, [b], others, true, false);
    if (!trial.ok || trial.savings <= 1e-9) continue;
    const e = evaluate(state, [b], others, true, true);
    replacements.push(...e.newBins);
    remove(b, 'replace');
  }
  // (3) one batch replace over the best prefix
  if (budgetLeft > 0 && problem.options.allowReplacement) {
    const rest = state.existing.filter(isCandidate);
    const orders = [
      byEfficiency(state.context, rest),
      [...rest].sort((a, b) => (savingsOf.get(b.name) ?? 0) - (savingsOf.get(a.name) ?? 0) || a.pods.length - b.pods.length),
    ];
    const maxK = Math.min(budgetLeft, rest.length);
    const ks = [...new Set([...PREFIX_GRID.filter((k) => k < maxK), maxK])].filter((k) => k > 0);
    let best: { victims: Bin[]; savings: number } | undefined;
    for (const order of orders) {
      for (const k of ks) {
        const victims = order.slice(0, k);
        const victimSet = new Set(victims);
        const e = evaluate(state, victims, live().filter((x) => !victimSet.has(x)), true, false);
        if (e.ok && e.savings > 1e-9 && (!best || e.savings > best.savings + 1e-9)) best = { victims, savings: e.savings };
      }
    }
    if (best) {
      const victimSet = new Set(best.victims);
      const e = evaluate(state, best.victims, live().filter((x) => !victimSet.has(x)), true, true);
      if (e.ok && e.savings > 1e-9) {
        replacements.push(...e.newBins);
        for (const v of best.victims) remove(v, e.newBins.length ? 'replace' : 'delete');
      }
    }
  }
  // (4) deletes again with what is left of the budget
  greedyDeletes();

  return assemble(state, candidates, removed, replacements);
}

function assemble(state: ConsolidationState, candidates: CandidateEvaluation[], removed: { bin: Bin; action: RemovedNode['action'] }[], replacements: Bin[]): BinPackResult {
  const { model, problem } = state;
  const removedSet = new Set(removed.map((r) => r.bin));
  const kept = state.existing.filter((b) => !removedSet.has(b));
  const newBins = [...state.launched, ...replacements];
  const finalBins = [...kept, ...newBins];
  const nameOfPod = (p: number) => model.pods[p]?.pod.name ?? '?';
  const moves = finalBins.flatMap((b) => b.pods.filter((p) => model.pods[p]?.pod.node !== b.name).map((p) => ({ pod: nameOfPod(p), from: model.pods[p]?.pod.node ?? null, to: b.name })));
  const originalPods = new Map<string, string[]>();
  for (const info of model.pods) if (info.pod.node) originalPods.set(info.pod.node, [...(originalPods.get(info.pod.node) ?? []), info.pod.name]);
  const incoming = new Map<string, string[]>();
  for (const m of moves) incoming.set(m.to, [...(incoming.get(m.to) ?? []), m.pod]);
  const steps: PlanStep[] = [
    ...newBins.map((b) => ({ action: 'launch' as const, node: b.name, pods: b.pods.map(nameOfPod) })),
    ...removed.map((r) => ({ action: 'drain-and-delete' as const, node: r.bin.name, pods: originalPods.get(r.bin.name) ?? [] })),
  ].map((s, i) => ({ order: i + 1, ...s }));
  const initial = sumPrices(state.existing);
  const cost = sumPrices(finalBins);
  const notes: string[] = [];
  if (state.bound.method === 'single-resource') notes.push('no LP solver was given: the bound is the single-resource bound');
  if (state.launched.length) notes.push(`${state.launched.length} new node(s) launched for pending pods`);
  const blockedCount = state.blocked.size;
  if (blockedCount) notes.push(`${blockedCount} node(s) cannot be disrupted (see candidates[].reason)`);
  return {
    mode: 'consolidate',
    nodes: finalBins.map((b) => plannedNode(model, b, b.isNew ? [] : (state.daemonPods.get(b.name) ?? []))),
    unplaced: state.unplaced.map((u) => ({ pod: nameOfPod(u.pod), reason: u.reason })),
    removedNodes: removed.map((r) => ({ name: r.bin.name, instanceType: r.bin.offer.name, priceUsdPerHour: r.bin.priceUsdPerHour, action: r.action })),
    moves,
    steps,
    candidates,
    initialCostUsdPerHour: initial,
    costUsdPerHour: cost,
    savingsUsdPerHour: initial - cost,
    lowerBound: boundInfo(state.bound),
    gap: gapOf(cost, state.bound.valueUsdPerHour),
    disruptionBudget: state.budget,
    rationale: {
      factors: [
        `disruption budget ${state.budget} node(s); ${removed.length} used`,
        'candidates exclude do-not-disrupt nodes and pods, unowned pods and drains a PDB forbids',
        'order: batch delete of the best single-node savings, then node by node (delete, else cheaper replacement), one batch replace of the best prefix, deletes again',
        'replacements launch before drains; drains run one node at a time (PDBs are checked per drain)',
        `lower bound: ${state.bound.method === 'lp-dual' ? 'LP relaxation over kept pools, candidate nodes and new classes (Lagrangian bound from HiGHS duals)' : 'single-resource bound'}`,
      ],
      groups: model.groups.length,
      nodeClasses: model.classes.length,
      utilisation: weightedUtilisation(finalBins),
      notes: [...notes, ...(problem.options.allowReplacement ? [] : ['replacement disabled: nodes are only deleted'])],
    },
  };
}
