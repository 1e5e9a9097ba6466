/**
 * The agent's side of the task queue: polls lease tasks, results end them, heartbeats keep running tasks' leases
 * alive, and an acknowledged urgent drain is leased to the agent that acked it. Every call is for the agent's own
 * cluster (the caller passes the authenticated cluster). Status changes are announced to admins (`task_updated`).
 */
import { AppError, type TaskPollResponse, type TaskResult, type TaskResultAck } from '@cloudoptim/contracts';
import { TasksRepository, type Database, type StoredTask } from '@cloudoptim/db';
import type { Clock, Logger, Registry } from '@cloudoptim/runtime';
import type { RealtimeHub } from '../realtime/realtime-hub.ts';
import { TaskAnnouncer } from './db-task-queue.ts';
import { taskUpdatedFrame } from './task-frames.ts';
import { taskMetrics, type TaskMetrics } from './task-metrics.ts';
import { toTask } from './task-view.ts';

export interface TaskLeasesDeps {
  db: Database;
  clock: Clock;
  log: Logger;
  realtime: RealtimeHub;
  metrics: Registry;
  /** How long a lease lasts without a result or a heartbeat naming the task running. */
  leaseSeconds: number;
}

/**
 * The agent a lease is for: its cluster, the key it authenticated with and, when the agent sends one, the
 * instance id of its process (`X-CloudOptim-Agent-Instance`, new at every start). Together they are the owner.
 */
export interface LeaseHolder {
  customerId: string;
  clusterId: string;
  keyId: string;
  instance?: string;
}

const keyOwner = (holder: LeaseHolder) => `agent-key:${holder.keyId}`;
const ownerOf = (holder: LeaseHolder) => (holder.instance ? `${keyOwner(holder)}/${holder.instance}` : keyOwner(holder));

export class TaskLeases {
  private readonly repo: TasksRepository;
  private readonly announce: TaskAnnouncer;
  private readonly metrics: TaskMetrics;

  constructor(private readonly deps: TaskLeasesDeps) {
    this.repo = new TasksRepository(deps.db.db);
    this.announce = new TaskAnnouncer(deps.realtime, deps.log);
    this.metrics = taskMetrics(deps.metrics);
  }

  /**
   * Ends overdue tasks as `timeout`, then leases up to `max` tasks to the holder (most urgent, then oldest). Most
   * polls find nothing: one read decides that, and only a cluster with due work pays for the two updates.
   */
  async poll(holder: LeaseHolder, max: number): Promise<TaskPollResponse> {
    const now = this.deps.clock.now();
    let leased: StoredTask[] = [];
    if (await this.repo.hasDueWork(holder.clusterId, new Date(now))) {
      await this.timeOutOverdue(holder.clusterId, now);
      leased = await this.repo.lease(holder.clusterId, { owner: ownerOf(holder), max, leaseExpiresAt: this.leaseEnd(now), now: new Date(now) });
      await this.leasedNow(leased, now);
    }
    return { tasks: leased.map(toTask), server_time: new Date(now).toISOString(), lease_seconds: this.deps.leaseSeconds };
  }

  /** Leases one task (the agent acked its urgent drain). Null when it is no longer offerable (leased by a poll, ended). */
  async leaseAcknowledged(holder: LeaseHolder, taskId: string): Promise<StoredTask | null> {
    const now = this.deps.clock.now();
    const task = await this.repo.leaseOne(holder.clusterId, taskId, { owner: ownerOf(holder), leaseExpiresAt: this.leaseEnd(now), now: new Date(now) });
    if (task) await this.leasedNow([task], now);
    return task;
  }

  /**
   * Records the agent's result. @throws NOT_FOUND (not the cluster's task), LEASE_EXPIRED (the result is for an
   * attempt whose lease expired and the task was leased again), CONFLICT (never leased, or another result for
   * this attempt was recorded).
   */
  async recordResult(holder: LeaseHolder, taskId: string, result: TaskResult): Promise<TaskResultAck> {
    const now = this.deps.clock.now();
    const outcome = await this.repo.recordResult(holder.clusterId, taskId, result, new Date(now));
    if (!outcome) throw new AppError('NOT_FOUND', `task ${taskId} not found`, { id: taskId });
    const { kind, task } = outcome;
    if (kind === 'stale') {
      throw new AppError('LEASE_EXPIRED', `the lease of attempt ${result.attempt} expired and the task was offered again (attempt ${task.attempts})`, { task_id: task.id, attempt: task.attempts });
    }
    if (kind === 'conflict') {
      const why = task.attempts === 0 ? 'the task was never leased' : 'another result was already recorded for this attempt';
      throw new AppError('CONFLICT', `result refused: ${why}`, { task_id: task.id, status: task.status });
    }
    if (kind === 'recorded') {
      this.metrics.transitions.inc({ status: task.status });
      this.deps.log.info({ taskId: task.id, clusterId: task.clusterId, status: task.status, attempt: task.resultAttempt }, 'task result recorded');
      await this.announce.toAdmins(task, taskUpdatedFrame(task, now));
    }
    return { task_id: task.id, status: task.status, duplicate: kind === 'duplicate' };
  }

  /**
   * A heartbeat from an agent process: the tasks it names are running (leases extended), and tasks an earlier
   * process of the same agent key still holds are offered again now. A cluster runs one agent process (the
   * Deployment is Recreate, one replica), so a new instance id means the one before it is gone — killed mid-drain,
   * say — and its tasks would otherwise wait for their lease to run out (60 s of a 2-minute Spot warning).
   */
  async heartbeat(holder: LeaseHolder, runningTaskIds: readonly string[]): Promise<void> {
    await this.renewRunning(holder, runningTaskIds);
    if (!holder.instance) return;
    const now = this.deps.clock.now();
    const released = await this.repo.expireLeasesOfOthers(holder.clusterId, { ownerPrefix: `${keyOwner(holder)}/`, owner: ownerOf(holder), keep: runningTaskIds, now: new Date(now) });
    if (released.length) this.deps.log.info({ clusterId: holder.clusterId, taskIds: released.map((t) => t.id), instance: holder.instance }, 'tasks held by an earlier agent process offered again');
  }

  /** The agent runs these tasks: mark them running and extend their leases. */
  async renewRunning(holder: LeaseHolder, taskIds: readonly string[]): Promise<void> {
    if (taskIds.length === 0) return;
    const now = this.deps.clock.now();
    const { started } = await this.repo.markRunning(holder.clusterId, taskIds, this.leaseEnd(now), new Date(now));
    if (started.length > 0) this.metrics.transitions.inc({ status: 'running' }, started.length);
    // Only the first report of running is news to admins.
    await Promise.all(started.map((task) => this.announce.toAdmins(task, taskUpdatedFrame(task, now))));
  }

  /** Pending urgent tasks of the cluster (pushed again when its agent connects). */
  async pendingUrgent(clusterId: string): Promise<StoredTask[]> {
    return this.repo.pendingUrgent(clusterId, new Date(this.deps.clock.now()));
  }

  private leaseEnd(now: number): Date {
    return new Date(now + this.deps.leaseSeconds * 1000);
  }

  private async timeOutOverdue(clusterId: string, now: number): Promise<void> {
    const ended = await this.repo.timeOutOverdue(clusterId, new Date(now));
    if (ended.length === 0) return;
    this.metrics.transitions.inc({ status: 'timeout' }, ended.length);
    this.deps.log.info({ clusterId, taskIds: ended.map((t) => t.id) }, 'tasks timed out');
    await Promise.all(ended.map((task) => this.announce.toAdmins(task, taskUpdatedFrame(task, now))));
  }

  private async leasedNow(leased: readonly StoredTask[], now: number): Promise<void> {
    if (leased.length === 0) return;
    this.metrics.transitions.inc({ status: 'leased' }, leased.length);
    const again = leased.filter((task) => task.attempts > 1).length;
    if (again > 0) this.metrics.leaseExpiries.inc(again);
    await Promise.all(leased.map((task) => this.announce.toAdmins(task, taskUpdatedFrame(task, now))));
  }
}
