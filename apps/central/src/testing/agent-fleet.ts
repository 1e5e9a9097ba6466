/**
 * A fleet of simulated agents against one or more central replicas, in a worker thread (its own event loop):
 * task polls, heartbeats and metrics reports (50 nodes / 500 pods by default) at the agent's cadence. The parent
 * marks phases (e.g. "before the kill", "after the kill") and gets per-phase counts and latency percentiles.
 * Used by the agent-load and failover benchmarks and their short tests.
 */
import { Worker } from 'node:worker_threads';
import { exampleClusterMetrics, exampleHeartbeat, exampleNodeMetric, examplePodMetric, type ClusterMetrics, type Heartbeat } from '@cloudoptim/contracts';

export interface FleetAgent {
  clusterId: string;
  apiKey: string;
}

export interface AgentFleetOptions {
  baseUrls: string[];
  fleet: FleetAgent[];
  /** Default: poll 10 s, heartbeat 30 s, metrics 60 s (the agent's defaults). */
  periodsMs?: Partial<Record<'poll' | 'heartbeat' | 'metrics', number>>;
  /** Retries of a request that found no server, timed out or got 502/503/504 (default 0), on the next replica. */
  retries?: number;
  /** First retry after this, doubling (default 250 ms). */
  retryBackoffMs?: number;
  timeoutMs?: number;
  /** Name of the phase counted from the start (default "run"). */
  firstPhase?: string;
  /** Seeds the agents' start phases. */
  seed?: number;
  /** Size of each metrics report (default 50 nodes / 500 pods). */
  nodes?: number;
  pods?: number;
}

export interface FleetPhaseStats {
  phase: string;
  seconds: number;
  requests: number;
  rps: number;
  /** Requests that ended in an error answer or found no server after every retry. */
  failed: number;
  /** Requests that succeeded after at least one retry. */
  retried: number;
  /** Attempts that found no server, timed out or got 502/503/504. */
  attempts_refused: number;
  /** Those attempts by HTTP status or network error code. */
  refused_by: Record<string, number>;
  /** Failed requests by kind and final status or network error. */
  failures: Record<string, number>;
  /** When the last retried attempt of the phase happened, from the phase's start (null: none). */
  last_retry_after_ms: number | null;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  p99_by_kind_ms: Record<string, number>;
}

export interface FleetResult {
  phases: FleetPhaseStats[];
  /** Requests still unanswered 30 s after the stop (counted nowhere). */
  unfinished: number;
}

export type FleetParentMessage = { type: 'mark'; phase: string } | { type: 'stop' };

export interface RunningFleet {
  /** Starts a new phase: requests sent from now on count in it. */
  mark(phase: string): void;
  /** Stops sending, waits for in-flight requests and returns every phase's stats. */
  stop(): Promise<FleetResult>;
}

export function heartbeatFor(clusterId: string, at: Date): Heartbeat {
  return exampleHeartbeat({ cluster_id: clusterId, timestamp: at.toISOString(), running_task_ids: [] });
}

/** A ClusterMetrics report of `nodes` nodes and `pods` pods (the seed's 50 / 500). */
export function metricsFor(clusterId: string, at: Date, nodes = 50, pods = 500): ClusterMetrics {
  const nodeMetrics = Array.from({ length: nodes }, (_, i) => exampleNodeMetric({ node_name: `ip-10-0-${i >> 8}-${i & 255}.ec2.internal`, instance_id: `i-${(0x1000000 + i).toString(16).padStart(17, '0')}` }));
  const podMetrics = Array.from({ length: pods }, (_, i) => {
    const pod = examplePodMetric();
    return { ...pod, pod_name: `web-${i}`, node_name: nodeMetrics[i % nodes]?.node_name ?? pod.node_name };
  });
  return exampleClusterMetrics({ cluster_id: clusterId, timestamp: at.toISOString(), nodes: nodeMetrics, pods: podMetrics, pending_pod_details: [], total_nodes: nodes, total_pods: pods, running_pods: pods, pending_pods: 0 });
}

const ZERO = '00000000-0000-0000-0000-000000000000';

export function startAgentFleet(options: AgentFleetOptions): RunningFleet {
  const at = new Date();
  // Payload templates built once; the worker stamps the cluster id and a fresh timestamp per send.
  const metricsTemplate = JSON.stringify(metricsFor(ZERO, at, options.nodes, options.pods));
  const heartbeatTemplate = JSON.stringify(heartbeatFor(ZERO, at));
  // Workers do not inherit the tsx loader: register it, then load the TypeScript worker.
  const script = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(new URL('./agent-fleet.worker.ts', import.meta.url).href)}); })`;
  const worker = new Worker(script, { eval: true, workerData: { ...options, metricsTemplate, heartbeatTemplate } });
  const failed = new Promise<never>((_, reject) => worker.once('error', reject));
  failed.catch(() => {});
  return {
    mark: (phase) => worker.postMessage({ type: 'mark', phase } satisfies FleetParentMessage),
    stop: async () => {
      const result = new Promise<FleetResult>((resolve) => worker.once('message', resolve));
      worker.postMessage({ type: 'stop' } satisfies FleetParentMessage);
      const out = await Promise.race([result, failed]);
      await worker.terminate();
      return out;
    },
  };
}
