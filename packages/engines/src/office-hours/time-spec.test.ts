import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AppError } from '@cloudoptim/contracts';
import { formatRecurring, parseTimeSpec, tryParseTimeSpec, WEEKDAY_NAMES, type RecurringPart } from './time-spec.ts';

describe('parseTimeSpec: valid specs', () => {
  it.each([
    ['Mon-Fri 07:30-20:30 Europe/Berlin', { dayFrom: 0, dayTo: 4, minuteFrom: 450, minuteTo: 1230, timeZone: 'Europe/Berlin' }],
    ['Sat-Sun 00:00-24:00 CET', { dayFrom: 5, dayTo: 6, minuteFrom: 0, minuteTo: 1440, timeZone: 'CET' }],
    ['sun-fri 15:30-16:00 UTC', { dayFrom: 6, dayTo: 4, minuteFrom: 930, minuteTo: 960, timeZone: 'UTC' }],
    ['Sat-Sat 10:00-12:00 America/New_York', { dayFrom: 5, dayTo: 5, minuteFrom: 600, minuteTo: 720, timeZone: 'America/New_York' }],
    ['Mon-Fri 09:00-17:00 America/Buenos_Aires', { timeZone: 'America/Buenos_Aires' }],
    ['Mon-Fri 09:00-17:00 Etc/GMT+1', { timeZone: 'Etc/GMT+1' }],
    ['Mon-Fri 09:00-17:00 US/Eastern', { timeZone: 'US/Eastern' }],
  ])('%s', (text, expected) => {
    const spec = parseTimeSpec(text);
    expect(spec.kind).toBe('list');
    if (spec.kind !== 'list') return;
    expect(spec.parts).toHaveLength(1);
    expect(spec.parts[0]).toMatchObject({ kind: 'recurring', text, position: 0, ...expected });
    expect(spec.warnings).toEqual([]);
  });

  it('parses absolute ranges with offsets, Z and fractions, both ends inclusive', () => {
    const spec = parseTimeSpec('2019-04-01T08:00:00+02:00-2019-04-01T19:00:00+02:00, 2024-12-24T00:00:00Z-2024-12-26T23:59:59.5Z');
    expect(spec.kind === 'list' && spec.parts).toEqual([
      { kind: 'absolute', text: '2019-04-01T08:00:00+02:00-2019-04-01T19:00:00+02:00', position: 0, fromMs: Date.parse('2019-04-01T06:00:00Z'), toMs: Date.parse('2019-04-01T17:00:00Z') },
      { kind: 'absolute', text: '2024-12-24T00:00:00Z-2024-12-26T23:59:59.5Z', position: 53, fromMs: Date.parse('2024-12-24T00:00:00Z'), toMs: Date.parse('2024-12-26T23:59:59.500Z') },
    ]);
  });

  it('reads always / never in any case and with surrounding spaces, and lists with spaces around commas', () => {
    expect(parseTimeSpec('  Always ').kind).toBe('always');
    expect(parseTimeSpec('NEVER').kind).toBe('never');
    const spec = parseTimeSpec(' Mon-Fri 08:00-18:00 UTC ,Sun-Sun 15:30-16:00 UTC  ');
    expect(spec.kind === 'list' && spec.parts.map((p) => [p.text, p.position])).toEqual([
      ['Mon-Fri 08:00-18:00 UTC', 1],
      ['Sun-Sun 15:30-16:00 UTC', 26],
    ]);
  });

  it('accepts the specs kube-downscaler accepts but that never match, with a warning', () => {
    for (const text of ['Mon-Mon 00:00-00:00 CET', 'Mon-Fri 20:00-08:00 UTC', '2019-04-01T08:00:00+02:00-2019-04-01T07:00:00+02:00']) {
      const spec = parseTimeSpec(text);
      expect(spec.warnings, text).toHaveLength(1);
      expect(spec.warnings[0]?.message).toMatch(/never matches/);
    }
  });
});

describe('parseTimeSpec: errors name the position and the expected token', () => {
  it.each([
    ['', 0, /a time spec/],
    ['   ', 3, /a time spec/],
    ['Mon-Fry 08:00-19:00 UTC', 4, /a weekday/],
    ['Mon-Thur 09:00-20:00 Europe/London', 4, /a weekday.*found "Thur"/],
    ['Mon 08:00-19:00 UTC', 3, /"-" and the last weekday.*Sat-Sat/],
    ['Mon-Fri 8:00-19:00 UTC', 8, /start hour HH/],
    ['Mon-Fri 08:00 19:00 UTC', 13, /"-" and the end time/],
    ['Mon-Fri 08:00-19:00', 19, /a space, then a timezone/],
    ['Mon-Fri 08:00-19:00 ', 20, /a timezone/],
    ['Mon-Fri 08:00-19:00 Europe/Berlim', 20, /unknown timezone "Europe\/Berlim"/],
    ['Mon-Fri 25:00-26:00 UTC', 8, /an hour between 00 and 24/],
    ['Mon-Fri 08:60-19:00 UTC', 11, /minutes between 00 and 59/],
    ['Mon-Fri 08:00-24:30 UTC', 14, /24:00 or an earlier time/],
    ['Mon-Fri 08:00-19:00 UTC,', 24, /a time spec part/],
    ['Mon-Fri 08:00-19:00 UTC,,Sat-Sat 10:00-11:00 UTC', 24, /a time spec part/],
    ['Mon-Fri 08:00-19:00 UTC; Sat-Sat 10:00-11:00 UTC', 23, /"," or the end/],
    ['always, Mon-Fri 08:00-19:00 UTC', 0, /only as the whole spec/],
    ['Mon-Fri 08:00-19:00 UTC, never', 25, /only as the whole spec/],
    ['2019-04-01 08:00:00+02:00-2019-04-01T19:00:00+02:00', 10, /"T"/],
    ['2019-04-01T08:00:00-2019-04-01T19:00:00', 19, /-HH:MM/],
    ['2019-13-01T08:00:00Z-2019-14-01T19:00:00Z', 5, /month between 01 and 12/],
    ['2019-02-29T08:00:00Z-2019-03-01T19:00:00Z', 8, /day between 01 and 28 for 2019-02/],
    ['2019-04-01T08:00:00Z2019-04-01T19:00:00Z', 20, /"-" and the end of the range/],
    ['*/5 * * * *', 0, /a weekday \(Mon…Sun\) or a date/],
  ])('%j → position %i', (text, position, expected) => {
    const result = tryParseTimeSpec(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.position).toBe(position);
    expect(result.error.message).toMatch(expected);
    expect(result.error.message).toContain(`at position ${position}`);
  });

  it('throws AppError VALIDATION_FAILED with spec and position in the details', () => {
    let caught: unknown;
    try {
      parseTimeSpec('Mon-Fri 08:00-19:00 Mars/Olympus');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    const error = caught as AppError;
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details).toMatchObject({ spec: 'Mon-Fri 08:00-19:00 Mars/Olympus', position: 20 });
    expect(error.message).toMatch(/unknown timezone "Mars\/Olympus"/);
  });
});

describe('parseTimeSpec: properties', () => {
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'];
  const recurring = fc
    .record({ dayFrom: fc.integer({ min: 0, max: 6 }), dayTo: fc.integer({ min: 0, max: 6 }), a: fc.integer({ min: 0, max: 1440 }), b: fc.integer({ min: 0, max: 1440 }), timeZone: fc.constantFrom(...zones) })
    .map(({ a, b, ...rest }) => ({ ...rest, minuteFrom: Math.min(a, b), minuteTo: Math.max(a, b) }));

  it('formatRecurring output parses back to the same part (any case, any list)', () => {
    fc.assert(
      fc.property(fc.array(recurring, { minLength: 1, maxLength: 4 }), fc.boolean(), (parts, lower) => {
        const texts = parts.map((p) => formatRecurring(p));
        const text = texts.join(', ');
        const spec = parseTimeSpec(lower ? text.toLowerCase().replace(/europe\/berlin|america\/new_york|asia\/kolkata|australia\/lord_howe|utc/gi, (z) => zones.find((x) => x.toLowerCase() === z.toLowerCase()) ?? z) : text);
        expect(spec.kind).toBe('list');
        if (spec.kind !== 'list') return;
        expect(spec.parts.map((p) => {
          const r = p as RecurringPart;
          return { dayFrom: r.dayFrom, dayTo: r.dayTo, minuteFrom: r.minuteFrom, minuteTo: r.minuteTo, timeZone: r.timeZone };
        })).toEqual(parts);
      }),
    );
  });

  it('any string either parses or fails with a position inside the string (never another exception)', () => {
    const alphabet = fc.constantFrom(...'MonTueWedFriSatSun-:, 0123456789TZ+/UTCEurope/Berlinalwaysnever'.split(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(alphabet, { maxLength: 40 }).map((cs) => cs.join('')), fc.constantFrom(...WEEKDAY_NAMES).map((d) => `${d}-Fri 08:00-1`)), (text) => {
        const result = tryParseTimeSpec(text);
        if (!result.ok) {
          expect(result.error.position).toBeGreaterThanOrEqual(0);
          expect(result.error.position).toBeLessThanOrEqual(text.length);
          expect(result.error.expected.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
