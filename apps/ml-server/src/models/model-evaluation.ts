/**
 * Held-out evaluation of a registered model on the shipped Spot Advisor history, the way the engines'
 * `evaluateRiskModel` scores its own model (same transitions, target "next bucket ≥ 2", the same three
 * baselines fitted on the transitions before the test start, AUC / Brier / log loss / ECE and a calibration
 * table) — but for a model trained elsewhere, so nothing is retrained: the test transitions are those that start
 * on or after the model's `trained_until` (or a later `test_from`), which its training cannot have seen.
 */
import { AppError } from '@cloudoptim/contracts';
import { type BaselineName, type BinaryScores, buildTransitions, calibrationTable, fitBaselines, scoreBinary, type Transition } from '@cloudoptim/engines';
import type { AdvisorIndex } from '../predict/advisor-index.ts';
import type { ScoringModel } from './scoring-model.ts';

const THRESHOLD = 2;
const BASELINES: BaselineName[] = ['persistence', 'band_frequency', 'base_rate'];

export interface HeldOutEvaluation {
  evaluated_at: string;
  test_from: string;
  test_to: string;
  test_transitions: number;
  baseline_training_transitions: number;
  target: string;
  model: Record<string, number>;
  baselines: Record<BaselineName, Record<string, number>>;
  best_baseline: BaselineName;
  /** (best baseline Brier − model Brier) / best baseline Brier: > 0 = the model is better. */
  brier_improvement_vs_best: number;
  calibration: { from: number; to: number; count: number; mean_predicted: number | null; observed_rate: number | null }[];
}

const r = (x: number, d = 6) => Math.round(x * 10 ** d) / 10 ** d;

function scores(s: BinaryScores): Record<string, number> {
  return { auc: r(s.auc), brier: r(s.brier), log_loss: r(s.logLoss), ece: r(s.ece), mean_predicted: r(s.meanPredicted), observed_rate: r(s.observedRate), count: s.count };
}

/** Transitions of the shipped history, built once per process (~2 s) on first use. */
export class EvaluationData {
  private transitions: Transition[] | undefined;
  constructor(private readonly index: () => AdvisorIndex) {}

  all(): Transition[] {
    return (this.transitions ??= buildTransitions(this.index().snapshots, this.index().shapes));
  }
}

/**
 * Evaluates `model` on the transitions starting on or after `testFrom` (default `trainedUntil`).
 * @throws AppError VALIDATION_FAILED (`testFrom` before `trainedUntil`: not held out), UNPROCESSABLE (no
 *   training end known and no `testFrom`; or no transition starts that late).
 */
export function evaluateHeldOut(model: ScoringModel, trainedUntil: string | null, testFrom: string | undefined, data: EvaluationData, nowMs: number): HeldOutEvaluation {
  const from = testFrom ?? trainedUntil;
  if (!from) throw new AppError('UNPROCESSABLE', `model ${model.version} does not say when its training ended; give test_from (a date after its training data)`, { version: model.version });
  if (trainedUntil && from < trainedUntil) {
    throw new AppError('VALIDATION_FAILED', `test_from ${from} is before the model's training end ${trainedUntil}: that data is not held out`, { issues: [{ path: 'test_from', message: `must be on or after ${trainedUntil}` }] });
  }
  const all = data.all();
  const test = all.filter((t) => t.fromDate >= from);
  const train = all.filter((t) => t.toDate <= from);
  if (test.length === 0) {
    const last = all.reduce((m, t) => (t.fromDate > m ? t.fromDate : m), '');
    throw new AppError('UNPROCESSABLE', `no held-out transition starts on or after ${from} (the last one starts ${last}); the shipped history has nothing this model has not seen`, { test_from: from, last_transition_start: last });
  }
  const labels = test.map((t) => (t.bucketNext >= THRESHOLD ? 1 : 0));
  const probabilities = test.map((t) => model.score(t.features).pAtLeast2);
  const fitted = fitBaselines(train.length ? train : test, THRESHOLD);
  const baselineScores = Object.fromEntries(BASELINES.map((n) => [n, scoreBinary(test.map((t) => fitted.predict(n, t)), labels)])) as Record<BaselineName, BinaryScores>;
  const best = BASELINES.reduce((b, n) => (baselineScores[n].brier < baselineScores[b].brier ? n : b));
  const modelScores = scoreBinary(probabilities, labels);
  return {
    evaluated_at: new Date(nowMs).toISOString(),
    test_from: from,
    test_to: test.reduce((m, t) => (t.toDate > m ? t.toDate : m), from),
    test_transitions: test.length,
    baseline_training_transitions: train.length,
    target: `P(next Spot Advisor bucket >= ${THRESHOLD})`,
    model: scores(modelScores),
    baselines: Object.fromEntries(BASELINES.map((n) => [n, scores(baselineScores[n])])) as Record<BaselineName, Record<string, number>>,
    best_baseline: best,
    brier_improvement_vs_best: r((baselineScores[best].brier - modelScores.brier) / baselineScores[best].brier),
    calibration: calibrationTable(probabilities, labels).map((b) => ({
      from: r(b.from),
      to: r(b.to),
      count: b.count,
      mean_predicted: b.count ? r(b.meanPredicted) : null,
      observed_rate: b.count ? r(b.observedRate) : null,
    })),
  };
}
