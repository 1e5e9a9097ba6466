import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateForecast } from './forecast-metrics.ts';

describe('evaluateForecast', () => {
  it.each([
    { name: 'perfect', pairs: [{ actual: 10, predicted: 10 }, { actual: 0, predicted: 0 }], mape: 0, smape: 0, wape: 0 },
    { name: '10% over', pairs: [{ actual: 100, predicted: 110 }], mape: 0.1, smape: 20 / 210, wape: 0.1 },
    { name: 'zero actual left out of MAPE only', pairs: [{ actual: 0, predicted: 5 }, { actual: 10, predicted: 5 }], mape: 0.5, smape: (2 + 10 / 15) / 2, wape: 1 },
    { name: 'all zero actuals', pairs: [{ actual: 0, predicted: 1 }], mape: null, smape: 2, wape: null },
  ])('$name', ({ pairs, mape, smape, wape }) => {
    const e = evaluateForecast(pairs);
    expect(e.count).toBe(pairs.length);
    if (mape === null) expect(e.mape).toBeNull();
    else expect(e.mape).toBeCloseTo(mape, 10);
    expect(e.smape).toBeCloseTo(smape, 10);
    if (wape === null) expect(e.wape).toBeNull();
    else expect(e.wape).toBeCloseTo(wape, 10);
  });

  it('minActual leaves near-zero actuals out of MAPE and says how many were kept', () => {
    const e = evaluateForecast([{ actual: 0.5, predicted: 5 }, { actual: 10, predicted: 12 }], { minActual: 1 });
    expect(e.mapeCount).toBe(1);
    expect(e.mape).toBeCloseTo(0.2, 10);
  });

  it('ignores non-finite pairs; an empty set has null metrics', () => {
    expect(evaluateForecast([{ actual: Number.NaN, predicted: 1 }]).count).toBe(0);
    expect(evaluateForecast([])).toMatchObject({ count: 0, mape: null, smape: null, wape: null, mae: null, bias: null });
  });

  it('property: sMAPE in [0, 2], WAPE and MAPE ≥ 0, bias sign follows over-forecasting', () => {
    const pair = fc.record({ actual: fc.double({ min: 0, max: 1e9, noNaN: true }), predicted: fc.double({ min: 0, max: 1e9, noNaN: true }) });
    fc.assert(
      fc.property(fc.array(pair, { minLength: 1, maxLength: 50 }), (pairs) => {
        const e = evaluateForecast(pairs);
        expect(e.smape).toBeGreaterThanOrEqual(0);
        expect(e.smape).toBeLessThanOrEqual(2 + 1e-12);
        if (e.wape !== null) expect(e.wape).toBeGreaterThanOrEqual(0);
        if (e.mape !== null) expect(e.mape).toBeGreaterThanOrEqual(0);
        const over = evaluateForecast(pairs.map((p) => ({ actual: p.actual, predicted: p.actual + 1 })));
        expect(over.bias).toBeCloseTo(1, 6);
      }),
    );
  });
});
