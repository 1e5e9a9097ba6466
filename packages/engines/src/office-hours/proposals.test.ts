import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AppError } from '@cloudoptim/contracts';
import { createRng } from '../rng.ts';
import { activeSlotsToSpec, proposeOfficeHours } from './proposals.ts';
import { matchesTimeSpec } from './matcher.ts';
import { parseTimeSpec } from './time-spec.ts';
import { localTimeAt, MINUTE_MS, HOUR_MS, DAY_MS } from './timezone.ts';

const t = (iso: string) => Date.parse(iso);

/** Samples every `stepMinutes` from `from` for `days`, busy when `busy(local weekday, local hour)`. */
function series(from: number, days: number, timeZone: string, busy: (weekday: number, hour: number, ms: number) => boolean, stepMinutes = 5, seed = 1) {
  const rng = createRng(seed);
  const samples: { timeMs: number; value: number }[] = [];
  for (let ms = from; ms < from + days * DAY_MS; ms += stepMinutes * MINUTE_MS) {
    const local = localTimeAt(ms, timeZone);
    samples.push({ timeMs: ms, value: busy(local.weekday, local.hour, ms) ? 400 + 200 * rng.next() : 10 * rng.next() });
  }
  return samples;
}

describe('proposeOfficeHours: golden scenarios', () => {
  const from = t('2024-03-10T23:00:00Z'); // Monday 00:00 CET; Berlin moves to CEST on 2024-03-31
  const nowMs = from + 28 * DAY_MS + HOUR_MS;

  it('finds a Berlin office week across the DST change and proposes it with 1 h padding', () => {
    const samples = series(from, 28, 'Europe/Berlin', (d, h) => d < 5 && h >= 8 && h < 18);
    const [p] = proposeOfficeHours({ nowMs, namespaces: [{ namespace: 'dev', timeZone: 'Europe/Berlin', costUsdPerHour: 2, samples }] });
    expect(p).toMatchObject({ status: 'proposed', uptime: 'Mon-Fri 07:00-19:00 Europe/Berlin', downtimeHoursPerWeek: 168 - 5 * 12, idleWeekends: true, idleWeekdayNights: 5 });
    expect(p?.weeklySavingsUsd).toBe(108 * 2);
    expect(p?.monthlySavingsUsd).toBeCloseTo((216 * 52) / 12, 2);
    expect(p?.confidence).toBe(1);
    expect(p?.rationale).toMatchObject({ samples: 28 * 288, historyDays: expect.closeTo(28, 1), dataAgeHours: expect.closeTo(1.08, 1), slotsObserved: 168, thresholdSource: 'fraction of p95' });
  });

  it('keeps an hour up when it was busy in too many weeks, and writes different days as separate parts', () => {
    // Thursday nights 22:00 busy in 2 of 4 weeks (a batch job); Saturday morning support 09-12 every week.
    const samples = series(from, 28, 'America/New_York', (d, h, ms) => (d < 5 && h >= 9 && h < 17) || (d === 5 && h >= 9 && h < 12) || (d === 3 && h === 22 && Math.floor((ms - from) / (7 * DAY_MS)) % 2 === 0));
    const [p] = proposeOfficeHours({ nowMs, namespaces: [{ namespace: 'ops', timeZone: 'America/New_York', costUsdPerHour: 1, samples }] });
    expect(p?.uptime).toBe('Mon-Wed 08:00-18:00 America/New_York, Thu-Thu 08:00-18:00 America/New_York, Thu-Thu 21:00-24:00 America/New_York, Fri-Fri 08:00-18:00 America/New_York, Sat-Sat 08:00-13:00 America/New_York');
    expect(p?.idleWeekends).toBe(false);
    const uptime = parseTimeSpec(p?.uptime ?? 'never');
    for (const s of samples) if (s.value > 100) expect(matchesTimeSpec(uptime, s.timeMs)).toBe(true);
  });

  it('statuses: too little history, no idle window, idle all week', () => {
    const short = series(from, 10, 'UTC', () => false, 60);
    const busy = series(from, 21, 'UTC', () => true, 60);
    const idle = series(from, 21, 'UTC', () => false, 60);
    const proposals = proposeOfficeHours({
      nowMs,
      namespaces: [
        { namespace: 'short', timeZone: 'UTC', costUsdPerHour: 1, samples: short },
        { namespace: 'busy', timeZone: 'UTC', costUsdPerHour: 1, samples: busy },
        { namespace: 'idle', timeZone: 'UTC', costUsdPerHour: 1, samples: idle, idleThreshold: 20 },
        { namespace: 'empty', timeZone: 'UTC', costUsdPerHour: 1, samples: [] },
      ],
    });
    expect(proposals.map((p) => [p.namespace, p.status, p.uptime])).toEqual([
      ['short', 'insufficient_history', null],
      ['busy', 'no_idle_window', null],
      ['idle', 'proposed', 'never'],
      ['empty', 'insufficient_history', null],
    ]);
    expect(proposals[2]?.weeklySavingsUsd).toBe(168);
  });

  it('rejects an unknown timezone and bad samples', () => {
    expect(() => proposeOfficeHours({ nowMs, namespaces: [{ namespace: 'x', timeZone: 'Mars/Base', costUsdPerHour: 1, samples: [] }] })).toThrow(AppError);
    expect(() => proposeOfficeHours({ nowMs, namespaces: [{ namespace: 'x', timeZone: 'UTC', costUsdPerHour: 1, samples: [{ timeMs: 0, value: -1 }] }] })).toThrow(/usage history is invalid/);
  });
});

describe('activeSlotsToSpec', () => {
  it('groups consecutive identical days', () => {
    const active = Array.from({ length: 168 }, (_, i) => Math.floor(i / 24) < 5 && i % 24 >= 9 && i % 24 < 17);
    expect(activeSlotsToSpec(active, 'UTC')).toBe('Mon-Fri 09:00-17:00 UTC');
    expect(activeSlotsToSpec(new Array<boolean>(168).fill(false), 'UTC')).toBe('never');
    expect(activeSlotsToSpec(new Array<boolean>(168).fill(true), 'UTC')).toBe('Mon-Sun 00:00-24:00 UTC');
  });

  it('property: the spec matches exactly the active slots (checked in UTC, one instant per slot)', () => {
    const monday = t('2024-01-01T00:00:00Z');
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 168, maxLength: 168 }), (active) => {
        const spec = parseTimeSpec(activeSlotsToSpec(active, 'UTC'));
        active.forEach((a, slot) => expect(matchesTimeSpec(spec, monday + slot * HOUR_MS + 30 * MINUTE_MS)).toBe(a));
      }),
      { numRuns: 100 },
    );
  });
});

describe('proposeOfficeHours: property — never proposes downtime over observed activity at full confidence', () => {
  it('every busy sample falls inside the proposed uptime when minIdleConfidence = 1', () => {
    const zones = ['UTC', 'Europe/Berlin', 'America/New_York'];
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: 168, maxLength: 168 }),
        fc.constantFrom(...zones),
        fc.integer({ min: 0, max: 1000 }),
        fc.constantFrom(t('2024-03-04T00:00:00Z'), t('2024-10-14T00:00:00Z')),
        fc.integer({ min: 0, max: 2 }),
        (activeSlots, zone, seed, from, paddingHours) => {
          const rng = createRng(seed);
          // Busy in the pattern's slots, plus rare random spikes anywhere.
          const samples = series(from, 21, zone, (d, h) => Boolean(activeSlots[d * 24 + h]) || rng.next() < 0.01, 60, seed);
          const inside = (spec: string) => {
            const parsed = parseTimeSpec(spec);
            return (ms: number) => matchesTimeSpec(parsed, ms);
          };
          const [p] = proposeOfficeHours({ nowMs: from + 21 * DAY_MS, namespaces: [{ namespace: 'n', timeZone: zone, costUsdPerHour: 1, samples, idleThreshold: 50 }] }, { minIdleConfidence: 1, paddingHours, minIdleHoursPerWeek: 0 });
          if (p?.status !== 'proposed') return;
          const up = inside(p.uptime ?? 'never');
          for (const s of samples) if (s.value > 50) expect(up(s.timeMs)).toBe(true);
          expect(p.downtimeHoursPerWeek).toBeLessThanOrEqual(activeSlots.filter((a) => !a).length);
        },
      ),
      { numRuns: 25 },
    );
  });
});
