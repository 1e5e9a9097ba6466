/**
 * The region's event log: every instance state change, market event and capacity failure in simulated-time
 * order. Two runs with one seed and the same calls produce the same log (the reproducibility check).
 */

/** Kinds of log entries. */
export type AwsEventKind =
  | 'instance-pending'
  | 'instance-running'
  | 'instance-shutting-down'
  | 'instance-terminated'
  | 'rebalance-recommendation'
  | 'interruption-warning'
  | 'insufficient-capacity';

/** One entry. */
export interface AwsEvent {
  timeMs: number;
  kind: AwsEventKind;
  instanceId?: string;
  instanceType: string;
  availabilityZone: string;
  lifecycle?: 'spot' | 'on-demand';
  /** Why an instance went away (`user`, `spot-interruption`). */
  cause?: string;
}

/** An append-only list with subscribers. */
export class EventLog {
  private readonly entries: AwsEvent[] = [];
  private readonly listeners = new Set<(e: AwsEvent) => void>();

  record(e: AwsEvent): void {
    this.entries.push(e);
    for (const l of [...this.listeners]) l(e);
  }

  /** A copy of the entries so far. */
  list(): AwsEvent[] {
    return [...this.entries];
  }

  /** Subscribes to new entries; returns an unsubscribe function. */
  subscribe(cb: (e: AwsEvent) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }
}
