/**
 * The interruption-risk model: four cumulative GBT classifiers P(next bucket ≥ k), k = 1…4, over the features
 * of features.ts, giving the probability of each Spot Advisor bucket at the next snapshot; plus a level offset
 * per classifier that feedback (observed outcomes of other pools) moves, under a prior whose width grows with
 * the horizon (see `adaptLevel`).
 *
 * Why a level offset: AWS's interruption rates drift market-wide (2024-02 → 2025-06: the share of pools in
 * bucket ≥ 2 rose from 41% to 62%), and nothing in a snapshot foretells that. Trees learn *relative* risk
 * well; the market *level* is better learned online from what the managed clusters observe.
 */
import { z } from 'zod';
import { AppError, parseOrThrow } from '@cloudoptim/contracts';
import { INTERRUPTION_BUCKETS } from '@cloudoptim/market';
import type { Rng } from '../rng.ts';
import type { Transition } from './dataset.ts';
import { FEATURE_NAMES } from './features.ts';
import { type CompiledGbt, compileGbt, compiledMargin, compiledMargins, type GbtOptions, sigmoid, trainGbt } from './gbt.ts';

export const RISK_MODEL_FORMAT = 'cloudoptim-risk-gbt/1';
export const RISK_THRESHOLDS = [1, 2, 3, 4] as const;

const TreeSchema = z
  .object({
    feature: z.array(z.number().int().min(-1)),
    threshold: z.array(z.number().or(z.literal(null)).transform((v) => v ?? Number.NEGATIVE_INFINITY)),
    left: z.array(z.number().int().min(-1)),
    right: z.array(z.number().int().min(-1)),
    value: z.array(z.number()),
  })
  .refine((t) => [t.threshold, t.left, t.right, t.value].every((a) => a.length === t.feature.length) && t.feature.length > 0, {
    message: 'tree arrays must be non-empty and of equal length',
  });

/** The artifact, as stored and uploaded (JSON). `-Infinity` thresholds are written as null. */
export const RiskModelArtifactSchema = z
  .object({
    format: z.literal(RISK_MODEL_FORMAT),
    version: z.string().min(1).max(100),
    created_at: z.iso.datetime({ offset: true }),
    feature_names: z.array(z.string()),
    thresholds: z.array(z.number().int().min(1).max(4)).length(4),
    models: z.array(z.object({ base_margin: z.number(), feature_count: z.number().int().positive(), trees: z.array(TreeSchema).max(5000) })).length(4),
    training: z.object({
      first_snapshot: z.iso.date(),
      last_snapshot: z.iso.date(),
      transitions: z.number().int().nonnegative(),
      base_rates: z.array(z.number().min(0).max(1)).length(4),
    }),
    level_prior: z.object({ drift_variance_per_day: z.number().nonnegative() }),
    metrics: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((a, ctx) => {
    if (a.feature_names.join() !== FEATURE_NAMES.join()) {
      ctx.addIssue({ code: 'custom', path: ['feature_names'], message: `must be exactly ${FEATURE_NAMES.join(', ')}` });
    }
    a.models.forEach((m, i) => {
      if (m.feature_count !== FEATURE_NAMES.length) ctx.addIssue({ code: 'custom', path: ['models', i, 'feature_count'], message: `must be ${FEATURE_NAMES.length}` });
      m.trees.forEach((t, j) => {
        const n = t.feature.length;
        const bad = t.feature.some((f, k) => f >= FEATURE_NAMES.length || (f >= 0 && (!inRange(t.left[k], n) || !inRange(t.right[k], n) || (t.left[k] as number) <= k || (t.right[k] as number) <= k)));
        if (bad) ctx.addIssue({ code: 'custom', path: ['models', i, 'trees', j], message: 'node references out of range or not pointing forward (a tree must be acyclic)' });
      });
    });
  });

function inRange(v: number | undefined, n: number): boolean {
  return v !== undefined && v >= 0 && v < n;
}

export type RiskModelArtifact = z.input<typeof RiskModelArtifactSchema>;

/** A loaded, validated model ready to score. */
export interface RiskModel {
  version: string;
  models: CompiledGbt[];
  baseRates: number[];
  driftVariancePerDay: number;
  training: { firstSnapshot: string; lastSnapshot: string; transitions: number };
}

export interface TrainRiskModelOptions {
  version: string;
  createdAt: string;
  gbt?: Partial<GbtOptions>;
}

/**
 * Trains the four classifiers on `transitions` (all must end on or before the last training snapshot — the
 * caller chooses the split) and estimates the market-level drift from `regionLevels` (per snapshot date, per
 * region, the share of pools in bucket ≥ 2).
 */
export function trainRiskModel(transitions: readonly Transition[], regionLevels: ReadonlyMap<string, ReadonlyMap<string, number>>, rng: Rng, options: TrainRiskModelOptions): RiskModelArtifact {
  if (transitions.length === 0) throw new AppError('UNPROCESSABLE', 'no training transitions');
  const x = transitions.map((t) => t.features);
  const models = RISK_THRESHOLDS.map((k) => trainGbt({ x, y: transitions.map((t) => (t.bucketNext >= k ? 1 : 0)) }, rng.fork(`k${k}`), options.gbt));
  const dates = transitions.flatMap((t) => [t.fromDate, t.toDate]).sort();
  return {
    format: RISK_MODEL_FORMAT,
    version: options.version,
    created_at: options.createdAt,
    feature_names: [...FEATURE_NAMES],
    thresholds: [...RISK_THRESHOLDS],
    models: models.map((m) => ({ base_margin: m.baseMargin, feature_count: m.featureCount, trees: m.trees.map((t) => ({ ...t, threshold: t.threshold.map((v) => (Number.isFinite(v) ? v : null)) as number[] })) })),
    training: {
      first_snapshot: dates[0] as string,
      last_snapshot: dates[dates.length - 1] as string,
      transitions: transitions.length,
      base_rates: RISK_THRESHOLDS.map((k) => transitions.filter((t) => t.bucketNext >= k).length / transitions.length),
    },
    level_prior: { drift_variance_per_day: levelDriftVariancePerDay(regionLevels) },
  };
}

/** Validates an artifact (an upload, a stored row) and prepares it for scoring. */
export function loadRiskModel(artifact: unknown): RiskModel {
  const a = parseOrThrow(RiskModelArtifactSchema, artifact, 'risk model artifact');
  return {
    version: a.version,
    models: a.models.map((m) => compileGbt({ baseMargin: m.base_margin, featureCount: m.feature_count, trees: m.trees })),
    baseRates: a.training.base_rates,
    driftVariancePerDay: a.level_prior.drift_variance_per_day,
    training: { firstSnapshot: a.training.first_snapshot, lastSnapshot: a.training.last_snapshot, transitions: a.training.transitions },
  };
}

/**
 * Per-classifier recalibration of the log-odds, `slope × margin + offset`; identity = the model as trained.
 * Learned online from observed outcomes (`adaptLevel`).
 */
export interface LevelAdjustment {
  offset: number;
  slope: number;
}
export type LevelAdjustments = readonly [LevelAdjustment, LevelAdjustment, LevelAdjustment, LevelAdjustment];
const IDENTITY: LevelAdjustment = Object.freeze({ offset: 0, slope: 1 });
export const NO_ADJUSTMENT: LevelAdjustments = [IDENTITY, IDENTITY, IDENTITY, IDENTITY];

function adjusted(margin: number, a: LevelAdjustment): number {
  return a.slope * margin + a.offset;
}

export interface RiskPrediction {
  /** P(next bucket ≥ k) for k = 1…4, non-increasing. */
  atLeast: [number, number, number, number];
  /** P(next bucket = b) for b = 0…4; sums to 1. */
  buckets: [number, number, number, number, number];
  /** Expected monthly interruption frequency: Σ P(bucket) × the bucket's midpoint rate. */
  expectedMonthlyInterruptionRate: number;
  modelVersion: string;
}

export function predictRisk(model: RiskModel, features: readonly number[], adjustments: LevelAdjustments = NO_ADJUSTMENT): RiskPrediction {
  const raw = model.models.map((m, i) => sigmoid(adjusted(compiledMargin(m, features), adjustments[i] as LevelAdjustment)));
  // Independent classifiers can cross; P(≥ k+1) may not exceed P(≥ k).
  const atLeast = [0, 0, 0, 0] as [number, number, number, number];
  for (let i = 0; i < 4; i++) atLeast[i] = Math.min(raw[i] as number, i > 0 ? (atLeast[i - 1] as number) : 1);
  const buckets: [number, number, number, number, number] = [1 - atLeast[0], atLeast[0] - atLeast[1], atLeast[1] - atLeast[2], atLeast[2] - atLeast[3], atLeast[3]];
  const expectedMonthlyInterruptionRate = buckets.reduce((s, p, b) => s + p * (INTERRUPTION_BUCKETS[b]?.midpointRate ?? 0), 0);
  return { atLeast, buckets, expectedMonthlyInterruptionRate, modelVersion: model.version };
}

/** Just P(next bucket ≥ k) from one classifier: the fast path for large batches. */
export function predictAtLeast(model: RiskModel, features: readonly number[], k: 1 | 2 | 3 | 4, adjustments: LevelAdjustments = NO_ADJUSTMENT): number {
  return sigmoid(adjusted(compiledMargin(model.models[k - 1] as CompiledGbt, features), adjustments[k - 1] as LevelAdjustment));
}

/** Prior standard deviation of the recalibration slope around 1. */
const SLOPE_PRIOR_SD = 0.5;

/** P(next bucket ≥ k) for many pools at once (tree-major scoring): the path for large batches. */
export function predictAtLeastBatch(model: RiskModel, rows: readonly (readonly number[])[], k: 1 | 2 | 3 | 4, adjustments: LevelAdjustments = NO_ADJUSTMENT): Float64Array {
  const a = adjustments[k - 1] as LevelAdjustment;
  const margins = compiledMargins(model.models[k - 1] as CompiledGbt, rows);
  for (let i = 0; i < margins.length; i++) margins[i] = sigmoid(a.slope * (margins[i] as number) + a.offset);
  return margins;
}

/**
 * Recalibrates each classifier toward observed outcomes: a MAP estimate of `slope × margin + offset` under
 * priors offset ~ N(0, drift_variance_per_day × horizonDays) (the market level's random walk over the horizon)
 * and slope ~ N(1, 0.5²). With few observations the model stays as trained; with many it follows them.
 * `observations` are pools whose next bucket is known (e.g. interruptions seen by managed clusters).
 */
export function adaptLevel(model: RiskModel, observations: readonly { features: readonly number[]; bucketNext: number }[], horizonDays: number): LevelAdjustments {
  const offsetPrior = Math.max(1e-6, model.driftVariancePerDay * horizonDays);
  const slopePrior = SLOPE_PRIOR_SD ** 2;
  return model.models.map((m, i) => {
    const k = i + 1;
    const margins = observations.map((o) => compiledMargin(m, o.features));
    const labels = observations.map((o) => (o.bucketNext >= k ? 1 : 0));
    let offset = 0;
    let slope = 1;
    for (let iter = 0; iter < 50; iter++) {
      // Gradient and Hessian of the negative log-posterior in (offset, slope); a 2×2 Newton step.
      let gO = offset / offsetPrior;
      let gS = (slope - 1) / slopePrior;
      let hOO = 1 / offsetPrior;
      let hSS = 1 / slopePrior;
      let hOS = 0;
      for (let j = 0; j < margins.length; j++) {
        const x = margins[j] as number;
        const p = sigmoid(slope * x + offset);
        const r = p - (labels[j] as number);
        const w = p * (1 - p);
        gO += r;
        gS += r * x;
        hOO += w;
        hSS += w * x * x;
        hOS += w * x;
      }
      const det = hOO * hSS - hOS * hOS;
      const dO = (hSS * gO - hOS * gS) / det;
      const dS = (hOO * gS - hOS * gO) / det;
      offset -= dO;
      slope -= dS;
      if (Math.abs(dO) + Math.abs(dS) < 1e-9) break;
    }
    return { offset, slope };
  }) as unknown as LevelAdjustments;
}

/**
 * Variance per day of the market level's random walk: per region, the change in log-odds of the share of
 * pools in bucket ≥ 2 between consecutive snapshots, pooled as Σ Δ² / Σ Δdays.
 */
export function levelDriftVariancePerDay(regionLevels: ReadonlyMap<string, ReadonlyMap<string, number>>): number {
  const dates = [...regionLevels.keys()].sort();
  let squares = 0;
  let days = 0;
  const logit = (p: number) => Math.log(Math.min(0.999, Math.max(0.001, p)) / (1 - Math.min(0.999, Math.max(0.001, p))));
  for (let i = 0; i + 1 < dates.length; i++) {
    const a = regionLevels.get(dates[i] as string) as ReadonlyMap<string, number>;
    const b = regionLevels.get(dates[i + 1] as string) as ReadonlyMap<string, number>;
    const dt = (Date.parse(dates[i + 1] as string) - Date.parse(dates[i] as string)) / 86_400_000;
    for (const [region, level] of a) {
      const next = b.get(region);
      if (next === undefined) continue;
      squares += (logit(next) - logit(level)) ** 2;
      days += dt;
    }
  }
  return days > 0 ? squares / days : 0;
}
