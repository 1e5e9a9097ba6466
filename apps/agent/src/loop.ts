/**
 * Clock-driven periodic work (heartbeat, task poll, flush, metrics): run a tick, sleep the interval on the
 * Clock, repeat. A tick that throws is logged and the loop goes on. `kick()` runs the next tick now (a kick
 * during a tick runs another one right after it). {@link BusyTracker} lets tests wait until no tick is running.
 */
import type { Clock, Logger } from '@cloudoptim/runtime';

/** Counts ticks in progress, so a test driving a ManualClock can wait until the agent has done its work. */
export class BusyTracker {
  private busy = 0;

  async run<T>(fn: () => Promise<T>): Promise<T> {
    this.busy++;
    try {
      return await fn();
    } finally {
      this.busy--;
    }
  }

  get active(): number {
    return this.busy;
  }

  /** Resolves once no tracked work is in progress (checked across I/O turns of the event loop). */
  async settled(): Promise<void> {
    for (let idle = 0; idle < 3; ) {
      await new Promise<void>((resolve) => setTimeout(resolve, 2));
      idle = this.busy === 0 ? idle + 1 : 0;
    }
  }
}

export interface Loop {
  /** Runs the next tick now instead of after the rest of the interval. */
  kick(): void;
  /** Stops after the current tick (if any) finished. */
  stop(): Promise<void>;
}

export interface LoopOptions {
  name: string;
  clock: Clock;
  log: Logger;
  /** Read before each sleep, so an interval can change while running (central's poll interval). */
  intervalMs: () => number;
  tick: () => Promise<void>;
  /** Tick once at start (default) or only after the first interval. */
  runImmediately?: boolean;
  tracker?: BusyTracker;
}

/** Starts a loop; see the module comment. */
export function startLoop(o: LoopOptions): Loop {
  const stopper = new AbortController();
  let wake: AbortController | undefined;
  let kicked = o.runImmediately ?? true;
  const sleep = async () => {
    if (kicked) return;
    wake = new AbortController();
    try {
      await o.clock.sleep(o.intervalMs(), AbortSignal.any([stopper.signal, wake.signal]));
    } catch {
      // woken by kick() or stop()
    }
  };
  const done = (async () => {
    for (;;) {
      await sleep();
      if (stopper.signal.aborted) return;
      kicked = false;
      try {
        await (o.tracker ? o.tracker.run(o.tick) : o.tick());
      } catch (err) {
        o.log.warn({ loop: o.name, err: err instanceof Error ? err.message : String(err) }, 'loop tick failed');
      }
    }
  })();
  return {
    kick() {
      kicked = true;
      wake?.abort();
    },
    async stop() {
      stopper.abort();
      await done;
    },
  };
}
