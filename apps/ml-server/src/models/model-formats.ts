/**
 * Turns an artifact's bytes into a {@link ScoringModel}, per format, and checks that it can predict (the smoke
 * prediction). Used on upload (a bad file is refused before anything is stored) and when a replica loads the
 * active model. ONNX needs onnxruntime-node, which this build does not ship: such uploads are refused.
 */
import { AppError } from '@cloudoptim/contracts';
import { loadRiskModel } from '@cloudoptim/engines';
import type { AdvisorIndex } from '../predict/advisor-index.ts';
import { type ModelFormat, nativeScoringModel, type ScoringModel } from './scoring-model.ts';
import { parseXgboostModel, xgboostScoringModel } from './xgboost-model.ts';

export interface LoadedModel {
  model: ScoringModel;
  /** The version the artifact names itself (native artifacts), if any. */
  artifactVersion: string | null;
  /** `YYYY-MM-DD`: the last snapshot the training saw, when the artifact says. */
  trainedUntil: string | null;
  /** Metrics the artifact shipped with. */
  metrics: Record<string, unknown> | null;
}

/** Pools the smoke prediction scores: spread over the latest snapshot. */
const SMOKE_POOLS = 40;

function parseJson(bytes: Uint8Array, format: ModelFormat): unknown {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new AppError('VALIDATION_FAILED', `the ${format} model file is not valid JSON`, { issues: [{ path: 'file', message: 'not valid JSON' }] });
  }
}

/**
 * Parses and validates an artifact. @throws AppError VALIDATION_FAILED (malformed file, with the JSON path),
 * UNPROCESSABLE (a well-formed model this server cannot run: ONNX, an unsupported XGBoost objective).
 */
export function loadModelArtifact(format: ModelFormat, bytes: Uint8Array, version: string): LoadedModel {
  switch (format) {
    case 'native': {
      const json = parseJson(bytes, format);
      const risk = loadRiskModel(json);
      // Validated by loadRiskModel: an object whose optional `metrics` is a record.
      const metrics = (json as { metrics?: Record<string, unknown> }).metrics ?? null;
      return { model: nativeScoringModel(risk, version), artifactVersion: risk.version, trainedUntil: risk.training.lastSnapshot, metrics };
    }
    case 'xgboost-json':
      return { model: xgboostScoringModel(parseXgboostModel(parseJson(bytes, format)), version), artifactVersion: null, trainedUntil: null, metrics: null };
    case 'onnx':
      throw new AppError('UNPROCESSABLE', 'ONNX models need the onnxruntime-node runtime, which is not installed on this ML server; upload the model as XGBoost JSON (save_model) or as a native artifact', { format });
  }
}

/**
 * Scores pools of the latest Spot Advisor snapshot with the model; every answer must be a probability.
 * @throws AppError UNPROCESSABLE naming the pool that failed.
 */
export function smokePredict(model: ScoringModel, index: AdvisorIndex): void {
  const pools = index.latest.pools;
  const step = Math.max(1, Math.floor(pools.length / SMOKE_POOLS));
  for (let i = 0; i < pools.length; i += step) {
    const pool = pools[i] as (typeof pools)[number];
    const features = index.features(pool.region, pool.instanceType, 730);
    if (!features) continue;
    let reason: string | null = null;
    try {
      const s = model.score(features);
      const bad = (['pAtLeast2', 'monthlyRate', 'confidence'] as const).find((k) => !(s[k] >= 0 && s[k] <= 1));
      if (bad) reason = `${bad} is ${s[bad]}, not a probability`;
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error);
    }
    if (reason) throw new AppError('UNPROCESSABLE', `the smoke prediction failed for ${pool.instanceType} in ${pool.region}: ${reason}`, { region: pool.region, instance_type: pool.instanceType });
  }
}
