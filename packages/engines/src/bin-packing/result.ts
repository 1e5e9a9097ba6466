/** Turning planning bins into the plan's plain-data nodes, and the summary figures of a result. */
import type { LowerBound } from './lower-bound.ts';
import type { WorkingModel } from './model.ts';
import type { Bin } from './pack.ts';
import type { BinPackRationale, BoundInfo, PlannedNode } from './problem.ts';

const round = (x: number, digits = 6): number => Math.round(x * 10 ** digits) / 10 ** digits;

function share(used: number, cap: number): number {
  return cap > 0 ? round(used / cap, 4) : 0;
}

export function plannedNode(model: WorkingModel, bin: Bin, extraPods: readonly string[] = []): PlannedNode {
  return {
    name: bin.name,
    instanceType: bin.offer.name,
    zone: bin.zone,
    capacityType: bin.capacityType,
    priceUsdPerHour: bin.priceUsdPerHour,
    pods: [...bin.pods.map((p) => model.pods[p]?.pod.name ?? '?'), ...extraPods],
    isNew: bin.isNew,
    utilisation: {
      cpu: share(bin.used[0], bin.capacity[0]),
      memory: share(bin.used[1], bin.capacity[1]),
      pods: share(bin.used[2], bin.capacity[2]),
      gpu: share(bin.used[3], bin.capacity[3]),
    },
  };
}

/** Cost-weighted mean utilisation of bins. */
export function weightedUtilisation(bins: readonly Bin[]): BinPackRationale['utilisation'] {
  let total = 0;
  const sums = [0, 0, 0, 0];
  for (const b of bins) {
    total += b.priceUsdPerHour;
    for (let r = 0; r < 4; r++) sums[r] = (sums[r] ?? 0) + b.priceUsdPerHour * (b.capacity[r] ? (b.used[r] ?? 0) / (b.capacity[r] as number) : 0);
  }
  const at = (r: number) => (total > 0 ? round((sums[r] ?? 0) / total, 4) : 0);
  return { cpu: at(0), memory: at(1), pods: at(2), gpu: at(3) };
}

export function boundInfo(bound: LowerBound): BoundInfo {
  return {
    valueUsdPerHour: round(bound.valueUsdPerHour, 6),
    method: bound.method,
    lpObjectiveUsdPerHour: bound.lpObjectiveUsdPerHour === null ? null : round(bound.lpObjectiveUsdPerHour, 6),
    lpColumns: bound.lpColumns,
    lpRows: bound.lpRows,
  };
}

/** cost / bound − 1; 0 when both are 0, +∞ (reported as null on the wire) when only the bound is 0. */
export function gapOf(cost: number, bound: number): number {
  if (bound <= 0) return cost <= 1e-12 ? 0 : Number.POSITIVE_INFINITY;
  return round(cost / bound - 1, 6);
}

export function sumPrices(bins: readonly Bin[]): number {
  return bins.reduce((s, b) => s + b.priceUsdPerHour, 0);
}

export { round };
