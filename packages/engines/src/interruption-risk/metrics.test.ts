import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { auc, brier, calibrationTable, expectedCalibrationError, logLoss } from './metrics.ts';

describe('metrics', () => {
  it('AUC is 1 for a perfect ranking, 0 for a reversed one, 0.5 for all ties', () => {
    expect(auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(auc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
  });

  it('AUC equals the share of (positive, negative) pairs ranked right, ties counting half', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.boolean()), { minLength: 2, maxLength: 40 }), (rows) => {
        const scores = rows.map(([s]) => s);
        const labels = rows.map(([, y]) => (y ? 1 : 0));
        let pairs = 0;
        let right = 0;
        for (let i = 0; i < rows.length; i++)
          for (let j = 0; j < rows.length; j++)
            if (labels[i] === 1 && labels[j] === 0) {
              pairs++;
              right += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
            }
        expect(auc(scores, labels)).toBeCloseTo(pairs ? right / pairs : 0.5, 10);
      }),
    );
  });

  it('Brier and log loss reward confident right answers', () => {
    expect(brier([1, 0], [1, 0])).toBe(0);
    expect(brier([0.5, 0.5], [1, 0])).toBe(0.25);
    expect(logLoss([0.9], [1])).toBeLessThan(logLoss([0.6], [1]));
  });

  it('a calibrated predictor has a small ECE and an uncalibrated one a large ECE', () => {
    const p = Array.from({ length: 1000 }, (_, i) => (i % 10) / 10 + 0.05);
    const calibrated = p.map((q, i) => ((i * 7919) % 1000) / 1000 < q ? 1 : 0);
    const table = calibrationTable(p, calibrated);
    expect(table).toHaveLength(10);
    expect(expectedCalibrationError(table)).toBeLessThan(0.05);
    expect(expectedCalibrationError(calibrationTable(p.map(() => 0.95), calibrated))).toBeGreaterThan(0.4);
  });
});
