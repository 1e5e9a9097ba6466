/**
 * Timers on simulated time: `at(timeMs, fn)` runs `fn` when the injected `Clock` reaches `timeMs`. Built on
 * `Clock.sleep`, so a `ManualClock` fires them in time order (ties in scheduling order) during `advance`, and a
 * speed-scaled simulation clock fires them at the simulated instant.
 */
import type { Clock } from '@cloudoptim/runtime';

/** A set of cancellable timers that `stop()` cancels at once. */
export class SimTimers {
  private readonly live = new Set<AbortController>();
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Runs `fn` at simulated `timeMs` (at once, on the next clock tick, when it is already past). Returns a cancel function. */
  at(timeMs: number, fn: () => void): () => void {
    if (this.stopped) return () => {};
    const ac = new AbortController();
    this.live.add(ac);
    this.clock.sleep(Math.max(0, timeMs - this.clock.now()), ac.signal).then(
      () => {
        this.live.delete(ac);
        if (ac.signal.aborted || this.stopped) return;
        try {
          fn();
        } catch (err) {
          this.onError(err);
        }
      },
      () => this.live.delete(ac),
    );
    return () => {
      ac.abort();
      this.live.delete(ac);
    };
  }

  /** Number of pending timers. */
  get size(): number {
    return this.live.size;
  }

  /** Cancels every pending timer; later `at` calls are ignored. */
  stop(): void {
    this.stopped = true;
    for (const ac of this.live) ac.abort();
    this.live.clear();
  }
}
