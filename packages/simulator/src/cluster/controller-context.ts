/**
 * What every controller of the simulated cluster shares: the store, the clock, a seeded RNG stream, the
 * informer-style index, the timers and the event recorder. Controllers are plain objects with a work queue
 * and a `sync(key)`; `Cluster.tick()` drains the queues.
 */
import type { Rng } from '@cloudoptim/market';
import type { Clock, Logger } from '@cloudoptim/runtime';
import type { ObjectStore } from '../kube-api/index.ts';
import type { ClusterIndex, WorkQueue } from './cluster-index.ts';
import type { EventRecorder } from './event-recorder.ts';
import type { Timers } from './timers.ts';

export interface ControllerContext {
  store: ObjectStore;
  clock: Clock;
  log: Logger;
  index: ClusterIndex;
  timers: Timers;
  events: EventRecorder;
}

export interface Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  /** Brings the object named by `key` to its desired state. Throwing requeues the key after a backoff. */
  sync(key: string): void;
}

export type { Rng };
