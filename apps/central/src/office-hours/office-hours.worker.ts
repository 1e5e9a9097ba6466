/**
 * The office-hours worker (SPEC §5 flow 6): each pass, for every cluster, decides which workloads should be up
 * or down (office-hours-decisions.ts) and acts through `scale_workload` tasks for the agent:
 *
 * - down: remember the workload's replica count (table office_hours_workloads) FIRST, then ask for 0 replicas
 *   (guarded by `expected_replicas`, idempotency key per workload and downtime window);
 * - up: ask for the remembered count (guarded by `expected_replicas: 0`, so a workload someone scaled by hand in
 *   the meantime is left alone), then forget it once the task succeeded.
 * Replica counts come from the pod snapshot (pods per Deployment/StatefulSet/ReplicaSet). A pass is safe to
 * repeat after a crash: the table and the idempotency keys say what was already asked.
 */
import { ClustersRepository, OfficeHoursRepository, PodsRepository, type Cluster, type PodSnapshot, type ScaledWorkload, type ScaledWorkloadKind } from '@cloudoptim/db';
import type { CentralContext, WorkerSpec } from '../context.ts';
import { decideOfficeHours, workloadKey, type WorkloadRef } from './office-hours-decisions.ts';

export const OFFICE_HOURS_WORKER = 'office-hours';
export const OFFICE_HOURS_ACTOR = 'system:office-hours';
const CLUSTER_PAGE = 500;
const POD_PAGE = 1000;
const TASK_DEADLINE_MS = 15 * 60_000;
const SCALABLE = new Set<string>(['Deployment', 'StatefulSet', 'ReplicaSet']);
const ENDED = new Set(['success', 'failed', 'timeout', 'cancelled']);

export type OfficeHoursDeps = Pick<CentralContext, 'db' | 'clock' | 'log' | 'settings' | 'tasks' | 'audit'>;

export interface OfficeHoursOptions {
  /** Pass interval, ms (default 1 min). */
  intervalMs?: number;
  /** Scale up this many minutes before office hours start (default 10). */
  prewarmMinutes?: number;
}

/** Workloads with their current replica count (pods not Succeeded/Failed), from the pod snapshot. */
export function runningWorkloads(pods: readonly PodSnapshot[]): Map<string, WorkloadRef & { replicas: number }> {
  const out = new Map<string, WorkloadRef & { replicas: number }>();
  for (const pod of pods) {
    if (!pod.owner || !SCALABLE.has(pod.owner.kind) || pod.phase === 'Succeeded' || pod.phase === 'Failed') continue;
    const ref = { namespace: pod.namespace, kind: pod.owner.kind as ScaledWorkloadKind, name: pod.owner.name };
    const key = workloadKey(ref);
    out.set(key, { ...ref, replicas: (out.get(key)?.replicas ?? 0) + 1 });
  }
  return out;
}

export function createOfficeHoursWorker(deps: OfficeHoursDeps, options: OfficeHoursOptions = {}): WorkerSpec {
  const clusters = new ClustersRepository(deps.db.db);
  const pods = new PodsRepository(deps.db.db);
  const memory = new OfficeHoursRepository(deps.db.db);
  const prewarmMinutes = options.prewarmMinutes ?? 10;

  async function allPods(cluster: Cluster): Promise<PodSnapshot[]> {
    const all: PodSnapshot[] = [];
    for (let offset = 0; ; offset += POD_PAGE) {
      const page = await pods.list(cluster.customerId, cluster.id, { limit: POD_PAGE, offset });
      all.push(...page);
      if (page.length < POD_PAGE) return all;
    }
  }

  async function scale(cluster: Cluster, w: WorkloadRef, replicas: number, expected: number, key: string, why: string) {
    const task = await deps.tasks.enqueue({
      customerId: cluster.customerId,
      clusterId: cluster.id,
      taskType: 'scale_workload',
      parameters: { namespace: w.namespace, kind: w.kind, name: w.name, replicas, expected_replicas: expected },
      priority: replicas === 0 ? 6 : 4,
      deadline: new Date(deps.clock.now() + TASK_DEADLINE_MS),
      createdBy: 'office-hours',
      idempotencyKey: key,
    });
    await deps.audit
      .record({ customerId: cluster.customerId, clusterId: cluster.id, actor: OFFICE_HOURS_ACTOR, action: 'workload.scale', target: `workload/${workloadKey(w)}`, details: { replicas, expected_replicas: expected, reason: why, task_id: task.task.task_id } })
      .catch((error: unknown) => deps.log.warn({ clusterId: cluster.id, err: error instanceof Error ? error.message : String(error) }, 'office hours: audit record failed'));
    return task.task.task_id;
  }

  /** Follows the tasks of remembered workloads; returns what is still remembered. */
  async function settle(cluster: Cluster, rows: ScaledWorkload[]): Promise<ScaledWorkload[]> {
    const kept: ScaledWorkload[] = [];
    for (const row of rows) {
      const task = row.taskId && row.state !== 'down' ? await deps.tasks.get(cluster.id, row.taskId) : undefined;
      if (!task || !ENDED.has(task.status)) {
        kept.push(row);
        continue;
      }
      if (row.state === 'scaling_down') {
        // Failed or not, the restore comes next; its expected_replicas 0 guard leaves an untouched workload alone.
        kept.push((await memory.setState(cluster.customerId, row.id, 'down', row.taskId)) ?? row);
        continue;
      }
      const conflict = task.result?.error_code === 'CONFLICT';
      if (task.status === 'success' || conflict) await memory.forget(cluster.customerId, row.id);
      else kept.push((await memory.setState(cluster.customerId, row.id, 'down', row.taskId)) ?? row); // retried next pass
    }
    return kept;
  }

  async function pass(cluster: Cluster): Promise<void> {
    const { settings } = await deps.settings.get(cluster.customerId, cluster.id);
    const remembered = await settle(cluster, await memory.list(cluster.customerId, cluster.id));
    if (settings.office_hours.length === 0 && remembered.length === 0) return;
    const running = runningWorkloads(await allPods(cluster));
    const { decisions, problems } = decideOfficeHours({ settings, running: [...running.values()], remembered, nowMs: deps.clock.now(), prewarmMinutes });
    for (const problem of problems) deps.log.warn({ clusterId: cluster.id, problem }, 'office hours: schedule skipped');
    const byKey = new Map(remembered.map((r) => [workloadKey(r), r]));
    for (const d of decisions) {
      const key = workloadKey(d.workload);
      const row = byKey.get(key);
      if (d.state === 'down') {
        const replicas = running.get(key)?.replicas ?? 0;
        if (row || replicas === 0) continue;
        const stored = await memory.remember(cluster.customerId, cluster.id, { ...d.workload, originalReplicas: replicas, windowKey: d.windowKey, scaledDownAt: new Date(deps.clock.now()) });
        if (!stored) continue;
        const taskId = await scale(cluster, d.workload, 0, replicas, `office-hours:down:${key}:${d.windowKey}`, d.reason);
        await memory.setState(cluster.customerId, stored.id, 'scaling_down', taskId);
      } else if (row?.state === 'down') {
        // A new key after a failed restore (it names the failed task), the same key on a repeated pass.
        const taskId = await scale(cluster, d.workload, row.originalReplicas, 0, `office-hours:up:${key}:${row.windowKey}:${row.taskId ?? ''}`, d.reason);
        await memory.setState(cluster.customerId, row.id, 'restoring', taskId);
      }
    }
  }

  return {
    name: OFFICE_HOURS_WORKER,
    intervalMs: options.intervalMs ?? 60_000,
    async tick() {
      for (let offset = 0; ; offset += CLUSTER_PAGE) {
        const page = await clusters.listAll({ limit: CLUSTER_PAGE, offset });
        for (const cluster of page) {
          try {
            await pass(cluster);
          } catch (error) {
            deps.log.warn({ clusterId: cluster.id, err: error instanceof Error ? error.message : String(error) }, 'office hours: cluster skipped this pass');
          }
        }
        if (page.length < CLUSTER_PAGE) return;
      }
    },
  };
}
