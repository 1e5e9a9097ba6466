/**
 * The agent's Prometheus metrics (served on the health port's /metrics): tasks by type and status, drain
 * durations, evictions retried, buffer depth and drops, last successful contact with central. One registry per
 * agent instance (tests run several in one process).
 */
import { Counter, createMetricsRegistry, Gauge, Histogram, type Registry } from '@cloudoptim/runtime';

export class AgentMetrics {
  readonly registry: Registry;
  /** Tasks finished, by `type` and result `status` (success, failed, timeout, cancelled). */
  readonly tasks: Counter<'type' | 'status'>;
  readonly tasksRunning: Gauge;
  readonly tasksQueued: Gauge;
  /** Wall-clock seconds of drain_node tasks, by result `status`. */
  readonly drainDuration: Histogram<'status'>;
  /** Evictions that had to be retried (a PodDisruptionBudget or a transient error refused them). */
  readonly evictionsRetried: Counter;
  /** Items waiting for central, by `kind` (result, metrics, event). */
  readonly bufferDepth: Gauge<'kind'>;
  /** Items dropped because the buffer was full, by `kind` (metrics, event). Results are never dropped. */
  readonly bufferDropped: Counter<'kind'>;
  /** Items central refused for good (4xx), by `kind`. */
  readonly rejected: Counter<'kind'>;
  /** Unix time (seconds) of the last answer from central. */
  readonly lastContact: Gauge;
  readonly metricsCollections: Counter<'outcome'>;
  readonly eventsForwarded: Counter<'kind'>;
  readonly streamConnected: Gauge;

  constructor(options: { processMetrics?: boolean } = {}) {
    this.registry = createMetricsRegistry('agent', { processMetrics: options.processMetrics ?? true });
    const registers = [this.registry];
    this.tasks = new Counter({ name: 'cloudoptim_agent_tasks_total', help: 'Tasks finished, by type and status', labelNames: ['type', 'status'], registers });
    this.tasksRunning = new Gauge({ name: 'cloudoptim_agent_tasks_running', help: 'Tasks executing now', registers });
    this.tasksQueued = new Gauge({ name: 'cloudoptim_agent_tasks_queued', help: 'Tasks waiting for a free slot', registers });
    this.drainDuration = new Histogram({
      name: 'cloudoptim_agent_drain_duration_seconds', help: 'Duration of drain_node tasks', labelNames: ['status'], registers,
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800],
    });
    this.evictionsRetried = new Counter({ name: 'cloudoptim_agent_evictions_retried_total', help: 'Evictions retried after a PDB or transient refusal', registers });
    this.bufferDepth = new Gauge({ name: 'cloudoptim_agent_buffer_depth', help: 'Items waiting to be sent to central', labelNames: ['kind'], registers });
    this.bufferDropped = new Counter({ name: 'cloudoptim_agent_buffer_dropped_total', help: 'Items dropped from a full buffer', labelNames: ['kind'], registers });
    this.rejected = new Counter({ name: 'cloudoptim_agent_central_rejected_total', help: 'Items central refused for good', labelNames: ['kind'], registers });
    this.lastContact = new Gauge({ name: 'cloudoptim_agent_last_central_contact_timestamp_seconds', help: 'Last successful answer from central (unix seconds)', registers });
    this.metricsCollections = new Counter({ name: 'cloudoptim_agent_metrics_collections_total', help: 'Metrics snapshots collected', labelNames: ['outcome'], registers });
    this.eventsForwarded = new Counter({ name: 'cloudoptim_agent_events_total', help: 'Cluster events queued for central, by kind', labelNames: ['kind'], registers });
    this.streamConnected = new Gauge({ name: 'cloudoptim_agent_stream_connected', help: '1 while the WebSocket to central is open', registers });
  }
}
