/**
 * The model registry's rows (`ml_models`, `ml_model_activations`). The registry is global (models serve every
 * customer), so nothing here is customer-scoped. Errors are the store's translated AppErrors (a duplicate
 * version is CONFLICT); rows never leave this file.
 */
import { AppError } from '@cloudoptim/contracts';
import type { DbScope } from '@cloudoptim/db';
import type { ModelFormat } from '../models/scoring-model.ts';

export type ModelStatus = 'uploaded' | 'active' | 'retired';

/** A registered model version, without its artifact bytes. */
export interface ModelRecord {
  version: string;
  format: ModelFormat;
  sizeBytes: number;
  sha256: string;
  /** The latest held-out evaluation (or what the artifact shipped with); null until evaluated. */
  metrics: Record<string, unknown> | null;
  /** `YYYY-MM-DD`, the last date the model's training saw; null when unknown. */
  trainedUntil: string | null;
  status: ModelStatus;
  createdAt: string;
  activatedAt: string | null;
}

export interface NewModel {
  version: string;
  format: ModelFormat;
  artifact: Uint8Array;
  sha256: string;
  metrics: Record<string, unknown> | null;
  trainedUntil: string | null;
  createdAtMs: number;
}

interface ModelRow {
  version: string;
  format: ModelFormat;
  size_bytes: number;
  sha256: string;
  metrics: unknown;
  trained_until: string | Date | null;
  status: ModelStatus;
  created_at: string | Date;
  activated_at: string | Date | null;
}

const COLUMNS = 'version, format, size_bytes, sha256, metrics, trained_until, status, created_at, activated_at';

/** Registry advisory-lock key: activations and roll-backs on every replica take it in their transaction. */
const REGISTRY_LOCK_KEY = '7161409868121006';

const iso = (v: string | Date): string => new Date(v).toISOString();
const day = (v: string | Date): string => (typeof v === 'string' ? v.slice(0, 10) : v.toISOString().slice(0, 10));

function toRecord(row: ModelRow): ModelRecord {
  const metrics = typeof row.metrics === 'string' ? (JSON.parse(row.metrics) as unknown) : row.metrics;
  return {
    version: row.version,
    format: row.format,
    sizeBytes: Number(row.size_bytes),
    sha256: row.sha256,
    metrics: metrics && typeof metrics === 'object' ? (metrics as Record<string, unknown>) : null,
    trainedUntil: row.trained_until === null ? null : day(row.trained_until),
    status: row.status,
    createdAt: iso(row.created_at),
    activatedAt: row.activated_at === null ? null : iso(row.activated_at),
  };
}

export class ModelsRepository {
  constructor(private readonly scope: DbScope) {}

  /** Stores a new version as `uploaded`. @throws AppError CONFLICT when the version exists. */
  async insert(model: NewModel): Promise<ModelRecord> {
    const rows = await this.scope.query<ModelRow>(
      `INSERT INTO ml_models (version, format, artifact, size_bytes, sha256, metrics, trained_until, status, created_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::date, 'uploaded', $8) RETURNING ${COLUMNS}`,
      [model.version, model.format, model.artifact, model.artifact.byteLength, model.sha256, model.metrics === null ? null : JSON.stringify(model.metrics), model.trainedUntil, new Date(model.createdAtMs).toISOString()],
    );
    return toRecord(rows[0] as ModelRow);
  }

  /** Every version, newest first. */
  async list(): Promise<ModelRecord[]> {
    return (await this.scope.query<ModelRow>(`SELECT ${COLUMNS} FROM ml_models ORDER BY created_at DESC, version`)).map(toRecord);
  }

  async get(version: string): Promise<ModelRecord | undefined> {
    const rows = await this.scope.query<ModelRow>(`SELECT ${COLUMNS} FROM ml_models WHERE version = $1`, [version]);
    return rows[0] && toRecord(rows[0]);
  }

  /** The active version (without its artifact), or undefined when none is active. */
  async activeRecord(): Promise<ModelRecord | undefined> {
    const rows = await this.scope.query<ModelRow>(`SELECT ${COLUMNS} FROM ml_models WHERE status = 'active'`);
    return rows[0] && toRecord(rows[0]);
  }

  /** The active version and its artifact, or undefined when none is active (day-zero scoring). */
  async active(): Promise<{ record: ModelRecord; artifact: Uint8Array } | undefined> {
    const rows = await this.scope.query<ModelRow & { artifact: Uint8Array }>(`SELECT ${COLUMNS}, artifact FROM ml_models WHERE status = 'active'`);
    const row = rows[0];
    return row && { record: toRecord(row), artifact: new Uint8Array(row.artifact) };
  }

  async artifact(version: string): Promise<Uint8Array | undefined> {
    const rows = await this.scope.query<{ artifact: Uint8Array }>('SELECT artifact FROM ml_models WHERE version = $1', [version]);
    return rows[0] && new Uint8Array(rows[0].artifact);
  }

  async setMetrics(version: string, metrics: Record<string, unknown>): Promise<void> {
    await this.scope.query('UPDATE ml_models SET metrics = $2::jsonb WHERE version = $1', [version, JSON.stringify(metrics)]);
  }

  /**
   * Makes `version` the active model and retires the one before (in the caller's transaction, which must be
   * the only writer: call {@link lockRegistry} first). Records the change in the activation log.
   * @returns the version that was active before (null: none).
   * @throws AppError NOT_FOUND for an unknown version.
   */
  async activate(version: string, action: 'activate' | 'rollback', atMs: number): Promise<{ previous: string | null }> {
    const at = new Date(atMs).toISOString();
    const target = await this.get(version);
    if (!target) throw new AppError('NOT_FOUND', `model ${version} not found`, { version });
    const retired = await this.scope.query<{ version: string }>("UPDATE ml_models SET status = 'retired' WHERE status = 'active' RETURNING version");
    const previous = retired[0]?.version ?? null;
    await this.scope.query("UPDATE ml_models SET status = 'active', activated_at = $2 WHERE version = $1", [version, at]);
    await this.scope.query('INSERT INTO ml_model_activations (version, previous_version, action, at) VALUES ($1, $2, $3, $4)', [version, previous, action, at]);
    return { previous };
  }

  /**
   * What a roll-back returns to: the version that was active before `current`'s latest plain activation (so a
   * second roll-back walks one step further back). Null when there is none.
   */
  async rollbackTarget(current: string): Promise<string | null> {
    const rows = await this.scope.query<{ previous_version: string | null }>("SELECT previous_version FROM ml_model_activations WHERE version = $1 AND action = 'activate' ORDER BY seq DESC LIMIT 1", [current]);
    return rows[0]?.previous_version ?? null;
  }

  /** Serialises registry changes across replicas for the rest of the caller's transaction. */
  async lockRegistry(): Promise<void> {
    await this.scope.query(`SELECT pg_advisory_xact_lock(${REGISTRY_LOCK_KEY})`);
  }

  /**
   * Deletes a version that is not active.
   * @throws AppError NOT_FOUND (unknown), CONFLICT (it is the active model: activate another first).
   */
  async delete(version: string): Promise<void> {
    const deleted = await this.scope.query<{ version: string }>("DELETE FROM ml_models WHERE version = $1 AND status <> 'active' RETURNING version", [version]);
    if (deleted.length > 0) return;
    const existing = await this.get(version);
    if (!existing) throw new AppError('NOT_FOUND', `model ${version} not found`, { version });
    throw new AppError('CONFLICT', `model ${version} is the active model; activate another version (or roll back) before deleting it`, { version });
  }
}
