/**
 * The agent's configuration: one zod schema over the environment (the CLI maps its flags onto the same
 * variables), parsed at boot with every problem reported at once (CONFIG_INVALID). Intervals are seconds in the
 * environment and milliseconds in {@link AgentConfig}. The API key is never echoed back in an error.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { IdSchema } from '@cloudoptim/contracts';
import { envSchemas, loadConfig, type Env, type LogLevel } from '@cloudoptim/runtime';

const seconds = (fallback: number) => z.coerce.number().positive().max(86_400).default(fallback);

/** The environment variables the agent reads (names as in deploy/agent/configmap.yaml). */
export const AgentEnvSchema = z.object({
  CENTRAL_SERVER_URL: envSchemas.url().describe("Central's base URL (`--central-url`)."),
  CLUSTER_ID: IdSchema.describe("This cluster's id in CloudOptim (`--cluster-id`)."),
  CENTRAL_API_KEY: z
    .string()
    .min(8, 'expected the cluster API key (at least 8 characters)')
    .refine((key) => key !== 'replace-me', 'still the placeholder of deploy/agent/secret.yaml: set the cluster API key')
    .describe("The cluster's agent API key from the register-cluster answer, from the Secret (`--api-key` is visible in `ps`)."),
  KUBECONFIG: z.string().min(1).optional().describe("A kubeconfig file (`--kubeconfig`); unset: the pod's service account (in-cluster config)."),
  KUBE_CONTEXT: z.string().min(1).optional().describe('Context of that kubeconfig (`--context`); unset: its current context.'),
  AGENT_ID: IdSchema.optional().describe('Who this agent is in heartbeats; unset: POD_NAME, else a random id.'),
  POD_NAME: z.string().optional().describe('The pod name (the Deployment sets it through the Downward API); the agent id when AGENT_ID is unset.'),
  HEALTH_CHECK_PORT: envSchemas.port(8080).describe('Port of /health, /ready and /metrics (`--health-port`).'),
  LOG_LEVEL: envSchemas.logLevel().describe('Level of the JSON log on stdout (`--log-level`).'),
  METRICS_INTERVAL_SECONDS: seconds(60).describe('Seconds between metrics snapshots (`--metrics-interval`).'),
  HEARTBEAT_INTERVAL_SECONDS: seconds(30).describe('Seconds between heartbeats (`--heartbeat-interval`).'),
  TASK_POLL_INTERVAL_SECONDS: seconds(10).describe("Seconds between task polls (`--poll-interval`); central's heartbeat answer may change it."),
  EVENT_FLUSH_INTERVAL_SECONDS: seconds(5).describe('Seconds cluster events are gathered into one batch.'),
  FLUSH_INTERVAL_SECONDS: seconds(5).describe('Seconds between retries of buffered results, metrics and events while central is away.'),
  CENTRAL_TIMEOUT_SECONDS: seconds(15).describe('Timeout of one request to central, seconds.'),
  MAX_CONCURRENT_TASKS: envSchemas.positiveInt(4).describe('Tasks run at once (urgent drains may use as many again).'),
  BUFFER_MAX_METRICS_SAMPLES: envSchemas.positiveInt(30).describe('Metrics samples kept while central is unreachable (oldest dropped first).'),
  BUFFER_MAX_METRICS_MIB: envSchemas
    .positiveInt(16)
    .describe('…and at most this many MiB of them, deflated (a 10,000-pod sample is ~7 MiB of JSON, ~0.4 MiB deflated).'),
  BUFFER_MAX_EVENTS: envSchemas.positiveInt(10_000).describe('Cluster events kept while central is unreachable (oldest dropped first); task results are never dropped.'),
  DRAIN_RETRY_INTERVAL_SECONDS: seconds(2).describe('First wait between drain rounds while a PodDisruptionBudget refuses, seconds; doubles up to the max.'),
  DRAIN_MAX_RETRY_INTERVAL_SECONDS: seconds(20).describe('Longest wait between drain rounds, seconds.'),
  // Smaller pages mean shorter stretches of CPU between network reads while a large cluster is listed, so an
  // urgent drain waits less behind a metrics snapshot.
  KUBE_PAGE_SIZE: z.coerce.number().int().min(10).max(5_000).default(250).describe('Objects per Kubernetes list page (10 to 5000).'),
  STREAM_ENABLED: envSchemas.boolean(true).describe('Open the WebSocket for urgent tasks (polling alone still works without it).'),
});

export interface AgentConfig {
  centralUrl: string;
  clusterId: string;
  apiKey: string;
  agentId: string;
  kubeconfig: string | null;
  kubeContext: string | null;
  healthPort: number;
  logLevel: LogLevel;
  metricsIntervalMs: number;
  heartbeatIntervalMs: number;
  pollIntervalMs: number;
  eventFlushIntervalMs: number;
  flushIntervalMs: number;
  centralTimeoutMs: number;
  maxConcurrentTasks: number;
  buffer: { maxMetricsSamples: number; maxMetricsBytes: number; maxEvents: number };
  drainRetryIntervalMs: number;
  drainMaxRetryIntervalMs: number;
  kubePageSize: number;
  streamEnabled: boolean;
}

/** A pod name (or any string) made into a valid agent id, or a random one. */
function agentIdFrom(podName: string | undefined): string {
  const cleaned = (podName ?? '').replace(/[^A-Za-z0-9._:-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 128);
  return cleaned || `agent-${randomUUID()}`;
}

/**
 * Reads the configuration from `env`.
 * @throws AppError CONFIG_INVALID listing every bad or missing variable.
 */
export function loadAgentConfig(env: Env): AgentConfig {
  const e = loadConfig(AgentEnvSchema, env, 'agent');
  const ms = (s: number) => Math.round(s * 1000);
  return {
    centralUrl: e.CENTRAL_SERVER_URL,
    clusterId: e.CLUSTER_ID,
    apiKey: e.CENTRAL_API_KEY,
    agentId: e.AGENT_ID ?? agentIdFrom(e.POD_NAME),
    kubeconfig: e.KUBECONFIG ?? null,
    kubeContext: e.KUBE_CONTEXT ?? null,
    healthPort: e.HEALTH_CHECK_PORT,
    logLevel: e.LOG_LEVEL,
    metricsIntervalMs: ms(e.METRICS_INTERVAL_SECONDS),
    heartbeatIntervalMs: ms(e.HEARTBEAT_INTERVAL_SECONDS),
    pollIntervalMs: ms(e.TASK_POLL_INTERVAL_SECONDS),
    eventFlushIntervalMs: ms(e.EVENT_FLUSH_INTERVAL_SECONDS),
    flushIntervalMs: ms(e.FLUSH_INTERVAL_SECONDS),
    centralTimeoutMs: ms(e.CENTRAL_TIMEOUT_SECONDS),
    maxConcurrentTasks: e.MAX_CONCURRENT_TASKS,
    buffer: { maxMetricsSamples: e.BUFFER_MAX_METRICS_SAMPLES, maxMetricsBytes: e.BUFFER_MAX_METRICS_MIB * 2 ** 20, maxEvents: e.BUFFER_MAX_EVENTS },
    drainRetryIntervalMs: ms(e.DRAIN_RETRY_INTERVAL_SECONDS),
    drainMaxRetryIntervalMs: ms(Math.max(e.DRAIN_MAX_RETRY_INTERVAL_SECONDS, e.DRAIN_RETRY_INTERVAL_SECONDS)),
    kubePageSize: e.KUBE_PAGE_SIZE,
    streamEnabled: e.STREAM_ENABLED,
  };
}
