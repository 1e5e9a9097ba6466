import { AppError } from '@cloudoptim/contracts';
import { parseHolidays, type HolidayCalendar } from './holidays.ts';
import { NEVER, tryParseTimeSpec, type TimeSpec } from './time-spec.ts';
import type { ScheduleRules } from './schedule.ts';

/**
 * Resolving a workload's schedule from annotations, with kube-downscaler's precedence: workload annotation,
 * else its namespace's annotation, else the cluster default (`--default-uptime` …). Each setting resolves on
 * its own (a workload `downscaler/downtime` combines with a namespace `downscaler/uptime`).
 */

/** The annotations read (kube-downscaler's, unchanged, plus two of CloudOptim's). */
export const ANNOTATIONS = {
  uptime: 'downscaler/uptime',
  downtime: 'downscaler/downtime',
  upscalePeriod: 'downscaler/upscale-period',
  downscalePeriod: 'downscaler/downscale-period',
  exclude: 'downscaler/exclude',
  excludeUntil: 'downscaler/exclude-until',
  downtimeReplicas: 'downscaler/downtime-replicas',
  forceUptime: 'downscaler/force-uptime',
  forceDowntime: 'downscaler/force-downtime',
  originalReplicas: 'downscaler/original-replicas',
  /** CloudOptim: `YYYY-MM-DD[,…] TIMEZONE`, whole local days of downtime. */
  holidays: 'cloudoptim.io/holidays',
  /** CloudOptim: minutes to scale up before uptime starts. */
  prewarmMinutes: 'cloudoptim.io/prewarm-minutes',
} as const;

/** Cluster-level defaults (kube-downscaler's command-line options). Every field is optional. */
export interface OfficeHoursDefaults {
  /** `--default-uptime`; default `always`. */
  uptime?: string;
  /** `--default-downtime`; default `never`. */
  downtime?: string;
  /** `--upscale-period`; default `never`. */
  upscalePeriod?: string;
  /** `--downscale-period`; default `never`. */
  downscalePeriod?: string;
  /** `--downtime-replicas`; default 0. */
  downtimeReplicas?: number;
  /** `--grace-period` for newly created workloads, seconds; default 900. */
  gracePeriodSeconds?: number;
  /** `--exclude-namespaces`: regular expressions matched against the whole name; default `["kube-system"]`. */
  excludeNamespaces?: string[];
  /** `--exclude-deployments`: workload names never processed; default `["kube-downscaler", "downscaler"]`. */
  excludeNames?: string[];
  /**
   * Cluster-wide forced uptime: true when some running pod carries `downscaler/force-uptime: "true"`
   * (kube-downscaler scans pods; the caller does and passes the result), or a time spec. Default false.
   */
  forceUptime?: boolean | string;
  /** Minutes to scale up before uptime starts; default 0. */
  prewarmMinutes?: number;
  /** Holiday calendar `YYYY-MM-DD[,…] TIMEZONE`; default none. */
  holidays?: string;
}

/** A namespace and its annotations. */
export interface NamespaceMeta {
  name: string;
  annotations?: Record<string, string>;
}

/** Where a resolved setting came from. */
export type SettingSource = 'workload' | 'namespace' | 'default';

/** A problem with one annotation: the workload is left alone (kube-downscaler logs and skips it too). */
export interface AnnotationProblem {
  annotation: string;
  value: string;
  message: string;
  position?: number;
}

/** Defaults after validation. */
export interface ResolvedDefaults {
  uptime: TimeSpec;
  downtime: TimeSpec;
  upscalePeriod: TimeSpec;
  downscalePeriod: TimeSpec;
  downtimeReplicas: number;
  gracePeriodMs: number;
  excludeNamespaces: RegExp[];
  excludeNames: Set<string>;
  forceUptime: TimeSpec;
  prewarmMinutes: number;
  holidays: HolidayCalendar | null;
}

/** Why a workload is excluded, and whether a scaled-down one is still restored. */
export interface Exclusion {
  /** Hard exclusions (namespace pattern, name list) skip the workload entirely, like kube-downscaler's `continue`. */
  hard: string | null;
  /** Annotation exclusions: the workload is not scaled down, but one that holds original replicas is restored. */
  soft: string | null;
  /** The latest `exclude-until` still in force, epoch ms (the workload is excluded while now < untilMs). */
  untilMs: number | null;
}

/** Everything the planner needs to know about one workload's schedule. */
export interface ResolvedWorkload {
  rules: ScheduleRules;
  sources: Record<'uptime' | 'downtime' | 'upscalePeriod' | 'downscalePeriod' | 'downtimeReplicas' | 'holidays' | 'prewarmMinutes' | 'forceUptime', SettingSource>;
  downtimeReplicas: number;
  /** `downscaler/original-replicas`, null when absent. */
  originalReplicas: number | null;
  exclusion: Exclusion;
  forceUptime: TimeSpec;
  forceDowntime: TimeSpec;
  gracePeriodMs: number;
}

const DEFAULT_EXCLUDE_NAMESPACES = ['kube-system'];
const DEFAULT_EXCLUDE_NAMES = ['kube-downscaler', 'downscaler'];

function specOrThrow(text: string, what: string): TimeSpec {
  const r = tryParseTimeSpec(text);
  if (r.ok) return r.spec;
  throw new AppError('VALIDATION_FAILED', `${what}: ${r.error.message}`, { setting: what, spec: text, position: r.error.position, expected: r.error.expected });
}

/** Validates the defaults; throws AppError VALIDATION_FAILED naming the bad setting. */
export function resolveDefaults(defaults: OfficeHoursDefaults = {}): ResolvedDefaults {
  const count = (value: number | undefined, fallback: number, what: string, max = Number.MAX_SAFE_INTEGER): number => {
    const v = value ?? fallback;
    if (!Number.isInteger(v) || v < 0 || v > max) throw new AppError('VALIDATION_FAILED', `${what} must be an integer between 0 and ${max}, got ${String(value)}`, { setting: what, value });
    return v;
  };
  const force = defaults.forceUptime;
  return {
    uptime: specOrThrow(defaults.uptime ?? 'always', 'default uptime'),
    downtime: specOrThrow(defaults.downtime ?? 'never', 'default downtime'),
    upscalePeriod: specOrThrow(defaults.upscalePeriod ?? 'never', 'default upscale period'),
    downscalePeriod: specOrThrow(defaults.downscalePeriod ?? 'never', 'default downscale period'),
    downtimeReplicas: count(defaults.downtimeReplicas, 0, 'default downtime replicas'),
    gracePeriodMs: count(defaults.gracePeriodSeconds, 900, 'grace period seconds') * 1000,
    excludeNamespaces: (defaults.excludeNamespaces ?? DEFAULT_EXCLUDE_NAMESPACES).map((pattern) => {
      try {
        return new RegExp(`^(?:${pattern})$`);
      } catch {
        throw new AppError('VALIDATION_FAILED', `exclude namespace pattern "${pattern}" is not a valid regular expression`, { setting: 'excludeNamespaces', value: pattern });
      }
    }),
    excludeNames: new Set(defaults.excludeNames ?? DEFAULT_EXCLUDE_NAMES),
    forceUptime: typeof force === 'string' ? forceSpec(force) ?? specOrThrow(force, 'default force uptime') : force ? { kind: 'always', text: 'true', warnings: [] } : NEVER,
    prewarmMinutes: count(defaults.prewarmMinutes, 0, 'default prewarm minutes', 1440),
    holidays: defaults.holidays ? parseHolidays(defaults.holidays) : null,
  };
}

/** `true` / `false` (any case) as constant specs; anything else is a time spec (null here). */
function forceSpec(value: string): TimeSpec | null {
  const lower = value.trim().toLowerCase();
  if (lower === 'true') return { kind: 'always', text: value, warnings: [] };
  if (lower === 'false' || lower === '') return { ...NEVER, text: value };
  return null;
}

/**
 * kube-downscaler's timestamps for `exclude-until` (UTC): `%Y-%m-%dT%H:%M:%SZ`, `%Y-%m-%dT%H:%M`,
 * `%Y-%m-%d %H:%M`, `%Y-%m-%d`; an ISO 8601 time with an offset is accepted too. Null when none fits.
 */
export function parseExcludeUntil(value: string): number | null {
  const v = value.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:\d{2})?$/.exec(v);
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', offset] = m;
  const date = new Date(0);
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  date.setUTCHours(Number(h), Number(mi), Number(s), 0);
  const roundTrips = date.getUTCMonth() === Number(mo) - 1 && date.getUTCDate() === Number(d) && date.getUTCHours() === Number(h) && date.getUTCMinutes() === Number(mi) && date.getUTCSeconds() === Number(s);
  if (!roundTrips) return null;
  const offsetMinutes = offset && offset !== 'Z' ? (offset.startsWith('-') ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6))) : 0;
  return date.getTime() - offsetMinutes * 60_000;
}

/** `downscaler/exclude`: any value but "false" (any case) excludes, as in kube-downscaler ("to be on the safe side"). */
function excludesByValue(value: string | undefined): boolean {
  return value !== undefined && value.trim().toLowerCase() !== 'false';
}

function parseCount(value: string): number | null {
  return /^\s*\+?\d+\s*$/.test(value) ? Number(value.trim()) : null;
}

/** The inputs `resolveWorkload` reads from a workload. */
export interface WorkloadAnnotations {
  namespace: string;
  name: string;
  annotations?: Record<string, string>;
}

/**
 * Resolves one workload's schedule. Returns the problems instead when an annotation it needs is malformed
 * (the planner then leaves the workload alone and reports why).
 */
export function resolveWorkload(workload: WorkloadAnnotations, namespace: NamespaceMeta | undefined, defaults: ResolvedDefaults): { ok: true; config: ResolvedWorkload } | { ok: false; problems: AnnotationProblem[] } {
  const wl = workload.annotations ?? {};
  const ns = namespace?.annotations ?? {};
  const problems: AnnotationProblem[] = [];

  const spec = (key: string, fallback: TimeSpec): { spec: TimeSpec; source: SettingSource } => {
    for (const [annotations, source] of [
      [wl, 'workload'],
      [ns, 'namespace'],
    ] as const) {
      const value = annotations[key];
      if (value === undefined) continue;
      const r = tryParseTimeSpec(value);
      if (r.ok) return { spec: r.spec, source };
      problems.push({ annotation: `${source === 'workload' ? workload.name : workload.namespace}: ${key}`, value, message: r.error.message, position: r.error.position });
      return { spec: NEVER, source };
    }
    return { spec: fallback, source: 'default' };
  };
  const count = (key: string, fallback: number, max = Number.MAX_SAFE_INTEGER): { value: number; source: SettingSource } => {
    for (const [annotations, source] of [
      [wl, 'workload'],
      [ns, 'namespace'],
    ] as const) {
      const raw = annotations[key];
      if (raw === undefined) continue;
      const value = parseCount(raw);
      if (value !== null && value <= max) return { value, source };
      problems.push({ annotation: `${source === 'workload' ? workload.name : workload.namespace}: ${key}`, value: raw, message: `expected a whole number between 0 and ${max}, got "${raw}"` });
      return { value: fallback, source };
    }
    return { value: fallback, source: 'default' };
  };

  const uptime = spec(ANNOTATIONS.uptime, defaults.uptime);
  const downtime = spec(ANNOTATIONS.downtime, defaults.downtime);
  const upscalePeriod = spec(ANNOTATIONS.upscalePeriod, defaults.upscalePeriod);
  const downscalePeriod = spec(ANNOTATIONS.downscalePeriod, defaults.downscalePeriod);
  const downtimeReplicas = count(ANNOTATIONS.downtimeReplicas, defaults.downtimeReplicas);
  const prewarm = count(ANNOTATIONS.prewarmMinutes, defaults.prewarmMinutes, 1440);

  let holidays: HolidayCalendar | null = defaults.holidays;
  let holidaysSource: SettingSource = 'default';
  for (const [annotations, source] of [
    [wl, 'workload'],
    [ns, 'namespace'],
  ] as const) {
    const raw = annotations[ANNOTATIONS.holidays];
    if (raw === undefined) continue;
    holidaysSource = source;
    try {
      holidays = parseHolidays(raw);
    } catch (error) {
      problems.push({ annotation: `${source === 'workload' ? workload.name : workload.namespace}: ${ANNOTATIONS.holidays}`, value: raw, message: error instanceof Error ? error.message : String(error) });
    }
    break;
  }

  // force-uptime is a namespace annotation (or the cluster default); force-downtime only a namespace one.
  let forceUptime = defaults.forceUptime;
  let forceUptimeSource: SettingSource = 'default';
  const nsForce = ns[ANNOTATIONS.forceUptime];
  if (nsForce !== undefined) {
    forceUptimeSource = 'namespace';
    const constant = forceSpec(nsForce);
    const parsed = constant ? { ok: true as const, spec: constant } : tryParseTimeSpec(nsForce);
    if (parsed.ok) forceUptime = parsed.spec;
    else problems.push({ annotation: `${workload.namespace}: ${ANNOTATIONS.forceUptime}`, value: nsForce, message: parsed.error.message, position: parsed.error.position });
  }
  let forceDowntime: TimeSpec = NEVER;
  const nsForceDown = ns[ANNOTATIONS.forceDowntime];
  if (nsForceDown !== undefined) {
    const constant = forceSpec(nsForceDown);
    const parsed = constant ? { ok: true as const, spec: constant } : tryParseTimeSpec(nsForceDown);
    if (parsed.ok) forceDowntime = parsed.spec;
    else problems.push({ annotation: `${workload.namespace}: ${ANNOTATIONS.forceDowntime}`, value: nsForceDown, message: parsed.error.message, position: parsed.error.position });
  }

  let originalReplicas: number | null = null;
  const rawOriginal = wl[ANNOTATIONS.originalReplicas];
  if (rawOriginal !== undefined && rawOriginal !== '') {
    originalReplicas = parseCount(rawOriginal);
    if (originalReplicas === null) problems.push({ annotation: `${workload.name}: ${ANNOTATIONS.originalReplicas}`, value: rawOriginal, message: `expected a whole number, got "${rawOriginal}"` });
  }

  // Exclusion. An unreadable exclude-until is a problem here (kube-downscaler ignores it and scales the
  // workload): whoever wrote it meant to exclude, so the safe reading is to leave the workload alone.
  let hard: string | null = null;
  const pattern = defaults.excludeNamespaces.find((re) => re.test(workload.namespace));
  if (pattern) hard = `namespace ${workload.namespace} matches the excluded-namespace pattern ${pattern.source.slice(4, -2)}`;
  else if (defaults.excludeNames.has(workload.name)) hard = `name ${workload.name} is in the excluded-names list`;
  let soft: string | null = null;
  if (excludesByValue(ns[ANNOTATIONS.exclude])) soft = `namespace ${workload.namespace} has ${ANNOTATIONS.exclude}=${ns[ANNOTATIONS.exclude]}`;
  else if (excludesByValue(wl[ANNOTATIONS.exclude])) soft = `${ANNOTATIONS.exclude}=${wl[ANNOTATIONS.exclude]}`;
  let untilMs: number | null = null;
  for (const [annotations, owner] of [
    [ns, workload.namespace],
    [wl, workload.name],
  ] as const) {
    const raw = annotations[ANNOTATIONS.excludeUntil];
    if (raw === undefined || raw === '') continue;
    const ms = parseExcludeUntil(raw);
    if (ms === null) problems.push({ annotation: `${owner}: ${ANNOTATIONS.excludeUntil}`, value: raw, message: `expected a UTC time YYYY-MM-DDTHH:MM:SSZ, YYYY-MM-DDTHH:MM, "YYYY-MM-DD HH:MM" or YYYY-MM-DD, got "${raw}"` });
    else untilMs = Math.max(untilMs ?? ms, ms);
  }

  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    config: {
      rules: { uptime: uptime.spec, downtime: downtime.spec, upscalePeriod: upscalePeriod.spec, downscalePeriod: downscalePeriod.spec, holidays, prewarmMinutes: prewarm.value },
      sources: {
        uptime: uptime.source,
        downtime: downtime.source,
        upscalePeriod: upscalePeriod.source,
        downscalePeriod: downscalePeriod.source,
        downtimeReplicas: downtimeReplicas.source,
        holidays: holidaysSource,
        prewarmMinutes: prewarm.source,
        forceUptime: forceUptimeSource,
      },
      downtimeReplicas: downtimeReplicas.value,
      originalReplicas,
      exclusion: { hard, soft, untilMs },
      forceUptime,
      forceDowntime,
      gracePeriodMs: defaults.gracePeriodMs,
    },
  };
}
