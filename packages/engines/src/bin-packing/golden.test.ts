import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPlan } from './feasibility.ts';
import { createHighsLpSolver } from './highs-solver.ts';
import { solveBinPacking } from './index.ts';
import type { LpSolver } from './lower-bound.ts';
import { BinPackProblemSchema } from './problem-schema.ts';

const examples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../docs/examples');
const load = (name: string) => BinPackProblemSchema.parse(JSON.parse(readFileSync(path.join(examples, name), 'utf8')));

let lpSolver: LpSolver;
beforeAll(async () => {
  lpSolver = createHighsLpSolver(await (await import('highs')).default());
});

/** Golden scenarios: the documented examples, whose plans are small enough to check by hand. */
describe('golden scenarios (docs/examples)', () => {
  it('binpack-pack.json: GPU pod on the tainted GPU type, the zone-pinned db in us-east-1b, arm for the multi-arch workers', () => {
    const problem = load('binpack-pack.json');
    const plan = solveBinPacking(problem, { lpSolver });
    expect(checkPlan(problem, plan)).toEqual([]);
    expect(plan.nodes.map((n) => n.instanceType).sort()).toEqual(['c5.xlarge', 'g4dn.xlarge', 'm5.2xlarge', 'm6g.xlarge']);
    expect(plan.costUsdPerHour).toBeCloseTo(1.234, 6);
    expect(plan.lowerBound.valueUsdPerHour).toBeCloseTo(1.121382, 5);
    const where = (pod: string) => plan.nodes.find((n) => n.pods.includes(pod));
    expect(where('inference-0')?.instanceType).toBe('g4dn.xlarge');
    expect(where('db-0')?.zone).toBe('us-east-1b');
    expect(where('worker-0')?.instanceType).toBe('m6g.xlarge');
  });

  it('binpack-consolidate.json: three deletions within the budget of 3; the do-not-disrupt node and the node with a do-not-disrupt pod stay', () => {
    const problem = load('binpack-consolidate.json');
    const plan = solveBinPacking(problem, { lpSolver });
    expect(checkPlan(problem, plan)).toEqual([]);
    expect(plan.removedNodes.map((r) => `${r.action}:${r.name}`).sort()).toEqual(['delete:ip-10-0-0-1', 'delete:ip-10-0-1-1', 'delete:ip-10-0-3-1']);
    expect(plan.costUsdPerHour).toBeCloseTo(0.768, 6);
    expect(plan.savingsUsdPerHour).toBeCloseTo(0.576, 6);
    expect(plan.gap).toBe(0);
    expect(Object.fromEntries(plan.candidates.map((c) => [c.node, c.action]))).toEqual({
      'ip-10-0-0-1': 'delete',
      'ip-10-0-1-1': 'delete',
      'ip-10-0-2-1': 'blocked',
      'ip-10-0-3-1': 'delete',
      'ip-10-0-4-1': 'delete',
      'ip-10-0-5-1': 'blocked',
    });
    expect(plan.steps.every((s) => s.action === 'drain-and-delete')).toBe(true);
  });
});
