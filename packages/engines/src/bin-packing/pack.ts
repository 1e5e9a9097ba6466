/**
 * Packing pods onto new nodes, and the moves shared with consolidation.
 *
 * Construction ("priced node filling"): pods are bucketed into shapes (same group and requests). While pods
 * remain, the most valuable remaining pod (value = requests priced at its group's LP resource prices) seeds a
 * new node; for a short list of candidate classes (the best by priced capacity per dollar, the LP's own choices
 * for the group, and the cheapest class that fits the seed) the node is filled by the dot-product rule of
 * vector bin packing (repeatedly add the shape whose normalised requests align best with the normalised free
 * capacity), and the class whose fill has the highest value per dollar is opened.
 * Improvement: downsize every node to the cheapest admissible class that holds its pods; empty the least
 * efficient nodes into the others (best fit); repack the k least efficient nodes together from scratch when
 * that is cheaper; ruin and recreate around the nodes that waste the most dollars (see
 * `repackNeighbourhoods`); downsize again. The two rebuild passes stop once the plan is within a given cost (pack
 * mode: 1.5 % above the LP bound), and the neighbourhood pass after 10,000 pods rebuilt: deterministic budgets in
 * work, not time.
 *
 * Complexity: construction O(N_nodes · M · I · S) with M ≈ 8 candidate classes, I fill steps and S shapes;
 * improvement O(B² · P_b) for B nodes holding P_b pods each. Pods of a deployment share a shape, so S ≪ pods.
 */
import { fitsIn, podAdmitsNode } from './feasibility.ts';
import type { NodeClass, WorkingModel } from './model.ts';
import type { InstanceTypeOffer, ResourceVector, Taint } from './problem.ts';

/** A node while planning: existing (classId −1) or new. */
export interface Bin {
  name: string;
  isNew: boolean;
  classId: number;
  offer: InstanceTypeOffer;
  zone: string;
  capacityType: string;
  labels: Record<string, string>;
  taints: Taint[];
  capacity: ResourceVector;
  used: ResourceVector;
  /** Indexes into model.pods. */
  pods: number[];
  priceUsdPerHour: number;
  /** Per group: −1 unknown, 0 no, 1 yes. */
  admitCache: Int8Array;
}

/** What the heuristics know besides the model: LP resource prices per group and the LP's classes per group. */
export interface PackContext {
  model: WorkingModel;
  groupPrices: ResourceVector[];
  groupHints: number[][];
}

export interface PackOutcome {
  bins: Bin[];
  unplaced: { pod: number; reason: string }[];
}

export interface Shape {
  group: number;
  demand: ResourceVector;
  pods: number[];
  value: number;
}

const CANDIDATE_CLASSES = 6;
/** Pods the neighbourhood pass of `improve` may rebuild in total (a deterministic time budget). */
const NEIGHBOURHOOD_WORK_PODS = 10_000;

export function podValue(ctx: PackContext, podIndex: number): number {
  const info = ctx.model.pods[podIndex];
  if (!info) return 0;
  const y = ctx.groupPrices[info.group];
  if (!y) return 0;
  return info.demand[0] * y[0] + info.demand[1] * y[1] + info.demand[2] * y[2] + info.demand[3] * y[3];
}

export function binValue(ctx: PackContext, bin: Bin): number {
  let v = 0;
  for (const p of bin.pods) v += podValue(ctx, p);
  return v;
}

/** Value per dollar; nodes that cost nothing count as fully efficient. */
export function binEfficiency(ctx: PackContext, bin: Bin): number {
  return bin.priceUsdPerHour > 0 ? binValue(ctx, bin) / bin.priceUsdPerHour : Number.POSITIVE_INFINITY;
}

export function binAdmits(ctx: PackContext, bin: Bin, group: number): boolean {
  const cached = bin.admitCache[group];
  if (cached !== undefined && cached >= 0) return cached === 1;
  const rep = ctx.model.groups[group]?.representative;
  const ok = rep ? podAdmitsNode(rep, bin.labels, bin.taints) : false;
  bin.admitCache[group] = ok ? 1 : 0;
  return ok;
}

export function newBin(ctx: PackContext, cls: NodeClass, name: string): Bin {
  const admitCache = new Int8Array(ctx.model.groups.length);
  for (let g = 0; g < admitCache.length; g++) admitCache[g] = ctx.model.admits(g, cls.id) ? 1 : 0;
  return {
    name,
    isNew: true,
    classId: cls.id,
    offer: cls.offer,
    zone: cls.zone,
    capacityType: cls.offer.capacityType,
    labels: cls.labels,
    taints: cls.taints,
    capacity: cls.capacity,
    used: [0, 0, 0, 0],
    pods: [],
    priceUsdPerHour: cls.priceUsdPerHour,
    admitCache,
  };
}

export function addPod(bin: Bin, podIndex: number, demand: readonly number[]): void {
  bin.pods.push(podIndex);
  for (let r = 0; r < 4; r++) bin.used[r] = (bin.used[r] ?? 0) + (demand[r] ?? 0);
}

/**
 * Best-fit of pods into `bins` (each pod to the admitting bin it fits most tightly), largest value first.
 * Mutates the bins it fills; returns the pods that fit nowhere.
 */
export function placeBestFit(ctx: PackContext, podIndexes: readonly number[], bins: readonly Bin[]): number[] {
  const order = [...podIndexes].sort((a, b) => podValue(ctx, b) - podValue(ctx, a));
  const left: number[] = [];
  for (const p of order) {
    const info = ctx.model.pods[p];
    if (!info) continue;
    const d = info.demand;
    let best: Bin | undefined;
    let bestSlack = Number.POSITIVE_INFINITY;
    for (const bin of bins) {
      const c = bin.capacity;
      const u = bin.used;
      const f0 = c[0] - u[0] - d[0];
      const f1 = c[1] - u[1] - d[1];
      const f2 = c[2] - u[2] - d[2];
      const f3 = c[3] - u[3] - d[3];
      if (f0 < -1e-9 || f1 < -1e-9 || f2 < -1e-9 || f3 < -1e-9) continue;
      const slack = (c[0] > 0 ? f0 / c[0] : 0) + (c[1] > 0 ? f1 / c[1] : 0) + (c[2] > 0 ? f2 / c[2] : 0) + (c[3] > 0 ? f3 / c[3] : 0);
      if (slack < bestSlack && binAdmits(ctx, bin, info.group)) {
        bestSlack = slack;
        best = bin;
      }
    }
    if (best) addPod(best, p, d);
    else left.push(p);
  }
  return left;
}

/** Cheapest class that admits every pod of `bin` and holds them, if cheaper than the bin's current class. */
export function cheaperClassFor(ctx: PackContext, pods: readonly number[], used: readonly number[], zoneOf?: string): NodeClass | undefined {
  const groups = [...new Set(pods.map((p) => ctx.model.pods[p]?.group ?? -1))];
  for (const cls of ctx.model.classes) {
    if (zoneOf !== undefined && cls.zone !== zoneOf) continue;
    if (!fitsIn(used, cls.capacity)) continue;
    if (groups.every((g) => g >= 0 && ctx.model.admits(g, cls.id))) return cls;
  }
  return undefined;
}

/** Moves a new bin to the cheapest class that still holds its pods. */
export function downsize(ctx: PackContext, bin: Bin): void {
  if (!bin.isNew) return;
  const cls = cheaperClassFor(ctx, bin.pods, bin.used);
  if (!cls || cls.priceUsdPerHour >= bin.priceUsdPerHour) return;
  const fresh = newBin(ctx, cls, bin.name);
  Object.assign(bin, { ...fresh, pods: bin.pods, used: bin.used });
}

export function buildShapes(ctx: PackContext, podIndexes: readonly number[]): Shape[] {
  const byKey = new Map<string, Shape>();
  for (const p of podIndexes) {
    const info = ctx.model.pods[p];
    if (!info) continue;
    const d = info.demand;
    const key = `${info.group}|${d[0]},${d[1]},${d[2]},${d[3]}`;
    let shape = byKey.get(key);
    if (!shape) {
      shape = { group: info.group, demand: info.demand, pods: [], value: podValue(ctx, p) };
      byKey.set(key, shape);
    }
    shape.pods.push(p);
  }
  const dominant = (s: Shape) => Math.max(s.demand[0] / 1000, s.demand[1] / 4096, s.demand[3] * 8);
  return [...byKey.values()].sort((a, b) => b.value - a.value || dominant(b) - dominant(a));
}

function unplaceableReason(ctx: PackContext, shape: Shape): string | null {
  const admitted = ctx.model.classesOfGroup[shape.group] ?? [];
  if (!admitted.length) return 'no instance type admits the pod (node selector, affinity or taints)';
  if (admitted.some((c) => fitsIn(shape.demand, ctx.model.classes[c]?.capacity ?? [0, 0, 0, 0]))) return null;
  return `requests ${shape.demand[0]}m CPU, ${shape.demand[1]} MiB, ${shape.demand[3]} GPU exceed every admissible instance type after DaemonSet overhead`;
}

export function sumOf(bins: readonly Bin[]): number {
  return bins.reduce((s, b) => s + b.priceUsdPerHour, 0);
}

/** Splits pods into shapes; returns the placeable shapes and the unplaceable pods with reasons. */
export function shapesOf(ctx: PackContext, podIndexes: readonly number[]): { live: Shape[]; unplaced: PackOutcome['unplaced'] } {
  const unplaced: PackOutcome['unplaced'] = [];
  const live: Shape[] = [];
  for (const shape of buildShapes(ctx, podIndexes)) {
    const reason = unplaceableReason(ctx, shape);
    if (reason) for (const p of shape.pods) unplaced.push({ pod: p, reason });
    else live.push(shape);
  }
  return { live, unplaced };
}

/** Classes of each group ranked by LP-priced capacity per dollar, per context. */
const rankingCache = new WeakMap<PackContext, Map<number, number[]>>();

/** Node-centric construction over shapes (see the file header). */
export function construct(ctx: PackContext, shapes: Shape[], nextName: () => string): Bin[] {
  const { model } = ctx;
  const avail = Int32Array.from(shapes, (s) => s.pods.length);
  const cursor = shapes.map(() => 0);
  const shapesOfClass = new Map<number, number[]>();
  const listFor = (classId: number): number[] => {
    let list = shapesOfClass.get(classId);
    if (!list) {
      list = [];
      shapes.forEach((s, i) => model.admits(s.group, classId) && list?.push(i));
      shapesOfClass.set(classId, list);
    }
    return list;
  };
  // Rankings depend only on the context (LP prices, classes), so they are shared by every rebuild in it.
  let candidatesOfGroup = rankingCache.get(ctx);
  if (!candidatesOfGroup) {
    candidatesOfGroup = new Map<number, number[]>();
    rankingCache.set(ctx, candidatesOfGroup);
  }
  const rankedClasses = (group: number): number[] => {
    let ranked = candidatesOfGroup.get(group);
    if (!ranked) {
      const y = ctx.groupPrices[group] ?? [0, 0, 0, 0];
      const scored = (model.classesOfGroup[group] ?? []).map((c) => {
        const cls = model.classes[c] as NodeClass;
        const worth = cls.capacity[0] * y[0] + cls.capacity[1] * y[1] + cls.capacity[2] * y[2] + cls.capacity[3] * y[3];
        return { c, eff: cls.priceUsdPerHour > 0 ? worth / cls.priceUsdPerHour : Number.POSITIVE_INFINITY };
      });
      ranked = scored.sort((a, b) => b.eff - a.eff).map((e) => e.c);
      candidatesOfGroup.set(group, ranked);
    }
    return ranked;
  };
  const taken = new Int32Array(shapes.length);
  const touched: number[] = [];

  // Shape demands in one flat array: the fill loop below is the hot spot of every rebuild.
  const D = new Float64Array(shapes.length * 4);
  shapes.forEach((s, i) => {
    for (let r = 0; r < 4; r++) D[i * 4 + r] = s.demand[r] as number;
  });

  /** Simulates filling a node of `cls` seeded with one pod of shape `seed`; returns value and the counts per shape. */
  const simulate = (cls: NodeClass, seed: number): { value: number; counts: [number, number][] } | null => {
    const seedShape = shapes[seed] as Shape;
    const cap = cls.capacity;
    let r0 = cap[0] - seedShape.demand[0];
    let r1 = cap[1] - seedShape.demand[1];
    let r2 = cap[2] - seedShape.demand[2];
    let r3 = cap[3] - seedShape.demand[3];
    if (r0 < -1e-9 || r1 < -1e-9 || r2 < -1e-9 || r3 < -1e-9) return null;
    for (const t of touched) taken[t] = 0;
    touched.length = 0;
    taken[seed] = 1;
    touched.push(seed);
    let value = seedShape.value;
    const i0 = cap[0] > 0 ? 1 / (cap[0] * cap[0]) : 0;
    const i1 = cap[1] > 0 ? 1 / (cap[1] * cap[1]) : 0;
    const i2 = cap[2] > 0 ? 1 / (cap[2] * cap[2]) : 0;
    const i3 = cap[3] > 0 ? 1 / (cap[3] * cap[3]) : 0;
    const list = listFor(cls.id);
    for (;;) {
      let best = -1;
      let bestScore = -1;
      for (let j = 0; j < list.length; j++) {
        const i = list[j] as number;
        const a = avail[i] as number;
        if (a <= 0) {
          // exhausted for good: drop it from this class's list
          list[j] = list[list.length - 1] as number;
          list.pop();
          j--;
          continue;
        }
        if (a - (taken[i] as number) <= 0) continue;
        const o = i * 4;
        const d0 = D[o] as number;
        const d1 = D[o + 1] as number;
        const d2 = D[o + 2] as number;
        const d3 = D[o + 3] as number;
        if (d0 > r0 + 1e-9 || d1 > r1 + 1e-9 || d2 > r2 + 1e-9 || d3 > r3 + 1e-9) continue;
        const score = d0 * r0 * i0 + d1 * r1 * i1 + d2 * r2 * i2 + d3 * r3 * i3;
        if (score > bestScore) {
          bestScore = score;
          best = i;
        }
      }
      if (best < 0) break;
      const shape = shapes[best] as Shape;
      const left = (avail[best] as number) - (taken[best] as number);
      const dm = shape.demand;
      let fit = left;
      if (dm[0] > 0) fit = Math.min(fit, Math.floor((r0 + 1e-9) / dm[0]));
      if (dm[1] > 0) fit = Math.min(fit, Math.floor((r1 + 1e-9) / dm[1]));
      if (dm[2] > 0) fit = Math.min(fit, Math.floor((r2 + 1e-9) / dm[2]));
      if (dm[3] > 0) fit = Math.min(fit, Math.floor((r3 + 1e-9) / dm[3]));
      const n = Math.max(1, Math.ceil(fit / 2));
      if (taken[best] === 0) touched.push(best);
      taken[best] = (taken[best] as number) + n;
      r0 -= n * dm[0];
      r1 -= n * dm[1];
      r2 -= n * dm[2];
      r3 -= n * dm[3];
      value += n * shape.value;
    }
    return { value, counts: touched.map((i) => [i, taken[i] as number]) };
  };

  const bins: Bin[] = [];
  let seed = 0;
  for (;;) {
    while (seed < shapes.length && (avail[seed] as number) <= 0) seed++;
    if (seed >= shapes.length) break;
    const seedShape = shapes[seed] as Shape;
    const ranked = rankedClasses(seedShape.group);
    const candidates = new Set<number>();
    for (const c of ranked) {
      if (candidates.size >= CANDIDATE_CLASSES) break;
      if (fitsIn(seedShape.demand, (model.classes[c] as NodeClass).capacity)) candidates.add(c);
    }
    for (const c of (ctx.groupHints[seedShape.group] ?? []).slice(0, 3)) if (fitsIn(seedShape.demand, (model.classes[c] as NodeClass).capacity)) candidates.add(c);
    const cheapest = (model.classesOfGroup[seedShape.group] ?? []).find((c) => fitsIn(seedShape.demand, (model.classes[c] as NodeClass).capacity));
    if (cheapest !== undefined) candidates.add(cheapest);
    // Simulate every candidate and the cheapest class that holds each candidate's fill (right-sizes the tail).
    const sims: { cls: NodeClass; value: number; counts: [number, number][] }[] = [];
    const tried = new Set<number>();
    const trySim = (c: number) => {
      if (tried.has(c)) return undefined;
      tried.add(c);
      const cls = model.classes[c] as NodeClass;
      const sim = simulate(cls, seed);
      if (sim) sims.push({ cls, value: sim.value, counts: sim.counts });
      return sim;
    };
    for (const c of candidates) {
      const sim = trySim(c);
      if (!sim) continue;
      const used = [0, 0, 0, 0];
      const pods: number[] = [];
      for (const [i, n] of sim.counts) {
        const shape = shapes[i] as Shape;
        for (let r = 0; r < 4; r++) used[r] = (used[r] ?? 0) + n * (shape.demand[r] ?? 0);
        pods.push(shape.pods[cursor[i] as number] as number);
      }
      const smaller = cheaperClassFor(ctx, pods, used);
      if (smaller && smaller.priceUsdPerHour < (model.classes[c] as NodeClass).priceUsdPerHour) trySim(smaller.id);
    }
    // Pick the largest surplus value/e* − price, e* = best value per dollar among the fills: at equal
    // efficiency the node that packs more wins, and a right-sized tail node beats a tiny efficient one.
    let eStar = 0;
    for (const s of sims) eStar = Math.max(eStar, s.cls.priceUsdPerHour > 0 ? s.value / s.cls.priceUsdPerHour : 0);
    let best: { cls: NodeClass; value: number; counts: [number, number][]; score: number } | undefined;
    for (const s of sims) {
      const score = eStar > 0 ? s.value / eStar - s.cls.priceUsdPerHour : -s.cls.priceUsdPerHour;
      if (!best || score > best.score + 1e-12 || (Math.abs(score - best.score) <= 1e-12 && s.cls.priceUsdPerHour < best.cls.priceUsdPerHour)) best = { ...s, score };
    }
    if (!best) {
      // Cannot happen for shapes that passed unplaceableReason; guard against an infinite loop anyway.
      avail[seed] = 0;
      continue;
    }
    const bin = newBin(ctx, best.cls, nextName());
    for (const [i, n] of best.counts) {
      const shape = shapes[i] as Shape;
      for (let k = 0; k < n; k++) {
        const pod = shape.pods[cursor[i] as number] as number;
        cursor[i] = (cursor[i] as number) + 1;
        addPod(bin, pod, shape.demand);
      }
      avail[i] = (avail[i] as number) - n;
    }
    bins.push(bin);
  }
  return bins;
}

/** Local improvement of new bins in place (see the file header). */
export function improve(ctx: PackContext, bins: Bin[], nextName: () => string, goodEnoughUsdPerHour = 0): void {
  for (const bin of bins) downsize(ctx, bin);
  emptyLeastEfficient(ctx, bins);
  // The costly rebuild passes stop once the plan is within the target gap of the proven bound: further search
  // could only win a fraction of that gap, and it is where the time goes (measured 100–200 ms).
  if (sumOf(bins) <= goodEnoughUsdPerHour) return finish(ctx, bins);
  repackTail(ctx, bins, nextName);
  if (sumOf(bins) <= goodEnoughUsdPerHour) return finish(ctx, bins);
  // Work budget in pods rebuilt (not wall time, so plans do not depend on machine speed): on the benchmark seeds
  // 10,000 pods kept all but ≤ 0.02 % of the pass's gain on the seeds it has to run to the end.
  repackNeighbourhoods(ctx, bins, nextName, 24, [6, 3], 900, goodEnoughUsdPerHour, NEIGHBOURHOOD_WORK_PODS);
  finish(ctx, bins);
}

function finish(ctx: PackContext, bins: Bin[]): void {
  for (const bin of bins) downsize(ctx, bin);
}

/** Dollars per hour a bin pays beyond the LP value of its pods (≥ 0 up to rounding: what the plan loses there). */
function binWaste(ctx: PackContext, bin: Bin): number {
  return bin.priceUsdPerHour - binValue(ctx, bin);
}

/**
 * Ruin and recreate around the most wasteful new bins: for each of the `seeds` bins that waste the most dollars
 * (price − LP value of their pods), pool its pods with those of up to k − 1 other new bins that could swap pods
 * with it (a group of one admits the other) and whose free capacity complements its own (spare memory where
 * it has spare CPU, and the reverse), rebuild them with `construct`, right-size, and keep the result when it is
 * cheaper. Deterministic; O(seeds · |K| · (B + construct on ≤ k bins)).
 */
export function repackNeighbourhoods(
  ctx: PackContext,
  bins: Bin[],
  nextName: () => string,
  seeds = 24,
  sizes: readonly number[] = [6, 3],
  maxPods = 900,
  goodEnoughUsdPerHour = 0,
  workBudgetPods = Number.POSITIVE_INFINITY,
): void {
  const free = (b: Bin, r: number) => ((b.capacity[r] as number) > 0 ? ((b.capacity[r] as number) - (b.used[r] as number)) / (b.capacity[r] as number) : 0);
  const groupsOf = (b: Bin) => [...new Set(b.pods.map((p) => ctx.model.pods[p]?.group ?? -1))].filter((g) => g >= 0);
  const related = (a: Bin, b: Bin, ga: number[], gb: number[]) => ga.some((g) => binAdmits(ctx, b, g)) || gb.some((g) => binAdmits(ctx, a, g));
  const tried = new Set<string>();
  let fresh = bins.filter((b) => b.isNew && b.pods.length > 0);
  const waste = new Map(fresh.map((b) => [b, binWaste(ctx, b)]));
  const order = [...fresh].sort((a, b) => (waste.get(b) as number) - (waste.get(a) as number));
  let total = sumOf(bins);
  let work = 0;
  for (const seed of order.slice(0, seeds)) {
    if (total <= goodEnoughUsdPerHour || work >= workBudgetPods) return;
    if (!bins.includes(seed)) continue;
    fresh = bins.filter((b) => b.isNew && b.pods.length > 0);
    for (const b of fresh) if (!waste.has(b)) waste.set(b, binWaste(ctx, b));
    const gs = groupsOf(seed);
    const sc = free(seed, 0);
    const sm = free(seed, 1);
    const companions = fresh
      .filter((b) => b !== seed && related(seed, b, gs, groupsOf(b)))
      .map((b) => ({ b, score: sc * free(b, 1) + sm * free(b, 0) + (waste.get(b) as number) / Math.max(seed.priceUsdPerHour, 1e-9) }))
      .sort((x, y) => y.score - x.score);
    for (const k of sizes) {
      // a pod cap keeps each rebuild cheap where nodes are large (hundreds of pods each)
      const part = [seed];
      let podCount = seed.pods.length;
      for (const c of companions) {
        if (part.length >= k || podCount >= maxPods) break;
        part.push(c.b);
        podCount += c.b.pods.length;
      }
      if (part.length < 2) continue;
      const key = part.map((b) => b.name).sort().join('|');
      if (tried.has(key)) continue;
      tried.add(key);
      const pods = part.flatMap((b) => b.pods);
      work += pods.length;
      const before = sumOf(part);
      const rebuilt = construct(ctx, buildShapes(ctx, pods), nextName);
      for (const b of rebuilt) downsize(ctx, b);
      if (sumOf(rebuilt) < before - 1e-9) {
        for (const b of part) bins.splice(bins.indexOf(b), 1);
        bins.push(...rebuilt);
        total += sumOf(rebuilt) - before;
        break;
      }
    }
  }
}

/** Tries to move every pod of the least efficient new bins into the other bins; removes the bins it empties. */
export function emptyLeastEfficient(ctx: PackContext, bins: Bin[], limit = 64): void {
  const order = byEfficiency(ctx, bins.filter((b) => b.isNew)).slice(0, limit);
  for (const victim of order) {
    const others = bins.filter((b) => b !== victim);
    const snapshot = others.map((b) => ({ b, used: [...b.used] as ResourceVector, n: b.pods.length }));
    const left = placeBestFit(ctx, victim.pods, others);
    if (left.length) {
      for (const s of snapshot) {
        s.b.used = s.used;
        s.b.pods.length = s.n;
      }
      continue;
    }
    bins.splice(bins.indexOf(victim), 1);
  }
}

/** Repacks the k least efficient new bins together (k = 2 … 8) and keeps the result when it is cheaper. */
function repackTail(ctx: PackContext, bins: Bin[], nextName: () => string): void {
  for (let round = 0; round < 3; round++) {
    let improved = false;
    for (const k of [8, 5, 3, 2]) {
      if (k > bins.length) continue;
      const tail = byEfficiency(ctx, bins.filter((b) => b.isNew)).slice(0, k);
      if (tail.length < 2) break;
      const pods = tail.flatMap((b) => b.pods);
      const before = tail.reduce((sum, b) => sum + b.priceUsdPerHour, 0);
      const rebuilt = construct(ctx, buildShapes(ctx, pods), nextName);
      for (const b of rebuilt) downsize(ctx, b);
      const after = rebuilt.reduce((sum, b) => sum + b.priceUsdPerHour, 0);
      if (after < before - 1e-9) {
        for (const b of tail) bins.splice(bins.indexOf(b), 1);
        bins.push(...rebuilt);
        improved = true;
        break;
      }
    }
    if (!improved) break;
  }
}

/** Bins sorted by value per dollar, least efficient first. */
export function byEfficiency(ctx: PackContext, bins: readonly Bin[]): Bin[] {
  const eff = new Map(bins.map((b) => [b, binEfficiency(ctx, b)]));
  return [...bins].sort((a, b) => (eff.get(a) as number) - (eff.get(b) as number));
}
