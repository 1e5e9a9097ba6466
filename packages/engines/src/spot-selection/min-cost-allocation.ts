/**
 * Exact allocation of N identical nodes to pools under the diversity caps:
 *
 *   minimise Σ_p cost_p · x_p   subject to   Σ_p x_p ≤ N (as many as possible),  0 ≤ x_p ≤ poolCap_p,
 *                                            Σ_{p ∈ family f} x_p ≤ familyCap,    Σ_{p ∈ AZ a} x_p ≤ azCap.
 *
 * Every pool lies in exactly one family and one AZ, so this is a min-cost flow:
 * source →(familyCap) family →(pool edge: poolCap, cost_p) AZ →(azCap) sink. Network matrices are totally
 * unimodular, so the optimum is integral without branch and bound, and successive shortest paths (Dijkstra
 * with Johnson potentials; all original costs are ≥ 0) reach it in ≤ N augmentations, each
 * O(V² + E) with V = families + AZs + 2 (tens) and E ≈ pools (thousands).
 *
 * Why not the obvious greedy (cheapest pool with room, one node at a time): with two crossing cap families
 * (family × AZ) greedy can fill an AZ with a cheap family and then be forced onto an expensive pool it could
 * have avoided — the flow's residual paths move earlier units instead. Why not an LP via `highs`: the problem
 * is already a network flow solved exactly here in well under a millisecond, synchronously, with no WASM
 * start-up; an LP buys nothing until constraints stop being a network (e.g. per-PDB budgets across pools).
 *
 * Deterministic: pools are visited in input order and ties keep the first path found.
 */

/** One pool as the allocator sees it. */
export interface FlowPool {
  /** Expected cost per node-hour (≥ 0). */
  cost: number;
  familyIndex: number;
  azIndex: number;
  /** Most nodes this pool may take. */
  cap: number;
}

/** Result of `allocateMinCost`. */
export interface FlowAllocation {
  /** Nodes per pool, same order as the input. */
  counts: Int32Array;
  /** Nodes placed (≤ N). */
  placed: number;
  totalCost: number;
  /** Nodes per family / per AZ. */
  familyLoad: Int32Array;
  azLoad: Int32Array;
}

/**
 * Places up to `nodeCount` nodes at minimum total cost under the caps.
 * @param familyCount number of distinct family indexes; @param azCount number of AZ indexes.
 */
export function allocateMinCost(pools: readonly FlowPool[], familyCount: number, azCount: number, familyCap: number, azCap: number, nodeCount: number): FlowAllocation {
  const V = familyCount + azCount + 2;
  const S = 0;
  const T = V - 1;
  const famNode = (f: number) => 1 + f;
  const azNode = (a: number) => 1 + familyCount + a;
  const maxEdges = 2 * (familyCount + azCount + pools.length);
  const to = new Int32Array(maxEdges);
  const cap = new Int32Array(maxEdges);
  const cost = new Float64Array(maxEdges);
  const next = new Int32Array(maxEdges);
  const head = new Int32Array(V).fill(-1);
  let m = 0;
  const addEdge = (u: number, v: number, c: number, w: number): number => {
    const e = m;
    to[m] = v;
    cap[m] = c;
    cost[m] = w;
    next[m] = head[u] as number;
    head[u] = m++;
    to[m] = u;
    cap[m] = 0;
    cost[m] = -w;
    next[m] = head[v] as number;
    head[v] = m++;
    return e;
  };
  // Families and AZs are added in index order and pools in input order so the search is deterministic.
  for (let f = 0; f < familyCount; f++) addEdge(S, famNode(f), familyCap, 0);
  const poolEdge = new Int32Array(pools.length);
  for (let i = pools.length - 1; i >= 0; i--) {
    // Inserted in reverse so the adjacency list (a stack) yields pools in input order.
    const p = pools[i] as FlowPool;
    poolEdge[i] = addEdge(famNode(p.familyIndex), azNode(p.azIndex), Math.max(0, p.cap), p.cost);
  }
  for (let a = 0; a < azCount; a++) addEdge(azNode(a), T, azCap, 0);

  const potential = new Float64Array(V);
  const dist = new Float64Array(V);
  const prevEdge = new Int32Array(V);
  const done = new Uint8Array(V);
  let placed = 0;
  let totalCost = 0;
  while (placed < nodeCount) {
    dist.fill(Infinity);
    prevEdge.fill(-1);
    done.fill(0);
    dist[S] = 0;
    for (;;) {
      let u = -1;
      let best = Infinity;
      for (let v = 0; v < V; v++) {
        if (!done[v] && (dist[v] as number) < best) {
          best = dist[v] as number;
          u = v;
        }
      }
      if (u < 0) break;
      done[u] = 1;
      const pu = potential[u] as number;
      for (let e = head[u] as number; e >= 0; e = next[e] as number) {
        if ((cap[e] as number) <= 0) continue;
        const v = to[e] as number;
        if (done[v]) continue;
        // Reduced costs are ≥ 0 in exact arithmetic; clamp float noise so Dijkstra stays valid.
        let rc = (cost[e] as number) + pu - (potential[v] as number);
        if (rc < 0) rc = 0;
        const d = best + rc;
        if (d < (dist[v] as number)) {
          dist[v] = d;
          prevEdge[v] = e;
        }
      }
    }
    if (dist[T] === Infinity) break;
    for (let v = 0; v < V; v++) if (dist[v] !== Infinity) potential[v] = (potential[v] as number) + (dist[v] as number);
    let push = nodeCount - placed;
    for (let v = T; v !== S; ) {
      const e = prevEdge[v] as number;
      if ((cap[e] as number) < push) push = cap[e] as number;
      v = to[e ^ 1] as number;
    }
    let pathCost = 0;
    for (let v = T; v !== S; ) {
      const e = prevEdge[v] as number;
      cap[e] = (cap[e] as number) - push;
      cap[e ^ 1] = (cap[e ^ 1] as number) + push;
      pathCost += cost[e] as number;
      v = to[e ^ 1] as number;
    }
    placed += push;
    totalCost += push * pathCost;
  }

  const counts = new Int32Array(pools.length);
  const familyLoad = new Int32Array(familyCount);
  const azLoad = new Int32Array(azCount);
  for (let i = 0; i < pools.length; i++) {
    const x = cap[(poolEdge[i] as number) ^ 1] as number;
    counts[i] = x;
    const p = pools[i] as FlowPool;
    familyLoad[p.familyIndex] = (familyLoad[p.familyIndex] as number) + x;
    azLoad[p.azIndex] = (azLoad[p.azIndex] as number) + x;
  }
  return { counts, placed, totalCost, familyLoad, azLoad };
}
