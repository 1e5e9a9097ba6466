import { describe, expect, it } from 'vitest';
import { createRng } from '../rng.ts';
import { compileGbt, compiledMargin, compiledMargins, gbtMargin, gbtPredict, trainGbt } from './gbt.ts';
import { auc } from './metrics.ts';

/** y = 1 with probability sigmoid(3·x0 − 2·x1), x2 is noise, x0 sometimes missing. */
function synthetic(n: number, seed: number) {
  const rng = createRng(seed);
  const x: number[][] = [];
  const y: number[] = [];
  const truth: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = [rng.normal(), rng.normal(), rng.normal()];
    const p = 1 / (1 + Math.exp(-(3 * row[0]! - 2 * row[1]!)));
    if (rng.next() < 0.05) row[0] = Number.NaN;
    x.push(row);
    truth.push(p);
    y.push(rng.next() < p ? 1 : 0);
  }
  return { x, y, truth };
}

describe('trainGbt', () => {
  it('learns a noisy logistic signal nearly as well as the true probabilities rank it', () => {
    const train = synthetic(4000, 1);
    const test = synthetic(2000, 2);
    const model = trainGbt({ x: train.x, y: train.y }, createRng(3), { trees: 80 });
    const predicted = test.x.map((row) => gbtPredict(model, row));
    const achievable = auc(test.truth, test.y);
    expect(auc(predicted, test.y)).toBeGreaterThan(achievable - 0.03);
    const mean = predicted.reduce((s, p) => s + p, 0) / predicted.length;
    expect(mean).toBeCloseTo(test.y.reduce((s, v) => s + v, 0) / test.y.length, 1);
  });

  it('is deterministic for a seed and answers for missing values', () => {
    const data = synthetic(500, 4);
    const a = trainGbt({ x: data.x, y: data.y }, createRng(9), { trees: 10 });
    const b = trainGbt({ x: data.x, y: data.y }, createRng(9), { trees: 10 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(gbtPredict(a, [Number.NaN, 0, 0])).toBeGreaterThan(0);
  });

  it('with no signal, predicts the base rate', () => {
    const rng = createRng(5);
    const x = Array.from({ length: 1000 }, () => [rng.normal()]);
    const y: number[] = x.map(() => (rng.next() < 0.3 ? 1 : 0));
    const model = trainGbt({ x, y }, createRng(6), { trees: 20, minChildWeight: 50 });
    const rate = y.reduce((s, v) => s + v, 0) / y.length;
    for (const v of [-2, 0, 2]) expect(gbtPredict(model, [v])).toBeCloseTo(rate, 1);
  });
});

describe('compileGbt', () => {
  it('scores exactly like the tree walk, missing values included', () => {
    const data = synthetic(800, 12);
    const model = trainGbt({ x: data.x, y: data.y }, createRng(13), { trees: 25 });
    const compiled = compileGbt(model);
    for (const row of [...data.x.slice(0, 200), [Number.NaN, Number.NaN, Number.NaN]]) expect(compiledMargin(compiled, row)).toBeCloseTo(gbtMargin(model, row), 12);
  });
});

describe('compiledMargins', () => {
  it('scores a batch exactly like row-by-row scoring', () => {
    const data = synthetic(300, 21);
    const compiled = compileGbt(trainGbt({ x: data.x, y: data.y }, createRng(22), { trees: 15 }));
    const batch = compiledMargins(compiled, data.x);
    data.x.forEach((row, i) => expect(batch[i]).toBeCloseTo(compiledMargin(compiled, row), 12));
  });
});
