import type { Logger } from './logger.ts';

type StopHook = { name: string; stop: () => Promise<void> | void };

/** The part of `process` a lifecycle needs; main.ts passes the real one, tests a fake emitter. */
export interface SignalSource {
  once(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

/**
 * Graceful shutdown: components register a stop hook as they start; `shutdown()` runs the hooks in reverse
 * order (last started, first stopped), each bounded by a timeout, and resolves once all are done. A second
 * call returns the same promise, so a signal during shutdown does not stop things twice.
 */
export class Lifecycle {
  private readonly hooks: StopHook[] = [];
  private stopping: Promise<void> | undefined;
  private failed = false;

  constructor(
    private readonly log: Logger,
    private readonly hookTimeoutMs = 10_000,
  ) {}

  onStop(name: string, stop: () => Promise<void> | void): void {
    this.hooks.push({ name, stop });
  }

  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  shutdown(reason = 'requested'): Promise<void> {
    this.stopping ??= this.runHooks(reason);
    return this.stopping;
  }

  /** Shuts down on SIGINT/SIGTERM, then calls `exit` with 0 (clean) or 1 (a hook failed or timed out). */
  handleSignals(source: SignalSource, exit: (code: number) => void): void {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      source.once(signal, () => {
        this.shutdown(signal).then(
          () => exit(this.failed ? 1 : 0),
          () => exit(1),
        );
      });
    }
  }

  private async runHooks(reason: string): Promise<void> {
    this.log.info({ reason }, 'shutting down');
    for (const hook of [...this.hooks].reverse()) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(hook.stop),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`timed out after ${this.hookTimeoutMs} ms`)), this.hookTimeoutMs);
          }),
        ]);
        this.log.debug({ component: hook.name }, 'stopped');
      } catch (error) {
        this.failed = true;
        this.log.error({ component: hook.name, err: error }, 'stop failed');
      } finally {
        clearTimeout(timer);
      }
    }
    this.log.info({}, 'shut down');
  }
}
