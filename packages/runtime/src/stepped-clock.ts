/**
 * Discrete-event simulated time for a whole process (the headless demo, end-to-end tests): time stands still
 * while anything in the process works and jumps to the next sleeper's wake time once the event loop has gone
 * quiet, waking sleepers one by one. A run's outcome then depends on the order of events, not on how fast the machine is — a drain that
 * takes 300 ms of real CPU takes no simulated time, as on a real cluster where it takes milliseconds, instead
 * of minutes as under a ScaledClock at 600×.
 *
 * Quiet means several consecutive turns of the event loop ran nothing: every part runs in this process (servers,
 * clients, the simulator, the embedded database), so a request in flight keeps the loop busy. Work waiting on a
 * real timer or on the thread pool (password hashing) is not seen; nothing on the simulated paths does.
 */
import { performance } from 'node:perf_hooks';
import { ManualClock, type Clock } from './clock.ts';

export interface SteppedClockOptions {
  startMs: number;
  /** Upper bound on simulated ms per real ms (a live view stays watchable); default unbounded. */
  maxSpeed?: number;
  /** Consecutive idle turns of the event loop that count as quiet (default 20). */
  idleTurns?: number;
  /** Real ms after which time moves even if the loop never went quiet (a busy loop must not stop the clock);
   *  default 30 s, past any start-up work (migrations, WebAssembly compiles), whose length depends on the machine. */
  busyLimitMs?: number;
}

export class SteppedClock implements Clock {
  private readonly inner: ManualClock;
  private readonly idleTurns: number;
  private readonly busyLimitMs: number;
  private running: Promise<void> | undefined;
  private readonly stopper = new AbortController();
  /** Steps taken without the loop going quiet first (reported by the demo's summary as a health number). */
  forcedSteps = 0;
  steps = 0;

  constructor(private readonly options: SteppedClockOptions) {
    if (options.maxSpeed !== undefined && !(options.maxSpeed > 0)) throw new Error(`SteppedClock maxSpeed must be positive, got ${options.maxSpeed}`);
    this.inner = new ManualClock(options.startMs);
    this.idleTurns = options.idleTurns ?? 20;
    this.busyLimitMs = options.busyLimitMs ?? 30_000;
  }

  now(): number {
    return this.inner.now();
  }

  sleep(durationMs: number, signal?: AbortSignal): Promise<void> {
    return this.inner.sleep(durationMs, signal);
  }

  /** Starts moving time; idempotent. */
  start(): void {
    this.running ??= this.drive();
  }

  /** Stops moving time (sleepers stay asleep until aborted by their owners). */
  async stop(): Promise<void> {
    this.stopper.abort();
    await this.running;
  }

  private async drive(): Promise<void> {
    const realStart = performance.now();
    const simStart = this.inner.now();
    const signal = this.stopper.signal;
    while (!signal.aborted) {
      if (!(await this.quiet(signal))) this.forcedSteps++;
      if (signal.aborted) break;
      const next = this.inner.nextWakeAt();
      if (next === undefined) {
        await realSleep(1);
        continue;
      }
      if (this.options.maxSpeed !== undefined) {
        const wait = realStart + (next - simStart) / this.options.maxSpeed - performance.now();
        if (wait > 0) await realSleep(wait);
      }
      if (signal.aborted) break;
      this.steps++;
      // One sleeper at a time, each woken once what the previous one started has settled: sleepers due at the
      // same instant then act in the same order, on the same state, in every run.
      await this.inner.wakeNext();
    }
  }

  /**
   * Resolves true once `idleTurns` consecutive turns of the event loop ran no callback but this one, false if it
   * stayed busy for `busyLimitMs`. A turn that waits on `setImmediate` polls I/O without blocking, so a request
   * in flight between two parts of this process (loopback: its bytes are readable at once) shows up as work.
   */
  private async quiet(signal: AbortSignal): Promise<boolean> {
    const began = performance.now();
    let idle = 0;
    let last = performance.eventLoopUtilization();
    while (!signal.aborted) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const current = performance.eventLoopUtilization();
      // This callback and the measurement take a few microseconds; anything else that ran takes more.
      const busy = performance.eventLoopUtilization(current, last).active > IDLE_TURN_MS;
      last = current;
      idle = busy ? 0 : idle + 1;
      if (idle >= this.idleTurns) return true;
      if (performance.now() - began > this.busyLimitMs) return false;
    }
    return true;
  }
}

/** Active time of a turn that ran nothing but the quiet check, ms. */
const IDLE_TURN_MS = 0.05;

function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
