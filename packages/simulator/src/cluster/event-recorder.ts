/**
 * Writes core/v1 Events the way client-go's event recorder does: one Event per (object, reason, message),
 * repeated occurrences bump `count` and `lastTimestamp` instead of creating new objects, names are
 * `<object>.<hex>`. Events older than the apiserver's default TTL (1 h) are deleted by `expire()`.
 */
import type { Clock, Logger } from '@cloudoptim/runtime';
import { formatTime, KubeApiError, type KubeObject, type ObjectStore } from '../kube-api/index.ts';

export interface EventSource {
  component: string;
  host?: string;
}

const TTL_MS = 3_600_000;
const MAX_TRACKED = 20_000;

export class EventRecorder {
  private seq = 0;
  /** (uid, reason, message) → event name, for aggregation. Bounded; forgetting only costs a new Event. */
  private readonly seen = new Map<string, { namespace: string; name: string }>();

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly enabled: boolean,
  ) {}

  /** Records `reason`/`message` about `obj`. Never throws: an event is not worth failing a controller for. */
  record(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, source: EventSource): void {
    if (!this.enabled) return;
    const namespace = obj.metadata.namespace ?? 'default';
    const now = formatTime(this.clock.now());
    const key = `${obj.metadata.uid}\u0000${reason}\u0000${message}`;
    try {
      const existing = this.seen.get(key);
      if (existing && this.store.get('events', existing.namespace, existing.name)) {
        this.store.mutate<KubeObject & { count?: number; lastTimestamp?: string }>('events', existing.namespace, existing.name, (e) => {
          e.count = (e.count ?? 1) + 1;
          e.lastTimestamp = now;
        }, { skipValidation: true });
        return;
      }
      // client-go names events `<object>.<unix nanos in hex>`; a counter stands in for the nanoseconds.
      const name = `${obj.metadata.name}.${this.clock.now().toString(16)}${(this.seq++ % 0x1000000).toString(16).padStart(6, '0')}`;
      this.store.create('events', {
        metadata: { name, namespace },
        involvedObject: {
          kind: obj.kind,
          namespace: obj.metadata.namespace,
          name: obj.metadata.name,
          uid: obj.metadata.uid,
          apiVersion: obj.apiVersion,
          resourceVersion: obj.metadata.resourceVersion,
        },
        reason,
        message,
        source: source.host ? { component: source.component, host: source.host } : { component: source.component },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        type,
        eventTime: null,
        reportingComponent: source.component,
        reportingInstance: source.host ?? '',
      }, { skipValidation: true });
      if (this.seen.size >= MAX_TRACKED) this.seen.delete(this.seen.keys().next().value as string);
      this.seen.set(key, { namespace, name });
    } catch (err) {
      if (!(err instanceof KubeApiError && err.reason === 'NotFound')) this.log.warn({ err, reason }, 'could not record event');
    }
  }

  /** Deletes events whose last occurrence is older than the TTL. Returns how many went. */
  expire(): number {
    if (!this.enabled) return 0;
    const cutoff = this.clock.now() - TTL_MS;
    let n = 0;
    for (const e of this.store.list<KubeObject & { lastTimestamp?: string }>('events').items) {
      const last = Date.parse(e.lastTimestamp ?? e.metadata.creationTimestamp);
      if (!(last < cutoff)) continue;
      try {
        this.store.delete('events', e.metadata.namespace, e.metadata.name);
        n++;
      } catch {
        // already gone
      }
    }
    return n;
  }
}
