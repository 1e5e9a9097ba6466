import { and, asc, count, desc, eq, gt, inArray, lte, notInArray, or, sql, type SQL } from 'drizzle-orm';
import type { TaskResult, TaskStatus, TaskType } from '@cloudoptim/contracts';
import type { DrizzleDb } from '../database.ts';
import { withDbErrors } from '../db-errors.ts';
import { tasks } from '../schema.ts';
import { isUuid, listLimit, requireUuid } from './repository-helpers.ts';

/** A task to create (see {@link TasksRepository.enqueue}). */
export interface NewTask {
  taskType: TaskType;
  /** Already validated against the task type's parameter schema. */
  parameters: Record<string, unknown>;
  /** 1 most urgent … 10 (default 5). */
  priority?: number;
  deadline: Date;
  createdBy: string;
  /** Unique per cluster: enqueueing the same key again returns the first task. */
  idempotencyKey: string;
  /** Leases handed out before the task ends `timeout` (default 3). */
  maxAttempts?: number;
  planId?: string | null;
  planStep?: number | null;
  urgent?: boolean;
  interruptionTime?: Date | null;
}

/** A stored task with its lease and result. */
export interface StoredTask {
  id: string;
  customerId: string;
  clusterId: string;
  taskType: TaskType;
  parameters: Record<string, unknown>;
  priority: number;
  status: TaskStatus;
  /** Leases handed out so far (the current attempt's number once leased). */
  attempts: number;
  maxAttempts: number;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  deadline: Date;
  idempotencyKey: string;
  createdBy: string;
  planId: string | null;
  planStep: number | null;
  urgent: boolean;
  interruptionTime: Date | null;
  /** The agent's report, once one was accepted. */
  result: TaskResult | null;
  /** The attempt `result` belongs to. */
  resultAttempt: number | null;
  cancelReason: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

/**
 * What {@link TasksRepository.recordResult} did:
 * - `recorded`: the result ended the task (or, for a task central had already ended, was kept for the record);
 * - `duplicate`: the same result for the same attempt was recorded before; nothing changed;
 * - `stale`: the result is for an earlier attempt (the lease expired and the task was leased again);
 * - `conflict`: a different result for this attempt was recorded before, or the task was never leased.
 */
export type RecordResultOutcome = { kind: 'recorded' | 'duplicate' | 'stale' | 'conflict'; task: StoredTask };

/** Filters of {@link TasksRepository.list}. */
export interface TaskListOptions {
  status?: TaskStatus;
  taskType?: TaskType;
  limit?: number;
  offset?: number;
}

const OPEN_STATUSES: TaskStatus[] = ['pending', 'leased', 'running'];
const HELD_STATUSES: TaskStatus[] = ['leased', 'running'];

function toTask(row: typeof tasks.$inferSelect): StoredTask {
  return {
    id: row.id,
    customerId: row.customerId,
    clusterId: row.clusterId,
    taskType: row.taskType,
    parameters: row.parameters,
    priority: row.priority,
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.maxAttempts,
    leaseOwner: row.leaseOwner,
    leaseExpiresAt: row.leaseExpiresAt,
    deadline: row.deadline,
    idempotencyKey: row.idempotencyKey,
    createdBy: row.createdBy,
    planId: row.planId,
    planStep: row.planStep,
    urgent: row.urgent,
    interruptionTime: row.interruptionTime,
    result: row.result as TaskResult | null,
    resultAttempt: row.resultAttempt,
    cancelReason: row.cancelReason,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    finishedAt: row.finishedAt,
  };
}

/**
 * The condition of the cluster's tasks an agent could lease at `now`: pending, or leased with an expired lease and
 * attempts left, and not past the deadline. The one definition of "offerable" (polls, leases, the heartbeat's
 * pending count).
 */
export function offerableTasks(clusterId: string, now: Date): SQL {
  return and(
    eq(tasks.clusterId, clusterId),
    gt(tasks.deadline, now),
    or(
      eq(tasks.status, 'pending'),
      and(inArray(tasks.status, HELD_STATUSES), lte(tasks.leaseExpiresAt, now), sql`${tasks.attempts} < ${tasks.maxAttempts}`),
    ),
  )!;
}

/** Lease order: most urgent first, then oldest. */
function byLeaseOrder(a: StoredTask, b: StoredTask): number {
  return a.priority - b.priority || a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1);
}

/** Same outcome and attempt: a re-sent result (the agent lost our answer). */
function sameResult(stored: TaskResult, incoming: TaskResult): boolean {
  return stored.status === incoming.status && stored.executed_at === incoming.executed_at;
}

/** The outcome a result gets without writing anything, or undefined when it should be recorded. */
function classifyResult(current: StoredTask, result: TaskResult, attempt: number): Exclude<RecordResultOutcome['kind'], 'recorded'> | undefined {
  if (current.result && current.resultAttempt === attempt) return sameResult(current.result, result) ? 'duplicate' : 'conflict';
  if (current.attempts === 0 || attempt > current.attempts) return 'conflict';
  if (attempt < current.attempts) return 'stale';
  if (current.result) return 'conflict';
  return undefined;
}

/**
 * Tasks for agents, with leases. Times that decide (leases, deadlines) are passed in from the caller's Clock.
 *
 * Leasing is one `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING` statement: concurrent pollers
 * never get the same task (a row locked by one poller is skipped by the other, and a row leased meanwhile no
 * longer matches when re-checked). A task is offerable when pending, or leased with an expired lease and
 * attempts left, and its deadline has not passed. Methods that take only a cluster id expect it to be authorized
 * already (the agent's own cluster). Errors are AppErrors: VALIDATION_FAILED (bad ids, CHECK violations),
 * NOT_FOUND (the cluster is not the customer's on enqueue).
 */
export class TasksRepository {
  constructor(private readonly db: DrizzleDb) {}

  /** Creates the task, or returns the cluster's task with the same idempotency key (`created` false). */
  async enqueue(customerId: string, clusterId: string, input: NewTask, now: Date): Promise<{ created: boolean; task: StoredTask }> {
    requireUuid(customerId, 'customer_id');
    requireUuid(clusterId, 'cluster_id');
    if (input.planId) requireUuid(input.planId, 'plan_id');
    return withDbErrors('enqueue task', async () => {
      const [row] = await this.db
        .insert(tasks)
        .values({
          customerId,
          clusterId,
          taskType: input.taskType,
          parameters: input.parameters,
          priority: input.priority ?? 5,
          deadline: input.deadline,
          createdBy: input.createdBy,
          idempotencyKey: input.idempotencyKey,
          maxAttempts: input.maxAttempts ?? 3,
          planId: input.planId ?? null,
          planStep: input.planStep ?? null,
          urgent: input.urgent ?? false,
          interruptionTime: input.interruptionTime ?? null,
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing({ target: [tasks.clusterId, tasks.idempotencyKey] })
        .returning();
      if (row) return { created: true, task: toTask(row) };
      const [existing] = await this.db
        .select()
        .from(tasks)
        .where(and(eq(tasks.customerId, customerId), eq(tasks.clusterId, clusterId), eq(tasks.idempotencyKey, input.idempotencyKey)));
      if (!existing) throw new Error('idempotency conflict on a task of another customer');
      return { created: false, task: toTask(existing) };
    });
  }

  /** The customer's task in that cluster, or null. */
  async find(customerId: string, clusterId: string, taskId: string): Promise<StoredTask | null> {
    if (!isUuid(customerId)) return null;
    return this.findWhere(clusterId, taskId, eq(tasks.customerId, customerId));
  }

  /** The task of an (already authorized) cluster, or null. */
  async findInCluster(clusterId: string, taskId: string): Promise<StoredTask | null> {
    return this.findWhere(clusterId, taskId);
  }

  private async findWhere(clusterId: string, taskId: string, extra?: SQL): Promise<StoredTask | null> {
    if (!isUuid(clusterId) || !isUuid(taskId)) return null;
    return withDbErrors('find task', async () => {
      const [row] = await this.db
        .select()
        .from(tasks)
        .where(and(eq(tasks.clusterId, clusterId), eq(tasks.id, taskId), extra));
      return row ? toTask(row) : null;
    });
  }

  /** The customer's tasks of a cluster, newest first. */
  async list(customerId: string, clusterId: string, options: TaskListOptions = {}): Promise<StoredTask[]> {
    if (!isUuid(customerId) || !isUuid(clusterId)) return [];
    return withDbErrors('list tasks', async () => {
      const rows = await this.db
        .select()
        .from(tasks)
        .where(
          and(
            eq(tasks.customerId, customerId),
            eq(tasks.clusterId, clusterId),
            options.status ? eq(tasks.status, options.status) : undefined,
            options.taskType ? eq(tasks.taskType, options.taskType) : undefined,
          ),
        )
        .orderBy(desc(tasks.createdAt), desc(tasks.id))
        .limit(listLimit(options.limit))
        .offset(options.offset ?? 0);
      return rows.map(toTask);
    });
  }

  /** Tasks of the cluster an agent could lease now (pending, or leased with an expired lease and attempts left). */
  async countOfferable(clusterId: string, now: Date): Promise<number> {
    if (!isUuid(clusterId)) return 0;
    return withDbErrors('count tasks', async () => {
      const [row] = await this.db.select({ n: count() }).from(tasks).where(offerableTasks(clusterId, now));
      return row?.n ?? 0;
    });
  }

  /**
   * Whether a poll of the cluster has anything to do: an open task that is pending, holds an expired lease, or is
   * past its deadline — that is, one {@link timeOutOverdue} or {@link lease} would change. A read of the few open
   * tasks (partial index `tasks_open_idx`), so the common empty poll costs one cheap statement and no write.
   */
  async hasDueWork(clusterId: string, now: Date): Promise<boolean> {
    if (!isUuid(clusterId)) return false;
    const at = now.toISOString();
    return withDbErrors('check for due tasks', async () => {
      const result = (await this.db.execute(
        sql`SELECT EXISTS (
              SELECT 1 FROM ${tasks}
               WHERE ${tasks.clusterId} = ${clusterId} AND ${tasks.status} IN ('pending', 'leased', 'running')
                 AND (${tasks.status} = 'pending' OR ${tasks.deadline} <= ${at}::timestamptz OR ${tasks.leaseExpiresAt} <= ${at}::timestamptz)
            ) AS due`,
      )) as unknown as { rows: Array<{ due: boolean }> };
      return result.rows[0]?.due === true;
    });
  }

  /** Pending urgent tasks of the cluster whose deadline has not passed, oldest first (re-pushed when an agent connects). */
  async pendingUrgent(clusterId: string, now: Date): Promise<StoredTask[]> {
    if (!isUuid(clusterId)) return [];
    return withDbErrors('list urgent tasks', async () => {
      const rows = await this.db
        .select()
        .from(tasks)
        .where(and(eq(tasks.clusterId, clusterId), eq(tasks.status, 'pending'), eq(tasks.urgent, true), gt(tasks.deadline, now)))
        .orderBy(asc(tasks.priority), asc(tasks.createdAt))
        .limit(100);
      return rows.map(toTask);
    });
  }

  /**
   * Ends `timeout` the cluster's open tasks that can no longer run: past their deadline, or leased with an expired
   * lease and no attempts left. Returns them.
   */
  async timeOutOverdue(clusterId: string, now: Date): Promise<StoredTask[]> {
    if (!isUuid(clusterId)) return [];
    return withDbErrors('time out tasks', async () => {
      const rows = await this.db
        .update(tasks)
        .set({ status: 'timeout', leaseOwner: null, leaseExpiresAt: null, finishedAt: now, updatedAt: now })
        .where(
          and(
            eq(tasks.clusterId, clusterId),
            inArray(tasks.status, OPEN_STATUSES),
            or(
              lte(tasks.deadline, now),
              and(inArray(tasks.status, HELD_STATUSES), lte(tasks.leaseExpiresAt, now), sql`${tasks.attempts} >= ${tasks.maxAttempts}`),
            ),
          ),
        )
        .returning();
      return rows.map(toTask);
    });
  }

  /**
   * Leases up to `max` offerable tasks of the cluster to `owner` until `leaseExpiresAt` (attempts + 1 each), most
   * urgent first then oldest. Call {@link timeOutOverdue} first so ended tasks are marked; this never offers them.
   */
  async lease(clusterId: string, options: { owner: string; max: number; leaseExpiresAt: Date; now: Date }): Promise<StoredTask[]> {
    requireUuid(clusterId, 'cluster_id');
    const max = Math.max(1, Math.min(1000, Math.floor(options.max)));
    return withDbErrors('lease tasks', async () => {
      const candidates = this.db
        .select({ id: tasks.id })
        .from(tasks)
        .where(offerableTasks(clusterId, options.now))
        .orderBy(asc(tasks.priority), asc(tasks.createdAt), asc(tasks.id))
        .limit(max)
        .for('update', { skipLocked: true });
      return this.leaseWhere(inArray(tasks.id, candidates), options);
    });
  }

  /** Leases one task (an acknowledged urgent drain) if it is offerable; null otherwise (already leased, ended, unknown). */
  async leaseOne(clusterId: string, taskId: string, options: { owner: string; leaseExpiresAt: Date; now: Date }): Promise<StoredTask | null> {
    if (!isUuid(clusterId) || !isUuid(taskId)) return null;
    return withDbErrors('lease task', async () => {
      const [row] = await this.leaseWhere(and(eq(tasks.id, taskId), offerableTasks(clusterId, options.now))!, options);
      return row ?? null;
    });
  }

  private async leaseWhere(where: SQL, options: { owner: string; leaseExpiresAt: Date; now: Date }): Promise<StoredTask[]> {
    const rows = await this.db
      .update(tasks)
      .set({ status: 'leased', attempts: sql`${tasks.attempts} + 1`, leaseOwner: options.owner, leaseExpiresAt: options.leaseExpiresAt, updatedAt: options.now })
      .where(where)
      .returning();
    return rows.map(toTask).sort(byLeaseOrder);
  }

  /**
   * The agent says it is executing `taskIds`: they become `running` and their leases are extended to
   * `leaseExpiresAt` (a long drain outlives one lease). Only tasks still held (leased or running) change.
   * Returns the renewed tasks and, apart, those that just started (were `leased`).
   */
  async markRunning(clusterId: string, taskIds: readonly string[], leaseExpiresAt: Date, now: Date): Promise<{ renewed: StoredTask[]; started: StoredTask[] }> {
    const ids = taskIds.filter(isUuid);
    if (!isUuid(clusterId) || ids.length === 0) return { renewed: [], started: [] };
    const mine = (statuses: TaskStatus[]) => and(eq(tasks.clusterId, clusterId), inArray(tasks.id, ids), inArray(tasks.status, statuses), gt(tasks.deadline, now));
    return withDbErrors('renew task leases', async () => {
      const started = await this.db.update(tasks).set({ status: 'running', leaseExpiresAt, updatedAt: now }).where(mine(['leased'])).returning();
      const startedIds = new Set(started.map((row) => row.id));
      const others = await this.db.update(tasks).set({ leaseExpiresAt, updatedAt: now }).where(and(mine(['running']), startedIds.size > 0 ? notInArray(tasks.id, [...startedIds]) : undefined)).returning();
      return { renewed: [...started, ...others].map(toTask), started: started.map(toTask) };
    });
  }

  /**
   * Ends now the unexpired leases of the cluster's held tasks whose owner starts with `ownerPrefix` but is not
   * `owner`, except `keep`: their holder is known to be gone, so they are offered again at the next poll instead
   * of when the lease runs out (attempts and max_attempts count as for any expired lease). Returns them.
   */
  async expireLeasesOfOthers(clusterId: string, options: { ownerPrefix: string; owner: string; keep: readonly string[]; now: Date }): Promise<StoredTask[]> {
    if (!isUuid(clusterId)) return [];
    const keep = options.keep.filter(isUuid);
    return withDbErrors('expire task leases', async () => {
      const rows = await this.db
        .update(tasks)
        .set({ leaseExpiresAt: options.now, updatedAt: options.now })
        .where(
          and(
            eq(tasks.clusterId, clusterId),
            inArray(tasks.status, HELD_STATUSES),
            gt(tasks.leaseExpiresAt, options.now),
            sql`left(${tasks.leaseOwner}, ${options.ownerPrefix.length}) = ${options.ownerPrefix}`,
            sql`${tasks.leaseOwner} <> ${options.owner}`,
            keep.length ? notInArray(tasks.id, keep) : undefined,
          ),
        )
        .returning();
      return rows.map(toTask);
    });
  }

  /**
   * Records the agent's result for `result.attempt` (default: the current attempt). Accepted while the task is
   * held (leased or running, even with an expired lease as long as no newer attempt exists): the task ends with
   * the result's status. For a task central already ended (cancelled, timed out) the result is kept for the
   * record and the status stays. Null when the task is not the cluster's.
   */
  async recordResult(clusterId: string, taskId: string, result: TaskResult, now: Date): Promise<RecordResultOutcome | null> {
    // Two rounds: when the conditional update loses a race (another post of this result, a new lease), the
    // second read classifies against what is stored now.
    for (let round = 0; round < 2; round++) {
      const current = await this.findInCluster(clusterId, taskId);
      if (!current) return null;
      const attempt = result.attempt ?? current.attempts;
      const settled = classifyResult(current, result, attempt);
      if (settled) return { kind: settled, task: current };
      const row = await withDbErrors('record task result', async () => {
        const held = inArray(tasks.status, HELD_STATUSES);
        const [updated] = await this.db
          .update(tasks)
          .set({
            status: sql`CASE WHEN ${held} THEN ${result.status} ELSE ${tasks.status} END`,
            result: result as unknown as Record<string, unknown>,
            resultAttempt: attempt,
            leaseOwner: null,
            leaseExpiresAt: null,
            finishedAt: sql`coalesce(${tasks.finishedAt}, ${now.toISOString()}::timestamptz)`,
            updatedAt: now,
          })
          .where(and(eq(tasks.clusterId, clusterId), eq(tasks.id, taskId), eq(tasks.attempts, attempt), sql`${tasks.result} IS NULL`))
          .returning();
        return updated;
      });
      if (row) return { kind: 'recorded', task: toTask(row) };
    }
    const task = (await this.findInCluster(clusterId, taskId))!;
    return { kind: 'conflict', task };
  }

  /** Cancels the task unless it already ended; returns it (unchanged when it had ended), or null when unknown. */
  async cancel(clusterId: string, taskId: string, reason: string, now: Date): Promise<{ cancelled: boolean; task: StoredTask } | null> {
    if (!isUuid(clusterId) || !isUuid(taskId)) return null;
    return withDbErrors('cancel task', async () => {
      const [row] = await this.db
        .update(tasks)
        .set({ status: 'cancelled', cancelReason: reason, leaseOwner: null, leaseExpiresAt: null, finishedAt: now, updatedAt: now })
        .where(and(eq(tasks.clusterId, clusterId), eq(tasks.id, taskId), inArray(tasks.status, OPEN_STATUSES)))
        .returning();
      if (row) return { cancelled: true, task: toTask(row) };
      const existing = await this.findInCluster(clusterId, taskId);
      return existing ? { cancelled: false, task: existing } : null;
    });
  }
}
