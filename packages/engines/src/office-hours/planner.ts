import { z } from 'zod';
import { AppError, parseOrThrow } from '@cloudoptim/contracts';
import { ANNOTATIONS, resolveDefaults, resolveWorkload, type AnnotationProblem, type NamespaceMeta, type OfficeHoursDefaults, type ResolvedWorkload } from './annotations.ts';
import { matchTimeSpec, specBreakpoints } from './matcher.ts';
import { scheduleTimeline, type ScheduleSegment } from './schedule.ts';
import { DAY_MS, HOUR_MS } from './timezone.ts';

/**
 * The office-hours planner: for every workload, the action to take now and the transitions of the next days,
 * simulating kube-downscaler's control loop in continuous time (a loop that runs at every instant where an
 * input can change, instead of every 30–60 s), with the projected savings.
 */

const annotationsSchema = z.record(z.string(), z.string()).optional();

/** Input schema (for the edges that receive a plan request as JSON). */
export const OfficeHoursPlanInputSchema = z.object({
  nowMs: z.number().finite(),
  /** When the workloads and annotations were read (the data's age goes into the rationale). Defaults to nowMs. */
  snapshotAtMs: z.number().finite().optional(),
  workloads: z.array(
    z.object({
      namespace: z.string().min(1),
      name: z.string().min(1),
      /** Deployment, StatefulSet, HorizontalPodAutoscaler (replicas = minReplicas), CronJob (replicas 1 = running, 0 = suspended) … */
      kind: z.string().min(1),
      replicas: z.number().int().nonnegative(),
      annotations: annotationsSchema,
      costUsdPerReplicaHour: z.number().finite().nonnegative(),
      createdAtMs: z.number().finite(),
    }),
  ),
  namespaces: z.array(z.object({ name: z.string().min(1), annotations: annotationsSchema })).default([]),
  defaults: z
    .object({
      uptime: z.string().optional(),
      downtime: z.string().optional(),
      upscalePeriod: z.string().optional(),
      downscalePeriod: z.string().optional(),
      downtimeReplicas: z.number().int().nonnegative().optional(),
      gracePeriodSeconds: z.number().int().nonnegative().optional(),
      excludeNamespaces: z.array(z.string()).optional(),
      excludeNames: z.array(z.string()).optional(),
      forceUptime: z.union([z.boolean(), z.string()]).optional(),
      prewarmMinutes: z.number().int().min(0).max(1440).optional(),
      holidays: z.string().optional(),
    })
    .default({}),
});

/** One workload as the planner sees it. */
export interface ScheduledWorkload {
  namespace: string;
  name: string;
  kind: string;
  /** The replica count kube-downscaler scales (HPA: minReplicas; CronJob: 1 running, 0 suspended). */
  replicas: number;
  annotations?: Record<string, string>;
  costUsdPerReplicaHour: number;
  createdAtMs: number;
}

export interface OfficeHoursPlanInput {
  nowMs: number;
  snapshotAtMs?: number;
  workloads: ScheduledWorkload[];
  namespaces?: NamespaceMeta[];
  defaults?: OfficeHoursDefaults;
}

export interface OfficeHoursPlanOptions {
  /** How far ahead to list transitions and project savings, days (1–31); default 7. */
  horizonDays?: number;
}

export type ActionType = 'scale_down' | 'scale_up' | 'none';

/** What to do to one workload at one instant. */
export interface WorkloadAction {
  type: ActionType;
  fromReplicas: number;
  toReplicas: number;
  reason: string;
  /** Annotations to write with the change (null = remove): scale-down stores the replicas to restore. */
  setAnnotations: Record<string, string | null>;
}

/** A future action. */
export interface PlannedTransition extends WorkloadAction {
  atMs: number;
  at: string;
  namespace: string;
  name: string;
  kind: string;
}

export type WorkloadState = 'up' | 'down' | 'hold' | 'excluded' | 'invalid';

/** The plan of one workload. */
export interface WorkloadPlan {
  namespace: string;
  name: string;
  kind: string;
  /** The schedule's verdict now (after the action), or why the workload is left alone. */
  state: WorkloadState;
  action: WorkloadAction;
  uptime: string | null;
  downtime: string | null;
  sources: ResolvedWorkload['sources'] | null;
  /** Replicas the workload runs without office hours (its original replicas when it is scaled down now). */
  uptimeReplicas: number;
  downtimeReplicas: number | null;
  /** Hours in the horizon spent at downtime replicas. */
  downtimeHours: number;
  savingsUsdInHorizon: number;
  weeklySavingsUsd: number;
  problems: AnnotationProblem[];
  /** Spec parts that parse but never match (kube-downscaler accepts them too), e.g. `Mon-Fri 20:00-08:00`. */
  warnings: string[];
}

export interface OfficeHoursPlan {
  nowMs: number;
  now: string;
  horizonDays: number;
  /** The changes to make now (actions of type `none` left out), one per workload at most. */
  actions: (WorkloadAction & { namespace: string; name: string; kind: string })[];
  workloads: WorkloadPlan[];
  /** Future changes in the horizon, in time order. */
  transitions: PlannedTransition[];
  savings: {
    /** Projected savings per week: Σ (uptime replicas − planned replicas) × hours × cost per replica-hour, scaled to 7 days. */
    weeklyUsd: number;
    horizonUsd: number;
    /** Cost per week with every workload at its uptime replicas. */
    baselineWeeklyUsd: number;
    savedReplicaHoursPerWeek: number;
    /** weeklyUsd / baselineWeeklyUsd × 100 (0 when the baseline is 0). */
    savedPct: number;
  };
  rationale: {
    summary: string;
    factors: string[];
    data: { workloads: number; namespaces: number; snapshotAt: string; snapshotAgeSeconds: number };
    assumptions: string[];
  };
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const iso = (ms: number) => new Date(ms).toISOString();

function specWarnings(config: ResolvedWorkload): string[] {
  const { uptime, downtime, upscalePeriod, downscalePeriod } = config.rules;
  return [uptime, downtime, upscalePeriod, downscalePeriod, config.forceUptime, config.forceDowntime].flatMap((spec) => spec.warnings.map((w) => `"${spec.text}" ${w.message}`));
}

interface Desired {
  /** skip = leave alone (excluded without original replicas). */
  state: 'up' | 'down' | 'hold' | 'skip';
  reason: string;
}

function desiredAt(config: ResolvedWorkload, segment: ScheduleSegment, atMs: number, originalReplicas: number | null): Desired {
  const { exclusion } = config;
  const excludedFor = exclusion.soft ?? (exclusion.untilMs !== null && atMs < exclusion.untilMs ? `${ANNOTATIONS.excludeUntil} ${iso(exclusion.untilMs)}` : null);
  const holdsOriginal = originalReplicas !== null && originalReplicas > 0;
  if (excludedFor && !holdsOriginal) return { state: 'skip', reason: `excluded: ${excludedFor}` };
  const forced = matchTimeSpec(config.forceUptime, atMs);
  if (forced.matches) return { state: 'up', reason: `forced uptime (${config.forceUptime.text})` };
  if (excludedFor) return { state: 'up', reason: `excluded (${excludedFor}) while scaled down: restoring its original replicas` };
  const forcedDown = matchTimeSpec(config.forceDowntime, atMs);
  if (forcedDown.matches) return { state: 'down', reason: `forced downtime (${config.forceDowntime.text})` };
  return { state: segment.state, reason: segment.reason };
}

interface SimState {
  replicas: number;
  original: number | null;
}

/** One pass of kube-downscaler's `autoscale_resource` at an instant: mutates `sim`, returns the action. */
function step(sim: SimState, desired: Desired, config: ResolvedWorkload, createdAtMs: number, atMs: number): WorkloadAction {
  const from = sim.replicas;
  const none = (reason: string): WorkloadAction => ({ type: 'none', fromReplicas: from, toReplicas: from, reason, setAnnotations: {} });
  if (desired.state === 'skip') return none(desired.reason);
  if (desired.state === 'hold') return none(`${desired.reason}: replicas left as they are`);
  const dtr = config.downtimeReplicas;
  if (desired.state === 'up') {
    if (sim.replicas === dtr && sim.original !== null && sim.original > 0) {
      const to = sim.original;
      sim.replicas = to;
      sim.original = null;
      return { type: 'scale_up', fromReplicas: from, toReplicas: to, reason: desired.reason, setAnnotations: { [ANNOTATIONS.originalReplicas]: null } };
    }
    return none(`${desired.reason}: already up`);
  }
  if (sim.replicas > 0 && sim.replicas > dtr) {
    if (atMs - createdAtMs < config.gracePeriodMs) {
      return none(`${desired.reason}, but created ${iso(createdAtMs)}: within the ${config.gracePeriodMs / 1000} s grace period until ${iso(createdAtMs + config.gracePeriodMs)}`);
    }
    sim.original = sim.replicas;
    sim.replicas = dtr;
    return { type: 'scale_down', fromReplicas: from, toReplicas: dtr, reason: desired.reason, setAnnotations: { [ANNOTATIONS.originalReplicas]: String(from) } };
  }
  return none(`${desired.reason}: already at ${sim.replicas} replica(s) (downtime replicas ${dtr})`);
}

/**
 * Plans office hours for a set of workloads. Throws AppError VALIDATION_FAILED for malformed input or
 * defaults; a malformed annotation only marks its workload `invalid` (left alone, problems listed).
 * Cost: O(W × B) with W workloads and B the breakpoints in the horizon (≈ 2–4 per day per schedule part).
 */
export function planOfficeHours(input: OfficeHoursPlanInput, options: OfficeHoursPlanOptions = {}): OfficeHoursPlan {
  const parsed = parseOrThrow(OfficeHoursPlanInputSchema, input, 'office-hours plan input');
  const horizonDays = options.horizonDays ?? 7;
  if (!Number.isInteger(horizonDays) || horizonDays < 1 || horizonDays > 31) {
    throw new AppError('VALIDATION_FAILED', `horizonDays must be a whole number of days between 1 and 31, got ${horizonDays}`, { horizonDays });
  }
  const defaults = resolveDefaults(parsed.defaults);
  const nowMs = parsed.nowMs;
  const endMs = nowMs + horizonDays * DAY_MS;
  const namespaces = new Map(parsed.namespaces.map((n) => [n.name, n]));
  const weekScale = 7 / horizonDays;

  const workloads: WorkloadPlan[] = [];
  const transitions: PlannedTransition[] = [];
  let baselineHorizonUsd = 0;
  let savedReplicaHours = 0;

  const sorted = [...parsed.workloads].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind));
  for (const w of sorted) {
    const base = { namespace: w.namespace, name: w.name, kind: w.kind };
    const resolved = resolveWorkload(w, namespaces.get(w.namespace), defaults);
    const leaveAlone = (state: WorkloadState, reason: string, problems: AnnotationProblem[], config: ResolvedWorkload | null): WorkloadPlan => ({
      ...base,
      state,
      action: { type: 'none', fromReplicas: w.replicas, toReplicas: w.replicas, reason, setAnnotations: {} },
      uptime: config?.rules.uptime.text ?? null,
      downtime: config?.rules.downtime.text ?? null,
      sources: config?.sources ?? null,
      uptimeReplicas: w.replicas,
      downtimeReplicas: config?.downtimeReplicas ?? null,
      downtimeHours: 0,
      savingsUsdInHorizon: 0,
      weeklySavingsUsd: 0,
      problems,
      warnings: config ? specWarnings(config) : [],
    });
    if (!resolved.ok) {
      workloads.push(leaveAlone('invalid', `left alone: ${resolved.problems.map((p) => `${p.annotation}: ${p.message}`).join('; ')}`, resolved.problems, null));
      baselineHorizonUsd += w.replicas * w.costUsdPerReplicaHour * horizonDays * 24;
      continue;
    }
    const config = resolved.config;
    const uptimeReplicas = config.originalReplicas !== null && config.originalReplicas > 0 && w.replicas === config.downtimeReplicas ? config.originalReplicas : w.replicas;
    baselineHorizonUsd += uptimeReplicas * w.costUsdPerReplicaHour * horizonDays * 24;
    if (config.exclusion.hard) {
      workloads.push(leaveAlone('excluded', `excluded: ${config.exclusion.hard}`, [], config));
      continue;
    }

    const segments = scheduleTimeline(config.rules, nowMs, endMs);
    const points = new Set<number>([nowMs, ...segments.map((s) => s.startMs)]);
    for (const spec of [config.forceUptime, config.forceDowntime]) for (const t of specBreakpoints(spec, nowMs, endMs)) points.add(t);
    for (const t of [config.exclusion.untilMs, w.createdAtMs + config.gracePeriodMs]) if (t !== null && t > nowMs && t < endMs) points.add(t);
    const instants = [...points].filter((t) => t < endMs).sort((a, b) => a - b);

    const sim: SimState = { replicas: w.replicas, original: config.originalReplicas };
    let segIndex = 0;
    let nowAction: WorkloadAction | null = null;
    let nowState: WorkloadState = 'up';
    let downMs = 0;
    let savedHours = 0;
    for (let i = 0; i < instants.length; i += 1) {
      const at = instants[i] as number;
      while (segIndex < segments.length - 1 && (segments[segIndex] as ScheduleSegment).endMs <= at) segIndex += 1;
      const desired = desiredAt(config, segments[segIndex] as ScheduleSegment, at, sim.original);
      const action = step(sim, desired, config, w.createdAtMs, at);
      if (i === 0) {
        nowAction = action;
        nowState = desired.state === 'skip' ? 'excluded' : desired.state;
      } else if (action.type !== 'none') {
        transitions.push({ ...base, ...action, atMs: at, at: iso(at) });
      }
      const until = instants[i + 1] ?? endMs;
      const hours = (until - at) / HOUR_MS;
      if (sim.replicas < uptimeReplicas) {
        downMs += until - at;
        savedHours += (uptimeReplicas - sim.replicas) * hours;
      }
    }
    savedReplicaHours += savedHours;
    const horizonUsd = savedHours * w.costUsdPerReplicaHour;
    workloads.push({
      ...base,
      state: nowState,
      action: nowAction as WorkloadAction,
      uptime: config.rules.uptime.text,
      downtime: config.rules.downtime.text,
      sources: config.sources,
      uptimeReplicas,
      downtimeReplicas: config.downtimeReplicas,
      downtimeHours: round2(downMs / HOUR_MS),
      savingsUsdInHorizon: round2(horizonUsd),
      weeklySavingsUsd: round2(horizonUsd * weekScale),
      problems: [],
      warnings: specWarnings(config),
    });
  }

  transitions.sort((a, b) => a.atMs - b.atMs || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  const horizonUsd = workloads.reduce((sum, w) => sum + w.savingsUsdInHorizon, 0);
  const weeklyUsd = round2(workloads.reduce((sum, w) => sum + w.weeklySavingsUsd, 0));
  const baselineWeeklyUsd = round2(baselineHorizonUsd * weekScale);
  const actions = workloads.filter((w) => w.action.type !== 'none').map((w) => ({ namespace: w.namespace, name: w.name, kind: w.kind, ...w.action }));
  const snapshotAtMs = parsed.snapshotAtMs ?? nowMs;
  const count = (state: WorkloadState) => workloads.filter((w) => w.state === state).length;
  return {
    nowMs,
    now: iso(nowMs),
    horizonDays,
    actions,
    workloads,
    transitions,
    savings: {
      weeklyUsd,
      horizonUsd: round2(horizonUsd),
      baselineWeeklyUsd,
      savedReplicaHoursPerWeek: round2(savedReplicaHours * weekScale),
      savedPct: baselineWeeklyUsd > 0 ? round2((weeklyUsd / baselineWeeklyUsd) * 100) : 0,
    },
    rationale: {
      summary: `${actions.length} change(s) now, ${transitions.length} in the next ${horizonDays} day(s); projected savings $${weeklyUsd}/week of $${baselineWeeklyUsd}/week.`,
      factors: [
        `workloads up: ${count('up')}, down: ${count('down')}, hold: ${count('hold')}, excluded: ${count('excluded')}, invalid annotations: ${count('invalid')}`,
        `defaults: uptime "${defaults.uptime.text}", downtime "${defaults.downtime.text}", downtime replicas ${defaults.downtimeReplicas}, grace ${defaults.gracePeriodMs / 1000} s, pre-warm ${defaults.prewarmMinutes} min${defaults.holidays ? `, holidays ${defaults.holidays.text}` : ''}`,
        'precedence: workload annotation > namespace annotation > default (kube-downscaler)',
      ],
      data: { workloads: parsed.workloads.length, namespaces: parsed.namespaces.length, snapshotAt: iso(snapshotAtMs), snapshotAgeSeconds: Math.max(0, Math.round((nowMs - snapshotAtMs) / 1000)) },
      assumptions: [
        'replicas and annotations stay as read (no manual scaling, no new workloads) over the horizon',
        'the control loop acts at the exact transition instant (kube-downscaler acts within its 30–60 s loop)',
        'cost is linear in replicas: cost per replica-hour × replicas (nodes freed by a cluster autoscaler)',
        'savings are counted against each workload running its uptime replicas all the time',
      ],
    },
  };
}

