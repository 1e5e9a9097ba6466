/**
 * What the ML server scores pools with, whatever the uploaded format: one feature row (the engines'
 * FEATURE_NAMES order, interruption-risk/features.ts) → P(next Spot Advisor bucket ≥ 2), the expected monthly
 * interruption frequency and a confidence. Native artifacts and XGBoost models (xgboost-model.ts) implement it.
 */
import { type RiskModel, predictRisk } from '@cloudoptim/engines';
import { INTERRUPTION_BUCKETS } from '@cloudoptim/market';

export const MODEL_FORMATS = ['native', 'xgboost-json', 'onnx'] as const;
export type ModelFormat = (typeof MODEL_FORMATS)[number];

export interface ModelScore {
  /** P(the pool's Spot Advisor bucket at the next snapshot is ≥ 2, i.e. ≥ 10 % interruptions a month). */
  pAtLeast2: number;
  /** Expected monthly interruption frequency, [0, 1]. */
  monthlyRate: number;
  /** How sure the model is, [0, 1]: 1 − the normalised entropy of what it predicts. */
  confidence: number;
}

export interface ScoringModel {
  /** The registry version (what predictions name as `model_version`). */
  readonly version: string;
  readonly format: ModelFormat;
  /** Scores one feature row; missing features are NaN. Never throws for a row of the right length. */
  score(features: readonly number[]): ModelScore;
}

const midpoint = (b: number): number => INTERRUPTION_BUCKETS[b]?.midpointRate ?? 0;

/** The score of a distribution over the five buckets (probabilities summing to 1). */
export function scoreOfBuckets(buckets: readonly number[]): ModelScore {
  let entropy = 0;
  let rate = 0;
  for (let b = 0; b < 5; b++) {
    const p = buckets[b] ?? 0;
    if (p > 0) entropy -= p * Math.log(p);
    rate += p * midpoint(b);
  }
  return { pAtLeast2: clamp01((buckets[2] ?? 0) + (buckets[3] ?? 0) + (buckets[4] ?? 0)), monthlyRate: clamp01(rate), confidence: clamp01(1 - entropy / Math.log(5)) };
}

/** Mean monthly rate of the buckets below 2 (<5 %, 5–10 %) and of those from 2 up (10–15 %, 15–20 %, >20 %). */
const LOW_RATE = (midpoint(0) + midpoint(1)) / 2;
const HIGH_RATE = (midpoint(2) + midpoint(3) + midpoint(4)) / 3;

/**
 * The score of a model that only gives P(bucket ≥ 2) (an XGBoost binary classifier): the monthly rate is the
 * mixture of the mean midpoint rates below and from bucket 2 — a coarser answer than a bucket distribution.
 */
export function scoreOfBinary(pAtLeast2: number): ModelScore {
  const p = clamp01(pAtLeast2);
  const entropy = p > 0 && p < 1 ? -(p * Math.log(p) + (1 - p) * Math.log(1 - p)) : 0;
  return { pAtLeast2: p, monthlyRate: (1 - p) * LOW_RATE + p * HIGH_RATE, confidence: clamp01(1 - entropy / Math.log(2)) };
}

/** A native artifact (`loadRiskModel`) under its registry version. */
export function nativeScoringModel(model: RiskModel, version: string): ScoringModel {
  return { version, format: 'native', score: (features) => scoreOfBuckets(predictRisk(model, features).buckets) };
}

export function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
