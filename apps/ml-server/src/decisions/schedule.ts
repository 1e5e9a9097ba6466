/**
 * `schedule`: office-hours schedules (`requirements.schedules`) → the office-hours planner
 * (`planOfficeHours`, kube-downscaler semantics) → `scale_workload` steps: the changes due now, then the
 * transitions of the horizon (`metadata.horizon_days`, default 7) with `not_before`.
 *
 * Workloads are the Deployments and StatefulSets of `current_state.pods` (replicas = their pods); a schedule
 * selects them by namespace or by name (a workload listed by name wins over a namespace match; the first
 * matching schedule applies). The schedule becomes the workload's `downscaler/uptime` spec
 * (`Mon-Mon 08:00-19:00 Europe/Paris, …`; a window ending before it starts crosses midnight). Excluded
 * namespaces/workloads are never scheduled. Cost per replica-hour: the pod's requests priced at the cluster's
 * cost per allocatable CPU and memory (half each).
 */
import type { DecisionRequest, DecisionResponse, OfficeHoursSchedule, PodMetric } from '@cloudoptim/contracts';
import { planOfficeHours, type ScheduledWorkload } from '@cloudoptim/engines';
import { z } from 'zod';
import { baseResponse, type EngineContext, isProtectedPod, noRisk, parseExtras, round, stateAgeSeconds } from './context.ts';

export const SCHEDULE_ENGINE_VERSION = 'office-hours-1.0.0';
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export const ScheduleMetadataSchema = z.looseObject({
  /** Days of transitions to plan and to project savings over (1–31, default 7). */
  horizon_days: z.number().int().min(1).max(31).optional(),
});

/** The kube-downscaler uptime spec of a schedule. */
export function uptimeSpec(s: OfficeHoursSchedule): string {
  const parts: string[] = [];
  for (const day of s.days) {
    const d = DAYS.indexOf(day);
    const name = DAY_NAMES[d] as string;
    if (s.end > s.start) parts.push(`${name}-${name} ${s.start}-${s.end} ${s.timezone}`);
    else {
      const next = DAY_NAMES[(d + 1) % 7] as string;
      parts.push(`${name}-${name} ${s.start}-24:00 ${s.timezone}`);
      if (s.end !== '00:00') parts.push(`${next}-${next} 00:00-${s.end} ${s.timezone}`);
    }
  }
  return parts.join(', ');
}

export function schedule(req: DecisionRequest, ctx: EngineContext, startedMs: number): DecisionResponse {
  const meta = parseExtras(ScheduleMetadataSchema, 'metadata', req.metadata);
  const state = req.current_state;
  const nowMs = Date.parse(req.timestamp);
  const cpuPrice = state.total_cpu_cores > 0 ? (state.current_cost_per_hour * 0.5) / (state.total_cpu_cores * 1000) : 0;
  const memPrice = state.total_memory_gb > 0 ? (state.current_cost_per_hour * 0.5) / (state.total_memory_gb * 1e9) : 0;
  const groups = new Map<string, PodMetric[]>();
  for (const p of state.pods) {
    if (!p.owner || (p.owner.kind !== 'Deployment' && p.owner.kind !== 'StatefulSet')) continue;
    if (isProtectedPod({ ...p, do_not_disrupt: false }, req.constraints)) continue;
    const key = `${p.namespace}/${p.owner.kind}/${p.owner.name}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const schedules = req.requirements.schedules;
  const workloads: ScheduledWorkload[] = [];
  const scheduleOf = new Map<string, string>();
  for (const [key, pods] of groups) {
    const p = pods[0] as PodMetric;
    const owner = p.owner as NonNullable<PodMetric['owner']>;
    const chosen = schedules.find((s) => s.workloads.some((w) => w.namespace === p.namespace && w.kind === owner.kind && w.name === owner.name)) ?? schedules.find((s) => s.namespaces.includes(p.namespace));
    if (!chosen) continue;
    scheduleOf.set(key, chosen.name);
    const cost = (pod: PodMetric) => pod.containers.reduce((s, c) => s + c.cpu_request_millicores * cpuPrice + c.memory_request_bytes * memPrice, 0);
    const created = Math.min(...pods.map((x) => (x.started_at ? Date.parse(x.started_at) : 0)));
    workloads.push({
      namespace: p.namespace,
      name: owner.name,
      kind: owner.kind,
      replicas: pods.length,
      annotations: { 'downscaler/uptime': uptimeSpec(chosen) },
      costUsdPerReplicaHour: cost(p),
      // Treat them as past kube-downscaler's grace period for new workloads: they are running now.
      createdAtMs: Math.min(created, nowMs - 86_400_000),
    });
  }
  const dataAge = stateAgeSeconds(req);
  const engineVersion = SCHEDULE_ENGINE_VERSION;
  if (workloads.length === 0) {
    const reason = schedules.length === 0 ? 'no office-hours schedule in requirements.schedules' : 'no Deployment or StatefulSet of current_state.pods is selected by a schedule';
    return { ...baseResponse(req, ctx, startedMs, { engineVersion, modelVersion: null, dataAgeSeconds: dataAge }), recommendations: [], confidence_score: 1, estimated_savings: 0, risk_assessment: noRisk(reason), execution_plan: [], outcome: 'nothing_to_do', outcome_reason: reason, container_recommendations: [] };
  }
  const plan = planOfficeHours({ nowMs, snapshotAtMs: Date.parse(state.last_updated), workloads }, { horizonDays: meta.horizon_days ?? 7 });
  const steps: DecisionResponse['execution_plan'] = [];
  const scalable = (kind: string): kind is 'Deployment' | 'StatefulSet' => kind === 'Deployment' || kind === 'StatefulSet';
  for (const a of plan.actions) {
    if (!scalable(a.kind)) continue;
    steps.push({ step: steps.length + 1, action: 'scale_workload', description: `${a.type === 'scale_down' ? 'Scale down' : 'Scale up'} ${a.kind}/${a.name} in ${a.namespace}: ${a.reason}`.slice(0, 1000), depends_on: [], not_before: null, parameters: { namespace: a.namespace, kind: a.kind, name: a.name, replicas: a.toReplicas, expected_replicas: a.fromReplicas } });
  }
  for (const t of plan.transitions) {
    if (!scalable(t.kind)) continue;
    steps.push({ step: steps.length + 1, action: 'scale_workload', description: `${t.type === 'scale_down' ? 'Scale down' : 'Scale up'} ${t.kind}/${t.name} in ${t.namespace} at ${t.at}`.slice(0, 1000), depends_on: [], not_before: new Date(t.atMs).toISOString(), parameters: { namespace: t.namespace, kind: t.kind, name: t.name, replicas: t.toReplicas, expected_replicas: t.fromReplicas } });
  }
  const invalid = plan.workloads.filter((w) => w.state === 'invalid');
  return {
    ...baseResponse(req, ctx, startedMs, {
      engineVersion,
      modelVersion: null,
      dataAgeSeconds: dataAge,
      extra: {
        horizon_days: plan.horizonDays,
        weekly_savings_usd: round(plan.savings.weeklyUsd, 2),
        saved_pct: round(plan.savings.savedPct, 2),
        workloads: plan.workloads.map((w) => ({ namespace: w.namespace, kind: w.kind, name: w.name, schedule: scheduleOf.get(`${w.namespace}/${w.kind}/${w.name}`) ?? null, state: w.state, uptime: w.uptime, downtime_hours: round(w.downtimeHours, 2), weekly_savings_usd: round(w.weeklySavingsUsd, 2), problems: w.problems.map((p) => p.message) })),
      },
    }),
    recommendations: [],
    confidence_score: invalid.length ? 0.5 : 0.95,
    estimated_savings: round((plan.savings.weeklyUsd * 730) / 168, 2),
    risk_assessment: noRisk(`${workloads.length} workload(s) follow office hours; ${steps.length} scale step(s) in ${plan.horizonDays} day(s)`),
    execution_plan: steps,
    outcome: steps.length ? 'planned' : 'nothing_to_do',
    outcome_reason: steps.length ? null : 'the schedules cause no scale change within the horizon',
    container_recommendations: [],
  };
}
