/**
 * Indexed working model of a problem: pods with demand vectors grouped by compatibility signature (same
 * selectors, affinity and tolerations ⇒ same set of admissible nodes), and the node classes a new node can be
 * made of (offer × zone), deduplicated and pruned of dominated classes.
 */
import { fitsIn, offerLabels, podAdmitsNode, podDemand, usableCapacity } from './feasibility.ts';
import type { BinPackProblem, InstanceTypeOffer, Pod, ResourceVector, Taint } from './problem.ts';

export interface PodInfo {
  index: number;
  pod: Pod;
  demand: ResourceVector;
  group: number;
}

/** Pods that admit exactly the same nodes. */
export interface PodGroup {
  id: number;
  representative: Pod;
  key: string;
}

/** What a new node can be: an offering in one zone, with its labels, taints, usable capacity and price. */
export interface NodeClass {
  id: number;
  offer: InstanceTypeOffer;
  zone: string;
  labels: Record<string, string>;
  taints: Taint[];
  capacity: ResourceVector;
  priceUsdPerHour: number;
}

export interface WorkingModel {
  pods: PodInfo[];
  groups: PodGroup[];
  /** Classes sorted by price, ascending (ids are indexes into this array). */
  classes: NodeClass[];
  /** True when group `g` admits class `c`. */
  admits(group: number, classId: number): boolean;
  /** Class ids each group admits, cheapest first. */
  classesOfGroup: number[][];
}

function sortedEntries(record: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The compatibility signature of a pod: everything that decides which nodes admit it. */
export function compatibilityKey(pod: Pod): string {
  return JSON.stringify([
    sortedEntries(pod.nodeSelector),
    [...pod.nodeAffinity].map((r) => [r.key, r.operator, [...r.values].sort()]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    pod.tolerations.map((t) => [t.key ?? '', t.operator, t.value ?? '', t.effect ?? '']).sort((a, b) => a.join('\u0000').localeCompare(b.join('\u0000'))),
  ]);
}

/** Groups pods by compatibility signature. */
export function groupPods(pods: readonly Pod[], indexes: readonly number[]): { infos: PodInfo[]; groups: PodGroup[] } {
  const groups: PodGroup[] = [];
  const byKey = new Map<string, number>();
  const infos: PodInfo[] = [];
  for (const index of indexes) {
    const pod = pods[index] as Pod;
    const key = compatibilityKey(pod);
    let group = byKey.get(key);
    if (group === undefined) {
      group = groups.length;
      byKey.set(key, group);
      groups.push({ id: group, representative: pod, key });
    }
    infos.push({ index, pod, demand: podDemand(pod), group });
  }
  return { infos, groups };
}

/**
 * Node classes for new nodes: every offering × zone, then (1) classes that every group treats alike and that
 * differ only in zone are merged (keep the first zone), (2) a class is dropped when another class admitted by a
 * superset of the groups has at least its capacity in every resource at no higher price.
 */
export function buildClasses(problem: BinPackProblem, groups: readonly PodGroup[]): { classes: NodeClass[]; admitMatrix: Uint8Array[] } {
  const raw: { cls: Omit<NodeClass, 'id'>; admit: Uint8Array; sig: string }[] = [];
  const seen = new Set<string>();
  for (const offer of problem.instanceTypes) {
    const capacity = usableCapacity(offer, problem.options.daemonsetOverhead);
    if (capacity[2] <= 0) continue;
    for (const zone of offer.zones) {
      const labels = offerLabels(offer, zone);
      const admit = new Uint8Array(groups.length);
      for (const g of groups) admit[g.id] = podAdmitsNode(g.representative, labels, offer.taints) ? 1 : 0;
      const sig = admit.join('');
      const dedupe = `${sig}|${capacity.join(',')}|${offer.priceUsdPerHour}`;
      if (seen.has(dedupe)) continue;
      seen.add(dedupe);
      raw.push({ cls: { offer, zone, labels, taints: offer.taints, capacity, priceUsdPerHour: offer.priceUsdPerHour }, admit, sig });
    }
  }
  raw.sort((a, b) => a.cls.priceUsdPerHour - b.cls.priceUsdPerHour || a.cls.offer.name.localeCompare(b.cls.offer.name) || a.cls.zone.localeCompare(b.cls.zone));
  const kept: typeof raw = [];
  for (const candidate of raw) {
    if (!candidate.admit.some((x) => x === 1)) continue;
    const dominated = kept.some(
      (k) =>
        k.cls.priceUsdPerHour <= candidate.cls.priceUsdPerHour &&
        fitsIn(candidate.cls.capacity, k.cls.capacity) &&
        candidate.admit.every((x, g) => x === 0 || k.admit[g] === 1),
    );
    if (!dominated) kept.push(candidate);
  }
  const classes = kept.map((k, id) => ({ ...k.cls, id }));
  // admitMatrix[g][c]
  const admitMatrix = groups.map((g) => Uint8Array.from(kept, (k) => k.admit[g.id] ?? 0));
  return { classes, admitMatrix };
}

/** Builds the working model of the given pods (indexes into problem.pods). */
export function buildModel(problem: BinPackProblem, podIndexes: readonly number[]): WorkingModel {
  const { infos, groups } = groupPods(problem.pods, podIndexes);
  const { classes, admitMatrix } = buildClasses(problem, groups);
  const classesOfGroup = admitMatrix.map((row) => {
    const ids: number[] = [];
    row.forEach((x, c) => x && ids.push(c));
    return ids;
  });
  return {
    pods: infos,
    groups,
    classes,
    admits: (g, c) => admitMatrix[g]?.[c] === 1,
    classesOfGroup,
  };
}
