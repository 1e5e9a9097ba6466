/**
 * The model registry of one replica: what is stored (ModelsRepository) and which scorer serves right now.
 *
 * Lifecycle: upload (validated: parse, schema, smoke prediction — a bad file changes nothing — and, when the
 * shipped history has data after its training end, a held-out evaluation stored as its metrics) → `uploaded`;
 * activate → `active` (the previous active one → `retired`), under a registry lock in one transaction, then a
 * `model_activated` NOTIFY; every replica (this one too) reloads the active model from the store on it, so
 * activation needs no restart anywhere. Roll-back re-activates the version that was active before the current
 * one's activation. The active model cannot be deleted.
 *
 * Serving: `scorer()` is an immutable PoolRiskScorer; a request takes it once and keeps it, so a reload mid-
 * request never mixes two models. Without an active model the fallback (ML_SERVER_RISK_MODEL_FILE) or the
 * day-zero score serves.
 */
import { createHash } from 'node:crypto';
import { AppError } from '@cloudoptim/contracts';
import type { Database } from '@cloudoptim/db';
import type { Market } from '@cloudoptim/market';
import type { Clock, Logger } from '@cloudoptim/runtime';
import { AdvisorIndex } from '../predict/advisor-index.ts';
import { PoolRiskScorer } from '../predict/pool-risk.ts';
import { ModelsRepository, type ModelRecord } from '../store/models.repository.ts';
import type { MlEventBus } from '../stream/ml-event-bus.ts';
import { EvaluationData, evaluateHeldOut, type HeldOutEvaluation } from './model-evaluation.ts';
import { loadModelArtifact, smokePredict } from './model-formats.ts';
import type { ModelFormat, ScoringModel } from './scoring-model.ts';

export interface ModelUpload {
  /** Required for xgboost-json and onnx; for native it defaults to (and must equal) the artifact's version. */
  version: string | undefined;
  format: ModelFormat;
  bytes: Uint8Array;
  /** `YYYY-MM-DD`; overrides what the artifact says. */
  trainedUntil: string | undefined;
}

export interface ModelRegistryOptions {
  db: Database;
  market: Market;
  clock: Clock;
  log: Logger;
  events: MlEventBus;
  /** Serves while no model is active (a model file given at start). */
  fallback?: ScoringModel;
}

export class ModelRegistry {
  private current: PoolRiskScorer;
  /** The store's active version `current` serves; null = the fallback or day-zero. */
  private currentActive: string | null = null;
  private index: AdvisorIndex | undefined;
  private readonly evaluationData = new EvaluationData(() => this.advisorIndex());
  /** Reloads run one at a time, so the last one to finish reflects the store's latest state. */
  private reloading: Promise<void> = Promise.resolve();
  private readonly repo: ModelsRepository;

  constructor(private readonly o: ModelRegistryOptions) {
    this.repo = new ModelsRepository(o.db);
    this.current = this.scorerFor(o.fallback);
    o.events.onEvent(async (event) => {
      if (event.type === 'model_activated') await this.reload();
    });
  }

  /** The scorer serving now (day-zero, the fallback or the active model). */
  scorer(): PoolRiskScorer {
    return this.current;
  }

  /** The latest Spot Advisor snapshot indexed for features (built on first use, ~1 s). */
  advisorIndex(): AdvisorIndex {
    return (this.index ??= AdvisorIndex.build(this.o.market));
  }

  /** Loads the store's active model (or falls back) and swaps it in. Safe to call any time, from any replica. */
  reload(): Promise<void> {
    this.reloading = this.reloading.then(
      () => this.reloadNow(),
      () => this.reloadNow(),
    );
    return this.reloading;
  }

  private async reloadNow(): Promise<void> {
    const active = await this.repo.active();
    const version = active?.record.version ?? null;
    if (version === this.currentActive) return;
    const model = active ? loadModelArtifact(active.record.format, active.artifact, active.record.version).model : this.o.fallback;
    this.current = this.scorerFor(model);
    this.currentActive = version;
    this.o.log.info({ model_version: this.current.modelVersion, format: model?.format ?? null }, 'risk model loaded');
  }

  private scorerFor(model: ScoringModel | undefined): PoolRiskScorer {
    return new PoolRiskScorer(this.o.market, model && { scoring: model, index: this.advisorIndex() });
  }

  /** The store's active model, if any (what every replica serves once its reload ran). */
  active(): Promise<ModelRecord | undefined> {
    return this.repo.activeRecord();
  }

  list(): Promise<ModelRecord[]> {
    return this.repo.list();
  }

  async get(version: string): Promise<ModelRecord> {
    const found = await this.repo.get(version);
    if (!found) throw new AppError('NOT_FOUND', `model ${version} not found`, { version });
    return found;
  }

  /**
   * Validates and stores a model as `uploaded` (not serving yet).
   * @throws AppError VALIDATION_FAILED (malformed file, version mismatch), UNPROCESSABLE (cannot run, smoke
   *   prediction failed), CONFLICT (the version exists).
   */
  async upload(upload: ModelUpload): Promise<ModelRecord> {
    const provisional = upload.version ?? '';
    const loaded = loadModelArtifact(upload.format, upload.bytes, provisional);
    const version = upload.version ?? loaded.artifactVersion;
    if (!version) throw new AppError('VALIDATION_FAILED', `a ${upload.format} upload needs a version`, { issues: [{ path: 'version', message: 'required' }] });
    if (loaded.artifactVersion !== null && loaded.artifactVersion !== version) {
      throw new AppError('VALIDATION_FAILED', `the artifact says version ${loaded.artifactVersion}, the upload says ${version}; they must match`, { issues: [{ path: 'version', message: `must be ${loaded.artifactVersion} (the artifact's version)` }] });
    }
    smokePredict(loaded.model, this.advisorIndex());
    const trainedUntil = upload.trainedUntil ?? loaded.trainedUntil;
    const heldOut = this.heldOutIfAny(loaded.model, trainedUntil);
    const record = await this.repo.insert({
      version,
      format: upload.format,
      artifact: upload.bytes,
      sha256: createHash('sha256').update(upload.bytes).digest('hex'),
      metrics: heldOut ? { ...loaded.metrics, held_out: heldOut } : loaded.metrics,
      trainedUntil,
      createdAtMs: this.o.clock.now(),
    });
    this.o.log.info({ model_version: version, format: upload.format, size_bytes: record.sizeBytes }, 'model uploaded');
    return record;
  }

  /**
   * The held-out evaluation an upload is validated with, when the shipped history has transitions after the
   * model's training end; null otherwise (it is reported, never a reason to refuse: activating is a choice).
   */
  private heldOutIfAny(model: ScoringModel, trainedUntil: string | null): HeldOutEvaluation | null {
    if (!trainedUntil) return null;
    try {
      return evaluateHeldOut(model, trainedUntil, undefined, this.evaluationData, this.o.clock.now());
    } catch (error) {
      if (error instanceof AppError && error.code === 'UNPROCESSABLE') return null;
      throw error;
    }
  }

  /** Activates `version` on every replica. @throws AppError NOT_FOUND. */
  async activate(version: string): Promise<{ model: ModelRecord; previousVersion: string | null }> {
    return this.switchTo(async (repo) => {
      const target = await repo.get(version);
      if (!target) throw new AppError('NOT_FOUND', `model ${version} not found`, { version });
      return { version, action: 'activate' as const };
    });
  }

  /**
   * Re-activates the version that was active before the current one.
   * @throws AppError CONFLICT (no active model, nothing before it, or that version was deleted).
   */
  async rollback(): Promise<{ model: ModelRecord; previousVersion: string | null }> {
    return this.switchTo(async (repo) => {
      const active = await repo.active();
      if (!active) throw new AppError('CONFLICT', 'no model is active: nothing to roll back');
      const target = await repo.rollbackTarget(active.record.version);
      if (!target) throw new AppError('CONFLICT', `model ${active.record.version} was the first one activated: there is no earlier model to roll back to`, { active_version: active.record.version });
      if (!(await repo.get(target))) throw new AppError('CONFLICT', `the model before ${active.record.version} was ${target}, which has been deleted`, { active_version: active.record.version, previous_version: target });
      return { version: target, action: 'rollback' as const };
    });
  }

  private async switchTo(choose: (repo: ModelsRepository) => Promise<{ version: string; action: 'activate' | 'rollback' }>): Promise<{ model: ModelRecord; previousVersion: string | null }> {
    const { version, previous } = await this.o.db.transaction(async (tx) => {
      const repo = new ModelsRepository(tx);
      await repo.lockRegistry();
      const target = await choose(repo);
      const { previous } = await repo.activate(target.version, target.action, this.o.clock.now());
      return { version: target.version, previous };
    });
    // Swap here first so this replica's answer and its next request already use it; the NOTIFY reaches the others.
    await this.reload();
    try {
      await this.o.events.publish(this.o.events.frame('model_activated', { model_version: version, previous_version: previous }));
    } catch (error) {
      // Committed and serving here: the other replicas pick it up at their next reload (activation or restart).
      this.o.log.error({ err: error, model_version: version }, 'model activated, but the NOTIFY to the other replicas failed');
    }
    this.o.log.info({ model_version: version, previous_version: previous }, 'model activated');
    return { model: await this.get(version), previousVersion: previous };
  }

  /** @throws AppError NOT_FOUND, CONFLICT (the active model). */
  async delete(version: string): Promise<void> {
    await this.repo.delete(version);
    this.o.log.info({ model_version: version }, 'model deleted');
  }

  /**
   * Held-out evaluation (see model-evaluation.ts); the result is stored as the model's metrics.
   * @throws AppError NOT_FOUND, VALIDATION_FAILED, UNPROCESSABLE.
   */
  async evaluate(version: string, testFrom: string | undefined): Promise<HeldOutEvaluation> {
    const record = await this.get(version);
    const artifact = await this.repo.artifact(version);
    if (!artifact) throw new AppError('NOT_FOUND', `model ${version} not found`, { version });
    const { model } = loadModelArtifact(record.format, artifact, version);
    const evaluation = evaluateHeldOut(model, record.trainedUntil, testFrom, this.evaluationData, this.o.clock.now());
    await this.repo.setMetrics(version, { held_out: evaluation });
    return evaluation;
  }
}
