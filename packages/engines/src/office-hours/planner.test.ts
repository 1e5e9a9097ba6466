import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AppError } from '@cloudoptim/contracts';
import { planOfficeHours, type OfficeHoursPlanInput, type ScheduledWorkload } from './planner.ts';
import { ANNOTATIONS, resolveDefaults, resolveWorkload } from './annotations.ts';
import { rawStateAt } from './schedule.ts';
import { matchesTimeSpec } from './matcher.ts';
import { MINUTE_MS } from './timezone.ts';

const t = (iso: string) => Date.parse(iso);
const wl = (over: Partial<ScheduledWorkload> & Pick<ScheduledWorkload, 'name'>): ScheduledWorkload => ({ namespace: 'dev', kind: 'Deployment', replicas: 2, costUsdPerReplicaHour: 0.1, createdAtMs: t('2024-01-01T00:00:00Z'), ...over });

/** Friday 2024-03-29 18:30 in Berlin (CET); Europe moves to summer time on Sunday; Easter Monday is a holiday. */
const goldenInput: OfficeHoursPlanInput = {
  nowMs: t('2024-03-29T17:30:00Z'),
  snapshotAtMs: t('2024-03-29T17:29:00Z'),
  defaults: { uptime: 'Mon-Fri 08:00-19:00 Europe/Berlin', prewarmMinutes: 15, holidays: '2024-04-01 Europe/Berlin' },
  namespaces: [
    { name: 'staging', annotations: { [ANNOTATIONS.uptime]: 'Mon-Fri 07:00-20:00 America/New_York', [ANNOTATIONS.downtimeReplicas]: '1' } },
    { name: 'frozen', annotations: { [ANNOTATIONS.exclude]: 'true' } },
  ],
  workloads: [
    wl({ name: 'api', replicas: 3 }),
    wl({ name: 'web', replicas: 0, annotations: { [ANNOTATIONS.originalReplicas]: '2' } }),
    wl({ name: 'new', replicas: 1, createdAtMs: t('2024-03-29T17:25:00Z'), annotations: { [ANNOTATIONS.uptime]: 'Mon-Fri 08:00-18:00 Europe/Berlin' } }),
    wl({ name: 'batch', annotations: { [ANNOTATIONS.uptime]: 'always', [ANNOTATIONS.downtime]: 'Sat-Sun 00:00-24:00 UTC' } }),
    wl({ namespace: 'staging', name: 'db', kind: 'StatefulSet', replicas: 3, costUsdPerReplicaHour: 0.5 }),
    wl({ namespace: 'frozen', name: 'legacy', replicas: 2 }),
    wl({ namespace: 'frozen', name: 'was-down', replicas: 0, annotations: { [ANNOTATIONS.originalReplicas]: '4' } }),
    wl({ namespace: 'kube-system', name: 'coredns', replicas: 2 }),
    wl({ name: 'broken', annotations: { [ANNOTATIONS.uptime]: 'Mon-Fri 8-19 Europe/Berlin' } }),
  ],
};

describe('planOfficeHours: golden scenario (Berlin office, New York staging, Easter Monday, DST)', () => {
  const plan = planOfficeHours(goldenInput);
  const byName = new Map(plan.workloads.map((w) => [w.name, w]));

  it('acts now: restores the scaled-down workload in uptime and the one whose namespace became excluded', () => {
    expect(plan.actions.map((a) => [a.name, a.type, a.fromReplicas, a.toReplicas])).toEqual([
      ['web', 'scale_up', 0, 2],
      ['was-down', 'scale_up', 0, 4],
    ]);
    expect(byName.get('was-down')?.action.reason).toMatch(/excluded .* while scaled down/);
    expect(byName.get('web')?.action.setAnnotations).toEqual({ [ANNOTATIONS.originalReplicas]: null });
  });

  it('never touches excluded or invalid workloads', () => {
    for (const name of ['legacy', 'coredns', 'broken']) {
      expect(plan.transitions.filter((x) => x.name === name)).toEqual([]);
      expect(byName.get(name)?.action.type).toBe('none');
    }
    expect(byName.get('coredns')?.state).toBe('excluded');
    expect(byName.get('broken')?.state).toBe('invalid');
    expect(byName.get('broken')?.problems[0]?.position).toBe(8);
  });

  it('scales Berlin workloads at 19:00 CET (18:00Z) on Friday, skips Easter Monday, pre-warms 07:45 CEST on Tuesday', () => {
    const api = plan.transitions.filter((x) => x.name === 'api').map((x) => [x.at, x.type, x.toReplicas]);
    expect(api.slice(0, 3)).toEqual([
      ['2024-03-29T18:00:00.000Z', 'scale_down', 0],
      ['2024-04-02T05:45:00.000Z', 'scale_up', 3],
      ['2024-04-02T17:00:00.000Z', 'scale_down', 0],
    ]);
    expect(plan.transitions.find((x) => x.name === 'api' && x.type === 'scale_down')?.setAnnotations).toEqual({ [ANNOTATIONS.originalReplicas]: '3' });
  });

  it('respects the 15-minute grace period of a new workload', () => {
    expect(byName.get('new')?.action.reason).toMatch(/grace period/);
    expect(plan.transitions.find((x) => x.name === 'new')).toMatchObject({ at: '2024-03-29T17:40:00.000Z', type: 'scale_down' });
  });

  it('scales staging to its downtime replicas in New York time', () => {
    const db = plan.transitions.filter((x) => x.name === 'db').slice(0, 2).map((x) => [x.at, x.type, x.fromReplicas, x.toReplicas]);
    expect(db).toEqual([
      ['2024-03-30T00:00:00.000Z', 'scale_down', 3, 1], // Fri 20:00 EDT
      ['2024-04-01T21:45:00.000Z', 'scale_up', 1, 3], // Easter Monday ends at midnight Berlin = 16:00 EDT: pre-warmed 15 min before
    ]);
  });

  it('projects savings from replica-hours × cost', () => {
    const api = byName.get('api');
    // Horizon Fri 17:30Z → next Fri 17:30Z: api is up 17:30–18:00Z now, then Tue–Fri 05:45–17:00Z (11 h + 15 min pre-warm, CEST).
    const upHours = 0.5 + 4 * 11.25;
    expect(api?.downtimeHours).toBeCloseTo(168 - upHours, 6);
    expect(api?.weeklySavingsUsd).toBeCloseTo(Math.round((168 - upHours) * 3 * 0.1 * 100) / 100, 6);
    expect(plan.savings.weeklyUsd).toBeCloseTo(plan.workloads.reduce((s, w) => s + w.weeklySavingsUsd, 0), 2);
    expect(plan.savings.weeklyUsd).toBeLessThanOrEqual(plan.savings.baselineWeeklyUsd);
    expect(plan.rationale.data.snapshotAgeSeconds).toBe(60);
  });

  it('matches the stored golden plan', () => {
    const golden = JSON.parse(readFileSync(new URL('./__golden__/plan-berlin-easter.json', import.meta.url), 'utf8'));
    expect(JSON.parse(JSON.stringify(plan))).toEqual(golden);
  });
});

describe('planOfficeHours: table', () => {
  const now = t('2024-01-10T12:00:00Z'); // Wednesday
  const plan1 = (w: ScheduledWorkload, defaults: OfficeHoursPlanInput['defaults'] = {}, namespaces: OfficeHoursPlanInput['namespaces'] = []) => planOfficeHours({ nowMs: now, workloads: [w], defaults, namespaces }, { horizonDays: 1 }).workloads[0];
  it.each([
    ['no schedule: always up', wl({ name: 'a' }), {}, 'up', 'none', 2],
    ['downtime now → down to 0', wl({ name: 'a' }), { downtime: 'Wed-Wed 11:00-13:00 UTC' }, 'down', 'scale_down', 0],
    ['downtime-replicas from defaults', wl({ name: 'a', replicas: 3 }), { downtime: 'Wed-Wed 11:00-13:00 UTC', downtimeReplicas: 1 }, 'down', 'scale_down', 1],
    ['already at downtime replicas → nothing', wl({ name: 'a', replicas: 0, annotations: { [ANNOTATIONS.originalReplicas]: '2' } }), { uptime: 'never' }, 'down', 'none', 0],
    ['replicas below downtime replicas → nothing', wl({ name: 'a', replicas: 1 }), { uptime: 'never', downtimeReplicas: 2 }, 'down', 'none', 1],
    ['scaled to 0 by hand, no original → not scaled up', wl({ name: 'a', replicas: 0 }), {}, 'up', 'none', 0],
    ['forced uptime beats downtime', wl({ name: 'a', replicas: 0, annotations: { [ANNOTATIONS.originalReplicas]: '5' } }), { uptime: 'never', forceUptime: true }, 'up', 'scale_up', 5],
    ['forced uptime spec', wl({ name: 'a' }), { uptime: 'never', forceUptime: 'Wed-Wed 11:00-13:00 UTC' }, 'up', 'none', 2],
    ['exclude-until in the future → left alone', wl({ name: 'a', annotations: { [ANNOTATIONS.excludeUntil]: '2024-01-11' } }), { uptime: 'never' }, 'excluded', 'none', 2],
    ['exclude-until in the past → scaled', wl({ name: 'a', annotations: { [ANNOTATIONS.excludeUntil]: '2024-01-09' } }), { uptime: 'never' }, 'down', 'scale_down', 0],
    ['period mode hold', wl({ name: 'a' }), { upscalePeriod: 'Mon-Sun 07:00-08:00 UTC', downscalePeriod: 'Mon-Sun 19:00-20:00 UTC' }, 'hold', 'none', 2],
  ])('%s', (_name, w, defaults, state, action, toReplicas) => {
    const plan = plan1(w, defaults);
    expect(plan?.state).toBe(state);
    expect(plan?.action.type).toBe(action);
    expect(plan?.action.toReplicas).toBe(toReplicas);
  });

  it('namespace force-downtime and force-uptime annotations', () => {
    expect(plan1(wl({ name: 'a' }), {}, [{ name: 'dev', annotations: { [ANNOTATIONS.forceDowntime]: 'true' } }])?.action.type).toBe('scale_down');
    expect(plan1(wl({ name: 'a' }), { uptime: 'never' }, [{ name: 'dev', annotations: { [ANNOTATIONS.forceUptime]: 'TRUE' } }])?.action.type).toBe('none');
  });

  it('reports specs that never match as warnings, like kube-downscaler accepts them', () => {
    const plan = plan1(wl({ name: 'a', annotations: { [ANNOTATIONS.uptime]: 'Mon-Fri 20:00-08:00 UTC' } }));
    expect(plan?.warnings[0]).toMatch(/never matches/);
    expect(plan?.action.type).toBe('scale_down');
  });

  it('rejects bad input with AppError VALIDATION_FAILED', () => {
    expect(() => planOfficeHours({ nowMs: now, workloads: [wl({ name: 'a', replicas: -1 })] })).toThrow(AppError);
    expect(() => planOfficeHours({ nowMs: now, workloads: [], defaults: { uptime: 'office hours' } })).toThrow(/default uptime/);
    expect(() => planOfficeHours({ nowMs: now, workloads: [] }, { horizonDays: 0 })).toThrow(/horizonDays/);
  });
});

/**
 * A reference of kube-downscaler's loop, written independently: evaluated every minute, pre-warm by looking
 * ahead minute by minute. The planner must produce the same replicas at every minute.
 */
function referenceReplicas(input: OfficeHoursPlanInput, w: ScheduledWorkload, minutes: number): number[] {
  const defaults = resolveDefaults(input.defaults);
  const r = resolveWorkload(w, input.namespaces?.find((n) => n.name === w.namespace), defaults);
  if (!r.ok) return new Array<number>(minutes).fill(w.replicas);
  const c = r.config;
  const P = c.rules.prewarmMinutes;
  const raw = Array.from({ length: minutes + P + 1 }, (_, m) => rawStateAt(c.rules, input.nowMs + m * MINUTE_MS).state);
  let replicas = w.replicas;
  let original = c.originalReplicas;
  const out: number[] = [];
  for (let m = 0; m < minutes; m += 1) {
    const now = input.nowMs + m * MINUTE_MS;
    let state = raw[m];
    if (state !== 'up' && raw.slice(m + 1, m + P + 1).includes('up')) state = 'up';
    const excluded = c.exclusion.hard !== null || c.exclusion.soft !== null || (c.exclusion.untilMs !== null && now < c.exclusion.untilMs);
    const skip = c.exclusion.hard !== null || (excluded && !(original && original > 0));
    if (!skip) {
      let isUptime: boolean | null;
      if (matchesTimeSpec(c.forceUptime, now) || (excluded && original && original > 0)) isUptime = true;
      else if (matchesTimeSpec(c.forceDowntime, now)) isUptime = false;
      else isUptime = state === 'hold' ? null : state === 'up';
      if (isUptime === true && replicas === c.downtimeReplicas && original && original > 0) {
        replicas = original;
        original = null;
      } else if (isUptime === false && replicas > 0 && replicas > c.downtimeReplicas && !(now - w.createdAtMs < c.gracePeriodMs)) {
        original = replicas;
        replicas = c.downtimeReplicas;
      }
    }
    out.push(replicas);
  }
  return out;
}

describe('planOfficeHours: properties', () => {
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York'];
  const recurring = fc
    .record({ d1: fc.integer({ min: 0, max: 6 }), d2: fc.integer({ min: 0, max: 6 }), h1: fc.integer({ min: 0, max: 23 }), len: fc.integer({ min: 1, max: 16 }), m: fc.constantFrom(0, 15, 30), z: fc.constantFrom(...zones) })
    .map(({ d1, d2, h1, len, m, z }) => {
      const days = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
      const end = Math.min(24, h1 + len);
      const pad = (n: number) => String(n).padStart(2, '0');
      return `${days[d1]}-${days[d2]} ${pad(h1)}:${pad(m)}-${pad(end)}:${end === 24 ? '00' : pad(m)} ${z}`;
    });
  const spec = fc.oneof(fc.constant('always'), fc.constant('never'), fc.array(recurring, { minLength: 1, maxLength: 2 }).map((p) => p.join(', ')));
  const nowMs = fc.constantFrom(t('2024-03-29T17:30:00Z'), t('2024-10-25T22:00:00Z'), t('2024-03-08T12:00:00Z'));
  const annotations = fc.record(
    {
      [ANNOTATIONS.uptime]: spec,
      [ANNOTATIONS.downtime]: spec,
      [ANNOTATIONS.downtimeReplicas]: fc.integer({ min: 0, max: 2 }).map(String),
      [ANNOTATIONS.originalReplicas]: fc.integer({ min: 0, max: 4 }).map(String),
      [ANNOTATIONS.exclude]: fc.constantFrom('true', 'false'),
      [ANNOTATIONS.excludeUntil]: fc.constantFrom('2024-03-30T06:00:00Z', '2024-10-26 10:00', '2024-03-09'),
      [ANNOTATIONS.prewarmMinutes]: fc.integer({ min: 0, max: 90 }).map(String),
      [ANNOTATIONS.holidays]: fc.constantFrom('2024-03-31,2024-10-27 Europe/Berlin', '2024-03-10 America/New_York'),
    },
    { requiredKeys: [] },
  );
  const workload = fc.record({
    namespace: fc.constantFrom('dev', 'staging', 'kube-system'),
    name: fc.constantFrom('a', 'b', 'c', 'downscaler'),
    kind: fc.constant('Deployment'),
    replicas: fc.integer({ min: 0, max: 4 }),
    annotations,
    costUsdPerReplicaHour: fc.double({ min: 0, max: 2, noNaN: true }),
    createdOffsetMinutes: fc.integer({ min: -60 * 24, max: 30 }),
  });
  const scenario = fc.record({
    nowMs,
    workloads: fc.uniqueArray(workload, { minLength: 1, maxLength: 3, selector: (w) => `${w.namespace}/${w.name}` }),
    nsForce: fc.constantFrom(undefined, 'true', 'Sat-Sun 10:00-12:00 UTC'),
    defaultUptime: spec,
  });
  const HORIZON_DAYS = 2;

  it('replicas at every minute equal a minute-by-minute kube-downscaler reference; excluded never touched; savings in [0, baseline]', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const input: OfficeHoursPlanInput = {
          nowMs: s.nowMs,
          defaults: { uptime: s.defaultUptime, gracePeriodSeconds: 900 },
          namespaces: [{ name: 'staging', annotations: s.nsForce ? { [ANNOTATIONS.forceUptime]: s.nsForce } : {} }],
          workloads: s.workloads.map(({ createdOffsetMinutes, ...w }) => ({ ...w, createdAtMs: s.nowMs + createdOffsetMinutes * MINUTE_MS })),
        };
        const plan = planOfficeHours(input, { horizonDays: HORIZON_DAYS });
        const minutes = HORIZON_DAYS * 24 * 60;
        const sorted = [...input.workloads].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
        sorted.forEach((w, i) => {
          const wp = plan.workloads[i];
          expect(wp?.name).toBe(w.name);
          if (!wp) return;
          const events = [{ atMs: s.nowMs, toReplicas: wp.action.toReplicas }, ...plan.transitions.filter((x) => x.namespace === w.namespace && x.name === w.name)];
          const planned: number[] = [];
          let e = 0;
          let replicas = w.replicas;
          for (let m = 0; m < minutes; m += 1) {
            const at = s.nowMs + m * MINUTE_MS;
            while (e < events.length && (events[e]?.atMs ?? Infinity) <= at) replicas = events[e++]?.toReplicas ?? replicas;
            planned.push(replicas);
          }
          expect(planned).toEqual(referenceReplicas(input, w, minutes));
          const r = resolveWorkload(w, input.namespaces?.find((n) => n.name === w.namespace), resolveDefaults(input.defaults));
          if (!r.ok || r.config.exclusion.hard) expect(events.length).toBe(1);
          if (!r.ok || r.config.exclusion.hard) expect(wp.action.type).toBe('none');
          expect(wp.savingsUsdInHorizon).toBeGreaterThanOrEqual(0);
          expect(wp.savingsUsdInHorizon).toBeLessThanOrEqual(wp.uptimeReplicas * w.costUsdPerReplicaHour * HORIZON_DAYS * 24 + 0.01);
        });
        for (const x of plan.transitions) {
          const w = plan.workloads.find((p) => p.namespace === x.namespace && p.name === x.name);
          if (x.type === 'scale_down') {
            expect(x.toReplicas).toBe(w?.downtimeReplicas);
            expect(x.setAnnotations[ANNOTATIONS.originalReplicas]).toBe(String(x.fromReplicas));
          }
          expect(x.atMs).toBeGreaterThan(s.nowMs);
          expect(x.atMs).toBeLessThan(s.nowMs + HORIZON_DAYS * 86_400_000);
        }
      }),
      { numRuns: 40 },
    );
  });
});
