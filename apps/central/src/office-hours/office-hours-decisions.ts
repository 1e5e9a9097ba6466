/**
 * Which workloads of a cluster should be up or down now under its office-hours schedules (SPEC §5 flow 6).
 * Schedules use kube-downscaler's time specs (`Mon-Fri 08:00-19:00 Europe/Berlin`), evaluated by the
 * office-hours engine (@cloudoptim/engines) with a pre-warm, so workloads come back before the office opens.
 *
 * - A schedule selects the workloads of its namespaces and its listed `namespace/kind/name` workloads.
 * - A workload several schedules select is up when any of them says up (never scale down what another keeps).
 * - Excluded namespaces and workloads are never scaled down; one that is down when it becomes excluded — or
 *   whose schedule was removed — is brought back (like kube-downscaler's `original-replicas` handling).
 * Pure: time and the cluster's state come in. O(schedules × workloads) plus the engine's cost per schedule.
 */
import { NEVER_SPEC, scheduleStateAt, scheduleTimeline, tryParseTimeSpec, type ScheduleRules } from '@cloudoptim/engines';
import type { ScaledWorkloadKind } from '@cloudoptim/db';
import type { ClusterSettings } from '../settings/cluster-settings.ts';

/** How far back the start of the current window is looked for. */
const LOOKBACK_MS = 8 * 86_400_000;

export interface WorkloadRef {
  namespace: string;
  kind: ScaledWorkloadKind;
  name: string;
}

/** `namespace/kind/name`, the form settings use. */
export const workloadKey = (w: WorkloadRef) => `${w.namespace}/${w.kind}/${w.name}`;

export interface Decision {
  workload: WorkloadRef;
  state: 'up' | 'down';
  /** For `down`: the downtime window (schedule and start), which keys the scale-down. */
  windowKey: string;
  reason: string;
}

export interface DecisionInput {
  settings: Pick<ClusterSettings, 'office_hours' | 'excluded_namespaces' | 'excluded_workloads'>;
  /** Workloads known to run now (from the pod snapshot). */
  running: readonly WorkloadRef[];
  /** Workloads office hours holds scaled down. */
  remembered: readonly WorkloadRef[];
  nowMs: number;
  prewarmMinutes: number;
}

export interface DecisionOutput {
  decisions: Decision[];
  /** Schedules that could not be used (a time spec that does not parse), with why. */
  problems: string[];
}

export function decideOfficeHours(input: DecisionInput): DecisionOutput {
  const { settings, nowMs } = input;
  const problems: string[] = [];
  const schedules = settings.office_hours.flatMap((schedule, index) => {
    const parsed = tryParseTimeSpec(schedule.uptime);
    if (!parsed.ok) {
      problems.push(`office_hours[${index}].uptime "${schedule.uptime}": ${parsed.error.message}`);
      return [];
    }
    const rules: ScheduleRules = { uptime: parsed.spec, downtime: NEVER_SPEC, upscalePeriod: NEVER_SPEC, downscalePeriod: NEVER_SPEC, holidays: null, prewarmMinutes: input.prewarmMinutes };
    return [{ index, rules, namespaces: new Set(schedule.namespaces), workloads: new Set(schedule.workloads), text: schedule.uptime }];
  });
  const excludedNamespaces = new Set(settings.excluded_namespaces);
  const excludedWorkloads = new Set(settings.excluded_workloads);
  const remembered = new Set(input.remembered.map(workloadKey));
  const candidates = new Map<string, WorkloadRef>();
  for (const w of [...input.running, ...input.remembered]) candidates.set(workloadKey(w), w);

  const decisions: Decision[] = [];
  for (const [key, workload] of candidates) {
    const held = remembered.has(key);
    if (excludedNamespaces.has(workload.namespace) || excludedWorkloads.has(key)) {
      if (held) decisions.push({ workload, state: 'up', windowKey: '', reason: 'excluded: replicas given back' });
      continue;
    }
    const matching = schedules.filter((s) => s.namespaces.has(workload.namespace) || s.workloads.has(key));
    if (matching.length === 0) {
      if (held) decisions.push({ workload, state: 'up', windowKey: '', reason: 'no schedule selects it any more' });
      continue;
    }
    const verdicts = matching.map((s) => ({ s, verdict: scheduleStateAt(s.rules, nowMs) }));
    const up = verdicts.find((v) => v.verdict.state === 'up');
    if (up) {
      decisions.push({ workload, state: 'up', windowKey: '', reason: `${up.verdict.reason} (office_hours[${up.s.index}])` });
      continue;
    }
    const down = verdicts.find((v) => v.verdict.state === 'down');
    if (!down) continue; // hold
    const segment = scheduleTimeline(down.s.rules, nowMs - LOOKBACK_MS, nowMs + 1).at(-1);
    const start = new Date(segment?.startMs ?? nowMs).toISOString();
    decisions.push({ workload, state: 'down', windowKey: `${down.s.index}@${start}`, reason: `${down.verdict.reason} (office_hours[${down.s.index}])` });
  }
  return { decisions, problems };
}
