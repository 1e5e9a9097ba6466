/**
 * The honest evaluation of the risk model on a time split of the Spot Advisor history: train on transitions
 * that end on or before `trainEnd`, test on the transition that starts at `trainEnd`, target "next bucket ≥ 2",
 * against three baselines fitted on the same training transitions.
 *
 * Two settings are reported, both without peeking at the test labels used for scoring:
 * - `time_split`: nothing from the test period is known (the setting).
 * - `with_feedback`: a seeded `feedbackShare` of test pools have their outcome observed early (as managed
 *   clusters observe interruptions in the pools they run); the model adapts its level to them (`adaptLevel`),
 *   the base-rate and band baselines are refitted on them too, and everyone is scored on the *other* pools.
 */
import type { Rng } from '../rng.ts';
import { type BaselineName, fitBaselines } from './baselines.ts';
import { buildTransitions, regionLevels, type Transition } from './dataset.ts';
import type { AdvisorSnapshot, ShapeLookup } from './features.ts';
import type { GbtOptions } from './gbt.ts';
import { calibrationTable, type BinaryScores, type CalibrationBin, scoreBinary } from './metrics.ts';
import { adaptLevel, type LevelAdjustment, loadRiskModel, NO_ADJUSTMENT, predictAtLeast, type RiskModelArtifact, trainRiskModel } from './model.ts';

export interface EvaluationOptions {
  trainEnd: string;
  feedbackShare: number;
  version: string;
  createdAt: string;
  gbt?: Partial<GbtOptions>;
}

export interface SettingReport {
  model: BinaryScores;
  baselines: Record<BaselineName, BinaryScores>;
  /** Model Brier vs the best baseline's: (best − model) / best. */
  brierImprovementVsBest: number;
  bestBaseline: BaselineName;
  calibration: CalibrationBin[];
}

export interface EvaluationReport {
  trainTransitions: number;
  testTransitions: number;
  testFrom: string;
  testTo: string;
  horizonDays: number;
  timeSplit: SettingReport;
  withFeedback: SettingReport & { feedbackPools: number; adjustment: LevelAdjustment };
  artifact: RiskModelArtifact;
}

const THRESHOLD = 2;

export function evaluateRiskModel(snapshots: readonly AdvisorSnapshot[], shapes: ShapeLookup, rng: Rng, options: EvaluationOptions): EvaluationReport {
  const transitions = buildTransitions(snapshots, shapes);
  const train = transitions.filter((t) => t.toDate <= options.trainEnd);
  const test = transitions.filter((t) => t.fromDate === options.trainEnd);
  const levels = regionLevels(snapshots.filter((s) => s.date <= options.trainEnd));
  const artifact = trainRiskModel(train, levels, rng.fork('train'), { version: options.version, createdAt: options.createdAt, gbt: options.gbt });
  const model = loadRiskModel(artifact);
  const horizonDays = test.length ? (Date.parse((test[0] as Transition).toDate) - Date.parse(options.trainEnd)) / 86_400_000 : 0;

  const timeSplit = setting(test, (t) => predictAtLeast(model, t.features, THRESHOLD), fitBaselines(train, THRESHOLD));

  const split = rng.fork('feedback');
  const observed: Transition[] = [];
  const unseen: Transition[] = [];
  for (const t of test) (split.next() < options.feedbackShare ? observed : unseen).push(t);
  const adjustments = observed.length ? adaptLevel(model, observed, horizonDays) : NO_ADJUSTMENT;
  const withFeedback = setting(unseen, (t) => predictAtLeast(model, t.features, THRESHOLD, adjustments), fitBaselines(observed.length ? observed : train, THRESHOLD));

  return {
    trainTransitions: train.length,
    testTransitions: test.length,
    testFrom: options.trainEnd,
    testTo: (test[0] as Transition | undefined)?.toDate ?? options.trainEnd,
    horizonDays,
    timeSplit,
    withFeedback: { ...withFeedback, feedbackPools: observed.length, adjustment: adjustments[THRESHOLD - 1] as LevelAdjustment },
    artifact,
  };
}

function setting(test: readonly Transition[], predict: (t: Transition) => number, baselines: ReturnType<typeof fitBaselines>): SettingReport {
  const labels = test.map((t) => (t.bucketNext >= THRESHOLD ? 1 : 0));
  const probabilities = test.map(predict);
  const names: BaselineName[] = ['persistence', 'band_frequency', 'base_rate'];
  const scored = Object.fromEntries(names.map((n) => [n, scoreBinary(test.map((t) => baselines.predict(n, t)), labels)])) as Record<BaselineName, BinaryScores>;
  const bestBaseline = names.reduce((best, n) => (scored[n].brier < scored[best].brier ? n : best));
  const model = scoreBinary(probabilities, labels);
  return {
    model,
    baselines: scored,
    bestBaseline,
    brierImprovementVsBest: (scored[bestBaseline].brier - model.brier) / scored[bestBaseline].brier,
    calibration: calibrationTable(probabilities, labels),
  };
}
