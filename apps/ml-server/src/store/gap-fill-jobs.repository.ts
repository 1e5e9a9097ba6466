/**
 * Gap-fill jobs (`ml_gap_fill_jobs`): what a fill was asked to cover and how far it got. At most one job is
 * queued or running at a time across replicas (a partial unique index); a job whose replica died is failed by
 * the next start (`failStale`).
 */
import { AppError, type GapFillStatusSchema } from '@cloudoptim/contracts';
import type { z } from 'zod';
import type { DbScope } from '@cloudoptim/db';

export type GapFillStatus = z.infer<typeof GapFillStatusSchema>;

export interface GapFillJob {
  id: string;
  status: GapFillStatus;
  scope: Record<string, unknown>;
  progress: number;
  seriesTotal: number;
  seriesDone: number;
  recordsFilled: number;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
}

export interface GapFillJobUpdate {
  status?: GapFillStatus;
  progress?: number;
  seriesTotal?: number;
  seriesDone?: number;
  recordsFilled?: number;
  error?: string | null;
  startedAtMs?: number;
  finishedAtMs?: number;
}

interface JobRow {
  id: string;
  status: GapFillStatus;
  scope: unknown;
  progress: number | string;
  series_total: number;
  series_done: number;
  records_filled: number;
  error: string | null;
  created_at: string | Date;
  started_at: string | Date | null;
  finished_at: string | Date | null;
  updated_at: string | Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (v: string | Date | null): string | null => (v === null ? null : new Date(v).toISOString());

function toJob(row: JobRow): GapFillJob {
  return {
    id: row.id,
    status: row.status,
    scope: (typeof row.scope === 'string' ? JSON.parse(row.scope) : row.scope) as Record<string, unknown>,
    progress: Number(row.progress),
    seriesTotal: Number(row.series_total),
    seriesDone: Number(row.series_done),
    recordsFilled: Number(row.records_filled),
    error: row.error,
    createdAt: iso(row.created_at) as string,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    updatedAt: iso(row.updated_at) as string,
  };
}

export class GapFillJobsRepository {
  constructor(private readonly scope: DbScope) {}

  /** Queues a job. @throws AppError CONFLICT while another job is queued or running. */
  async create(scope: Record<string, unknown>, atMs: number): Promise<GapFillJob> {
    const at = new Date(atMs).toISOString();
    try {
      const rows = await this.scope.query<JobRow>('INSERT INTO ml_gap_fill_jobs (scope, created_at, updated_at) VALUES ($1::jsonb, $2, $2) RETURNING *', [JSON.stringify(scope), at]);
      return toJob(rows[0] as JobRow);
    } catch (error) {
      if (error instanceof AppError && error.code === 'CONFLICT') {
        const active = await this.scope.query<{ id: string }>("SELECT id FROM ml_gap_fill_jobs WHERE status IN ('queued', 'running')");
        throw new AppError('CONFLICT', `a gap-fill job is already ${active[0] ? `running (${active[0].id})` : 'running'}; wait for it to finish`, { job_id: active[0]?.id ?? null }, { cause: error });
      }
      throw error;
    }
  }

  /** @returns undefined for an unknown (or malformed) id. */
  async get(id: string): Promise<GapFillJob | undefined> {
    if (!UUID.test(id)) return undefined;
    const rows = await this.scope.query<JobRow>('SELECT * FROM ml_gap_fill_jobs WHERE id = $1', [id]);
    return rows[0] && toJob(rows[0]);
  }

  /** The latest jobs, newest first (at most `limit`, 1–100). */
  async list(limit = 20): Promise<GapFillJob[]> {
    const rows = await this.scope.query<JobRow>('SELECT * FROM ml_gap_fill_jobs ORDER BY created_at DESC LIMIT $1', [Math.min(100, Math.max(1, Math.floor(limit)))]);
    return rows.map(toJob);
  }

  async update(id: string, change: GapFillJobUpdate, atMs: number): Promise<GapFillJob> {
    const rows = await this.scope.query<JobRow>(
      `UPDATE ml_gap_fill_jobs SET
         status = COALESCE($2, status), progress = COALESCE($3, progress), series_total = COALESCE($4, series_total),
         series_done = COALESCE($5, series_done), records_filled = COALESCE($6, records_filled),
         error = CASE WHEN $7::boolean THEN $8 ELSE error END,
         started_at = COALESCE($9, started_at), finished_at = COALESCE($10, finished_at), updated_at = $11
       WHERE id = $1 RETURNING *`,
      [
        id,
        change.status ?? null,
        change.progress ?? null,
        change.seriesTotal ?? null,
        change.seriesDone ?? null,
        change.recordsFilled ?? null,
        change.error !== undefined,
        change.error ?? null,
        change.startedAtMs === undefined ? null : new Date(change.startedAtMs).toISOString(),
        change.finishedAtMs === undefined ? null : new Date(change.finishedAtMs).toISOString(),
        new Date(atMs).toISOString(),
      ],
    );
    if (!rows[0]) throw new AppError('NOT_FOUND', `gap-fill job ${id} not found`, { job_id: id });
    return toJob(rows[0]);
  }

  /** Fails queued/running jobs not updated since `beforeMs` (their replica stopped). @returns their ids. */
  async failStale(beforeMs: number, atMs: number, message: string): Promise<string[]> {
    const rows = await this.scope.query<{ id: string }>(
      "UPDATE ml_gap_fill_jobs SET status = 'failed', error = $3, finished_at = $2, updated_at = $2 WHERE status IN ('queued', 'running') AND updated_at < $1 RETURNING id",
      [new Date(beforeMs).toISOString(), new Date(atMs).toISOString(), message],
    );
    return rows.map((r) => r.id);
  }
}
