/**
 * How a stored task looks outside the database: the contract's Task (what agents receive), the TaskRecord the
 * services see, and the admin view with lease and result details.
 */
import { z } from 'zod';
import { IsoDateTimeSchema, NonNegativeIntSchema, PositiveIntSchema, TaskResultSchema, TaskSchema, TaskStatusSchema, type Task } from '@cloudoptim/contracts';
import type { StoredTask } from '@cloudoptim/db';
import type { TaskRecord } from './task-queue.ts';

/** A task as the admin API shows it: the Task, where it is in its life, its lease and the agent's result. */
export const AdminTaskSchema = z.object({
  task: TaskSchema,
  status: TaskStatusSchema,
  /** Leases handed out so far. */
  attempts: NonNegativeIntSchema,
  max_attempts: PositiveIntSchema,
  urgent: z.boolean(),
  lease_owner: z.string().nullable(),
  lease_expires_at: IsoDateTimeSchema.nullable(),
  interruption_time: IsoDateTimeSchema.nullable(),
  result: TaskResultSchema.nullable(),
  cancel_reason: z.string().nullable(),
  updated_at: IsoDateTimeSchema,
  finished_at: IsoDateTimeSchema.nullable(),
});
export type AdminTask = z.input<typeof AdminTaskSchema>;

/** The contract Task of a stored task (`attempt` and `lease_expires_at` once leased). */
export function toTask(stored: StoredTask): Task {
  // Parameters were validated against the type's schema when the task was enqueued.
  return {
    task_id: stored.id,
    cluster_id: stored.clusterId,
    task_type: stored.taskType,
    parameters: stored.parameters,
    priority: stored.priority,
    deadline: stored.deadline.toISOString(),
    created_at: stored.createdAt.toISOString(),
    created_by: stored.createdBy,
    ...(stored.attempts > 0 && { attempt: stored.attempts }),
    ...(stored.leaseExpiresAt && { lease_expires_at: stored.leaseExpiresAt.toISOString() }),
    plan_id: stored.planId,
    plan_step: stored.planStep,
  } as Task;
}

export function toTaskRecord(stored: StoredTask): TaskRecord {
  return { task: toTask(stored), customerId: stored.customerId, status: stored.status, attempts: stored.attempts, result: stored.result, updatedAt: stored.updatedAt };
}

export function toAdminTask(stored: StoredTask): AdminTask {
  return {
    task: toTask(stored),
    status: stored.status,
    attempts: stored.attempts,
    max_attempts: stored.maxAttempts,
    urgent: stored.urgent,
    lease_owner: stored.leaseOwner,
    lease_expires_at: stored.leaseExpiresAt?.toISOString() ?? null,
    interruption_time: stored.interruptionTime?.toISOString() ?? null,
    result: stored.result,
    cancel_reason: stored.cancelReason,
    updated_at: stored.updatedAt.toISOString(),
    finished_at: stored.finishedAt?.toISOString() ?? null,
  };
}
