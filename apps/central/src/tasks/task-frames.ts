/** The realtime frames about tasks: what agents are pushed and what admins see change. */
import { randomUUID } from 'node:crypto';
import { STREAM_EVENT_VERSION, type AdminStreamEventOf, type AgentStreamEventOf, type TaskOf } from '@cloudoptim/contracts';
import type { StoredTask } from '@cloudoptim/db';
import { toTask } from './task-view.ts';

function header(nowMs: number) {
  return { v: STREAM_EVENT_VERSION, id: randomUUID(), sent_at: new Date(nowMs).toISOString() };
}

/** admin: the task changed status (`result` once the agent reported one). */
export function taskUpdatedFrame(task: StoredTask, nowMs: number): AdminStreamEventOf<'task_updated'> {
  return { type: 'task_updated', ...header(nowMs), cluster_id: task.clusterId, task_id: task.id, task_type: task.taskType, status: task.status, result: task.result };
}

/** agent: poll now, a task is waiting. */
export function taskAvailableFrame(task: StoredTask, nowMs: number): AgentStreamEventOf<'task_available'> {
  return { type: 'task_available', ...header(nowMs), cluster_id: task.clusterId, task_id: task.id, task_type: task.taskType, priority: task.priority };
}

/** agent: drain this node now (the whole drain task; acking the frame leases it). Only for drain_node tasks. */
export function urgentDrainFrame(task: StoredTask, nowMs: number): AgentStreamEventOf<'urgent_drain'> {
  return { type: 'urgent_drain', ...header(nowMs), task: toTask(task) as TaskOf<'drain_node'>, interruption_time: task.interruptionTime?.toISOString() ?? null };
}

/** agent: stop this task. */
export function taskCancelledFrame(task: StoredTask, nowMs: number): AgentStreamEventOf<'task_cancelled'> {
  return { type: 'task_cancelled', ...header(nowMs), task_id: task.id, reason: task.cancelReason?.slice(0, 500) ?? null };
}
