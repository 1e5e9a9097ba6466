/**
 * The ML server's events across replicas: `publish` sends the frame with NOTIFY on the store's database (PGlite:
 * in-process), and every replica's listener — the publisher's too — first runs its internal handlers (the
 * model registry reloads on `model_activated`) and then hands the frame to its stream subscribers. So a client
 * told "model X is active" by replica B already gets X's predictions from B.
 *
 * NOTIFY is a hint, not storage: the registry and job state are in tables; a lost notification (the LISTEN
 * connection dropped) leaves a replica on its previous model until the next activation or restart.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { GapFillProgressEventSchema, ModelActivatedEventSchema, STREAM_EVENT_VERSION } from '@cloudoptim/contracts';
import type { Database } from '@cloudoptim/db';
import type { Clock, Logger } from '@cloudoptim/runtime';

export const ML_EVENTS_CHANNEL = 'cloudoptim_ml_events';

export const MlStreamEventSchema = z.discriminatedUnion('type', [ModelActivatedEventSchema, GapFillProgressEventSchema]);
export type MlStreamEvent = z.infer<typeof MlStreamEventSchema>;
type Body<T extends MlStreamEvent['type']> = Omit<Extract<MlStreamEvent, { type: T }>, 'v' | 'id' | 'sent_at' | 'type'>;

export class MlEventBus {
  private readonly subscribers = new Set<(event: MlStreamEvent) => void>();
  private readonly handlers: ((event: MlStreamEvent) => Promise<void>)[] = [];
  /** Deliveries run one after another, in NOTIFY order. */
  private delivering: Promise<void> = Promise.resolve();
  private unlisten: (() => Promise<void>) | undefined;

  private constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  static async start(db: Database, clock: Clock, log: Logger): Promise<MlEventBus> {
    const bus = new MlEventBus(db, clock, log);
    bus.unlisten = await db.listen(ML_EVENTS_CHANNEL, (payload) => {
      bus.delivering = bus.delivering.then(() => bus.deliver(payload));
    });
    return bus;
  }

  /** A frame of `type` with a fresh id and the clock's time. */
  frame<T extends MlStreamEvent['type']>(type: T, body: Body<T>): MlStreamEvent {
    return MlStreamEventSchema.parse({ type, v: STREAM_EVENT_VERSION, id: randomUUID(), sent_at: new Date(this.clock.now()).toISOString(), ...body });
  }

  /** Sends to every replica (this one included). */
  async publish(event: MlStreamEvent): Promise<void> {
    await this.db.notify(ML_EVENTS_CHANNEL, JSON.stringify(event));
  }

  /** Runs before subscribers see the event, on every replica; a failing handler is logged, the event still goes out. */
  onEvent(handler: (event: MlStreamEvent) => Promise<void>): void {
    this.handlers.push(handler);
  }

  /** A stream connection of this replica. @returns unsubscribe. */
  subscribe(send: (event: MlStreamEvent) => void): () => void {
    this.subscribers.add(send);
    return () => this.subscribers.delete(send);
  }

  async close(): Promise<void> {
    await this.unlisten?.();
    this.unlisten = undefined;
    await this.delivering;
    this.subscribers.clear();
  }

  private async deliver(payload: string): Promise<void> {
    let event: MlStreamEvent;
    try {
      event = MlStreamEventSchema.parse(JSON.parse(payload));
    } catch (error) {
      this.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'ignored a malformed ML event notification');
      return;
    }
    for (const handler of this.handlers) {
      try {
        await handler(event);
      } catch (error) {
        this.log.error({ err: error, event_type: event.type }, 'ML event handler failed');
      }
    }
    for (const send of this.subscribers) {
      try {
        send(event);
      } catch (error) {
        this.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'a stream subscriber failed');
      }
    }
  }
}
