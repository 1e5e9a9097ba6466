/**
 * The task queue as the services that act see it (optimizer, executor, spot handler, office hours): they enqueue
 * Kubernetes work for a cluster's agent and watch how it ends. The agent side (leases, results) lives behind the
 * client API. Idempotent: enqueueing twice with the same `idempotencyKey` for a cluster returns the first task.
 */
import type { Task, TaskResult, TaskStatus, TaskType } from '@cloudoptim/contracts';

export interface EnqueueTaskInput<T extends TaskType = TaskType> {
  customerId: string;
  clusterId: string;
  taskType: T;
  /** The task's parameters as the contract's parameter schema for `taskType` accepts them. */
  parameters: Record<string, unknown>;
  /** 1 highest … 10; default 5. */
  priority?: number;
  /** When the task must be finished; past it the task ends `timeout`. */
  deadline: Date;
  /** Who asked: "optimizer:<plan id>", "spot-handler", "user:<email>" … */
  createdBy: string;
  /** Same key (per cluster) → same task. Plan steps use "<plan id>:<step>", the spot handler the event id. */
  idempotencyKey: string;
  /** Push it to the agent's WebSocket at once (urgent drains). */
  urgent?: boolean;
  /** For urgent drains: when AWS reclaims the instance. */
  interruptionTime?: Date | null;
  /** Leases handed out before the task ends `timeout` (default 3). */
  maxAttempts?: number;
  /** The plan step this task carries out. */
  planId?: string | null;
  planStep?: number | null;
}

/** A task as central tracks it. */
export interface TaskRecord {
  task: Task;
  customerId: string;
  status: TaskStatus;
  attempts: number;
  /** The agent's last result, once it reported one. */
  result: TaskResult | null;
  updatedAt: Date;
}

export interface TaskQueue {
  /** Creates the task (or returns the one with the same idempotency key). Validates parameters: VALIDATION_FAILED. */
  enqueue(input: EnqueueTaskInput): Promise<TaskRecord>;
  /** The task, if it belongs to `clusterId`. */
  get(clusterId: string, taskId: string): Promise<TaskRecord | undefined>;
  /** Cancels a task that has not finished (the agent is told over the stream). */
  cancel(clusterId: string, taskId: string, reason: string): Promise<TaskRecord | undefined>;
}
