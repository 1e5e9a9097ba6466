/**
 * Proven lower bounds on the cost of any plan.
 *
 * The LP relaxation ("supply/demand LP"): supplies s (a node class, or a pool of existing nodes) with price
 * p_s, usable capacity cap_s,r and bounds lo_s ≤ x_s ≤ up_s (x_s = how many such nodes, fractional);
 * demand groups g (pods with the same admissible supplies) with total requests D_g,r; u_g,s,r = share of
 * group g's demand for resource r placed on supply s. minimise Σ p_s·x_s subject to
 *   cap_s,r·x_s − Σ_g D_g,r·u_g,s,r ≥ 0   for every supply s and resource r      (dual π_s,r ≥ 0)
 *   Σ_s u_g,s,r ≥ 1                        for every group g and resource r       (dual λ_g,r ≥ 0)
 *   Σ_{s budgeted} x_s ≥ K               consolidation: nodes kept ≥ candidates − budget (dual μ ≥ 0)
 * Every integer plan is feasible for it, so its optimum is a lower bound. The bound returned is not the
 * solver's objective taken on trust: from the solver's duals, repaired to be dual feasible, we evaluate the
 * Lagrangian L(π, λ, μ) = Σ_g,r λ_g,r + μK + Σ_s min_{lo_s ≤ x ≤ up_s} (p_s − Σ_r π_s,r·cap_s,r − μ[s budgeted])·x
 * with λ_g,r = min_s π_s,r·D_g,r, which is a lower bound for any π, μ ≥ 0 (weak duality), so numerical
 * error in the solver can only make the bound weaker, never wrong.
 * Each resource of a group is shared out on its own (u_g,s,r with Σ_s u_g,s,r ≥ 1): one share per group
 * and supply would force every node to take the group's average mix of CPU and memory, which real plans need
 * not do — that LP is not a relaxation and its optimum can exceed the optimal cost.
 *
 * The solver is an argument (`LpSolver`, see highs-solver.ts): loading HiGHS' WASM is I/O the engine does not
 * do. Without a solver the bound falls back to the best single-resource bound (valid, weaker).
 */
import type { ResourceVector } from './problem.ts';

/** A column family of the LP: a node class (lo 0, up ∞), a group of identical candidate nodes (up = count) or a fixed pool. */
export interface LpSupply {
  priceUsdPerHour: number;
  capacity: ResourceVector;
  lower: number;
  upper: number;
  /** Counts towards the "kept candidates" row of a disruption budget. */
  budgeted: boolean;
}

export interface LpDemandGroup {
  demand: ResourceVector;
  /** Supplies this group may use (indexes into `supplies`). */
  supplies: number[];
}

export interface SupplyDemandLp {
  supplies: LpSupply[];
  groups: LpDemandGroup[];
  /** Σ x_s over budgeted supplies must be at least this (consolidation budget); 0 = no budget row. */
  minBudgetedKept: number;
  /**
   * true (default): each resource of a group is shared out on its own (u_g,s,r) — a relaxation of every real
   * plan, so the optimum is a valid lower bound. false: one share per group and supply (u_g,s), which forces
   * every supply to receive the group's average mix — a restriction, used only to split shapes for the
   * LP-template heuristic, never as a bound.
   */
  splitResources?: boolean;
}

/** A linear program in column-compressed form: minimise c·x, rowLower ≤ A·x ≤ rowUpper, colLower ≤ x ≤ colUpper. */
export interface LinearProgram {
  numCols: number;
  numRows: number;
  colCost: Float64Array;
  colLower: Float64Array;
  colUpper: Float64Array;
  rowLower: Float64Array;
  rowUpper: Float64Array;
  /** CSC: column j holds entries starts[j] … starts[j+1]−1. */
  starts: Int32Array;
  indices: Int32Array;
  values: Float64Array;
}

export interface LpSolution {
  status: 'optimal' | 'infeasible' | 'other';
  objective: number;
  colValue: Float64Array;
  /** Row duals, ≥ 0 for binding ≥ rows of a minimisation. */
  rowDual: Float64Array;
}

/** Solves an LP synchronously. Implementations: `createHighsLpSolver(highs)`. */
export interface LpSolver {
  solve(lp: LinearProgram): LpSolution;
}

/** A lower bound and, when an LP was solved, per-group resource prices for the packing heuristics. */
export interface LowerBound {
  valueUsdPerHour: number;
  method: 'lp-dual' | 'single-resource';
  lpObjectiveUsdPerHour: number | null;
  lpColumns: number;
  lpRows: number;
  /** Per demand group: resource prices y_g,r (USD/h per unit) that price the group's pods. */
  groupPrices: ResourceVector[];
  /** Per demand group: supplies the LP used for it (u_g,s > 0), most used first. */
  groupSupport: number[][];
  /** LP node counts per supply (fractional), when solved. */
  supplyCounts: Float64Array | null;
  /** Per demand group: (supply, share u_g,s) pairs with u > 0, when solved. */
  groupShares: { supply: number; share: number }[][];
}

const INF = Number.POSITIVE_INFINITY;

interface BuiltLp {
  lp: LinearProgram;
  /** Row index of (supply, resource) or −1 when omitted (no demand can use that resource there). */
  capRow: Int32Array;
  budgetRow: number;
  /** Per group, per (k-th admitted supply × 4 + resource): the u column, or −1. Unsplit: every r holds the same column. */
  uCols: Int32Array[];
}

function buildLp(problem: SupplyDemandLp, infinity: number): BuiltLp {
  const { supplies, groups } = problem;
  const split = problem.splitResources !== false;
  const S = supplies.length;
  const needs = new Uint8Array(S * 4);
  for (const g of groups) for (const s of g.supplies) for (let r = 0; r < 4; r++) if ((g.demand[r] ?? 0) > 0) needs[s * 4 + r] = 1;
  const capRow = new Int32Array(S * 4).fill(-1);
  let rows = 0;
  for (let i = 0; i < S * 4; i++) if (needs[i]) capRow[i] = rows++;
  const groupRow = groups.map((g) => {
    const row = new Int32Array(4).fill(-1);
    if (split) {
      for (let r = 0; r < 4; r++) if ((g.demand[r] ?? 0) > 0) row[r] = rows++;
    } else row.fill(rows++);
    return row;
  });
  const budgetRow = problem.minBudgetedKept > 0 ? rows++ : -1;

  const colStarts: number[] = [0];
  const idx: number[] = [];
  const val: number[] = [];
  const cost: number[] = [];
  const lo: number[] = [];
  const up: number[] = [];
  supplies.forEach((s, si) => {
    for (let r = 0; r < 4; r++) {
      const row = capRow[si * 4 + r] as number;
      if (row >= 0 && (s.capacity[r] ?? 0) > 0) {
        idx.push(row);
        val.push(s.capacity[r] as number);
      }
    }
    if (budgetRow >= 0 && s.budgeted) {
      idx.push(budgetRow);
      val.push(1);
    }
    colStarts.push(idx.length);
    cost.push(s.priceUsdPerHour);
    lo.push(s.lower);
    up.push(Number.isFinite(s.upper) ? s.upper : infinity);
  });
  const addU = (entries: [number, number][]) => {
    for (const [row, v] of entries) {
      idx.push(row);
      val.push(v);
    }
    colStarts.push(idx.length);
    cost.push(0);
    lo.push(0);
    up.push(infinity);
    return cost.length - 1;
  };
  const uCols = groups.map((g, gi) => {
    const cols = new Int32Array(g.supplies.length * 4).fill(-1);
    const gRow = groupRow[gi] as Int32Array;
    g.supplies.forEach((si, k) => {
      if (split) {
        for (let r = 0; r < 4; r++) {
          const d = g.demand[r] ?? 0;
          const row = capRow[si * 4 + r] as number;
          if (d > 0 && row >= 0) cols[k * 4 + r] = addU([[row, -d], [gRow[r] as number, 1]]);
        }
      } else {
        const entries: [number, number][] = [];
        for (let r = 0; r < 4; r++) {
          const d = g.demand[r] ?? 0;
          const row = capRow[si * 4 + r] as number;
          if (d > 0 && row >= 0) entries.push([row, -d]);
        }
        entries.push([gRow[0] as number, 1]);
        cols.fill(addU(entries), k * 4, k * 4 + 4);
      }
    });
    return cols;
  });
  const rowLower = new Float64Array(rows);
  const rowUpper = new Float64Array(rows).fill(infinity);
  for (const gRow of groupRow) for (const row of gRow) if (row >= 0) rowLower[row] = 1;
  if (budgetRow >= 0) rowLower[budgetRow] = problem.minBudgetedKept;
  return {
    lp: {
      numCols: cost.length,
      numRows: rows,
      colCost: Float64Array.from(cost),
      colLower: Float64Array.from(lo),
      colUpper: Float64Array.from(up),
      rowLower,
      rowUpper,
      starts: Int32Array.from(colStarts),
      indices: Int32Array.from(idx),
      values: Float64Array.from(val),
    },
    capRow,
    budgetRow,
    uCols,
  };
}

/** Σ_r π_s,r · v_r. */
function priced(pi: Float64Array, s: number, v: readonly number[]): number {
  let total = 0;
  for (let r = 0; r < 4; r++) total += (pi[s * 4 + r] ?? 0) * (v[r] ?? 0);
  return total;
}

/**
 * Weak-duality bound from (possibly inexact) duals: repairs π ≥ 0 so that no unbounded-above supply has a
 * negative reduced cost, sets λ_g to its best value and evaluates the Lagrangian.
 */
export function lagrangianBound(problem: SupplyDemandLp, piIn: Float64Array, muIn: number): { value: number; pi: Float64Array; lambda: Float64Array } {
  const pi = Float64Array.from(piIn, (x) => (x > 0 && Number.isFinite(x) ? x : 0));
  const mu = muIn > 0 && Number.isFinite(muIn) ? muIn : 0;
  let value = mu * problem.minBudgetedKept;
  problem.supplies.forEach((s, si) => {
    let reduced = s.priceUsdPerHour - priced(pi, si, s.capacity) - (s.budgeted ? mu : 0);
    if (reduced < 0 && !Number.isFinite(s.upper)) {
      const used = priced(pi, si, s.capacity);
      const room = s.priceUsdPerHour - (s.budgeted ? mu : 0);
      const factor = used > 0 ? Math.max(0, room) / used : 0;
      for (let r = 0; r < 4; r++) pi[si * 4 + r] = (pi[si * 4 + r] ?? 0) * factor;
      reduced = s.priceUsdPerHour - priced(pi, si, s.capacity) - (s.budgeted ? mu : 0);
      if (reduced < 0) reduced = 0; // only when mu alone exceeds the price; not reachable for unbudgeted supplies
    }
    value += reduced >= 0 ? reduced * s.lower : reduced * s.upper;
  });
  const split = problem.splitResources !== false;
  const lambda = new Float64Array(problem.groups.length);
  problem.groups.forEach((g, gi) => {
    if (split) {
      // λ_g,r = min_s π_s,r · D_g,r for each resource on its own
      let total = 0;
      for (let r = 0; r < 4; r++) {
        const d = g.demand[r] ?? 0;
        if (d <= 0) continue;
        let best = INF;
        for (const si of g.supplies) best = Math.min(best, (pi[si * 4 + r] ?? 0) * d);
        total += Number.isFinite(best) ? best : 0;
      }
      lambda[gi] = total;
    } else {
      let best = INF;
      for (const si of g.supplies) best = Math.min(best, priced(pi, si, g.demand));
      lambda[gi] = Number.isFinite(best) ? best : 0;
    }
    value += lambda[gi] as number;
  });
  return { value, pi, lambda };
}

/**
 * Heuristic use of the supply/demand LP (never a bound): solves it and returns the node counts per supply and
 * each group's shares per supply. Null when the solver finds no optimum.
 */
export function solveSupplyDemandSplit(problem: SupplyDemandLp, solver: LpSolver): { supplyCounts: Float64Array; groupShares: { supply: number; share: number }[][] } | null {
  if (problem.groups.length === 0) return null;
  const built = buildLp(problem, 1e30);
  const solution = solver.solve(built.lp);
  if (solution.status !== 'optimal') return null;
  return { supplyCounts: solution.colValue.slice(0, problem.supplies.length), groupShares: sharesOf(problem, built, solution) };
}

function sharesOf(problem: SupplyDemandLp, built: BuiltLp, solution: LpSolution): { supply: number; share: number }[][] {
  return problem.groups.map((g, gi) => {
    const cols = built.uCols[gi] as Int32Array;
    return g.supplies
      .map((supply, k) => {
        let share = 0;
        for (let r = 0; r < 4; r++) {
          const col = cols[k * 4 + r] as number;
          if (col >= 0) share = Math.max(share, solution.colValue[col] ?? 0);
        }
        return { supply, share };
      })
      .filter((e) => e.share > 1e-7)
      .sort((a, b) => b.share - a.share);
  });
}

/** Best single-resource bound (no LP): fixed cost + for the tightest resource, uncovered demand × cheapest price per unit. */
export function singleResourceBound(problem: SupplyDemandLp): number {
  let fixed = 0;
  const fixedCap: ResourceVector = [0, 0, 0, 0];
  const cheapestPerUnit: ResourceVector = [INF, INF, INF, INF];
  const budgetedPrices: number[] = [];
  for (const s of problem.supplies) {
    if (s.lower > 0 && s.lower === s.upper && !s.budgeted) {
      fixed += s.priceUsdPerHour * s.lower;
      for (let r = 0; r < 4; r++) fixedCap[r] = (fixedCap[r] ?? 0) + (s.capacity[r] ?? 0) * s.lower;
      continue;
    }
    for (let r = 0; r < 4; r++) if ((s.capacity[r] ?? 0) > 0) cheapestPerUnit[r] = Math.min(cheapestPerUnit[r] ?? INF, s.priceUsdPerHour / (s.capacity[r] as number));
    if (s.budgeted) for (let i = 0; i < s.upper; i++) budgetedPrices.push(s.priceUsdPerHour);
  }
  const demand: ResourceVector = [0, 0, 0, 0];
  for (const g of problem.groups) for (let r = 0; r < 4; r++) demand[r] = (demand[r] ?? 0) + (g.demand[r] ?? 0);
  let variable = 0;
  for (let r = 0; r < 4; r++) {
    const uncovered = Math.max(0, (demand[r] ?? 0) - (fixedCap[r] ?? 0));
    if (uncovered > 0 && Number.isFinite(cheapestPerUnit[r])) variable = Math.max(variable, uncovered * (cheapestPerUnit[r] as number));
  }
  budgetedPrices.sort((a, b) => a - b);
  const keptFloor = budgetedPrices.slice(0, problem.minBudgetedKept).reduce((a, b) => a + b, 0);
  return fixed + Math.max(variable, keptFloor);
}

/** Fallback resource prices for a group: split the single-resource bound over resources by their weight. */
function fallbackPrices(problem: SupplyDemandLp, g: LpDemandGroup): ResourceVector {
  const perUnit: ResourceVector = [INF, INF, INF, INF];
  for (const si of g.supplies) {
    const s = problem.supplies[si];
    if (!s) continue;
    for (let r = 0; r < 4; r++) if ((s.capacity[r] ?? 0) > 0) perUnit[r] = Math.min(perUnit[r] ?? INF, s.priceUsdPerHour / (s.capacity[r] as number));
  }
  const weights = perUnit.map((p, r) => (Number.isFinite(p) ? p * (g.demand[r] ?? 0) : 0));
  const total = weights.reduce((a, b) => a + b, 0);
  return perUnit.map((p, r) => (Number.isFinite(p) && total > 0 ? (p * (weights[r] ?? 0)) / total : 0)) as ResourceVector;
}

/**
 * The lower bound of a supply/demand LP: solved with `solver` when given (Lagrangian bound from its duals,
 * never above the true LP optimum), otherwise the single-resource bound. Also returns per-group resource prices
 * and the LP's supply choices, which guide the packing heuristics.
 */
export function supplyDemandBound(problem: SupplyDemandLp, solver?: LpSolver): LowerBound {
  const fallback = (): LowerBound => ({
    valueUsdPerHour: singleResourceBound(problem),
    method: 'single-resource',
    lpObjectiveUsdPerHour: null,
    lpColumns: 0,
    lpRows: 0,
    groupPrices: problem.groups.map((g) => fallbackPrices(problem, g)),
    groupSupport: problem.groups.map(() => []),
    supplyCounts: null,
    groupShares: problem.groups.map(() => []),
  });
  if (!solver || problem.groups.length === 0) return fallback();
  const built = buildLp(problem, 1e30);
  const solution = solver.solve(built.lp);
  if (solution.status !== 'optimal') return fallback();
  const S = problem.supplies.length;
  const pi = new Float64Array(S * 4);
  for (let i = 0; i < S * 4; i++) {
    const row = built.capRow[i] as number;
    if (row >= 0) pi[i] = solution.rowDual[row] ?? 0;
  }
  const mu = built.budgetRow >= 0 ? (solution.rowDual[built.budgetRow] ?? 0) : 0;
  const { value, pi: repaired } = lagrangianBound(problem, pi, mu);
  const single = singleResourceBound(problem);
  const groupShares = sharesOf(problem, built, solution);
  const groupSupport = groupShares.map((shares) => shares.map((e) => e.supply));
  const groupPrices = problem.groups.map((g, gi) => {
    const main = groupSupport[gi]?.[0];
    if (main === undefined) return fallbackPrices(problem, g);
    // the price a resource of the group pays: the cheapest dual price among its supplies (λ_g,r / D_g,r)
    const y = [0, 1, 2, 3].map((r) => Math.min(...g.supplies.map((si) => repaired[si * 4 + r] ?? 0))) as ResourceVector;
    return y.some((v) => v > 0) ? y : fallbackPrices(problem, g);
  });
  // Floating point: shave a relative 1e-9 so rounding in the sum cannot lift the bound above the true optimum.
  const lp = Math.max(value, 0) * (1 - 1e-9);
  return {
    valueUsdPerHour: Math.max(lp, single * (1 - 1e-9)),
    method: 'lp-dual',
    lpObjectiveUsdPerHour: solution.objective,
    lpColumns: built.lp.numCols,
    lpRows: built.lp.numRows,
    groupPrices,
    groupSupport,
    supplyCounts: solution.colValue.slice(0, S),
    groupShares,
  };
}
