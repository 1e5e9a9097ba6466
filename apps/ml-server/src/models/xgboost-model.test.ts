import { describe, expect, it } from 'vitest';
import { AppError } from '@cloudoptim/contracts';
import { FEATURE_NAMES } from '@cloudoptim/engines';
import { binaryRiskXgboost, bucketXgboost, xgbDocument, xgbTree } from '../testing/xgboost-fixtures.ts';
import { parseXgboostModel, xgboostScoringModel } from './xgboost-model.ts';

/** A feature row with `bucket` and `prev_bucket` set, every other feature missing. */
function row(bucket: number, prevBucket = Number.NaN): number[] {
  const x = FEATURE_NAMES.map(() => Number.NaN);
  x[0] = bucket;
  x[2] = prevBucket;
  return x;
}

const sigmoid = (m: number) => 1 / (1 + Math.exp(-m));
const LOGIT_QUARTER = Math.log(0.25 / 0.75);

function failure(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('XGBoost save_model JSON', () => {
  it('scores a binary:logistic model as XGBoost does: logit(base_score) + leaves, strict "<" splits, default_left for missing', () => {
    const model = parseXgboostModel(binaryRiskXgboost());
    // bucket 3 → right (0.6); prev_bucket missing → default right (0.2)
    expect(model.margins(row(3))[0]).toBeCloseTo(LOGIT_QUARTER + 0.6 + 0.2, 6);
    // bucket missing → default left (−0.4); prev_bucket 1 < 1.5 → left (−0.1)
    expect(model.margins(row(Number.NaN, 1))[0]).toBeCloseTo(LOGIT_QUARTER - 0.4 - 0.1, 6);
    // A value on the threshold goes right.
    expect(model.margins(row(2, 1.5))[0]).toBeCloseTo(LOGIT_QUARTER + 0.6 + 0.2, 6);
    const score = xgboostScoringModel(model, 'xgb-1').score(row(3));
    expect(score.pAtLeast2).toBeCloseTo(sigmoid(LOGIT_QUARTER + 0.8), 6);
    // P(≥ 2) = 0.64 → a rate between the low (5 %) and high (18.3 %) band means.
    expect(score.monthlyRate).toBeCloseTo((1 - score.pAtLeast2) * 0.05 + score.pAtLeast2 * (0.125 + 0.175 + 0.25) / 3, 6);
  });

  it('scores a multi:softprob bucket classifier with a softmax over the five output groups', () => {
    const model = parseXgboostModel(bucketXgboost());
    const m = model.margins(row(3));
    expect(Array.from(m)).toEqual([0.5, 0.5, 0.5, 2.5, 0.5]);
    const p3 = Math.exp(2) / (Math.exp(2) + 4);
    const s = xgboostScoringModel(model, 'xgb-multi').score(row(3));
    expect(s.pAtLeast2).toBeCloseTo(p3 + 2 * ((1 - p3) / 4), 6);
    expect(s.monthlyRate).toBeCloseTo(p3 * 0.175 + ((1 - p3) / 4) * (0.025 + 0.075 + 0.125 + 0.25), 6);
    expect(s.confidence).toBeGreaterThan(0);
    expect(s.confidence).toBeLessThan(1);
  });

  it('accepts a bracketed base_score (XGBoost 3) and named features in the right order', () => {
    const doc = binaryRiskXgboost();
    doc.learner.learner_model_param.base_score = '[2.5E-1]';
    doc.learner.feature_names = [...FEATURE_NAMES];
    expect(parseXgboostModel(doc).margins(row(3))[0]).toBeCloseTo(LOGIT_QUARTER + 0.8, 6);
  });

  it('refuses documents it cannot score, naming the path', () => {
    expect(failure(() => parseXgboostModel({ learner: {} })).code).toBe('VALIDATION_FAILED');
    const wrongFeatures = failure(() => parseXgboostModel(xgbDocument({ objective: 'binary:logistic', baseScore: '5E-1', treeInfo: [0], numFeature: 3, trees: [xgbTree(0, [{ leaf: 1 }])] })));
    expect(wrongFeatures).toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [{ path: 'learner.learner_model_param.num_feature' }] } });
    const renamed = binaryRiskXgboost();
    renamed.learner.feature_names = FEATURE_NAMES.map((f, i) => (i === 0 ? 'price' : f));
    expect(failure(() => parseXgboostModel(renamed)).details).toMatchObject({ issues: [{ path: 'learner.feature_names' }] });
    const regression = binaryRiskXgboost();
    regression.learner.objective.name = 'reg:squarederror';
    expect(failure(() => parseXgboostModel(regression)).code).toBe('UNPROCESSABLE');
    const threeClasses = bucketXgboost();
    threeClasses.learner.learner_model_param.num_class = '3';
    expect(failure(() => parseXgboostModel(threeClasses)).code).toBe('UNPROCESSABLE');
    const dart = binaryRiskXgboost();
    dart.learner.gradient_booster.name = 'dart';
    expect(failure(() => parseXgboostModel(dart)).code).toBe('UNPROCESSABLE');
  });

  it('refuses trees that loop, point outside themselves, split on unknown features or on categories', () => {
    const cyclic = binaryRiskXgboost();
    const t0 = cyclic.learner.gradient_booster.model.trees[0] as ReturnType<typeof xgbTree>;
    t0.left_children[0] = 0;
    expect(failure(() => parseXgboostModel(cyclic))).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('reached twice') });
    const outside = binaryRiskXgboost();
    (outside.learner.gradient_booster.model.trees[0] as ReturnType<typeof xgbTree>).right_children[0] = 9;
    expect(failure(() => parseXgboostModel(outside)).message).toContain('out of range');
    const unknownFeature = binaryRiskXgboost();
    (unknownFeature.learner.gradient_booster.model.trees[1] as ReturnType<typeof xgbTree>).split_indices[0] = 40;
    expect(failure(() => parseXgboostModel(unknownFeature)).details).toMatchObject({ issues: [{ path: 'learner.gradient_booster.model.trees.1.split_indices' }] });
    const categorical = binaryRiskXgboost();
    (categorical.learner.gradient_booster.model.trees[0] as ReturnType<typeof xgbTree>).split_type[0] = 1;
    expect(failure(() => parseXgboostModel(categorical)).code).toBe('UNPROCESSABLE');
    const short = binaryRiskXgboost();
    (short.learner.gradient_booster.model.trees[0] as ReturnType<typeof xgbTree>).split_conditions.pop();
    expect(failure(() => parseXgboostModel(short)).details).toMatchObject({ issues: [{ path: 'learner.gradient_booster.model.trees.0.split_conditions' }] });
  });
});
