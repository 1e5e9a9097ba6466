/**
 * Glue between the working model and the LP of lower-bound.ts: builds the supply/demand LP of a set of pods
 * (demand groups = compatibility group × "fit set", so a group never borrows room on a node type none of its
 * pods fits in), and turns the LP's answer back into guidance for the heuristics (resource prices and preferred
 * classes per compatibility group).
 */
import { fitsIn } from './feasibility.ts';
import { type LowerBound, type LpDemandGroup, type LpSolver, type LpSupply, supplyDemandBound, type SupplyDemandLp } from './lower-bound.ts';
import type { NodeClass, WorkingModel } from './model.ts';
import type { PackContext } from './pack.ts';
import type { ResourceVector } from './problem.ts';

/** A supply that is not a node class: a pool of existing nodes. */
export interface ExtraSupply {
  supply: LpSupply;
  admits(group: number): boolean;
  /** True when the supply is identical nodes (so "the pod fits one node" is exact); false for pooled free capacity. */
  exactFit: boolean;
}

export interface BoundAndGuidance {
  bound: LowerBound;
  context: PackContext;
}

/**
 * Solves (or bounds) the LP of placing `positions` (indexes into model.pods) on `extras` plus, when
 * `withClasses`, any number of new nodes of the model's classes. `coarse` merges the demand groups of pods
 * that do not fit every admitting supply (fewer columns, slightly weaker bound).
 */
export function boundAndGuide(
  model: WorkingModel,
  positions: readonly number[],
  extras: readonly ExtraSupply[],
  withClasses: boolean,
  minBudgetedKept: number,
  solver: LpSolver | undefined,
  coarse = false,
): BoundAndGuidance {
  const E = extras.length;
  const supplies: LpSupply[] = extras.map((e) => e.supply);
  const lpClasses = withClasses ? lpUsefulClasses(model) : [];
  const supplyOfClass = new Map<number, number>();
  for (const c of lpClasses) {
    const cls = model.classes[c] as NodeClass;
    supplyOfClass.set(c, supplies.length);
    supplies.push({ priceUsdPerHour: cls.priceUsdPerHour, capacity: cls.capacity, lower: 0, upper: Number.POSITIVE_INFINITY, budgeted: false });
  }
  const classOfSupply = new Map([...supplyOfClass].map(([c, s]) => [s, c]));

  const admittedOf = model.groups.map((g) => {
    const list: number[] = [];
    extras.forEach((e, i) => e.admits(g.id) && list.push(i));
    for (const c of model.classesOfGroup[g.id] ?? []) {
      const si = supplyOfClass.get(c);
      if (si !== undefined) list.push(si);
    }
    return list;
  });
  const lpGroups: (LpDemandGroup & { modelGroup: number; pods: number })[] = [];
  const byKey = new Map<string, number>();
  const fitCache = new Map<string, string>();
  for (const p of positions) {
    const info = model.pods[p];
    if (!info) continue;
    const shapeKey = `${info.group}|${info.demand.join(',')}`;
    let fitKey = fitCache.get(shapeKey);
    if (fitKey === undefined) {
      const admitted = admittedOf[info.group] ?? [];
      fitKey = admitted.map((si) => (si < E && !(extras[si] as ExtraSupply).exactFit ? '1' : fitsIn(info.demand, (supplies[si] as LpSupply).capacity) ? '1' : '0')).join('');
      fitCache.set(shapeKey, fitKey);
    }
    if (!fitKey.includes('1')) continue; // placeable nowhere: reported unplaced, not part of the bound
    // Coarse tiers merge shapes of a group that fit only some supplies into one demand group allowed on the
    // union of their supplies: a relaxation (still a valid bound), with far fewer LP columns.
    const key = coarse ? `${info.group}|${fitKey.includes('0') ? 'R' : 'A'}` : `${info.group}|${fitKey}`;
    let gi = byKey.get(key);
    if (gi === undefined) {
      gi = lpGroups.length;
      byKey.set(key, gi);
      const admitted = admittedOf[info.group] ?? [];
      lpGroups.push({ demand: [0, 0, 0, 0], supplies: admitted.filter((_, k) => fitKey?.[k] === '1'), modelGroup: info.group, pods: 0 });
    }
    const g = lpGroups[gi] as (typeof lpGroups)[number];
    if (coarse && fitKey.includes('0')) {
      const have = new Set(g.supplies);
      const admitted = admittedOf[info.group] ?? [];
      admitted.forEach((si, k) => fitKey?.[k] === '1' && !have.has(si) && g.supplies.push(si));
    }
    for (let r = 0; r < 4; r++) g.demand[r] = (g.demand[r] ?? 0) + (info.demand[r] ?? 0);
    g.pods++;
  }
  const lp: SupplyDemandLp = { supplies, groups: lpGroups, minBudgetedKept };
  const bound = supplyDemandBound(lp, solver);

  const groupPrices: ResourceVector[] = model.groups.map(() => [0, 0, 0, 0]);
  const groupHints: number[][] = model.groups.map(() => []);
  const weight = model.groups.map(() => -1);
  lpGroups.forEach((g, gi) => {
    if (g.pods > (weight[g.modelGroup] ?? -1)) {
      weight[g.modelGroup] = g.pods;
      groupPrices[g.modelGroup] = bound.groupPrices[gi] ?? [0, 0, 0, 0];
    }
    for (const si of bound.groupSupport[gi] ?? []) {
      const hints = groupHints[g.modelGroup] as number[];
      const c = classOfSupply.get(si);
      if (c !== undefined && !hints.includes(c)) hints.push(c);
    }
  });
  return { bound, context: { model, groupPrices, groupHints } };
}

/**
 * Classes the LP needs: a class a is left out when another class b, admitted by every group that admits a,
 * has at least k times a's capacity in every resource at no more than k times its price (k = price_b/price_a
 * ≥ 1) — any LP solution using a can use b instead at no higher cost, so the LP optimum (the bound) is
 * unchanged. Typically the largest size of a family covers the smaller ones. The heuristics keep every class.
 */
function lpUsefulClasses(model: WorkingModel): number[] {
  const { classes, groups } = model;
  const admitsAll = (b: number, a: number) => groups.every((g) => !model.admits(g.id, a) || model.admits(g.id, b));
  const useful: number[] = [];
  for (const a of classes) {
    const dominated = classes.some((b) => {
      if (b.id === a.id || a.priceUsdPerHour <= 0) return false;
      const k = b.priceUsdPerHour / a.priceUsdPerHour;
      if (k < 1) return false;
      for (let r = 0; r < 4; r++) if ((b.capacity[r] ?? 0) < k * (a.capacity[r] ?? 0) - 1e-9) return false;
      // equal classes: keep the one with the smaller id
      if (k === 1 && b.capacity.every((x, r) => x === a.capacity[r]) && b.id > a.id) return false;
      return admitsAll(b.id, a.id);
    });
    if (!dominated) useful.push(a.id);
  }
  return useful;
}
