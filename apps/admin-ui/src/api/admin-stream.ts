/**
 * The admin stream (`WS /api/v1/admin/stream`) merged into the query cache (ARCHITECTURE convention 14: no
 * second store). Each AdminStreamEvent either patches the cached answers it changes (a cluster's state, a
 * gap-fill job's progress) or invalidates the queries it makes stale, so visible pages refetch at once.
 *
 * The browser authenticates the socket with its session cookie. When the socket drops it reconnects with
 * backoff; after a reconnect everything is refetched, since events sent meanwhile were missed.
 */
import { AdminStreamEventSchema, type AdminStreamEvent, type ClusterState } from '@cloudoptim/contracts';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { queryKeys } from './query-keys.ts';
import type { ClusterSummary, GapFillJob } from './wire-types.ts';

/** The fields of a ClusterSummary that a ClusterState carries. */
function summaryPatch(state: ClusterState): Partial<ClusterSummary> {
  return {
    cluster_name: state.cluster_name,
    region: state.region,
    health_status: state.health_status,
    total_nodes: state.total_nodes,
    spot_nodes: state.spot_nodes,
    on_demand_nodes: state.on_demand_nodes,
    total_pods: state.total_pods,
    pending_pods: state.pending_pods,
    current_cost_per_hour: state.current_cost_per_hour,
    baseline_cost_per_hour: state.baseline_cost_per_hour,
    last_updated: state.last_updated,
  };
}

/** Applies one event to the cache. Pure over the QueryClient: what the socket hook calls per frame. */
export function applyAdminEvent(client: QueryClient, event: AdminStreamEvent): void {
  switch (event.type) {
    case 'cluster_state_changed': {
      const patch = summaryPatch(event.state);
      let known = false;
      client.setQueriesData<ClusterSummary[]>({ queryKey: queryKeys.clusterLists }, (old) =>
        old?.map((c) => {
          if (c.cluster_id !== event.cluster_id) return c;
          known = true;
          return { ...c, ...patch };
        }),
      );
      client.setQueryData<ClusterSummary>(queryKeys.clusterSummary(event.cluster_id), (old) => old && { ...old, ...patch });
      if (!known) void client.invalidateQueries({ queryKey: queryKeys.clusterLists });
      // The state comes with a new metrics report: its nodes and pods changed too.
      void client.invalidateQueries({ queryKey: queryKeys.clusterNodes(event.cluster_id) });
      void client.invalidateQueries({ queryKey: ['cluster', event.cluster_id, 'pods'] });
      return;
    }
    case 'node_added':
    case 'node_removed':
      void client.invalidateQueries({ queryKey: queryKeys.clusterNodes(event.cluster_id) });
      void client.invalidateQueries({ queryKey: ['cluster', event.cluster_id, 'events'] });
      return;
    case 'task_updated':
      void client.invalidateQueries({ queryKey: ['cluster', event.cluster_id, 'tasks'] });
      return;
    case 'spot_event':
      void client.invalidateQueries({ queryKey: queryKeys.spotEventsAll });
      return;
    case 'optimization_updated':
      void client.invalidateQueries({ queryKey: queryKeys.plan(event.optimization_id) });
      void client.invalidateQueries({ queryKey: [...queryKeys.plansAll, 'list'] });
      return;
    case 'savings_updated':
      void client.invalidateQueries({ queryKey: queryKeys.savingsAll });
      return;
    case 'gap_fill_progress':
      client.setQueryData<GapFillJob>(queryKeys.gapJob(event.job_id), (old) => ({
        ...(old ?? { job_id: event.job_id, error: null }),
        status: event.status,
        progress: event.progress,
        series_total: event.series_total,
        series_done: event.series_done,
        records_filled: event.records_filled,
        error: event.status === 'failed' ? (event.message ?? old?.error ?? 'failed') : (old?.error ?? null),
      }));
      if (event.status === 'completed' || event.status === 'failed') void client.invalidateQueries({ queryKey: queryKeys.gapJobs });
      return;
    case 'model_activated':
      void client.invalidateQueries({ queryKey: queryKeys.models });
      return;
  }
}

/** Parses one frame; null for anything that is not a known AdminStreamEvent (ignored, never fatal). */
export function parseAdminFrame(text: string): AdminStreamEvent | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = AdminStreamEventSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

export type StreamStatus = 'connecting' | 'live' | 'offline';

/** `ws(s)://<this origin>/api/v1/admin/stream`. */
export function adminStreamUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/admin/stream`;
}

const MAX_BACKOFF_MS = 30_000;

/** Keeps the admin stream open while `enabled` (signed in) and merges it into the cache. */
export function useAdminStream(enabled: boolean): StreamStatus {
  const client = useQueryClient();
  const [status, setStatus] = useState<StreamStatus>('connecting');

  useEffect(() => {
    if (!enabled || typeof WebSocket === 'undefined') return;
    let socket: WebSocket | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let attempts = 0;
    let wasOpen = false;
    let stopped = false;

    const connect = () => {
      setStatus('connecting');
      socket = new WebSocket(adminStreamUrl(window.location));
      socket.onopen = () => {
        if (wasOpen) void client.invalidateQueries();
        wasOpen = true;
        attempts = 0;
        setStatus('live');
      };
      socket.onmessage = (message) => {
        if (typeof message.data !== 'string') return;
        const event = parseAdminFrame(message.data);
        if (event) applyAdminEvent(client, event);
      };
      socket.onclose = () => {
        socket = null;
        if (stopped) return;
        setStatus('offline');
        // A closed socket can mean an expired session: let the session query find out.
        void client.invalidateQueries({ queryKey: queryKeys.me });
        const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempts);
        attempts += 1;
        retry = setTimeout(connect, delay);
      };
    };
    connect();
    return () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      socket?.close(1000, 'signed out');
    };
  }, [enabled, client]);

  return enabled ? status : 'offline';
}
