/**
 * Prometheus metrics of the spot handler: interruptions handled (by event type and action taken) and the
 * latency from a warning being receivable to its urgent drain being enqueued (SPEC §5 flow 3's goal: < 1 s).
 */
import { Counter, Histogram, type Registry } from '@cloudoptim/runtime';

export interface SpotHandlerMetrics {
  /** One per handled message: type = interruption_warning | rebalance_recommendation | instance_terminated | malformed | ignored. */
  handled: Counter<'type' | 'action'>;
  /** Seconds from the message being sent to the queue to the drain task enqueued. */
  drainLatency: Histogram<string>;
  /** Receive failures of a queue (the poller backs off and retries). */
  pollErrors: Counter<'code'>;
}

const HANDLED = 'cloudoptim_central_spot_interruptions_handled_total';
const LATENCY = 'cloudoptim_central_spot_warning_to_drain_seconds';
const POLL_ERRORS = 'cloudoptim_central_spot_queue_poll_errors_total';

/** The metrics on `registry`, registered on first use (several workers of one process share them). */
export function spotHandlerMetrics(registry: Registry): SpotHandlerMetrics {
  return {
    handled: (registry.getSingleMetric(HANDLED) as Counter<'type' | 'action'> | undefined) ?? new Counter({ name: HANDLED, help: 'Spot interruption messages handled, by event type and action taken', labelNames: ['type', 'action'], registers: [registry] }),
    drainLatency:
      (registry.getSingleMetric(LATENCY) as Histogram<string> | undefined) ??
      new Histogram({ name: LATENCY, help: 'Seconds from an interruption warning being receivable to its urgent drain task being enqueued', buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30], registers: [registry] }),
    pollErrors: (registry.getSingleMetric(POLL_ERRORS) as Counter<'code'> | undefined) ?? new Counter({ name: POLL_ERRORS, help: 'Failed receives from interruption queues, by error code', labelNames: ['code'], registers: [registry] }),
  };
}
