/**
 * The executor's waiting line: urgent tasks (pushed over the stream) first, then by priority (1 first), then
 * by deadline (earliest first), then in arrival order. Small (tens of tasks), so a sorted insert is enough.
 */
import type { Task } from '@cloudoptim/contracts';

export interface QueuedTask {
  task: Task;
  urgent: boolean;
  seq: number;
  deadlineMs: number;
}

function before(a: QueuedTask, b: QueuedTask): boolean {
  if (a.urgent !== b.urgent) return a.urgent;
  if (a.task.priority !== b.task.priority) return a.task.priority < b.task.priority;
  if (a.deadlineMs !== b.deadlineMs) return a.deadlineMs < b.deadlineMs;
  return a.seq < b.seq;
}

export class TaskQueue {
  private items: QueuedTask[] = [];
  private seq = 0;

  push(task: Task, urgent: boolean): void {
    const item: QueuedTask = { task, urgent, seq: this.seq++, deadlineMs: Date.parse(task.deadline) };
    const i = this.items.findIndex((x) => before(item, x));
    if (i < 0) this.items.push(item);
    else this.items.splice(i, 0, item);
  }

  /** The next task, left in the queue. */
  peek(): QueuedTask | undefined {
    return this.items[0];
  }

  shift(): QueuedTask | undefined {
    return this.items.shift();
  }

  /** Removes and returns the queued task with this id. */
  remove(taskId: string): QueuedTask | undefined {
    const i = this.items.findIndex((x) => x.task.task_id === taskId);
    return i < 0 ? undefined : this.items.splice(i, 1)[0];
  }

  /** Moves a queued task ahead of the non-urgent ones (it was also pushed as urgent). */
  promote(taskId: string): void {
    const item = this.remove(taskId);
    if (item) this.push(item.task, true);
  }

  has(taskId: string): boolean {
    return this.items.some((x) => x.task.task_id === taskId);
  }

  /** Empties the queue. */
  clear(): void {
    this.items = [];
  }

  get length(): number {
    return this.items.length;
  }
}
