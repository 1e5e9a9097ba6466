/**
 * The model registry and the gap filler (central proxies them to the ML server under /api/v1/admin/ml), plus
 * the test prediction and the backtest. An older central without those answers the 404 envelope `no route …`,
 * which the pages show as "not available on this server".
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useApi } from './api-context.tsx';
import { queryKeys } from './query-keys.ts';
import type { BacktestCoverage, GapAnalysis, GapFillJob, ModelActivation, ModelEvaluation, ModelFormat, ModelList, ModelView } from './wire-types.ts';

const ML = '/api/v1/admin/ml';

export function useModels() {
  const api = useApi();
  return useQuery({ queryKey: queryKeys.models, queryFn: () => api.get<ModelList>(`${ML}/models`) });
}

export interface ModelUpload {
  format: ModelFormat;
  version?: string;
  trained_until?: string;
  artifact_base64: string;
}

export function useUploadModel() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (upload: ModelUpload) => api.post<ModelView>(`${ML}/models`, upload),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.models }),
  });
}

/** Activate a version, or roll back (version null) to the one active before. */
export function useActivateModel() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (version: string | null) => api.post<ModelActivation>(version === null ? `${ML}/models/rollback` : `${ML}/models/${encodeURIComponent(version)}/activate`),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.models }),
  });
}

export function useEvaluateModel() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (version: string) => api.post<ModelEvaluation>(`${ML}/models/${encodeURIComponent(version)}/evaluate`, {}),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.models }),
  });
}

export function useDeleteModel() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (version: string) => api.delete(`${ML}/models/${encodeURIComponent(version)}`),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.models }),
  });
}

/** A spot-interruption prediction for one pool (the ML server's predict call, through central). */
export function useTestPrediction() {
  const api = useApi();
  return useMutation({ mutationFn: (input: Record<string, unknown>) => api.post<Record<string, unknown>>(`${ML}/predict/spot-interruption`, input) });
}

export interface GapScope {
  region: string;
  instance_types?: string[];
  availability_zones?: string[];
  lookback_days?: number;
}

export function useGapAnalysis() {
  const api = useApi();
  return useMutation({ mutationFn: (scope: GapScope) => api.post<GapAnalysis>(`${ML}/data/gap-analysis`, scope) });
}

export function useFillGaps() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (scope: GapScope) => api.post<GapFillJob>(`${ML}/data/fill-gaps`, scope),
    onSuccess: (job) => {
      client.setQueryData(queryKeys.gapJob(job.job_id), job);
      return client.invalidateQueries({ queryKey: queryKeys.gapJobs });
    },
  });
}

export function useGapJobs() {
  const api = useApi();
  return useQuery({ queryKey: queryKeys.gapJobs, queryFn: async () => (await api.get<{ jobs: GapFillJob[] }>(`${ML}/data/jobs`, { limit: 20 })).jobs });
}

/**
 * One gap-fill job. The admin stream patches it (gap_fill_progress); while it runs it is also polled every
 * 2 s, so progress shows even where the stream does not carry the ML server's events.
 */
export function useGapJob(jobId: string | null) {
  const api = useApi();
  const client = useQueryClient();
  const job = useQuery({
    queryKey: queryKeys.gapJob(jobId ?? ''),
    queryFn: () => api.get<GapFillJob>(`${ML}/data/jobs/${encodeURIComponent(jobId!)}`),
    enabled: jobId !== null,
    refetchInterval: (query) => (query.state.data && isFinished(query.state.data) ? false : 2000),
  });
  const finished = job.data !== undefined && isFinished(job.data);
  // The recent-jobs list shows the end too.
  useEffect(() => {
    if (finished) void client.invalidateQueries({ queryKey: queryKeys.gapJobs });
  }, [finished, client]);
  return job;
}

const isFinished = (job: GapFillJob) => job.status === 'completed' || job.status === 'failed';

export interface BacktestInput {
  cluster_id: string;
  /** Price history region (central defaults to the cluster's). */
  region?: string;
  from: string;
  to: string;
}

/** The regions and windows the Spot price history covers, and the longest window a backtest takes. */
export function useBacktestCoverage() {
  const api = useApi();
  return useQuery({ queryKey: queryKeys.backtestCoverage, queryFn: () => api.get<BacktestCoverage>('/api/v1/admin/backtest/coverage'), staleTime: Infinity });
}

/** "What would this cluster have saved": strategies replayed on the real spot price history. */
export function useBacktest() {
  const api = useApi();
  return useMutation({ mutationFn: (input: BacktestInput) => api.post<Record<string, unknown>>('/api/v1/admin/backtest', input) });
}
