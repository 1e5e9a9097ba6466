import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPlan } from './feasibility.ts';
import { createHighsLpSolver } from './highs-solver.ts';
import { solveBinPacking } from './index.ts';
import type { LpSolver } from './lower-bound.ts';
import type { BinPackProblem, Pod } from './problem.ts';
import { node, offer, pdb, pod, problem } from './test-builders.ts';

/** More runs on demand: BINPACK_PROPERTY_RUNS=1000 npx vitest run packages/engines/src/bin-packing */
const RUNS = Number(process.env.BINPACK_PROPERTY_RUNS ?? 60);
let lpSolver: LpSolver;
beforeAll(async () => {
  lpSolver = createHighsLpSolver(await (await import('highs')).default());
});

const TYPES = [
  offer('small', 2000, 4096, 0.1, { pods: 20 }),
  offer('medium', 4000, 8192, 0.19, { pods: 40 }),
  offer('highmem', 2000, 16384, 0.15, { pods: 20 }),
  offer('arm', 4000, 8192, 0.15, { architecture: 'arm64', pods: 40 }),
  offer('gpu', 8000, 32768, 1.0, { gpus: 1, taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }], pods: 40 }),
];

describe('pack (table)', () => {
  const cases: { name: string; pods: Pod[]; cost: number; types?: string[]; unplaced?: number }[] = [
    { name: 'one small pod takes the cheapest type', pods: [pod('a-1', 500, 512)], cost: 0.1, types: ['small'] },
    { name: 'memory-heavy pods take highmem', pods: [pod('m-1', 500, 7000), pod('m-2', 500, 7000)], cost: 0.15, types: ['highmem'] },
    { name: 'amd64 selector avoids the cheaper arm type', pods: [pod('a-1', 3500, 6000, { nodeSelector: { 'kubernetes.io/arch': 'amd64' } })], cost: 0.19, types: ['medium'] },
    { name: 'a pod that runs anywhere may use arm', pods: [pod('a-1', 3500, 6000)], cost: 0.15, types: ['arm'] },
    {
      name: 'GPU pods need the toleration',
      pods: [pod('g-1', 1000, 1000, { gpus: 1, tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }] }), pod('g-2', 1000, 1000, { gpus: 1 })],
      cost: 1.0,
      types: ['gpu'],
      unplaced: 1,
    },
    { name: 'a pod larger than every type is unplaced', pods: [pod('huge-1', 64000, 1000)], cost: 0, types: [], unplaced: 1 },
    { name: 'the pod limit counts', pods: Array.from({ length: 21 }, (_, i) => pod(`t-${i}`, 10, 10, { nodeSelector: { 'kubernetes.io/arch': 'amd64' } })), cost: 0.19, types: ['medium'] },
  ];
  it.each(cases)('$name', ({ pods, cost, types, unplaced }) => {
    const p = problem({ instanceTypes: TYPES, pods });
    const plan = solveBinPacking(p, { lpSolver });
    expect(checkPlan(p, plan)).toEqual([]);
    expect(plan.costUsdPerHour).toBeCloseTo(cost, 9);
    if (types) expect(plan.nodes.map((n) => n.instanceType).sort()).toEqual(types);
    expect(plan.unplaced).toHaveLength(unplaced ?? 0);
    expect(plan.lowerBound.valueUsdPerHour).toBeLessThanOrEqual(plan.costUsdPerHour + 1e-9);
    if (plan.unplaced.length) expect(plan.unplaced[0]?.reason).toMatch(/admits|exceed/);
  });

  it('charges DaemonSet overhead on every node', () => {
    const p = problem({ instanceTypes: [offer('small', 2000, 4096, 0.1)], pods: [pod('a-1', 1000, 100), pod('a-2', 1000, 100)], options: { daemonsetOverhead: { cpuMillis: 100, memoryMib: 0, pods: 1 } } });
    const plan = solveBinPacking(p, { lpSolver });
    expect(plan.nodes).toHaveLength(2);
    expect(checkPlan(p, plan)).toEqual([]);
  });

  it('honours zone selectors and offers', () => {
    const p = problem({
      instanceTypes: [offer('small', 2000, 4096, 0.1, { zones: ['a', 'b'] })],
      pods: [pod('x-1', 500, 500, { nodeSelector: { 'topology.kubernetes.io/zone': 'b' } }), pod('y-1', 500, 500, { nodeSelector: { 'topology.kubernetes.io/zone': 'c' } })],
    });
    const plan = solveBinPacking(p, { lpSolver });
    expect(plan.nodes.map((n) => n.zone)).toEqual(['b']);
    expect(plan.unplaced.map((u) => u.pod)).toEqual(['y-1']);
  });

  it('works without an LP solver (single-resource bound)', () => {
    const p = problem({ instanceTypes: TYPES, pods: [pod('a-1', 1500, 1000), pod('a-2', 1500, 1000)] });
    const plan = solveBinPacking(p);
    expect(plan.lowerBound.method).toBe('single-resource');
    expect(checkPlan(p, plan)).toEqual([]);
    expect(plan.lowerBound.valueUsdPerHour).toBeLessThanOrEqual(plan.costUsdPerHour);
  });
});

describe('consolidate (table)', () => {
  const types = [offer('m.large', 2000, 8192, 0.1), offer('m.xlarge', 4000, 16384, 0.2)];
  const base = (extra: Partial<Parameters<typeof problem>[0]> = {}) =>
    problem({
      instanceTypes: types,
      nodes: [node('n1', 'm.xlarge'), node('n2', 'm.xlarge'), node('n3', 'm.xlarge')],
      pods: [pod('a-1', 1000, 1000, { node: 'n1' }), pod('b-1', 1000, 1000, { node: 'n2' }), pod('c-1', 500, 500, { node: 'n3' })],
      ...extra,
      options: { mode: 'consolidate', ...extra.options },
    });

  it('deletes nodes whose pods fit elsewhere, within the budget', () => {
    const p = base();
    const plan = solveBinPacking(p, { lpSolver });
    expect(checkPlan(p, plan)).toEqual([]);
    expect(plan.removedNodes).toHaveLength(2);
    expect(plan.costUsdPerHour).toBeCloseTo(0.2, 9);
    expect(plan.savingsUsdPerHour).toBeCloseTo(0.4, 9);
    expect(plan.moves).toHaveLength(2);
    // LP: 2.5 CPUs could be 1.25 fractional m.large nodes, so the bound is below the integer optimum
    expect(plan.lowerBound.valueUsdPerHour).toBeCloseTo(0.125, 6);
  });

  it('respects max_disrupted_nodes', () => {
    const p = base({ options: { mode: 'consolidate', maxDisruptedNodes: 1 } });
    const plan = solveBinPacking(p, { lpSolver });
    expect(plan.removedNodes).toHaveLength(1);
    expect(checkPlan(p, plan)).toEqual([]);
    expect(plan.lowerBound.valueUsdPerHour).toBeGreaterThanOrEqual(0.4 - 1e-6);
  });

  it('replaces a node by a cheaper one when its pods fit nowhere else', () => {
    const p = problem({ instanceTypes: types, nodes: [node('n1', 'm.xlarge')], pods: [pod('a-1', 1000, 1000, { node: 'n1' })], options: { mode: 'consolidate' } });
    const plan = solveBinPacking(p, { lpSolver });
    expect(checkPlan(p, plan)).toEqual([]);
    expect(plan.removedNodes).toEqual([expect.objectContaining({ name: 'n1', action: 'replace' })]);
    expect(plan.nodes.map((n) => n.instanceType)).toEqual(['m.large']);
    expect(plan.steps.map((s) => s.action)).toEqual(['launch', 'drain-and-delete']);
    expect(plan.candidates[0]).toMatchObject({ node: 'n1', action: 'replace', replacement: 'm.large' });
  });

  it('never disrupts do-not-disrupt pods or nodes, unowned pods, or what a PDB forbids', () => {
    const p = base({
      pods: [
        pod('a-1', 1000, 1000, { node: 'n1', annotations: { 'karpenter.sh/do-not-disrupt': 'true' } }),
        pod('b-1', 1000, 1000, { node: 'n2', owner: null }),
        pod('c-1', 500, 500, { node: 'n3' }),
        pod('c-2', 500, 500, { node: 'n3' }),
      ],
      pdbs: [pdb('c', { app: 'c' }, { minAvailable: 2 })],
    });
    const plan = solveBinPacking(p, { lpSolver });
    expect(plan.removedNodes).toEqual([]);
    expect(checkPlan(p, plan)).toEqual([]);
    expect(plan.candidates.map((c) => c.action)).toEqual(['blocked', 'blocked', 'blocked']);
    expect(plan.candidates.map((c) => c.reason).join(' ')).toMatch(/do-not-disrupt.*no owner.*PDB default\/c allows 0/s);
    expect(plan.gap).toBeCloseTo(0, 6);
  });

  it('places pending pods first', () => {
    const p = base({ pods: [pod('a-1', 1000, 1000, { node: 'n1' }), pod('p-1', 3000, 1000)], nodes: [node('n1', 'm.xlarge')] });
    const plan = solveBinPacking(p, { lpSolver });
    expect(checkPlan(p, plan)).toEqual([]);
    expect(plan.moves.find((m) => m.pod === 'p-1')?.from).toBeNull();
  });
});

// ---- property tests: random problems, plans never violate a constraint, and bound ≤ cost
const ZONES = ['a', 'b'];
const typeArb = fc.record({
  cpu: fc.integer({ min: 1000, max: 16000 }),
  mem: fc.integer({ min: 1024, max: 65536 }),
  pods: fc.integer({ min: 3, max: 60 }),
  gpus: fc.constantFrom(0, 0, 0, 1),
  price: fc.double({ min: 0.01, max: 3, noNaN: true }),
  arm: fc.boolean(),
  zones: fc.subarray(ZONES, { minLength: 1 }),
});
const podArb = fc.record({
  cpu: fc.integer({ min: 0, max: 6000 }),
  mem: fc.integer({ min: 0, max: 20000 }),
  gpu: fc.constantFrom(0, 0, 0, 0, 1),
  arch: fc.constantFrom(undefined, 'amd64', 'arm64'),
  zone: fc.constantFrom(undefined, undefined, 'a', 'b'),
  tolerate: fc.boolean(),
  app: fc.constantFrom('w', 'x', 'y', 'z'),
  pinned: fc.constantFrom(false, false, false, false, true),
  unowned: fc.constantFrom(false, false, false, false, true),
});

type Of<A> = A extends fc.Arbitrary<infer T> ? T : never;

function buildProblem(types: Of<typeof typeArb>[], pods: Of<typeof podArb>[], mode: 'pack' | 'consolidate', nodeChoice: number[], budget: number, overhead: number): BinPackProblem {
  const instanceTypes = types.map((t, i) =>
    offer(`t${i}.x`, t.cpu, t.mem, Math.round(t.price * 1e4) / 1e4, {
      pods: t.pods,
      gpus: t.gpus,
      architecture: t.arm ? 'arm64' : 'x86_64',
      zones: t.zones,
      taints: t.gpus ? [{ key: 'gpu', effect: 'NoSchedule' }] : [],
    }),
  );
  const nodes = mode === 'consolidate' ? nodeChoice.map((c, i) => node(`n${i}`, instanceTypes[c % instanceTypes.length]?.name as string, { zone: instanceTypes[c % instanceTypes.length]?.zones[0] as string, taints: instanceTypes[c % instanceTypes.length]?.taints ?? [] })) : [];
  return problem({
    instanceTypes,
    nodes,
    pods: pods.map((p, i) =>
      pod(`${p.app}-${i}`, p.cpu, p.mem, {
        gpus: p.gpu,
        nodeSelector: { ...(p.arch && { 'kubernetes.io/arch': p.arch }), ...(p.zone && { 'topology.kubernetes.io/zone': p.zone }) },
        tolerations: p.tolerate ? [{ key: 'gpu', operator: 'Exists' }] : [],
        labels: { app: p.app },
        annotations: p.pinned ? { 'karpenter.sh/do-not-disrupt': 'true' } : {},
        owner: p.unowned ? null : { kind: 'ReplicaSet', name: p.app },
        node: nodes.length && mode === 'consolidate' ? (nodes[i % nodes.length]?.name ?? null) : null,
      }),
    ),
    pdbs: [pdb('w', { app: 'w' }, { maxUnavailable: 1 }), pdb('x', { app: 'x' }, { minAvailable: '50%' })],
    options: { mode, maxDisruptedNodes: budget, daemonsetOverhead: { cpuMillis: overhead, memoryMib: overhead, pods: 1 } },
  });
}

describe('properties', () => {
  it('pack plans respect capacity, selectors, taints and zones; the bound never exceeds the cost', () => {
    fc.assert(
      fc.property(fc.array(typeArb, { minLength: 1, maxLength: 6 }), fc.array(podArb, { maxLength: 40 }), fc.integer({ min: 0, max: 300 }), (types, pods, overhead) => {
        const p = buildProblem(types, pods, 'pack', [], 0, overhead);
        for (const solver of [lpSolver, undefined]) {
          const plan = solveBinPacking(p, solver ? { lpSolver: solver } : {});
          expect(checkPlan(p, plan)).toEqual([]);
          expect(plan.lowerBound.valueUsdPerHour).toBeLessThanOrEqual(plan.costUsdPerHour + 1e-9);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('consolidation plans respect PDBs, do-not-disrupt, owners and the budget, and never cost more than needed', () => {
    fc.assert(
      fc.property(
        fc.array(typeArb, { minLength: 1, maxLength: 5 }),
        fc.array(podArb, { maxLength: 40 }),
        fc.array(fc.nat(10), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 0, max: 4 }),
        (types, pods, nodeChoice, budget) => {
          const p = buildProblem(types, pods, 'consolidate', nodeChoice, budget, 100);
          const plan = solveBinPacking(p, { lpSolver });
          expect(checkPlan(p, plan)).toEqual([]);
          expect(plan.removedNodes.length).toBeLessThanOrEqual(budget);
          expect(plan.lowerBound.valueUsdPerHour).toBeLessThanOrEqual(plan.costUsdPerHour + 1e-9);
          const launchedForPending = plan.nodes.filter((n) => n.isNew && plan.moves.some((m) => m.to === n.name && m.from === null));
          if (!launchedForPending.length) expect(plan.costUsdPerHour).toBeLessThanOrEqual(plan.initialCostUsdPerHour + 1e-9);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
