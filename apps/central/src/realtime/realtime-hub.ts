/**
 * Realtime fan-out to WebSocket subscribers on every replica: a publish goes through PostgreSQL NOTIFY (PGlite:
 * in-process) and each replica's listener hands it to its local subscribers (agent streams of that cluster,
 * admin streams that may see that customer). NOTIFY is a hint, not storage: whatever must not be lost (tasks,
 * events) is in a table first, and clients re-read on reconnect.
 */
import type { AdminStreamEvent, AgentServerEvent } from '@cloudoptim/contracts';
import type { Database } from '@cloudoptim/db';
import type { Logger } from '@cloudoptim/runtime';

export const REALTIME_CHANNEL = 'cloudoptim_realtime';

type Envelope = { to: 'agent'; clusterId: string; event: AgentServerEvent } | { to: 'admin'; customerId: string; event: AdminStreamEvent };

/** An admin subscriber: `customerId` undefined = operator (every customer). */
export interface AdminSubscription {
  customerId: string | undefined;
  send(event: AdminStreamEvent): void;
}

export interface RealtimeHub {
  publishToAgent(clusterId: string, event: AgentServerEvent): Promise<void>;
  publishToAdmins(customerId: string, event: AdminStreamEvent): Promise<void>;
  /** Local subscription of one agent connection; returns unsubscribe. */
  subscribeAgent(clusterId: string, send: (event: AgentServerEvent) => void): () => void;
  subscribeAdmin(subscription: AdminSubscription): () => void;
  /** Agent connections of a cluster on this replica (for health and tests). */
  agentConnections(clusterId: string): number;
  close(): Promise<void>;
}

export class PgRealtimeHub implements RealtimeHub {
  private readonly agents = new Map<string, Set<(event: AgentServerEvent) => void>>();
  private readonly admins = new Set<AdminSubscription>();
  private stop: (() => Promise<void>) | undefined;

  private constructor(
    private readonly db: Database,
    private readonly log: Logger,
  ) {}

  static async start(db: Database, log: Logger): Promise<PgRealtimeHub> {
    const hub = new PgRealtimeHub(db, log);
    hub.stop = await db.listen(REALTIME_CHANNEL, (payload) => hub.deliver(payload));
    return hub;
  }

  publishToAgent(clusterId: string, event: AgentServerEvent): Promise<void> {
    return this.publish({ to: 'agent', clusterId, event });
  }

  publishToAdmins(customerId: string, event: AdminStreamEvent): Promise<void> {
    return this.publish({ to: 'admin', customerId, event });
  }

  subscribeAgent(clusterId: string, send: (event: AgentServerEvent) => void): () => void {
    let set = this.agents.get(clusterId);
    if (!set) this.agents.set(clusterId, (set = new Set()));
    set.add(send);
    return () => {
      set.delete(send);
      if (set.size === 0) this.agents.delete(clusterId);
    };
  }

  subscribeAdmin(subscription: AdminSubscription): () => void {
    this.admins.add(subscription);
    return () => this.admins.delete(subscription);
  }

  agentConnections(clusterId: string): number {
    return this.agents.get(clusterId)?.size ?? 0;
  }

  async close(): Promise<void> {
    await this.stop?.();
    this.stop = undefined;
    this.agents.clear();
    this.admins.clear();
  }

  private async publish(envelope: Envelope): Promise<void> {
    await this.db.notify(REALTIME_CHANNEL, JSON.stringify(envelope));
  }

  private deliver(payload: string): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload) as Envelope;
    } catch {
      this.log.warn({ channel: REALTIME_CHANNEL }, 'ignored a realtime notification that is not JSON');
      return;
    }
    const failed = (error: unknown) => this.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'a realtime subscriber failed');
    if (envelope.to === 'agent') {
      for (const send of this.agents.get(envelope.clusterId) ?? []) {
        try {
          send(envelope.event);
        } catch (error) {
          failed(error);
        }
      }
      return;
    }
    for (const sub of this.admins) {
      if (sub.customerId !== undefined && sub.customerId !== envelope.customerId) continue;
      try {
        sub.send(envelope.event);
      } catch (error) {
        failed(error);
      }
    }
  }
}
