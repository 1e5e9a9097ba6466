import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isAppError } from '@cloudoptim/contracts';
import { createRng } from '../rng.ts';
import { buildTransitions, regionLevels } from './dataset.ts';
import type { AdvisorSnapshot, InstanceShape } from './features.ts';
import { adaptLevel, loadRiskModel, predictAtLeast, predictRisk, trainRiskModel } from './model.ts';

const shapes = (name: string): InstanceShape => {
  const family = name.split('.')[0]!;
  return { family, category: family[0]!, generation: Number(family.slice(1)) || null, vcpu: name.endsWith('xlarge') ? 4 : 2, memoryGib: 8, gpu: false, arm64: family.endsWith('g'), bareMetal: false };
};

/** Pools of family "r5" drift to high buckets, "m5" stays low: a learnable pattern. */
function snapshots(): AdvisorSnapshot[] {
  const rng = createRng(11);
  const dates = ['2022-01-01', '2022-02-01', '2022-03-01', '2022-04-01', '2022-05-01'];
  const types = ['m5.large', 'm5.xlarge', 'r5.large', 'r5.xlarge', 'c5.large', 'c5.xlarge'];
  const regions = Array.from({ length: 12 }, (_, i) => `us-test-${i + 1}`);
  return dates.map((date, d) => ({
    date,
    pools: regions.flatMap((region) =>
      types.map((instanceType) => {
        const drift = instanceType.startsWith('r5') ? d : instanceType.startsWith('m5') ? 0 : 1;
        const bucket = Math.max(0, Math.min(4, Math.round(drift + rng.normal() * 0.7)));
        return { region, instanceType, bucket, savingsPct: 60 + rng.int(20) };
      }),
    ),
  }));
}

function trained() {
  const snaps = snapshots();
  const transitions = buildTransitions(snaps, shapes);
  const artifact = trainRiskModel(transitions, regionLevels(snaps), createRng(1), { version: 't1', createdAt: '2026-11-26T00:00:00Z', gbt: { trees: 30, minChildWeight: 5 } });
  return { transitions, artifact, model: loadRiskModel(JSON.parse(JSON.stringify(artifact))) };
}

// A JSON copy of an artifact, edited freely to make it wrong.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Mutable = any;

describe('risk model', () => {
  const { transitions, artifact, model } = trained();

  it('survives a JSON round trip and names its version in predictions', () => {
    const p = predictRisk(model, transitions[0]!.features);
    expect(p.modelVersion).toBe('t1');
    expect(artifact.training.transitions).toBe(transitions.length);
  });

  it('gives bucket probabilities that sum to 1 with non-increasing P(≥ k), for any features', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.constant(Number.NaN)), { minLength: 22, maxLength: 22 }), (features) => {
        const p = predictRisk(model, features);
        expect(p.buckets.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 9);
        for (const b of p.buckets) expect(b).toBeGreaterThanOrEqual(0);
        for (let k = 1; k < 4; k++) expect(p.atLeast[k]!).toBeLessThanOrEqual(p.atLeast[k - 1]!);
        expect(p.expectedMonthlyInterruptionRate).toBeGreaterThanOrEqual(0);
        expect(p.expectedMonthlyInterruptionRate).toBeLessThanOrEqual(0.25);
      }),
      { numRuns: 200 },
    );
  });

  it('ranks the drifting family riskier than the stable one', () => {
    const last = transitions.filter((t) => t.fromDate === '2022-04-01');
    const mean = (family: string) => {
      const rows = last.filter((t) => t.instanceType.startsWith(family));
      return rows.reduce((s, t) => s + predictAtLeast(model, t.features, 2), 0) / rows.length;
    };
    expect(mean('r5')).toBeGreaterThan(mean('m5') + 0.3);
  });

  it('adapts its level toward observed outcomes, more with more observations', () => {
    const rows = transitions.slice(0, 200).map((t) => ({ features: t.features, bucketNext: 4 }));
    const few = adaptLevel(model, rows.slice(0, 5), 30)[1];
    const many = adaptLevel(model, rows, 30)[1];
    const before = rows.reduce((s, r) => s + predictAtLeast(model, r.features, 2), 0) / rows.length;
    const after = (a: typeof few) => rows.reduce((s, r) => s + predictAtLeast(model, r.features, 2, [a, a, a, a]), 0) / rows.length;
    expect(after(few)).toBeGreaterThanOrEqual(before);
    expect(after(many)).toBeGreaterThan(after(few));
  });

  it('refuses a malformed artifact with the path to the bad field', () => {
    for (const [mutate, path] of [
      [(a: Mutable) => (a.format = 'xgboost'), 'format'],
      [(a: Mutable) => (a.models = a.models.slice(0, 3)), 'models'],
      [(a: Mutable) => (a.models[0].trees[0].left[0] = 0), 'models.0.trees.0'],
      [(a: Mutable) => (a.feature_names = ['x']), 'feature_names'],
    ] as const) {
      const copy = JSON.parse(JSON.stringify(artifact));
      mutate(copy);
      try {
        loadRiskModel(copy);
        expect.unreachable();
      } catch (error) {
        expect(isAppError(error) && error.code).toBe('VALIDATION_FAILED');
        const issues = (error as { details: { issues: { path: string }[] } }).details.issues;
        expect(issues.some((i) => i.path.startsWith(path))).toBe(true);
      }
    }
  });
});
