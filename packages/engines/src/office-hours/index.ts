/**
 * Office hours: scale workloads down outside their office hours and back up before they start.
 *
 * Language. Schedules use kube-downscaler's time specs with its meaning, so its annotations carry over
 * unchanged: `Mon-Fri 07:30-20:30 Europe/Berlin` (weekday range inclusive, wrapping when from > to; window
 * start inclusive, end exclusive, 24:00 allowed as an end; the local wall clock of the zone), absolute ranges
 * `2024-12-24T00:00:00+01:00-2024-12-26T23:59:59+01:00` (both ends inclusive; `Z` accepted), comma-separated
 * lists (match if any part matches), `always`, `never` (see time-spec.ts for the grammar and the few places
 * where it is stricter: hours > 24, minutes > 59, ranges that cannot match are errors, not silent `never`).
 *
 * Algorithm.
 * - Timezones (timezone.ts): `Intl.DateTimeFormat` gives the offset at an instant; local time = UTC + offset.
 *   Offsets are memoised per UTC hour. Local wall time → instants returns 0 (DST gap), 1 or 2 (DST overlap).
 * - Matching (matcher.ts): O(parts) per instant, one memoised offset look-up per recurring part.
 * - Transitions: a spec's state can only change at its breakpoints — each window's start/end and local
 *   midnight on every local date, each zone's offset changes, each absolute bound (end + 1 ms). Evaluating the
 *   spec at each breakpoint finds every transition exactly, with no minute-by-minute scan: O(days × bounds).
 * - Schedule (schedule.ts): uptime ∧ ¬downtime (or kube-downscaler's upscale/downscale periods), holidays as
 *   whole local days of downtime, pre-warm extends each up segment P minutes earlier.
 * - Annotations (annotations.ts): workload > namespace > cluster default for each setting on its own;
 *   exclusions (namespace patterns, names, `downscaler/exclude`, `exclude-until`), `force-uptime`,
 *   `force-downtime`, `downtime-replicas`, `original-replicas`, grace period for new workloads.
 * - Planner (planner.ts): replays kube-downscaler's `autoscale_resource` at every instant an input can change
 *   within the horizon (default 7 days): scale down to downtime replicas storing `original-replicas`, restore
 *   them in uptime; integrates (uptime replicas − planned replicas) × cost per replica-hour into savings.
 *   O(W × B) for W workloads and B breakpoints per workload.
 * - Proposals (proposals.ts): hour-of-week idleness from usage history → an uptime spec with its savings.
 *
 * Safety. Hard-excluded workloads (namespace pattern, name list) and workloads with a malformed annotation
 * are never touched. Annotation-excluded ones are never scaled down; like kube-downscaler, one that is still
 * scaled down when it becomes excluded (it carries `original-replicas`) gets its replicas back.
 *
 * Assumptions. Modern IANA data (offset changes at least a day apart); times in epoch ms; the caller passes
 * `now` and the pods' `force-uptime` state (kube-downscaler reads it from running pods).
 */
export { parseTimeSpec, tryParseTimeSpec, formatRecurring, fmtClock as formatClockMinutes, specTimeZones, ALWAYS as ALWAYS_SPEC, NEVER as NEVER_SPEC, WEEKDAY_NAMES } from './time-spec.ts';
export type { TimeSpec, TimeSpecPart, RecurringPart, AbsolutePart, TimeSpecError, TimeSpecWarning } from './time-spec.ts';
export { matchTimeSpec, matchesTimeSpec, partMatches, specBreakpoints, specTransitions } from './matcher.ts';
export type { SpecMatch, SpecTransition } from './matcher.ts';
export { isKnownTimeZone, assertTimeZone, offsetMsAt as timeZoneOffsetMsAt, localTimeAt, localDateKey, instantsOfWallTime, offsetTransitions as timeZoneOffsetTransitions } from './timezone.ts';
export type { LocalTime as ZonedLocalTime, WallTime as ZonedWallTime } from './timezone.ts';
export { parseHolidays, holidayAt } from './holidays.ts';
export type { HolidayCalendar } from './holidays.ts';
export { rawStateAt as rawScheduleStateAt, stateAt as scheduleStateAt, scheduleTimeline, isPeriodMode } from './schedule.ts';
export type { ScheduleRules, ScheduleState, ScheduleVerdict, ScheduleSegment } from './schedule.ts';
export { ANNOTATIONS as DOWNSCALER_ANNOTATIONS, resolveDefaults as resolveOfficeHoursDefaults, resolveWorkload as resolveWorkloadSchedule, parseExcludeUntil } from './annotations.ts';
export type { OfficeHoursDefaults, NamespaceMeta, ResolvedDefaults as ResolvedOfficeHoursDefaults, ResolvedWorkload as ResolvedWorkloadSchedule, AnnotationProblem, SettingSource, Exclusion } from './annotations.ts';
export { planOfficeHours, OfficeHoursPlanInputSchema } from './planner.ts';
export type { OfficeHoursPlanInput, OfficeHoursPlanOptions, OfficeHoursPlan, ScheduledWorkload, WorkloadAction as ScheduleWorkloadAction, WorkloadPlan as ScheduleWorkloadPlan, PlannedTransition as PlannedScaleTransition, WorkloadState as ScheduleWorkloadState, ActionType as ScheduleActionType } from './planner.ts';
export { proposeOfficeHours, activeSlotsToSpec, UsageHistorySchema } from './proposals.ts';
export type { UsageHistoryInput, ProposalOptions, ProposalStatus, OfficeHoursProposal } from './proposals.ts';
