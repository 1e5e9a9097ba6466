/**
 * The task executor: tasks in, TaskResults out (`onResult`), never an exception for a bad task.
 *
 * - Priority: urgent tasks (pushed over the stream) first, then priority 1…10, then earliest deadline.
 * - Bounded concurrency: at most `maxConcurrent` tasks run at once; the rest wait in the queue. Urgent tasks
 *   may use up to `maxConcurrent` more slots, so an interruption drain never waits behind long drains.
 * - Idempotent by task_id: a task already queued or running is not started twice (a re-offer with a higher
 *   attempt updates the attempt its result will carry); a finished task is not run again — its result is
 *   re-emitted for the new attempt instead. The last `rememberLimit` finished tasks are remembered.
 * - Deadlines: a task whose deadline passed before it started ends `timeout` without running; a running task is
 *   signalled at its deadline (TaskStop timeout) and given `stopGraceMs` of clock time to report its own
 *   ending (a drain names the pods left) before it is reported `timeout`.
 * - Cancellation (`cancel`): a queued task ends `cancelled` at once, a running one is signalled as above.
 * - Invalid tasks (unknown type, bad parameters) end `failed` with VALIDATION_FAILED and a message naming the
 *   problem; one without a usable task_id cannot be reported and is only logged.
 */
import { AppError, isAppError, type Task, type TaskResult } from '@cloudoptim/contracts';
import type { KubeGateway } from '@cloudoptim/kube';
import type { Clock, Logger } from '@cloudoptim/runtime';
import type { AgentMetrics } from '../agent-metrics.ts';
import { runHandler, TaskStop, type CollectMetricsNow, type HandlerOutcome } from './handlers/index.ts';
import { parseTask } from './task-parse.ts';
import { TaskQueue, type QueuedTask } from './task-queue.ts';
import { buildTaskResult } from './task-result.ts';

export interface TaskExecutorOptions {
  kube: KubeGateway;
  clock: Clock;
  log: Logger;
  clusterId: string;
  maxConcurrent: number;
  collectMetrics: CollectMetricsNow;
  drain: { retryIntervalMs: number; maxRetryIntervalMs: number };
  onResult(result: TaskResult): void;
  metrics?: AgentMetrics;
  /** Finished tasks remembered for idempotency. Default 1000. */
  rememberLimit?: number;
  /** Clock time a stopped task gets to report its own ending. Default 5 s. */
  stopGraceMs?: number;
}

/** What became of a submitted task. */
export type SubmitOutcome = 'accepted' | 'duplicate' | 'resent' | 'rejected';

interface Running {
  task: Task;
  attempt: number | undefined;
  abort: AbortController;
  done: Promise<void>;
}

export class TaskExecutor {
  private readonly queue = new TaskQueue();
  private readonly running = new Map<string, Running>();
  private readonly finished = new Map<string, TaskResult>();
  private readonly rememberLimit: number;
  private readonly stopGraceMs: number;
  private idleWaiters: Array<() => void> = [];
  private stopped = false;

  constructor(private readonly o: TaskExecutorOptions) {
    this.rememberLimit = o.rememberLimit ?? 1000;
    this.stopGraceMs = o.stopGraceMs ?? 5_000;
  }

  /** Ids of the tasks executing now. */
  get runningTaskIds(): string[] {
    return [...this.running.keys()];
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Free slots plus nothing waiting: how many more tasks a poll may lease. */
  get capacity(): number {
    return Math.max(0, this.o.maxConcurrent - this.running.size - this.queue.length);
  }

  /** Takes a task as central sent it (validated here). See the module comment. */
  submit(raw: unknown, options: { urgent?: boolean } = {}): SubmitOutcome {
    if (this.stopped) return 'rejected';
    const parsed = parseTask(raw);
    if (!parsed.ok) {
      if (parsed.taskId === null) {
        this.o.log.warn({ err: parsed.error.message }, 'received a task without a valid task_id: cannot report it');
        return 'rejected';
      }
      if (this.finished.has(parsed.taskId) || this.running.has(parsed.taskId)) return 'duplicate';
      const now = this.o.clock.now();
      this.o.log.warn({ taskId: parsed.taskId, err: parsed.error.message }, 'invalid task');
      this.complete(parsed.taskId, parsed.taskType ?? 'invalid', parsed.attempt, now, [], { status: 'failed', error: parsed.error.message, errorCode: 'VALIDATION_FAILED' });
      return 'rejected';
    }
    const task = parsed.task;
    const id = task.task_id;
    const active = this.running.get(id);
    if (active) {
      if (task.attempt !== undefined && (active.attempt ?? 0) < task.attempt) active.attempt = task.attempt;
      return 'duplicate';
    }
    if (this.queue.has(id)) {
      if (options.urgent) this.queue.promote(id);
      return 'duplicate';
    }
    const previous = this.finished.get(id);
    if (previous) {
      if (task.attempt === undefined || task.attempt === previous.attempt) return 'duplicate';
      const again = { ...previous, attempt: task.attempt };
      this.remember(again);
      this.o.log.info({ taskId: id, attempt: task.attempt }, 'task re-offered after it finished: re-sending its result');
      this.o.onResult(again);
      return 'resent';
    }
    this.queue.push(task, options.urgent === true);
    this.gauges();
    this.pump();
    return 'accepted';
  }

  /** Cancels a queued or running task; false when it is not here. */
  cancel(taskId: string, reason: string | null): boolean {
    const why = `cancelled by central${reason ? `: ${reason}` : ''}`;
    const queued = this.queue.remove(taskId);
    if (queued) {
      const now = this.o.clock.now();
      this.complete(taskId, queued.task.task_type, queued.task.attempt, now, [why], { status: 'cancelled', error: why });
      return true;
    }
    const active = this.running.get(taskId);
    if (!active) return false;
    active.abort.abort(new TaskStop('cancelled', why));
    return true;
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.running.size === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops taking tasks, signals the running ones (they end `cancelled` and their results are emitted) and waits
   * for them. Queued tasks are dropped unreported: their leases expire and central offers them again.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.clear();
    for (const r of this.running.values()) r.abort.abort(new TaskStop('cancelled', 'the agent is shutting down'));
    await Promise.all([...this.running.values()].map((r) => r.done));
    this.gauges();
  }

  private pump(): void {
    while (!this.stopped) {
      const next = this.queue.peek();
      if (!next || this.running.size >= this.o.maxConcurrent * (next.urgent ? 2 : 1)) break;
      this.start(this.queue.shift()!);
    }
    this.gauges();
    if (this.running.size === 0 && this.queue.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private start(item: QueuedTask): void {
    const { task, deadlineMs } = item;
    const abort = new AbortController();
    const entry: Running = { task, attempt: task.attempt, abort, done: Promise.resolve() };
    this.running.set(task.task_id, entry);
    entry.done = this.execute(task, deadlineMs, entry);
  }

  private async execute(task: Task, deadlineMs: number, entry: Running): Promise<void> {
    const { clock } = this.o;
    const startedMs = clock.now();
    const logs: string[] = [];
    const log = this.o.log.child({ taskId: task.task_id, taskType: task.task_type });
    let outcome: HandlerOutcome;
    if (startedMs >= deadlineMs) {
      outcome = { status: 'timeout', error: `the deadline ${task.deadline} passed before the task could start` };
    } else {
      const watchdog = new AbortController();
      clock.sleep(deadlineMs - startedMs, watchdog.signal).then(
        () => entry.abort.abort(new TaskStop('timeout', `the deadline ${task.deadline} passed`)),
        () => {},
      );
      log.info({ priority: task.priority, deadline: task.deadline }, 'task started');
      outcome = await this.run(task, deadlineMs, entry.abort.signal, logs, log);
      watchdog.abort();
    }
    this.running.delete(task.task_id);
    this.complete(task.task_id, task.task_type, entry.attempt, startedMs, logs, outcome);
  }

  /** The handler's outcome, or the stop's if the handler does not finish within the grace after a stop. */
  private async run(task: Task, deadlineMs: number, signal: AbortSignal, logs: string[], log: Logger): Promise<HandlerOutcome> {
    const handler = runHandler(task, {
      kube: this.o.kube,
      clock: this.o.clock,
      logger: log,
      log: (line) => logs.push(line),
      signal,
      deadlineMs,
      collectMetrics: this.o.collectMetrics,
      drain: this.o.drain,
      metrics: this.o.metrics,
    }).catch((err: unknown) => outcomeOfError(err));
    const giveUp = new AbortController();
    const stopped = new Promise<HandlerOutcome | undefined>((resolve) => {
      const onStop = () => {
        const stop = signal.reason instanceof TaskStop ? signal.reason : new TaskStop('cancelled', 'stopped');
        this.o.clock.sleep(this.stopGraceMs, giveUp.signal).then(
          () => resolve({ status: stop.status, error: stop.message }),
          () => resolve(undefined),
        );
      };
      if (signal.aborted) onStop();
      else signal.addEventListener('abort', onStop, { once: true });
      giveUp.signal.addEventListener('abort', () => resolve(undefined), { once: true });
    });
    const outcome = await Promise.race([handler, stopped.then((o) => o ?? handler)]);
    giveUp.abort();
    return outcome;
  }

  private complete(taskId: string, taskType: string, attempt: number | undefined, startedMs: number, logs: string[], outcome: HandlerOutcome): void {
    const result = buildTaskResult({
      taskId, clusterId: this.o.clusterId, attempt, status: outcome.status, startedMs, endedMs: this.o.clock.now(), logs,
      error: outcome.error, errorCode: outcome.errorCode, metadata: outcome.metadata,
    });
    this.remember(result);
    this.o.metrics?.tasks.inc({ type: taskType, status: result.status });
    this.o.log.info({ taskId, taskType, status: result.status, durationSeconds: result.duration_seconds, ...(result.error ? { error: result.error } : {}) }, 'task finished');
    this.o.onResult(result);
    this.pump();
  }

  private remember(result: TaskResult): void {
    this.finished.delete(result.task_id);
    this.finished.set(result.task_id, result);
    if (this.finished.size > this.rememberLimit) this.finished.delete(this.finished.keys().next().value as string);
  }

  private gauges(): void {
    this.o.metrics?.tasksRunning.set(this.running.size);
    this.o.metrics?.tasksQueued.set(this.queue.length);
  }
}

function outcomeOfError(err: unknown): HandlerOutcome {
  if (err instanceof TaskStop) return { status: err.status, error: err.message };
  if (isAppError(err)) return { status: 'failed', error: err.message, errorCode: err.code, ...(err.details ? { metadata: { details: err.details } } : {}) };
  const e = new AppError('INTERNAL', err instanceof Error ? err.message : String(err));
  return { status: 'failed', error: e.message, errorCode: e.code };
}
