/**
 * Time as every loop, lease, deadline and schedule reads it. Production uses SystemClock; tests and the
 * simulator use ManualClock, so no test sleeps for real.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolves after `durationMs` of this clock's time; rejects with the signal's reason if aborted. */
  sleep(durationMs: number, signal?: AbortSignal): Promise<void>;
}

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  sleep(durationMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, durationMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

interface Sleeper {
  wakeAt: number;
  seq: number;
  resolve: () => void;
}

/**
 * A clock that moves only when told to (`advance`, `set`). Sleepers wake in time order, each seeing `now()`
 * equal to its wake time, and pending promise callbacks run between wake-ups so chained sleeps behave.
 */
export class ManualClock implements Clock {
  private current: number;
  private sleepers: Sleeper[] = [];
  private seq = 0;

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  sleep(durationMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal?.reason);
      };
      // A sleeper that wakes normally removes its abort listener, so a long-lived signal does not collect them.
      const sleeper: Sleeper = {
        wakeAt: this.current + Math.max(0, durationMs),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** When the earliest sleeper is due; undefined when nobody sleeps. */
  nextWakeAt(): number | undefined {
    let next: number | undefined;
    for (const s of this.sleepers) if (next === undefined || s.wakeAt < next) next = s.wakeAt;
    return next;
  }

  /** Moves time to the earliest sleeper's wake time and wakes that sleeper only; false when nobody sleeps. */
  async wakeNext(): Promise<boolean> {
    await flushMicrotasks();
    const next = this.sleepers.reduce<Sleeper | undefined>((a, b) => (a === undefined || b.wakeAt < a.wakeAt || (b.wakeAt === a.wakeAt && b.seq < a.seq) ? b : a), undefined);
    if (!next) return false;
    this.sleepers = this.sleepers.filter((s) => s !== next);
    this.current = Math.max(this.current, next.wakeAt);
    next.resolve();
    await flushMicrotasks();
    return true;
  }

  /** Number of sleepers waiting: lets a test wait until a loop has gone to sleep before advancing. */
  get pendingSleepers(): number {
    return this.sleepers.length;
  }

  /** Moves time forward by `durationMs`, waking every sleeper due on the way, in order. */
  async advance(durationMs: number): Promise<void> {
    await this.set(this.current + durationMs);
  }

  async set(targetMs: number): Promise<void> {
    if (targetMs < this.current) throw new Error(`ManualClock cannot go back (${targetMs} < ${this.current})`);
    for (;;) {
      await flushMicrotasks();
      const next = this.sleepers
        .filter((s) => s.wakeAt <= targetMs)
        .sort((a, b) => a.wakeAt - b.wakeAt || a.seq - b.seq)[0];
      if (!next) break;
      this.sleepers = this.sleepers.filter((s) => s !== next);
      this.current = Math.max(this.current, next.wakeAt);
      next.resolve();
    }
    this.current = targetMs;
    await flushMicrotasks();
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Simulated time running `speed` times faster than `base` (usually the system clock), starting at
 * `startMs`: the simulator's clock at 60× or 600×. Sleeping 60 simulated seconds at 60× takes one real second.
 */
export class ScaledClock implements Clock {
  private readonly baseStart: number;

  constructor(
    private readonly base: Clock,
    readonly startMs: number,
    readonly speed: number,
  ) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`ScaledClock speed must be a positive number, got ${speed}`);
    this.baseStart = base.now();
  }

  now(): number {
    return this.startMs + (this.base.now() - this.baseStart) * this.speed;
  }

  sleep(durationMs: number, signal?: AbortSignal): Promise<void> {
    return this.base.sleep(durationMs / this.speed, signal);
  }
}
