import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { matchTimeSpec, matchesTimeSpec, specTransitions } from './matcher.ts';
import { formatRecurring, parseTimeSpec } from './time-spec.ts';
import { MINUTE_MS } from './timezone.ts';

const t = (iso: string) => Date.parse(iso);

describe('matchesTimeSpec: kube-downscaler test_time_spec.py cases', () => {
  const sunday = t('2017-11-26T15:33:00Z');
  const aucklandMonday = t('2018-11-04T20:30:00Z');
  const monday = t('2017-11-27T15:33:00Z');
  it.each([
    [sunday, 'never', false],
    [sunday, 'always', true],
    [sunday, 'Mon-Mon 00:00-00:00 CET', false],
    [sunday, 'Mon-Sun 00:00-24:00 CET', true],
    [sunday, 'Sat-Sun 15:30-16:00 UTC', true],
    [sunday, 'Sat-Sun 15:34-16:00 UTC', false],
    [sunday, 'Mon-Fri 08:00-18:00 UTC', false],
    [sunday, 'Mon-Fri 08:00-18:00 UTC, Sun-Sun 15:30-16:00 UTC', true],
    [sunday, '2017-11-26T14:04:48+00:00-2017-11-26T16:04:48+00:00', true],
    [sunday, '2017-11-26T14:04:48+00:00-2017-11-26T15:04:48+00:00', false],
    [aucklandMonday, 'Mon-Fri 09:00-10:00 Pacific/Auckland', true],
    [aucklandMonday, 'Sat-Sun 09:00-10:00 Pacific/Auckland', false],
    [aucklandMonday, '2017-01-01T00:01:02+00:00-2018-12-31T23:59:00+00:00', true],
    [aucklandMonday, '2017-01-01T00:01:02+00:00-2017-01-02T19:00:50+00:00, 2018-11-01T00:00:00+00:00-2018-12-31T23:59:00+00:00', true],
    [aucklandMonday, '2019-01-01T00:01:02+00:00-2019-12-31T23:59:00+00:00', false],
    [aucklandMonday, '2018-11-04T16:00:00-04:00-2018-11-04T16:40:00-04:00', true],
    [aucklandMonday, '2018-11-04T20:00:00-04:00-2018-11-04T20:40:00-04:00', false],
    // test_week_starts_sunday
    [monday, 'Sun-Fri 15:30-16:00 UTC', true],
    [monday, 'Sun-Mon 00:00-16:00 UTC', true],
    [monday, 'Sun-Mon 00:00-15:00 UTC', false],
    [sunday, 'Sun-Fri 15:30-16:00 UTC', true],
    [sunday, 'Sun-Mon 00:00-16:00 UTC', true],
    [sunday, 'Sun-Mon 00:00-15:00 UTC', false],
  ])('%i %s → %s', (at, spec, expected) => {
    expect(matchesTimeSpec(spec, at)).toBe(expected);
  });
});

describe('matchTimeSpec: boundaries', () => {
  it('start inclusive, end exclusive, seconds ignored; absolute ends inclusive', () => {
    const spec = 'Mon-Fri 08:00-19:00 UTC';
    expect(matchesTimeSpec(spec, t('2024-01-08T07:59:59.999Z'))).toBe(false);
    expect(matchesTimeSpec(spec, t('2024-01-08T08:00:00Z'))).toBe(true);
    expect(matchesTimeSpec(spec, t('2024-01-08T18:59:59Z'))).toBe(true);
    expect(matchesTimeSpec(spec, t('2024-01-08T19:00:00Z'))).toBe(false);
    const abs = '2024-01-08T08:00:00Z-2024-01-08T09:00:00Z';
    expect(matchesTimeSpec(abs, t('2024-01-08T09:00:00Z'))).toBe(true);
    expect(matchesTimeSpec(abs, t('2024-01-08T09:00:00.001Z'))).toBe(false);
  });

  it('24:00 covers the last minute of the day; a Fri-Mon range wraps over the weekend', () => {
    expect(matchesTimeSpec('Sat-Sun 00:00-24:00 UTC', t('2024-01-07T23:59:30Z'))).toBe(true);
    expect(matchesTimeSpec('Sat-Sun 00:00-24:00 UTC', t('2024-01-08T00:00:00Z'))).toBe(false);
    expect(matchesTimeSpec('Fri-Mon 00:00-24:00 UTC', t('2024-01-08T12:00:00Z'))).toBe(true);
    expect(matchesTimeSpec('Fri-Mon 00:00-24:00 UTC', t('2024-01-09T12:00:00Z'))).toBe(false);
  });

  it('names the first matching part', () => {
    expect(matchTimeSpec('Mon-Fri 08:00-18:00 UTC, Sun-Sun 15:30-16:00 UTC', t('2017-11-26T15:33:00Z'))).toEqual({ matches: true, matchedPart: 'Sun-Sun 15:30-16:00 UTC', partIndex: 1 });
    expect(matchTimeSpec('never', 0)).toEqual({ matches: false, matchedPart: null, partIndex: null });
  });
});

describe('DST transitions', () => {
  const transitions = (spec: string, from: string, to: string) => specTransitions(parseTimeSpec(spec), t(from), t(to)).map((x) => [new Date(x.atMs).toISOString(), x.matches]);

  it('Europe/Berlin keeps wall-clock hours across the spring and autumn changes', () => {
    // 2024-03-31: 02:00 CET → 03:00 CEST. Friday 08:00 is 07:00Z, Monday 08:00 is 06:00Z.
    expect(transitions('Mon-Fri 08:00-19:00 Europe/Berlin', '2024-03-29T00:00:00Z', '2024-04-02T00:00:00Z')).toEqual([
      ['2024-03-29T07:00:00.000Z', true],
      ['2024-03-29T18:00:00.000Z', false],
      ['2024-04-01T06:00:00.000Z', true],
      ['2024-04-01T17:00:00.000Z', false],
    ]);
    // 2024-10-27: 03:00 CEST → 02:00 CET.
    expect(transitions('Mon-Fri 08:00-19:00 Europe/Berlin', '2024-10-25T00:00:00Z', '2024-10-29T00:00:00Z')).toEqual([
      ['2024-10-25T06:00:00.000Z', true],
      ['2024-10-25T17:00:00.000Z', false],
      ['2024-10-28T07:00:00.000Z', true],
      ['2024-10-28T18:00:00.000Z', false],
    ]);
  });

  it('Europe/Berlin: a window inside the skipped hour never matches; the repeated hour matches twice', () => {
    expect(transitions('Sun-Sun 02:15-02:45 Europe/Berlin', '2024-03-30T00:00:00Z', '2024-04-01T00:00:00Z')).toEqual([]);
    expect(matchesTimeSpec('Sun-Sun 02:00-03:00 Europe/Berlin', t('2024-03-31T01:00:00Z'))).toBe(false); // 03:00 CEST
    expect(transitions('Sun-Sun 02:15-02:45 Europe/Berlin', '2024-10-26T00:00:00Z', '2024-10-28T00:00:00Z')).toEqual([
      ['2024-10-27T00:15:00.000Z', true], // 02:15 CEST
      ['2024-10-27T00:45:00.000Z', false],
      ['2024-10-27T01:15:00.000Z', true], // 02:15 CET
      ['2024-10-27T01:45:00.000Z', false],
    ]);
    // A window that starts in the gap opens at the first instant after it (03:00 CEST = 01:00Z).
    expect(transitions('Sun-Sun 02:30-04:00 Europe/Berlin', '2024-03-30T00:00:00Z', '2024-04-01T00:00:00Z')).toEqual([
      ['2024-03-31T01:00:00.000Z', true],
      ['2024-03-31T02:00:00.000Z', false],
    ]);
  });

  it('America/New_York: 2024-03-10 and 2024-11-03', () => {
    expect(transitions('Sat-Sun 00:00-24:00 America/New_York', '2024-03-08T00:00:00Z', '2024-03-12T00:00:00Z')).toEqual([
      ['2024-03-09T05:00:00.000Z', true], // Sat 00:00 EST
      ['2024-03-11T04:00:00.000Z', false], // Mon 00:00 EDT: the weekend was 47 hours long
    ]);
    expect(transitions('Sat-Sun 00:00-24:00 America/New_York', '2024-11-01T00:00:00Z', '2024-11-05T00:00:00Z')).toEqual([
      ['2024-11-02T04:00:00.000Z', true],
      ['2024-11-04T05:00:00.000Z', false], // 49 hours
    ]);
    expect(transitions('Sun-Sun 01:00-01:30 America/New_York', '2024-11-02T00:00:00Z', '2024-11-04T00:00:00Z')).toEqual([
      ['2024-11-03T05:00:00.000Z', true], // 01:00 EDT
      ['2024-11-03T05:30:00.000Z', false],
      ['2024-11-03T06:00:00.000Z', true], // 01:00 EST
      ['2024-11-03T06:30:00.000Z', false],
    ]);
  });
});

describe('specTransitions: property — equals a minute-by-minute scan', () => {
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/Santiago'];
  const part = fc.oneof(
    fc
      .record({ dayFrom: fc.integer({ min: 0, max: 6 }), dayTo: fc.integer({ min: 0, max: 6 }), a: fc.integer({ min: 0, max: 48 }), b: fc.integer({ min: 0, max: 48 }), timeZone: fc.constantFrom(...zones) })
      .map(({ a, b, ...rest }) => formatRecurring({ ...rest, minuteFrom: Math.min(a, b) * 30, minuteTo: Math.max(a, b) * 30 })),
    fc.record({ start: fc.integer({ min: 0, max: 4 * 24 * 4 }), len: fc.integer({ min: 0, max: 2 * 24 * 4 }) }).map(({ start, len }) => {
      const from = new Date(Date.UTC(2024, 2, 29) + start * 15 * MINUTE_MS);
      const to = new Date(from.getTime() + len * 15 * MINUTE_MS);
      return `${from.toISOString().slice(0, 19)}Z-${to.toISOString().slice(0, 19)}+00:00`;
    }),
  );
  // Windows that straddle the March DST changes of Europe, the US, Chile and Lord Howe (30-min shift).
  const starts = [Date.UTC(2024, 2, 8), Date.UTC(2024, 2, 29), Date.UTC(2024, 3, 5), Date.UTC(2024, 9, 25)];

  it('every change of state, and only those, at the exact minute', () => {
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 3 }), fc.constantFrom(...starts), fc.integer({ min: 0, max: 24 * 60 }), (parts, day, offsetMinutes) => {
        const spec = parseTimeSpec(parts.join(', '));
        const from = day + offsetMinutes * MINUTE_MS;
        const to = from + 3 * 24 * 60 * MINUTE_MS;
        const scanned: [number, boolean][] = [];
        let prev = matchesTimeSpec(spec, from);
        for (let m = from + MINUTE_MS; m <= to; m += MINUTE_MS) {
          const now = matchesTimeSpec(spec, m);
          if (now !== prev) scanned.push([m, now]);
          prev = now;
        }
        // Absolute ends flip 1 ms after the inclusive end: on the minute grid that shows up at the next minute.
        const found = specTransitions(spec, from, to).map((x): [number, boolean] => [Math.ceil((x.atMs - from) / MINUTE_MS) * MINUTE_MS + from, x.matches]);
        expect(found).toEqual(scanned);
      }),
      { numRuns: 40 },
    );
  });
});
