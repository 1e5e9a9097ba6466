/**
 * `DbTaskQueue`: the task queue over the `tasks` table. After a task is committed it is announced — an urgent
 * drain is pushed whole to the cluster's agent streams (`urgent_drain`), anything else as `task_available` so the
 * agent polls at once — and admins get `task_updated`. Announcements are hints: an agent that missed one gets the
 * task at its next poll.
 */
import { AppError, TASK_PARAMETER_SCHEMAS, TaskPrioritySchema, parseOrThrow, type AgentServerEvent, type AdminStreamEvent } from '@cloudoptim/contracts';
import { TasksRepository, type Database, type StoredTask } from '@cloudoptim/db';
import type { Clock, Logger, Registry } from '@cloudoptim/runtime';
import type { RealtimeHub } from '../realtime/realtime-hub.ts';
import { taskAvailableFrame, taskCancelledFrame, taskUpdatedFrame, urgentDrainFrame } from './task-frames.ts';
import { taskMetrics, type TaskMetrics } from './task-metrics.ts';
import type { EnqueueTaskInput, TaskQueue, TaskRecord } from './task-queue.ts';
import { toTaskRecord } from './task-view.ts';

export interface DbTaskQueueDeps {
  db: Database;
  clock: Clock;
  log: Logger;
  realtime: RealtimeHub;
  metrics: Registry;
}

/** Sends realtime frames, logging (never throwing) when NOTIFY fails: the table is the truth, frames are hints. */
export class TaskAnnouncer {
  constructor(
    private readonly realtime: RealtimeHub,
    private readonly log: Logger,
  ) {}

  async toAgent(task: StoredTask, frame: AgentServerEvent): Promise<void> {
    await this.realtime.publishToAgent(task.clusterId, frame).catch((error: unknown) => this.failed(task, frame.type, error));
  }

  async toAdmins(task: StoredTask, frame: AdminStreamEvent): Promise<void> {
    await this.realtime.publishToAdmins(task.customerId, frame).catch((error: unknown) => this.failed(task, frame.type, error));
  }

  private failed(task: StoredTask, type: string, error: unknown): void {
    this.log.warn({ taskId: task.id, clusterId: task.clusterId, type, err: error instanceof Error ? error.message : String(error) }, 'could not publish a task frame');
  }
}

export class DbTaskQueue implements TaskQueue {
  private readonly repo: TasksRepository;
  private readonly announce: TaskAnnouncer;
  private readonly metrics: TaskMetrics;

  constructor(private readonly deps: DbTaskQueueDeps) {
    this.repo = new TasksRepository(deps.db.db);
    this.announce = new TaskAnnouncer(deps.realtime, deps.log);
    this.metrics = taskMetrics(deps.metrics);
  }

  /**
   * Creates the task (or returns the cluster's task with the same idempotency key) and announces a new one.
   * @throws VALIDATION_FAILED (parameters, priority, a deadline not in the future), IDEMPOTENCY_CONFLICT (the key
   *   names a task of another type), NOT_FOUND (the cluster is not the customer's).
   */
  async enqueue(input: EnqueueTaskInput): Promise<TaskRecord> {
    const now = this.deps.clock.now();
    const schema = TASK_PARAMETER_SCHEMAS[input.taskType];
    if (!schema) throw new AppError('VALIDATION_FAILED', `unknown task type ${input.taskType}`, { issues: [{ path: 'task_type', message: 'unknown task type' }] });
    const parameters = parseOrThrow(schema, input.parameters, `${input.taskType} parameters`) as Record<string, unknown>;
    const priority = parseOrThrow(TaskPrioritySchema, input.priority ?? 5, 'task priority');
    if (!(input.deadline.getTime() > now)) {
      throw new AppError('VALIDATION_FAILED', 'the task deadline must be in the future', { issues: [{ path: 'deadline', message: 'must be after now' }] });
    }
    const { created, task } = await this.repo.enqueue(
      input.customerId,
      input.clusterId,
      {
        taskType: input.taskType,
        parameters,
        priority,
        deadline: input.deadline,
        createdBy: input.createdBy,
        idempotencyKey: input.idempotencyKey,
        maxAttempts: input.maxAttempts,
        planId: input.planId ?? null,
        planStep: input.planStep ?? null,
        urgent: input.urgent ?? false,
        interruptionTime: input.interruptionTime ?? null,
      },
      new Date(now),
    );
    if (!created) {
      if (task.taskType !== input.taskType) {
        throw new AppError('IDEMPOTENCY_CONFLICT', `idempotency key ${input.idempotencyKey} already names a ${task.taskType} task`, { task_id: task.id });
      }
      return toTaskRecord(task);
    }
    this.metrics.transitions.inc({ status: 'pending' });
    this.deps.log.info({ taskId: task.id, clusterId: task.clusterId, taskType: task.taskType, urgent: task.urgent }, 'task enqueued');
    const frame = task.urgent && task.taskType === 'drain_node' ? urgentDrainFrame(task, now) : taskAvailableFrame(task, now);
    await Promise.all([this.announce.toAgent(task, frame), this.announce.toAdmins(task, taskUpdatedFrame(task, now))]);
    return toTaskRecord(task);
  }

  async get(clusterId: string, taskId: string): Promise<TaskRecord | undefined> {
    const task = await this.repo.findInCluster(clusterId, taskId);
    return task ? toTaskRecord(task) : undefined;
  }

  /** Cancels the task unless it ended; the agent gets `task_cancelled` when it held it. Undefined when unknown. */
  async cancel(clusterId: string, taskId: string, reason: string): Promise<TaskRecord | undefined> {
    const before = await this.repo.findInCluster(clusterId, taskId);
    if (!before) return undefined;
    const now = this.deps.clock.now();
    const outcome = await this.repo.cancel(clusterId, taskId, reason, new Date(now));
    if (!outcome) return undefined;
    if (outcome.cancelled) {
      this.metrics.transitions.inc({ status: 'cancelled' });
      const announcements = [this.announce.toAdmins(outcome.task, taskUpdatedFrame(outcome.task, now))];
      if (before.status !== 'pending') announcements.push(this.announce.toAgent(outcome.task, taskCancelledFrame(outcome.task, now)));
      await Promise.all(announcements);
    }
    return toTaskRecord(outcome.task);
  }
}
