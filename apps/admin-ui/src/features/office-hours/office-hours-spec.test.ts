import { describe, expect, it } from 'vitest';
import { daysOf, formatUptime, parseUptime, toContractSchedules, uptimeHoursPerWeek, windowProblems } from './office-hours-spec.ts';

describe('office-hours specs', () => {
  it('round-trips a weekly window through the kube-downscaler syntax', () => {
    const w = parseUptime('Mon-Fri 08:00-19:00 Europe/Berlin');
    expect(w).toEqual({ dayFrom: 'mon', dayTo: 'fri', start: '08:00', end: '19:00', timeZone: 'Europe/Berlin' });
    expect(formatUptime(w!)).toBe('Mon-Fri 08:00-19:00 Europe/Berlin');
  });

  it('leaves specs it cannot edit as fields to text (several parts, dates, constants)', () => {
    for (const spec of ['Mon-Fri 08:00-12:00 UTC, Mon-Fri 13:00-18:00 UTC', 'always', '2026-01-01T00:00:00Z-2026-01-02T00:00:00Z', 'Mon-Fri 25:00-19:00 UTC']) expect(parseUptime(spec)).toBeNull();
  });

  it('wraps day ranges over Sunday and counts the hours up', () => {
    expect(daysOf({ dayFrom: 'fri', dayTo: 'mon' })).toEqual(['fri', 'sat', 'sun', 'mon']);
    expect(uptimeHoursPerWeek({ dayFrom: 'mon', dayTo: 'fri', start: '08:00', end: '19:00', timeZone: 'UTC' })).toBe(55);
    expect(uptimeHoursPerWeek({ dayFrom: 'sat', dayTo: 'sat', start: '00:00', end: '24:00', timeZone: 'UTC' })).toBe(24);
  });

  it('names what is wrong with a window', () => {
    expect(windowProblems({ dayFrom: 'mon', dayTo: 'fri', start: '19:00', end: '08:00', timeZone: 'UTC' })).toEqual(['the window must end after it starts on the same day']);
    expect(windowProblems({ dayFrom: 'mon', dayTo: 'fri', start: '08:00', end: '19:00', timeZone: 'UTC' })).toEqual([]);
  });

  it('becomes the decision contract’s schedules (24:00 written 00:00, workloads parsed, bad entries left out)', () => {
    const schedules = toContractSchedules([
      { uptime: 'Mon-Fri 08:00-24:00 Europe/Paris', namespaces: ['staging'], workloads: ['dev/Deployment/api', 'not-a-ref'] },
      { uptime: 'always', namespaces: [], workloads: [] },
    ]);
    expect(schedules).toEqual([{ name: 'office-hours-1', timezone: 'Europe/Paris', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '00:00', namespaces: ['staging'], workloads: [{ namespace: 'dev', kind: 'Deployment', name: 'api' }] }]);
  });
});
