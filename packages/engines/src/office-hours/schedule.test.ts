import { describe, expect, it } from 'vitest';
import { AppError } from '@cloudoptim/contracts';
import { holidayAt, parseHolidays } from './holidays.ts';
import { rawStateAt, scheduleTimeline, stateAt, type ScheduleRules } from './schedule.ts';
import { NEVER, parseTimeSpec } from './time-spec.ts';
import { ANNOTATIONS, parseExcludeUntil, resolveDefaults, resolveWorkload } from './annotations.ts';
import { instantsOfWallTime, localTimeAt, offsetTransitions } from './timezone.ts';

const t = (iso: string) => Date.parse(iso);
const rules = (over: Partial<ScheduleRules> = {}): ScheduleRules => ({ uptime: parseTimeSpec('always'), downtime: NEVER, upscalePeriod: NEVER, downscalePeriod: NEVER, holidays: null, prewarmMinutes: 0, ...over });
/** Segments merged by state (the timeline also splits where only the reason changes). */
const segs = (r: ScheduleRules, from: string, to: string) =>
  scheduleTimeline(r, t(from), t(to))
    .filter((s, i, all) => i === 0 || all[i - 1]?.state !== s.state)
    .map((s) => [new Date(s.startMs).toISOString(), s.state]);

describe('timezone helper', () => {
  it('finds 0, 1 or 2 instants for a wall-clock time', () => {
    expect(instantsOfWallTime({ year: 2024, month: 3, day: 31, hour: 2, minute: 30 }, 'Europe/Berlin')).toEqual([]);
    expect(instantsOfWallTime({ year: 2024, month: 10, day: 27, hour: 2, minute: 30 }, 'Europe/Berlin')).toEqual([t('2024-10-27T00:30:00Z'), t('2024-10-27T01:30:00Z')]);
    expect(instantsOfWallTime({ year: 2024, month: 7, day: 1, hour: 9, minute: 0 }, 'America/New_York')).toEqual([t('2024-07-01T13:00:00Z')]);
  });
  it('finds offset transitions to the millisecond', () => {
    expect(offsetTransitions(t('2024-01-01T00:00:00Z'), t('2025-01-01T00:00:00Z'), 'Europe/Berlin')).toEqual([t('2024-03-31T01:00:00Z'), t('2024-10-27T01:00:00Z')]);
    expect(offsetTransitions(t('2024-01-01T00:00:00Z'), t('2025-01-01T00:00:00Z'), 'America/New_York')).toEqual([t('2024-03-10T07:00:00Z'), t('2024-11-03T06:00:00Z')]);
    expect(offsetTransitions(t('2024-01-01T00:00:00Z'), t('2025-01-01T00:00:00Z'), 'UTC')).toEqual([]);
  });
  it('reads the local wall clock with Monday = 0', () => {
    expect(localTimeAt(t('2024-03-31T00:59:59Z'), 'Europe/Berlin')).toMatchObject({ hour: 1, minute: 59, weekday: 6, day: 31 });
    expect(localTimeAt(t('2024-03-31T01:00:00Z'), 'Europe/Berlin')).toMatchObject({ hour: 3, minute: 0, weekday: 6 });
    expect(localTimeAt(t('2024-01-01T04:59:00Z'), 'America/New_York')).toMatchObject({ year: 2023, month: 12, day: 31, hour: 23, weekday: 6 });
  });
});

describe('holidays', () => {
  it('parses a list with its zone and errors with positions', () => {
    const cal = parseHolidays('2024-12-24, 2024-12-25 Europe/Berlin');
    expect(cal && [...cal.dates]).toEqual(['2024-12-24', '2024-12-25']);
    expect(holidayAt(cal, t('2024-12-23T23:00:00Z'))).toBe('2024-12-24'); // 00:00 CET
    expect(holidayAt(cal, t('2024-12-23T22:59:59Z'))).toBeNull();
    expect(holidayAt(cal, t('2024-12-25T22:59:59Z'))).toBe('2024-12-25');
    expect(holidayAt(cal, t('2024-12-25T23:00:00Z'))).toBeNull();
    expect(parseHolidays('  ')).toBeNull();
    for (const [text, position] of [
      ['2024-12-24', 10],
      ['2024-12-24 Mars/Base', 11],
      ['2024-12-24,2024-02-30 UTC', 11],
      ['2024-12-24,tomorrow UTC', 11],
    ] as const) {
      try {
        parseHolidays(text);
        expect.unreachable(text);
      } catch (error) {
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).details?.position, text).toBe(position);
      }
    }
  });

  it('a holiday is downtime even inside uptime, and ends at local midnight', () => {
    const r = rules({ uptime: parseTimeSpec('Mon-Fri 08:00-19:00 Europe/Berlin'), holidays: parseHolidays('2024-12-24 Europe/Berlin') });
    expect(rawStateAt(r, t('2024-12-24T10:00:00Z')).state).toBe('down');
    expect(rawStateAt(r, t('2024-12-24T10:00:00Z')).reason).toMatch(/holiday 2024-12-24/);
    expect(segs(r, '2024-12-23T00:00:00Z', '2024-12-26T00:00:00Z')).toEqual([
      ['2024-12-23T00:00:00.000Z', 'down'],
      ['2024-12-23T07:00:00.000Z', 'up'],
      ['2024-12-23T18:00:00.000Z', 'down'],
      ['2024-12-25T07:00:00.000Z', 'up'],
      ['2024-12-25T18:00:00.000Z', 'down'],
    ]);
  });
});

describe('schedule: uptime, downtime, periods, pre-warm', () => {
  it('uptime ∧ ¬downtime', () => {
    const r = rules({ uptime: parseTimeSpec('Mon-Fri 08:00-19:00 UTC'), downtime: parseTimeSpec('Mon-Fri 12:00-13:00 UTC') });
    expect(segs(r, '2024-01-08T00:00:00Z', '2024-01-09T00:00:00Z')).toEqual([
      ['2024-01-08T00:00:00.000Z', 'down'],
      ['2024-01-08T08:00:00.000Z', 'up'],
      ['2024-01-08T12:00:00.000Z', 'down'],
      ['2024-01-08T13:00:00.000Z', 'up'],
      ['2024-01-08T19:00:00.000Z', 'down'],
    ]);
  });

  it('pre-warm moves each start earlier and swallows gaps shorter than itself', () => {
    const r = rules({ uptime: parseTimeSpec('Mon-Fri 08:00-12:00 UTC, Mon-Fri 12:30-19:00 UTC'), prewarmMinutes: 45 });
    expect(segs(r, '2024-01-08T00:00:00Z', '2024-01-09T00:00:00Z')).toEqual([
      ['2024-01-08T00:00:00.000Z', 'down'],
      ['2024-01-08T07:15:00.000Z', 'up'],
      ['2024-01-08T19:00:00.000Z', 'down'],
    ]);
    expect(stateAt(r, t('2024-01-08T07:15:00Z'))).toEqual({ state: 'up', reason: 'pre-warm 45 min before inside uptime "Mon-Fri 08:00-12:00 UTC"' });
    expect(stateAt(r, t('2024-01-08T07:14:59Z')).state).toBe('down');
    // A start just past the range still pre-warms its end.
    expect(segs(r, '2024-01-08T06:00:00Z', '2024-01-08T07:30:00Z')).toEqual([
      ['2024-01-08T06:00:00.000Z', 'down'],
      ['2024-01-08T07:15:00.000Z', 'up'],
    ]);
  });

  it('period mode: up, down, hold when both or neither match', () => {
    const r = rules({ upscalePeriod: parseTimeSpec('Mon-Sun 07:00-08:00 UTC'), downscalePeriod: parseTimeSpec('Mon-Sun 19:00-20:00 UTC, Mon-Sun 07:30-07:45 UTC') });
    expect(rawStateAt(r, t('2024-01-08T07:10:00Z')).state).toBe('up');
    expect(rawStateAt(r, t('2024-01-08T07:35:00Z')).state).toBe('hold');
    expect(rawStateAt(r, t('2024-01-08T12:00:00Z')).state).toBe('hold');
    expect(rawStateAt(r, t('2024-01-08T19:30:00Z')).state).toBe('down');
  });
});

describe('annotations: kube-downscaler precedence', () => {
  const defaults = resolveDefaults({ uptime: 'Mon-Fri 08:00-19:00 UTC', downtimeReplicas: 1 });
  it.each([
    ['default', {}, {}, 'Mon-Fri 08:00-19:00 UTC', 'default', 1],
    ['namespace overrides default', { [ANNOTATIONS.uptime]: 'Mon-Fri 07:00-20:00 UTC', [ANNOTATIONS.downtimeReplicas]: '2' }, {}, 'Mon-Fri 07:00-20:00 UTC', 'namespace', 2],
    ['workload overrides namespace', { [ANNOTATIONS.uptime]: 'Mon-Fri 07:00-20:00 UTC' }, { [ANNOTATIONS.uptime]: 'always', [ANNOTATIONS.downtimeReplicas]: '0' }, 'always', 'workload', 0],
  ])('%s', (_name, ns, wl, uptime, source, dtr) => {
    const r = resolveWorkload({ namespace: 'dev', name: 'api', annotations: wl }, { name: 'dev', annotations: ns }, defaults);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.rules.uptime.text).toBe(uptime);
    expect(r.config.sources.uptime).toBe(source);
    expect(r.config.downtimeReplicas).toBe(dtr);
  });

  it('each setting resolves on its own: a workload downtime combines with a namespace uptime', () => {
    const r = resolveWorkload({ namespace: 'dev', name: 'api', annotations: { [ANNOTATIONS.downtime]: 'Sat-Sun 00:00-24:00 UTC' } }, { name: 'dev', annotations: { [ANNOTATIONS.uptime]: 'Mon-Sun 06:00-22:00 UTC' } }, defaults);
    expect(r.ok && [r.config.rules.uptime.text, r.config.sources.uptime, r.config.rules.downtime.text, r.config.sources.downtime]).toEqual(['Mon-Sun 06:00-22:00 UTC', 'namespace', 'Sat-Sun 00:00-24:00 UTC', 'workload']);
  });

  it('exclusions: namespace pattern and name list are hard, annotations soft, exclude-until any value but "false"', () => {
    const d = resolveDefaults({ excludeNamespaces: ['kube-.*', 'monitoring'] });
    const ex = (namespace: string, name: string, wl: Record<string, string> = {}, ns: Record<string, string> = {}) => {
      const r = resolveWorkload({ namespace, name, annotations: wl }, { name: namespace, annotations: ns }, d);
      return r.ok ? r.config.exclusion : null;
    };
    expect(ex('kube-public', 'x')?.hard).toMatch(/kube-\.\*/);
    expect(ex('monitoring-2', 'x')?.hard).toBeNull(); // full match only
    expect(ex('dev', 'downscaler')?.hard).toMatch(/excluded-names/);
    expect(ex('dev', 'x', { [ANNOTATIONS.exclude]: 'yes' })?.soft).toMatch(/exclude=yes/);
    expect(ex('dev', 'x', { [ANNOTATIONS.exclude]: 'False' })?.soft).toBeNull();
    expect(ex('dev', 'x', {}, { [ANNOTATIONS.exclude]: 'true' })?.soft).toMatch(/namespace dev/);
    expect(ex('dev', 'x', { [ANNOTATIONS.excludeUntil]: '2024-04-05' }, { [ANNOTATIONS.excludeUntil]: '2024-04-07 12:30' })?.untilMs).toBe(t('2024-04-07T12:30:00Z'));
  });

  it('parses exclude-until in kube-downscaler formats (UTC) and ISO with offset', () => {
    expect(parseExcludeUntil('2024-04-05T10:11:12Z')).toBe(t('2024-04-05T10:11:12Z'));
    expect(parseExcludeUntil('2024-04-05T10:11')).toBe(t('2024-04-05T10:11:00Z'));
    expect(parseExcludeUntil('2024-04-05 10:11')).toBe(t('2024-04-05T10:11:00Z'));
    expect(parseExcludeUntil('2024-04-05')).toBe(t('2024-04-05T00:00:00Z'));
    expect(parseExcludeUntil('2024-04-05T10:11:12+02:00')).toBe(t('2024-04-05T08:11:12Z'));
    expect(parseExcludeUntil('2024-02-30')).toBeNull();
    expect(parseExcludeUntil('next week')).toBeNull();
  });

  it('malformed annotations become problems naming the annotation and the position', () => {
    const r = resolveWorkload(
      { namespace: 'dev', name: 'api', annotations: { [ANNOTATIONS.uptime]: 'Mon-Fri 08:00-19:00 Europe/Berlim', [ANNOTATIONS.downtimeReplicas]: 'two', [ANNOTATIONS.excludeUntil]: 'soon' } },
      { name: 'dev', annotations: { [ANNOTATIONS.forceUptime]: 'sometimes' } },
      defaults,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => [p.annotation, p.position ?? null])).toEqual([
      ['api: downscaler/uptime', 20],
      ['api: downscaler/downtime-replicas', null],
      ['dev: downscaler/force-uptime', 0],
      ['api: downscaler/exclude-until', null],
    ]);
  });

  it('rejects malformed defaults with AppError', () => {
    expect(() => resolveDefaults({ uptime: 'weekdays' })).toThrow(AppError);
    expect(() => resolveDefaults({ excludeNamespaces: ['('] })).toThrow(/not a valid regular expression/);
    expect(() => resolveDefaults({ downtimeReplicas: -1 })).toThrow(/downtime replicas/);
  });
});
