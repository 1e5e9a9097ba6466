/**
 * LP-template construction (pack mode, with an LP solver): a second, small LP at shape level (pods with the
 * same group and requests), over only the classes the first LP used for each group, says how many pods of each
 * shape go on each class and how many nodes of each class to open (x_c, rounded). Within a class the pods are
 * dealt to its nodes least-loaded-first, so identical nodes get the same mix and that mix fits because the LP
 * balanced it in every resource. Pods that overflow, and the classes' fractional remainders, go through the
 * node-centric `construct`. `rounding`: x_c to the nearest integer, or down (the remainder goes to `construct`). Cost: one LP with Σ_shapes |classes of its group| columns, then O(P · m) dealing.
 */
import { fitsIn } from './feasibility.ts';
import { type LpDemandGroup, type LpSolver, type LpSupply, solveSupplyDemandSplit } from './lower-bound.ts';
import type { NodeClass } from './model.ts';
import { addPod, type Bin, binAdmits, construct, newBin, type PackContext, type Shape } from './pack.ts';

export function lpTemplateConstruct(ctx: PackContext, shapes: readonly Shape[], solver: LpSolver, nextName: () => string, rounding: 'nearest' | 'down' = 'nearest'): Bin[] {
  const { model } = ctx;
  const classIds = [...new Set(shapes.flatMap((s) => ctx.groupHints[s.group] ?? []))];
  const slot = new Map(classIds.map((c, i) => [c, i]));
  const supplies: LpSupply[] = classIds.map((c) => {
    const cls = model.classes[c] as NodeClass;
    return { priceUsdPerHour: cls.priceUsdPerHour, capacity: cls.capacity, lower: 0, upper: Number.POSITIVE_INFINITY, budgeted: false };
  });
  const left: number[] = [];
  const lpShapes: Shape[] = [];
  const groups: LpDemandGroup[] = [];
  for (const shape of shapes) {
    const admitted = (ctx.groupHints[shape.group] ?? []).filter((c) => fitsIn(shape.demand, (model.classes[c] as NodeClass).capacity)).map((c) => slot.get(c) as number);
    if (!admitted.length) {
      left.push(...shape.pods);
      continue;
    }
    lpShapes.push(shape);
    const n = shape.pods.length;
    groups.push({ demand: [shape.demand[0] * n, shape.demand[1] * n, shape.demand[2] * n, shape.demand[3] * n], supplies: admitted });
  }
  const lp = { supplies, groups, minBudgetedKept: 0, splitResources: false };
  const split = solveSupplyDemandSplit(lp, solver);
  if (!split) return construct(ctx, [...shapes], nextName);

  const podsOfClass: number[][] = classIds.map(() => []);
  lpShapes.forEach((shape, k) => {
    const shares = split.groupShares[k] ?? [];
    const n = shape.pods.length;
    let cumulative = 0;
    let given = 0;
    for (const { supply, share } of shares) {
      cumulative += share;
      const upto = Math.min(n, Math.round(cumulative * n));
      for (; given < upto; given++) (podsOfClass[supply] as number[]).push(shape.pods[given] as number);
    }
    for (; given < n; given++) left.push(shape.pods[given] as number);
  });

  const bins: Bin[] = [];
  classIds.forEach((c, i) => {
    const pods = podsOfClass[i] as number[];
    if (!pods.length) return;
    const cls = model.classes[c] as NodeClass;
    const x = split.supplyCounts?.[i] ?? 0;
    const m = rounding === 'nearest' ? Math.round(x) : Math.floor(x + 1e-6);
    if (m < 1) return void left.push(...pods);
    const own = Array.from({ length: m }, () => newBin(ctx, cls, nextName()));
    const cap = cls.capacity;
    const size = (p: number) => {
      const d = model.pods[p]?.demand ?? [0, 0, 0, 0];
      return Math.max(cap[0] ? d[0] / cap[0] : 0, cap[1] ? d[1] / cap[1] : 0, cap[2] ? d[2] / cap[2] : 0, cap[3] ? d[3] / cap[3] : 0);
    };
    for (const p of [...pods].sort((a, b) => size(b) - size(a))) {
      const info = model.pods[p];
      if (!info) continue;
      const d = info.demand;
      let best: Bin | undefined;
      let bestLoad = Number.POSITIVE_INFINITY;
      for (const bin of own) {
        let load = 0;
        let fits = true;
        for (let r = 0; r < 4; r++) {
          const after = (bin.used[r] as number) + (d[r] as number);
          if (after > (cap[r] as number) + 1e-9) {
            fits = false;
            break;
          }
          if ((cap[r] as number) > 0) load = Math.max(load, after / (cap[r] as number));
        }
        if (fits && load < bestLoad) {
          bestLoad = load;
          best = bin;
        }
      }
      if (best && binAdmits(ctx, best, info.group)) addPod(best, p, d);
      else left.push(p);
    }
    bins.push(...own.filter((b) => b.pods.length > 0));
  });
  if (left.length) {
    const byKey = new Map<string, Shape>();
    for (const p of left) {
      const info = model.pods[p];
      if (!info) continue;
      const key = `${info.group}|${info.demand.join(',')}`;
      const shape = byKey.get(key) ?? { group: info.group, demand: info.demand, pods: [], value: shapes.find((s) => s.group === info.group && s.demand.join(',') === info.demand.join(','))?.value ?? 0 };
      shape.pods.push(p);
      byKey.set(key, shape);
    }
    bins.push(...construct(ctx, [...byKey.values()].sort((a, b) => b.value - a.value), nextName));
  }
  return bins;
}

